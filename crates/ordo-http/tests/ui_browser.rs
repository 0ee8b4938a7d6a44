//! The operator UI in a real browser (headless Chromium through chromedriver): what a person at a
//! screen or a scanner station does, and axe-core's accessibility rules on every screen.

// The flows here use the browser harness, not all of the API harness beside it.
#[allow(unused_macros, unused_imports)]
mod common;

use axum::Router;
use axum::extract::Query;
use axum::response::Html;
use axum::routing::get;
use common::browser::Browser;
use std::collections::HashMap;

/// A scanner station in one page: a scan field that has the focus, a quantity, and a line telling
/// the last scan, which the server writes when the form is sent.
async fn station(Query(q): Query<HashMap<String, String>>) -> Html<String> {
    let qty = q.get("qty").cloned().unwrap_or_else(|| "1".into());
    let result = match q.get("scan") {
        Some(scan) => format!("Scanned {qty} × {scan}"),
        None => "Nothing scanned yet".into(),
    };
    Html(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Station</title></head>
<body><main>
<h1>Station</h1>
<form method="get" action="/">
  <label for="scan">Scan</label> <input id="scan" name="scan" autofocus>
  <label for="qty">Quantity</label> <input id="qty" name="qty" value="{qty}">
  <button>Send</button>
</form>
<p id="result">{result}</p>
</main></body></html>"#
    ))
}

/// The same station with two critical accessibility faults: an image without a text alternative
/// and a field without a label.
async fn broken_station() -> Html<&'static str> {
    Html(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Station</title></head>
<body><main>
<h1>Station</h1>
<img id="logo" src="/logo.png">
<form method="get" action="/"><input id="unlabelled" name="scan"></form>
</main></body></html>"#,
    )
}

/// Serves the test pages on a free port; answers the base URL.
async fn serve_pages() -> String {
    let router = Router::new().route("/", get(station)).route("/broken", get(broken_station));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_scans_fills_waits_screenshots_and_checks_accessibility() {
    let browser = Browser::start(&serve_pages().await).await;

    // A scan lands in the field the page focused and Enter sends the form.
    browser.goto("/").await;
    browser.wait_text("#result", "Nothing scanned yet").await;
    browser.scan("ABC-123").await;
    browser.wait_text("#result", "Scanned 1 × ABC-123").await;
    assert_eq!(browser.path().await, "/?scan=ABC-123&qty=1");

    // A filled field goes with the next scan.
    browser.fill("qty", "3").await;
    browser.click("#scan").await;
    browser.scan("XYZ-9").await;
    browser.wait_text("#result", "Scanned 3 × XYZ-9").await;

    // The screenshot is a PNG of the whole window, written anew.
    let file = common::browser::target_dir().join("ui-screenshots/harness.png");
    let _ = std::fs::remove_file(&file);
    assert_eq!(browser.screenshot("harness").await, file);
    let png = std::fs::read(&file).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", file.display());
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 1280, "the window is 1280 pixels wide");

    // A page that follows the rules passes.
    assert!(browser.accessibility_violations().await.is_empty(), "{:?}", browser.accessibility_violations().await);
    browser.check_accessibility("the station").await;

    // A page that breaks them has every critical fault reported, with where it is.
    browser.goto("/broken").await;
    let violations = browser.accessibility_violations().await;
    let image = violations.iter().find(|v| v.id == "image-alt").unwrap_or_else(|| panic!("{violations:?}"));
    assert_eq!((image.impact.as_str(), image.targets.clone()), ("critical", vec!["#logo".to_string()]));
    let label = violations.iter().find(|v| v.id == "label").unwrap_or_else(|| panic!("{violations:?}"));
    assert_eq!((label.impact.as_str(), label.targets.clone()), ("critical", vec!["#unlabelled".to_string()]));

    // And the check that the UI tests use fails on it, naming each of them.
    let checked = tokio::spawn(async move { browser.check_accessibility("the broken station").await }).await;
    let panic = checked.expect_err("check_accessibility passes a page with critical violations").into_panic();
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    for expected in ["the broken station (/broken)", "image-alt (critical)", "#logo", "label (critical)", "#unlabelled"] {
        assert!(message.contains(expected), "{expected:?} not in: {message}");
    }
}
