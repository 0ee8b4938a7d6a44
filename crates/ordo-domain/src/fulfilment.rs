//! Picking, short picks, packing and handover of an order (SPEC.md §11), as moves of the state
//! machine in [`crate::orders`]. The store persists what these decide; stock and ledger lines are
//! planned by [`crate::inventory`].

use crate::kinds::{OrderKind, OrderStatus};
use crate::orders::{NotAllowed, OrderCore, StatusChange};

/// What happens to units of a line that were short at picking and could not be served again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unserved {
    /// B2C: the units are cancelled; the order goes on with the rest.
    Cancelled,
    /// B2B: the units wait for stock like any waiting order (rule 3), or a short-close (rule 8).
    Waiting,
}

impl OrderCore {
    /// Units of line `i` allocated and not yet picked.
    pub fn unpicked(&self, i: usize) -> i64 {
        let l = &self.lines[i];
        l.allocated - l.picked
    }

    fn check_picking(&self, i: usize, qty: i64, what: &str) -> Result<(), NotAllowed> {
        if self.status() != OrderStatus::Processing {
            return Err(NotAllowed(format!("an order in {} has nothing to {what}; only PROCESSING orders do", self.status())));
        }
        if qty <= 0 || qty > self.unpicked(i) {
            return Err(NotAllowed(format!("{qty} units asked, {} open on the line", self.unpicked(i))));
        }
        Ok(())
    }

    /// Records `qty` units of line `i` as picked; the order is PICKED once every unit to ship is.
    pub fn pick(&mut self, i: usize, qty: i64) -> Result<Option<StatusChange>, NotAllowed> {
        self.check_picking(i, qty, "pick")?;
        self.lines[i].picked += qty;
        Ok(self.settle_picking("every unit picked"))
    }

    /// `qty` units of line `i` can't be picked (not found, or damaged): their allocation is released.
    /// The caller then tries to serve the line again from other stock of its pool
    /// ([`OrderCore::add_allocation`]) and settles what it could not serve with
    /// [`OrderCore::leave_unserved`].
    pub fn short_pick(&mut self, i: usize, qty: i64) -> Result<(), NotAllowed> {
        self.check_picking(i, qty, "short-pick")?;
        self.lines[i].allocated -= qty;
        Ok(())
    }

    /// Settles `qty` short units of line `i` that could not be served again: a B2C order cancels them
    /// (and goes on with the rest), a B2B order waits for them.
    pub fn leave_unserved(&mut self, i: usize, qty: i64) -> Unserved {
        match self.kind {
            OrderKind::B2c => {
                let l = &mut self.lines[i];
                l.cancelled = (l.cancelled + qty).min(l.qty - l.allocated);
                Unserved::Cancelled
            }
            OrderKind::B2b => Unserved::Waiting,
        }
    }

    /// The status picking gives: CANCELLED when nothing is left to ship, PICKED when every unit to
    /// ship is picked and none waits for stock (a short-closed order waits for nothing), PROCESSING
    /// otherwise.
    pub fn settle_picking(&mut self, reason: &str) -> Option<StatusChange> {
        if !matches!(self.status(), OrderStatus::Processing | OrderStatus::Picked) {
            return None;
        }
        let to_ship: i64 = self.lines.iter().map(|l| l.allocated).sum();
        let waiting = self.waiting_total();
        let all_picked = self.lines.iter().all(|l| l.picked == l.allocated);
        if to_ship == 0 && waiting == 0 {
            return self.move_to(OrderStatus::Cancelled, format!("{reason}; nothing is left to ship"));
        }
        let next = if all_picked && waiting == 0 && to_ship > 0 { OrderStatus::Picked } else { OrderStatus::Processing };
        if self.status() == OrderStatus::Picked && next == OrderStatus::Processing {
            // PICKED never goes back: more units only arrive while an order is PROCESSING.
            return None;
        }
        self.move_to(next, reason)
    }

    /// Packs every picked unit into one shipment: PICKED → PACKED. Returns the units packed per line.
    pub fn pack(&mut self) -> Result<(Vec<i64>, StatusChange), NotAllowed> {
        if self.status() != OrderStatus::Picked {
            return Err(NotAllowed(format!("an order in {} can't be packed; only PICKED orders can", self.status())));
        }
        let packed = self
            .lines
            .iter_mut()
            .map(|l| {
                let n = l.picked - l.packed;
                l.packed = l.picked;
                n
            })
            .collect();
        let change = self.move_to(OrderStatus::Packed, "packed").expect("PICKED moves to PACKED");
        Ok((packed, change))
    }

