//! Returns (SPEC.md §12): units of a dispatched order expected back, received through QC, and
//! settled offline with the marketplace where they failed QC or never arrived.

use crate::Timestamp;
use crate::kinds::{ReturnKind, ReturnStatus, SettlementReason};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Units of one order line expected back, and what QC made of those received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReturnLine {
    pub line_id: String,
    pub sku: String,
    /// Units expected.
    pub qty: i64,
    /// Units received (`qc_pass + qc_fail`).
    pub received: i64,
    pub qc_pass: i64,
    pub qc_fail: i64,
    /// Units expected and not in the parcel.
    pub missing: i64,
}

/// Units to settle with the marketplace offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SettlementItem {
    pub sku: String,
    pub qty: i64,
    pub reason: SettlementReason,
}

/// A return's offline settlement: its QC-failed and missing units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Settlement {
    /// `OFFLINE`: settled with the marketplace outside Ordo.
    pub status: String,
    pub items: Vec<SettlementItem>,
}

/// Units of a dispatched order coming back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Return {
    pub id: String,
    pub order_id: String,
    pub channel: String,
    pub kind: ReturnKind,
    /// The marketplace's id of the return, when it has one.
    pub channel_return_id: Option<String>,
    pub status: ReturnStatus,
    pub awb: Option<String>,
    pub lines: Vec<ReturnLine>,
    pub settlement: Option<Settlement>,
    /// The ERP's credit note, once recorded.
    #[schema(value_type = Option<Object>)]
    pub credit_note: Option<serde_json::Value>,
    pub created_at: Timestamp,
    pub received_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

impl Return {
    /// The offline settlement of received lines: their QC-failed and missing units, per SKU.
    pub fn settlement_of(lines: &[ReturnLine]) -> Option<Settlement> {
        let mut items: Vec<SettlementItem> = Vec::new();
        for (reason, qty_of) in [
            (SettlementReason::QcFail, (|l: &ReturnLine| l.qc_fail) as fn(&ReturnLine) -> i64),
            (SettlementReason::Missing, |l| l.missing),
        ] {
            for l in lines.iter().filter(|l| qty_of(l) > 0) {
                match items.iter_mut().find(|i| i.sku == l.sku && i.reason == reason) {
                    Some(i) => i.qty += qty_of(l),
                    None => items.push(SettlementItem { sku: l.sku.clone(), qty: qty_of(l), reason }),
                }
            }
        }
        (!items.is_empty()).then(|| Settlement { status: "OFFLINE".into(), items })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, qty: i64, pass: i64, fail: i64) -> ReturnLine {
        ReturnLine {
            line_id: "1".into(),
            sku: sku.into(),
            qty,
            received: pass + fail,
            qc_pass: pass,
            qc_fail: fail,
            missing: qty - pass - fail,
        }
    }

    #[test]
    fn failed_and_missing_units_are_settled_offline_per_sku() {
        let s = Return::settlement_of(&[line("A", 3, 1, 1), line("A", 1, 0, 1), line("B", 2, 2, 0)]).unwrap();
        assert_eq!(s.status, "OFFLINE");
        assert_eq!(
            s.items,
            [
                SettlementItem { sku: "A".into(), qty: 2, reason: SettlementReason::QcFail },
                SettlementItem { sku: "A".into(), qty: 1, reason: SettlementReason::Missing },
            ]
        );
        assert_eq!(Return::settlement_of(&[line("B", 2, 2, 0)]), None, "all passed: nothing to settle");
    }
}
