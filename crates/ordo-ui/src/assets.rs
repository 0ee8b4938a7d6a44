//! The stylesheet, the script and htmx, compiled into the binary and served under names that
//! change with their content, so browsers may keep them for a year.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// One file served under `/assets/`.
struct Asset {
    /// Its name without the version, e.g. `ordo.css`.
    stem: &'static str,
    media_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset { stem: "ordo.css", media_type: "text/css; charset=utf-8", body: include_bytes!("../assets/ordo.css") },
    Asset { stem: "ordo.js", media_type: "text/javascript; charset=utf-8", body: include_bytes!("../assets/ordo.js") },
    // htmx 2 (Zero-Clause BSD, assets/htmx.LICENSE), vendored so nothing is fetched at run time.
    Asset {
        stem: "htmx.min.js",
        media_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/htmx-2.0.11.min.js"),
    },
];

/// The versioned path of each asset, e.g. `/assets/ordo.3f2a9c1b.css`.
pub struct AssetPaths {
    pub css: String,
    pub js: String,
    pub htmx: String,
}

fn versioned(a: &Asset) -> String {
    let hash = hex::encode(&Sha256::digest(a.body)[..4]);
    let (name, ext) = a.stem.rsplit_once('.').unwrap_or((a.stem, ""));
    format!("/assets/{name}.{hash}.{ext}")
}

/// The paths pages link to (computed once).
pub fn paths() -> &'static AssetPaths {
    static PATHS: OnceLock<AssetPaths> = OnceLock::new();
    PATHS.get_or_init(|| AssetPaths { css: versioned(&ASSETS[0]), js: versioned(&ASSETS[1]), htmx: versioned(&ASSETS[2]) })
}

/// Serves an asset by its versioned name; an old or unknown version is a 404.
pub async fn serve(Path(name): Path<String>) -> Response {
    let wanted = format!("/assets/{name}");
    match ASSETS.iter().find(|a| versioned(a) == wanted) {
        Some(a) => {
            ([(header::CONTENT_TYPE, a.media_type), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")], a.body)
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}

/// The bytes of every asset together (the UI promises under 100 KB).
pub fn total_size() -> usize {
    ASSETS.iter().map(|a| a.body.len()).sum()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_asset_together_stays_under_100_kb() {
        assert!(super::total_size() < 100 * 1024, "assets are {} bytes", super::total_size());
    }

    #[test]
    fn names_carry_the_content_hash() {
        let p = super::paths();
        assert!(
            p.css.starts_with("/assets/ordo.") && p.css.ends_with(".css") && p.css.len() == "/assets/ordo.12345678.css".len()
        );
        assert_ne!(p.css, p.js);
    }
}
