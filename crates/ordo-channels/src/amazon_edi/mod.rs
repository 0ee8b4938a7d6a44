//! Amazon vendor EDI: purchase orders in as X12 850, seller cancellations out as X12 855.
//!
//! Transport: Amazon exchanges X12 over AS2 or SFTP; Ordo talks to a small HTTP mailbox instead (the
//! simulator plays it, and an AS2 gateway can sit behind it), documented in `docs/amazon-edi.md`:
//! `GET /edi/850?since=&until=&cursor=` lists received documents, `GET /edi/850/{po}` the latest one
//! for a PO, `POST /edi/855` takes an acknowledgement.
//!
//! Mapping: `channel_order_id` = BEG03 (PO number). BEG01 `01` (cancellation) → Cancelled. BEG02 `DS`
//! (drop-ship: one consumer's order) → B2C, any other PO type → B2B (a bulk PO). Lines come from PO1:
//! PO101 line id, PO102 quantity, PO104 unit price, and the product id by qualifier, preferring the
//! seller's own code: `SK` (SKU), then `VN` (vendor's item number), `BP` (buyer's part number), `EN`/`UP`
//! (EAN/UPC), `IB` (ISBN), then whatever comes first.
//!
//! Parties come from the N1 loops (`N1`, `N2`, `N3`, `N4`, `REF`, `PER`): the `ST` (ship-to) loop is the
//! ship-to when it has a street (`N3`): N102 (else N104) the name, N2/N3 and N401 (city) joined, N402
//! read as a state code or name, N403 the PIN, the `TE` number of `PER` the phone; Amazon's bulk POs name
//! only a fulfilment centre (`N1*ST**92*BLR4`), which leaves the ship-to None. The `BT` (bill-to), else
//! `BY` (buyer), loop is the buyer with its GSTIN from `REF*GT`. An 850 carries no cash on delivery:
//! the payment is prepaid.
//!
//! Cancellations go back as an 855 (PO acknowledgement) written with the same separators as the 850:
//! `BAK` with `AC` (acknowledged with changes) or `RD` (rejected) when every line is cancelled, the
//! reason in `REF*ZZ`, and per cancelled line its `PO1` followed by `ACK*IR` (item rejected) with the
//! quantity.

pub mod asn;
pub mod client;
pub mod x12;

use crate::lenient;
use crate::model::{CancelLine, ChannelError, MarketplaceLine, MarketplaceOrder, MarketplaceState, OrderKind};
use crate::parties;
use ordo_domain::Timestamp;
use ordo_domain::shipping::{Buyer, Payment, ShipTo};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use x12::{Envelope, Interchange, Segment, Separators, TransactionSet};

pub use client::EdiConnector;

/// Product id qualifiers in order of preference for the channel SKU.
pub const PRODUCT_ID_PREFERENCE: &[&str] = &["SK", "VN", "BP", "EN", "UP", "IB"];

/// One document of the mailbox: an X12 text as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdiDocument {
    /// The mailbox's id of the document.
    pub document_id: String,
    /// When the mailbox received it (RFC 3339).
    pub received_at: String,
    /// The X12 text: one or more interchanges.
    pub x12: String,
}

/// `GET /edi/850`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentPage {
    /// The page.
    pub documents: Vec<EdiDocument>,
    /// The cursor of the next page, if any.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A PO1 line as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoLine {
    /// PO101.
    pub line_id: String,
    /// PO102.
    pub qty: i64,
    /// PO103 (`EA`).
    pub unit: String,
    /// PO104 as written.
    pub unit_price: String,
    /// (qualifier, id) pairs from PO106 on.
    pub product_ids: Vec<(String, String)>,
}

impl PoLine {
    /// The channel SKU: the preferred product id.
    pub fn channel_sku(&self) -> String {
        PRODUCT_ID_PREFERENCE
            .iter()
            .find_map(|q| self.product_ids.iter().find(|(qual, _)| qual == q).map(|(_, id)| id.clone()))
            .or_else(|| self.product_ids.first().map(|(_, id)| id.clone()))
            .unwrap_or_default()
    }
}

/// An 850 as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrder {
    /// BEG01: `00` original, `01` cancellation, `05` replace…
    pub purpose: String,
    /// BEG02: `SA` stand-alone, `DS` drop-ship, `NE` new order…
    pub po_type: String,
    /// BEG03.
    pub po_number: String,
    /// BEG05 (CCYYMMDD).
    pub po_date: String,
    /// The PO1 lines.
    pub lines: Vec<PoLine>,
}

