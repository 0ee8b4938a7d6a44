//! The OpenAPI document: generated from the routes, then completed by one pass ([`complete_document`])
//! with what every operation shares, so no route can forget it: problem+json as the media type of
//! every error, the problems any request may meet (401, 403, 400, 413, 422, 500, 503), and the
//! `Idempotency-Key` header of every write.

use crate::error::{Problem, UploadProblem, UploadRefusal};
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Components, ContentBuilder, HeaderBuilder, OpenApi as Document, Ref, RefOr, Required};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(title = "Ordo", description = "Omnichannel order and warehouse management: marketplace orders, allocation, holds, picking, packing, returns and ERP sync."),
    components(schemas(Problem, UploadProblem)),
    tags(
        (name = "service", description = "Health, metrics, documentation and the clock"),
        (name = "access", description = "The client's API keys"),
        (name = "master data", description = "Warehouses, SKUs, channels and SKU mappings"),
        (name = "inventory", description = "Stock, its ledger, and inward POs"),
        (name = "orders", description = "Orders, allocation, holds, failed orders and marketplace events"),
        (name = "channels", description = "Marketplace sync and the outbox of messages to marketplaces"),
        (name = "warehouse", description = "Picklists and picking, packing with invoices and labels, shipments, manifests and handover"),
        (name = "returns", description = "Units of dispatched orders expected back, and their receipt through QC"),
        (name = "erp", description = "The seller's ERP: where signed postings go"),
    )
)]
pub(crate) struct ApiDoc;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The responses every operation of a kind may give, by status: (status, name in
/// `components/responses`, description).
const SHARED: &[(&str, &str, &str)] = &[
    ("400", "Malformed", "The body can't be read: not JSON, or not UTF-8."),
    ("401", "Unauthorized", "No API key, or one that is unknown or revoked."),
    ("403", "Forbidden", "The key's role may not do this."),
    ("413", "PayloadTooLarge", "The body is larger than this endpoint accepts (README.md, API conventions)."),
    ("422", "Invalid", "A field, query parameter or header is not acceptable; `errors` names each."),
    ("500", "Internal", "Something failed on the server's side; nothing was changed."),
    ("503", "Timeout", "The request was not answered in time; it may or may not have taken effect."),
];

/// Fills in what every operation shares; runs once, on the document with every route in it.
pub(crate) fn complete_document(doc: &mut Document) {
    let components = doc.components.get_or_insert_with(Components::default);
    components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    for (status, name, description) in SHARED {
        components.responses.insert(name.to_string(), RefOr::T(problem_response(status, description)));
    }
    for item in doc.paths.paths.values_mut() {
        let methods = [
            (&mut item.get, false),
            (&mut item.put, true),
            (&mut item.post, true),
            (&mut item.patch, true),
            (&mut item.delete, false),
        ];
        for (operation, takes_body) in methods {
            if let Some(op) = operation.as_mut() {
                complete(op, takes_body);
            }
        }
    }
}

fn problem_response(status: &str, description: &str) -> Response {
    let mut r = ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, ContentBuilder::new().schema(Some(Problem::schema_ref())).build());
    match status {
        "401" => r = r.header("WWW-Authenticate", HeaderBuilder::new().schema(string()).description(Some("`Bearer`")).build()),
        "503" => r = r.header("Retry-After", HeaderBuilder::new().schema(string()).description(Some("Seconds to wait")).build()),
        _ => {}
    }
    r.build()
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

trait SchemaRef {
    fn schema_ref() -> RefOr<utoipa::openapi::schema::Schema>;
}

impl<T: ToSchema> SchemaRef for T {
    fn schema_ref() -> RefOr<utoipa::openapi::schema::Schema> {
        RefOr::Ref(Ref::from_schema_name(T::name()))
    }
}

/// Completes one operation: errors as problem+json, the shared responses it can give, and the
/// `Idempotency-Key` header when it is a write.
fn complete(op: &mut Operation, is_write: bool) {
    for response in op.responses.responses.values_mut() {
        if let RefOr::T(r) = response {
            as_problem_json(r);
        }
    }
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_query = op.parameters.iter().flatten().any(|p| p.parameter_in == ParameterIn::Query);
    for (status, name, _) in SHARED {
        let applies = match *status {
            "401" | "403" => secured,
            "400" | "413" => is_write,
            "422" => is_write || has_query,
            _ => true,
        };
        if applies {
            op.responses.responses.entry(status.to_string()).or_insert_with(|| RefOr::Ref(Ref::from_response_name(*name)));
        }
    }
    if is_write && secured {
        op.parameters.get_or_insert_with(Vec::new).push(idempotency_key());
    }
}

/// A response whose JSON body is a problem is served as problem+json: say so.
fn as_problem_json(r: &mut Response) {
    let problem_refs =
        [Problem::name(), UploadProblem::name(), UploadRefusal::name()].map(|n| Ref::from_schema_name(n).ref_location);
    let is_problem = r.content.get("application/json").and_then(|c| c.schema.as_ref()).is_some_and(|s| match s {
        RefOr::Ref(reference) => problem_refs.contains(&reference.ref_location),
        RefOr::T(_) => false,
    });
    if is_problem && let Some(content) = r.content.shift_remove("application/json") {
        r.content.insert(PROBLEM_JSON.into(), content);
    }
}

/// The `Idempotency-Key` header: what `extract::Call` accepts, exactly.
fn idempotency_key() -> Parameter {
    let schema = string()
        .min_length(Some(1))
        .max_length(Some(crate::extract::IDEMPOTENCY_KEY_MAX))
        .pattern(Some(crate::extract::IDEMPOTENCY_KEY_PATTERN));
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Any string of printable ASCII you choose for this request. Sent again with the same method, \
             path and body, the first answer is given again and nothing is done twice; with another \
             request it is refused (422). Kept for 24 hours.",
        ))
        .schema(Some(schema))
        .build()
}

