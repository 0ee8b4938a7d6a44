//! Who a document names — seller, buyer, ship-to, the warehouse to return to — and their addresses.

/// An Indian state or union territory as GST names it: the two-digit code (`29`) and the name
/// (`Karnataka`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The GST state code, e.g. `29`.
    pub code: String,
    /// The state's name, e.g. `Karnataka`.
    pub name: String,
}

/// A postal address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Address {
    /// Street lines, locality, city — printed one under the other, wrapped where too long.
    pub lines: Vec<String>,
    /// The state, where known.
    pub state: Option<State>,
    /// The six-digit PIN code, where known.
    pub pin: Option<String>,
}

/// A person or business with an address: the seller, the buyer, the consignee, the warehouse.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Party {
    /// The legal name (a business) or the person's name.
    pub name: String,
    /// The GSTIN, for a registered business.
    pub gstin: Option<String>,
    /// The postal address.
    pub address: Address,
    /// A phone number, where one should be printed (the consignee on a label).
    pub phone: Option<String>,
}

impl Address {
    /// The address as printed on an invoice: its lines, then the state with its code, then the PIN.
    pub(crate) fn invoice_lines(&self) -> Vec<String> {
        let mut lines = self.lines.clone();
        if let Some(state) = &self.state {
            lines.push(format!("State: {} (code {})", state.name, state.code));
        }
        if let Some(pin) = &self.pin {
            lines.push(format!("PIN: {pin}"));
        }
        lines
    }

    /// The address as printed on a label: its lines, then state and PIN on one line.
    pub(crate) fn label_lines(&self) -> Vec<String> {
        let mut lines = self.lines.clone();
        match (&self.state, &self.pin) {
            (Some(state), Some(pin)) => lines.push(format!("{} – PIN {pin}", state.name)),
            (Some(state), None) => lines.push(state.name.clone()),
            (None, Some(pin)) => lines.push(format!("PIN {pin}")),
            (None, None) => {}
        }
        lines
    }
}
