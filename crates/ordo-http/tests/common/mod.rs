//! The API test harness: Ordo served on port 0 over a scratch database, driven through HTTP.
#![allow(dead_code)]

use ordo_app::App;
use ordo_app::clock::{Clock, ManualClock};
use ordo_app::ordo_store::testing::Scratch;
use ordo_app::ordo_store::{Dialect, Store};
use ordo_app::secrets::SecretBox;
use ordo_domain::kinds::Role;
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use std::sync::Arc;

pub mod browser;
pub mod marketplace;
pub mod ui;

/// A running Ordo with one client (`acme`) and an admin key for it.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub app: App,
    /// The store under the app, for tests that check what the API does not show.
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub admin: String,
    pub dialect: Dialect,
    scratch: Scratch,
}

/// Declares each named async test function (taking a [`TestApp`]) to run once per backend.
macro_rules! api_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let scratch = ordo_app::ordo_store::testing::scratch_sqlite(stringify!($name));
                super::$name(crate::common::TestApp::start(scratch).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match ordo_app::ordo_store::testing::scratch_postgres(stringify!($name)).await.expect("PostgreSQL reachable") {
                    Some(scratch) => super::$name(crate::common::TestApp::start(scratch).await).await,
                    None => {} // said by scratch_postgres
                }
            }
        }
    )*};
}
pub(crate) use api_tests;

impl TestApp {
    /// Serves Ordo on a free port over `scratch`, with a manual clock.
    pub async fn start(scratch: Scratch) -> TestApp {
        let store = Store::connect(&scratch.url).await.expect("database");
        let under = store.clone();
        let clock = Arc::new(ManualClock::starting_now());
        let app = App::new(store, clock.clone() as Arc<dyn Clock>, SecretBox::from_hex(&"42".repeat(32)).unwrap());
        app.create_client("acme", "Acme Retail").await.unwrap();
        let admin = app.create_api_key("acme", Role::Admin).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let served = app.clone();
        tokio::spawn(async move { ordo_http::serve(served, Default::default(), listener, std::future::pending()).await });
        let dialect = under.dialect();
        TestApp { base, http: reqwest::Client::new(), app, store: under, clock, admin, dialect, scratch }
    }

    /// A new key for `client` (created if new) with `role`.
    pub async fn key(&self, client: &str, role: Role) -> String {
        if self.store.client_by_code(client).await.is_err() {
            self.app.create_client(client, client).await.unwrap();
        }
        self.app.create_api_key(client, role).await.unwrap()
    }

    /// Runs raw SQL on the test's database (to inject a fault under the store).
    pub async fn sql(&self, sql: &str) {
        ordo_app::ordo_store::testing::execute(&self.scratch.url, sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Makes every allocation sweep of `client` fail (its last step, taking the balance off the
    /// queue, raises an error), until [`TestApp::heal_sweeps`].
    pub async fn break_sweeps(&self, client: &str) {
        let (client_id, _) = self.store.client_by_code(client).await.unwrap();
        let sql = match self.dialect {
            Dialect::Sqlite => format!(
                "CREATE TRIGGER broken_sweep BEFORE DELETE ON allocation_queue WHEN OLD.client_id = {client_id} \
                 BEGIN SELECT RAISE(ABORT, 'injected sweep failure'); END;"
            ),
            Dialect::Postgres => format!(
                "CREATE FUNCTION broken_sweep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected sweep failure'; END $$; \
                 CREATE TRIGGER broken_sweep BEFORE DELETE ON allocation_queue FOR EACH ROW WHEN (OLD.client_id = {client_id}) \
                 EXECUTE FUNCTION broken_sweep();"
            ),
        };
        self.sql(&sql).await;
    }

    /// Undoes [`TestApp::break_sweeps`].
    pub async fn heal_sweeps(&self) {
        let sql = match self.dialect {
            Dialect::Sqlite => "DROP TRIGGER broken_sweep;",
            Dialect::Postgres => "DROP TRIGGER broken_sweep ON allocation_queue; DROP FUNCTION broken_sweep();",
        };
        self.sql(sql).await;
    }

    /// A request to `path` with `key` as the bearer.
    pub fn req(&self, method: Method, path: &str, key: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base)).bearer_auth(key)
    }

    /// GET with the admin key; answers status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        read(self.req(Method::GET, path, &self.admin).send().await.unwrap()).await
    }

    /// POST JSON with the admin key; answers status and JSON body.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        read(self.req(Method::POST, path, &self.admin).json(&body).send().await.unwrap()).await
    }

    /// A warehouse `wh1` and SKUs `A` and `B`.
    pub async fn basic_setup(&self) {
        assert_eq!(self.post("/api/v1/warehouses", serde_json::json!({"code": "wh1", "name": "Main"})).await.0, 201);
        for sku in ["A", "B"] {
            assert_eq!(self.post("/api/v1/skus", serde_json::json!({"sku": sku, "name": format!("Article {sku}")})).await.0, 201);
        }
    }

    /// The inventory row of `sku` in `pool` of `wh1`, or zeros.
    pub async fn stock(&self, sku: &str, pool: &str) -> Value {
        let (_, body) = self.get(&format!("/api/v1/inventory?warehouse=wh1&sku={sku}")).await;
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["pool"] == pool)
            .cloned()
            .unwrap_or(serde_json::json!({"on_hand": 0, "recycle": 0, "allocated": 0, "available": 0}))
    }
}

/// Status and JSON body (Null when the body is not JSON).
pub async fn read(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The texts of every Code 128 and QR symbol on every page of `pdf`, sorted: the pages rendered at
/// 300 dpi by `pdftoppm` (Debian `poppler-utils`) and read by `zbarimg` (`zbar-tools`).
pub fn barcodes(pdf: &[u8]) -> Vec<String> {
    use std::process::Command;
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ordo-http-pdf-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let rendered = Command::new("pdftoppm")
        .args(["-r", "300", "-png"])
        .arg(&file)
        .arg(dir.join("page"))
        .output()
        .expect("pdftoppm runs (Debian package poppler-utils)");
    assert!(rendered.status.success(), "pdftoppm failed: {}", String::from_utf8_lossy(&rendered.stderr));
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pages.sort();
    let mut texts = Vec::new();
    for page in pages {
        let out = Command::new("zbarimg")
            .args(["--raw", "-q", "-Sdisable", "-Scode128.enable", "-Sqrcode.enable"])
            .arg(&page)
            .output()
            .expect("zbarimg runs (Debian package zbar-tools)");
        // zbarimg exits 4 when a page has no symbol.
        assert!(matches!(out.status.code(), Some(0 | 4)), "zbarimg failed: {}", String::from_utf8_lossy(&out.stderr));
        texts.extend(String::from_utf8(out.stdout).unwrap().lines().map(str::to_string));
    }
    let _ = std::fs::remove_dir_all(&dir);
    texts.sort();
    texts
}

impl TestApp {
    /// GET with the admin key; answers status, content type and the body's bytes.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let r = self.req(Method::GET, path, &self.admin).send().await.unwrap();
        let status = r.status().as_u16();
        let ty = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (status, ty, r.bytes().await.unwrap().to_vec())
    }
}
