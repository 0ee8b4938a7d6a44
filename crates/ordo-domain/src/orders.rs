//! The order state machine and the allocation policy (SPEC.md §2). Statuses change only through the
//! methods here, each of which checks the move against the state diagram; the store persists what
//! they decide.

use crate::Timestamp;
use crate::kinds::{FulfillmentType, HoldReason, OrderKind, OrderStatus};

impl OrderStatus {
    /// Whether the state diagram has an arrow from `self` to `next`.
    pub fn allows(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        if self == next {
            return true;
        }
        match self {
            Created => matches!(next, Fulfillable | Unfulfillable | OnHold | Cancelled),
            Fulfillable => matches!(next, OnHold | Unfulfillable | Processing | Completed | Cancelled),
            Unfulfillable => matches!(next, Fulfillable | OnHold | Completed | Cancelled),
            OnHold => matches!(next, Fulfillable | Unfulfillable | Completed | Cancelled),
            Processing => matches!(next, Picked | Completed | Cancelled),
            Picked => matches!(next, Packed | Completed | Cancelled),
            Packed => matches!(next, Dispatched | Completed | Cancelled),
            Dispatched => matches!(next, Completed | Returned),
            Completed => matches!(next, Returned),
            Cancelled | Returned => false,
        }
    }

    /// Statuses in which an order no longer changes.
    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Completed | OrderStatus::Cancelled | OrderStatus::Dispatched | OrderStatus::Returned)
    }

    /// Whether Retry (the manual allocation trigger) may start allocation in this status: while the
    /// order still takes stock or has not started.
    pub fn allows_retry(self) -> bool {
        use OrderStatus::*;
        matches!(self, Created | Fulfillable | Unfulfillable | OnHold | Processing | Picked | Packed)
    }

    /// Whether the order may be completed (short-closed at what was served) in this status.
    pub fn allows_complete(self) -> bool {
        use OrderStatus::*;
        matches!(self, Fulfillable | Unfulfillable | OnHold | Processing | Picked | Packed)
    }
}

/// The quantities of one order line. `allocated` counts every unit ever promised to the line and
/// not released again, so `dispatched ≤ packed ≤ picked ≤ allocated ≤ qty − cancelled`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineQty {
    pub qty: i64,
    pub allocated: i64,
    pub picked: i64,
    pub packed: i64,
    pub dispatched: i64,
    pub cancelled: i64,
}

impl LineQty {
    /// A new line of `qty` units with nothing done yet.
    pub fn new(qty: i64) -> Self {
        LineQty { qty, ..Default::default() }
    }
    /// Units still to be allocated.
    pub fn short(&self) -> i64 {
        self.qty - self.cancelled - self.allocated
    }
    /// Units this line holds in its stock balance's `allocated` (promised and still in the warehouse).
    pub fn holds(&self) -> i64 {
        self.allocated - self.dispatched
    }
}

/// What keeps an allocated order from being released.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Holds {
    /// The marketplace forbids packing before this time.
    pub dispatch_after: Option<Timestamp>,
    /// A replacement whose forward order's return has not been picked up.
    pub awaiting_return_pickup: bool,
    /// The marketplace put the order on hold.
    pub marketplace_hold: bool,
}

impl Holds {
    /// The first cause holding the order at `now`, if any.
    pub fn active(&self, now: Timestamp) -> Option<HoldReason> {
        if self.marketplace_hold {
            Some(HoldReason::MarketplaceHold)
        } else if self.awaiting_return_pickup {
            Some(HoldReason::AwaitingReturnPickup)
        } else if self.dispatch_after.is_some_and(|t| t > now) {
            Some(HoldReason::DispatchAfter)
        } else {
            None
        }
    }
}

/// A change of status with its reason, as the timeline records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub from: OrderStatus,
    pub to: OrderStatus,
    pub reason: String,
}

/// An operation the current status does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAllowed(pub String);

/// The part of an order the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCore {
    pub kind: OrderKind,
    pub(crate) status: OrderStatus,
    pub fulfillment_type: FulfillmentType,
    pub holds: Holds,
    /// False for a B2B order until its first Retry.
    pub allocation_started: bool,
    /// Completed (short-closed) while picked units still wait to ship.
    pub closing: bool,
    pub lines: Vec<LineQty>,
}

