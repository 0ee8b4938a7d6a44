//! The return request every marketplace takes alike (`POST /_sim/returns`, or
//! [`SimulatorHandle::add_return`](super::SimulatorHandle::add_return)), and how its lines are
//! checked against what was shipped. Kept apart because each marketplace store uses it to open
//! returns in its own wire format.

use super::SimError;
use serde::Deserialize;

/// A return to open, the same for every marketplace (`POST /_sim/returns`): the order by the id it is
/// keyed by on the channel (Flipkart: the shipment, or the order item for `FLIPKART_V2`), and its
/// lines by the marketplace's line ids; without `lines`, every unit shipped comes back.
#[derive(Debug, Clone, Deserialize)]
pub struct SimReturn {
    /// The forward order, as the marketplace keys it.
    pub order_id: String,
    /// `CUSTOMER_RETURN` (the default) or `RTO`.
    #[serde(default = "customer_return")]
    pub kind: ordo_domain::kinds::ReturnKind,
    /// The lines coming back; every shipped unit when absent.
    #[serde(default)]
    pub lines: Option<Vec<SimReturnLine>>,
    /// The reverse AWB; made up when absent.
    #[serde(default)]
    pub awb: Option<String>,
}

fn customer_return() -> ordo_domain::kinds::ReturnKind {
    ordo_domain::kinds::ReturnKind::CustomerReturn
}

/// A line of a [`SimReturn`].
#[derive(Debug, Clone, Deserialize)]
pub struct SimReturnLine {
    /// The marketplace's line id.
    pub line_id: String,
    /// Units.
    pub quantity: i64,
}

impl SimReturn {
    /// The units coming back per line, given each line's `(line id, units shipped and not returned)`:
    /// all of them without `lines`; refused when a line is unknown or asks more than that.
    pub fn units(&self, open: &[(String, i64)]) -> Result<Vec<(String, i64)>, SimError> {
        let Some(lines) = &self.lines else {
            let all: Vec<(String, i64)> = open.iter().filter(|(_, q)| *q > 0).cloned().collect();
            if all.is_empty() {
                return Err(SimError::Conflict(format!("order {} has no shipped unit left to return", self.order_id)));
            }
            return Ok(all);
        };
        lines
            .iter()
            .map(|l| match open.iter().find(|(id, _)| *id == l.line_id) {
                None => Err(SimError::Invalid(format!("order {} has no line {}", self.order_id, l.line_id))),
                Some((_, can)) if l.quantity < 1 || l.quantity > *can => Err(SimError::Conflict(format!(
                    "line {} of order {} has {can} shipped units that can be returned, not {}",
                    l.line_id, self.order_id, l.quantity
                ))),
                Some(_) => Ok((l.line_id.clone(), l.quantity)),
            })
            .collect()
    }
}
