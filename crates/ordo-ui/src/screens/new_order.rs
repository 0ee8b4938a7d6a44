//! `/orders/new`: B2B order entry. The form becomes the same JSON body `POST /api/v1/orders`
//! takes (kind B2B) and goes through the same parsing and the same ingest call, so every rule and
//! every field error is the API's. Bad input shows the form again as typed, with the errors, and
//! creates nothing; a new order opens its page.

use super::orders::channel_codes;
use crate::UiState;
use crate::page::{Layout, Screen, describe, done, segment};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use ordo_app::ordo_store::{IngestOutcome, OrderQuery, PageRequest};
use ordo_domain::kinds::{FulfillmentType, Permission, Pool};
use ordo_domain::{DomainError, FieldError};
use serde_json::{Map, Value, json};

/// Empty line rows the form offers beyond those typed.
const BLANK_ROWS: usize = 5;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router.route("/orders/new", get(new_order_form).post(create_order))
}

/// One line row of the form, as typed.
#[derive(Default, Clone)]
pub struct LineInput {
    pub sku: String,
    pub qty: String,
    pub unit_price: String,
}

/// The form as typed.
#[derive(Default)]
pub struct OrderForm {
    pub channel: String,
    pub channel_order_id: String,
    pub parent_order_id: String,
    pub warehouse: String,
    pub fulfillment_type: String,
    pub pool: String,
    pub buyer_legal_name: String,
    pub buyer_gstin: String,
    pub buyer_address: String,
    pub rows: Vec<LineInput>,
    /// Lines pasted as `sku,qty[,unit_price]`, one a line.
    pub lines_text: String,
}

impl OrderForm {
    fn read(pairs: Vec<(String, String)>) -> OrderForm {
        let mut f = OrderForm::default();
        // Row fields come in order: a `sku` starts a row, `qty` and `unit_price` fill its last one.
        for (k, v) in pairs {
            match k.as_str() {
                "channel" => f.channel = v,
                "channel_order_id" => f.channel_order_id = v,
                "parent_order_id" => f.parent_order_id = v,
                "warehouse" => f.warehouse = v,
                "fulfillment_type" => f.fulfillment_type = v,
                "pool" => f.pool = v,
                "buyer_legal_name" => f.buyer_legal_name = v,
                "buyer_gstin" => f.buyer_gstin = v,
                "buyer_address" => f.buyer_address = v,
                "lines" => f.lines_text = v,
                "sku" => f.rows.push(LineInput { sku: v, ..LineInput::default() }),
                "qty" | "unit_price" => {
                    if f.rows.is_empty() {
                        f.rows.push(LineInput::default());
                    }
                    let row = f.rows.last_mut().expect("a row");
                    if k == "qty" { row.qty = v } else { row.unit_price = v }
                }
                _ => {}
            }
        }
        f
    }

    /// The lines the rows and the pasted text give, in that order, skipping empty ones; a pasted
    /// line with too many or too few fields is an error naming it.
    fn lines(&self, errors: &mut Vec<FieldError>) -> Vec<LineInput> {
        let mut out: Vec<LineInput> =
            self.rows.iter().filter(|r| !(r.sku.trim().is_empty() && r.qty.trim().is_empty())).cloned().collect();
        for (n, line) in self.lines_text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let parts: Vec<&str> = line.split(',').map(str::trim).collect();
            match parts.as_slice() {
                [sku, qty] => out.push(LineInput { sku: sku.to_string(), qty: qty.to_string(), unit_price: String::new() }),
                [sku, qty, price] => {
                    out.push(LineInput { sku: sku.to_string(), qty: qty.to_string(), unit_price: price.to_string() })
                }
                _ => {
                    errors.push(FieldError::new(format!("lines (pasted line {})", n + 1), "write sku,qty or sku,qty,unit_price"))
                }
            }
        }
        out
    }

    /// The order as `POST /api/v1/orders` takes it. A quantity that is not a whole number is
    /// refused here, naming its line, since the API's body would carry it as a number.
    fn body(&self) -> Result<Value, DomainError> {
        let mut errors = Vec::new();
        let lines: Vec<Value> = self
            .lines(&mut errors)
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut line = Map::new();
                line.insert("sku".into(), json!(l.sku.trim()));
                match l.qty.trim().parse::<i64>() {
                    Ok(q) => line.insert("qty".into(), json!(q)),
                    Err(_) => {
                        errors.push(FieldError::new(format!("lines[{i}].qty"), "must be a positive whole number"));
                        None
                    }
                };
                if !l.unit_price.trim().is_empty() {
                    line.insert("unit_price".into(), json!(l.unit_price.trim()));
                }
                Value::Object(line)
            })
            .collect();
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        let mut body = Map::new();
        body.insert("kind".into(), json!("B2B"));
        body.insert("channel".into(), json!(self.channel.trim()));
        body.insert("channel_order_id".into(), json!(self.channel_order_id.trim()));
        let optional = [
            ("parent_order_id", &self.parent_order_id),
            ("warehouse", &self.warehouse),
            ("fulfillment_type", &self.fulfillment_type),
            ("pool", &self.pool),
        ];
        for (k, v) in optional.into_iter().filter(|(_, v)| !v.trim().is_empty()) {
            body.insert(k.into(), json!(v.trim()));
        }
        if [&self.buyer_legal_name, &self.buyer_gstin, &self.buyer_address].iter().any(|v| !v.trim().is_empty()) {
            let mut buyer = Map::new();
            buyer.insert("legal_name".into(), json!(self.buyer_legal_name.trim()));
            if !self.buyer_gstin.trim().is_empty() {
                buyer.insert("gstin".into(), json!(self.buyer_gstin.trim()));
            }
            if !self.buyer_address.trim().is_empty() {
                buyer.insert("address".into(), json!(self.buyer_address.trim()));
            }
            body.insert("buyer".into(), Value::Object(buyer));
        }
        body.insert("lines".into(), Value::Array(lines));
        Ok(Value::Object(body))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "new_order.html")]
