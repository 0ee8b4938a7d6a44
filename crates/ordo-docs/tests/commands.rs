//! The stations' sheet of command barcodes, read back: every code decoded with zbarimg from a
//! 300 dpi render, and the sheet running over pages when its commands don't fit on one.

mod common;

use common::{decode_all, page_count, text};
use ordo_docs::{CommandGroup, CommandSheet, command_sheet_pdf};

fn sheet(stations: usize, per_station: usize) -> CommandSheet {
    let groups = (0..stations)
        .map(|s| CommandGroup {
            heading: format!("Station {s}"),
            commands: (0..per_station).map(|c| (format!("ORDO-CMD:S{s}C{c}"), format!("command {c} of station {s}"))).collect(),
        })
        .collect();
    CommandSheet { title: "Station commands".into(), groups }
}

#[test]
fn every_command_scans_back_and_a_long_sheet_runs_over_pages() {
    let short = sheet(1, 4);
    let pdf = command_sheet_pdf(&short).unwrap();
    let mut codes: Vec<String> = short.groups[0].commands.iter().map(|(c, _)| c.clone()).collect();
    codes.sort();
    assert_eq!(decode_all(&pdf), codes, "each code's barcode, once");
    let words = text(&pdf);
    assert_eq!(page_count(&words), 1);
    assert!(words.contains("Station 0") && words.contains("command 3 of station 0"), "{words}");

    let long = command_sheet_pdf(&sheet(3, 8)).unwrap();
    let pages = page_count(&text(&long));
    assert!(pages >= 2, "27 rows take more than one page: {pages}");
    assert_eq!(decode_all(&long).len(), 24, "every barcode on every page");
}
