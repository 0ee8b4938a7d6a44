//! The operator screens over plain HTTP: signing in and out, sessions, the refusal of cross-site
//! posts, the search box, the order page and its actions, the dashboard — on both databases.

mod common;

use common::ui::text;
use common::{TestApp, api_tests};
use ordo_app::clock::Clock;
use ordo_domain::kinds::Role;
use serde_json::json;

api_tests!(
    login_sets_a_session_cookie_and_lands_on_the_dashboard,
    a_wrong_password_stays_on_the_form_with_an_error,
    screens_without_a_session_go_to_login_and_show_nothing,
    logout_ends_the_session_in_the_store,
    sessions_end_when_idle_or_too_old,
    cross_site_posts_are_refused,
    the_cookie_never_authorises_the_api,
    search_finds_an_order_by_any_of_its_ids,
    the_order_page_shows_lines_explain_timeline_and_allowed_actions,
    order_actions_follow_the_role,
    another_clients_order_answers_like_a_missing_one,
    the_dashboard_counts_orders_per_status,
    unknown_paths_answer_browsers_with_a_page_and_programs_with_problem_json,
    the_stations_command_barcodes_print_and_scan_back,
);

/// An order `SO-1` of 2 × A on an internal channel `web`, left UNFULFILLABLE (no stock), so it has a
/// timeline and an explanation.
async fn unfulfillable_order(t: &TestApp) -> String {
    t.basic_setup().await;
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    let (status, order) = t
        .post(
            "/api/v1/orders",
            json!({"channel": "web", "kind": "B2C", "channel_order_id": "SO-1", "parent_order_id": "PARENT-9",
                   "warehouse": "wh1", "lines": [{"sku": "A", "qty": 2, "channel_line_id": "ITEM-77"}]}),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["status"], "UNFULFILLABLE");
    order["id"].as_str().unwrap().to_string()
}

