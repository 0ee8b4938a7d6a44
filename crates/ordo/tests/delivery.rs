//! Outbox delivery across processes: a process killed in the middle of delivering a posting, and two
//! processes draining one backlog, with an ERP simulator that records every request it gets.

mod common;

use common::{http, ordo, run, scratch_dir, serve};
use ordo_sim::erp::{ErpSettingsPatch, ErpSimConfig, RunningErp};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// An ERP simulator on a free port, served by `rt` for as long as the test runs.
fn erp(rt: &tokio::runtime::Runtime) -> RunningErp {
    rt.block_on(ordo_sim::erp::spawn(ErpSimConfig::default(), "127.0.0.1:0".parse().unwrap())).unwrap()
}

/// A client `acme` and its admin key.
fn client(cmd: &dyn Fn() -> Command) -> String {
    assert!(run(cmd().args(["client", "create", "--code", "acme", "--name", "Acme"])).0);
    let (ok, key, err) = run(cmd().args(["key", "create", "--client", "acme", "--role", "admin"]));
    assert!(ok, "{err}");
    key.trim().to_string()
}

/// The API of one `ordo serve`, as the admin.
struct Api {
    addr: String,
    key: String,
}

impl Api {
    fn call(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let (status, text) = http(&self.addr, method, path, Some(&self.key), &body.to_string());
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
    fn post(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.call("POST", path, body);
        assert!((200..300).contains(&status), "POST {path}: {status} {answer}");
        answer
    }
    fn get(&self, path: &str) -> Value {
        let (status, answer) = self.call("GET", path, Value::Null);
        assert_eq!(status, 200, "GET {path}: {answer}");
        answer
    }
    /// Connects the client's ERP to the simulator (`enabled` or not) and gives it the secret.
    fn connect_erp(&self, erp: &RunningErp, enabled: bool) {
        let (status, made) = self.call("PUT", "/api/v1/erp", json!({"endpoint": erp.base_url, "enabled": enabled}));
        assert_eq!(status, 200, "{made}");
        let secret = made["signing_secret"].as_str().unwrap().to_string();
        erp.simulator.update_settings(ErpSettingsPatch { secret: Some(secret), ..Default::default() }).unwrap();
    }
    fn erp_postings(&self) -> Vec<Value> {
        let outbox = self.get("/api/v1/outbox?limit=1000");
        outbox["items"].as_array().unwrap().iter().filter(|m| m["topic"] == "erp.posting").cloned().collect()
    }
}

/// `ordo serve` whose background work runs every 50 ms.
fn serve_fast(cmd: &dyn Fn() -> Command, key: &str) -> (std::process::Child, Api) {
    let (child, addr) = serve(cmd().env("ORDO_WORK_INTERVAL_MS", "50").env("ORDO_LOG", "info"));
    (child, Api { addr, key: key.to_string() })
}

/// Like [`serve_fast`], also counting the postings the process says it delivered (its debug log of
/// each outbox batch, in JSON): the count is what the thread answers once the process has ended.
fn serve_counting(cmd: &dyn Fn() -> Command, key: &str) -> (std::process::Child, Api, std::thread::JoinHandle<usize>) {
    let mut child = cmd()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ORDO_WORK_INTERVAL_MS", "50")
        .env("ORDO_LOG", "info,ordo_app=debug")
        .env("ORDO_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .expect("ordo serve starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("ordo serve printed its address").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    let delivered = std::thread::spawn(move || {
        lines
            .map_while(Result::ok)
            .filter_map(|l| serde_json::from_str::<Value>(&l).ok())
            .filter(|l| l["fields"]["message"] == "outbox batch done")
            .map(|l| l["fields"]["delivered"].as_u64().unwrap() as usize)
            .sum()
    });
    (child, Api { addr, key: key.to_string() }, delivered)
}

/// Polls `what` every 20 ms until it answers `Some`, for at most `within`.
fn wait_for<T>(within: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The process is killed (SIGKILL) while the ERP holds its delivery of a GRN posting unanswered;
/// restarted, it delivers the posting again under the same `webhook-id`: at least once, never lost.
fn killed_mid_delivery(cmd: &dyn Fn() -> Command, rt: &tokio::runtime::Runtime, within: Duration) {
    let erp = erp(rt);
    let key = client(cmd);
    let (mut server, api) = serve_fast(cmd, &key);
    api.post("/api/v1/warehouses", json!({"code": "wh1", "name": "Main"}));
    api.post("/api/v1/skus", json!({"sku": "A", "name": "Cotton Kurta"}));
    api.connect_erp(&erp, true);
    erp.simulator.stall_next(1);
    api.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 5}));
    let first = wait_for(Duration::from_secs(30), "the posting reached the ERP", || erp.simulator.requests().pop());
    let id = first.webhook_id.clone().expect("a webhook-id");
    assert_eq!(api.erp_postings()[0]["status"], "SENDING");
    server.kill().unwrap();
    server.wait().unwrap();
    let killed_at = Instant::now();
    assert!(erp.simulator.postings().is_empty(), "the ERP never answered the first delivery");

