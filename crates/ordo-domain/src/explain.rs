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

/// Where the order stands in the warehouse once released: its picklist, its shipment and manifest,
/// and whether the marketplace has been told of the handover.
#[derive(Debug, Clone, Default)]
pub struct FloorFacts {
    /// The picklist it was last released to.
    pub picklist: Option<String>,
    /// Units picked and still to pick.
    pub picked: i64,
    pub to_pick: i64,
    /// When the marketplace was asked for a label it has not made yet.
    pub label_requested_at: Option<Timestamp>,
    /// Its shipment: id, AWB, status word, and whether it waits for its e-invoice.
    pub shipment: Option<(String, Option<String>, String, bool)>,
    /// The manifest it is on: id and status word.
    pub manifest: Option<(String, String)>,
    /// The handover message to the marketplace: status word and last error.
    pub told: Option<(String, Option<String>)>,
}

/// What a marketplace purchase order (Ajio's B2B PO, which ships as the B2C orders it covers) means
/// for the order: the one covering it, or the one it is.
#[derive(Debug, Clone, Default)]
pub struct PurchaseOrderFacts {
    /// For a covered order: the purchase order covering it (Ordo's id, the PO number).
    pub covered_by: Option<(String, String)>,
    /// For a purchase order: how many orders it covers (0 for any other order).
    pub covers: usize,
    /// Whether the seller's ERP invoices the channel's purchase orders (Ajio `erp_integrated`).
    pub erp: bool,
    /// The number of the ERP's invoice of the purchase order, once it came.
    pub erp_invoice: Option<String>,
    /// For a purchase order: its B2B invoice as made for Ajio, once its covered orders are packed.
    pub b2b_invoice: Option<B2bInvoiceFacts>,
}

/// A purchase order's B2B invoice and the upload of its e-invoice to the marketplace.
#[derive(Debug, Clone, Default)]
pub struct B2bInvoiceFacts {
    pub invoice_number: String,
    /// `erp` or `ordo`: who made it.
    pub source: String,
    /// The upload message's status word and last error.
    pub upload: Option<(String, Option<String>)>,
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
    /// Its channel (code) and what is known of it in the warehouse.
    pub channel: String,
    pub floor: FloorFacts,
    pub purchase_order: PurchaseOrderFacts,
}

/// One reason, in data and in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reason {
    /// A stable code: SHORT, STOCK_IN_OTHER_POOL, STOCK_IN_RECYCLE, STOCK_IN_OTHER_WAREHOUSE,
    /// BLOCK_COMPLETE, AWAITING_RETRY, ON_HOLD, START_PROCESSING_TIME, MARKETPLACE_STATUS, READY, CLOSED,
    /// PICKING, AWAITING_PACKING, LABEL_PENDING, E_INVOICE_PENDING, AWAITING_MANIFEST, AWAITING_HANDOVER,
    /// HANDOVER_NOT_TOLD, PURCHASE_ORDER, AWAITING_ERP_INVOICE, B2B_INVOICE.
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
        Cancelled | Completed | Dispatched | Returned => {
            let what = match f.status {
                Cancelled => "was cancelled; its unpacked stock was freed",
                Completed => "was completed (short-closed) at what had been served",
                Returned => "came back: every dispatched unit was received through returns",
                _ => "has been dispatched",
            };
            sentences.push(format!("The order {what}. Nothing more will be allocated to it."));
            reasons.push(reason("CLOSED", format!("the order is {}", f.status)));
        }
        Created if f.purchase_order.covers > 0 => {}
        Created => {
            sentences.push(format!(
                "This {} order is waiting for its first allocation, which is a manual trigger: select it and Retry.",
                f.kind
            ));
            reasons.push(reason("AWAITING_RETRY", "B2B orders are allocated when the user retries them".into()));
        }
        _ => {}
    }
    let takes_stock = !matches!(f.status, Cancelled | Completed | Dispatched | Returned | Created) && !f.closing;
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
    if let Some(hold) = f.hold.filter(|_| !matches!(f.status, Cancelled | Completed | Dispatched | Returned)) {
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
    floor(f, &mut sentences, &mut reasons);
    purchase_order(f, &mut sentences, &mut reasons);
    if f.status == Fulfillable && reasons.iter().all(|r| r.code != "START_PROCESSING_TIME" && r.code != "AWAITING_ERP_INVOICE") {
        let partial = if short.is_empty() { "fully" } else { "partly" };
        sentences.insert(0, format!("The order is {partial} allocated and ready to be released to a picklist."));
        reasons.insert(0, reason("READY", format!("{partial} allocated, nothing holds it")));
    }
    let lead = format!("Order is {}.", f.status);
    Explanation { status: f.status, summary: std::iter::once(lead).chain(sentences).collect::<Vec<_>>().join(" "), reasons }
}

