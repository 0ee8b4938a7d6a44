//! The manifest, read back: every AWB barcode on every page decoded with zbarimg from a 300 dpi
//! render, every row's text with pdftotext.

mod common;

use common::samples;
use common::{assert_contains_all, decode_all, layout_text, page_count, text};
use ordo_docs::{DocError, manifest_pdf};

#[test]
fn a_manifest_of_120_shipments_prints_every_row_and_every_awb_scans() {
    let doc = samples::manifest(120);
    let pdf = manifest_pdf(&doc).unwrap();
    let mut awbs: Vec<String> = (0..120).map(samples::manifest_awb).collect();
    awbs.sort();
    assert_eq!(decode_all(&pdf), awbs, "every AWB's barcode, once");

    let text = text(&pdf);
    let pages = page_count(&text);
    assert!(pages >= 3, "120 rows take several pages: {pages}");
    assert_contains_all(
        &text,
        &[
            "Manifest",
            "MF-2026-12-01-0007",
            "Ekart Logistics",
            "fk-1 (Flipkart)",
            "Received by the carrier's pickup person",
            "Signature",
        ],
    );
    assert_contains_all(&text, &[format!("page {pages} of {pages}"), "(continued)".to_string()]);
    for shipment in &doc.shipments {
        assert_contains_all(&text, &[&shipment.awb, &shipment.order_id, &shipment.invoice_number]);
    }
    assert_contains_all(
        &layout_text(&pdf),
        &["Created 01 Dec 2026 16:30 IST", "Handed over 01 Dec 2026 18:05 IST", "Shipments 120", "Total weight 118.65 kg"],
    );
    let last_page = text.split('\u{c}').nth(pages - 1).unwrap();
    assert!(last_page.contains("Received by the carrier's pickup person"), "the signature box ends the manifest");
}

#[test]
fn an_empty_manifest_still_has_its_facts_and_signature_box() {
    let mut doc = samples::manifest(0);
    doc.handed_over_at = None;
    let pdf = manifest_pdf(&doc).unwrap();
    let text = layout_text(&pdf);
    assert_eq!(page_count(&text), 1);
    assert_contains_all(&text, &["Shipments 0", "Handed over not yet", "Received by the carrier's pickup person"]);
    assert!(decode_all(&pdf).is_empty());
}

#[test]
fn an_awb_no_barcode_can_carry_is_refused_naming_the_shipment() {
    let mut doc = samples::manifest(5);
    doc.shipments[3].awb = "FMPP\u{7f}".into();
    assert!(matches!(manifest_pdf(&doc), Err(DocError::Invalid { field, .. }) if field == "shipments[3].awb"));
}
