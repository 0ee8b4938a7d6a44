//! The postings Ordo sends its client's ERP (API.md, "ERP integration"): an envelope
//! `{type, message_id, timestamp, client, data}` whose `data` depends on `type`.
//!
//! Fields are `snake_case`, quantities integers, money decimal strings (`"499.00"`), times RFC 3339
//! UTC. The types below hold the least each posting carries; a receiver must ignore fields it does
//! not know, so more may be added. [`Posting`] keeps `type` and `data` from disagreeing: the type
//! word is the [`PostingData`] variant's, written on serialization and checked on reading.

use ordo_domain::Timestamp;
pub use ordo_domain::kinds::ReturnKind;
use serde::de::Error as _;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};

/// What a posting is about: its `type` word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PostingType {
    /// A B2B order posted with its final quantities (Ajio with ERP); the ERP answers with its
    /// invoice through `POST /api/v1/orders/{id}/invoice`.
    OutwardOrderCreate,
    /// The complete cancellation of a posted order (never a partial one).
    OutwardOrderCancel,
    /// A shipment handed over to the carrier.
    ShipmentDispatch,
    /// A return received and QC'd; the ERP answers with its credit note through
    /// `POST /api/v1/returns/{id}/credit-note`.
    ReturnOrder,
    /// Goods received against an inward PO (or without one).
    Grn,
}

impl PostingType {
    /// Every type, in declaration order (the default set an ERP connection receives).
    pub const ALL: &'static [PostingType] = &[
        PostingType::OutwardOrderCreate,
        PostingType::OutwardOrderCancel,
        PostingType::ShipmentDispatch,
        PostingType::ReturnOrder,
        PostingType::Grn,
    ];

    /// The word, as sent in `type` and listed in a connection's `events`.
    pub fn as_str(self) -> &'static str {
        match self {
            PostingType::OutwardOrderCreate => "OUTWARD_ORDER_CREATE",
            PostingType::OutwardOrderCancel => "OUTWARD_ORDER_CANCEL",
            PostingType::ShipmentDispatch => "SHIPMENT_DISPATCH",
            PostingType::ReturnOrder => "RETURN_ORDER",
            PostingType::Grn => "GRN",
        }
    }

    /// Reads the word (exactly, upper case); the error lists the accepted words.
    pub fn parse(word: &str) -> Result<PostingType, String> {
        PostingType::ALL.iter().copied().find(|t| t.as_str() == word.trim()).ok_or_else(|| {
            format!(
                "'{word}' is not a posting type: one of {}",
                PostingType::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
            )
        })
    }

    /// The name of the OpenAPI schema of this type's `data`.
    pub fn data_schema_name(self) -> &'static str {
        match self {
            PostingType::OutwardOrderCreate | PostingType::OutwardOrderCancel => "OutwardOrderData",
            PostingType::ShipmentDispatch => "ShipmentDispatchData",
            PostingType::ReturnOrder => "ReturnOrderData",
            PostingType::Grn => "GrnData",
        }
    }
}

impl std::fmt::Display for PostingType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `data` of `OUTWARD_ORDER_CREATE` and `OUTWARD_ORDER_CANCEL`: a B2B order and its items. In a
/// cancellation every item's `cancelled_qty` equals its `ordered_qty`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OutwardOrderData {
    /// Ordo's order id (the `{id}` of `POST /api/v1/orders/{id}/invoice`).
    pub order_id: String,
    /// The channel's code.
    pub channel: String,
    /// The marketplace's order id (Ajio's PO number for a B2B order).
    pub channel_order_id: String,
    /// The warehouse's code.
    pub warehouse: String,
    /// One item per order line.
    pub items: Vec<OutwardOrderItem>,
}

/// One line of a posted B2B order. The final quantity is `ordered_qty − cancelled_qty`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OutwardOrderItem {
    /// The client's SKU code.
    pub sku: String,
    /// The marketplace's SKU, `null` when the line was made with the client's SKU alone.
    #[serde(default)]
    pub channel_sku: Option<String>,
    /// Units ordered.
    pub ordered_qty: i64,
    /// Units cancelled (before the posting, or all of them in a cancellation).
    pub cancelled_qty: i64,
    /// Price of one unit as a decimal string (`"499.00"`), `null` when the order gave none.
    #[serde(default)]
    pub unit_price: Option<String>,
}

impl OutwardOrderItem {
    /// `ordered_qty − cancelled_qty`, never below zero.
    pub fn final_qty(&self) -> i64 {
        (self.ordered_qty - self.cancelled_qty).max(0)
    }
}

