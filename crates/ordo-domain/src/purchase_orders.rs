//! Ajio purchase orders (SPEC.md §6, §13.2): a B2B order that covers acknowledged B2C orders and
//! ships as them, never holding stock of its own. Its B2B invoice decides what ships: with the
//! seller's ERP, the units the ERP's invoice leaves out are cancelled on the covered orders; without
//! it, Ordo invoices the units the covered orders packed.

/// Units to cancel per line so that each SKU's open units come down to what was invoiced.
///
/// `lines` are (SKU, open units) in the order to cut from; `invoiced` the final units per SKU. A SKU
/// the invoice does not name has nothing invoiced: no invoice covers its units, so none can ship.
/// Cutting goes line by line in the given order, so the caller decides who loses units first (for
/// covered B2C orders: the newest order first, its last line first — the orders that waited least).
pub fn uninvoiced_cuts(lines: &[(&str, i64)], invoiced: &[(String, i64)]) -> Vec<i64> {
    let mut excess: Vec<(&str, i64)> = Vec::new();
    for (sku, open) in lines {
        match excess.iter_mut().find(|(s, _)| s == sku) {
            Some((_, e)) => *e += open.max(&0),
            None => excess.push((sku, (*open).max(0))),
        }
    }
    for (sku, e) in excess.iter_mut() {
        let billed: i64 = invoiced.iter().filter(|(s, _)| s == sku).map(|(_, q)| (*q).max(0)).sum();
        *e = (*e - billed).max(0);
    }
    lines
        .iter()
        .map(|(sku, open)| {
            let Some((_, e)) = excess.iter_mut().find(|(s, _)| s == sku) else { return 0 };
            let cut = (*e).min((*open).max(0));
            *e -= cut;
            cut
        })
        .collect()
}

/// Spreads `units` per SKU over `lines` (SKU, open units) in line order, each line taking up to its
/// open units: the quantities a purchase order's own lines invoice. Units beyond what the lines
/// hold are left out (a purchase order never invoices more than it ordered).
pub fn spread(lines: &[(&str, i64)], units: &[(String, i64)]) -> Vec<i64> {
    let mut left: Vec<(&str, i64)> = Vec::new();
    for (sku, qty) in units {
        match left.iter_mut().find(|(s, _)| s == sku) {
            Some((_, l)) => *l += (*qty).max(0),
            None => left.push((sku, (*qty).max(0))),
        }
    }
    lines
        .iter()
        .map(|(sku, open)| {
            let Some((_, l)) = left.iter_mut().find(|(s, _)| s == sku) else { return 0 };
            let take = (*l).min((*open).max(0));
            *l -= take;
            take
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(v: &[(&str, i64)]) -> Vec<(String, i64)> {
        v.iter().map(|(s, q)| (s.to_string(), *q)).collect()
    }

    #[test]
    fn the_units_not_invoiced_are_cut_from_the_first_lines_given() {
        // Newest order first: its 2 units of A go before the older order's.
        let lines = [("A", 2), ("A", 2), ("B", 1)];
        assert_eq!(uninvoiced_cuts(&lines, &inv(&[("A", 3), ("B", 1)])), [1, 0, 0]);
        assert_eq!(uninvoiced_cuts(&lines, &inv(&[("A", 1), ("B", 1)])), [2, 1, 0]);
    }

    #[test]
    fn a_sku_the_invoice_leaves_out_has_nothing_invoiced() {
        assert_eq!(uninvoiced_cuts(&[("A", 2), ("B", 3)], &inv(&[("A", 2)])), [0, 3]);
    }

    #[test]
    fn an_invoice_of_everything_cuts_nothing_and_lines_of_one_sku_may_be_invoiced_in_parts() {
        assert_eq!(uninvoiced_cuts(&[("A", 2), ("A", 1)], &inv(&[("A", 1), ("A", 2)])), [0, 0]);
        assert_eq!(uninvoiced_cuts(&[("A", 0), ("A", 2)], &inv(&[("A", 0)])), [0, 2]);
    }

    #[test]
    fn units_spread_over_the_lines_in_order_and_never_beyond_them() {
        assert_eq!(spread(&[("A", 3), ("B", 2), ("A", 2)], &inv(&[("A", 4), ("B", 1)])), [3, 1, 1]);
        assert_eq!(spread(&[("A", 1)], &inv(&[("A", 5), ("C", 2)])), [1]);
        assert_eq!(spread(&[("A", 1)], &[]), [0]);
    }
}
