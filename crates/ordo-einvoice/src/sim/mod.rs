//! A simulator of NIC's e-invoice sandbox (feature `sim`): an axum [`Router`] answering the same
//! calls with the same envelopes, encryption and signatures, from memory.
//!
//! - `POST /eivital/v1.04/auth`: accepts any non-empty client id, secret, GSTIN, user name and
//!   password; answers an `AuthToken` valid for 60 minutes (as the sandbox does) and a fresh session key.
//! - `POST /eicore/v1.03/Invoice`: computes the IRN, gives an `AckNo` and `AckDt`, and signs the invoice
//!   and the QR summary as RS256 JWTs (`iss: "NIC"`) with its own signing key. The same document again
//!   is refused with NIC's error 2150 and an `InfoDtls` `DUPIRN` entry naming the existing IRN.
//! - `GET /eicore/v1.03/Invoice/irnbydocdetails?doctype=&docnum=&docdate=`: the registration held.
//!
//! Its controls, outside NIC's API:
//! - `GET /_sim/keys`: its public keys as PEM, `{encryption_public_key, signing_public_key}` (a
//!   connector's `encryption_key` and `signing_key`);
//! - `POST /_sim/faults {"server_errors": N}`: the next N calls to NIC's API answer 503;
//! - `GET /_sim/stats`: how many calls of each kind it has answered.
//!
//! It checks the invoice only as far as the connector's tests need (INV-01 shape, seller GSTIN);
//! it is no substitute for NIC's own validation.

mod handlers;

use crate::client::Clock;
use crate::crypto::{self, AesKey};
use crate::wire::{self, IrnDetails};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use time::{Duration, OffsetDateTime};

/// How long the sandbox's tokens are valid.
pub const TOKEN_VALIDITY: Duration = Duration::minutes(60);

/// The simulator's key pairs: one the credentials are encrypted under, one it signs with.
#[derive(Clone)]
pub struct SimKeys {
    /// The portal's encryption key pair.
    pub encryption: RsaPrivateKey,
    /// The portal's signing key pair.
    pub signing: RsaPrivateKey,
}

impl SimKeys {
    /// The simulator's fixed, published key pairs ([`crate::simulator_keys`]): what a connector
    /// configured without keys trusts.
    pub fn fixed() -> SimKeys {
        SimKeys::from_pem(crate::simulator_keys::ENCRYPTION_PRIVATE_KEY, crate::simulator_keys::SIGNING_PRIVATE_KEY)
            .expect("the simulator's keys are valid PEM")
    }

    /// Two fresh 2048-bit key pairs (a few seconds in unoptimised builds).
    pub fn generate() -> SimKeys {
        SimKeys { encryption: crypto::generate_private_key(), signing: crypto::generate_private_key() }
    }

    /// The key pairs from PEM private keys (PKCS#8 or PKCS#1).
    pub fn from_pem(encryption: &str, signing: &str) -> Result<SimKeys, String> {
        Ok(SimKeys {
            encryption: crypto::private_key_from_pem(encryption).map_err(|e| format!("encryption key: {e}"))?,
            signing: crypto::private_key_from_pem(signing).map_err(|e| format!("signing key: {e}"))?,
        })
    }

    /// The public halves as PEM, as `GET /_sim/keys` answers them.
    pub fn public_pems(&self) -> PublicKeys {
        PublicKeys {
            encryption_public_key: crypto::public_key_to_pem(&self.encryption.to_public_key()),
            signing_public_key: crypto::public_key_to_pem(&self.signing.to_public_key()),
        }
    }
}

/// The simulator's public keys as PEM: what a connector is configured with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeys {
    /// The key credentials are encrypted under (a connector's `encryption_key`).
    pub encryption_public_key: String,
    /// The key the signed documents verify with (a connector's `signing_key`).
    pub signing_public_key: String,
}

/// Faults to inject into NIC's API (not into `/_sim`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Faults {
    /// The next this many calls answer 503.
    #[serde(default)]
    pub server_errors: u32,
}

/// How many calls of each kind the simulator answered (faults included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Authentications.
    pub auth_calls: u32,
    /// IRN generations, duplicates included.
    pub generate_calls: u32,
    /// Lookups by document details.
    pub lookup_calls: u32,
    /// Documents registered.
    pub registered: u32,
}

