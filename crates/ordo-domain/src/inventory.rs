//! Stock balances and the rules that change them. Every change is planned here as ledger lines;
//! the store applies the lines to the balances and writes them to the ledger in one transaction.

use crate::kinds::{LedgerKind, Pool, UnitStatus};

/// Stock of one SKU in one pool of one warehouse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balance {
    /// LIVE units on hand (allocatable, including those allocated).
    pub live: i64,
    /// RECYCLE units on hand (never allocated).
    pub recycle: i64,
    /// LIVE units promised to orders.
    pub allocated: i64,
}

impl Balance {
    /// LIVE units not promised to any order.
    pub fn available(&self) -> i64 {
        self.live - self.allocated
    }

    /// The invariant of SPEC.md §3: `0 ≤ allocated ≤ live` and nothing negative.
    pub fn is_valid(&self) -> bool {
        self.recycle >= 0 && self.allocated >= 0 && self.allocated <= self.live
    }

    /// This balance with one ledger line applied.
    pub fn apply(mut self, line: &LedgerLine) -> Balance {
        match line.status {
            UnitStatus::Live => self.live += line.qty_delta,
            UnitStatus::Recycle => self.recycle += line.qty_delta,
        }
        self.allocated += line.allocated_delta;
        self
    }
}

/// One change to one balance, as the ledger records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerLine {
    pub kind: LedgerKind,
    pub pool: Pool,
    /// Which units changed: `qty_delta` counts LIVE or RECYCLE units.
    pub status: UnitStatus,
    /// Units added (positive) or removed (negative).
    pub qty_delta: i64,
    /// Change in units promised to orders (only for LIVE).
    pub allocated_delta: i64,
}

impl LedgerLine {
    fn units(kind: LedgerKind, pool: Pool, status: UnitStatus, qty_delta: i64) -> Self {
        LedgerLine { kind, pool, status, qty_delta, allocated_delta: 0 }
    }
}

/// A change of stock asked for by a user or a system, before it is checked against the balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockChange {
    /// Units received into a pool, LIVE.
    Grn { pool: Pool, qty: i64 },
    /// LIVE units moved from one pool to another.
    Move { from: Pool, to: Pool, qty: i64 },
    /// Units of a pool changed between LIVE and RECYCLE.
    SetStatus { pool: Pool, from: UnitStatus, to: UnitStatus, qty: i64 },
    /// LIVE units counted in or out (cycle count).
    Adjust { pool: Pool, delta: i64 },
}

impl StockChange {
    /// The pools whose balances this change reads and writes, sorted (the global lock order).
    pub fn pools(&self) -> Vec<Pool> {
        let mut pools = match *self {
            StockChange::Grn { pool, .. } | StockChange::SetStatus { pool, .. } | StockChange::Adjust { pool, .. } => vec![pool],
            StockChange::Move { from, to, .. } => vec![from, to],
        };
        pools.sort();
        pools.dedup();
        pools
    }
}

/// Why a stock change was refused. Nothing is changed when a change is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The change itself makes no sense (same pool, same status, zero quantity).
    Invalid { field: &'static str, message: String },
    /// Fewer free units than asked for: the rest are missing or held by orders.
    NotEnoughFree { pool: Pool, status: UnitStatus, asked: i64, on_hand: i64, allocated: i64 },
}

impl Refusal {
    /// The refusal in words; `holders` names the orders holding the allocated units, if known.
    pub fn message(&self, holders: &[String]) -> String {
        match self {
            Refusal::Invalid { message, .. } => message.clone(),
            Refusal::NotEnoughFree { pool, status, asked, on_hand, allocated } => {
                let free = on_hand - allocated;
                let mut m = format!("asked for {asked} {status} units in {pool} but only {free} are free ({on_hand} on hand");
                if *allocated > 0 {
                    m.push_str(&format!(", {allocated} allocated"));
                    if !holders.is_empty() {
                        m.push_str(&format!(" to orders {}", holders.join(", ")));
                    }
                }
                m.push(')');
                if *allocated > 0 && free < *asked {
                    m.push_str(
                        "; allocated units can't be moved, recycled or adjusted away: cancel or complete those orders first",
                    );
                }
                m
            }
        }
    }
}

