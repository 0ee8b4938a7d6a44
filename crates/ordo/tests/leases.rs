//! A process killed in the middle of a sync never locks its channel: its lease dies with it.

mod common;

use common::{http, ordo, run, scratch_dir, serve};
use ordo_domain::kinds::ChannelType;
use ordo_sim::{RunningSimulator, SimConfig, spawn_simulator};
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};

/// A Flipkart simulator on a free port, served by its own runtime for as long as the test runs.
fn simulator(rt: &tokio::runtime::Runtime) -> RunningSimulator {
    rt.block_on(spawn_simulator(ChannelType::FlipkartV3, SimConfig::default(), "127.0.0.1:0".parse().unwrap())).unwrap()
}

/// Sets up a client with a Flipkart channel on the simulator; answers the admin key.
fn set_up(cmd: &dyn Fn() -> Command, sim: &RunningSimulator) -> String {
    assert!(run(cmd().args(["client", "create", "--code", "acme", "--name", "Acme"])).0);
    let (ok, key, err) = run(cmd().args(["key", "create", "--client", "acme", "--role", "admin"]));
    assert!(ok, "{err}");
    let key = key.trim().to_string();
    let (mut server, addr) = serve(&mut cmd());
    let post = |path: &str, body: serde_json::Value| http(&addr, "POST", path, Some(&key), &body.to_string());
    assert_eq!(post("/api/v1/warehouses", json!({"code": "wh1", "name": "Main"})).0, 201);
    let channel = json!({"code": "fk", "type": "FLIPKART_V3", "warehouse": "wh1", "credentials": sim.handle.credentials(),
        "settings": sim.handle.settings(&sim.base_url)});
    let (status, body) = post("/api/v1/channels", channel);
    assert_eq!(status, 201, "{body}");
    server.kill().unwrap();
    server.wait().unwrap();
    key
}

/// Starts a manual sync that hangs at the marketplace, and kills the server (SIGKILL) while it does.
fn kill_mid_sync(cmd: &dyn Fn() -> Command, sim: &RunningSimulator, key: &str) {
    sim.handle.set_latency(Duration::from_secs(120));
    let (mut server, addr) = serve(&mut cmd());
    let before = sim.handle.stats();
    let (addr2, key2) = (addr.clone(), key.to_string());
    let hanging = std::thread::spawn(move || {
        // The connection dies with the server: whatever this answers is not looked at.
        let _ = std::panic::catch_unwind(|| http(&addr2, "POST", "/api/v1/channels/fk/sync", Some(&key2), "{}"));
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while sim.handle.stats().token_requests + sim.handle.stats().api_requests == before.token_requests + before.api_requests {
        assert!(Instant::now() < deadline, "the sync never reached the marketplace");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    hanging.join().unwrap();
    sim.handle.clear_faults();
}

#[test]
fn after_a_kill_mid_sync_a_restarted_sqlite_server_syncs_at_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = simulator(&rt);
    let dir = scratch_dir("lease-sqlite");
    let cmd = || {
        let mut c = ordo(&dir);
        c.env("ORDO_LOG", "info");
        c
    };
    let key = set_up(&cmd, &sim);
    kill_mid_sync(&cmd, &sim, &key);

    let (mut server, addr) = serve(&mut cmd());
    let (status, body) = http(&addr, "POST", "/api/v1/channels/fk/sync", Some(&key), "{}");
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(status, 200, "the dead process's lease was dropped at start-up: {body}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn after_a_kill_mid_sync_on_postgres_the_lease_expires_within_seconds_and_says_who_holds_it() {
    let Ok(_) = std::env::var("ORDO_TEST_DATABASE_URL") else {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI must run the PostgreSQL half");
        ordo_app::ordo_store::testing::skipped_postgres();
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = simulator(&rt);
    let url = rt.block_on(async { ordo_app::ordo_store::testing::scratch_postgres("lease").await.unwrap().unwrap().url.clone() });
    let dir = scratch_dir("lease-pg");
    let cmd = || {
        let mut c = ordo(&dir);
        c.env("ORDO_DATABASE_URL", &url).env("ORDO_SECRET_KEY", "ef".repeat(32)).env("ORDO_LOG", "info");
        c
    };
    let key = set_up(&cmd, &sim);
    kill_mid_sync(&cmd, &sim, &key);

    // Other processes may share a PostgreSQL database, so a restart can't drop leases: the dead
    // holder's lease runs out on its own, in seconds, and until then the answer says whose it is.
    let (mut server, addr) = serve(&mut cmd());
    let killed_at = Instant::now();
    let (status, body) = http(&addr, "POST", "/api/v1/channels/fk/sync", Some(&key), "{}");
    if status == 409 {
        assert!(body.contains("pid ") && body.contains(" on ") && body.contains("until"), "{body}");
    }
    let mut status = status;
    while status != 200 {
        assert_eq!(status, 409, "{body}");
        assert!(killed_at.elapsed() < Duration::from_secs(30), "the dead process's lease did not expire within 30 s");
        std::thread::sleep(Duration::from_millis(250));
        status = http(&addr, "POST", "/api/v1/channels/fk/sync", Some(&key), "{}").0;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