    /// Hands the packed units over to the carrier: PACKED → DISPATCHED, or COMPLETED for a
    /// short-closed order. Returns the units that leave stock per line.
    pub fn dispatch(&mut self) -> Result<(Vec<i64>, StatusChange), NotAllowed> {
        if self.status() != OrderStatus::Packed {
            return Err(NotAllowed(format!("an order in {} can't be handed over; only PACKED orders can", self.status())));
        }
        let leaving = self
            .lines
            .iter_mut()
            .map(|l| {
                let n = l.packed - l.dispatched;
                l.dispatched = l.packed;
                n
            })
            .collect();
        let (to, reason) = if self.closing {
            (OrderStatus::Completed, "handed over; short-closed at what was served")
        } else {
            (OrderStatus::Dispatched, "handed over to the carrier")
        };
        let change = self.move_to(to, reason).expect("PACKED moves to DISPATCHED or COMPLETED");
        Ok((leaving, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;
    use crate::kinds::FulfillmentType;
    use crate::orders::{Holds, LineQty};

    fn released(kind: OrderKind, qty: &[i64]) -> OrderCore {
        let mut o =
            OrderCore::new(kind, FulfillmentType::Partial, Holds::default(), qty.iter().map(|q| LineQty::new(*q)).collect());
        o.start_allocation().unwrap();
        o.add_allocation(qty);
        o.settle(Timestamp::from_micros(0), "allocated");
        o.release(Timestamp::from_micros(0), None).unwrap();
        o
    }

    #[test]
    fn an_order_is_picked_when_every_unit_is_and_a_fourth_unit_is_refused() {
        let mut o = released(OrderKind::B2c, &[3]);
        assert_eq!(o.pick(0, 1).unwrap(), None);
        assert_eq!(o.pick(0, 1).unwrap(), None);
        assert_eq!(o.pick(0, 1).unwrap().unwrap().to, OrderStatus::Picked);
        assert!(o.pick(0, 1).is_err());
    }

    #[test]
    fn a_b2c_short_pick_not_served_again_cancels_the_units_and_goes_on_with_the_rest() {
        let mut o = released(OrderKind::B2c, &[5]);
        o.pick(0, 3).unwrap();
        o.short_pick(0, 2).unwrap();
        assert_eq!(o.leave_unserved(0, 2), Unserved::Cancelled);
        assert_eq!(o.settle_picking("short").unwrap().to, OrderStatus::Picked);
        assert_eq!(o.lines[0], LineQty { qty: 5, allocated: 3, picked: 3, cancelled: 2, ..LineQty::default() });
    }

    #[test]
    fn a_b2b_order_short_closed_with_every_allocated_unit_picked_is_picked_and_completes_at_dispatch() {
        let mut o = OrderCore::new(OrderKind::B2b, FulfillmentType::Partial, Holds::default(), vec![LineQty::new(5)]);
        o.start_allocation().unwrap();
        o.add_allocation(&[3]);
        o.settle(Timestamp::from_micros(0), "allocated");
        o.release(Timestamp::from_micros(0), None).unwrap();
        o.pick(0, 3).unwrap();
        assert_eq!(o.status(), OrderStatus::Processing, "2 units still wait for stock");
        let (freed, change) = o.complete("short-close").unwrap();
        assert_eq!((freed, change.unwrap().to), (vec![0], OrderStatus::Picked));
        o.pack().unwrap();
        assert_eq!(o.dispatch().unwrap().1.to, OrderStatus::Completed);
    }

    #[test]
    fn a_b2c_order_whose_every_unit_is_short_is_cancelled() {
        let mut o = released(OrderKind::B2c, &[2]);
        o.short_pick(0, 2).unwrap();
        o.leave_unserved(0, 2);
        assert_eq!(o.settle_picking("short").unwrap().to, OrderStatus::Cancelled);
    }

    #[test]
    fn a_short_line_served_again_stays_to_pick() {
        let mut o = released(OrderKind::B2c, &[5]);
        o.short_pick(0, 2).unwrap();
        o.add_allocation(&[2]);
        assert_eq!(o.settle_picking("short"), None);
        assert_eq!(o.unpicked(0), 5);
    }

    #[test]
    fn a_b2b_short_pick_waits_for_stock_until_served_or_short_closed() {
        let mut o = released(OrderKind::B2b, &[5]);
        o.pick(0, 3).unwrap();
        o.short_pick(0, 2).unwrap();
        assert_eq!(o.leave_unserved(0, 2), Unserved::Waiting);
        assert_eq!(o.settle_picking("short"), None, "still PROCESSING: 2 units wait");
        assert_eq!(o.waiting_total(), 2);
        let (_, change) = o.complete("short-close").unwrap();
        assert_eq!(change.unwrap().to, OrderStatus::Picked, "what is picked is all there is to pack");
        o.pack().unwrap();
        let (leaving, change) = o.dispatch().unwrap();
        assert_eq!((leaving, change.to), (vec![3], OrderStatus::Completed));
    }

    #[test]
    fn packing_and_handover_move_every_picked_unit_once() {
        let mut o = released(OrderKind::B2c, &[2, 1]);
        assert!(o.pack().is_err(), "nothing picked yet");
        o.pick(0, 2).unwrap();
        o.pick(1, 1).unwrap();
        let (packed, change) = o.pack().unwrap();
        assert_eq!((packed, change.to), (vec![2, 1], OrderStatus::Packed));
        assert!(o.pack().is_err());
        let (leaving, change) = o.dispatch().unwrap();
        assert_eq!((leaving, change.to), (vec![2, 1], OrderStatus::Dispatched));
        assert!(o.dispatch().is_err());
    }
}