impl OrderCore {
    /// A new order before its first allocation: B2C orders take stock at once, B2B ones wait for Retry.
    pub fn new(kind: OrderKind, fulfillment_type: FulfillmentType, holds: Holds, lines: Vec<LineQty>) -> Self {
        OrderCore {
            kind,
            status: OrderStatus::Created,
            fulfillment_type,
            holds,
            allocation_started: kind == OrderKind::B2c,
            closing: false,
            lines,
        }
    }

    /// An order as stored.
    pub fn restore(
        kind: OrderKind,
        status: OrderStatus,
        fulfillment_type: FulfillmentType,
        holds: Holds,
        allocation_started: bool,
        closing: bool,
        lines: Vec<LineQty>,
    ) -> Self {
        OrderCore { kind, status, fulfillment_type, holds, allocation_started, closing, lines }
    }

    /// The current status.
    pub fn status(&self) -> OrderStatus {
        self.status
    }

    /// Whether the order still takes stock for its short lines.
    pub fn takes_stock(&self) -> bool {
        use OrderStatus::*;
        self.allocation_started
            && !self.closing
            && matches!(self.status, Created | Fulfillable | Unfulfillable | OnHold | Processing | Picked | Packed)
    }

    /// Units of line `i` waiting for stock (0 when the order takes no more stock).
    pub fn waiting(&self, i: usize) -> i64 {
        if self.takes_stock() { self.lines[i].short().max(0) } else { 0 }
    }

    /// Units of all lines waiting for stock.
    pub fn waiting_total(&self) -> i64 {
        (0..self.lines.len()).map(|i| self.waiting(i)).sum()
    }

    /// The hold in force at `now`, if the order is one that holds can apply to.
    pub fn hold_reason(&self, now: Timestamp) -> Option<HoldReason> {
        if self.status.is_final() { None } else { self.holds.active(now) }
    }

    pub(crate) fn move_to(&mut self, to: OrderStatus, reason: impl Into<String>) -> Option<StatusChange> {
        let from = self.status;
        if from == to {
            return None;
        }
        assert!(from.allows(to), "illegal order transition {from} -> {to}");
        self.status = to;
        Some(StatusChange { from, to, reason: reason.into() })
    }

    /// The status the pre-release part of the diagram gives now: CREATED until allocation starts,
    /// UNFULFILLABLE with nothing allocated, ONHOLD while a hold applies, FULFILLABLE otherwise.
    /// Orders already released, or final, keep their status.
    pub fn settle(&mut self, now: Timestamp, reason: &str) -> Option<StatusChange> {
        use OrderStatus::*;
        if !matches!(self.status, Created | Fulfillable | Unfulfillable | OnHold) {
            return None;
        }
        let next = if !self.allocation_started {
            Created
        } else if self.lines.iter().all(|l| l.allocated == 0) {
            Unfulfillable
        } else if self.holds.active(now).is_some() {
            OnHold
        } else {
            Fulfillable
        };
        let reason = match (next, self.holds.active(now)) {
            (OnHold, Some(h)) => format!("{reason}; held: {h}"),
            (Unfulfillable, _) => format!("{reason}; no stock could be allocated"),
            _ => reason.to_string(),
        };
        self.move_to(next, reason)
    }

    /// The manual allocation trigger (Retry): starts allocation for a B2B order. Allowed while the
    /// order still takes stock or has not started.
    pub fn start_allocation(&mut self) -> Result<(), NotAllowed> {
        if !self.status.allows_retry() || self.closing {
            return Err(NotAllowed(format!("an order in {} can't be retried", self.status)));
        }
        self.allocation_started = true;
        Ok(())
    }

    /// Adds allocated units to lines (as decided by [`allocate`]).
    pub fn add_allocation(&mut self, per_line: &[i64]) {
        for (line, add) in self.lines.iter_mut().zip(per_line) {
            debug_assert!(*add <= line.short());
            line.allocated += add;
        }
    }