/// The document as served: utoipa's, and the postings Ordo sends a seller's ERP as OpenAPI 3.1
/// `webhooks`, described from the very types the delivery serializes (`ordo_channels::erp`).
pub(crate) fn document_json(doc: &Document) -> serde_json::Value {
    use ordo_channels::erp::{GrnData, OutwardOrderData, Posting, PostingType, ReturnOrderData, ShipmentDispatchData};
    use serde_json::json;
    use utoipa::PartialSchema;
    let mut out = serde_json::to_value(doc).expect("the OpenAPI document serializes");
    let mut schemas: Vec<(String, RefOr<utoipa::openapi::schema::Schema>)> = Vec::new();
    fn add<T: ToSchema>(schemas: &mut Vec<(String, RefOr<utoipa::openapi::schema::Schema>)>) {
        schemas.push((T::name().into_owned(), <T as PartialSchema>::schema()));
        T::schemas(schemas);
    }
    add::<OutwardOrderData>(&mut schemas);
    add::<ShipmentDispatchData>(&mut schemas);
    add::<ReturnOrderData>(&mut schemas);
    add::<GrnData>(&mut schemas);
    for (name, schema) in schemas {
        out["components"]["schemas"][name] = serde_json::to_value(schema).expect("a schema serializes");
    }
    let header = |name: &str, description: &str| json!({"name": name, "in": "header", "required": true, "description": description, "schema": {"type": "string"}});
    let mut webhooks = serde_json::Map::new();
    for kind in PostingType::ALL {
        let when = match kind {
            PostingType::OutwardOrderCreate => {
                "A B2B order posted with its final quantities (Ajio with an ERP); answer with the invoice through `POST /api/v1/orders/{id}/invoice`."
            }
            PostingType::OutwardOrderCancel => {
                "The complete cancellation of a posted order (never a partial one): every `cancelled_qty` equals `ordered_qty`."
            }
            PostingType::ShipmentDispatch => "A shipment handed over to the carrier.",
            PostingType::ReturnOrder => {
                "A return received through QC (`shipments: []`); answer with the credit note through `POST /api/v1/returns/{id}/credit-note`."
            }
            PostingType::Grn => "Goods received, with the units that passed and failed QC.",
        };
        let schema = serde_json::to_value(Posting::envelope_schema(*kind)).expect("a schema serializes");
        webhooks.insert(kind.as_str().into(), json!({"post": {
            "summary": format!("{kind} posting"),
            "description": format!("{when} Sent as a `POST` to the client's ERP endpoint (`PUT /api/v1/erp`), signed the Standard Webhooks way. Any 2xx is delivery; anything else is retried with backoff, then dead-lettered; 410 disables the endpoint. The ERP must dedupe on `webhook-id`."),
            "operationId": format!("posting_{}", kind.as_str().to_ascii_lowercase()),
            "parameters": [
                header("webhook-id", "The message id, equal to the body's `message_id`; the same on every retry."),
                header("webhook-timestamp", "Unix seconds of this attempt (real time)."),
                header("webhook-signature", "`v1,` + base64 of HMAC-SHA256, keyed with the secret's bytes, over `{webhook-id}.{webhook-timestamp}.{body}`."),
            ],
            "requestBody": {"required": true, "content": {"application/json": {"schema": schema}}},
            "responses": {
                "2XX": {"description": "Delivered."},
                "410": {"description": "Gone: Ordo disables the endpoint until it is enabled again."},
                "default": {"description": "Not delivered: retried with backoff (`Retry-After` is honoured), then dead-lettered."},
            },
        }}));
    }
    out["webhooks"] = serde_json::Value::Object(webhooks);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn document() -> Value {
        super::document_json(&crate::api().1)
    }

    /// Every `$ref` in `value`.
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn the_document_is_as_its_snapshot_says() {
        // The contract in review: any change to a path, a schema or a constraint shows up here.
        // Keys are sorted, so the snapshot doesn't depend on whether serde_json keeps insertion order.
        insta::with_settings!({ sort_maps => true }, { insta::assert_json_snapshot!("openapi", document()) });
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 100, "the document refers to its schemas");
        for r in found {
            let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{r} is not local"));
            assert!(doc.pointer(pointer).is_some(), "{r} is dangling");
        }
    }

    #[test]
    fn errors_are_problem_json_and_writes_take_an_idempotency_key() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for (status, response) in op["responses"].as_object().unwrap() {
                    let content = response.get("content").and_then(Value::as_object);
                    // The health check's 503 is its own body, saying which part is down.
                    let health = path == "/health" && status == "503";
                    if (status.starts_with('4') || status.starts_with('5')) && !health {
                        let problem =
                            response.get("$ref").is_some() || content.is_some_and(|c| c.contains_key(super::PROBLEM_JSON));
                        assert!(problem, "{method} {path} {status} is not problem+json");
                    }
                }
                let header = op["parameters"].as_array().into_iter().flatten().any(|p| p["name"] == "Idempotency-Key");
                let secured_write = ["post", "put", "patch"].contains(&method.as_str()) && op.get("security").is_some();
                assert_eq!(header, secured_write, "{method} {path}: Idempotency-Key documented on every secured write only");
            }
        }
        let words = &doc["components"]["schemas"]["OrderStatus"]["enum"];
        assert_eq!(words[3], "ONHOLD", "the words the API speaks, not the Rust names");
        assert!(doc["components"]["schemas"]["Page_Order"]["properties"]["items"].is_object());
    }
}