/// Reads an 850 transaction set.
pub fn read_850(set: &TransactionSet) -> Result<PurchaseOrder, String> {
    if set.kind() != "850" {
        return Err(format!("transaction set {} is not an 850", set.kind()));
    }
    let beg = set.first("BEG").ok_or("850 without BEG")?;
    if beg.el(3).trim().is_empty() {
        return Err("BEG03 (PO number) is empty".into());
    }
    let mut lines = Vec::new();
    for (i, po1) in set.body.iter().filter(|s| s.id == "PO1").enumerate() {
        let qty = lenient::i64_from_json(&Value::String(po1.el(2).trim().to_string()))
            .ok_or_else(|| format!("PO102 '{}' of line {} is not a whole quantity", po1.el(2), i + 1))?;
        let product_ids = po1
            .elements
            .get(5..)
            .unwrap_or(&[])
            .chunks(2)
            .filter(|c| c.len() == 2 && !c[1].is_empty())
            .map(|c| (c[0].clone(), c[1].clone()))
            .collect();
        lines.push(PoLine {
            line_id: if po1.el(1).trim().is_empty() { (i + 1).to_string() } else { po1.el(1).trim().to_string() },
            qty,
            unit: po1.el(3).to_string(),
            unit_price: po1.el(4).to_string(),
            product_ids,
        });
    }
    Ok(PurchaseOrder {
        purpose: beg.el(1).to_string(),
        po_type: beg.el(2).to_string(),
        po_number: beg.el(3).trim().to_string(),
        po_date: beg.el(5).to_string(),
        lines,
    })
}

/// An N1 loop of an 850: a party and its address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct N1Party {
    /// N101: `ST` ship-to, `BT` bill-to, `BY` buyer, `SF` ship-from…
    pub entity: String,
    /// N102.
    pub name: String,
    /// N104 (with N103 its qualifier: `92` the buyer's own code, such as an Amazon warehouse).
    pub id: String,
    /// N201 and N202, then N301 and N302, in order.
    pub lines: Vec<String>,
    /// N401.
    pub city: String,
    /// N402.
    pub state: String,
    /// N403.
    pub postal_code: String,
    /// N404.
    pub country: String,
    /// The `TE` number of a PER.
    pub phone: String,
    /// REF02 of `REF*GT` (GST registration number).
    pub gstin: String,
    /// Whether an N3 came.
    pub has_street: bool,
}

/// Reads the N1 loops of an 850 (header level: before the first PO1).
pub fn read_parties(set: &TransactionSet) -> Vec<N1Party> {
    let mut out: Vec<N1Party> = Vec::new();
    for seg in set.body.iter().take_while(|s| s.id != "PO1") {
        if seg.id == "N1" {
            out.push(N1Party {
                entity: seg.el(1).trim().to_string(),
                name: seg.el(2).trim().to_string(),
                id: seg.el(4).trim().to_string(),
                ..N1Party::default()
            });
            continue;
        }
        let Some(p) = out.last_mut() else { continue };
        match seg.id.as_str() {
            "N2" => {
                p.lines.extend([seg.el(1), seg.el(2)].into_iter().filter(|l| !l.trim().is_empty()).map(|l| l.trim().to_string()))
            }
            "N3" => {
                p.has_street = true;
                p.lines.extend([seg.el(1), seg.el(2)].into_iter().filter(|l| !l.trim().is_empty()).map(|l| l.trim().to_string()));
            }
            "N4" => {
                p.city = seg.el(1).trim().to_string();
                p.state = seg.el(2).trim().to_string();
                p.postal_code = seg.el(3).trim().to_string();
                p.country = seg.el(4).trim().to_string();
            }
            "REF" if seg.el(1) == "GT" => p.gstin = seg.el(2).trim().to_string(),
            "PER" => {
                let pairs = [(seg.el(3), seg.el(4)), (seg.el(5), seg.el(6)), (seg.el(7), seg.el(8))];
                if let Some((_, n)) = pairs.iter().find(|(q, n)| *q == "TE" && !n.trim().is_empty()) {
                    p.phone = n.trim().to_string();
                }
            }
            _ => {}
        }
    }
    out
}

impl N1Party {
    fn one_line(&self) -> String {
        parties::join(self.lines.iter().map(|l| Some(l.as_str())).chain([Some(self.city.as_str())]))
    }
}

