//! The tax invoice, read back: its text with pdftotext, its e-invoice QR code with zbarimg from a
//! 300 dpi render.

mod common;

use common::samples::{self, BUYER_GSTIN, INVOICE_NUMBER, SELLER_GSTIN};
use common::{assert_contains_all, decode_all, page_count, pages_at_300_dpi, png_size, text};
use ordo_docs::{DocError, Tax, TaxPart, invoice_pdf};

#[test]
fn a_b2b_invoice_prints_its_e_invoice_qr_code_exactly_as_signed() {
    let doc = samples::invoice(3, true);
    let payload = &doc.e_invoice.as_ref().unwrap().signed_qr_code;
    assert!((700..=950).contains(&payload.len()), "a realistic signed QR code: {} characters", payload.len());
    let pdf = invoice_pdf(&doc).unwrap();
    let scratch = common::Scratch::new();
    let pages = pages_at_300_dpi(&scratch, &pdf);
    assert_eq!(pages.len(), 1);
    assert_eq!(png_size(&pages[0]), (2481, 3508), "A4 at 300 dpi");
    assert_eq!(decode_all(&pdf), std::slice::from_ref(payload));
}

#[test]
fn a_b2b_invoice_names_both_parties_its_numbers_and_its_igst() {
    let doc = samples::invoice(3, true);
    let text = text(&invoice_pdf(&doc).unwrap());
    let irn = &doc.e_invoice.as_ref().unwrap().irn;
    assert_contains_all(
        &text,
        &[
            "Tax Invoice",
            INVOICE_NUMBER,
            "01 Dec 2026",
            "100234",
            "OD432198765432101",
            SELLER_GSTIN,
            BUYER_GSTIN,
            "Bharat Apparel Private Limited",
            "Reliance Retail Limited",
            "State: Karnataka (code 29)",
            "PIN: 560099",
            "Maharashtra (code 27)",
            irn,
            "182610012345678",
            "01 Dec 2026 14:05",
            "IGST",
            "12%",
            "₹",
            "₹1,299.00",
            "Authorised signatory",
        ],
    );
    assert!(!text.contains("CGST"), "an inter-state invoice has no CGST");
    let grand_total = doc.totals.grand_total_paise;
    assert_eq!(grand_total, 648_928, "the sample's total, ₹6,489.28");
    assert_contains_all(&text, &["₹6,489.28", "Rupees Six Thousand Four Hundred Eighty-Nine and Twenty-Eight Paise Only"]);
}

#[test]
fn sixty_lines_run_over_pages_and_every_line_is_printed() {
    let doc = samples::invoice(60, false);
    let pdf = invoice_pdf(&doc).unwrap();
    let text = text(&pdf);
    let pages = page_count(&text);
    assert!(pages >= 2, "60 lines take more than a page: {pages}");
    assert_contains_all(&text, &[format!("page {pages} of {pages}"), format!("{INVOICE_NUMBER} (continued)")]);
    for line in &doc.lines {
        assert!(text.contains(&line.sku), "line {} is not printed:\n{text}", line.sku);
    }
    assert_contains_all(&text, &["CGST", "SGST", "6%", "Ananya Krishnamurthy", "+91 98450 12345"]);
    assert!(!text.contains("IGST") && !text.contains("IRN"), "a B2C invoice within the state");
    // The trailer comes once, after the last line.
    let last_sku = &doc.lines.last().unwrap().sku;
    let words = text.find("Amount in words").expect("the total in words");
    assert!(text.find(last_sku.as_str()).unwrap() < words);
    assert_eq!(text.matches("Grand total").count(), 1);
    assert_contains_all(&text, &[ordo_docs::amount_in_words(doc.totals.grand_total_paise)]);
    assert!(decode_all(&pdf).is_empty(), "no e-invoice, no QR code");
}

#[test]
fn an_invoice_it_cannot_print_honestly_is_refused_naming_the_field() {
    let field_of = |doc| match invoice_pdf(&doc) {
        Err(DocError::Invalid { field, .. }) => field,
        other => panic!("expected a refusal, got {other:?}"),
    };

    let mut doc = samples::invoice(3, false);
    doc.seller.gstin = None;
    assert_eq!(field_of(doc), "seller.gstin");

    let mut doc = samples::invoice(3, false);
    doc.lines.clear();
    assert_eq!(field_of(doc), "lines");

    let mut doc = samples::invoice(3, false);
    doc.lines[1].tax = Tax::InterState { igst: TaxPart { rate_basis_points: 1200, amount_paise: 100 } };
    assert_eq!(field_of(doc), "lines[1].tax");

    let mut doc = samples::invoice(3, true);
    doc.e_invoice.as_mut().unwrap().signed_qr_code = "x".repeat(4000);
    assert_eq!(field_of(doc), "e_invoice.signed_qr_code");

    let mut doc = samples::invoice(3, false);
    doc.lines[2].description = "very long description ".repeat(400);
    assert_eq!(field_of(doc), "lines[2].description");
}
