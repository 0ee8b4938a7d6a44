//! One enum over every marketplace connector, so a sync engine holds "a channel's connector" without
//! generics or boxing, and marketplace-specific operations are explicit about where they apply.

use crate::ajio::{AjioConnector, B2bPurchaseOrder};
use crate::amazon_edi::EdiConnector;
use crate::amazon_sp::AmazonSpConnector;
use crate::flipkart::FlipkartConnector;
use crate::model::{
    CancelLine, ChannelError, ChannelEvent, MarketplaceOrder, MarketplaceReturn, ReturnCreditNote, ReturnQc, SyncWindow,
};
use crate::paytm::PaytmConnector;
use crate::shopify::ShopifyConnector;
use ordo_domain::Timestamp;
use ordo_domain::kinds::ChannelType;
use serde_json::Value;

/// A connector to one marketplace account, one variant per channel type.
#[derive(Debug)]
pub enum Connector {
    /// Amazon Selling Partner API (Orders v0).
    AmazonSp(AmazonSpConnector),
    /// Amazon Seller Flex: the SP-API, with the Amazon order id as parent order id.
    AmazonFlex(AmazonSpConnector),
    /// Amazon vendor EDI (850 in, 855 out).
    AmazonEdi(EdiConnector),
    /// Flipkart, keyed by order item.
    FlipkartV2(FlipkartConnector),
    /// Flipkart, keyed by shipment.
    FlipkartV3(FlipkartConnector),
    /// Paytm.
    Paytm(PaytmConnector),
    /// Ajio VMS.
    AjioVms(AjioConnector),
    /// A Shopify store.
    Shopify(ShopifyConnector),
}

impl Connector {
    /// Builds the connector for a channel from its (decrypted) credentials and its settings. The keys
    /// each type reads are listed in the crate README; a missing or malformed one is a clear error.
    pub fn from_settings(channel_type: ChannelType, credentials: &Value, settings: &Value) -> Result<Connector, String> {
        Ok(match channel_type {
            ChannelType::AmazonSp => Connector::AmazonSp(AmazonSpConnector::from_settings(credentials, settings, false)?),
            ChannelType::AmazonFlex => Connector::AmazonFlex(AmazonSpConnector::from_settings(credentials, settings, true)?),
            ChannelType::AmazonEdi => Connector::AmazonEdi(EdiConnector::from_settings(credentials, settings)?),
            ChannelType::FlipkartV2 => Connector::FlipkartV2(FlipkartConnector::from_settings(credentials, settings, true)?),
            ChannelType::FlipkartV3 => Connector::FlipkartV3(FlipkartConnector::from_settings(credentials, settings, false)?),
            ChannelType::Paytm => Connector::Paytm(PaytmConnector::from_settings(credentials, settings)?),
            ChannelType::AjioVms => Connector::AjioVms(AjioConnector::from_settings(credentials, settings)?),
            ChannelType::Shopify => Connector::Shopify(ShopifyConnector::from_settings(credentials, settings)?),
            ChannelType::Internal => {
                return Err("INTERNAL channels have no marketplace connector: their orders (inward POs and B2B outward \
                            orders) come in through Ordo's API"
                    .into());
            }
        })
    }

    /// The channel type this connector serves.
    pub fn channel_type(&self) -> ChannelType {
        match self {
            Connector::AmazonSp(_) => ChannelType::AmazonSp,
            Connector::AmazonFlex(_) => ChannelType::AmazonFlex,
            Connector::AmazonEdi(_) => ChannelType::AmazonEdi,
            Connector::FlipkartV2(_) => ChannelType::FlipkartV2,
            Connector::FlipkartV3(_) => ChannelType::FlipkartV3,
            Connector::Paytm(_) => ChannelType::Paytm,
            Connector::AjioVms(_) => ChannelType::AjioVms,
            Connector::Shopify(_) => ChannelType::Shopify,
        }
    }

    /// Every order the marketplace changed within the window, following every page. An order appears
    /// once (its latest state) even if it showed on several pages or searches.
    pub async fn fetch_updated(&self, window: &SyncWindow) -> Result<Vec<MarketplaceOrder>, ChannelError> {
        match self {
            Connector::AmazonSp(c) | Connector::AmazonFlex(c) => c.fetch_updated(window).await,
            Connector::AmazonEdi(c) => c.fetch_updated(window).await,
            Connector::FlipkartV2(c) | Connector::FlipkartV3(c) => c.fetch_updated(window).await,
            Connector::Paytm(c) => c.fetch_updated(window).await,
            Connector::AjioVms(c) => c.fetch_updated(window).await,
            Connector::Shopify(c) => c.fetch_updated(window).await,
        }
    }

    /// One order by its channel order id, as the marketplace has it now; `None` when it doesn't know it.
    pub async fn fetch_order(&self, channel_order_id: &str) -> Result<Option<MarketplaceOrder>, ChannelError> {
        match self {
            Connector::AmazonSp(c) | Connector::AmazonFlex(c) => c.fetch_order(channel_order_id).await,
            Connector::AmazonEdi(c) => c.fetch_order(channel_order_id).await,
            Connector::FlipkartV2(c) | Connector::FlipkartV3(c) => c.fetch_order(channel_order_id).await,
            Connector::Paytm(c) => c.fetch_order(channel_order_id).await,
            Connector::AjioVms(c) => c.fetch_order(channel_order_id).await,
            Connector::Shopify(c) => c.fetch_order(channel_order_id).await,
        }
    }