/// A session the simulator opened.
struct SimSession {
    sek: AesKey,
    gstin: String,
    user_name: String,
    expires_at: OffsetDateTime,
}

#[derive(Default)]
struct Ledger {
    sessions: HashMap<String, SimSession>,
    /// Registrations by IRN: the IRN is unique per seller, year, type and number, as NIC's duplicate check is.
    registered: HashMap<String, IrnDetails>,
    next_ack_no: i64,
    faults: Faults,
    stats: Stats,
}

struct Shared {
    keys: SimKeys,
    clock: Clock,
    ledger: Mutex<Ledger>,
}

/// A simulated IRP. Clones share one state.
#[derive(Clone)]
pub struct Simulator {
    shared: Arc<Shared>,
}

/// The first acknowledgement number (NIC's are 15 digits).
const FIRST_ACK_NO: i64 = 112_610_000_000_001;

impl Simulator {
    /// A simulator with `keys`, on the system clock.
    pub fn new(keys: SimKeys) -> Simulator {
        Simulator::with_clock(keys, Arc::new(OffsetDateTime::now_utc))
    }

    /// A simulator with `keys` reading the time from `clock` (token expiry, `AckDt`).
    pub fn with_clock(keys: SimKeys, clock: Clock) -> Simulator {
        let ledger = Ledger { next_ack_no: FIRST_ACK_NO, ..Ledger::default() };
        Simulator { shared: Arc::new(Shared { keys, clock, ledger: Mutex::new(ledger) }) }
    }

    /// The public keys as PEM.
    pub fn public_keys(&self) -> PublicKeys {
        self.shared.keys.public_pems()
    }

    /// Makes the next `count` calls to NIC's API answer 503.
    pub fn fail_next(&self, count: u32) {
        self.ledger().faults.server_errors = count;
    }

    /// How many calls of each kind were answered.
    pub fn stats(&self) -> Stats {
        self.ledger().stats
    }

    /// The router serving NIC's API and the `/_sim` controls.
    pub fn router(&self) -> Router {
        Router::new()
            .route(wire::AUTH_PATH, post(handlers::authenticate))
            .route(wire::GENERATE_IRN_PATH, post(handlers::generate_irn))
            .route(wire::IRN_BY_DOCUMENT_PATH, get(handlers::irn_by_document))
            .route("/_sim/keys", get(keys))
            .route("/_sim/faults", get(faults).post(set_faults))
            .route("/_sim/stats", get(stats))
            .with_state(self.clone())
    }

    /// Serves the simulator on `listen` (port 0 picks a free one) in a background task.
    pub async fn spawn(&self, listen: SocketAddr) -> std::io::Result<SpawnedSimulator> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let router = self.router();
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the e-invoice simulator stopped");
            }
        });
        Ok(SpawnedSimulator { base_url: format!("http://{addr}"), keys: self.public_keys(), simulator: self.clone() })
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        // A handler that panicked left no half-made change worth refusing to serve over.
        self.shared.ledger.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now(&self) -> OffsetDateTime {
        (self.shared.clock)()
    }
}

/// A simulator serving in the background.
#[derive(Clone)]
pub struct SpawnedSimulator {
    /// Where it listens, e.g. `http://127.0.0.1:41234`: a connector's `endpoint`.
    pub base_url: String,
    /// Its public keys as PEM.
    pub keys: PublicKeys,
    /// Its handle, for faults and stats.
    pub simulator: Simulator,
}

/// Starts a simulator with its fixed keys ([`SimKeys::fixed`]) on `listen` and returns where it is
/// and its keys.
pub async fn spawn(listen: SocketAddr) -> std::io::Result<SpawnedSimulator> {
    Simulator::new(SimKeys::fixed()).spawn(listen).await
}

async fn keys(State(sim): State<Simulator>) -> axum::Json<PublicKeys> {
    axum::Json(sim.public_keys())
}

async fn faults(State(sim): State<Simulator>) -> axum::Json<Faults> {
    axum::Json(sim.ledger().faults)
}

async fn set_faults(State(sim): State<Simulator>, axum::Json(faults): axum::Json<Faults>) -> axum::Json<Faults> {
    sim.ledger().faults = faults;
    axum::Json(faults)
}

async fn stats(State(sim): State<Simulator>) -> axum::Json<Stats> {
    axum::Json(sim.stats())
}
