//! A small ANSI X12 reader and writer: interchanges (ISA/IEA), functional groups (GS/GE) and
//! transaction sets (ST/SE), with their counts and control numbers checked.
//!
//! The separators are never assumed: the element separator is the ISA segment's 4th character, the
//! component separator is ISA16, and the segment terminator is the character right after ISA16.
//! A line break after each terminator (a common way to make X12 readable) is tolerated.

use serde::{Deserialize, Serialize};

/// The delimiters of one interchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Separators {
    /// Between elements (`*` usually).
    pub element: char,
    /// Between the components of a composite element (ISA16, `>` or `:` usually).
    pub component: char,
    /// After each segment (`~` usually).
    pub segment: char,
    /// Between repeated elements (ISA11 from version 00402 on); `None` for 00401, whose ISA11 is `U`.
    #[serde(default)]
    pub repetition: Option<char>,
}

impl Default for Separators {
    fn default() -> Self {
        Separators { element: '*', component: '>', segment: '~', repetition: None }
    }
}

impl Separators {
    /// Whether `c` is one of the delimiters (and so may not appear in data).
    pub fn is_delimiter(&self, c: char) -> bool {
        c == self.element || c == self.component || c == self.segment || Some(c) == self.repetition
    }

    /// Removes delimiter characters from free text, so that it can be written as an element.
    pub fn clean(&self, text: &str) -> String {
        text.chars().filter(|c| !self.is_delimiter(*c) && !c.is_control()).collect()
    }

    /// Writes a segment: its id, its elements, the terminator.
    pub fn write(&self, seg: &Segment) -> String {
        let mut s = seg.id.clone();
        for e in &seg.elements {
            s.push(self.element);
            s.push_str(e);
        }
        s.push(self.segment);
        s
    }
}

/// What is wrong with an X12 text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("X12: {0}")]
pub struct X12Error(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, X12Error> {
    Err(X12Error(msg.into()))
}

/// One segment: its id (`PO1`) and its elements (`elements[0]` is `PO101`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// `ISA`, `BEG`, `PO1`…
    pub id: String,
    /// The elements after the id.
    pub elements: Vec<String>,
}

impl Segment {
    /// A segment from its id and elements.
    pub fn new(id: &str, elements: &[&str]) -> Self {
        Segment { id: id.to_string(), elements: elements.iter().map(|e| e.to_string()).collect() }
    }

    /// Element `n`, 1-based as X12 numbers them (`PO102` is `el(2)`); empty when absent.
    pub fn el(&self, n: usize) -> &str {
        n.checked_sub(1).and_then(|i| self.elements.get(i)).map(String::as_str).unwrap_or("")
    }
}

/// A transaction set: ST, its body, SE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionSet {
    /// The ST segment (`ST01` is the set's type, e.g. `850`).
    pub st: Segment,
    /// The segments between ST and SE.
    pub body: Vec<Segment>,
    /// The SE segment.
    pub se: Segment,
}

impl TransactionSet {
    /// The set's type: `850`, `855`…
    pub fn kind(&self) -> &str {
        self.st.el(1)
    }

    /// The first body segment with this id.
    pub fn first(&self, id: &str) -> Option<&Segment> {
        self.body.iter().find(|s| s.id == id)
    }

    /// Writes ST…SE with `sep`.
    pub fn to_x12(&self, sep: &Separators) -> String {
        std::iter::once(&self.st).chain(&self.body).chain(std::iter::once(&self.se)).map(|s| sep.write(s)).collect()
    }
}

/// A functional group: GS, its sets, GE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The GS segment.
    pub gs: Segment,
    /// Its transaction sets.
    pub sets: Vec<TransactionSet>,
    /// The GE segment.
    pub ge: Segment,
}

/// An interchange: ISA, its groups, IEA, and the separators it was written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interchange {
    /// The delimiters, read from the ISA header.
    pub separators: Separators,
    /// The ISA segment.
    pub isa: Segment,
    /// Its functional groups.
    pub groups: Vec<Group>,
    /// The IEA segment.
    pub iea: Segment,
}

impl Interchange {
    /// Writes the whole interchange with its own separators.
    pub fn to_x12(&self) -> String {
        let sep = &self.separators;
        let mut s = sep.write(&self.isa);
        for g in &self.groups {
            s.push_str(&sep.write(&g.gs));
            for t in &g.sets {
                s.push_str(&t.to_x12(sep));
            }
            s.push_str(&sep.write(&g.ge));
        }
        s.push_str(&sep.write(&self.iea));
        s
    }
}

