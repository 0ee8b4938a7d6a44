//! `/stations/commands.pdf`: every station's command barcodes on printable pages, so a station can
//! be driven with the scanner alone. Codes that carry a number of their own
//! (`ORDO-CMD:PICKLIST:<number>`) come printed on what they name, not on this sheet.

use crate::UiState;
use crate::page::Screen;
use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ordo_docs::{CommandGroup, CommandSheet, command_sheet_pdf};

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router.route("/stations/commands.pdf", get(sheet))
}

/// Each station's heading and its commands.
fn stations() -> Vec<(&'static str, &'static [(&'static str, &'static str)])> {
    vec![
        ("Pick station", super::pick_station::COMMANDS),
        ("Pack station", super::pack_station::COMMANDS),
        ("Return QC station", super::qc::COMMANDS),
        ("Receiving station", super::receiving::COMMANDS),
        ("Manifest", &[(super::manifests::HANDOVER, "hand the open manifest over to the carrier")]),
    ]
}

/// The sheet: every fixed command code of every station.
pub fn command_sheet() -> CommandSheet {
    let groups = stations()
        .into_iter()
        .map(|(heading, commands)| CommandGroup {
            heading: heading.into(),
            commands: commands
                .iter()
                .filter(|(code, _)| !code.contains('<'))
                .map(|(code, label)| (code.to_string(), label.to_string()))
                .collect(),
        })
        .collect();
    CommandSheet { title: "Ordo station commands".into(), groups }
}

async fn sheet(screen: Screen) -> Response {
    match command_sheet_pdf(&command_sheet()) {
        Ok(pdf) => ([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response(),
        Err(e) => screen.error(ordo_domain::DomainError::Internal(format!("the command sheet: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_fixed_command_of_every_station_is_on_the_sheet() {
        let sheet = super::command_sheet();
        let codes: Vec<&str> = sheet.groups.iter().flat_map(|g| g.commands.iter().map(|(c, _)| c.as_str())).collect();
        for code in ["ORDO-CMD:PACK", "ORDO-CMD:DONE", "ORDO-CMD:PASS", "ORDO-CMD:FAIL", "ORDO-CMD:HANDOVER", "ORDO-CMD:SHORT"] {
            assert!(codes.contains(&code), "{code} is missing from {codes:?}");
        }
        assert!(codes.iter().all(|c| c.starts_with("ORDO-CMD:") && !c.contains('<')));
    }
}