    /// Status updates the marketplace reports apart from orders, within the window: Paytm's return
    /// pickups. Marketplaces without such a feed answer an empty list.
    pub async fn fetch_events(&self, window: &SyncWindow) -> Result<Vec<ChannelEvent>, ChannelError> {
        match self {
            Connector::Paytm(c) => c.fetch_events(window).await,
            _ => Ok(Vec::new()),
        }
    }

    /// Returns the marketplace announced or changed within the window: customer returns and RTOs of
    /// dispatched orders (Flipkart, Ajio, Paytm, Shopify). Amazon's returns come as reports, not
    /// through the APIs Ordo speaks, and EDI vendors return by debit note: both answer an empty list.
    pub async fn fetch_returns(&self, window: &SyncWindow) -> Result<Vec<MarketplaceReturn>, ChannelError> {
        match self {
            Connector::FlipkartV2(c) | Connector::FlipkartV3(c) => c.fetch_returns(window).await,
            Connector::Paytm(c) => c.fetch_returns(window).await,
            Connector::AjioVms(c) => c.fetch_returns(window).await,
            Connector::Shopify(c) => c.fetch_returns(window).await,
            Connector::AmazonSp(_) | Connector::AmazonFlex(_) | Connector::AmazonEdi(_) => Ok(Vec::new()),
        }
    }

    /// Tells the marketplace what QC found in one of its returns (Ajio and Paytm settle QC-failed and
    /// missing units from it; see [`ChannelType::takes_return_qc`]).
    pub async fn send_return_qc(&self, qc: &ReturnQc) -> Result<(), ChannelError> {
        match self {
            Connector::AjioVms(c) => c.send_return_qc(qc).await,
            Connector::Paytm(c) => c.send_return_qc(qc).await,
            other => Err(ChannelError::Permanent(format!("{} takes no QC results of returns", other.channel_type()))),
        }
    }

    /// Relays the seller's credit note of one of the marketplace's returns (Ajio).
    pub async fn relay_credit_note(&self, note: &ReturnCreditNote) -> Result<(), ChannelError> {
        self.ajio("relaying a credit note")?.relay_credit_note(note).await
    }

    /// Asks the marketplace for the RTO expectation of a dispatched order (Ajio's RTO generation).
    pub async fn request_rto(&self, channel_order_id: &str, awbs: &[String]) -> Result<(), ChannelError> {
        self.ajio("asking for an RTO")?.request_rto(channel_order_id, awbs).await
    }

    /// Whether [`push_cancellation`](Connector::push_cancellation) reaches the marketplace.
    pub fn accepts_seller_cancellation(&self) -> bool {
        self.channel_type().accepts_seller_cancellation()
    }

    /// Tells the marketplace that the seller cancelled `lines` of `order` (as fetched, its `raw`
    /// included). Only Amazon EDI accepts it; elsewhere the seller must cancel on the portal, and this
    /// answers a Permanent error saying so.
    pub async fn push_cancellation(
        &self,
        order: &MarketplaceOrder,
        lines: &[CancelLine],
        reason: &str,
        at: Timestamp,
    ) -> Result<(), ChannelError> {
        match self {
            Connector::AmazonEdi(c) => c.push_cancellation(order, lines, reason, at).await,
            other => Err(ChannelError::Permanent(format!(
                "{} does not accept cancellations from the seller's systems: cancel order {} on the seller portal as well",
                other.channel_type(),
                order.channel_order_id
            ))),
        }
    }

    /// The Ajio connector, for Ajio's own operations (create manifest…).
    pub fn as_ajio(&self) -> Option<&AjioConnector> {
        match self {
            Connector::AjioVms(c) => Some(c),
            _ => None,
        }
    }

    fn ajio(&self, what: &str) -> Result<&AjioConnector, ChannelError> {
        self.as_ajio().ok_or_else(|| {
            ChannelError::Permanent(format!("{what} is an Ajio VMS operation, not one of {}", self.channel_type()))
        })
    }

    /// Ajio: acknowledges a B2C order and returns it as Ajio now has it (Cancelled if the customer won).
    pub async fn acknowledge(&self, order_id: &str) -> Result<MarketplaceOrder, ChannelError> {
        self.ajio("acknowledging an order")?.acknowledge(order_id).await
    }

    /// Ajio: the B2B purchase orders raised within the window, with the B2C orders each covers.
    pub async fn fetch_b2b(&self, window: &SyncWindow) -> Result<Vec<B2bPurchaseOrder>, ChannelError> {
        self.ajio("fetching B2B purchase orders")?.fetch_b2b(window).await
    }

    /// Ajio: creates a manifest for handed-over B2C orders; returns its id.
    pub async fn create_manifest(&self, order_ids: &[String]) -> Result<String, ChannelError> {
        self.ajio("creating a manifest")?.create_manifest(order_ids).await
    }
}
