use super::*;
use proptest::prelude::*;
use time::macros::date;

fn seller() -> Party {
    Party {
        gstin: "27AAPFU0939F1ZV".into(),
        legal_name: "Ordo Demo Traders".into(),
        address1: "12 Marine Drive".into(),
        location: "Mumbai".into(),
        pin: 400001,
        ..Party::default()
    }
}

fn buyer(gstin: &str) -> Party {
    Party {
        gstin: gstin.into(),
        legal_name: "Bengaluru Retail LLP".into(),
        trade_name: Some("BR Stores".into()),
        address1: "4 MG Road".into(),
        location: "Bengaluru".into(),
        pin: 560001,
        email: Some("accounts@brstores.in".into()),
        ..Party::default()
    }
}

fn line(description: &str, hsn: &str, quantity: u32, unit: &str, price: i64, rate: u32) -> LineInput {
    LineInput {
        description: description.into(),
        hsn_code: hsn.into(),
        quantity,
        unit: unit.into(),
        unit_price: Paise(price),
        gst_rate: Rate(rate),
        ..LineInput::default()
    }
}

pub(crate) fn sample_input() -> InvoiceInput {
    InvoiceInput {
        seller: seller(),
        buyer: buyer("29AABCT1332L1ZA"),
        document_type: DocumentType::Invoice,
        document_number: "WH1/2627/000042".into(),
        document_date: date!(2026 - 06 - 15),
        place_of_supply: "29".into(),
        lines: vec![
            line("Cotton T-shirt", "61091000", 10, "NOS", 49_900, 500),
            line("Denim jeans", "62034200", 2, "PCS", 129_999, 1200),
        ],
        reverse_charge: false,
        gstin_check: GstinCheck::Strict,
    }
}

const SAMPLE_ITEM_ZEROES: &str = r#""CesRt": 0,
      "CesAmt": 0.00,
      "CesNonAdvlAmt": 0.00,
      "StateCesRt": 0,
      "StateCesAmt": 0.00,
      "StateCesNonAdvlAmt": 0.00,
      "OthChrg": 0.00,"#;

#[test]
fn a_sample_invoice_serializes_with_nics_field_names() {
    let invoice = sample_input().build().unwrap();
    let expected = r#"{
  "Version": "1.1",
  "TranDtls": {
    "TaxSch": "GST",
    "SupTyp": "B2B",
    "RegRev": "N",
    "IgstOnIntra": "N"
  },
  "DocDtls": {
    "Typ": "INV",
    "No": "WH1/2627/000042",
    "Dt": "15/06/2026"
  },
  "SellerDtls": {
    "Gstin": "27AAPFU0939F1ZV",
    "LglNm": "Ordo Demo Traders",
    "Addr1": "12 Marine Drive",
    "Loc": "Mumbai",
    "Pin": 400001,
    "Stcd": "27"
  },
  "BuyerDtls": {
    "Gstin": "29AABCT1332L1ZA",
    "LglNm": "Bengaluru Retail LLP",
    "TrdNm": "BR Stores",
    "Pos": "29",
    "Addr1": "4 MG Road",
    "Loc": "Bengaluru",
    "Pin": 560001,
    "Stcd": "29",
    "Em": "accounts@brstores.in"
  },
  "ItemList": [
    {
      "SlNo": "1",
      "PrdDesc": "Cotton T-shirt",
      "IsServc": "N",
      "HsnCd": "61091000",
      "Qty": 10,
      "Unit": "NOS",
      "UnitPrice": 499.00,
      "TotAmt": 4990.00,
      "Discount": 0.00,
      "AssAmt": 4990.00,
      "GstRt": 5,
      "IgstAmt": 249.50,
      "CgstAmt": 0.00,
      "SgstAmt": 0.00,
      ZEROES
      "TotItemVal": 5239.50
    },
    {
      "SlNo": "2",
      "PrdDesc": "Denim jeans",
      "IsServc": "N",
      "HsnCd": "62034200",
      "Qty": 2,
      "Unit": "PCS",
      "UnitPrice": 1299.99,
      "TotAmt": 2599.98,
      "Discount": 0.00,
      "AssAmt": 2599.98,
      "GstRt": 12,
      "IgstAmt": 312.00,
      "CgstAmt": 0.00,
      "SgstAmt": 0.00,
      ZEROES
      "TotItemVal": 2911.98
    }
  ],
  "ValDtls": {
    "AssVal": 7589.98,
    "CgstVal": 0.00,
    "SgstVal": 0.00,
    "IgstVal": 561.50,
    "CesVal": 0.00,
    "StCesVal": 0.00,
    "Discount": 0.00,
    "OthChrg": 0.00,
    "RndOffAmt": 0.00,
    "TotInvVal": 8151.48
  }
}"#
    .replace("ZEROES", SAMPLE_ITEM_ZEROES);
    assert_eq!(serde_json::to_string_pretty(&invoice).unwrap(), expected);
    // And NIC's JSON reads back into the same invoice.
    assert_eq!(serde_json::from_str::<Invoice>(&expected).unwrap(), invoice);
}

#[test]
fn the_invoice_knows_its_irn() {
    let invoice = sample_input().build().unwrap();
    let expected = crate::irn::irn("27AAPFU0939F1ZV", date!(2026 - 06 - 15), DocumentType::Invoice, "WH1/2627/000042");
    assert_eq!(invoice.irn().unwrap(), expected);
    assert_eq!(invoice.main_hsn_code(), Some("61091000"));
}