    let (mut server, api) = serve_fast(cmd, &key);
    let kept = wait_for(within, "the posting delivered after the restart", || erp.simulator.posting(&id));
    let took = killed_at.elapsed();
    let message = wait_for(Duration::from_secs(10), "the delivery recorded", || {
        api.erp_postings().into_iter().find(|m| m["status"] == "DELIVERED")
    });
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(kept.posting_type.as_str(), "GRN");
    assert_eq!(message["id"].as_str(), Some(id.as_str()), "webhook-id = the message id, the same as the first time");
    let requests = erp.simulator.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests.iter().all(|r| r.webhook_id.as_deref() == Some(id.as_str())), "{requests:?}");
    assert_eq!((requests[0].status, requests[1].status), (None, Some(200)), "{requests:?}");
    eprintln!("delivered again {took:?} after the kill");
}

#[test]
fn a_posting_whose_delivery_a_kill_cut_short_is_delivered_after_a_sqlite_restart() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = scratch_dir("delivery-kill-sqlite");
    let cmd = || ordo(&dir);
    // One process serves a SQLite database: the restart gives back what its earlier life held, so
    // the posting goes again at once rather than when the lease runs out.
    killed_mid_delivery(&cmd, &rt, Duration::from_secs(10));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The PostgreSQL database `ORDO_TEST_DATABASE_URL` names, in a fresh schema; `None` (said so) without one.
fn postgres(rt: &tokio::runtime::Runtime, label: &str) -> Option<String> {
    let Ok(_) = std::env::var("ORDO_TEST_DATABASE_URL") else {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI must run the PostgreSQL half");
        ordo_app::ordo_store::testing::skipped_postgres();
        return None;
    };
    Some(rt.block_on(async { ordo_app::ordo_store::testing::scratch_postgres(label).await.unwrap().unwrap().url.clone() }))
}

