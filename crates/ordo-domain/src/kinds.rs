//! The closed sets of words the API speaks: roles, pools, unit statuses, channel types and so on.
//! Each is stored and sent as exactly the word API.md uses.

/// Declares an enum whose variants are written as fixed words, with `as_str`, `parse`, serde and
/// its OpenAPI schema. The schema is built from the same word list as serde's names, so the
/// document can never offer a word the server refuses.
macro_rules! word_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[doc = $vdoc])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word for this value, as stored and sent.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// Reads the word; the error lists the accepted words.
            pub fn parse(value: &str) -> Result<Self, String> {
                match value.trim() {
                    $($word => Ok($name::$variant),)+
                    other => Err(format!(
                        "'{}' is not one of {}",
                        other,
                        [$($word),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                word_schema(&[$($doc),*], &[$(($word, &[$($vdoc),*])),+])
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

/// The schema of a closed word set: a string that is one of `words`, described by the type's
/// doc comment and, for each word that has one, its own.
fn word_schema(doc: &[&str], words: &[(&str, &[&str])]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let joined = |lines: &[&str]| lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
    let mut description = joined(doc);
    for (word, vdoc) in words.iter().filter(|(_, d)| !d.is_empty()) {
        description.push_str(&format!("\n- `{word}`: {}", joined(vdoc)));
    }
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(words.iter().map(|(w, _)| *w)))
        .description(Some(description))
        .into()
}

word_enum! {
    /// What an API key may do. Every key has exactly one.
    Role {
        /// Everything within its client, including channels, warehouses and keys.
        Admin = "admin",
        /// Order operations at screens: search, retry, cancel, complete, mappings.
        Operator = "operator",
        /// Warehouse stations: GRN, moves, recycle, adjust, picking and packing.
        Warehouse = "warehouse",
        /// Systems: ERP and marketplace connectors pushing masters, POs and orders.
        Integration = "integration",
    }
}

word_enum! {
    /// A partition of stock by quality.
    Pool {
        /// Good stock.
        QcPass = "QC_PASS",
        /// Stock that failed quality checks.
        QcFail = "QC_FAIL",
    }
}

word_enum! {
    /// Whether units may be allocated.
    UnitStatus {
        /// Allocatable.
        Live = "LIVE",
        /// Set aside: in the warehouse but never allocated until made LIVE again.
        Recycle = "RECYCLE",
    }
}

word_enum! {
    /// The kind of marketplace account a channel is.
    ChannelType {
        AmazonSp = "AMAZON_SP",
        AmazonEdi = "AMAZON_EDI",
        AmazonFlex = "AMAZON_FLEX",
        FlipkartV2 = "FLIPKART_V2",
        FlipkartV3 = "FLIPKART_V3",
        Paytm = "PAYTM",
        AjioVms = "AJIO_VMS",
        Shopify = "SHOPIFY",
        Internal = "INTERNAL",
    }
}

impl ChannelType {
    /// Whether Ordo pushes a cancellation made by the seller to this marketplace. Only Amazon EDI
    /// accepts them; every other marketplace must be told on its seller portal.
    pub fn accepts_seller_cancellation(self) -> bool {
        matches!(self, ChannelType::AmazonEdi)
    }

    /// Whether the marketplace takes the QC results of its returns (SPEC §12.2): Ajio and Paytm settle
    /// QC-failed and missing units with the seller from them. Flipkart, Amazon and Shopify take claims
    /// on their portals instead.
    pub fn takes_return_qc(self) -> bool {
        matches!(self, ChannelType::AjioVms | ChannelType::Paytm)
    }

    /// Whether the seller's credit note of a return is relayed to the marketplace (Ajio: SPEC §6).
    pub fn relays_credit_notes(self) -> bool {
        matches!(self, ChannelType::AjioVms)
    }

    /// Whether Ordo can ask the marketplace for the RTO expectation of a parcel that came back without
    /// one (Ajio's RTO generation, SPEC §12.1).
    pub fn generates_rto(self) -> bool {
        matches!(self, ChannelType::AjioVms)
    }
}

word_enum! {
    /// The health of a channel's sync.
    ChannelStatus {
        Active = "ACTIVE",
        /// The marketplace refused the credentials; sync stops until they are updated.
        AuthFailed = "AUTH_FAILED",
        /// The last sync failed for another reason; sync goes on with backoff.
        Error = "ERROR",
        /// Switched off by the user.
        Disabled = "DISABLED",
    }
}

word_enum! {
    /// Why a ledger entry was written.
    LedgerKind {
        Grn = "GRN",
        Move = "MOVE",
        Recycle = "RECYCLE",
        Live = "LIVE",
        Allocate = "ALLOCATE",
        Deallocate = "DEALLOCATE",
        Pick = "PICK",
        /// Units the picker could not pick: lost (not found) or moved to QC_FAIL (damaged).
        ShortPick = "SHORT_PICK",
        Dispatch = "DISPATCH",
        Return = "RETURN",
        Adjust = "ADJUST",
    }
}

word_enum! {
    /// Whether an inward PO still expects stock.
    InwardPoStatus {
        Open = "OPEN",
        Closed = "CLOSED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_through_parse_and_serde() {
        for t in ChannelType::ALL {
            assert_eq!(ChannelType::parse(t.as_str()), Ok(*t));
            let json = serde_json::to_string(t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert!(Pool::parse("QC_GOOD").unwrap_err().contains("QC_PASS, QC_FAIL"));
    }

    #[test]
    fn the_openapi_schema_offers_exactly_the_words_serde_speaks() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(OrderStatus::schema()).unwrap();
        let words: Vec<String> =
            OrderStatus::ALL.iter().map(|s| serde_json::to_value(s).unwrap().as_str().unwrap().into()).collect();
        assert_eq!(schema["enum"], serde_json::json!(words));
        assert_eq!(schema["type"], "string");
        let description = schema["description"].as_str().unwrap();
        assert!(description.starts_with("Where an order is in its life."), "{description}");
        assert!(description.contains("- `ONHOLD`: Allocated, but held back from picking"), "{description}");
        assert_eq!(serde_json::to_value(ChannelType::schema()).unwrap()["enum"][0], "AMAZON_SP");
    }

    #[test]
    fn each_role_may_do_its_job_and_no_more() {
        assert!(Role::Integration.can(Permission::ManageOrders), "ERPs and connectors send orders");
        assert!(!Role::Integration.can(Permission::OperateOrders));
        assert!(Role::Operator.can(Permission::OperateOrders));
        assert!(!Role::Operator.can(Permission::ChangeStock));
        assert!(Role::Warehouse.can(Permission::Pick) && !Role::Warehouse.can(Permission::ManageOrders));
        assert!(!Role::Warehouse.can(Permission::ManageSetup));
        assert!(Permission::ALL_FOR_ADMIN.iter().all(|p| Role::Admin.can(*p)));
    }

    #[test]
    fn only_amazon_edi_accepts_seller_cancellations() {
        let pushing: Vec<_> = ChannelType::ALL.iter().filter(|t| t.accepts_seller_cancellation()).collect();
        assert_eq!(pushing, vec![&ChannelType::AmazonEdi]);
    }
}

/// Something a caller may or may not be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read anything of the client.
    Read,
    /// Create and change warehouses, channels and their credentials.
    ManageSetup,
    /// Create and change SKUs and SKU mappings.
    ManageCatalog,
    /// Create inward POs.
    ManageInwardPos,
    /// GRN, move, LIVE/RECYCLE, adjust.
    ChangeStock,
    /// Move the manual clock.
    ControlClock,
    /// Send orders and marketplace events in; retry failed orders.
    ManageOrders,
    /// Retry, cancel and complete orders.
    OperateOrders,
    /// Release picklists and work them.
    Pick,
    /// Create, list and revoke the client's API keys.
    ManageKeys,
}

impl Permission {
    /// Every permission (an admin has them all).
    pub const ALL_FOR_ADMIN: &'static [Permission] = &[
        Permission::Read,
        Permission::ManageSetup,
        Permission::ManageCatalog,
        Permission::ManageInwardPos,
        Permission::ChangeStock,
        Permission::ControlClock,
        Permission::ManageOrders,
        Permission::OperateOrders,
        Permission::Pick,
        Permission::ManageKeys,
    ];
}

impl Role {
    /// Whether a key of this role may do `permission`.
    pub fn can(self, permission: Permission) -> bool {
        use Permission as P;
        match self {
            Role::Admin => true,
            Role::Operator => matches!(
                permission,
                P::Read | P::ManageCatalog | P::ManageInwardPos | P::ManageOrders | P::OperateOrders | P::Pick
            ),
            Role::Warehouse => matches!(permission, P::Read | P::ChangeStock | P::Pick),
            Role::Integration => matches!(permission, P::Read | P::ManageCatalog | P::ManageInwardPos | P::ManageOrders),
        }
    }
}

word_enum! {
    /// Where an order is in its life. An order's status summarises its lines.
    OrderStatus {
        /// A B2B order not yet allocated: allocation is a manual trigger (Retry).
        Created = "CREATED",
        /// Stock is allocated; the order can be released to picking.
        Fulfillable = "FULFILLABLE",
        /// Nothing could be allocated yet; retried whenever stock arrives.
        Unfulfillable = "UNFULFILLABLE",
        /// Allocated, but held back from picking (dispatch-after, return pickup, marketplace hold).
        OnHold = "ONHOLD",
        /// Released to a picklist.
        Processing = "PROCESSING",
        Picked = "PICKED",
        Packed = "PACKED",
        Dispatched = "DISPATCHED",
        /// Short-closed at what was served.
        Completed = "COMPLETED",
        Cancelled = "CANCELLED",
        /// Every dispatched unit came back through returns.
        Returned = "RETURNED",
    }
}

word_enum! {
    /// Where an order comes from and how it is served.
    OrderKind {
        /// A marketplace's consumer order: allocated as soon as it is created.
        B2c = "B2C",
        /// A bulk outward order: allocated when the user retries it.
        B2b = "B2B",
    }
}

word_enum! {
    /// Whether an order may be served in part.
    FulfillmentType {
        /// Whatever is there is allocated; the rest waits.
        Partial = "PARTIAL",
        /// Nothing is allocated until the whole order can be.
        BlockComplete = "BLOCK_COMPLETE",
    }
}

word_enum! {
    /// Why an allocated order is held back from picking.
    HoldReason {
        /// The marketplace forbids packing before the order's dispatch-after time.
        DispatchAfter = "DISPATCH_AFTER",
        /// A replacement order waits for the return pickup of its forward order.
        AwaitingReturnPickup = "AWAITING_RETURN_PICKUP",
        /// The marketplace put the order on hold.
        MarketplaceHold = "MARKETPLACE_HOLD",
    }
}

word_enum! {
    /// Status updates a marketplace pushes about one of its orders.
    ChannelEventType {
        /// The return of this (forward) order was picked up from the customer.
        ReturnPickupDone = "RETURN_PICKUP_DONE",
        OrderCancelled = "ORDER_CANCELLED",
        Hold = "HOLD",
        Unhold = "UNHOLD",
    }
}

word_enum! {
    /// Where a picklist is: nothing picked yet, being picked, or every line picked or short.
    PicklistStatus {
        Open = "OPEN",
        Picking = "PICKING",
        Done = "DONE",
    }
}

word_enum! {
    /// Why units the system holds could not be picked.
    ShortReason {
        /// Not where the system says: a loss.
        NotFound = "NOT_FOUND",
        /// Found damaged: they move to the QC_FAIL pool.
        Damaged = "DAMAGED",
    }
}

word_enum! {
    /// Why units of a dispatched order come back.
    ReturnKind {
        /// The customer sent them back.
        CustomerReturn = "CUSTOMER_RETURN",
        /// Return to origin: the parcel was never delivered.
        Rto = "RTO",
    }
}

word_enum! {
    /// Where a return is.
    ReturnStatus {
        /// Announced, not received yet.
        Expected = "EXPECTED",
        /// Received and through QC.
        Received = "RECEIVED",
        /// Its credit note is recorded.
        Closed = "CLOSED",
        Cancelled = "CANCELLED",
    }
}

word_enum! {
    /// Why returned units are settled with the marketplace offline.
    SettlementReason {
        /// Received, and failed QC.
        QcFail = "QC_FAIL",
        /// Expected, and not in the parcel.
        Missing = "MISSING",
    }
}

word_enum! {
    /// Where a shipment (one packed parcel of one order) is.
    ShipmentStatus {
        /// Packed, on no manifest yet.
        Packed = "PACKED",
        /// On an open manifest, waiting for the handover.
        Manifested = "MANIFESTED",
        /// Handed over to the carrier.
        Dispatched = "DISPATCHED",
        /// Its order was cancelled before the handover: its units went back to stock.
        Cancelled = "CANCELLED",
    }
}

word_enum! {
    /// Where a manifest is.
    ManifestStatus {
        /// Shipments may be added and taken off.
        Open = "OPEN",
        /// Its shipments left with the carrier.
        HandedOver = "HANDED_OVER",
    }
}

word_enum! {
    /// How the customer pays for a shipment.
    PaymentMode {
        /// Paid before shipping.
        Prepaid = "PREPAID",
        /// Cash on delivery: the carrier collects the amount.
        Cod = "COD",
    }
}

word_enum! {
    /// What a shipment's document is.
    DocumentKind {
        Invoice = "invoice",
        Label = "label",
        EInvoice = "e_invoice",
        Manifest = "manifest",
    }
}