#[test]
fn a_place_of_supply_in_the_sellers_state_splits_cgst_and_sgst() {
    let mut input = sample_input();
    input.buyer = buyer("27AABCR5055K1Z6");
    input.place_of_supply = "27".into();
    let invoice = input.build().unwrap();
    let first = &invoice.items[0];
    assert_eq!((first.cgst, first.sgst, first.igst), (Paise(12_475), Paise(12_475), Paise::ZERO));
    // 2 599.98 × 6 % = 155.9988 → 156.00 each.
    assert_eq!((invoice.items[1].cgst, invoice.items[1].sgst), (Paise(15_600), Paise(15_600)));
    assert_eq!((invoice.totals.cgst, invoice.totals.sgst, invoice.totals.igst), (Paise(28_075), Paise(28_075), Paise::ZERO));
    assert_eq!(invoice.buyer.state_code, "27");
}

#[test]
fn a_buyer_shipping_elsewhere_is_taxed_by_the_place_of_supply() {
    // A Maharashtra buyer receiving the goods in Karnataka: IGST, whatever the buyer's own state.
    let mut input = sample_input();
    input.buyer = buyer("27AABCR5055K1Z6");
    let invoice = input.build().unwrap();
    assert_eq!(invoice.totals.igst, Paise(56_150));
    assert_eq!(invoice.totals.cgst, Paise::ZERO);
}

#[test]
fn every_wrong_field_is_named_by_its_inv01_path() {
    let mut input = sample_input();
    input.seller.gstin = "27AAPFU0939F1ZO".into();
    input.buyer.pin = 5600;
    input.buyer.email = Some("nobody".into());
    input.place_of_supply = "99".into();
    input.document_number = "0INV/1".into();
    input.lines[1].hsn_code = "620".into();
    input.lines[1].unit = "EACH".into();
    input.lines[1].gst_rate = Rate(1700);
    input.lines[0].quantity = 0;
    let err = input.build().unwrap_err();
    let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "SellerDtls.Gstin",
            "BuyerDtls.Pin",
            "BuyerDtls.Em",
            "BuyerDtls.Pos",
            "DocDtls.No",
            "ItemList[0].Qty",
            "ItemList[1].HsnCd",
            "ItemList[1].Unit",
            "ItemList[1].GstRt",
        ]
    );
    assert!(err.to_string().contains("SellerDtls.Gstin: '27AAPFU0939F1ZO' has a wrong check character"));
}

#[test]
fn the_same_gstin_on_both_sides_and_an_empty_invoice_are_refused() {
    let mut input = sample_input();
    input.buyer.gstin = input.seller.gstin.clone();
    input.lines.clear();
    let fields: Vec<String> = input.build().unwrap_err().errors.into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["BuyerDtls.Gstin", "ItemList"]);
}

#[test]
fn sandbox_gstins_are_accepted_only_when_asked_for() {
    let mut input = sample_input();
    input.buyer.gstin = "29AWGPV7107B1Z1".into(); // a test GSTIN of NIC's sandbox
    assert_eq!(input.build().unwrap_err().errors[0].field, "BuyerDtls.Gstin");
    input.gstin_check = GstinCheck::SandboxTestGstins;
    assert_eq!(input.build().unwrap().buyer.gstin, "29AWGPV7107B1Z1");
}

#[test]
fn document_numbers_are_kept_in_upper_case() {
    let mut input = sample_input();
    input.document_number = "wh1/2627/7".into();
    assert_eq!(input.build().unwrap().document.number, "WH1/2627/7");
}

fn any_line() -> impl Strategy<Value = LineInput> {
    (1u32..500, 0i64..5_000_000, prop::sample::select(validate::GST_RATES.to_vec()), any::<bool>()).prop_map(
        |(quantity, price, rate, inclusive)| LineInput {
            price_basis: if inclusive { PriceBasis::InclusiveOfGst } else { PriceBasis::ExclusiveOfGst },
            ..line("Any goods", "6109", quantity, "NOS", price, rate)
        },
    )
}

proptest! {
    #[test]
    fn totals_are_the_sums_of_the_rounded_lines(lines in prop::collection::vec(any_line(), 1..20), intra in any::<bool>()) {
        let mut input = sample_input();
        input.place_of_supply = if intra { "27" } else { "29" }.into();
        input.lines = lines;
        let invoice = input.build().unwrap();
        let t = &invoice.totals;
        let sum = |f: fn(&Item) -> Paise| invoice.items.iter().map(f).sum::<Paise>();
        prop_assert_eq!(t.taxable_value, sum(|i| i.taxable_value));
        prop_assert_eq!(t.cgst, sum(|i| i.cgst));
        prop_assert_eq!(t.sgst, sum(|i| i.sgst));
        prop_assert_eq!(t.igst, sum(|i| i.igst));
        prop_assert_eq!(t.total, sum(|i| i.total));
        prop_assert_eq!(t.cgst, t.sgst);
        prop_assert_eq!(t.taxable_value + t.cgst + t.sgst + t.igst, t.total);
        for item in &invoice.items {
            prop_assert_eq!(item.taxable_value + item.cgst + item.sgst + item.igst, item.total);
        }
    }
}
