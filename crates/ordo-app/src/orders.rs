//! Use cases of orders: ingest, retry, cancel, complete, channel events, failed orders, search,
//! explain; and the background work they cause.

use crate::requests::{ChannelEventRequest, FailedRetryRequest, OrderRequest};
use crate::{App, Caller, Result};
use ordo_domain::explain::{Explanation, explain};
use ordo_domain::kinds::Permission;
use ordo_domain::model::{FailedOrder, FailedRetry, Order, OrderEvent};
use ordo_domain::{DomainError, FieldError};
use ordo_store::{Cancellation, IngestOutcome, NewOrder, OrderQuery, Page, PageRequest};

/// The most orders one batch may carry.
pub const MAX_BATCH: usize = 1000;

/// Reads one order of a request body: a validation error names fields inside the order.
pub fn parse_order(value: serde_json::Value) -> Result<NewOrder> {
    let req: OrderRequest = serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.into_inner().to_string();
        match msg.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
            Some(name) => {
                let field = if path == "." { name.to_string() } else { format!("{path}.{name}") };
                DomainError::Validation(vec![FieldError::new(field, "is required")])
            }
            None => DomainError::Validation(vec![FieldError::new(if path == "." { "body".into() } else { path }, msg)]),
        }
    })?;
    req.validate(value)
}

impl App {
    /// Ingests orders (one transaction for all of them); each gets its own outcome.
    pub async fn ingest_orders(&self, caller: &Caller, orders: Vec<Result<NewOrder>>) -> Result<Vec<IngestOutcome>> {
        let ctx = self.authorize(caller, Permission::ManageOrders)?;
        if orders.len() > MAX_BATCH {
            return Err(DomainError::field("orders", format!("a batch may carry at most {MAX_BATCH} orders")));
        }
        let valid: Vec<NewOrder> = orders.iter().filter_map(|o| o.as_ref().ok().cloned()).collect();
        // A lone order without an idempotency key shares a transaction with concurrent ones.
        let stored = if valid.len() == 1 && orders.len() == 1 && ctx.idempotency.is_none() {
            vec![self.orders.ingest(&ctx, valid.into_iter().next().expect("one order")).await?]
        } else {
            self.store.ingest_orders(&ctx, valid).await?
        };
        let mut stored = stored.into_iter();
        Ok(orders
            .into_iter()
            .map(|o| match o {
                Ok(_) => stored.next().expect("one outcome per valid order"),
                Err(DomainError::Validation(errors)) => IngestOutcome::Invalid(errors),
                Err(other) => IngestOutcome::Invalid(vec![FieldError::new("body", other.to_string())]),
            })
            .collect())
    }

