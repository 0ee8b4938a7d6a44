//! The `ordo` binary as a user runs it: clients, keys, `serve` on the embedded default and on
//! PostgreSQL, and `check`.

mod common;

use common::{http, http_get, http_get_bytes, ordo, run, scratch_dir, serve};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn embedded_default_serves_from_a_data_folder_it_creates() {
    let dir = scratch_dir("sqlite");
    let (ok, out, _) = run(ordo(&dir).args(["client", "create", "--code", "acme", "--name", "Acme Retail"]));
    assert!(ok);
    assert!(out.contains("\"code\":\"acme\"") && out.contains("Acme Retail"), "{out}");
    let (ok, key, _) = run(ordo(&dir).args(["key", "create", "--client", "acme", "--role", "admin"]));
    assert!(ok);
    let key = key.trim().to_string();
    assert!(key.starts_with("ordo_") && !key.contains(char::is_whitespace), "the key alone on its line: {key:?}");
    let (ok, _, err) = run(ordo(&dir).args(["key", "create", "--client", "nobody", "--role", "admin"]));
    assert!(!ok && err.contains("ordo client create"), "tells the user what to do: {err}");
    let (ok, _, err) = run(ordo(&dir).args(["key", "create", "--client", "acme", "--role", "boss"]));
    assert!(!ok && err.contains("admin, operator, warehouse, integration"), "{err}");

    let (mut child, addr) = serve(&mut ordo(&dir));
    assert_eq!(http_get(&addr, "/health", None), (200, r#"{"status":"ok","database":"sqlite"}"#.to_string()));
    assert_eq!(http_get(&addr, "/api/v1/warehouses", Some(&key)).0, 200);
    assert_eq!(http_get(&addr, "/api/v1/warehouses", Some("ordo_wrong")).0, 401);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(dir.join("ordo-data/ordo.db").exists() && dir.join("ordo-data/secret.key").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("ordo-data/secret.key")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the generated key is readable by its owner only");
    }

    // The key is never taken on the command line (where `ps` shows it); a file or the environment.
    let (ok, _, err) = run(ordo(&dir).args(["--secret-key", &"ab".repeat(32), "check"]));
    assert!(!ok && err.contains("--secret-key"), "{err}");
    let (ok, _, err) = run(ordo(&dir).args(["--secret-key-file", "no-such-file", "check"]));
    assert!(!ok && err.contains("no-such-file"), "{err}");
    let key_file = dir.join("ordo-data/secret.key").display().to_string();
    let (ok, out, err) = run(ordo(&dir).args(["--secret-key-file", &key_file, "check"]));
    assert!(ok && out.starts_with("ok"), "{out}{err}");

    let (ok, out, _) = run(ordo(&dir).arg("check"));
    assert!(ok && out.starts_with("ok"), "{out}");

    // Keys are listed by prefix (never the key) and revoked by id.
    let (ok, listed, _) = run(ordo(&dir).args(["key", "list", "--client", "acme"]));
    assert!(ok && listed.lines().count() == 1 && !listed.contains(&key), "{listed}");
    let record: serde_json::Value = serde_json::from_str(listed.trim()).unwrap();
    assert!(key.starts_with(record["prefix"].as_str().unwrap()) && record["revoked_at"].is_null(), "{record}");
    let id = record["id"].as_str().unwrap();
    let (ok, revoked, _) = run(ordo(&dir).args(["key", "revoke", "--client", "acme", "--id", id]));
    assert!(ok && revoked.contains("\"revoked_at\":\""), "{revoked}");
    let (mut child, addr) = serve(&mut ordo(&dir));
    assert_eq!(http_get(&addr, "/api/v1/warehouses", Some(&key)).0, 401, "a revoked key is refused");
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_postgres_url_runs_the_same_features_on_postgres() {
    let Ok(base) = std::env::var("ORDO_TEST_DATABASE_URL") else {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI must run the PostgreSQL half");
        ordo_app::ordo_store::testing::skipped_postgres();
        return;
    };
    let dir = scratch_dir("pg");
    let schema = format!("cli_{}", std::process::id());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let url = rt.block_on(async {
        let scratch = ordo_app::ordo_store::testing::scratch_postgres(&schema).await.unwrap().unwrap();
        scratch.url.clone()
    });
    assert!(url.starts_with(&base));
    let secret = "ab".repeat(32);
    let env = |c: &mut Command| {
        c.env("ORDO_DATABASE_URL", &url).env("ORDO_SECRET_KEY", &secret);
    };
    let mut migrate = ordo(&dir);
    env(&mut migrate);
    let (ok, _, err) = run(migrate.arg("migrate"));
    assert!(ok && err.contains("postgres"), "{err}");
    let mut create = ordo(&dir);
    env(&mut create);
    assert!(run(create.args(["client", "create", "--code", "acme", "--name", "Acme"])).0);
    let mut cmd = ordo(&dir);
    env(&mut cmd);
    let (mut child, addr) = serve(&mut cmd);
    assert_eq!(http_get(&addr, "/health", None), (200, r#"{"status":"ok","database":"postgres"}"#.to_string()));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!dir.join("ordo-data").exists(), "with PostgreSQL and a secret key, nothing is written locally");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts `ordo demo` on a free port: the process, its stdout lines, its address and admin key.
fn start_demo(dir: &std::path::Path) -> (std::process::Child, impl Iterator<Item = String>, String, String) {
    let mut child = ordo(dir)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .env("ORDO_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ordo demo starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines().map(|l| l.unwrap());
    let first = lines.next().unwrap();
    let addr = first.split("http://").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let key = lines.find(|l| l.starts_with("ordo_")).expect("the demo prints its admin key");
    (child, lines, addr, key)
}

#[test]
fn demo_shows_marketplace_orders_arriving_and_allocated_within_a_minute() {
    let dir = scratch_dir("demo");
    let (mut child, lines, addr, key) = start_demo(&dir);
    let started = std::time::Instant::now();
    // The demo's crew releases allocated orders to picking within seconds, so any status past
    // allocation shows a marketplace order was allocated.
    let past_allocation = ["FULFILLABLE", "PROCESSING", "PICKED", "PACKED", "DISPATCHED"];
    let mut channels = std::collections::BTreeSet::new();
    let mut allocated = false;
    for line in lines {
        if line.starts_with("orders ") {
            let (status, body) = http_get(&addr, "/api/v1/orders?limit=100", Some(&key));
            assert_eq!(status, 200, "{body}");
            let orders: serde_json::Value = serde_json::from_str(&body).unwrap();
            for o in orders["items"].as_array().unwrap() {
                let channel = o["channel"].as_str().unwrap().to_string();
                let from_marketplace = channel != "internal";
                channels.insert(channel);
                allocated |= from_marketplace && past_allocation.contains(&o["status"].as_str().unwrap());
            }
            if allocated {
                break;
            }
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(channels.iter().any(|c| c != "internal"), "orders came from the marketplaces: {channels:?}");
    assert!(allocated, "marketplace orders were allocated within a minute");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_crew_picks_packs_and_dispatches_orders_with_labels_and_manifests_within_a_minute() {
    let dir = scratch_dir("demo-crew");
    let (mut child, lines, addr, key) = start_demo(&dir);
    let started = std::time::Instant::now();
    let mut summary = None;
    let mut links = None;
    for line in lines {
        if line.starts_with("orders ") {
            summary = Some(line);
        } else if line.contains("latest handover: label ") {
            links = Some(line);
            break;
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            break;
        }
    }
    let (_, dispatched) = http_get(&addr, "/api/v1/orders?status=DISPATCHED&limit=100", Some(&key));
    // The handover's SHIPMENT_DISPATCH postings reach the demo's ERP (signed: it refuses others).
    let mut erp = serde_json::Value::Null;
    for _ in 0..40 {
        erp = serde_json::from_str(&http_get(&addr, "/api/v1/erp", Some(&key)).1).unwrap();
        if erp["last_delivery_at"].is_string() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    let url_path = |line: &str, word: &str| -> Option<String> {
        let url = line.split(&format!("{word} http://")).nth(1)?.split_whitespace().next()?;
        Some(url[url.find('/')?..].to_string())
    };
    let links = links.unwrap_or_default();
    let documents: Vec<_> = ["label", "invoice", "manifest"]
        .iter()
        .filter_map(|w| url_path(&links, w))
        .map(|path| (path.clone(), http_get_bytes(&addr, &path, &key)))
        .collect();
    child.kill().unwrap();
    child.wait().unwrap();

    assert!(!links.is_empty(), "a handover within a minute, the last summary being {summary:?}");
    let summary = summary.expect("a summary line");
    let count = |word: &str| -> u64 {
        summary.split(&format!(" · {word} ")).nth(1).and_then(|r| r.split_whitespace().next()).unwrap().parse().unwrap()
    };
    assert!(count("picked") >= count("packed") && count("packed") >= 1, "{summary}");
    let dispatched: serde_json::Value = serde_json::from_str(&dispatched).unwrap();
    assert!(!dispatched["items"].as_array().unwrap().is_empty(), "orders reached DISPATCHED: {dispatched}");
    assert_eq!(documents.len(), 3, "the summary links a label, an invoice and a manifest: {links}");
    assert!(erp["last_delivery_at"].is_string() && erp["dead"] == 0, "postings delivered to the demo's ERP: {erp}");
    for (path, (status, content_type, bytes)) in &documents {
        assert_eq!(*status, 200, "{path}: {}", String::from_utf8_lossy(bytes));
        assert!(content_type.starts_with("application/pdf"), "{path}: {content_type}");
        assert!(bytes.starts_with(b"%PDF-"), "{path} is a PDF");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_processes_sharing_postgres_never_oversell() {
    let Ok(_) = std::env::var("ORDO_TEST_DATABASE_URL") else {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI must run the PostgreSQL half");
        ordo_app::ordo_store::testing::skipped_postgres();
        return;
    };
    let dir = scratch_dir("pg2");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let url =
        rt.block_on(async { ordo_app::ordo_store::testing::scratch_postgres("twoproc").await.unwrap().unwrap().url.clone() });
    let secret = "cd".repeat(32);
    let cmd = || {
        let mut c = ordo(&dir);
        c.env("ORDO_DATABASE_URL", &url).env("ORDO_SECRET_KEY", &secret).env("ORDO_LOG", "warn");
        c
    };
    assert!(run(cmd().args(["client", "create", "--code", "acme", "--name", "Acme"])).0);
    let (_, key, _) = run(cmd().args(["key", "create", "--client", "acme", "--role", "admin"]));
    let key = key.trim().to_string();
    let (mut a, addr_a) = serve(cmd().env("ORDO_LOG", "info"));
    let (mut b, addr_b) = serve(cmd().env("ORDO_LOG", "info"));
    let post = |addr: &str, path: &str, body: serde_json::Value| http(addr, "POST", path, Some(&key), &body.to_string());
    assert_eq!(post(&addr_a, "/api/v1/warehouses", serde_json::json!({"code": "wh1", "name": "Main"})).0, 201);
    assert_eq!(post(&addr_a, "/api/v1/skus", serde_json::json!({"sku": "A", "name": "A"})).0, 201);
    assert_eq!(
        post(&addr_b, "/api/v1/channels", serde_json::json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).0,
        201
    );
    assert_eq!(post(&addr_a, "/api/v1/inventory/grn", serde_json::json!({"warehouse": "wh1", "sku": "A", "qty": 100})).0, 200);
    let threads: Vec<_> = (0..20)
        .map(|t| {
            let addr = if t % 2 == 0 { addr_a.clone() } else { addr_b.clone() };
            let key = key.clone();
            std::thread::spawn(move || {
                let mut fulfillable = 0;
                for i in 0..50 {
                    let order = serde_json::json!({"channel": "web", "kind": "B2C", "channel_order_id": format!("T{t}-{i}"), "lines": [{"sku": "A", "qty": 1}]});
                    let (status, body) = http(&addr, "POST", "/api/v1/orders", Some(&key), &order.to_string());
                    assert_eq!(status, 201, "{body}");
                    if body.contains("\"status\":\"FULFILLABLE\"") {
                        fulfillable += 1;
                    }
                }
                fulfillable
            })
        })
        .collect();
    let fulfillable: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let (_, inventory) = http_get(&addr_b, "/api/v1/inventory?sku=A", Some(&key));
    a.kill().unwrap();
    b.kill().unwrap();
    a.wait().unwrap();
    b.wait().unwrap();
    assert_eq!(fulfillable, 100, "exactly the 100 units in stock were promised");
    assert!(inventory.contains("\"allocated\":100") && inventory.contains("\"available\":0"), "{inventory}");
    let (ok, out, _) = run(cmd().arg("check"));
    assert!(ok && out.starts_with("ok"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A form post (`application/x-www-form-urlencoded`) answering the status and the whole head.
fn form_post(addr: &str, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, response.split("\r\n\r\n").next().unwrap_or("").to_string())
}

#[test]
fn users_made_on_the_command_line_sign_in_to_the_screens() {
    let dir = scratch_dir("users");
    assert!(run(ordo(&dir).args(["client", "create", "--code", "acme", "--name", "Acme Retail"])).0);
    let (ok, out, err) =
        run(ordo(&dir).args(["user", "create", "--client", "acme", "--email", "ops@acme.example", "--role", "operator"]));
    assert!(ok, "{err}");
    let password = out.lines().last().unwrap().to_string();
    assert!(password.len() == 20 && !password.contains(char::is_whitespace), "the password alone on the last line: {out}");
    assert!(out.lines().next().unwrap().contains(r#""email":"ops@acme.example""#), "{out}");
    // --password-stdin takes one instead; it prints the user only.
    let mut cmd = ordo(&dir);
    cmd.args(["user", "create", "--client", "acme", "--email", "crew@acme.example", "--role", "warehouse", "--password-stdin"]);
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"a chosen password\n").unwrap();
    let done = child.wait_with_output().unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert_eq!(String::from_utf8_lossy(&done.stdout).lines().count(), 1, "no password printed");
    let (ok, _, err) =
        run(ordo(&dir).args(["user", "create", "--client", "acme", "--email", "ops@acme.example", "--role", "admin"]));
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, _, err) =
        run(ordo(&dir).args(["user", "create", "--client", "nobody", "--email", "x@y.example", "--role", "admin"]));
    assert!(!ok && err.contains("ordo client create"), "{err}");

    let (mut child, addr) = serve(&mut ordo(&dir));
    let login = |email: &str, password: &str| {
        let body = format!("email={}&password={}", email.replace('@', "%40"), password.replace(' ', "+"));
        form_post(&addr, "/login", &body)
    };
    let (status, head) = login("ops@acme.example", &password);
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("location: /") && head.contains("ordo_session="), "{head}");
    assert_eq!(login("crew@acme.example", "a chosen password").0, 303);
    assert_eq!(login("crew@acme.example", "another password").0, 401);
    child.kill().unwrap();
    child.wait().unwrap();

    // A new password replaces the old one.
    let (ok, out, _) = run(ordo(&dir).args(["user", "reset-password", "--client", "acme", "--email", "ops@acme.example"]));
    assert!(ok);
    let fresh = out.lines().last().unwrap().to_string();
    let (mut child, addr) = serve(&mut ordo(&dir));
    let body = |p: &str| format!("email=ops%40acme.example&password={p}");
    assert_eq!(form_post(&addr, "/login", &body(&password)).0, 401, "the old password no longer works");
    assert_eq!(form_post(&addr, "/login", &body(&fresh)).0, 303);
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
