//! Ordo's use cases. Each public method of [`App`] checks the caller's permission, validates its
//! input into the store's terms, and runs one store transaction. Background workers live here too.

pub mod clock;
mod dashboard;
mod documents;
mod einvoicing;
mod erp;
mod group_commit;
mod inventory;
mod master;
mod orders;
mod outbox;
mod packing;
mod picking;
mod purchase_orders;
pub mod requests;
mod returns;
pub mod secrets;
mod shipping;
mod sync;
mod upload;
mod users;

pub use dashboard::Dashboard;
pub use erp::{ErpRequest, ErpView};
pub use orders::{MAX_BATCH, parse_order};
pub use packing::{DimensionsMm, PackOrderRequest, PackScan, Packed};
pub use returns::RtoRequested;
pub use shipping::{Document, ShipmentQuery};
pub use sync::SyncReport;
pub use upload::UploadMode;
pub use users::{NewUser, PASSWORD_MIN_CHARS, SESSION_IDLE_SECONDS, SESSION_MAX_SECONDS, SignedIn};

use clock::Clock;
use ordo_domain::kinds::{Permission, Role};
use ordo_domain::model::{ApiKey, Client, Principal};
use ordo_domain::{DomainError, Timestamp};
use ordo_store::{IdempotencyClaim, Store, WriteCtx};
use secrets::SecretBox;
use std::sync::Arc;

pub use ordo_store;

/// The result of every use case.
pub type Result<T> = std::result::Result<T, DomainError>;

/// Who is asking, and under which idempotency key.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub idempotency: Option<IdempotencyClaim>,
}

/// Everything a use case needs: the store, the clock and the secret box.
#[derive(Clone)]
pub struct App {
    /// Private: every caller goes through the use cases, with their permission checks.
    store: Store,
    pub clock: Arc<dyn Clock>,
    pub secrets: SecretBox,
    orders: group_commit::GroupCommit,
    keys: Arc<KeyCache>,
    /// One lock per channel (client id, code) for the syncs of this process, so a manual sync
    /// waits for a periodic one already running here instead of being refused.
    syncs: Arc<std::sync::Mutex<std::collections::HashMap<(i64, String), ChannelLock>>>,
    /// The e-invoice portal connectors of this process.
    irp: Arc<einvoicing::IrpClients>,
    /// The API requests this process is serving right now.
    load: Arc<Load>,
}

/// How many API requests a process is serving: background work that can wait (delivering an outbox
/// backlog) gives way to them, so a backlog draining does not slow the API down.
struct Load {
    serving: std::sync::atomic::AtomicUsize,
    /// When a request last started or ended, in microseconds since `epoch`.
    last_change: std::sync::atomic::AtomicU64,
    epoch: std::time::Instant,
}

impl Default for Load {
    fn default() -> Self {
        Load { serving: Default::default(), last_change: Default::default(), epoch: std::time::Instant::now() }
    }
}

impl Load {
    fn changed(&self) {
        let now = self.epoch.elapsed().as_micros() as u64;
        self.last_change.store(now, std::sync::atomic::Ordering::Relaxed);
    }
}

/// How long no request must have been served for the API to count as quiet: requests come in
/// waves (a group commit answers many at once, and their clients send the next ones a moment
/// later), so a moment with none in flight does not mean the load is over.
const QUIET: std::time::Duration = std::time::Duration::from_millis(10);

/// A request being served, counted as such until dropped ([`App::serving`]).
pub struct Serving(Arc<Load>);

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.serving.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        self.0.changed();
    }
}

/// Held while this process syncs one channel.
type ChannelLock = Arc<tokio::sync::Mutex<()>>;

/// Recently seen API keys (by hash), so a request does not read the key table every time. Entries
/// live [`KEY_CACHE_SECONDS`] (real time): a key revoked in the database stops working within that.
#[derive(Default)]
struct KeyCache {
    entries: std::sync::RwLock<std::collections::HashMap<String, (Principal, std::time::Instant)>>,
}

/// How long a key stays cached.
const KEY_CACHE_SECONDS: u64 = 30;

impl App {
    /// Wires an app from its parts.
    /// Must be called within a Tokio runtime: it starts the order writer.
    pub fn new(store: Store, clock: Arc<dyn Clock>, secrets: SecretBox) -> Self {
        let orders = group_commit::GroupCommit::start(store.clone(), clock.clone());
        App {
            store,
            clock,
            secrets,
            orders,
            keys: Arc::default(),
            syncs: Arc::default(),
            irp: Arc::default(),
            load: Arc::default(),
        }
    }

    /// Marks a request as being served until the answer is dropped (the HTTP layer holds one per
    /// request).
    pub fn serving(&self) -> Serving {
        self.load.serving.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.load.changed();
        Serving(self.load.clone())
    }

    /// Whether the API is busy: a request is being served, or one was within [`QUIET`].
    pub(crate) fn busy(&self) -> bool {
        let load = &self.load;
        let since = load.epoch.elapsed().as_micros() as u64 - load.last_change.load(std::sync::atomic::Ordering::Relaxed);
        load.serving.load(std::sync::atomic::Ordering::Relaxed) > 0 || since < QUIET.as_micros() as u64
    }