async fn login_sets_a_session_cookie_and_lands_on_the_dashboard(t: TestApp) {
    let (email, password) = t.user("ops@acme.example", Role::Operator).await;
    let mut b = t.browser();
    let form = b.get("/login").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(r#"name="email""#) && form.body.contains(r#"name="password""#));
    let a = b.login(&email, &password).await;
    assert_eq!((a.status, a.location.as_deref()), (303, Some("/")));
    let cookie = a.set_cookie.expect("a session cookie");
    assert!(cookie.starts_with("ordo_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain HTTP: not Secure, or the browser would drop it");
    let token = b.token.clone().unwrap();
    assert_eq!(t.app.session_ended(&token).await.unwrap(), Some(false), "the session is kept in the store");
    let dashboard = b.get("/").await;
    assert_eq!(dashboard.status, 200);
    let page = text(&dashboard.body);
    assert!(page.contains("Dashboard") && page.contains("ops@acme.example"), "{page}");
    assert!(dashboard.body.contains(r#"name="q""#), "every page has the search box");
    assert!(page.contains("Log out"));
    // Behind a TLS proxy the cookie is Secure.
    let r = t
        .browser()
        .http
        .post(format!("{}/login", t.base))
        .header("x-forwarded-proto", "https")
        .form(&[("email", email.as_str()), ("password", password.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
}

async fn a_wrong_password_stays_on_the_form_with_an_error(t: TestApp) {
    let (email, _) = t.user("ops@acme.example", Role::Operator).await;
    let mut b = t.browser();
    for (email, password) in [(email.as_str(), "not the password"), ("nobody@acme.example", "whatever-it-is")] {
        let a = b.login(email, password).await;
        assert_eq!(a.status, 401);
        assert!(a.location.is_none() && a.set_cookie.is_none());
        assert!(a.body.contains(r#"name="password""#), "the form again");
        assert!(text(&a.body).contains("The email or the password is wrong."));
    }
    assert!(b.token.is_none());
    // A disabled user can't sign in either.
    let admin = t.signed_in(Role::Admin).await;
    let users = t.app.list_users(&t.caller(Role::Admin).await).await.unwrap();
    let id = users.iter().find(|u| u.email == email).unwrap().id.clone();
    t.app.disable_user(&t.caller(Role::Admin).await, &id).await.unwrap();
    assert_eq!(b.login(&email, "pw-ops@acme.example-long-enough").await.status, 401);
    drop(admin);
}

async fn screens_without_a_session_go_to_login_and_show_nothing(t: TestApp) {
    let id = unfulfillable_order(&t).await;
    let b = t.browser();
    for path in ["/", &format!("/orders/{id}"), "/search?q=SO-1"] {
        let a = b.get(path).await;
        assert_eq!((a.status, a.location.as_deref()), (303, Some("/login")), "{path}");
        assert!(!a.body.contains("SO-1"), "{path} shows no data");
    }
    let mut forged = t.browser();
    forged.token = Some("f".repeat(64));
    assert_eq!(forged.get("/").await.location.as_deref(), Some("/login"), "an unknown token is no session");
    let a = b.post(&format!("/orders/{id}/cancel"), &[("reason", "x")]).await;
    assert_eq!(a.location.as_deref(), Some("/login"));
    assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "UNFULFILLABLE", "nothing changed");
}

async fn logout_ends_the_session_in_the_store(t: TestApp) {
    let b = t.signed_in(Role::Warehouse).await;
    let token = b.token.clone().unwrap();
    assert!(b.get("/").await.body.contains(r#"action="/logout""#), "a visible Log out button posting to /logout");
    let a = b.post("/logout", &[]).await;
    assert_eq!((a.status, a.location.as_deref()), (303, Some("/login")));
    assert!(a.set_cookie.unwrap().contains("Max-Age=0"), "the cookie is cleared");
    assert_eq!(t.app.session_ended(&token).await.unwrap(), Some(true));
    assert_eq!(b.get("/").await.location.as_deref(), Some("/login"), "the old cookie no longer works");
}

async fn sessions_end_when_idle_or_too_old(t: TestApp) {
    let b = t.signed_in(Role::Operator).await;
    // Used every 7 hours, a session stays (idle limit 8 h) until it is 24 h old.
    for _ in 0..3 {
        t.clock.advance(7 * 3600);
        assert_eq!(b.get("/").await.status, 200);
    }
    t.clock.advance(4 * 3600);
    assert_eq!(b.get("/").await.location.as_deref(), Some("/login"), "25 hours old");
    assert_eq!(t.app.session_ended(b.token.as_ref().unwrap()).await.unwrap(), Some(true));
    let idle = t.signed_in(Role::Operator).await;
    t.clock.advance(8 * 3600 + 1);
    assert_eq!(idle.get("/").await.location.as_deref(), Some("/login"), "idle for over 8 hours");
}

async fn cross_site_posts_are_refused(t: TestApp) {
    let id = unfulfillable_order(&t).await;
    let b = t.signed_in(Role::Admin).await;
    let url = format!("{}/orders/{id}/cancel", t.base);
    let cookie = format!("ordo_session={}", b.token.as_ref().unwrap());
    let tries = [
        vec![("origin", "https://evil.example".to_string())],
        vec![("sec-fetch-site", "cross-site".to_string())],
        vec![("sec-fetch-site", "same-site".to_string()), ("origin", "http://shop.localhost".to_string())],
    ];
    for headers in tries {
        let mut rb = b.http.post(&url).header("cookie", &cookie).form(&[("reason", "forged")]);
        for (k, v) in &headers {
            rb = rb.header(*k, v);
        }
        let r = rb.send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "{headers:?}");
    }
    let a = b
        .http
        .post(format!("{}/login", t.base))
        .header("origin", "https://evil.example")
        .form(&[("email", "x@y.z"), ("password", "p")])
        .send()
        .await
        .unwrap();
    assert_eq!(a.status().as_u16(), 403, "a cross-site login post too");
    assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "UNFULFILLABLE", "nothing was cancelled");
    // The same post from Ordo's own page goes through.
    let a = b.post(&format!("/orders/{id}/cancel"), &[("reason", "customer asked")]).await;
    assert_eq!(a.status, 303);
    assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "CANCELLED");
}

async fn the_cookie_never_authorises_the_api(t: TestApp) {
    let b = t.signed_in(Role::Admin).await;
    for path in ["/api/v1/orders", "/api/v1/warehouses", "/api/v1/api-keys"] {
        let a = b.get(path).await;
        assert_eq!(a.status, 401, "{path}: {}", a.body);
        assert!(a.content_type.starts_with("application/problem+json"));
    }
}

async fn search_finds_an_order_by_any_of_its_ids(t: TestApp) {
    let id = unfulfillable_order(&t).await;
    let b = t.signed_in(Role::Warehouse).await;
    for q in [id.as_str(), "SO-1", "PARENT-9", "ITEM-77", " SO-1 "] {
        let a = b.get(&format!("/search?q={}", q.replace(' ', "+"))).await;
        assert_eq!((a.status, a.location.as_deref()), (303, Some(format!("/orders/{id}").as_str())), "q={q}");
    }
    let none = b.get("/search?q=NOPE-404").await;
    assert_eq!(none.status, 200);
    assert!(text(&none.body).contains("No order has the id NOPE-404"), "{}", text(&none.body));
    // Several matches open the list filtered by the same q.
    t.post(
        "/api/v1/orders",
        json!({"channel": "web", "kind": "B2C", "channel_order_id": "SO-2", "parent_order_id": "PARENT-9",
               "warehouse": "wh1", "lines": [{"sku": "B", "qty": 1}]}),
    )
    .await;
    let several = b.get("/search?q=PARENT-9").await;
    assert_eq!(several.location.as_deref(), Some("/orders?q=PARENT-9"));
}

async fn the_order_page_shows_lines_explain_timeline_and_allowed_actions(t: TestApp) {
    let id = unfulfillable_order(&t).await;
    let b = t.signed_in(Role::Operator).await;
    let a = b.get(&format!("/orders/{id}")).await;
    assert_eq!(a.status, 200);
    let page = text(&a.body);
    assert!(page.contains("UNFULFILLABLE"), "the status word as the API spells it");
    let explain = t.get(&format!("/api/v1/orders/{id}/explain")).await.1;
    assert!(page.contains(&text(explain["summary"].as_str().unwrap())), "the explain summary in words: {page}");
    assert!(page.contains("SHORT"), "the reasons' codes");
    // The line with every quantity: ordered 2, nothing allocated, picked, packed...
    assert!(page.contains("A ITEM-77 2 0 0 0 0 0 0"), "{page}");
    let events = t.get(&format!("/api/v1/orders/{id}/events")).await.1;
    assert!(page.contains(events["items"][0]["reason"].as_str().unwrap()), "the timeline");
    for action in ["/retry", "/cancel", "/complete"] {
        assert!(a.body.contains(&format!(r#"action="/orders/{id}{action}""#)), "{action} is offered");
    }
    assert!(!a.body.contains("/release\""), "not FULFILLABLE: no release");
    // Stock arrives; Retry from the page allocates and says so.
    t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 5})).await;
    let done = b.post(&format!("/orders/{id}/retry"), &[]).await;
    assert_eq!(done.status, 303);
    let after = b.follow(&done).await;
    assert!(text(&after.body).contains("Retried: the order is FULFILLABLE."), "{}", text(&after.body));
    // A refused action comes back with the app's reason.
    let c = b.post(&format!("/orders/{id}/cancel"), &[("reason", "")]).await;
    assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "CANCELLED");
    let again = b.follow(&b.post(&format!("/orders/{id}/cancel"), &[("reason", "")]).await).await;
    assert!(text(&again.body).contains("can't be cancelled"), "{}", text(&again.body));
    assert!(!again.body.contains("/cancel\""), "a cancelled order offers no cancel");
    drop(c);
}

async fn order_actions_follow_the_role(t: TestApp) {
    let id = unfulfillable_order(&t).await;
    let crew = t.signed_in(Role::Warehouse).await;
    let page = crew.get(&format!("/orders/{id}")).await;
    assert_eq!(page.status, 200, "the crew may read orders");
    assert!(!page.body.contains("/cancel\"") && !page.body.contains("/retry\""), "but gets no order actions");
    let refused = crew.post(&format!("/orders/{id}/cancel"), &[("reason", "no")]).await;
    let shown = crew.follow(&refused).await;
    assert!(text(&shown.body).contains("may not do this"), "{}", text(&shown.body));
    assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "UNFULFILLABLE");
    let nav = text(&page.body);
    assert!(nav.contains("Pick") && !nav.contains("Users"), "the navigation follows the role: {nav}");
}

async fn another_clients_order_answers_like_a_missing_one(t: TestApp) {
    let id = unfulfillable_order(&t).await;
    t.key("globex", Role::Admin).await;
    t.app.create_user("globex", "boss@globex.example", Role::Admin, Some("globex-password-1")).await.unwrap();
    let mut other = t.browser();
    assert_eq!(other.login("boss@globex.example", "globex-password-1").await.status, 303);
    let theirs = other.get(&format!("/orders/{id}")).await;
    let missing = other.get("/orders/999999").await;
    assert_eq!((theirs.status, missing.status), (404, 404));
    assert!(!theirs.body.contains("SO-1"));
    assert_eq!(text(&theirs.body).replace(&id, "ID"), text(&missing.body).replace("999999", "ID"), "the same page for both");
    assert!(text(&other.get("/search?q=SO-1").await.body).contains("No order has the id SO-1"));
}

async fn the_dashboard_counts_orders_per_status(t: TestApp) {
    unfulfillable_order(&t).await;
    t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "B", "qty": 5})).await;
    for n in 2..=4 {
        let (s, _) = t
            .post(
                "/api/v1/orders",
                json!({"channel": "web", "kind": "B2C", "channel_order_id": format!("SO-{n}"),
                       "warehouse": "wh1", "lines": [{"sku": "B", "qty": 1}]}),
            )
            .await;
        assert_eq!(s, 201);
    }
    let b = t.signed_in(Role::Operator).await;
    let a = b.get("/").await;
    let page = text(&a.body);
    assert!(page.contains("UNFULFILLABLE 1"), "{page}");
    assert!(page.contains("FULFILLABLE 3"), "{page}");
    assert!(page.contains("DISPATCHED 0") && page.contains("Created 4"), "every status word, and today's orders: {page}");
    assert!(a.body.contains(r#"href="/orders?status=UNFULFILLABLE""#), "each tile opens the filtered list");
    assert!(a.body.contains("<svg"), "a chart drawn on the server");
}

async fn unknown_paths_answer_browsers_with_a_page_and_programs_with_problem_json(t: TestApp) {
    let http = common::ui::no_redirects();
    let page = http.get(format!("{}/no-such-screen", t.base)).header("accept", "text/html,*/*;q=0.8").send().await.unwrap();
    assert_eq!(page.status().as_u16(), 404);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(text(&page.text().await.unwrap()).contains("Not found"));
    for (path, accept) in [("/no-such-screen", "*/*"), ("/api/v1/nothing", "text/html")] {
        let r = http.get(format!("{}{path}", t.base)).header("accept", accept).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 404);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"), "{path}");
    }
}

async fn the_stations_command_barcodes_print_and_scan_back(t: TestApp) {
    assert_eq!(t.browser().get("/stations/commands.pdf").await.location.as_deref(), Some("/login"));
    let crew = t.signed_in(Role::Warehouse).await;
    let station = crew.get("/stations/pick").await;
    assert!(station.body.contains(r#"href="/stations/commands.pdf""#), "each station links its printable sheet");
    let r = crew
        .http
        .get(format!("{}/stations/commands.pdf", t.base))
        .header("cookie", format!("ordo_session={}", crew.token.as_ref().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let codes = common::barcodes(&r.bytes().await.unwrap());
    for code in [
        "ORDO-CMD:PACK",
        "ORDO-CMD:CANCEL",
        "ORDO-CMD:DONE",
        "ORDO-CMD:SHORT",
        "ORDO-CMD:PASS",
        "ORDO-CMD:FAIL",
        "ORDO-CMD:HANDOVER",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code} scans back from the sheet: {codes:?}");
    }
}
