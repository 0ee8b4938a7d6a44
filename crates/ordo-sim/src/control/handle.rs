//! What [`SimulatorHandle`] can do: the operations of the `/_sim` control API, called from Rust.
//! Tests and the demo drive simulators through these; the HTTP routes in `routes.rs` are thin
//! wrappers over them, so both ways of driving a simulator behave alike.

use super::{Market, SimError, SimReturn, SimulatorHandle, merge_patch};
use crate::core::{ReceivedCall, SimCore};
use crate::faults::Faults;
use crate::{SimStats, ajio, amazon_edi, amazon_sp, flipkart, paytm, shopify};
use ordo_channels::MarketplaceOrder;
use ordo_channels::amazon_edi::x12::Separators;
use ordo_domain::Timestamp;
use ordo_domain::kinds::ChannelType;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

impl SimulatorHandle {
    /// The handle of a simulator of `channel_type` made of `core` and `market`.
    pub(crate) fn new(channel_type: ChannelType, core: Arc<SimCore>, market: Market) -> Self {
        SimulatorHandle { channel_type, core, market }
    }

    /// The channel type this simulator plays.
    pub fn channel_type(&self) -> ChannelType {
        self.channel_type
    }

    /// The simulator's time.
    pub fn now(&self) -> Timestamp {
        self.core.now()
    }

    /// The credentials the simulator accepts, in the shape [`Connector::from_settings`] reads.
    pub fn credentials(&self) -> Value {
        match self.channel_type {
            ChannelType::AmazonSp | ChannelType::AmazonFlex => amazon_sp::credentials(),
            ChannelType::Shopify => json!({"access_token": shopify::ACCESS_TOKEN}),
            ChannelType::FlipkartV2 | ChannelType::FlipkartV3 => flipkart::credentials(),
            ChannelType::AmazonEdi => json!({"api_key": amazon_edi::API_KEY}),
            ChannelType::Paytm => json!({"api_key": paytm::API_KEY}),
            ChannelType::AjioVms => json!({"api_key": ajio::API_KEY}),
            ChannelType::Internal => json!({}),
        }
    }

    /// The channel settings that point a connector at this simulator served at `base_url`.
    pub fn settings(&self, base_url: &str) -> Value {
        let base = base_url.trim_end_matches('/');
        let mut s = json!({"endpoint": base, "auth_endpoint": base});
        match self.channel_type {
            ChannelType::AmazonSp | ChannelType::AmazonFlex => s["marketplace_ids"] = json!([amazon_sp::MARKETPLACE_ID]),
            ChannelType::Shopify => s["api_version"] = json!(ordo_channels::shopify::API_VERSION),
            _ => {}
        }
        s
    }

    /// Adds (or replaces) an order given in the marketplace's own JSON; returns the stored wire order.
    pub fn add_order(&self, wire: Value) -> Result<Value, SimError> {
        self.market.ops().add_wire(wire, self.core.now())
    }

    /// Adds (or replaces) an order given in the neutral model; returns the stored wire order.
    pub fn add_model_order(&self, order: &MarketplaceOrder) -> Result<Value, SimError> {
        self.market.ops().add_model(order, self.core.now())
    }

    /// The stored wire order.
    pub fn order(&self, id: &str) -> Option<Value> {
        self.market.ops().get(id)
    }

    /// Every stored wire order.
    pub fn orders(&self) -> Vec<Value> {
        self.market.ops().list()
    }

    /// Changes an order with a JSON merge patch (RFC 7396) on its wire JSON; it counts as updated now.
    pub fn patch_order(&self, id: &str, patch: &Value) -> Result<Value, SimError> {
        let mut current = self.market.ops().get(id).ok_or_else(|| SimError::NotFound(id.to_string()))?;
        merge_patch(&mut current, patch);
        self.market.ops().replace(id, current, self.core.now())
    }

