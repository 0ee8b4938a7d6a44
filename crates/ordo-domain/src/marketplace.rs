//! What a marketplace's word does to an order (SPEC.md §2): an order that arrives with units its
//! marketplace cancelled already, and the update of an order it sent before — the header fields
//! only it changes, its holds, and the lines it reduced.

use crate::Timestamp;
use crate::kinds::{FulfillmentType, OrderKind, OrderStatus};
use crate::orders::{Holds, LineQty, OrderCore, StatusChange};

/// The header fields of an order that only its marketplace changes (its holds are in [`OrderCore`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarketplaceHeader {
    /// The marketplace's id of the order this one belongs to.
    pub parent_order_id: Option<String>,
    /// The order is released to picking only from this time.
    pub start_processing_at: Option<Timestamp>,
    /// The status the marketplace last reported, in its own words.
    pub marketplace_status: Option<String>,
}

/// What a marketplace says of an order's header and holds each time it sends the order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeaderUpdate<'a> {
    /// Kept as stored when the marketplace does not say.
    pub parent_order_id: Option<&'a str>,
    /// Replaces the stored time, also with none.
    pub start_processing_at: Option<Timestamp>,
    /// Kept as stored when the marketplace does not say.
    pub marketplace_status: Option<&'a str>,
    /// The hold until this time, replacing the stored one (none lifts it).
    pub dispatch_after: Option<Timestamp>,
    /// Whether the marketplace holds the order.
    pub marketplace_hold: bool,
}

/// What applying a marketplace's update did to an order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateOutcome {
    /// Whether anything of the order changed.
    pub changed: bool,
    /// Units freed per line by the lines the marketplace reduced.
    pub freed: Vec<i64>,
    /// When the update left no unit to serve: the order was cancelled, freeing these units per line.
    pub cancelled: Option<Vec<i64>>,
    /// The status changes the update made, for the timeline.
    pub changes: Vec<StatusChange>,
}

/// A new order as its marketplace sends it. `lines` gives each line's `(qty, cancelled)`, the
/// units the marketplace cancelled before the order reached Ordo (held to `0..=qty`). An order
/// with every unit cancelled is created CANCELLED, so it takes no stock; the change is returned
/// for the timeline.
pub fn arrive(
    kind: OrderKind,
    fulfillment_type: FulfillmentType,
    holds: Holds,
    lines: impl IntoIterator<Item = (i64, i64)>,
) -> (OrderCore, Option<StatusChange>) {
    let lines = lines.into_iter().map(|(qty, cancelled)| LineQty { cancelled: cancelled.clamp(0, qty), ..LineQty::new(qty) });
    let mut core = OrderCore::new(kind, fulfillment_type, holds, lines.collect());
    let mut change = None;
    if core.nothing_left()
        && let Ok((_, cancelled)) = core.cancel("every unit was cancelled on the marketplace before the order arrived")
    {
        change = cancelled;
    }
    (core, change)
}

/// Applies a marketplace's latest word on an order it sent before, as far as the order can still
/// change: the header and holds until it is packed, and the lines it reduced (matched by the
/// marketplace's line id: `line_ids` gives each stored line's, in order, and `wanted` the units a
/// marketplace line still wants). An update that leaves no unit to serve cancels the order.
pub fn apply_update<'a>(
    core: &mut OrderCore,
    header: &mut MarketplaceHeader,
    line_ids: impl IntoIterator<Item = Option<&'a str>>,
    wanted: impl Fn(&str) -> Option<i64>,
    update: HeaderUpdate<'_>,
) -> UpdateOutcome {
    let mut lines_changed = false;
    let mut freed = vec![0; core.lines.len()];
    for (i, id) in line_ids.into_iter().enumerate().take(freed.len()) {
        let Some(open_qty) = id.and_then(&wanted) else { continue };
        let before = core.lines[i];
        freed[i] = core.reduce_line(i, open_qty);
        lines_changed |= core.lines[i] != before;
    }
    let header_changed = apply_header_update(core, header, update);
    let mut outcome = UpdateOutcome { changed: header_changed || lines_changed, freed, ..UpdateOutcome::default() };
    if outcome.changed
        && core.nothing_left()
        && let Ok((more, change)) = core.cancel("every unit was cancelled on the marketplace")
    {
        outcome.cancelled = Some(more);
        outcome.changes.extend(change);
    }
    outcome
}

/// Applies the header and holds a marketplace sent, unless the order is packed or past it.
/// Returns whether anything changed.
pub fn apply_header_update(core: &mut OrderCore, header: &mut MarketplaceHeader, update: HeaderUpdate<'_>) -> bool {
    use OrderStatus::*;
    if matches!(core.status(), Packed | Dispatched | Completed | Cancelled) {
        return false;
    }
    let holds_before = core.holds;
    core.holds.dispatch_after = update.dispatch_after;
    core.holds.marketplace_hold = update.marketplace_hold;
    let mut changed = core.holds != holds_before;
    if header.start_processing_at != update.start_processing_at {
        header.start_processing_at = update.start_processing_at;
        changed = true;
    }
    changed |= replace_if_said(&mut header.parent_order_id, update.parent_order_id);
    changed |= replace_if_said(&mut header.marketplace_status, update.marketplace_status);
    changed
}

