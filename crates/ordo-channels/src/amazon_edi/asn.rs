//! The X12 856 ship notice (ASN) Ordo sends Amazon at handover: one per PO shipment, written with the
//! separators and parties of the 850 it answers, as the 855 is.
//!
//! ```text
//! ST*856*0001~
//! BSN*00*AWB123*20260302*0930*0004~       purpose original; shipment id = the AWB; structure S/O/I
//! HL*1**S~                                 the shipment
//! TD1*CTN*1****G*1.25*KG~                  one carton, gross weight (when known)
//! TD5*B*ZZ*Blue Dart~                      the carrier
//! REF*BM*AWB123~                           bill of lading = the AWB
//! REF*CN*AWB123~                           carrier's reference (PRO) = the AWB
//! DTM*011*20260302*0930~                   shipped
//! HL*2*1*O~                                the order
//! PRF*4KX7Q2ZP***20260301~                 the PO and its date
//! HL*3*2*I~                                an item of the order, per PO line shipped
//! LIN*1*VN*ACME-MUG-350*EN*8901234567897~  the PO line and its product ids as ordered
//! SN1**10*EA~                              units shipped
//! CTT*1~                                   items (I levels)
//! SE*…*0001~
//! ```
//!
//! The interchange control number is derived from the PO, the AWB and the ship time, so a retried
//! handover sends the same interchange and the mailbox drops it as a duplicate.

use super::x12::{self, Segment};
use super::{reply_envelope, x12_date_time};
use crate::fulfilment::HandoverShipment;
use crate::model::ChannelError;
use serde::{Deserialize, Serialize};

fn control_number(po: &str, awb: &str, shipped_micros: i64) -> u32 {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(format!("856|{po}|{awb}|{shipped_micros}").as_bytes());
    u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % 1_000_000_000
}

/// Builds the 856 for one shipment of a PO, in the PO's own separators and envelope.
pub fn build_856(s: &HandoverShipment) -> Result<String, ChannelError> {
    let order = &s.order;
    let bad = |m: &str| ChannelError::Permanent(format!("order {}: no ship notice can be written: {m}", order.channel_order_id));
    let (sep, env, po) = reply_envelope(order, "shipped")?;
    let (date, time) = x12_date_time(s.shipped_at);
    let awb = sep.clean(&s.awb);
    let mut body = vec![Segment::new("BSN", &["00", &awb, &date, &time, "0004"]), Segment::new("HL", &["1", "", "S"])];
    if let Some(g) = s.weight_grams {
        body.push(Segment::new("TD1", &["CTN", "1", "", "", "", "G", &crate::fulfilment::grams_to_kg(g).to_string(), "KG"]));
    }
    body.push(Segment::new("TD5", &["B", "ZZ", &sep.clean(&s.carrier)]));
    body.push(Segment::new("REF", &["BM", &awb]));
    body.push(Segment::new("REF", &["CN", &awb]));
    body.push(Segment::new("DTM", &["011", &date, &time]));
    body.push(Segment::new("HL", &["2", "1", "O"]));
    body.push(Segment::new("PRF", &[&po.po_number, "", "", &po.po_date]));
    for (i, line) in s.lines.iter().enumerate() {
        let l = po
            .lines
            .iter()
            .find(|l| l.line_id == line.channel_line_id)
            .ok_or_else(|| bad(&format!("the PO has no line {}", line.channel_line_id)))?;
        body.push(Segment::new("HL", &[&(i + 3).to_string(), "2", "I"]));
        let mut lin = vec![l.line_id.clone()];
        for (q, id) in &l.product_ids {
            lin.push(q.clone());
            lin.push(id.clone());
        }
        body.push(Segment { id: "LIN".into(), elements: lin });
        body.push(Segment::new("SN1", &["", &line.qty.to_string(), if l.unit.is_empty() { "EA" } else { &l.unit }]));
    }
    body.push(Segment::new("CTT", &[&s.lines.len().to_string()]));
    let control = control_number(&po.po_number, &s.awb, s.shipped_at.micros());
    let ic = x12::envelope(&sep, &env, "SH", &[("856", body)], s.shipped_at.to_datetime().date(), &time, control);
    Ok(ic.to_x12())
}

/// What an 856 says, as read by the receiving side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipNotice {
    /// ISA13.
    pub control_number: String,
    /// BSN02: the shipment's id (the AWB).
    pub shipment_id: String,
    /// PRF01.
    pub po_number: String,
    /// REF*BM.
    pub bill_of_lading: Option<String>,
    /// REF*CN: the carrier's tracking number.
    pub carrier_reference: Option<String>,
    /// TD503.
    pub carrier: Option<String>,
    /// DTM*011 (CCYYMMDD).
    pub shipped_on: Option<String>,
    /// TD107 with its unit (TD108), when sent.
    pub weight: Option<String>,
    /// (LIN01 = PO line, SN102 = units) for every item level.
    pub lines: Vec<(String, i64)>,
}