/// The ship-to of an 850: its `ST` loop, when that has a street.
pub fn ship_to_of(parties_read: &[N1Party]) -> Option<ShipTo> {
    let st = parties_read.iter().find(|p| p.entity == "ST" && p.has_street)?;
    let name = parties::text(Some(&st.name)).or_else(|| parties::text(Some(&st.id)));
    let country = Some(st.country.as_str()).filter(|c| !c.is_empty());
    let state = parties::state_code(country, [Some(st.state.as_str())]);
    parties::ship_to(name, st.one_line(), state, Some(&st.postal_code), Some(&st.phone))
}

/// The buyer of an 850: its `BT` loop, else its `BY` loop, when named.
pub fn buyer_of(parties_read: &[N1Party]) -> Option<Buyer> {
    let p = ["BT", "BY"].iter().find_map(|e| parties_read.iter().find(|p| p.entity == *e && !p.name.is_empty()))?;
    parties::buyer(parties::text(Some(&p.name)), Some(&p.gstin), p.one_line())
}

fn separators_json(s: &Separators) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

/// Maps every 850 of a document to the neutral model. `raw` keeps the set's own X12, the separators,
/// and the envelope's parties, which is all an 855 answering it needs.
pub fn map_document(doc: &EdiDocument) -> Result<Vec<MarketplaceOrder>, ChannelError> {
    let ics = x12::parse(&doc.x12).map_err(|e| ChannelError::Permanent(format!("document {}: {e}", doc.document_id)))?;
    let received = lenient::parse_time(&doc.received_at);
    let mut out = Vec::new();
    for ic in &ics {
        for g in &ic.groups {
            for set in g.sets.iter().filter(|s| s.kind() == "850") {
                let po = read_850(set).map_err(|e| ChannelError::Permanent(format!("document {}: {e}", doc.document_id)))?;
                out.push(map_850(ic, &g.gs, set, &po, doc, received));
            }
        }
    }
    Ok(out)
}

fn map_850(
    ic: &Interchange,
    gs: &Segment,
    set: &TransactionSet,
    po: &PurchaseOrder,
    doc: &EdiDocument,
    received: Option<Timestamp>,
) -> MarketplaceOrder {
    let cancelled = po.purpose == "01";
    let n1 = read_parties(set);
    MarketplaceOrder {
        channel_order_id: po.po_number.clone(),
        parent_order_id: None,
        kind: if po.po_type == "DS" { OrderKind::B2C } else { OrderKind::B2B },
        state: if cancelled { MarketplaceState::Cancelled } else { MarketplaceState::Open },
        on_hold: false,
        dispatch_after: None,
        start_processing_at: None,
        replacement_of: None,
        updated_at: received,
        lines: po
            .lines
            .iter()
            .map(|l| MarketplaceLine {
                channel_line_id: l.line_id.clone(),
                channel_sku: l.channel_sku(),
                qty: l.qty,
                unit_price: lenient::normalize_decimal(&l.unit_price),
                cancelled_qty: if cancelled { l.qty } else { 0 },
            })
            .collect(),
        buyer: buyer_of(&n1),
        ship_to: ship_to_of(&n1),
        payment: Some(Payment::default()),
        raw: json!({
            "document_id": doc.document_id,
            "received_at": doc.received_at,
            "separators": separators_json(&ic.separators),
            "isa": ic.isa.elements,
            "gs": gs.elements,
            "x12": set.to_x12(&ic.separators),
            "po": po,
        }),
    }
}

/// A deterministic interchange control number for an acknowledgement, so a retried push carries the
/// same number and the receiver can drop the duplicate.
fn control_number(po: &str, lines: &[CancelLine], reason: &str, at: Timestamp) -> u32 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(po.as_bytes());
    for l in lines {
        h.update(format!("|{}:{}", l.channel_line_id, l.qty).as_bytes());
    }
    h.update(reason.as_bytes());
    h.update(at.micros().to_be_bytes());
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % 1_000_000_000
}