/// Sets `stored` to what the marketplace said, if it said anything. Returns whether it changed.
fn replace_if_said(stored: &mut Option<String>, said: Option<&str>) -> bool {
    match said {
        Some(s) if stored.as_deref() != Some(s) => {
            *stored = Some(s.to_string());
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_micros(s * 1_000_000)
    }

    /// A B2C order of the given line quantities, allocated in full and FULFILLABLE.
    fn allocated(qtys: &[i64]) -> OrderCore {
        let (mut core, _) = arrive(OrderKind::B2c, FulfillmentType::Partial, Holds::default(), qtys.iter().map(|q| (*q, 0)));
        core.add_allocation(qtys);
        core.settle(t(0), "allocated");
        core
    }

    fn header() -> MarketplaceHeader {
        MarketplaceHeader {
            parent_order_id: Some("P-1".into()),
            start_processing_at: Some(t(10)),
            marketplace_status: Some("Created".into()),
        }
    }

    /// The update that says again what `header()` and default holds say.
    fn same_again() -> HeaderUpdate<'static> {
        HeaderUpdate {
            parent_order_id: Some("P-1"),
            start_processing_at: Some(t(10)),
            marketplace_status: Some("Created"),
            ..HeaderUpdate::default()
        }
    }

    #[test]
    fn an_order_with_every_unit_cancelled_arrives_cancelled_and_takes_no_stock() {
        let (core, change) = arrive(OrderKind::B2c, FulfillmentType::Partial, Holds::default(), [(2, 2), (1, 5)]);
        assert_eq!(core.status(), OrderStatus::Cancelled);
        assert!(!core.takes_stock());
        assert_eq!(core.waiting_total(), 0);
        let change = change.expect("the cancellation is on the timeline");
        assert_eq!((change.from, change.to), (OrderStatus::Created, OrderStatus::Cancelled));
        assert!(change.reason.contains("before the order arrived"));
    }

    #[test]
    fn an_order_with_units_left_arrives_created_with_its_cancelled_units_held_to_the_line() {
        let (core, change) = arrive(OrderKind::B2c, FulfillmentType::Partial, Holds::default(), [(3, 1), (2, -4), (1, 9)]);
        assert_eq!(change, None);
        assert_eq!(core.status(), OrderStatus::Created);
        let cancelled: Vec<i64> = core.lines.iter().map(|l| l.cancelled).collect();
        assert_eq!(cancelled, vec![1, 0, 1]);
        assert_eq!(core.waiting_total(), 4);
    }

    #[test]
    fn the_same_word_again_changes_nothing() {
        let (mut core, mut h) = (allocated(&[2]), header());
        let outcome = apply_update(&mut core, &mut h, [Some("L1")], |_| Some(2), same_again());
        assert_eq!(outcome, UpdateOutcome { freed: vec![0], ..UpdateOutcome::default() });
        assert_eq!(h, header());
    }

    #[test]
    fn the_header_and_holds_follow_the_marketplace_but_unsaid_ids_and_words_stay() {
        let (mut core, mut h) = (allocated(&[1]), header());
        let update = HeaderUpdate {
            parent_order_id: None,
            start_processing_at: None,
            marketplace_status: Some("Shipped soon"),
            dispatch_after: Some(t(50)),
            marketplace_hold: true,
        };
        assert!(apply_header_update(&mut core, &mut h, update));
        assert_eq!(h.parent_order_id.as_deref(), Some("P-1"));
        assert_eq!(h.start_processing_at, None);
        assert_eq!(h.marketplace_status.as_deref(), Some("Shipped soon"));
        assert_eq!(core.holds, Holds { dispatch_after: Some(t(50)), marketplace_hold: true, ..Holds::default() });
        assert!(!apply_header_update(&mut core, &mut h, update), "the same update again");
    }

    #[test]
    fn a_cancelled_order_keeps_its_header() {
        let (mut core, mut h) = (allocated(&[1]), header());
        core.cancel("customer").unwrap();
        let update = HeaderUpdate { marketplace_status: Some("Other"), marketplace_hold: true, ..same_again() };
        assert!(!apply_header_update(&mut core, &mut h, update));
        assert_eq!(h, header());
        assert!(!core.holds.marketplace_hold);
    }

    #[test]
    fn a_reduced_line_frees_its_units_and_lines_without_a_marketplace_id_stay() {
        let (mut core, mut h) = (allocated(&[5, 3]), header());
        let wanted = |id: &str| (id == "L1").then_some(2);
        let outcome = apply_update(&mut core, &mut h, [Some("L1"), None], wanted, same_again());
        assert!(outcome.changed);
        assert_eq!(outcome.freed, vec![3, 0]);
        assert_eq!(outcome.cancelled, None);
        assert_eq!((core.lines[0].cancelled, core.lines[0].allocated), (3, 2));
        assert_eq!(core.lines[1], LineQty { qty: 3, allocated: 3, ..LineQty::default() });
    }

    #[test]
    fn an_update_that_leaves_no_unit_cancels_the_order() {
        let (mut core, mut h) = (allocated(&[2, 1]), header());
        let outcome = apply_update(&mut core, &mut h, [Some("L1"), Some("L2")], |_| Some(0), same_again());
        assert!(outcome.changed);
        assert_eq!(outcome.freed, vec![2, 1]);
        assert_eq!(outcome.cancelled, Some(vec![0, 0]), "the reductions freed everything already");
        assert_eq!(outcome.changes.iter().map(|c| c.to).collect::<Vec<_>>(), vec![OrderStatus::Cancelled]);
        assert_eq!(core.status(), OrderStatus::Cancelled);
    }
}