/// Reads the separators from the ISA header at the start of `text`.
pub fn separators_of(text: &str) -> Result<Separators, X12Error> {
    let t = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if !t.starts_with("ISA") {
        return err("an interchange must start with ISA");
    }
    let chars: Vec<char> = t.chars().collect();
    let element = *chars.get(3).ok_or_else(|| X12Error("ISA is cut short".into()))?;
    // ISA has 16 elements: after the 16th element separator come ISA16 and then the terminator.
    let mut seen = 0;
    let mut idx = None;
    for (i, c) in chars.iter().enumerate().skip(3) {
        if *c == element {
            seen += 1;
            if seen == 16 {
                idx = Some(i);
                break;
            }
        }
    }
    let i = idx.ok_or_else(|| X12Error("ISA has fewer than 16 elements".into()))?;
    let component = *chars.get(i + 1).ok_or_else(|| X12Error("ISA16 is missing".into()))?;
    let segment = *chars.get(i + 2).ok_or_else(|| X12Error("the segment terminator after ISA16 is missing".into()))?;
    if element == component || element == segment || component == segment {
        return err("the element, component and segment separators must differ");
    }
    if [element, component, segment].iter().any(|c| c.is_ascii_alphanumeric() || *c == ' ') {
        return err("a separator can't be a letter, a digit or a space");
    }
    let isa: Vec<&str> = t.split(segment).next().unwrap_or("").split(element).collect();
    let isa11 = isa.get(11).copied().unwrap_or("");
    let version = isa.get(12).copied().unwrap_or("");
    let repetition = match isa11.chars().collect::<Vec<_>>()[..] {
        [c] if version >= "00402" && !c.is_ascii_alphanumeric() => Some(c),
        _ => None,
    };
    Ok(Separators { element, component, segment, repetition })
}

/// Splits `text` into segments with `sep`, skipping the line breaks written after terminators.
pub fn segments(text: &str, sep: &Separators) -> Vec<Segment> {
    text.split(sep.segment)
        .map(|s| s.trim_matches(|c: char| (c == '\r' || c == '\n' || c == '\u{feff}') && !sep.is_delimiter(c)))
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let mut parts = s.split(sep.element);
            let id = parts.next().unwrap_or("").trim().to_string();
            Segment { id, elements: parts.map(str::to_string).collect() }
        })
        .collect()
}

/// Reads every interchange of `text` (a document may hold several back to back), checking segment
/// counts and control numbers so that a truncated or spliced document is refused rather than half-read.
pub fn parse(text: &str) -> Result<Vec<Interchange>, X12Error> {
    let mut out = Vec::new();
    let mut rest = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    while !rest.is_empty() {
        let sep = separators_of(rest)?;
        // This interchange ends at its IEA segment's terminator.
        let segs_all = segments(rest, &sep);
        let iea_pos =
            segs_all.iter().position(|s| s.id == "IEA").ok_or_else(|| X12Error("no IEA: the interchange is cut off".into()))?;
        let ic = build(&segs_all[..=iea_pos], sep)?;
        out.push(ic);
        // Skip past this interchange's text: up to and including the IEA's terminator.
        let n = count_raw_segments(rest, &sep, iea_pos);
        let cut = rest
            .char_indices()
            .filter(|(_, c)| *c == sep.segment)
            .nth(n.saturating_sub(1))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(rest.len());
        rest = rest[cut..].trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    }
    if out.is_empty() {
        return err("no interchange");
    }
    Ok(out)
}

/// How many terminators (blank pieces included) precede and end segment `last` of `text`.
fn count_raw_segments(text: &str, sep: &Separators, last: usize) -> usize {
    let mut kept = 0;
    for (n, piece) in text.split(sep.segment).enumerate() {
        let p = piece.trim_matches(|c: char| (c == '\r' || c == '\n' || c == '\u{feff}') && !sep.is_delimiter(c));
        if !p.trim().is_empty() {
            if kept == last {
                return n + 1;
            }
            kept += 1;
        }
    }
    usize::MAX
}