/// `data` of `SHIPMENT_DISPATCH`: one shipment handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShipmentDispatchData {
    /// Ordo's order id.
    pub order_id: String,
    /// The channel's code.
    pub channel: String,
    /// The marketplace's order id.
    pub channel_order_id: String,
    /// Ordo's shipment id.
    pub shipment_id: String,
    /// The carrier's waybill number.
    pub awb: String,
    /// The invoice the shipment travels with, `null` when it has none.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// Units shipped per SKU.
    pub items: Vec<SkuQty>,
}

/// Units of one SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SkuQty {
    /// The client's SKU code.
    pub sku: String,
    /// Units.
    pub qty: i64,
}

/// `data` of `RETURN_ORDER`: a return received and QC'd.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReturnOrderData {
    /// Ordo's return id (the `{id}` of `POST /api/v1/returns/{id}/credit-note`).
    pub return_id: String,
    /// Ordo's id of the forward order.
    pub order_id: String,
    /// The channel's code.
    pub channel: String,
    /// The marketplace's id of the forward order.
    pub channel_order_id: String,
    /// Customer return or RTO.
    pub kind: ReturnKind,
    /// What came back per SKU.
    pub items: Vec<ReturnItem>,
    /// Always empty: a return order is posted without shipments (SPEC §6). Kept so the ERP's
    /// return-order format, which has the field, reads it.
    #[serde(default)]
    #[schema(value_type = Vec<Object>, max_items = 0)]
    pub shipments: Vec<serde_json::Value>,
}

/// What came back of one SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReturnItem {
    /// The client's SKU code.
    pub sku: String,
    /// Units received that passed QC.
    pub qc_pass: i64,
    /// Units received that failed QC (settled offline with the marketplace).
    pub qc_fail: i64,
    /// Units expected and not received (settled offline with the marketplace).
    pub missing: i64,
}

/// `data` of `GRN`: goods received into a warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GrnData {
    /// The warehouse's code.
    pub warehouse: String,
    /// The inward PO's number, `null` for goods received without one.
    #[serde(default)]
    pub inward_po: Option<String>,
    /// Units received per SKU and pool.
    pub items: Vec<GrnItem>,
}

/// Units of one SKU received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GrnItem {
    /// The client's SKU code.
    pub sku: String,
    /// Units into `QC_PASS`.
    pub qc_pass_qty: i64,
    /// Units into `QC_FAIL`.
    pub qc_fail_qty: i64,
}

/// A posting's `data`, by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostingData {
    /// `OUTWARD_ORDER_CREATE`.
    OutwardOrderCreate(OutwardOrderData),
    /// `OUTWARD_ORDER_CANCEL`.
    OutwardOrderCancel(OutwardOrderData),
    /// `SHIPMENT_DISPATCH`.
    ShipmentDispatch(ShipmentDispatchData),
    /// `RETURN_ORDER`.
    ReturnOrder(ReturnOrderData),
    /// `GRN`.
    Grn(GrnData),
}

impl PostingData {
    /// The posting type this data is sent as.
    pub fn posting_type(&self) -> PostingType {
        match self {
            PostingData::OutwardOrderCreate(_) => PostingType::OutwardOrderCreate,
            PostingData::OutwardOrderCancel(_) => PostingType::OutwardOrderCancel,
            PostingData::ShipmentDispatch(_) => PostingType::ShipmentDispatch,
            PostingData::ReturnOrder(_) => PostingType::ReturnOrder,
            PostingData::Grn(_) => PostingType::Grn,
        }
    }

    /// Reads the `data` of a posting of type `kind`.
    pub fn from_json(kind: PostingType, data: serde_json::Value) -> Result<PostingData, serde_json::Error> {
        Ok(match kind {
            PostingType::OutwardOrderCreate => PostingData::OutwardOrderCreate(serde_json::from_value(data)?),
            PostingType::OutwardOrderCancel => PostingData::OutwardOrderCancel(serde_json::from_value(data)?),
            PostingType::ShipmentDispatch => PostingData::ShipmentDispatch(serde_json::from_value(data)?),
            PostingType::ReturnOrder => PostingData::ReturnOrder(serde_json::from_value(data)?),
            PostingType::Grn => PostingData::Grn(serde_json::from_value(data)?),
        })
    }