/// Reads every 856 of an X12 text (counts and control numbers checked by the X12 reader).
pub fn read_856(text: &str) -> Result<Vec<ShipNotice>, String> {
    let ics = x12::parse(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for ic in &ics {
        for g in &ic.groups {
            for set in &g.sets {
                if set.kind() != "856" {
                    return Err(format!("transaction set {} is not an 856", set.kind()));
                }
                let bsn = set.first("BSN").ok_or("856 without BSN")?;
                let prf = set.first("PRF").ok_or("856 without PRF (the order level)")?;
                let refs = |q: &str| set.body.iter().find(|s| s.id == "REF" && s.el(1) == q).map(|s| s.el(2).to_string());
                let mut lines = Vec::new();
                let mut current: Option<&Segment> = None;
                for seg in &set.body {
                    match seg.id.as_str() {
                        "LIN" => current = Some(seg),
                        "SN1" => {
                            let lin = current.take().ok_or("SN1 without its LIN")?;
                            let qty = seg
                                .el(2)
                                .trim()
                                .parse::<i64>()
                                .map_err(|_| format!("SN102 '{}' is not a quantity", seg.el(2)))?;
                            lines.push((lin.el(1).to_string(), qty));
                        }
                        _ => {}
                    }
                }
                out.push(ShipNotice {
                    control_number: ic.isa.el(13).trim().to_string(),
                    shipment_id: bsn.el(2).to_string(),
                    po_number: prf.el(1).to_string(),
                    bill_of_lading: refs("BM"),
                    carrier_reference: refs("CN"),
                    carrier: set.first("TD5").map(|t| t.el(3).to_string()),
                    shipped_on: set.body.iter().find(|s| s.id == "DTM" && s.el(1) == "011").map(|s| s.el(2).to_string()),
                    weight: set.first("TD1").filter(|t| !t.el(7).is_empty()).map(|t| format!("{} {}", t.el(7), t.el(8))),
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
    use crate::amazon_edi::{EdiDocument, map_document};
    use crate::fulfilment::PackLine;
    use crate::test_support::sample;
    use ordo_domain::Timestamp;

    fn shipment(file: &str, lines: &[(&str, i64)]) -> HandoverShipment {
        let doc = EdiDocument {
            document_id: "D".into(),
            received_at: "2026-03-01T04:45:00Z".into(),
            x12: sample(&format!("edi/{file}")),
        };
        let order = map_document(&doc).unwrap().remove(0);
        HandoverShipment {
            lines: lines
                .iter()
                .map(|(id, qty)| PackLine { channel_line_id: id.to_string(), channel_sku: String::new(), qty: *qty })
                .collect(),
            order,
            awb: "BD12345678".into(),
            carrier: "Blue Dart".into(),
            invoice_number: Some("WH1/2526/9".into()),
            invoice_date: Some("2026-03-02".into()),
            weight_grams: Some(1250),
            shipped_at: Timestamp::parse("2026-03-02T09:30:00Z").unwrap(),
        }
    }

    #[test]
    fn an_856_reads_back_with_the_awb_carrier_and_quantities() {
        let s = shipment("po_850_default.x12", &[("1", 10), ("3", 4)]);
        let x = build_856(&s).unwrap();
        let ics = x12::parse(&x).unwrap();
        assert_eq!(ics[0].groups[0].gs.el(1), "SH");
        let set = &ics[0].groups[0].sets[0];
        let hl: Vec<(String, String, String)> =
            set.body.iter().filter(|s| s.id == "HL").map(|s| (s.el(1).into(), s.el(2).into(), s.el(3).into())).collect();
        let hl: Vec<(&str, &str, &str)> = hl.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
        assert_eq!(hl, vec![("1", "", "S"), ("2", "1", "O"), ("3", "2", "I"), ("4", "2", "I")]);
        assert_eq!(set.first("BSN").unwrap().elements, vec!["00", "BD12345678", "20260302", "0930", "0004"]);
        assert_eq!(set.first("LIN").unwrap().elements, vec!["1", "VN", "ACME-MUG-350", "EN", "8901234567897"]);
        let notices = read_856(&x).unwrap();
        assert_eq!(
            notices[0],
            ShipNotice {
                control_number: ics[0].isa.el(13).to_string(),
                shipment_id: "BD12345678".into(),
                po_number: "4KX7Q2ZP".into(),
                bill_of_lading: Some("BD12345678".into()),
                carrier_reference: Some("BD12345678".into()),
                carrier: Some("Blue Dart".into()),
                shipped_on: Some("20260302".into()),
                weight: Some("1.25 KG".into()),
                lines: vec![("1".into(), 10), ("3".into(), 4)],
            }
        );
        // The answer goes back to the PO's sender, and a retry is the same interchange.
        assert_eq!(ics[0].isa.el(6).trim(), "ACMESELLER");
        assert_eq!(ics[0].isa.el(8).trim(), "AMAZON");
        assert_eq!(build_856(&s).unwrap(), x);
    }

    #[test]
    fn an_856_is_written_in_the_partners_separators() {
        let s = shipment("po_850_pipes.x12", &[("2", 12)]);
        let x = build_856(&s).unwrap();
        let sep = x12::separators_of(&x).unwrap();
        assert_eq!((sep.element, sep.component, sep.segment), ('|', '^', '\n'));
        assert!(!x.contains('*') && !x.contains('~'));
        assert!(x.lines().any(|l| l == "LIN|2|VN|ACME-BOTTLE-1L|EN|8901234500012"));
        assert_eq!(read_856(&x).unwrap()[0].lines, vec![("2".to_string(), 12)]);
        let wrong = shipment("po_850_pipes.x12", &[("9", 1)]);
        assert!(matches!(build_856(&wrong), Err(ChannelError::Permanent(m)) if m.contains("no line 9")));
    }
}