/// What an answer to a PO needs from the PO as received (kept in `order.raw`): the separators to
/// write it with, the envelope going back the way the PO came (parties swapped, same versions), and
/// the PO as read.
pub(crate) fn reply_envelope(
    order: &MarketplaceOrder,
    what: &str,
) -> Result<(Separators, Envelope, PurchaseOrder), ChannelError> {
    let bad = |m: &str| ChannelError::Permanent(format!("order {} can't be {what}: {m}", order.channel_order_id));
    let sep: Separators =
        serde_json::from_value(order.raw["separators"].clone()).map_err(|_| bad("its raw payload has no X12 separators"))?;
    let el = |v: &Value, i: usize| v.get(i).and_then(Value::as_str).unwrap_or("").trim().to_string();
    let (isa, gs) = (&order.raw["isa"], &order.raw["gs"]);
    if !isa.is_array() || !gs.is_array() {
        return Err(bad("its raw payload has no ISA/GS envelope"));
    }
    let po: PurchaseOrder = serde_json::from_value(order.raw["po"].clone()).map_err(|_| bad("its raw payload has no PO"))?;
    let env = Envelope {
        sender: (el(isa, 6), el(isa, 7)),
        receiver: (el(isa, 4), el(isa, 5)),
        gs_sender: el(gs, 2),
        gs_receiver: el(gs, 1),
        isa_version: Some(el(isa, 11)).filter(|v| !v.is_empty()).unwrap_or_else(|| "00401".into()),
        gs_version: Some(el(gs, 7)).filter(|v| !v.is_empty()).unwrap_or_else(|| "004010".into()),
        usage: Some(el(isa, 14)).filter(|v| !v.is_empty()).unwrap_or_else(|| "P".into()),
    };
    Ok((sep, env, po))
}

/// `CCYYMMDD` and `HHMM` of a time, as X12 writes dates and times.
pub(crate) fn x12_date_time(at: Timestamp) -> (String, String) {
    let t = at.to_datetime();
    (format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day()), format!("{:02}{:02}", t.hour(), t.minute()))
}

/// Builds the 855 telling Amazon that `lines` of the PO in `order` are cancelled by the seller, with the
/// separators and parties of the 850 it answers (both read from `order.raw`).
pub fn build_855(order: &MarketplaceOrder, lines: &[CancelLine], reason: &str, at: Timestamp) -> Result<String, ChannelError> {
    let bad = |m: &str| ChannelError::Permanent(format!("order {} can't be acknowledged: {m}", order.channel_order_id));
    let (sep, env, po) = reply_envelope(order, "acknowledged")?;
    if lines.is_empty() {
        return Err(bad("no line to cancel"));
    }
    let mut body = Vec::new();
    let all = po.lines.iter().all(|l| lines.iter().any(|c| c.channel_line_id == l.line_id && c.qty >= l.qty));
    let date = at.to_datetime().date();
    let (ccyymmdd, hhmm) = x12_date_time(at);
    let po_date = if po.po_date.is_empty() { ccyymmdd.clone() } else { po.po_date.clone() };
    body.push(Segment::new("BAK", &["00", if all { "RD" } else { "AC" }, &po.po_number, &po_date]));
    let reason = sep.clean(reason);
    if !reason.trim().is_empty() {
        let short: String = reason.chars().take(80).collect();
        body.push(Segment::new("REF", &["ZZ", "SELLER CANCELLATION", short.trim()]));
    }
    for c in lines {
        let l = po
            .lines
            .iter()
            .find(|l| l.line_id == c.channel_line_id)
            .ok_or_else(|| bad(&format!("it has no line {}", c.channel_line_id)))?;
        if c.qty <= 0 || c.qty > l.qty {
            return Err(bad(&format!("line {} has {} units, can't cancel {}", l.line_id, l.qty, c.qty)));
        }
        let mut po1 = vec![l.line_id.clone(), l.qty.to_string(), l.unit.clone(), l.unit_price.clone(), String::new()];
        for (q, id) in &l.product_ids {
            po1.push(q.clone());
            po1.push(id.clone());
        }
        body.push(Segment { id: "PO1".into(), elements: po1 });
        body.push(Segment::new("ACK", &["IR", &c.qty.to_string(), if l.unit.is_empty() { "EA" } else { &l.unit }]));
    }
    body.push(Segment::new("CTT", &[&lines.len().to_string()]));
    let ic = x12::envelope(&sep, &env, "PR", &[("855", body)], date, &hhmm, control_number(&po.po_number, lines, &reason, at));
    Ok(ic.to_x12())
}

/// What an 855 says, as read by the receiving side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// ISA13.
    pub control_number: String,
    /// BAK02: `AC`, `AD`, `RD`, `RJ`…
    pub kind: String,
    /// BAK03.
    pub po_number: String,
    /// REF*ZZ's description, if any.
    pub reason: Option<String>,
    /// (PO101, ACK01, ACK02) for every PO1 followed by an ACK.
    pub lines: Vec<(String, String, i64)>,
}