    /// The data as JSON (the value of the envelope's `data`).
    pub fn to_json(&self) -> serde_json::Value {
        let v = match self {
            PostingData::OutwardOrderCreate(d) | PostingData::OutwardOrderCancel(d) => serde_json::to_value(d),
            PostingData::ShipmentDispatch(d) => serde_json::to_value(d),
            PostingData::ReturnOrder(d) => serde_json::to_value(d),
            PostingData::Grn(d) => serde_json::to_value(d),
        };
        v.expect("posting data is plain JSON")
    }
}

impl Serialize for PostingData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PostingData::OutwardOrderCreate(d) | PostingData::OutwardOrderCancel(d) => d.serialize(s),
            PostingData::ShipmentDispatch(d) => d.serialize(s),
            PostingData::ReturnOrder(d) => d.serialize(s),
            PostingData::Grn(d) => d.serialize(s),
        }
    }
}

/// One posting: the JSON body Ordo `POST`s to the ERP's endpoint, signed (see
/// [`super::signing`]) with `webhook-id` = `message_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// The message id: the outbox message's id, the same on every retry, what the ERP dedupes on.
    pub message_id: String,
    /// When Ordo made the posting (its business clock), not when it was sent.
    pub timestamp: Timestamp,
    /// The client's code.
    pub client: String,
    /// What is posted; its variant is the envelope's `type`.
    pub data: PostingData,
}

impl Posting {
    /// The envelope's `type`.
    pub fn posting_type(&self) -> PostingType {
        self.data.posting_type()
    }

    /// The body as sent: compact JSON with the fields in the order `type, message_id, timestamp,
    /// client, data`. Sign these exact bytes.
    pub fn to_body(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a posting is plain JSON")
    }

    /// The OpenAPI schema of the envelope of one posting type (for the document's `webhooks`):
    /// `type` fixed to that word and `data` referring to [`PostingType::data_schema_name`].
    pub fn envelope_schema(kind: PostingType) -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(format!("A `{kind}` posting.")))
            .property("type", ObjectBuilder::new().schema_type(Type::String).enum_values(Some([kind.as_str()])))
            .required("type")
            .property(
                "message_id",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("The message id, equal to `webhook-id`; the same on every retry.")),
            )
            .required("message_id")
            .property("timestamp", Timestamp::schema())
            .required("timestamp")
            .property("client", ObjectBuilder::new().schema_type(Type::String).description(Some("The client's code.")))
            .required("client")
            .property("data", Ref::from_schema_name(kind.data_schema_name()))
            .required("data")
            .into()
    }
}

use utoipa::PartialSchema as _;

impl Serialize for Posting {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Posting", 5)?;
        st.serialize_field("type", &self.posting_type())?;
        st.serialize_field("message_id", &self.message_id)?;
        st.serialize_field("timestamp", &self.timestamp)?;
        st.serialize_field("client", &self.client)?;
        st.serialize_field("data", &self.data)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Posting {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Envelope {
            #[serde(rename = "type")]
            kind: PostingType,
            message_id: String,
            timestamp: Timestamp,
            client: String,
            data: serde_json::Value,
        }
        let e = Envelope::deserialize(d)?;
        let data =
            PostingData::from_json(e.kind, e.data).map_err(|err| D::Error::custom(format!("data of {}: {err}", e.kind)))?;
        Ok(Posting { message_id: e.message_id, timestamp: e.timestamp, client: e.client, data })
    }
}

impl utoipa::PartialSchema for Posting {
    fn schema() -> RefOr<Schema> {
        let mut one_of = OneOfBuilder::new().description(Some("A posting to the ERP; `type` says what `data` holds."));
        for kind in PostingType::ALL {
            one_of = one_of.item(Posting::envelope_schema(*kind));
        }
        one_of.into()
    }
}

impl ToSchema for Posting {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        fn add<T: ToSchema>(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            schemas.push((T::name().into_owned(), T::schema()));
            T::schemas(schemas);
        }
        add::<PostingType>(schemas);
        add::<OutwardOrderData>(schemas);
        add::<ShipmentDispatchData>(schemas);
        add::<ReturnOrderData>(schemas);
        add::<GrnData>(schemas);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order_data() -> OutwardOrderData {
        OutwardOrderData {
            order_id: "ord_1".into(),
            channel: "ajio-1".into(),
            channel_order_id: "PO-77".into(),
            warehouse: "wh1".into(),
            items: vec![
                OutwardOrderItem {
                    sku: "A".into(),
                    channel_sku: Some("AJ-A".into()),
                    ordered_qty: 5,
                    cancelled_qty: 2,
                    unit_price: Some("499.00".into()),
                },
                OutwardOrderItem { sku: "B".into(), channel_sku: None, ordered_qty: 1, cancelled_qty: 0, unit_price: None },
            ],
        }
    }