    /// Cancels the whole order on the marketplace.
    pub fn cancel_order(&self, id: &str) -> Result<Value, SimError> {
        self.market.ops().cancel(id, None, None, self.core.now())
    }

    /// Cancels some lines (by channel line id), with the marketplace's reason.
    pub fn cancel_lines(&self, id: &str, lines: &[String], reason: Option<&str>) -> Result<Value, SimError> {
        self.market.ops().cancel(id, Some(lines), reason, self.core.now())
    }

    /// Places the marketplace's hold on an order (Flipkart, Paytm).
    pub fn hold(&self, id: &str) -> Result<Value, SimError> {
        self.market.ops().set_hold(id, true, self.core.now())
    }

    /// Lifts the marketplace's hold.
    pub fn unhold(&self, id: &str) -> Result<Value, SimError> {
        self.market.ops().set_hold(id, false, self.core.now())
    }

    /// Opens a return of a shipped order (see [`SimReturn`]).
    pub fn add_return(&self, ret: &SimReturn) -> Result<Value, SimError> {
        self.market.ops().add_return(ret, self.core.now())
    }

    /// Withdraws a return.
    pub fn cancel_return(&self, id: &str) -> Result<Value, SimError> {
        self.market.ops().cancel_return(id, self.core.now())
    }

    /// Every return, with the QC results and credit notes the seller reported.
    pub fn returns(&self) -> Vec<Value> {
        self.market.ops().returns()
    }

    /// Reports the return of a forward order as picked up (Paytm).
    pub fn report_return_pickup(&self, forward_order_id: &str) -> Result<Value, SimError> {
        self.market.ops().return_pickup(forward_order_id, self.core.now())
    }

    /// The faults in force (counts go down as requests consume them).
    pub fn faults(&self) -> Faults {
        self.core.lock().faults.clone()
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: Faults) {
        self.core.set_faults(faults);
    }

    /// Clears every fault.
    pub fn clear_faults(&self) {
        self.core.set_faults(Faults::default());
    }

    /// The next `count` requests answer 429 with `Retry-After: retry_after_seconds`.
    pub fn inject_rate_limit(&self, count: u32, retry_after_seconds: u64) {
        let mut s = self.core.lock();
        s.faults.rate_limited = count;
        s.faults.retry_after_seconds = retry_after_seconds;
    }

    /// The next `count` requests answer 5xx.
    pub fn inject_server_errors(&self, count: u32) {
        self.core.lock().faults.server_errors = count;
    }

    /// The next `count` successful API answers are cut off mid-body.
    pub fn inject_truncation(&self, count: u32) {
        self.core.lock().faults.truncated = count;
    }

    /// Delays every answer.
    pub fn set_latency(&self, latency: Duration) {
        self.core.lock().faults.latency_ms = latency.as_millis() as u64;
    }

    /// Revokes the seller's credentials: the token endpoint and the API refuse them until restored.
    pub fn revoke_credentials(&self) {
        let mut s = self.core.lock();
        s.revoked = true;
        s.tokens.clear();
    }

    /// Restores revoked credentials.
    pub fn restore_credentials(&self) {
        self.core.lock().revoked = false;
    }

    /// Expires every issued token (as if an hour had passed); a connector must fetch a new one.
    pub fn expire_tokens(&self) {
        self.core.lock().tokens.clear();
    }

    /// Request counters.
    pub fn stats(&self) -> SimStats {
        self.core.lock().stats.clone()
    }

    /// Orders per page from now on.
    pub fn set_page_size(&self, page_size: usize) {
        self.core.lock().page_size = page_size.max(1);
    }

    /// The calls received on the marketplace's packing, document and handover routes, oldest first
    /// (faulted ones too, with the status they got).
    pub fn received_calls(&self) -> Vec<ReceivedCall> {
        self.core.lock().calls.clone()
    }