/// What a marketplace purchase order means for the order: a purchase order ships as the orders it
/// covers and waits for its invoice; with an ERP, a covered order waits for the ERP's invoice of it.
fn purchase_order(f: &OrderFacts, sentences: &mut Vec<String>, reasons: &mut Vec<Reason>) {
    use OrderStatus::*;
    let po = &f.purchase_order;
    if po.covers > 0 {
        sentences.push(format!(
            "This is the marketplace's purchase order: it ships as the {} order(s) it covers, which hold its stock, and is \
             never allocated itself.",
            po.covers
        ));
        reasons.push(reason("PURCHASE_ORDER", format!("covers {} order(s); ships as them", po.covers)));
        if f.status == Cancelled {
            return;
        }
        match (&po.b2b_invoice, &po.erp_invoice) {
            (None, None) if po.erp => {
                sentences.push(
                    "It was posted to the ERP (OUTWARD_ORDER_CREATE) and waits for the ERP's invoice, which releases the \
                     orders it covers for picking."
                        .into(),
                );
                reasons.push(reason("AWAITING_ERP_INVOICE", "posted to the ERP; its invoice has not come".into()));
            }
            (None, Some(n)) => {
                sentences.push(format!(
                    "The ERP invoiced it ({n}); its e-invoice is uploaded to {} once the orders it covers are packed.",
                    f.channel
                ));
                reasons.push(reason("B2B_INVOICE", format!("ERP invoice {n}; uploaded when the covered orders are packed")));
            }
            (None, None) => {
                sentences.push(format!(
                    "Ordo makes its B2B invoice and e-invoice once the orders it covers are packed, and uploads it to {}.",
                    f.channel
                ));
                reasons.push(reason("B2B_INVOICE", "made when the covered orders are packed".into()));
            }
            (Some(inv), _) => {
                let by = if inv.source == "erp" { "the ERP's" } else { "Ordo's" };
                let (words, detail) = match &inv.upload {
                    Some((status, _)) if status == "DELIVERED" => {
                        (format!("was uploaded to {}", f.channel), "uploaded".to_string())
                    }
                    Some((status, err)) => {
                        let why = err.as_deref().map(|e| format!(" (last error: {e})")).unwrap_or_default();
                        (
                            format!("is on its way to {}: the message is {status}{why}; Ordo retries it", f.channel),
                            format!("upload {status}{why}"),
                        )
                    }
                    None => (format!("is to be uploaded to {}", f.channel), "not queued".to_string()),
                };
                sentences.push(format!("Its B2B invoice {} ({by}) {words}.", inv.invoice_number));
                reasons.push(reason("B2B_INVOICE", format!("invoice {} ({}): {detail}", inv.invoice_number, inv.source)));
            }
        }
        return;
    }
    if po.erp
        && po.erp_invoice.is_none()
        && f.kind == OrderKind::B2c
        && matches!(f.status, Created | Fulfillable | Unfulfillable | OnHold)
    {
        let words = match &po.covered_by {
            Some((id, number)) => format!(
                "Purchase order {number} (order {id}) covers it and waits for the ERP's invoice; it is released for picking \
                 when the invoice arrives."
            ),
            None => "With an ERP, it waits for the purchase order that covers it and the ERP's invoice of that order \
                     before it is released for picking."
                .to_string(),
        };
        sentences.push(words.clone());
        reasons.push(reason("AWAITING_ERP_INVOICE", words));
    }
}