    /// One order.
    pub async fn order(&self, caller: &Caller, id: &str) -> Result<Order> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.order(ctx.client_id, id, ctx.now).await
    }

    /// Orders by any of their ids and by filters, newest first.
    pub async fn search_orders(&self, caller: &Caller, query: &OrderQuery, page: PageRequest) -> Result<Page<Order>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.search_orders(ctx.client_id, query, page, ctx.now).await
    }

    /// An order's timeline.
    pub async fn order_events(&self, caller: &Caller, id: &str) -> Result<Vec<OrderEvent>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.order_events(ctx.client_id, id).await
    }

    /// Why the order is in its status and what would move it.
    pub async fn explain_order(&self, caller: &Caller, id: &str) -> Result<Explanation> {
        let ctx = self.authorize(caller, Permission::Read)?;
        Ok(explain(&self.store.explain_facts(ctx.client_id, id, ctx.now).await?))
    }

    /// Allocates now (the manual trigger for B2B orders).
    pub async fn retry_order(&self, caller: &Caller, id: &str) -> Result<Order> {
        let ctx = self.authorize(caller, Permission::OperateOrders)?;
        self.store.retry_order(&ctx, id).await
    }

    /// Cancels an order; freed stock goes to the client's waiting orders (see [`App::after_commit`]).
    pub async fn cancel_order(&self, caller: &Caller, id: &str, reason: Option<String>) -> Result<Cancellation> {
        let ctx = self.authorize(caller, Permission::OperateOrders)?;
        let reason =
            reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).unwrap_or_else(|| "cancelled by the seller".into());
        let out = self.store.cancel_order(&ctx, id, &reason).await?;
        self.after_commit(ctx.client_id).await;
        Ok(out)
    }

    /// Short-closes an order; freed stock goes to the client's waiting orders (see [`App::after_commit`]).
    pub async fn complete_order(&self, caller: &Caller, id: &str) -> Result<Order> {
        let ctx = self.authorize(caller, Permission::OperateOrders)?;
        let order = self.store.complete_order(&ctx, id).await?;
        self.after_commit(ctx.client_id).await;
        Ok(order)
    }

    /// A B2B order's invoice from the seller's ERP (`POST /api/v1/orders/{id}/invoice`). For Ajio with
    /// an ERP (`erp_integrated`), the units it leaves out are cancelled (in its own transaction) and the
    /// B2C orders the purchase order covers are released for picking.
    pub async fn record_erp_invoice(&self, caller: &Caller, id: &str, req: crate::requests::ErpInvoiceRequest) -> Result<Order> {
        let ctx = self.authorize(caller, Permission::ManageOrders)?;
        let invoice = req.validate()?;
        let order = self.store.record_erp_invoice(&ctx, id, invoice).await?;
        let channel = self.store.channel(ctx.client_id, &order.channel).await?;
        let erp = channel.settings.get("erp_integrated").and_then(serde_json::Value::as_bool).unwrap_or(false);
        // Stock the cancelled units freed goes to waiting orders.
        self.after_commit(ctx.client_id).await;
        if channel.channel_type == ordo_domain::kinds::ChannelType::AjioVms && erp {
            let n: i64 = order.id.parse().map_err(|_| DomainError::Internal("order ids are numbers".into()))?;
            // A follow-on write of its own: the request's idempotency key belongs to the invoice.
            let follow_on = ordo_store::WriteCtx { idempotency: None, ..ctx.clone() };
            if let Err(e) = self.store.release_covered_orders(&follow_on, n).await {
                // The invoice is kept; the covered orders can be released by hand or on the next sync.
                tracing::warn!(order = %order.id, error = %e, "releasing the orders an ERP invoice covers failed");
            }
        }
        self.store.order(ctx.client_id, id, self.now()).await
    }

    /// A status update pushed by a marketplace.
    pub async fn channel_event(&self, caller: &Caller, channel: &str, req: ChannelEventRequest) -> Result<Order> {
        let ctx = self.authorize(caller, Permission::ManageOrders)?;
        let coid =
            ordo_domain::codes::parse_reference(&req.channel_order_id).map_err(|m| DomainError::field("channel_order_id", m))?;
        let order = self.store.channel_event(&ctx, channel, req.event_type, &coid, req.reason.as_deref()).await?;
        self.after_commit(ctx.client_id).await;
        Ok(order)
    }

    /// The failed-order list.
    pub async fn failed_orders(&self, caller: &Caller, page: PageRequest) -> Result<Page<FailedOrder>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.failed_orders(ctx.client_id, page).await
    }

    /// Retries failed orders (all, or those named): each one whose SKUs are now mapped is created, once.
    pub async fn retry_failed_orders(&self, caller: &Caller, req: FailedRetryRequest) -> Result<FailedRetry> {
        let ctx = self.authorize(caller, Permission::ManageOrders)?;
        let ids = match &req.ids {
            None => None,
            Some(ids) => Some(
                ids.iter()
                    .enumerate()
                    .map(|(i, id)| {
                        id.parse::<i64>().map_err(|_| DomainError::field(format!("ids[{i}]"), "is not a failed order id"))
                    })
                    .collect::<Result<Vec<i64>>>()?,
            ),
        };
        let failed = self.store.failed_orders_by_id(ctx.client_id, ids.as_deref()).await?;
        let mut out = FailedRetry::default();
        for chunk in failed.chunks(MAX_BATCH) {
            let orders: Vec<Result<NewOrder>> = chunk.iter().map(|f| parse_order(f.payload.clone())).collect();
            let retry = Caller { idempotency: None, ..caller.clone() };
            for outcome in self.ingest_orders(&retry, orders).await? {
                match outcome {
                    IngestOutcome::Created(_) | IngestOutcome::Existing(_) | IngestOutcome::Updated(_) => out.created += 1,
                    IngestOutcome::Failed(_) | IngestOutcome::Invalid(_) => out.still_failed += 1,
                }
            }
        }
        Ok(out)
    }

    /// The work a committed write leaves behind, done for the writer's client only: stock its
    /// transaction made allocatable goes to that client's waiting orders. Best effort: the write is
    /// committed whatever happens here, so a failure is logged (the background worker does the work
    /// on its next turn) and never turned into an error for a caller whose change was made.
    pub(crate) async fn after_commit(&self, client_id: i64) {
        if let Err(e) = self.store.sweep_allocations(self.now(), Some(client_id)).await {
            tracing::warn!(client_id, error = %e, "serving waiting orders after a committed change failed; the background worker retries it");
        }
    }

    /// Does all local background work due by now, for every client: releases holds whose time has
    /// come and allocates stock that became available to waiting orders. Returns how many orders it
    /// looked at.
    pub async fn run_due_work(&self) -> Result<usize> {
        let now = self.now();
        let released = self.store.release_due_holds(now).await?;
        let swept = self.store.sweep_allocations(now, None).await?;
        Ok(released + swept)
    }

    /// Runs the background work ([`App::run_background_work`]) every `every` until the process
    /// ends, its outbox delivery giving way to the API requests being served.
    pub fn spawn_background_work(&self, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = app.background_work(true).await {
                    tracing::warn!(error = %e, "background work failed; it is retried on the next tick");
                }
            }
        })
    }
}