    /// The received calls with `method` whose path contains `path_contains`.
    pub fn calls_to(&self, method: &str, path_contains: &str) -> Vec<ReceivedCall> {
        self.core.lock().calls.iter().filter(|c| c.method == method && c.path.contains(path_contains)).cloned().collect()
    }

    /// Forgets the received calls.
    pub fn clear_received_calls(&self) {
        self.core.lock().calls.clear();
    }

    /// The next `count` requests whose path contains `path_contains` answer 5xx; other requests
    /// (the token endpoint, the other calls of the flow) pass untouched.
    pub fn inject_server_errors_on(&self, path_contains: &str, count: u32) {
        let mut s = self.core.lock();
        s.faults.only_path = Some(path_contains.to_string());
        s.faults.server_errors = count;
    }

    /// The next `count` requests whose path contains `path_contains` answer 429 with
    /// `Retry-After: retry_after_seconds`; other requests pass untouched.
    pub fn inject_rate_limit_on(&self, path_contains: &str, count: u32, retry_after_seconds: u64) {
        let mut s = self.core.lock();
        s.faults.only_path = Some(path_contains.to_string());
        s.faults.rate_limited = count;
        s.faults.retry_after_seconds = retry_after_seconds;
    }

    /// Flipkart: how many polls of a shipment's details find its labels still being made after they
    /// are asked for (0, the default: ready on the first poll). Applies to labels asked for from now on.
    pub fn set_label_pending_polls(&self, polls: u32) -> Result<(), SimError> {
        match &self.market {
            Market::Flipkart(m) => {
                m.set_pending_polls(polls);
                Ok(())
            }
            _ => Err(SimError::Unsupported("asynchronous labels".into())),
        }
    }

    /// Ajio: raises the B2B purchase order covering every acknowledged B2C order not yet covered.
    pub fn ajio_generate_b2b(&self) -> Result<Value, SimError> {
        match &self.market {
            Market::Ajio(m) => m.generate_b2b(self.core.now()),
            _ => Err(SimError::Unsupported("B2B purchase orders".into())),
        }
    }

    /// Ajio: the manifests created so far.
    pub fn ajio_manifests(&self) -> Vec<Value> {
        match &self.market {
            Market::Ajio(m) => m.manifests(),
            _ => Vec::new(),
        }
    }

    /// The manifests created so far (Ajio and Paytm; empty elsewhere).
    pub fn manifests(&self) -> Vec<Value> {
        match &self.market {
            Market::Ajio(m) => m.manifests(),
            Market::Paytm(m) => m.manifests(),
            _ => Vec::new(),
        }
    }

    /// Ajio: the B2B e-invoices uploaded so far.
    pub fn ajio_e_invoices(&self) -> Vec<Value> {
        match &self.market {
            Market::Ajio(m) => m.e_invoices(),
            _ => Vec::new(),
        }
    }

    /// Ajio: the vendor's cancellations of units its B2B invoice left out, taken so far.
    pub fn ajio_cancellations(&self) -> Vec<Value> {
        match &self.market {
            Market::Ajio(m) => m.cancellations(),
            _ => Vec::new(),
        }
    }

    /// Amazon EDI: the 855 acknowledgements received so far (raw X12 and what was read from them).
    pub fn edi_received_855(&self) -> Vec<Value> {
        match &self.market {
            Market::Edi(m) => m.received_855(),
            _ => Vec::new(),
        }
    }

    /// Amazon EDI: the 856 ship notices received so far (raw X12 and what was read from them).
    pub fn edi_received_856(&self) -> Vec<Value> {
        match &self.market {
            Market::Edi(m) => m.received_856(),
            _ => Vec::new(),
        }
    }

    /// Amazon EDI: the separators the simulator writes its 850s with from now on.
    pub fn edi_set_separators(&self, separators: Separators) -> Result<(), SimError> {
        match &self.market {
            Market::Edi(m) => {
                m.set_separators(separators);
                Ok(())
            }
            _ => Err(SimError::Unsupported("X12 separators".into())),
        }
    }
}