    /// Cancels the order before it leaves the warehouse: every unit allocated to it goes back to
    /// stock — picked and packed units too (their parcel is unpacked: SPEC §11.5). Returns the units
    /// freed per line.
    pub fn cancel(&mut self, reason: &str) -> Result<(Vec<i64>, Option<StatusChange>), NotAllowed> {
        if self.status.is_final() {
            return Err(NotAllowed(format!("an order in {} can't be cancelled", self.status)));
        }
        let freed = self
            .lines
            .iter_mut()
            .map(|l| {
                let free = l.allocated;
                l.allocated = 0;
                l.picked = 0;
                l.packed = 0;
                l.cancelled = l.qty;
                free
            })
            .collect();
        let change = self.move_to(OrderStatus::Cancelled, reason);
        Ok((freed, change))
    }

    /// Releases a FULFILLABLE order to a picklist (→ PROCESSING), only once its start processing
    /// time (if the marketplace gave one) has come. Returns the units to pick per line.
    pub fn release(
        &mut self,
        now: Timestamp,
        start_processing_at: Option<Timestamp>,
    ) -> Result<(Vec<i64>, StatusChange), NotAllowed> {
        if self.status != OrderStatus::Fulfillable {
            return Err(NotAllowed(format!(
                "an order in {} can't be released to a picklist; only FULFILLABLE orders can",
                self.status
            )));
        }
        if let Some(t) = start_processing_at.filter(|t| *t > now) {
            return Err(NotAllowed(format!("the marketplace allows processing only from {t}")));
        }
        let to_pick = self.lines.iter().map(|l| l.allocated - l.picked).collect();
        let change = self.move_to(OrderStatus::Processing, "released to a picklist").expect("FULFILLABLE moves to PROCESSING");
        Ok((to_pick, change))
    }

    /// The marketplace reduced line `i` to `open_qty` units (a partial cancellation before packing):
    /// the units no longer wanted are cancelled and what was allocated to them (and not yet picked)
    /// is freed. Packed units can't be cancelled this way. Returns the units freed.
    pub fn reduce_line(&mut self, i: usize, open_qty: i64) -> i64 {
        if self.status.is_final() {
            return 0;
        }
        let l = &mut self.lines[i];
        let open = l.qty - l.cancelled;
        let cancel = (open - open_qty.max(0)).min(l.qty - l.cancelled - l.packed).max(0);
        if cancel == 0 {
            return 0;
        }
        l.cancelled += cancel;
        let excess = (l.allocated + l.cancelled - l.qty).max(0);
        let free = excess.min(l.allocated - l.picked);
        l.allocated -= free;
        free
    }

    /// Whether every unit of every line is cancelled.
    pub fn nothing_left(&self) -> bool {
        self.lines.iter().all(|l| l.cancelled >= l.qty)
    }

    /// Every dispatched unit is back (`all_back`): a dispatched or completed order is RETURNED.
    pub fn returned(&mut self, all_back: bool, reason: &str) -> Option<StatusChange> {
        use OrderStatus::*;
        let shipped: i64 = self.lines.iter().map(|l| l.dispatched).sum();
        if all_back && shipped > 0 && matches!(self.status, Dispatched | Completed) {
            self.move_to(Returned, reason)
        } else {
            None
        }
    }

    /// Short-closes the order at what has been served: frees allocated, unpicked units; nothing more
    /// is allocated. COMPLETED at once when no picked unit still waits to ship.
    pub fn complete(&mut self, reason: &str) -> Result<(Vec<i64>, Option<StatusChange>), NotAllowed> {
        use OrderStatus::*;
        if !self.status.allows_complete() || self.closing {
            return Err(NotAllowed(format!(
                "an order in {} can't be completed (allowed from FULFILLABLE, UNFULFILLABLE, ONHOLD, PROCESSING, PICKED, PACKED)",
                self.status
            )));
        }
        let freed = self
            .lines
            .iter_mut()
            .map(|l| {
                let free = l.allocated - l.picked;
                l.allocated = l.picked;
                l.cancelled = l.qty - l.picked;
                free
            })
            .collect();
        let to_ship: i64 = self.lines.iter().map(|l| l.picked - l.dispatched).sum();
        let change = if to_ship == 0 {
            self.move_to(Completed, reason)
        } else {
            self.closing = true;
            // Picking waits for nothing more: what is picked is all there is to pack.
            self.settle_picking(reason)
        };
        Ok((freed, change))
    }
}