/// Where a released order stands in the warehouse, and what it waits for.
fn floor(f: &OrderFacts, sentences: &mut Vec<String>, reasons: &mut Vec<Reason>) {
    use OrderStatus::*;
    let fl = &f.floor;
    match f.status {
        Processing => {
            let list = fl.picklist.as_deref().map(|p| format!(" on picklist {p}")).unwrap_or_default();
            sentences
                .push(format!("It is released for picking{list}: {} unit(s) picked, {} still to pick.", fl.picked, fl.to_pick));
            reasons
                .push(Reason { needed: Some(fl.to_pick), ..reason("PICKING", format!("{} unit(s) to pick{list}", fl.to_pick)) });
        }
        Picked => match (&fl.shipment, fl.label_requested_at) {
            (Some((id, _, _, true)), _) => {
                sentences.push(format!(
                    "Its shipment {id} is made and waits for its GST e-invoice from the portal; pack it again to retry."
                ));
                reasons.push(reason("E_INVOICE_PENDING", format!("shipment {id} waits for its e-invoice")));
            }
            (_, Some(at)) => {
                sentences.push(format!(
                    "Every unit is picked. {} was asked for the label at {at} and has not made it yet; pack the order again shortly to fetch it.",
                    f.channel
                ));
                reasons.push(Reason { until: None, ..reason("LABEL_PENDING", format!("{}'s label, asked at {at}", f.channel)) });
            }
            _ => {
                sentences.push("Every unit is picked; it waits to be packed (scan it at the pack station).".into());
                reasons.push(reason("AWAITING_PACKING", "picked, not packed".into()));
            }
        },
        Packed => {
            let (id, awb) = fl.shipment.as_ref().map(|s| (s.0.clone(), s.1.clone().unwrap_or_default())).unwrap_or_default();
            match &fl.manifest {
                Some((m, _)) => {
                    sentences.push(format!(
                        "It is packed (shipment {id}, AWB {awb}) and on manifest {m}, waiting for the handover to the carrier."
                    ));
                    reasons.push(reason("AWAITING_HANDOVER", format!("on manifest {m}")));
                }
                None => {
                    sentences.push(format!(
                        "It is packed (shipment {id}, AWB {awb}) and waits to be put on a manifest for the carrier."
                    ));
                    reasons.push(reason("AWAITING_MANIFEST", format!("shipment {id} is on no manifest")));
                }
            }
        }
        Dispatched | Completed => {
            if let Some((status, last_error)) = &fl.told
                && status != "DELIVERED"
            {
                let why = last_error.as_deref().map(|e| format!(" (last error: {e})")).unwrap_or_default();
                sentences.push(format!(
                    "{} has not been told of the handover yet: the message is {status}{why}; Ordo retries it, and a dead letter can be replayed.",
                    f.channel
                ));
                reasons.push(reason("HANDOVER_NOT_TOLD", format!("handover message {status}{why}")));
            }
        }
        _ => {}
    }
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
            channel: "fk".into(),
            floor: FloorFacts::default(),
            purchase_order: PurchaseOrderFacts::default(),
        }
    }

    #[test]
    fn a_released_order_says_where_it_stands_in_the_warehouse() {
        let mut f = facts(OrderStatus::Processing);
        f.floor = FloorFacts { picklist: Some("7".into()), picked: 2, to_pick: 3, ..FloorFacts::default() };
        let e = explain(&f);
        assert!(e.summary.contains("picklist 7: 2 unit(s) picked, 3 still to pick"), "{}", e.summary);
        f.status = OrderStatus::Picked;
        f.floor.label_requested_at = Some(Timestamp::from_micros(0));
        let e = explain(&f);
        assert!(
            e.reasons.iter().any(|r| r.code == "LABEL_PENDING") && e.summary.contains("fk was asked for the label"),
            "{}",
            e.summary
        );
        f.status = OrderStatus::Packed;
        f.floor.shipment = Some(("9".into(), Some("AWB1".into()), "MANIFESTED".into(), false));
        f.floor.manifest = Some(("4".into(), "OPEN".into()));
        assert!(explain(&f).reasons.iter().any(|r| r.code == "AWAITING_HANDOVER"));
        f.floor.manifest = None;
        assert!(explain(&f).reasons.iter().any(|r| r.code == "AWAITING_MANIFEST"));
        f.status = OrderStatus::Dispatched;
        f.floor.told = Some(("PENDING".into(), Some("503 from the marketplace".into())));
        let e = explain(&f);
        assert!(e.summary.contains("not been told of the handover") && e.summary.contains("503"), "{}", e.summary);
        f.floor.told = Some(("DELIVERED".into(), None));
        assert!(explain(&f).reasons.iter().all(|r| r.code != "HANDOVER_NOT_TOLD"));
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

    #[test]
    fn with_an_erp_a_covered_order_is_not_ready_until_the_erps_invoice_of_its_purchase_order() {
        let mut f = facts(OrderStatus::Fulfillable);
        f.skus[0].short = 0;
        f.skus[0].allocated = 5;
        f.purchase_order =
            PurchaseOrderFacts { covered_by: Some(("12".into(), "AJPO-1".into())), erp: true, ..PurchaseOrderFacts::default() };
        let e = explain(&f);
        let codes: Vec<_> = e.reasons.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["AWAITING_ERP_INVOICE"], "{}", e.summary);
        assert!(e.summary.contains("AJPO-1") && e.summary.contains("ERP's invoice"), "{}", e.summary);
        f.purchase_order.erp_invoice = Some("ERP/1".into());
        assert_eq!(explain(&f).reasons[0].code, "READY");
    }

    #[test]
    fn a_purchase_order_ships_as_what_it_covers_and_says_where_its_invoice_is() {
        let mut f = facts(OrderStatus::Created);
        f.kind = OrderKind::B2b;
        f.purchase_order = PurchaseOrderFacts { covers: 2, erp: true, ..PurchaseOrderFacts::default() };
        let e = explain(&f);
        let codes: Vec<_> = e.reasons.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["PURCHASE_ORDER", "AWAITING_ERP_INVOICE"], "{}", e.summary);
        assert!(!e.summary.contains("Retry"), "a purchase order is never allocated: {}", e.summary);
        f.purchase_order.erp_invoice = Some("ERP/1".into());
        f.purchase_order.b2b_invoice = Some(B2bInvoiceFacts {
            invoice_number: "ERP/1".into(),
            source: "erp".into(),
            upload: Some(("PENDING".into(), Some("503".into()))),
        });
        let e = explain(&f);
        assert!(e.summary.contains("ERP/1 (the ERP's) is on its way to fk") && e.summary.contains("503"), "{}", e.summary);
    }
}