/// Reads every 855 of an X12 text.
pub fn read_855(text: &str) -> Result<Vec<Acknowledgement>, String> {
    let ics = x12::parse(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for ic in &ics {
        for g in &ic.groups {
            for set in &g.sets {
                if set.kind() != "855" {
                    return Err(format!("transaction set {} is not an 855", set.kind()));
                }
                let bak = set.first("BAK").ok_or("855 without BAK")?;
                let mut lines = Vec::new();
                let mut current: Option<&Segment> = None;
                for s in &set.body {
                    match s.id.as_str() {
                        "PO1" => current = Some(s),
                        "ACK" => {
                            let po1 = current.ok_or("ACK before any PO1")?;
                            let qty =
                                s.el(2).trim().parse::<i64>().map_err(|_| format!("ACK02 '{}' is not a quantity", s.el(2)))?;
                            lines.push((po1.el(1).to_string(), s.el(1).to_string(), qty));
                        }
                        _ => {}
                    }
                }
                out.push(Acknowledgement {
                    control_number: ic.isa.el(13).trim().to_string(),
                    kind: bak.el(2).to_string(),
                    po_number: bak.el(3).to_string(),
                    reason: set.first("REF").filter(|r| r.el(1) == "ZZ").map(|r| r.el(3).to_string()),
                    lines,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample;

    fn doc(name: &str) -> EdiDocument {
        EdiDocument { document_id: name.into(), received_at: "2026-03-01T04:45:00Z".into(), x12: sample(&format!("edi/{name}")) }
    }

    #[test]
    fn reads_an_850_with_default_separators() {
        let orders = map_document(&doc("po_850_default.x12")).unwrap();
        assert_eq!(orders.len(), 2, "two POs in one interchange");
        let o = &orders[0];
        assert_eq!(o.channel_order_id, "4KX7Q2ZP");
        assert_eq!(o.kind, OrderKind::B2B);
        assert_eq!(o.state, MarketplaceState::Open);
        assert_eq!(o.updated_at.unwrap().to_string(), "2026-03-01T04:45:00Z");
        let got: Vec<_> = o
            .lines
            .iter()
            .map(|l| (l.channel_line_id.as_str(), l.channel_sku.as_str(), l.qty, l.unit_price.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("1", "ACME-MUG-350", 10, Some("12.50")),
                ("2", "ACME-TEE-BLK-M", 24, Some("7.00")),
                ("3", "B07XJ8C8F5", 6, Some("3.99"))
            ]
        );
        assert_eq!(orders[1].channel_order_id, "5LY8R3AQ");
        assert_eq!(orders[1].kind, OrderKind::B2C, "drop-ship PO");
        assert_eq!(orders[1].lines[0].channel_sku, "ACME-SKU-9", "SK is preferred over VN");
    }

    #[test]
    fn reads_an_850_with_non_default_separators_and_answers_in_them() {
        let orders = map_document(&doc("po_850_pipes.x12")).unwrap();
        assert_eq!(orders.len(), 1);
        let o = &orders[0];
        assert_eq!(o.channel_order_id, "7PQ2WX9R");
        assert_eq!(o.lines.len(), 2);
        assert_eq!(o.lines[1].channel_sku, "ACME-BOTTLE-1L");
        assert_eq!(o.lines[1].qty, 12);
        assert_eq!(o.raw["separators"], json!({"element": "|", "component": "^", "segment": "\n", "repetition": null}));

        let at = Timestamp::parse("2026-03-02T09:30:00Z").unwrap();
        let cancel = [CancelLine { channel_line_id: "2".into(), qty: 12 }];
        let x = build_855(o, &cancel, "Out of stock | damaged ^ lot", at).unwrap();
        // Same separators as the 850: pipes between elements, ^ as ISA16, a line break after segments.
        let sep = x12::separators_of(&x).unwrap();
        assert_eq!((sep.element, sep.component, sep.segment), ('|', '^', '\n'));
        assert!(!x.contains('*') && !x.contains('~'));
        let lines: Vec<&str> = x.lines().collect();
        assert!(
            lines[0].starts_with("ISA|00|          |00|          |ZZ|ACMESELLER     |ZZ|AMAZON         |260302|0930|U|00401|")
        );
        assert_eq!(
            lines[1],
            "GS|PR|ACMESELLER|AMAZON|20260302|0930|".to_string() + lines[1].split('|').nth(6).unwrap() + "|X|004010"
        );
        assert_eq!(lines[2], "ST|855|0001");
        assert_eq!(lines[3], "BAK|00|AC|7PQ2WX9R|20260228");
        assert_eq!(lines[4], "REF|ZZ|SELLER CANCELLATION|Out of stock  damaged  lot");
        assert_eq!(lines[5], "PO1|2|12|EA|4.25||VN|ACME-BOTTLE-1L|EN|8901234500012");
        assert_eq!(lines[6], "ACK|IR|12|EA");
        assert_eq!(lines[7], "CTT|1");
        assert_eq!(lines[8], "SE|7|0001");
        let acks = read_855(&x).unwrap();
        assert_eq!(acks[0].po_number, "7PQ2WX9R");
        assert_eq!(acks[0].lines, vec![("2".to_string(), "IR".to_string(), 12)]);
        // The same push retried carries the same control number.
        assert_eq!(build_855(o, &cancel, "Out of stock | damaged ^ lot", at).unwrap(), x);
    }

    #[test]
    fn cancelling_every_line_rejects_the_po() {
        let orders = map_document(&doc("po_850_pipes.x12")).unwrap();
        let all = [CancelLine { channel_line_id: "1".into(), qty: 5 }, CancelLine { channel_line_id: "2".into(), qty: 12 }];
        let x = build_855(&orders[0], &all, "", Timestamp::parse("2026-03-02T09:30:00Z").unwrap()).unwrap();
        let acks = read_855(&x).unwrap();
        assert_eq!(acks[0].kind, "RD");
        assert_eq!(acks[0].reason, None);
        assert!(
            build_855(&orders[0], &[CancelLine { channel_line_id: "9".into(), qty: 1 }], "x", Timestamp::from_micros(0)).is_err()
        );
        assert!(
            build_855(&orders[0], &[CancelLine { channel_line_id: "1".into(), qty: 6 }], "x", Timestamp::from_micros(0)).is_err()
        );
    }

    #[test]
    fn a_cancellation_850_cancels_the_po() {
        let mut d = doc("po_850_default.x12");
        d.x12 = d.x12.replacen("BEG*00*SA*4KX7Q2ZP", "BEG*01*SA*4KX7Q2ZP", 1);
        let o = &map_document(&d).unwrap()[0];
        assert_eq!(o.state, MarketplaceState::Cancelled);
        assert!(o.lines.iter().all(|l| l.cancelled_qty == l.qty));
    }

    #[test]
    fn a_bulk_po_names_only_a_warehouse_so_has_no_ship_to_and_is_prepaid() {
        let orders = map_document(&doc("po_850_default.x12")).unwrap();
        assert_eq!(orders[0].ship_to, None);
        assert_eq!(orders[0].buyer, None);
        assert_eq!(orders[0].payment, Some(Payment::default()));
    }

    #[test]
    fn the_st_and_bt_loops_give_ship_to_and_buyer() {
        let mut d = doc("po_850_default.x12");
        d.x12 = d.x12.replacen(
            "N1*ST**92*BLR4~",
            "N1*BT*Amazon Seller Services Pvt Ltd*92*ASSPL~N3*Brigade Gateway, 8th Floor*26/1 Dr Rajkumar Road~             N4*Bengaluru*KA*560055*IN~REF*GT*29AAICA3918J1ZE~             N1*ST*Amazon BLR4*92*BLR4~N2*Inbound Dock 3~N3*Survey No 70, Bhoruka Logistics Park~             N4*Bengaluru*KARNATAKA*562149*IN~PER*RE*Receiving*TE*080 4719 5000~",
            1,
        );
        d.x12 = d.x12.replacen("SE*11*0001", "SE*19*0001", 1);
        let o = &map_document(&d).unwrap()[0];
        let ship_to = o.ship_to.clone().unwrap();
        assert_eq!(ship_to.name, "Amazon BLR4");
        assert_eq!(ship_to.address, "Inbound Dock 3, Survey No 70, Bhoruka Logistics Park, Bengaluru");
        assert_eq!(ship_to.state_code.as_deref(), Some("29"));
        assert_eq!(ship_to.pin.as_deref(), Some("562149"));
        assert_eq!(ship_to.phone.as_deref(), Some("080 4719 5000"));
        let buyer = o.buyer.clone().unwrap();
        assert_eq!(buyer.legal_name, "Amazon Seller Services Pvt Ltd");
        assert_eq!(buyer.gstin.as_deref(), Some("29AAICA3918J1ZE"));
        assert_eq!(buyer.address.as_deref(), Some("Brigade Gateway, 8th Floor, 26/1 Dr Rajkumar Road, Bengaluru"));
    }
}