/// Where an order waiting for stock stands in line (SPEC.md §2 rule 3): waiting orders are served
/// oldest first; among orders of the same age, higher priority first; then by id, so no two
/// orders tie. Sorting ascending by it gives the order of serving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServingRank {
    created_at: Timestamp,
    priority: std::cmp::Reverse<i64>,
    id: i64,
}

impl ServingRank {
    /// The rank of the order with this id, created at `created_at` with `priority`.
    pub fn new(created_at: Timestamp, priority: i64, id: i64) -> Self {
        ServingRank { created_at, priority: std::cmp::Reverse(priority), id }
    }
}

/// Decides how many units each short line gets. `shorts[i] = (key, short)` names the stock balance
/// (an index into `available`) a line draws from and how much it lacks; `available` is decremented.
/// PARTIAL takes what is there line by line; BLOCK_COMPLETE takes everything or nothing.
pub fn allocate(fulfillment: FulfillmentType, shorts: &[(usize, i64)], available: &mut [i64]) -> Vec<i64> {
    match fulfillment {
        FulfillmentType::Partial => shorts
            .iter()
            .map(|&(key, short)| {
                let take = short.max(0).min(available[key].max(0));
                available[key] -= take;
                take
            })
            .collect(),
        FulfillmentType::BlockComplete => {
            let mut need = vec![0i64; available.len()];
            for &(key, short) in shorts {
                need[key] += short.max(0);
            }
            if need.iter().zip(available.iter()).any(|(n, a)| n > a) {
                return vec![0; shorts.len()];
            }
            for (a, n) in available.iter_mut().zip(&need) {
                *a -= n;
            }
            shorts.iter().map(|&(_, short)| short.max(0)).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_micros(s * 1_000_000)
    }

    #[test]
    fn block_complete_allocates_nothing_until_whole_quantity() {
        let mut avail = vec![10];
        assert_eq!(allocate(FulfillmentType::BlockComplete, &[(0, 20)], &mut avail), vec![0]);
        assert_eq!(avail, vec![10]);
        let mut avail = vec![20];
        assert_eq!(allocate(FulfillmentType::BlockComplete, &[(0, 20)], &mut avail), vec![20]);
        let mut avail = vec![5, 5];
        assert_eq!(allocate(FulfillmentType::BlockComplete, &[(0, 3), (1, 6)], &mut avail), vec![0, 0]);
    }

    #[test]
    fn partial_takes_what_is_there_and_two_lines_of_one_sku_share_it() {
        let mut avail = vec![10];
        assert_eq!(allocate(FulfillmentType::Partial, &[(0, 6), (0, 6)], &mut avail), vec![6, 4]);
        assert_eq!(avail, vec![0]);
    }

    #[test]
    fn b2b_waits_for_retry_then_settles_by_what_was_allocated() {
        let mut o = OrderCore::new(OrderKind::B2b, FulfillmentType::Partial, Holds::default(), vec![LineQty::new(20)]);
        assert_eq!(o.settle(t(0), "created"), None);
        assert_eq!(o.status(), OrderStatus::Created);
        assert_eq!(o.waiting_total(), 0);
        o.start_allocation().unwrap();
        assert_eq!(o.settle(t(0), "retry").unwrap().to, OrderStatus::Unfulfillable);
        o.add_allocation(&[10]);
        assert_eq!(o.settle(t(0), "stock").unwrap().to, OrderStatus::Fulfillable);
        assert_eq!(o.waiting_total(), 10);
    }

    #[test]
    fn dispatch_after_holds_until_the_time_passes() {
        let holds = Holds { dispatch_after: Some(t(7200)), ..Holds::default() };
        let mut o = OrderCore::new(OrderKind::B2c, FulfillmentType::Partial, holds, vec![LineQty::new(1)]);
        o.add_allocation(&[1]);
        assert_eq!(o.settle(t(0), "created").unwrap().to, OrderStatus::OnHold);
        assert_eq!(o.settle(t(7199), "tick"), None);
        assert_eq!(o.settle(t(7200), "tick").unwrap().to, OrderStatus::Fulfillable);
    }

    #[test]
    fn complete_frees_unpicked_units_and_waits_for_picked_ones_to_ship() {
        let mut o = OrderCore::new(OrderKind::B2b, FulfillmentType::Partial, Holds::default(), vec![LineQty::new(20)]);
        o.start_allocation().unwrap();
        o.add_allocation(&[10]);
        o.settle(t(0), "x");
        let (freed, change) = o.complete("short-close").unwrap();
        assert_eq!((freed, change.unwrap().to), (vec![10], OrderStatus::Completed));
        assert_eq!(o.lines[0], LineQty { qty: 20, cancelled: 20, ..LineQty::default() });
        assert!(o.complete("again").is_err());
    }

    #[test]
    fn cancel_frees_what_is_not_packed_and_is_final() {
        let mut o =
            OrderCore::new(OrderKind::B2c, FulfillmentType::Partial, Holds::default(), vec![LineQty::new(3), LineQty::new(2)]);
        o.add_allocation(&[3, 1]);
        o.settle(t(0), "x");
        let (freed, change) = o.cancel("customer").unwrap();
        assert_eq!(freed, vec![3, 1]);
        assert_eq!(change.unwrap().to, OrderStatus::Cancelled);
        assert_eq!(o.waiting_total(), 0);
        assert!(o.cancel("again").is_err());
        assert!(o.complete("no").is_err());
    }

    #[test]
    fn a_partial_marketplace_cancellation_frees_the_units_no_longer_wanted() {
        let mut o = OrderCore::new(OrderKind::B2c, FulfillmentType::Partial, Holds::default(), vec![LineQty::new(5)]);
        o.add_allocation(&[4]);
        assert_eq!(o.reduce_line(0, 2), 2);
        assert_eq!(o.lines[0], LineQty { qty: 5, allocated: 2, cancelled: 3, ..LineQty::default() });
        assert_eq!(o.reduce_line(0, 2), 0, "the same update again changes nothing");
        assert!(!o.nothing_left());
        o.reduce_line(0, 0);
        assert!(o.nothing_left());
    }

    #[test]
    fn waiting_orders_are_served_oldest_first_then_by_priority_then_by_id() {
        // (id, created at, priority)
        let mut orders = [(1, 20, 9), (2, 10, 0), (3, 10, 5), (4, 10, 5), (5, 30, -1)];
        orders.sort_by_key(|&(id, at, priority)| ServingRank::new(t(at), priority, id));
        let served: Vec<i64> = orders.iter().map(|o| o.0).collect();
        assert_eq!(served, vec![3, 4, 2, 1, 5]);
    }

    #[test]
    fn the_diagram_has_no_way_back_from_final_statuses() {
        for s in OrderStatus::ALL {
            assert!(!OrderStatus::Cancelled.allows(*s) || *s == OrderStatus::Cancelled);
            // A completed order's dispatched units may still all come back: RETURNED is forward.
            assert!(!OrderStatus::Completed.allows(*s) || matches!(*s, OrderStatus::Completed | OrderStatus::Returned));
            assert!(!OrderStatus::Returned.allows(*s) || *s == OrderStatus::Returned);
        }
        assert!(!OrderStatus::Created.allows(OrderStatus::Processing));
        assert!(!OrderStatus::Unfulfillable.allows(OrderStatus::Processing));
    }

    proptest! {
        #[test]
        fn allocation_never_exceeds_what_is_available(
            fulfillment in prop_oneof![Just(FulfillmentType::Partial), Just(FulfillmentType::BlockComplete)],
            shorts in prop::collection::vec((0..3usize, 0..20i64), 1..6),
            avail in prop::collection::vec(0..30i64, 3),
        ) {
            let mut left = avail.clone();
            let taken = allocate(fulfillment, &shorts, &mut left);
            for k in 0..3 {
                let used: i64 = shorts.iter().zip(&taken).filter(|((key, _), _)| *key == k).map(|(_, t)| t).sum();
                prop_assert_eq!(avail[k] - used, left[k]);
                prop_assert!(left[k] >= 0);
            }
            for ((_, short), took) in shorts.iter().zip(&taken) {
                prop_assert!(*took >= 0 && took <= short);
            }
            if fulfillment == FulfillmentType::BlockComplete {
                let all = shorts.iter().zip(&taken).all(|((_, s), t)| s == t);
                let none = taken.iter().all(|t| *t == 0);
                prop_assert!(all || none);
            }
        }
    }
}
