//! The `ordo` binary: serve the API, migrate, create clients and keys, check the books.

mod bench;
mod demo;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use ordo_app::App;
use ordo_app::clock::{Clock, ManualClock, SystemClock};
use ordo_app::ordo_store::Store;
use ordo_app::secrets::SecretBox;
use ordo_domain::kinds::{ChannelType, Role};
use std::path::PathBuf;
use std::sync::Arc;

// A request allocates many small strings and frees them on other threads; mimalloc does that with
// far less locking than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The environment variable that may carry the secret key itself.
const SECRET_KEY_ENV: &str = "ORDO_SECRET_KEY";

#[derive(Parser)]
#[command(name = "ordo", version, about = "Omnichannel order and warehouse management")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Command,
}

/// Settings every command shares.
#[derive(Args)]
struct Config {
    /// Database URL: `postgres://…` for PostgreSQL; default a SQLite file in the data folder.
    #[arg(long, env = "ORDO_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Folder for the embedded database and the generated secret key.
    #[arg(long, env = "ORDO_DATA_DIR", default_value = "ordo-data", global = true)]
    data_dir: PathBuf,
    /// File holding the key that encrypts channel credentials at rest (64 hex characters). The key
    /// itself may instead come from the environment variable ORDO_SECRET_KEY; it is never taken on
    /// the command line, where other users of the machine could read it. Default: generated into
    /// `<data-dir>/secret.key` on first start. Every process sharing a database needs the same key.
    #[arg(long, env = "ORDO_SECRET_KEY_FILE", global = true)]
    secret_key_file: Option<PathBuf>,
    /// Log format.
    #[arg(long, env = "ORDO_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ClockKind {
    /// Real time.
    System,
    /// Starts at the real time and moves only by `POST /api/v1/clock/advance`.
    Manual,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve {
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, env = "ORDO_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Which clock to run on.
        #[arg(long, env = "ORDO_CLOCK", value_enum, default_value = "system")]
        clock: ClockKind,
        /// How often background work (hold releases, allocation sweeps) runs, in milliseconds.
        #[arg(long, env = "ORDO_WORK_INTERVAL_MS", default_value_t = 1000)]
        work_interval_ms: u64,
        /// Seconds a request may take before it is answered with a 503 problem.
        #[arg(long, env = "ORDO_REQUEST_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
        request_timeout: u64,
    },
    /// Run the demo: a seeded seller, a simulator for every marketplace producing orders, and the
    /// API, on the embedded database.
    Demo {
        /// Address to listen on.
        #[arg(long, env = "ORDO_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Serve a marketplace simulator (the marketplace's API from memory, with a control API under
    /// /_sim for orders and faults), to point a channel's `endpoint` at; or the e-invoice portal; or
    /// an ERP receiving Ordo's postings.
    Simulate {
        /// A marketplace (AMAZON_SP, AMAZON_EDI, AMAZON_FLEX, FLIPKART_V2, FLIPKART_V3, PAYTM, AJIO_VMS,
        /// SHOPIFY), `irp` (the GST e-invoice portal) or `erp` (a client's ERP); case-insensitive.
        #[arg(value_parser = parse_simulator)]
        name: Simulator,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:9090")]
        listen: String,
        /// Orders per page of the marketplace's answers.
        #[arg(long, default_value_t = 50)]
        page_size: usize,
        /// erp: the signing secret (`whsec_…`, as `PUT /api/v1/erp` answered it). Prefer the
        /// environment variable, which other users of the machine can't read; also settable later
        /// through `PUT /_sim/config`.
        #[arg(long, env = "ORDO_ERP_SECRET", hide_env_values = true)]
        secret: Option<String>,
        /// erp: Ordo's base URL, to invoice orders and issue credit notes through (e.g. http://127.0.0.1:8080).
        #[arg(long, env = "ORDO_ERP_ORDO_URL")]
        ordo_url: Option<String>,
        /// erp: an Ordo API key of the client (role integration), for those calls.
        #[arg(long, env = "ORDO_ERP_ORDO_KEY", hide_env_values = true)]
        ordo_key: Option<String>,
        /// erp: the seller's GSTIN; when given, invoices carry an IRN and a signed QR code.
        #[arg(long, env = "ORDO_ERP_SELLER_GSTIN")]
        seller_gstin: Option<String>,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage clients (tenants).
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Manage API keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Manage the users who sign in to the operator screens.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Rebuild every stock balance from the inventory ledger and report differences.
    Check,
    /// Measure order ingest and allocation through the HTTP API against the bare-SQL floor.
    Bench {
        /// A PostgreSQL server to measure on (a fresh schema is made in it); SQLite when absent.
        #[arg(long)]
        postgres: Option<String>,
        /// Orders per run.
        #[arg(long, default_value_t = 20_000)]
        orders: usize,
        /// Waiting orders for the allocation-sweep measurement (0 skips it).
        #[arg(long, default_value_t = 100_000)]
        sweep_orders: usize,
        /// Which workloads to run (all when absent), e.g. `--runs single-16,batch-1`.
        #[arg(long, value_enum, value_delimiter = ',')]
        runs: Vec<bench::Workload>,
        /// Skip the bare-SQL floor (to profile the API alone).
        #[arg(long)]
        no_floor: bool,
        /// Orders loaded before the `search` workload measures.
        #[arg(long, default_value_t = 1_000_000)]
        search_orders: usize,
        /// Orders picked, packed and handed over (on one manifest) by the `picks`, `pack`, `label`
        /// and `handover` workloads.
        #[arg(long, default_value_t = 1_000)]
        execution_orders: usize,
        /// ERP postings the `outbox` workload delivers.
        #[arg(long, default_value_t = 20_000)]
        outbox_messages: usize,
        /// Postings waiting while the `outbox` workload ingests `--orders` orders alone and as they
        /// drain (0 skips it).
        #[arg(long, default_value_t = 100_000)]
        outbox_backlog: usize,
        /// Returns of 50 lines the `returns` workload receives.
        #[arg(long, default_value_t = 200)]
        returns: usize,
        /// Orders in the store while the `screens` workload measures every screen.
        #[arg(long, default_value_t = 100_000)]
        screen_orders: usize,
    },
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Create a client; prints it as JSON.
    Create {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
    /// List the clients as JSON lines.
    List,
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Create an API key; prints the key alone on its line (it is shown only once).
    Create {
        #[arg(long)]
        client: String,
        /// admin, operator, warehouse or integration.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// List a client's API keys (their prefixes and roles; never the keys).
    List {
        #[arg(long)]
        client: String,
    },
    /// Revoke an API key by the id `key list` shows; it is refused from then on.
    Revoke {
        #[arg(long)]
        client: String,
        #[arg(long)]
        id: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prints the user as JSON, then the password Ordo made for them alone on the
    /// last line (shown only once). With `--password-stdin`, the password is read from stdin instead.
    Create {
        #[arg(long)]
        client: String,
        /// The user's sign-in name.
        #[arg(long)]
        email: String,
        /// admin, operator, warehouse or integration: the same permissions as API keys.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give a user a new password (their sessions end); prints the user, then the password Ordo
    /// made alone on the last line, unless `--password-stdin` gives one.
    ResetPassword {
        #[arg(long)]
        client: String,
        #[arg(long)]
        email: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List a client's users as JSON lines.
    List {
        #[arg(long)]
        client: String,
    },
}

/// The first line of stdin, without its line end (for `--password-stdin`).
fn read_password_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// A user as JSON, then the password Ordo made for them (if it made one) alone on the last line.
fn print_user(made: &ordo_app::NewUser) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(&made.user)?);
    if let Some(password) = &made.generated_password {
        println!("{password}");
    }
    Ok(())
}

/// A client that doesn't exist, said with what to do about it.
fn no_client(e: ordo_domain::DomainError, client: &str) -> anyhow::Error {
    match e {
        ordo_domain::DomainError::NotFound(what) if what.starts_with("client") => {
            anyhow::anyhow!("no client '{client}'; create it first with: ordo client create --code {client} --name \"…\"")
        }
        other => anyhow::anyhow!("{other}"),
    }
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s)
}

/// What `ordo simulate` serves.
#[derive(Clone, Copy, Debug)]
enum Simulator {
    Marketplace(ChannelType),
    Irp,
    Erp,
}

fn parse_simulator(s: &str) -> Result<Simulator, String> {
    if s.eq_ignore_ascii_case("irp") {
        return Ok(Simulator::Irp);
    }
    if s.eq_ignore_ascii_case("erp") {
        return Ok(Simulator::Erp);
    }
    ChannelType::parse(&s.to_ascii_uppercase()).map(Simulator::Marketplace).map_err(|e| format!("{e}, irp or erp"))
}

impl Config {
    fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("ordo.db").display()))
    }

    /// The secret key: from ORDO_SECRET_KEY, else the named file, else `<data-dir>/secret.key`
    /// (created on first start).
    fn secrets(&self) -> Result<SecretBox> {
        if let Ok(hex) = std::env::var(SECRET_KEY_ENV) {
            return SecretBox::from_hex(&hex).map_err(|e| anyhow::anyhow!("{SECRET_KEY_ENV}: {e}"));
        }
        match &self.secret_key_file {
            Some(path) => SecretBox::from_file(path).map_err(|e| anyhow::anyhow!("--secret-key-file: {e}")),
            None => SecretBox::from_file_or_create(&self.data_dir.join("secret.key")).map_err(|e| anyhow::anyhow!(e)),
        }
    }

    /// Whether the key is given rather than generated into the data folder.
    fn secret_key_given(&self) -> bool {
        self.secret_key_file.is_some() || std::env::var_os(SECRET_KEY_ENV).is_some()
    }

    async fn app(&self, clock: Arc<dyn Clock>) -> Result<App> {
        let url = self.database_url();
        let store =
            Store::connect(&url).await.with_context(|| "can't open the database; check --database-url / ORDO_DATABASE_URL")?;
        if !self.secret_key_given() && url.starts_with("postgres") {
            tracing::warn!(
                "no ORDO_SECRET_KEY or --secret-key-file given: using {}; every ordo process sharing this database needs the same key",
                self.data_dir.join("secret.key").display()
            );
        }
        Ok(App::new(store, clock, self.secrets()?))
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ORDO_LOG").unwrap_or_else(|_| "info,sqlx=error".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    init_logging(cli.config.log_format);
    let system: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        Command::Serve { listen, clock, work_interval_ms, request_timeout } => {
            let http = ordo_http::HttpConfig { request_timeout: std::time::Duration::from_secs(request_timeout) };
            let clock: Arc<dyn Clock> = match clock {
                ClockKind::System => system,
                ClockKind::Manual => Arc::new(ManualClock::starting_now()),
            };
            let app = cli.config.app(clock).await?;
            app.prepare_to_serve().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("can't listen on {listen}"))?;
            let addr = listener.local_addr()?;
            tracing::info!(database = app.database(), "Ordo is listening on http://{addr} (API docs at http://{addr}/api/docs)");
            let worker = app.spawn_background_work(std::time::Duration::from_millis(work_interval_ms.max(10)));
            ordo_http::serve(app.clone(), http, listener, shutdown_signal()).await?;
            worker.abort();
            app.close().await;
        }
        Command::Demo { listen } => {
            let app = cli.config.app(system).await?;
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("can't listen on {listen}; try --listen 127.0.0.1:0"))?;
            demo::run(app, listener, shutdown_signal()).await?;
        }
        Command::Simulate { name, listen, page_size, secret, ordo_url, ordo_key, seller_gstin } => {
            let addr: std::net::SocketAddr =
                listen.parse().with_context(|| format!("'{listen}' is not an address such as 127.0.0.1:9090"))?;
            let erp_flags =
                [("--secret", &secret), ("--ordo-url", &ordo_url), ("--ordo-key", &ordo_key), ("--seller-gstin", &seller_gstin)];
            if !matches!(name, Simulator::Erp)
                && let Some((flag, _)) = erp_flags.iter().find(|(_, v)| v.is_some())
            {
                bail!("{flag} is for `ordo simulate erp` only");
            }
            match name {
                Simulator::Marketplace(channel_type) => {
                    let config = ordo_sim::SimConfig { page_size: page_size.max(1), ..Default::default() };
                    let sim = ordo_sim::spawn_simulator(channel_type, config, addr).await?;
                    println!("{channel_type} simulator at {}", sim.base_url);
                    println!("channel credentials: {}", sim.handle.credentials());
                    println!("channel settings:    {}", sim.handle.settings(&sim.base_url));
                    println!(
                        "control API: {}/_sim/orders, {}/_sim/faults (see crates/ordo-sim/README.md)",
                        sim.base_url, sim.base_url
                    );
                    shutdown_signal().await;
                }
                Simulator::Irp => {
                    let sim = ordo_sim::irp::spawn(addr).await?;
                    println!("e-invoice portal (IRP) simulator at {}", sim.base_url);
                    println!("its public keys: {}/_sim/keys; faults: {}/_sim/faults", sim.base_url, sim.base_url);
                    println!("it accepts any non-empty credentials");
                    shutdown_signal().await;
                }
                Simulator::Erp => {
                    let secret = secret
                        .as_deref()
                        .map(ordo_channels::erp::SigningSecret::parse)
                        .transpose()
                        .map_err(|e| anyhow::anyhow!("--secret / ORDO_ERP_SECRET: {e}"))?;
                    let has_secret = secret.is_some();
                    let config = ordo_sim::erp::ErpSimConfig { secret, ordo_url, ordo_key, seller_gstin, ..Default::default() };
                    let sim = ordo_sim::erp::spawn(config, addr).await?;
                    println!("ERP simulator at {}: postings are taken at {}/ (any path)", sim.base_url, sim.base_url);
                    if !has_secret {
                        println!(
                            "no signing secret yet: every posting is refused until PUT {}/_sim/config {{\"secret\": \"whsec_…\"}}",
                            sim.base_url
                        );
                    }
                    let settings = sim.simulator.settings();
                    match (&settings.ordo_url, settings.has_ordo_key) {
                        (Some(url), true) => println!("it invoices orders and issues credit notes through {url}"),
                        _ => println!("no --ordo-url/--ordo-key: it records postings but can't invoice through Ordo"),
                    }
                    println!(
                        "control API: {}/_sim/postings, /_sim/ordo-calls, /_sim/faults, /_sim/config (see crates/ordo-sim/README.md)",
                        sim.base_url
                    );
                    shutdown_signal().await;
                }
            }
        }
        Command::Migrate => {
            let app = cli.config.app(system).await?;
            eprintln!("the {} database is up to date", app.database());
        }
        Command::Client { command: ClientCommand::Create { code, name } } => {
            let app = cli.config.app(system).await?;
            let client = app.create_client(&code, &name).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string(&client)?);
        }
        Command::Client { command: ClientCommand::List } => {
            let app = cli.config.app(system).await?;
            for c in app.list_clients().await.map_err(|e| anyhow::anyhow!("{e}"))? {
                println!("{}", serde_json::to_string(&c)?);
            }
        }
        Command::Key { command: KeyCommand::Create { client, role } } => {
            let app = cli.config.app(system).await?;
            let key = app.create_api_key(&client, role).await.map_err(|e| no_client(e, &client))?;
            println!("{key}");
        }
        Command::Key { command: KeyCommand::List { client } } => {
            let app = cli.config.app(system).await?;
            for k in app.client_api_keys(&client).await.map_err(|e| anyhow::anyhow!("{e}"))? {
                println!("{}", serde_json::to_string(&k)?);
            }
        }
        Command::Key { command: KeyCommand::Revoke { client, id } } => {
            let app = cli.config.app(system).await?;
            let key = app.revoke_client_api_key(&client, &id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string(&key)?);
        }
        Command::User { command: UserCommand::Create { client, email, role, password_stdin } } => {
            let password = password_stdin.then(read_password_line).transpose()?;
            let app = cli.config.app(system).await?;
            let made = app.create_user(&client, &email, role, password.as_deref()).await.map_err(|e| no_client(e, &client))?;
            print_user(&made)?;
        }
        Command::User { command: UserCommand::ResetPassword { client, email, password_stdin } } => {
            let password = password_stdin.then(read_password_line).transpose()?;
            let app = cli.config.app(system).await?;
            let made = app.reset_user_password(&client, &email, password.as_deref()).await.map_err(|e| no_client(e, &client))?;
            print_user(&made)?;
        }
        Command::User { command: UserCommand::List { client } } => {
            let app = cli.config.app(system).await?;
            for u in app.client_users(&client).await.map_err(|e| anyhow::anyhow!("{e}"))? {
                println!("{}", serde_json::to_string(&u)?);
            }
        }
        Command::Bench {
            postgres,
            orders,
            sweep_orders,
            runs,
            no_floor,
            search_orders,
            execution_orders,
            outbox_messages,
            outbox_backlog,
            returns,
            screen_orders,
        } => {
            let config = bench::BenchConfig {
                postgres,
                orders,
                sweep_orders,
                runs,
                floor: !no_floor,
                search_orders,
                execution_orders,
                outbox_messages,
                outbox_backlog,
                returns,
                screen_orders,
            };
            bench::run(config).await?;
        }
        Command::Check => {
            let app = cli.config.app(system).await?;
            let mismatches = app.check_ledger().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let allocations = app.check_allocations().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            for m in &allocations {
                println!(
                    "MISMATCH client_id={} warehouse_id={} sku_id={} pool={}: stock allocated {} but order lines hold {}",
                    m.client_id, m.warehouse_id, m.sku_id, m.pool, m.stock_allocated, m.lines_hold
                );
            }
            if mismatches.is_empty() && allocations.is_empty() {
                println!("ok: every stock balance equals the sum of its ledger entries and of its order lines");
            } else {
                for m in &mismatches {
                    println!(
                        "MISMATCH client={} warehouse={} sku={} pool={} stored(live,recycle,allocated)={:?} ledger={:?}",
                        m.client, m.warehouse, m.sku, m.pool, m.stored, m.from_ledger
                    );
                }
                bail!("{} balance(s) disagree with the ledger or the orders", mismatches.len() + allocations.len());
            }
        }
    }
    Ok(())
}
