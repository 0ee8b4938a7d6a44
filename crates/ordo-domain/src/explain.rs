//! Why an order is in its status and what would move it (SPEC.md §5), in words and in data.

use crate::Timestamp;
use crate::kinds::{FulfillmentType, HoldReason, OrderKind, OrderStatus, Pool};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What Ordo knows about one SKU of an order, for the explanation.
#[derive(Debug, Clone)]
pub struct SkuPosition {
    pub sku: String,
    /// Units ordered, not cancelled.
    pub open: i64,
    pub allocated: i64,
    /// Units still to allocate.
    pub short: i64,
    /// Free LIVE units in the order's warehouse and pool.
    pub available: i64,
    /// Free LIVE units in the order's warehouse, other pool.
    pub other_pool_available: i64,
    /// RECYCLE units in the order's warehouse and pool.
    pub recycle: i64,
    /// Free LIVE units in the order's pool in other warehouses: (warehouse, units).
    pub elsewhere: Vec<(String, i64)>,
}

/// The order as the explanation sees it.
#[derive(Debug, Clone)]
pub struct OrderFacts {
    pub status: OrderStatus,
    pub kind: OrderKind,
    pub fulfillment_type: FulfillmentType,
    pub pool: Pool,
    pub warehouse: String,
    pub hold: Option<HoldReason>,
    pub dispatch_after: Option<Timestamp>,
    pub replacement_of: Option<String>,
    pub start_processing_at: Option<Timestamp>,
    pub marketplace_status: Option<String>,
    pub closing: bool,
    pub now: Timestamp,
    pub skus: Vec<SkuPosition>,
}

/// One reason, in data and in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reason {
    /// A stable code: SHORT, STOCK_IN_OTHER_POOL, STOCK_IN_RECYCLE, STOCK_IN_OTHER_WAREHOUSE,
    /// BLOCK_COMPLETE, AWAITING_RETRY, ON_HOLD, START_PROCESSING_TIME, MARKETPLACE_STATUS, READY, CLOSED.
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool: Option<Pool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available: Option<i64>,
    /// For holds: when the hold ends by itself, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
    pub detail: String,
}

/// `GET /api/v1/orders/{id}/explain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Explanation {
    pub status: OrderStatus,
    /// One paragraph in plain words.
    pub summary: String,
    pub reasons: Vec<Reason>,
}

fn reason(code: &str, detail: String) -> Reason {
    Reason { code: code.into(), sku: None, pool: None, warehouse: None, needed: None, available: None, until: None, detail }
}

