//! Marketplace simulators: axum apps that serve each marketplace's API (token endpoints included) from
//! an in-memory store, with faults on demand, so Ordo can be run and tested end to end without a
//! marketplace account.
//!
//! Every simulator has the same control API under `/_sim/…` (see the crate README) and a
//! [`SimulatorHandle`] that does the same from Rust without HTTP. Faults apply to the marketplace's own
//! routes, never to `/_sim`. The wire types served are `ordo-channels`' own, so a simulator and its
//! connector can't disagree about a marketplace's format.
//!
//! [`erp`] is the other kind of simulator: a client's ERP receiving Ordo's signed postings
//! (`ordo simulate erp`).

#![warn(missing_docs)]
// Route helpers return the marketplace's refusal as their error: an HTTP answer sent at once, never
// kept, so boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

pub mod ajio;
mod ajio_returns;
pub mod amazon_edi;
pub mod amazon_sp;
mod consignee;
mod control;
mod core;
mod dialect;
mod docs;
pub mod erp;
mod faults;
pub mod flipkart;
pub mod paytm;
pub mod shopify;
mod shopify_returns;
mod table;

/// The e-invoice registration portal (NIC's sandbox), served by `ordo simulate irp`.
pub use ordo_einvoice::sim as irp;

pub use crate::control::{SimError, SimReturn, SimReturnLine, SimulatorHandle};
pub use crate::core::{ReceivedCall, SimClock, SimConfig, SimStats, system_clock};
pub use crate::faults::Faults;

use crate::control::{Market, control_router, merge_patch};
use crate::core::SimCore;
use crate::dialect::Dialect;
use crate::faults::fault_layer;
use axum::Router;
use ordo_channels::Connector;
use ordo_domain::kinds::ChannelType;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;

/// A simulator for `channel_type` with the default configuration (page size 3, wall clock).
pub fn simulator(channel_type: ChannelType) -> Result<(Router, SimulatorHandle), String> {
    simulator_with(channel_type, SimConfig::default())
}

/// A simulator for `channel_type`: its router (marketplace API + `/_sim` control API) and its handle.
/// `AMAZON_FLEX` shares the SP-API simulator and `FLIPKART_V2` the v3 one (both marketplaces serve one
/// API to both kinds of channel); `INTERNAL` has none.
pub fn simulator_with(channel_type: ChannelType, config: SimConfig) -> Result<(Router, SimulatorHandle), String> {
    let (core, market, api) = match channel_type {
        ChannelType::AmazonSp | ChannelType::AmazonFlex => {
            let core = SimCore::new(Dialect::Amazon, &config, None);
            let m = Arc::new(amazon_sp::AmazonMarket::default());
            (core.clone(), Market::Amazon(m.clone()), amazon_sp::router(core, m))
        }
        ChannelType::Shopify => {
            let core = SimCore::new(Dialect::Shopify, &config, Some(shopify::ACCESS_TOKEN.into()));
            let m = Arc::new(shopify::ShopifyMarket::default());
            (core.clone(), Market::Shopify(m.clone()), shopify::router(core, m))
        }
        ChannelType::FlipkartV2 | ChannelType::FlipkartV3 => {
            let core = SimCore::new(Dialect::Flipkart, &config, None);
            let m = Arc::new(flipkart::FlipkartMarket::new(channel_type == ChannelType::FlipkartV2));
            (core.clone(), Market::Flipkart(m.clone()), flipkart::router(core, m))
        }
        ChannelType::AmazonEdi => {
            let core = SimCore::new(Dialect::Edi, &config, Some(amazon_edi::API_KEY.into()));
            let m = Arc::new(amazon_edi::EdiMarket::default());
            (core.clone(), Market::Edi(m.clone()), amazon_edi::router(core, m))
        }
        ChannelType::Paytm => {
            let core = SimCore::new(Dialect::Paytm, &config, Some(paytm::API_KEY.into()));
            let m = Arc::new(paytm::PaytmMarket::default());
            (core.clone(), Market::Paytm(m.clone()), paytm::router(core, m))
        }
        ChannelType::AjioVms => {
            let core = SimCore::new(Dialect::Ajio, &config, Some(ajio::API_KEY.into()));
            let m = Arc::new(ajio::AjioMarket::default());
            (core.clone(), Market::Ajio(m.clone()), ajio::router(core, m))
        }
        ChannelType::Internal => {
            return Err("INTERNAL channels have no marketplace to simulate: their orders come through Ordo's API".into());
        }
    };
    let handle = SimulatorHandle::new(channel_type, core.clone(), market);
    let router = api.merge(control_router(handle.clone())).layer(axum::middleware::from_fn_with_state(core, fault_layer));
    Ok((router, handle))
}

/// A simulator serving on a local port.
#[derive(Debug)]
pub struct RunningSimulator {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// `http://addr`.
    pub base_url: String,
    /// Its handle.
    pub handle: SimulatorHandle,
    task: tokio::task::JoinHandle<()>,
}

impl RunningSimulator {
    /// A connector for this simulator, with its credentials and settings.
    pub fn connector(&self) -> Result<Connector, String> {
        self.connector_with(json!({}))
    }

    /// A connector for this simulator, with `extra` merged into its settings (e.g. `timeout_ms`).
    pub fn connector_with(&self, extra: Value) -> Result<Connector, String> {
        let mut settings = self.handle.settings(&self.base_url);
        merge_patch(&mut settings, &extra);
        Connector::from_settings(self.handle.channel_type(), &self.handle.credentials(), &settings)
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves a simulator for `channel_type` on `addr` (use `127.0.0.1:0` for any free port) in a
/// background task; it stops when the returned value is dropped.
pub async fn spawn_simulator(
    channel_type: ChannelType,
    config: SimConfig,
    addr: SocketAddr,
) -> std::io::Result<RunningSimulator> {
    let (router, handle) = simulator_with(channel_type, config).map_err(std::io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::warn!(error = %e, "marketplace simulator stopped");
        }
    });
    Ok(RunningSimulator { addr, base_url: format!("http://{addr}"), handle, task })
}