    /// The database's name, as `/health` reports it (`sqlite`, `postgres`).
    pub fn database(&self) -> &'static str {
        self.store.dialect().name()
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.store.ping().await
    }

    /// Closes the database connections (waits for running queries).
    pub async fn close(&self) {
        self.store.close().await
    }

    /// Every client, for the command line.
    pub async fn list_clients(&self) -> Result<Vec<Client>> {
        self.store.list_clients().await
    }

    /// Whether a client with this code exists.
    pub async fn client_exists(&self, code: &str) -> Result<bool> {
        match self.store.client_by_code(code).await {
            Ok(_) => Ok(true),
            Err(DomainError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Now, by the app's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Checks that the caller may do `permission` and gives its write context.
    pub(crate) fn authorize(&self, caller: &Caller, permission: Permission) -> Result<WriteCtx> {
        let p = &caller.principal;
        if !p.role.can(permission) {
            return Err(DomainError::Forbidden(format!("a key with role '{}' may not do this", p.role)));
        }
        Ok(WriteCtx { client_id: p.client_id, actor: p.actor.clone(), now: self.now(), idempotency: caller.idempotency.clone() })
    }

    /// The caller behind an API key, if it is a valid key.
    pub async fn authenticate(&self, key: &str) -> Result<Option<Principal>> {
        let hash = secrets::hash_api_key(key);
        let fresh = std::time::Duration::from_secs(KEY_CACHE_SECONDS);
        if let Some((p, at)) = self.keys.entries.read().expect("key cache lock").get(&hash)
            && at.elapsed() < fresh
        {
            return Ok(Some(p.clone()));
        }
        let principal = self.store.principal_by_key_hash(&hash).await?;
        if let Some(p) = &principal {
            let mut entries = self.keys.entries.write().expect("key cache lock");
            if entries.len() > 10_000 {
                entries.retain(|_, (_, at)| at.elapsed() < fresh);
            }
            entries.insert(hash, (p.clone(), std::time::Instant::now()));
        }
        Ok(principal)
    }

    /// Creates a client (a tenant).
    pub async fn create_client(&self, code: &str, name: &str) -> Result<Client> {
        let mut check = ordo_domain::error::Checker::new();
        let code = check.take("code", ordo_domain::codes::parse_code(code));
        let name = check.take("name", ordo_domain::codes::parse_name(name));
        check.finish()?;
        self.store.create_client(&code.unwrap_or_default(), &name.unwrap_or_default(), self.now()).await
    }

    /// Creates an API key for a client and returns it; only its hash is kept.
    pub async fn create_api_key(&self, client_code: &str, role: Role) -> Result<String> {
        let (client_id, _) = self.store.client_by_code(client_code).await?;
        let key = secrets::new_api_key();
        self.store.create_api_key(client_id, role, &key.hash, &key.prefix, self.now()).await?;
        Ok(key.key)
    }

    /// The API keys of a client (by its code), for the command line.
    pub async fn client_api_keys(&self, client_code: &str) -> Result<Vec<ApiKey>> {
        let (client_id, _) = self.store.client_by_code(client_code).await?;
        self.store.list_api_keys(client_id).await
    }

    /// Revokes a key of a client (by its code), for the command line.
    pub async fn revoke_client_api_key(&self, client_code: &str, id: &str) -> Result<ApiKey> {
        let (client_id, _) = self.store.client_by_code(client_code).await?;
        self.revoke_key(client_id, id).await
    }

    /// The caller's client's API keys.
    pub async fn list_api_keys(&self, caller: &Caller) -> Result<Vec<ApiKey>> {
        let ctx = self.authorize(caller, Permission::ManageKeys)?;
        self.store.list_api_keys(ctx.client_id).await
    }

    /// Revokes one of the caller's client's keys. This process refuses it at once; other processes
    /// sharing the database within the key cache's 30 seconds.
    pub async fn revoke_api_key(&self, caller: &Caller, id: &str) -> Result<ApiKey> {
        let ctx = self.authorize(caller, Permission::ManageKeys)?;
        self.revoke_key(ctx.client_id, id).await
    }

    async fn revoke_key(&self, client_id: i64, id: &str) -> Result<ApiKey> {
        let n = id.parse::<i64>().map_err(|_| DomainError::NotFound(format!("API key '{id}'")))?;
        let (key, hash) = self.store.revoke_api_key(client_id, n, self.now()).await?;
        self.keys.entries.write().expect("key cache lock").remove(&hash);
        Ok(key)
    }

    /// Reads the clock; with a manual clock, moves it forward first.
    pub async fn advance_clock(&self, caller: &Caller, seconds: i64) -> Result<Timestamp> {
        self.authorize(caller, Permission::ControlClock)?;
        if !(1..=366 * 24 * 3600).contains(&seconds) {
            return Err(DomainError::field("seconds", "must be between 1 and 31622400 (a year)"));
        }
        let now = self.clock.advance(seconds).ok_or_else(|| {
            DomainError::Conflict("the clock follows real time; start Ordo with --clock manual to move it".into())
        })?;
        self.run_background_work().await?;
        Ok(now)
    }
}