/// Explains the order described by `f`.
pub fn explain(f: &OrderFacts) -> Explanation {
    use OrderStatus::*;
    let mut reasons = Vec::new();
    let mut sentences = Vec::new();
    let other_pool = if f.pool == Pool::QcPass { Pool::QcFail } else { Pool::QcPass };
    match f.status {
        Cancelled | Completed | Dispatched => {
            let what = match f.status {
                Cancelled => "was cancelled; its unpacked stock was freed",
                Completed => "was completed (short-closed) at what had been served",
                _ => "has been dispatched",
            };
            sentences.push(format!("The order {what}. Nothing more will be allocated to it."));
            reasons.push(reason("CLOSED", format!("the order is {}", f.status)));
        }
        Created => {
            sentences.push(format!(
                "This {} order is waiting for its first allocation, which is a manual trigger: select it and Retry.",
                f.kind
            ));
            reasons.push(reason("AWAITING_RETRY", "B2B orders are allocated when the user retries them".into()));
        }
        _ => {}
    }
    let takes_stock = !matches!(f.status, Cancelled | Completed | Dispatched | Created) && !f.closing;
    let short: Vec<&SkuPosition> = f.skus.iter().filter(|s| s.short > 0).collect();
    if takes_stock && !short.is_empty() {
        if f.fulfillment_type == FulfillmentType::BlockComplete && f.skus.iter().all(|s| s.allocated == 0) {
            let total: i64 = f.skus.iter().map(|s| s.short).sum();
            sentences.push(format!(
                "The order is BLOCK_COMPLETE: nothing is allocated until all {total} units can be, even if some are in stock."
            ));
            reasons.push(Reason { needed: Some(total), ..reason("BLOCK_COMPLETE", "all or nothing".into()) });
        }
        for s in &short {
            sentences.push(format!(
                "SKU {} needs {} more unit(s) in {} at {}; {} free there.",
                s.sku,
                s.short,
                f.pool,
                f.warehouse,
                if s.available == 0 { "none is".to_string() } else { format!("{} are", s.available) }
            ));
            reasons.push(Reason {
                sku: Some(s.sku.clone()),
                pool: Some(f.pool),
                warehouse: Some(f.warehouse.clone()),
                needed: Some(s.short),
                available: Some(s.available),
                ..reason("SHORT", format!("{} short of {} in {} (available {})", s.short, s.sku, f.pool, s.available))
            });
            if s.other_pool_available > 0 {
                sentences.push(format!(
                    "{} unit(s) of {} are in {} — they don't serve this {} order; move them to {} if they are good.",
                    s.other_pool_available, s.sku, other_pool, f.pool, f.pool
                ));
                reasons.push(Reason {
                    sku: Some(s.sku.clone()),
                    pool: Some(other_pool),
                    warehouse: Some(f.warehouse.clone()),
                    available: Some(s.other_pool_available),
                    ..reason("STOCK_IN_OTHER_POOL", format!("{} free in {}", s.other_pool_available, other_pool))
                });
            }
            if s.recycle > 0 {
                sentences.push(format!(
                    "{} unit(s) of {} are in RECYCLE in {}; make them LIVE to allocate them.",
                    s.recycle, s.sku, f.pool
                ));
                reasons.push(Reason {
                    sku: Some(s.sku.clone()),
                    pool: Some(f.pool),
                    warehouse: Some(f.warehouse.clone()),
                    available: Some(s.recycle),
                    ..reason("STOCK_IN_RECYCLE", format!("{} in RECYCLE", s.recycle))
                });
            }
            for (wh, units) in &s.elsewhere {
                sentences
                    .push(format!("{units} unit(s) of {} are free in warehouse {wh}, which doesn't serve this order.", s.sku));
                reasons.push(Reason {
                    sku: Some(s.sku.clone()),
                    pool: Some(f.pool),
                    warehouse: Some(wh.clone()),
                    available: Some(*units),
                    ..reason("STOCK_IN_OTHER_WAREHOUSE", format!("{units} free in {wh}"))
                });
            }
        }
        sentences.push(
            "It is retried by itself whenever stock of these SKUs arrives (GRN, pool move, LIVE, cancellations, returns).".into(),
        );
    }
    if let Some(hold) = f.hold.filter(|_| !matches!(f.status, Cancelled | Completed | Dispatched)) {
        let (words, until) = match hold {
            HoldReason::DispatchAfter => (
                format!(
                    "The marketplace forbids packing before {}; the order is released by itself then.",
                    f.dispatch_after.map(|t| t.to_string()).unwrap_or_default()
                ),
                f.dispatch_after,
            ),
            HoldReason::AwaitingReturnPickup => (
                format!(
                    "It replaces order {} and is held until the marketplace reports the return pickup of that order.",
                    f.replacement_of.clone().unwrap_or_default()
                ),
                None,
            ),
            HoldReason::MarketplaceHold => {
                ("The marketplace put the order on hold; it is released when the marketplace lifts it.".into(), None)
            }
        };
        sentences.push(words.clone());
        reasons.push(Reason { until, ..reason("ON_HOLD", format!("{hold}: {words}")) });
    }
    if let Some(t) = f.start_processing_at.filter(|t| *t > f.now && matches!(f.status, Fulfillable | OnHold | Unfulfillable)) {
        sentences.push(format!("The marketplace allows processing only from {t}; it won't be released to a picklist before."));
        reasons.push(Reason { until: Some(t), ..reason("START_PROCESSING_TIME", format!("not before {t}")) });
    }
    if let Some(m) = &f.marketplace_status {
        reasons.push(reason("MARKETPLACE_STATUS", format!("the marketplace reports '{m}'")));
        sentences.push(format!("The marketplace reports the order as '{m}'."));
    }
    if f.closing {
        sentences.push(
            "The order was completed; it goes on with the units already picked and closes when they are dispatched.".into(),
        );
        reasons.push(reason("CLOSING", "short-closed; picked units still to ship".into()));
    }
    if f.status == Fulfillable && reasons.iter().all(|r| r.code != "START_PROCESSING_TIME") {
        let partial = if short.is_empty() { "fully" } else { "partly" };
        sentences.insert(0, format!("The order is {partial} allocated and ready to be released to a picklist."));
        reasons.insert(0, reason("READY", format!("{partial} allocated, nothing holds it")));
    }
    let lead = format!("Order is {}.", f.status);
    Explanation { status: f.status, summary: std::iter::once(lead).chain(sentences).collect::<Vec<_>>().join(" "), reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: OrderStatus) -> OrderFacts {
        OrderFacts {
            status,
            kind: OrderKind::B2c,
            fulfillment_type: FulfillmentType::Partial,
            pool: Pool::QcPass,
            warehouse: "wh1".into(),
            hold: None,
            dispatch_after: None,
            replacement_of: None,
            start_processing_at: None,
            marketplace_status: None,
            closing: false,
            now: Timestamp::from_micros(0),
            skus: vec![SkuPosition {
                sku: "A".into(),
                open: 5,
                allocated: 0,
                short: 5,
                available: 0,
                other_pool_available: 7,
                recycle: 2,
                elsewhere: vec![("wh2".into(), 3)],
            }],
        }
    }

    #[test]
    fn unfulfillable_names_the_stock_in_the_other_pool_recycle_and_other_warehouses() {
        let e = explain(&facts(OrderStatus::Unfulfillable));
        let codes: Vec<_> = e.reasons.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, vec!["SHORT", "STOCK_IN_OTHER_POOL", "STOCK_IN_RECYCLE", "STOCK_IN_OTHER_WAREHOUSE"]);
        assert_eq!(e.reasons[1].pool, Some(Pool::QcFail));
        assert!(e.summary.contains("QC_FAIL") && e.summary.contains("RECYCLE") && e.summary.contains("wh2"), "{}", e.summary);
    }

    #[test]
    fn a_dispatch_after_hold_says_when_it_ends() {
        let mut f = facts(OrderStatus::OnHold);
        f.skus[0].short = 0;
        f.skus[0].allocated = 5;
        f.hold = Some(HoldReason::DispatchAfter);
        f.dispatch_after = Some(Timestamp::from_micros(7_200_000_000));
        let e = explain(&f);
        assert_eq!(e.reasons[0].code, "ON_HOLD");
        assert_eq!(e.reasons[0].until, f.dispatch_after);
    }
}