/// Checks `change` against the current balances (`balance_of(pool)`) and plans its ledger lines.
pub fn plan(change: StockChange, balance_of: impl Fn(Pool) -> Balance) -> Result<Vec<LedgerLine>, Refusal> {
    use LedgerKind as K;
    use UnitStatus::{Live, Recycle};
    let need_free = |pool: Pool, asked: i64| {
        let b = balance_of(pool);
        if b.available() < asked {
            Err(Refusal::NotEnoughFree { pool, status: Live, asked, on_hand: b.live, allocated: b.allocated })
        } else {
            Ok(())
        }
    };
    let lines = match change {
        StockChange::Grn { pool, qty } => vec![LedgerLine::units(K::Grn, pool, Live, qty)],
        StockChange::Move { from, to, qty } => {
            if from == to {
                return Err(Refusal::Invalid { field: "to_pool", message: "to_pool must differ from from_pool".into() });
            }
            need_free(from, qty)?;
            vec![LedgerLine::units(K::Move, from, Live, -qty), LedgerLine::units(K::Move, to, Live, qty)]
        }
        StockChange::SetStatus { pool, from, to, qty } => {
            if from == to {
                return Err(Refusal::Invalid { field: "to_status", message: "to_status must differ from from_status".into() });
            }
            match from {
                Live => need_free(pool, qty)?,
                Recycle => {
                    let b = balance_of(pool);
                    if b.recycle < qty {
                        return Err(Refusal::NotEnoughFree {
                            pool,
                            status: Recycle,
                            asked: qty,
                            on_hand: b.recycle,
                            allocated: 0,
                        });
                    }
                }
            }
            let kind = if to == Recycle { K::Recycle } else { K::Live };
            vec![LedgerLine::units(kind, pool, from, -qty), LedgerLine::units(kind, pool, to, qty)]
        }
        StockChange::Adjust { pool, delta } => {
            if delta == 0 {
                return Err(Refusal::Invalid { field: "qty_delta", message: "qty_delta must not be 0".into() });
            }
            if delta < 0 {
                need_free(pool, -delta)?;
            }
            vec![LedgerLine::units(K::Adjust, pool, Live, delta)]
        }
    };
    Ok(lines)
}

/// Whether a change can make stock allocatable to waiting orders (SPEC.md §2 rule 3).
pub fn frees_stock(change: &StockChange) -> bool {
    match *change {
        StockChange::Grn { .. } | StockChange::Move { .. } => true,
        StockChange::SetStatus { to, .. } => to == UnitStatus::Live,
        StockChange::Adjust { delta, .. } => delta > 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn apply_all(balances: &mut BTreeMap<Pool, Balance>, lines: &[LedgerLine]) {
        for l in lines {
            let b = balances.entry(l.pool).or_default();
            *b = b.apply(l);
        }
    }

    #[test]
    fn allocated_units_cannot_be_moved_out_of_their_pool() {
        let b = Balance { live: 10, recycle: 0, allocated: 8 };
        let r = plan(StockChange::Move { from: Pool::QcPass, to: Pool::QcFail, qty: 3 }, |_| b).unwrap_err();
        assert!(matches!(r, Refusal::NotEnoughFree { asked: 3, on_hand: 10, allocated: 8, .. }));
        assert!(r.message(&["42".into()]).contains("to orders 42"));
    }

    #[test]
    fn recycle_and_back_keeps_units_on_hand() {
        let mut m = BTreeMap::new();
        apply_all(&mut m, &plan(StockChange::Grn { pool: Pool::QcPass, qty: 5 }, |_| Balance::default()).unwrap());
        let b = m[&Pool::QcPass];
        apply_all(
            &mut m,
            &plan(StockChange::SetStatus { pool: Pool::QcPass, from: UnitStatus::Live, to: UnitStatus::Recycle, qty: 5 }, |_| b)
                .unwrap(),
        );
        assert_eq!(m[&Pool::QcPass], Balance { live: 0, recycle: 5, allocated: 0 });
    }

    fn any_change() -> impl Strategy<Value = StockChange> {
        let pool = prop_oneof![Just(Pool::QcPass), Just(Pool::QcFail)];
        let status = prop_oneof![Just(UnitStatus::Live), Just(UnitStatus::Recycle)];
        prop_oneof![
            (pool.clone(), 1..20i64).prop_map(|(pool, qty)| StockChange::Grn { pool, qty }),
            (pool.clone(), pool.clone(), 1..20i64).prop_map(|(from, to, qty)| StockChange::Move { from, to, qty }),
            (pool.clone(), status.clone(), status, 1..20i64)
                .prop_map(|(pool, from, to, qty)| { StockChange::SetStatus { pool, from, to, qty } }),
            (pool, -20..20i64).prop_map(|(pool, delta)| StockChange::Adjust { pool, delta }),
        ]
    }

    proptest! {
        #[test]
        fn planned_changes_never_break_the_invariant(changes in prop::collection::vec(any_change(), 1..60), alloc in 0..10i64) {
            let mut m: BTreeMap<Pool, Balance> = BTreeMap::new();
            m.insert(Pool::QcPass, Balance { live: alloc, recycle: 0, allocated: alloc });
            for c in changes {
                let snapshot = m.clone();
                if let Ok(lines) = plan(c, |p| snapshot.get(&p).copied().unwrap_or_default()) {
                    apply_all(&mut m, &lines);
                }
                for b in m.values() {
                    prop_assert!(b.is_valid(), "{b:?}");
                }
            }
        }
    }
}