    #[test]
    fn type_words_are_the_api_words() {
        let words: Vec<_> = PostingType::ALL.iter().map(|t| serde_json::to_value(t).unwrap()).collect();
        assert_eq!(
            words,
            [
                json!("OUTWARD_ORDER_CREATE"),
                json!("OUTWARD_ORDER_CANCEL"),
                json!("SHIPMENT_DISPATCH"),
                json!("RETURN_ORDER"),
                json!("GRN")
            ]
        );
        for t in PostingType::ALL {
            assert_eq!(PostingType::parse(t.as_str()), Ok(*t));
            assert_eq!(serde_json::to_value(t).unwrap(), json!(t.as_str()));
        }
        assert!(PostingType::parse("grn").unwrap_err().contains("OUTWARD_ORDER_CREATE"));
    }

    #[test]
    fn the_envelope_reads_back_as_written_with_the_api_fields() {
        let p = Posting {
            message_id: "msg_1".into(),
            timestamp: Timestamp::parse("2026-03-01T10:00:00Z").unwrap(),
            client: "acme".into(),
            data: PostingData::OutwardOrderCreate(order_data()),
        };
        let body = String::from_utf8(p.to_body()).unwrap();
        assert!(body.starts_with(r#"{"type":"OUTWARD_ORDER_CREATE","message_id":"msg_1","timestamp":"2026-03-01T10:00:00Z","client":"acme","data":{"#), "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v["data"]["items"][0],
            json!({"sku": "A", "channel_sku": "AJ-A", "ordered_qty": 5, "cancelled_qty": 2, "unit_price": "499.00"})
        );
        assert_eq!(v["data"]["items"][1]["channel_sku"], json!(null));
        assert_eq!(serde_json::from_str::<Posting>(&body).unwrap(), p);
        assert_eq!(order_data().items[0].final_qty(), 3);
    }

    #[test]
    fn every_type_reads_its_own_data_and_refuses_another_shape() {
        let cases = [
            (
                PostingType::ShipmentDispatch,
                json!({"order_id": "o", "channel": "c", "channel_order_id": "co", "shipment_id": "s", "awb": "AWB1", "invoice_number": "INV/1", "items": [{"sku": "A", "qty": 2}]}),
            ),
            (
                PostingType::ReturnOrder,
                json!({"return_id": "r", "order_id": "o", "channel": "c", "channel_order_id": "co", "kind": "RTO", "items": [{"sku": "A", "qc_pass": 1, "qc_fail": 1, "missing": 0}], "shipments": []}),
            ),
            (
                PostingType::Grn,
                json!({"warehouse": "wh1", "inward_po": null, "items": [{"sku": "A", "qc_pass_qty": 10, "qc_fail_qty": 1}]}),
            ),
            (PostingType::OutwardOrderCancel, serde_json::to_value(order_data()).unwrap()),
        ];
        for (kind, data) in cases {
            let parsed = PostingData::from_json(kind, data.clone()).unwrap();
            assert_eq!(parsed.posting_type(), kind);
            assert_eq!(parsed.to_json(), data, "{kind} writes back what it read");
        }
        let envelope = json!({"type": "GRN", "message_id": "m", "timestamp": "2026-03-01T10:00:00Z", "client": "acme", "data": {"order_id": "o"}});
        let err = serde_json::from_value::<Posting>(envelope).unwrap_err().to_string();
        assert!(err.contains("data of GRN"), "{err}");
    }

    #[test]
    fn the_schema_describes_each_envelope_and_registers_its_data() {
        let mut schemas = Vec::new();
        <Posting as ToSchema>::schemas(&mut schemas);
        let names: Vec<_> = schemas.iter().map(|(n, _)| n.as_str()).collect();
        for kind in PostingType::ALL {
            assert!(names.contains(&kind.data_schema_name()), "{names:?}");
        }
        let one_of = serde_json::to_value(<Posting as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(one_of["oneOf"].as_array().unwrap().len(), 5);
        assert_eq!(one_of["oneOf"][4]["properties"]["type"]["enum"], json!(["GRN"]));
        assert_eq!(one_of["oneOf"][4]["properties"]["data"]["$ref"], json!("#/components/schemas/GrnData"));
    }
}