fn build(segs: &[Segment], separators: Separators) -> Result<Interchange, X12Error> {
    let isa = segs.first().filter(|s| s.id == "ISA").cloned().ok_or_else(|| X12Error("no ISA".into()))?;
    if isa.elements.len() != 16 {
        return err(format!("ISA has {} elements, not 16", isa.elements.len()));
    }
    let mut groups = Vec::new();
    let mut group: Option<(Segment, Vec<TransactionSet>)> = None;
    let mut set: Option<(Segment, Vec<Segment>)> = None;
    let mut iea = None;
    for seg in &segs[1..] {
        match seg.id.as_str() {
            "GS" => {
                if group.is_some() {
                    return err("GS inside an open group (GE missing)");
                }
                group = Some((seg.clone(), Vec::new()));
            }
            "ST" => {
                if group.is_none() {
                    return err("ST outside a functional group");
                }
                if set.is_some() {
                    return err("ST inside an open transaction set (SE missing)");
                }
                set = Some((seg.clone(), Vec::new()));
            }
            "SE" => {
                let (st, body) = set.take().ok_or_else(|| X12Error("SE without ST".into()))?;
                let count = body.len() + 2;
                if seg.el(1).trim().parse::<usize>().ok() != Some(count) {
                    return err(format!("SE01 says {} segments, the set {} has {count}", seg.el(1), st.el(2)));
                }
                if seg.el(2) != st.el(2) {
                    return err(format!("SE02 {} doesn't match ST02 {}", seg.el(2), st.el(2)));
                }
                group.as_mut().expect("checked at ST").1.push(TransactionSet { st, body, se: seg.clone() });
            }
            "GE" => {
                if set.is_some() {
                    return err("GE inside an open transaction set (SE missing)");
                }
                let (gs, sets) = group.take().ok_or_else(|| X12Error("GE without GS".into()))?;
                if seg.el(1).trim().parse::<usize>().ok() != Some(sets.len()) {
                    return err(format!("GE01 says {} sets, the group has {}", seg.el(1), sets.len()));
                }
                if seg.el(2).trim() != gs.el(6).trim() {
                    return err(format!("GE02 {} doesn't match GS06 {}", seg.el(2), gs.el(6)));
                }
                groups.push(Group { gs, sets, ge: seg.clone() });
            }
            "IEA" => {
                if group.is_some() || set.is_some() {
                    return err("IEA inside an open group or set");
                }
                if seg.el(1).trim().parse::<usize>().ok() != Some(groups.len()) {
                    return err(format!("IEA01 says {} groups, the interchange has {}", seg.el(1), groups.len()));
                }
                if seg.el(2).trim() != isa.el(13).trim() {
                    return err(format!("IEA02 {} doesn't match ISA13 {}", seg.el(2), isa.el(13)));
                }
                iea = Some(seg.clone());
            }
            _ => match set.as_mut() {
                Some((_, body)) => body.push(seg.clone()),
                None => return err(format!("segment {} outside a transaction set", seg.id)),
            },
        }
    }
    let iea = iea.ok_or_else(|| X12Error("no IEA: the interchange is cut off".into()))?;
    Ok(Interchange { separators, isa, groups, iea })
}

/// Left-justifies `value` in a field of `width` characters, as ISA's fixed-width elements require.
pub fn pad(value: &str, width: usize) -> String {
    let mut s: String = value.chars().take(width).collect();
    while s.chars().count() < width {
        s.push(' ');
    }
    s
}

/// The parties and version of an interchange to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// ISA05/ISA06: the sender's qualifier and id.
    pub sender: (String, String),
    /// ISA07/ISA08: the receiver's qualifier and id.
    pub receiver: (String, String),
    /// GS02: the sender's application code.
    pub gs_sender: String,
    /// GS03: the receiver's application code.
    pub gs_receiver: String,
    /// ISA12: `00401`…
    pub isa_version: String,
    /// GS08: `004010`…
    pub gs_version: String,
    /// ISA15: `P` production, `T` test.
    pub usage: String,
}