struct NewOrderPage {
    layout: Layout,
    form: OrderForm,
    rows: Vec<LineInput>,
    channels: Vec<String>,
    warehouses: Vec<String>,
    fulfillment_types: Vec<&'static str>,
    pools: Vec<&'static str>,
    errors: Vec<FieldError>,
}

async fn render(screen: &Screen, state: &UiState, form: OrderForm, errors: Vec<FieldError>) -> Response {
    let page = PageRequest::parse(Some(PageRequest::MAX_LIMIT), None).expect("the largest page is a page");
    let warehouses = match state.app.list_warehouses(screen.caller(), page).await {
        Ok(p) => p.items.into_iter().map(|w| w.code).collect(),
        Err(e) => return screen.error(e),
    };
    let mut rows = form.rows.clone();
    rows.retain(|r| !(r.sku.is_empty() && r.qty.is_empty() && r.unit_price.is_empty()));
    rows.extend(std::iter::repeat_n(LineInput::default(), BLANK_ROWS));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut layout = screen.layout("New B2B order");
    if !errors.is_empty() {
        layout.error = Some(format!("Nothing was created. {}", describe(&DomainError::Validation(errors.clone()))));
    }
    let page = NewOrderPage {
        layout,
        form,
        rows,
        channels: channel_codes(state, screen).await,
        warehouses,
        fulfillment_types: FulfillmentType::ALL.iter().map(|f| f.as_str()).collect(),
        pools: Pool::ALL.iter().map(|p| p.as_str()).collect(),
        errors,
    };
    (status, page).into_response()
}

async fn new_order_form(screen: Screen, State(state): State<UiState>) -> Response {
    // The form is only for roles that may create orders (the post is checked again by the app).
    if !screen.can(Permission::ManageOrders) {
        let role = screen.caller().principal.role;
        return screen.error(DomainError::Forbidden(format!("a user with role '{role}' may not enter orders")));
    }
    render(&screen, &state, OrderForm::default(), Vec::new()).await
}

async fn create_order(screen: Screen, State(state): State<UiState>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let form = OrderForm::read(pairs);
    let (app, caller) = (&state.app, screen.caller());
    let order = match form.body().and_then(ordo_app::parse_order) {
        Ok(order) => order,
        Err(DomainError::Validation(errors)) => return render(&screen, &state, form, errors).await,
        Err(e) => return screen.error(e),
    };
    // Entering an id that exists would update that order (a marketplace re-sending it): here it
    // is a mistake, so it is refused.
    let same = OrderQuery {
        q: Some(form.channel_order_id.trim().to_string()),
        channel: Some(form.channel.trim().to_string()),
        ..Default::default()
    };
    match app.search_orders(caller, &same, PageRequest::default()).await {
        Ok(found) => {
            if let Some(o) = found.items.iter().find(|o| o.channel_order_id == form.channel_order_id.trim()) {
                let e = FieldError::new("channel_order_id", format!("order {} on {} has this id already", o.id, o.channel));
                return render(&screen, &state, form, vec![e]).await;
            }
        }
        Err(e) => return screen.error(e),
    }
    match app.ingest_orders(caller, vec![Ok(order)]).await {
        Ok(mut outcomes) => match outcomes.pop() {
            Some(IngestOutcome::Created(o) | IngestOutcome::Existing(o) | IngestOutcome::Updated(o)) => done(
                &format!("/orders/{}", segment(&o.id)),
                format!("Created B2B order {}: it is {}.", o.channel_order_id, o.status),
            ),
            Some(IngestOutcome::Failed(f)) => {
                done("/failed-orders", format!("Order {} is in failed orders: {}", f.channel_order_id, f.reason))
            }
            Some(IngestOutcome::Invalid(errors)) => render(&screen, &state, form, errors).await,
            None => screen.error(DomainError::Internal("an ingest gave no outcome".into())),
        },
        Err(DomainError::Validation(errors)) => render(&screen, &state, form, errors).await,
        Err(e) => screen.error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn rows_and_pasted_lines_make_the_api_body() {
        let form = OrderForm::read(pairs(&[
            ("channel", "b2b"),
            ("channel_order_id", " PO-1 "),
            ("sku", "A"),
            ("qty", "2"),
            ("unit_price", "10.50"),
            ("sku", ""),
            ("qty", ""),
            ("unit_price", ""),
            ("lines", "B,3\n\n"),
        ]));
        let body = form.body().unwrap();
        assert_eq!(body["kind"], "B2B");
        assert_eq!(body["channel_order_id"], "PO-1");
        assert_eq!(body["lines"], json!([{"sku": "A", "qty": 2, "unit_price": "10.50"}, {"sku": "B", "qty": 3}]));
        assert!(body.get("buyer").is_none());
    }

    #[test]
    fn a_quantity_that_is_not_a_number_names_its_line() {
        let form = OrderForm::read(pairs(&[("channel", "b2b"), ("channel_order_id", "PO-1"), ("lines", "A,two\nB")]));
        let text = describe(&form.body().unwrap_err());
        assert!(text.contains("lines[0].qty") && text.contains("pasted line 2"), "{text}");
    }
}