#[test]
fn a_posting_whose_delivery_a_kill_cut_short_is_delivered_on_postgres_once_its_lease_runs_out() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = postgres(&rt, "deliverykill") else { return };
    let dir = scratch_dir("delivery-kill-pg");
    let cmd = || {
        let mut c = ordo(&dir);
        c.env("ORDO_DATABASE_URL", &url).env("ORDO_SECRET_KEY", "ef".repeat(32));
        c
    };
    // Other processes may share the database, so a restart takes nothing over: the dead process's
    // lease (15 s, no longer renewed) runs out, then the message is claimed again.
    killed_mid_delivery(&cmd, &rt, Duration::from_secs(40));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_processes_draining_one_backlog_on_postgres_never_send_a_posting_twice_at_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = postgres(&rt, "deliverytwo") else { return };
    let dir = scratch_dir("delivery-two-pg");
    let cmd = || {
        let mut c = ordo(&dir);
        c.env("ORDO_DATABASE_URL", &url).env("ORDO_SECRET_KEY", "ef".repeat(32));
        c
    };
    let erp = erp(&rt);
    // Each answer takes a while, so a posting sent by both processes would overlap itself.
    erp.simulator.set_latency(Duration::from_millis(20));
    let key = client(&cmd);
    let (mut a, api, by_a) = serve_counting(&cmd, &key);
    let warehouse = json!({"code": "wh1", "name": "Main", "legal_name": "Acme Retail Private Limited", "gstin": "27AAPFU0939F1ZV",
        "address": "Plot 4, MIDC, Mumbai", "pin": "400093", "awb_series": {"carrier": "Delhivery", "prefix": "DL", "next": 1}});
    api.post("/api/v1/warehouses", warehouse);
    api.post("/api/v1/skus", json!({"sku": "A", "name": "Cotton Kurta"}));
    api.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"}));
    // The backlog piles up while the connection is off: GRNs, and orders dispatched and returned
    // (two postings each, to arrive in the order they were made).
    api.connect_erp(&erp, false);
    const GRNS: usize = 400;
    const ORDERS: usize = 5;
    for _ in 0..GRNS {
        api.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 1}));
    }
    let mut orders = Vec::new();
    for n in 0..ORDERS {
        let order = api.post(
            "/api/v1/orders",
            json!({"channel": "web", "kind": "B2C", "channel_order_id": format!("W-{n}"),
            "lines": [{"sku": "A", "qty": 1, "unit_price": "500.00"}],
            "ship_to": {"name": "Asha Rao", "address": "12 MG Road, Bengaluru", "state_code": "29", "pin": "560001"}}),
        );
        let id = order["id"].as_str().unwrap().to_string();
        let picklist = api.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": [id]}));
        api.post(&format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap()), json!({"scan": "A", "qty": 1}));
        api.post(&format!("/api/v1/orders/{id}/pack"), json!({}));
        orders.push(id);
    }
    let manifest = api.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web"}));
    api.post(&format!("/api/v1/manifests/{}/handover", manifest["id"].as_str().unwrap()), json!({}));
    for id in &orders {
        let ret = api.post("/api/v1/returns", json!({"order_id": id, "kind": "RTO", "lines": [{"sku": "A", "qty": 1}]}));
        api.post(
            &format!("/api/v1/returns/{}/receive", ret["id"].as_str().unwrap()),
            json!({"lines": [{"sku": "A", "qc_pass": 1, "qc_fail": 0}]}),
        );
    }
    let total = GRNS + 2 * ORDERS;
    assert_eq!(api.get("/api/v1/erp")["pending"], total);
    assert!(erp.simulator.requests().is_empty(), "nothing goes while the connection is off");

    // A second process on the same database; then the connection goes on and both drain it.
    let (mut b, _, by_b) = serve_counting(&cmd, &key);
    let (status, on) = api.call("PUT", "/api/v1/erp", json!({"endpoint": erp.base_url, "enabled": true}));
    assert_eq!(status, 200, "{on}");
    wait_for(Duration::from_secs(90), "the backlog drained", || (api.get("/api/v1/erp")["pending"] == 0).then_some(()));
    for p in [&mut a, &mut b] {
        p.kill().unwrap();
        p.wait().unwrap();
    }

    let (by_a, by_b) = (by_a.join().unwrap(), by_b.join().unwrap());
    eprintln!("delivered by the first process: {by_a}, by the second: {by_b}");
    assert!(by_a > 0 && by_b > 0, "both processes delivered: {by_a} and {by_b}");
    assert_eq!(by_a + by_b, total, "each posting recorded delivered by one process");
    let kept = erp.simulator.postings();
    assert_eq!(kept.len(), total, "every posting kept once");
    assert!(kept.iter().all(|p| p.duplicates == 0), "none sent twice");
    let mut by_id: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
    for r in erp.simulator.requests() {
        let answered = r.answered_at.expect("every request answered").micros();
        by_id.entry(r.webhook_id.expect("a webhook-id")).or_default().push((r.started_at.micros(), answered));
    }
    assert_eq!(by_id.len(), total);
    for (id, mut spans) in by_id {
        spans.sort();
        for pair in spans.windows(2) {
            assert!(pair[0].1 <= pair[1].0, "posting {id} was being sent twice at once: {spans:?}");
        }
    }
    // Each order's postings arrived in the order they were made, whichever process sent them.
    for id in &orders {
        let types: Vec<&str> =
            kept.iter().filter(|p| p.data["order_id"] == id.as_str()).map(|p| p.posting_type.as_str()).collect();
        assert_eq!(types, ["SHIPMENT_DISPATCH", "RETURN_ORDER"], "order {id}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