/// Wraps transaction-set bodies (each `(ST01, body)`) into one interchange with one group, numbering
/// sets from 0001 and filling every count and control number.
pub fn envelope(
    sep: &Separators,
    env: &Envelope,
    functional_id: &str,
    sets: &[(&str, Vec<Segment>)],
    date: time::Date,
    hhmm: &str,
    control: u32,
) -> Interchange {
    let yymmdd = format!("{:02}{:02}{:02}", date.year() % 100, u8::from(date.month()), date.day());
    let ccyymmdd = format!("{:04}{:02}{:02}", date.year(), u8::from(date.month()), date.day());
    let ctrl = format!("{:09}", control % 1_000_000_000);
    let isa11 = sep.repetition.map(|c| c.to_string()).unwrap_or_else(|| "U".into());
    let isa = Segment {
        id: "ISA".into(),
        elements: vec![
            "00".into(),
            pad("", 10),
            "00".into(),
            pad("", 10),
            pad(&env.sender.0, 2),
            pad(&env.sender.1, 15),
            pad(&env.receiver.0, 2),
            pad(&env.receiver.1, 15),
            yymmdd,
            hhmm.into(),
            isa11,
            env.isa_version.clone(),
            ctrl.clone(),
            "0".into(),
            env.usage.clone(),
            sep.component.to_string(),
        ],
    };
    let group_ctrl = (control % 1_000_000_000).to_string();
    let gs = Segment::new(
        "GS",
        &[functional_id, &env.gs_sender, &env.gs_receiver, &ccyymmdd, hhmm, &group_ctrl, "X", &env.gs_version],
    );
    let sets: Vec<TransactionSet> = sets
        .iter()
        .enumerate()
        .map(|(i, (kind, body))| {
            let n = format!("{:04}", i + 1);
            TransactionSet {
                st: Segment::new("ST", &[kind, &n]),
                body: body.clone(),
                se: Segment::new("SE", &[&(body.len() + 2).to_string(), &n]),
            }
        })
        .collect();
    let ge = Segment::new("GE", &[&sets.len().to_string(), &group_ctrl]);
    Interchange { separators: *sep, isa, groups: vec![Group { gs, sets, ge }], iea: Segment::new("IEA", &["1", &ctrl]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULT_850: &str = "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMESELLER     *260301*1015*U*00401*000000101*0*P*>~\nGS*PO*AMAZON*ACMESELLER*20260301*1015*101*X*004010~\nST*850*0001~\nBEG*00*SA*4KX7Q2ZP**20260301~\nPO1*1*10*EA*12.50**VN*ACME-MUG-350*EN*8901234567897~\nCTT*1~\nSE*5*0001~\nGE*1*101~\nIEA*1*000000101~\n";

    #[test]
    fn separators_come_from_the_isa_header() {
        assert_eq!(
            separators_of(DEFAULT_850).unwrap(),
            Separators { element: '*', component: '>', segment: '~', repetition: None }
        );
        let odd = DEFAULT_850.replace('*', "|").replace('~', "!").replace("|>!", "|^!");
        let s = separators_of(&odd).unwrap();
        assert_eq!((s.element, s.component, s.segment), ('|', '^', '!'));
        let v5 = DEFAULT_850.replace("*U*00401*", "*^*00501*");
        assert_eq!(separators_of(&v5).unwrap().repetition, Some('^'));
        assert!(separators_of("GS*PO~").is_err());
    }

    #[test]
    fn parses_and_writes_back_the_same_interchange() {
        let ics = parse(DEFAULT_850).unwrap();
        assert_eq!(ics.len(), 1);
        let ic = &ics[0];
        assert_eq!(ic.groups[0].sets[0].kind(), "850");
        assert_eq!(ic.groups[0].sets[0].first("BEG").unwrap().el(3), "4KX7Q2ZP");
        assert_eq!(ic.to_x12(), DEFAULT_850.replace('\n', ""));
        let again = parse(&ic.to_x12()).unwrap();
        assert_eq!(&again[0], ic);
    }

    #[test]
    fn refuses_truncated_or_miscounted_documents() {
        let cut = &DEFAULT_850[..DEFAULT_850.find("GE*").unwrap()];
        assert!(parse(cut).unwrap_err().0.contains("IEA"));
        let miscounted = DEFAULT_850.replace("SE*5*0001", "SE*4*0001");
        assert!(parse(&miscounted).unwrap_err().0.contains("SE01"));
        let wrong_ctrl = DEFAULT_850.replace("IEA*1*000000101", "IEA*1*000000102");
        assert!(parse(&wrong_ctrl).is_err());
    }

    #[test]
    fn reads_interchanges_back_to_back() {
        let two = format!("{DEFAULT_850}{}", DEFAULT_850.replace("4KX7Q2ZP", "5LY8R3AQ"));
        let ics = parse(&two).unwrap();
        assert_eq!(ics.len(), 2);
        assert_eq!(ics[1].groups[0].sets[0].first("BEG").unwrap().el(3), "5LY8R3AQ");
    }

    #[test]
    fn envelopes_are_fixed_width_and_counted() {
        let sep = Separators { element: '|', component: '^', segment: '!', repetition: None };
        let env = Envelope {
            sender: ("ZZ".into(), "ACMESELLER".into()),
            receiver: ("ZZ".into(), "AMAZON".into()),
            gs_sender: "ACMESELLER".into(),
            gs_receiver: "AMAZON".into(),
            isa_version: "00401".into(),
            gs_version: "004010".into(),
            usage: "P".into(),
        };
        let date = time::Date::from_calendar_date(2026, time::Month::March, 2).unwrap();
        let ic =
            envelope(&sep, &env, "PR", &[("855", vec![Segment::new("BAK", &["00", "AC", "PO1", "20260301"])])], date, "0930", 42);
        let text = ic.to_x12();
        assert_eq!(text.find("GS").unwrap(), 106, "ISA is 106 characters with its terminator");
        assert_eq!(separators_of(&text).unwrap(), sep);
        let back = parse(&text).unwrap();
        assert_eq!(back[0].groups[0].sets[0].se.el(1), "3");
        assert_eq!(back[0].iea.el(2), "000000042");
    }
}
