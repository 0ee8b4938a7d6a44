//! The shipping label, read back as a person and a scanner would: rendered at 300 dpi, its barcodes
//! decoded with zbarimg; its text extracted with pdftotext; rendered at the printer's 203 dpi, its
//! bars measured in dots.

mod common;

use common::samples::{self, AWB, INVOICE_NUMBER, ORDER_ID};
use common::{assert_contains_all, decode_all, page_at_203_dpi, pages_at_300_dpi, png_size, text};
use ordo_docs::{DocError, Payment, label_pdf};

#[test]
fn the_label_is_one_4_by_6_inch_page_whose_barcodes_scan_as_the_awb_and_the_order_id() {
    let pdf = label_pdf(&samples::label(Payment::Prepaid)).unwrap();
    let scratch = common::Scratch::new();
    let pages = pages_at_300_dpi(&scratch, &pdf);
    assert_eq!(pages.len(), 1);
    assert_eq!(png_size(&pages[0]), (1200, 1800), "4 × 6 inches at 300 dpi");
    let mut expected = vec![AWB.to_string(), ORDER_ID.to_string()];
    expected.sort();
    assert_eq!(decode_all(&pdf), expected);
}

#[test]
fn the_label_says_who_gets_it_how_it_is_paid_and_where_it_goes_back() {
    let pdf = label_pdf(&samples::label(Payment::Prepaid)).unwrap();
    let text = text(&pdf);
    assert_contains_all(
        &text,
        &[
            "Ekart Logistics",
            "PREPAID",
            AWB,
            "Order 100234",
            "Ananya Krishnamurthy",
            "Indiranagar, Bengaluru",
            "PIN 560038",
            "+91 98450 12345",
            INVOICE_NUMBER,
            "01 Dec 2026",
            "1.25 kg",
            "300 × 220 × 80 mm",
            "Flipkart (fk-1)",
            "If undelivered, return to",
            "Bharat Apparel Private Limited",
            "PIN 560099",
        ],
    );
    assert!(!text.contains("COD"));
}

#[test]
fn a_cod_label_names_the_amount_to_collect() {
    let pdf = label_pdf(&samples::label(Payment::Cod { amount_paise: 184_080 })).unwrap();
    let text = text(&pdf);
    assert_contains_all(&text, &["COD", "Collect ₹1,840.80"]);
    assert!(!text.contains("PREPAID"));
    let mut expected = vec![AWB.to_string(), ORDER_ID.to_string()];
    expected.sort();
    assert_eq!(decode_all(&pdf), expected);
}

/// Lengths of the runs of equal pixels in `row` between its first and last dark pixel, and the
/// white margins on either side.
fn runs(row: &[u8]) -> (usize, Vec<usize>, usize) {
    let first = row.iter().position(|&p| p < 128).expect("a dark pixel");
    let last = row.iter().rposition(|&p| p < 128).expect("a dark pixel");
    let mut runs = vec![1];
    for pair in row[first..=last].windows(2) {
        if (pair[0] < 128) == (pair[1] < 128) {
            *runs.last_mut().unwrap() += 1;
        } else {
            runs.push(1);
        }
    }
    (first, runs, row.len() - 1 - last)
}

#[test]
fn at_203_dpi_every_bar_and_space_is_a_whole_number_of_dots_with_a_quiet_zone() {
    let pdf = label_pdf(&samples::label(Payment::Prepaid)).unwrap();
    let (width, height, pixels) = page_at_203_dpi(&pdf);
    assert_eq!((width, height), (812, 1218), "4 × 6 inches at 203 dpi");
    // A barcode is where many rows in a row are the same pattern of many bars; text never is.
    let rows: Vec<&[u8]> = pixels.chunks(width).collect();
    let mut barcodes = Vec::new();
    let mut y = 0;
    while y < height {
        let same = rows[y..].iter().take_while(|row| **row == rows[y]).count();
        if same >= 50 && rows[y].iter().any(|&p| p < 128) && runs(rows[y]).1.len() > 20 {
            barcodes.push(rows[y]);
        }
        y += same;
    }
    assert_eq!(barcodes.len(), 2, "the AWB's bars and the order id's");
    for row in barcodes {
        let (left_margin, runs, right_margin) = runs(row);
        let narrowest = *runs.iter().min().unwrap();
        assert_eq!(narrowest, 3, "the narrowest bar or space is 3 dots: {runs:?}");
        assert!(runs.iter().all(|run| run % narrowest == 0), "every bar and space is whole modules: {runs:?}");
        assert!(left_margin >= 10 * narrowest && right_margin >= 10 * narrowest, "a quiet zone of 10 modules");
    }
}

#[test]
fn text_no_barcode_can_carry_is_refused_naming_the_field() {
    let mut doc = samples::label(Payment::Prepaid);
    doc.awb = "FMPP₹123".into();
    assert!(matches!(label_pdf(&doc), Err(DocError::Invalid { field, .. }) if field == "awb"));

    let mut doc = samples::label(Payment::Prepaid);
    doc.awb = "FMPP-".repeat(12);
    assert!(matches!(label_pdf(&doc), Err(DocError::Invalid { field, .. }) if field == "awb"), "too long for the label");

    let mut doc = samples::label(Payment::Prepaid);
    doc.order_id = String::new();
    assert!(matches!(label_pdf(&doc), Err(DocError::Invalid { field, .. }) if field == "order_id"));
}

#[test]
fn an_address_too_long_for_the_label_is_refused() {
    let mut doc = samples::label(Payment::Prepaid);
    doc.ship_to.address.lines = vec!["Near the old banyan tree behind the temple".into(); 12];
    assert!(matches!(label_pdf(&doc), Err(DocError::Invalid { field, .. }) if field == "ship_to.address"));
}
