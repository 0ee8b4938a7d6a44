//! The browser test harness: Debian's Chromium driven through its chromedriver over WebDriver, for
//! flows that a person at a screen or a scanner station goes through.
//!
//! Each [`Browser`] runs its own `/usr/bin/chromedriver` on a free port and one headless Chromium
//! session with a fresh profile, so tests share nothing. Every wait is an explicit one with a
//! deadline ([`WAIT`]), and a wait that runs out panics with what the page showed instead.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use thirtyfour::extensions::query::ElementPollerWithTimeout;
use thirtyfour::prelude::*;
use thirtyfour::stringmatch::StringMatch;

/// How long a wait for something on a page lasts before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(50);
/// How long chromedriver and Chromium get to start: longer than [`WAIT`], as on a machine busy
/// with other builds a cold browser start is the slowest step of a test.
const START: Duration = Duration::from_secs(30);

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// axe-core, vendored for the tests only (see `tests/assets/README.md`).
const AXE: &str = include_str!("../assets/axe.min.js");

/// A headless Chromium session on a page of the server at `base`.
pub struct Browser {
    /// The server under test, e.g. `http://127.0.0.1:1234`.
    pub base: String,
    /// None once quit.
    session: Option<WebDriver>,
    // Declared after `session` so it is dropped after it: the session is ended (closing Chromium)
    // before its chromedriver is killed, and a panicking test leaves no browser behind.
    chromedriver: Chromedriver,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let Some(session) = self.session.take() else { return };
        // thirtyfour ends a session that was not quit by blocking the thread on chromedriver's
        // answer. On a worker of the runtime that stalls the tasks queued on that worker, the
        // test's own server among them, and Chromium can wait for those while it closes (for
        // minutes, until a request times out). `block_in_place` hands the worker's tasks on first.
        use tokio::runtime::{Handle, RuntimeFlavor};
        match Handle::try_current() {
            Ok(rt) if rt.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(|| drop(session)),
            _ => drop(session),
        }
    }
}

/// A chromedriver child process and the scratch folder of its Chromium profile and log; the
/// process is killed and the folder removed on drop.
struct Chromedriver {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Chromedriver {
    /// Starts chromedriver on a free port and waits until its `/status` says it is ready.
    async fn start() -> Chromedriver {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ordo-http-browser-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // The port is found free by binding it and letting it go; another process may take it in
        // between, which chromedriver's early exit shows, so a few ports are tried.
        let mut failures = Vec::new();
        for _ in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let log = std::fs::File::create(dir.join("chromedriver.log")).unwrap();
            let mut child = Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("{CHROMEDRIVER} runs (Debian package chromium-driver): {e}"));
            match ready(&mut child, port, &dir).await {
                Ok(()) => return Chromedriver { child, port, dir },
                Err(why) => {
                    failures.push(format!("port {port}: {why}"));
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        panic!("chromedriver did not start:\n{}", failures.join("\n"));
    }

    fn log(&self) -> String {
        log(&self.dir)
    }
}

/// Polls `/status` until it answers `ready: true`, the process exits, or [`START`] runs out.
async fn ready(child: &mut Child, port: u16, dir: &Path) -> Result<(), String> {
    let url = format!("http://127.0.0.1:{port}/status");
    let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
    let deadline = Instant::now() + START;
    let mut last;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Err(format!("chromedriver exited ({status}): {}", log(dir)));
        }
        match http.get(&url).send().await {
            Ok(r) => match r.json::<serde_json::Value>().await {
                Ok(body) if body["value"]["ready"] == true => return Ok(()),
                Ok(body) => last = format!("not ready: {body}"),
                Err(e) => last = format!("unreadable status: {e}"),
            },
            Err(e) => last = format!("{e}"),
        }
        if Instant::now() >= deadline {
            return Err(format!("not ready after {START:?} ({last}): {}", log(dir)));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// What chromedriver wrote, for failure messages.
fn log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("chromedriver.log")).unwrap_or_default()
}

/// One accessibility rule that a page breaks, as axe-core reports it.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The rule, e.g. `image-alt`.
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: String,
    /// What the rule asks for.
    pub help: String,
    pub help_url: String,
    /// A CSS selector for each element that breaks it.
    pub targets: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {} [{}] <{}>", self.id, self.impact, self.help, self.targets.join(", "), self.help_url)
    }
}

impl Browser {
    /// Starts chromedriver and a headless Chromium for pages of `base` (e.g. `http://127.0.0.1:1234`).
    pub async fn start(base: &str) -> Browser {
        let chromedriver = Chromedriver::start().await;
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(CHROMIUM).unwrap();
        let profile = chromedriver.dir.join("profile");
        for arg in [
            "--headless=new",
            // Tests run as root in CI, where Chromium's sandbox refuses to start.
            "--no-sandbox",
            // /dev/shm is small in containers; Chromium then crashes on larger pages.
            "--disable-dev-shm-usage",
            // A fixed size, so that screenshots and what is on screen are the same on every machine.
            "--window-size=1280,900",
            &format!("--user-data-dir={}", profile.display()),
        ] {
            caps.add_arg(arg).unwrap();
        }
        let url = format!("http://127.0.0.1:{}", chromedriver.port);
        let driver = tokio::time::timeout(
            START,
            WebDriver::builder(url, caps).poller(Arc::new(ElementPollerWithTimeout::new(WAIT, POLL))).connect(),
        )
        .await
        .unwrap_or_else(|_| panic!("no Chromium session after {START:?}: {}", chromedriver.log()))
        .unwrap_or_else(|e| panic!("no Chromium session ({CHROMIUM}, Debian package chromium): {e}\n{}", chromedriver.log()));
        Browser { base: base.trim_end_matches('/').to_string(), session: Some(driver), chromedriver }
    }

    /// The WebDriver session, for what the methods here do not do.
    pub fn driver(&self) -> &WebDriver {
        self.session.as_ref().unwrap()
    }

    /// Ends the session and stops Chromium and chromedriver. Dropping the browser does the same,
    /// but blocks a thread while it does.
    pub async fn quit(mut self) {
        self.session.take().unwrap().quit().await.unwrap();
    }

    /// Opens `path` (e.g. `/login`) of the server under test and waits for it to load.
    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.driver().goto(&url).await.unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// The path (and query) of the page shown, e.g. `/orders/42`.
    pub async fn path(&self) -> String {
        let url = self.driver().current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Waits until the page shown is `path` (without its query), e.g. after a form redirects.
    pub async fn wait_path(&self, path: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let url = self.driver().current_url().await.unwrap();
            if url.path() == path {
                return;
            }
            if Instant::now() >= deadline {
                panic!("still at {url} after {WAIT:?}, waiting for {path}\n{}", self.shown().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the focused element (`document.activeElement`) matches `css`, e.g. a station's
    /// scan field once the page a scan brought has settled.
    pub async fn wait_focused(&self, css: &str) {
        let deadline = Instant::now() + WAIT;
        let check = "const e = document.activeElement; return e ? [e.matches(arguments[0]), e.outerHTML.slice(0, 200)] : [false, 'none'];";
        loop {
            let answer = self.driver().execute(check, vec![serde_json::Value::from(css)]).await;
            // The page may be being replaced while the script runs; look again.
            let last = match answer {
                Ok(a) if a.json()[0] == true => return,
                Ok(a) => a.json()[1].as_str().unwrap_or_default().to_string(),
                Err(e) => format!("({e})"),
            };
            if Instant::now() >= deadline {
                panic!("the focused element is not {css:?} after {WAIT:?} but {last}\n{}", self.shown().await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits for an element matching `css`.
    pub async fn wait_for(&self, css: &str) -> WebElement {
        match self.driver().query(By::Css(css)).first().await {
            Ok(e) => e,
            Err(e) => panic!("no element matches {css:?} after {WAIT:?} ({e})\n{}", self.shown().await),
        }
    }

    /// Waits for an element matching `css` whose text contains `text`.
    pub async fn wait_text(&self, css: &str, text: &str) -> WebElement {
        // Errors are ignored while waiting: the element looked at may belong to the page that a
        // form submission is replacing, and be gone by the time its text is read.
        let query = self.driver().query(By::Css(css)).ignore_errors(true).with_text(StringMatch::new(text).partial());
        match query.first().await {
            Ok(e) => e,
            Err(e) => {
                let found = self.texts(css).await;
                panic!(
                    "no element matching {css:?} shows {text:?} after {WAIT:?} ({e}); elements matching it show {found:?}\n{}",
                    self.shown().await
                )
            }
        }
    }

    /// Types `text` into the focused element and presses Enter, as a scanner at a station does.
    pub async fn scan(&self, text: &str) {
        let focused = self.driver().active_element().await.unwrap();
        let tag = focused.tag_name().await.unwrap().to_lowercase();
        // A scan into the page's body goes nowhere: the screen must have put the focus on its
        // scan field itself (`autofocus`), as a station has no one to click into it.
        assert!(
            matches!(tag.as_str(), "input" | "textarea"),
            "nothing to scan {text:?} into: the focused element is <{tag}>\n{}",
            self.shown().await
        );
        focused.send_keys(text.to_string() + Key::Enter).await.unwrap();
    }

    /// Replaces the value of the input named `name` with `value`.
    pub async fn fill(&self, name: &str, value: &str) {
        let input = self.wait_for(&format!("[name={name:?}]")).await;
        input.clear().await.unwrap();
        input.send_keys(value).await.unwrap();
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.unwrap();
    }

    /// Clicks the button (or submit input) labelled `label`, e.g. "Log out".
    pub async fn click_button(&self, label: &str) {
        let css = "button, input[type=submit], input[type=button]";
        let query = self.driver().query(By::Css(css)).ignore_errors(true).with_text(StringMatch::new(label).full());
        let query = query.or(By::Css(css)).with_value(label.to_string());
        match query.first().await {
            Ok(button) => button.click().await.unwrap(),
            Err(e) => {
                panic!("no button {label:?} after {WAIT:?} ({e}); buttons: {:?}\n{}", self.texts(css).await, self.shown().await)
            }
        }
    }

    /// Signs in through the login form, as a person does, and waits for the dashboard.
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.goto("/login").await;
        self.fill("email", email).await;
        self.fill("password", password).await;
        self.click_button("Sign in").await;
        self.wait_path("/").await;
    }

    /// Saves a PNG of the window as `target/ui-screenshots/<flow>.png`; answers its path.
    pub async fn screenshot(&self, flow: &str) -> PathBuf {
        let dir = target_dir().join("ui-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{flow}.png"));
        let png = self.driver().screenshot_as_png().await.unwrap();
        std::fs::write(&file, png).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
        file
    }

    /// Runs axe-core on the page shown; answers the violations of impact `serious` or `critical`.
    pub async fn accessibility_violations(&self) -> Vec<Violation> {
        let loaded = self.driver().execute("return typeof window.axe !== 'undefined';", vec![]).await.unwrap();
        if loaded.json() != &serde_json::Value::Bool(true) {
            // Run as a script element, the way a page would load it, so it sets `window.axe`.
            let inject = "const s = document.createElement('script'); s.textContent = arguments[0]; \
                          document.head.appendChild(s); return typeof window.axe !== 'undefined';";
            let injected = self.driver().execute(inject, vec![serde_json::Value::from(AXE)]).await.unwrap();
            assert_eq!(injected.json(), &serde_json::Value::Bool(true), "axe-core did not load into {}", self.path().await);
        }
        let run = "const done = arguments[arguments.length - 1]; \
                   axe.run(document, {resultTypes: ['violations']}) \
                     .then(r => done({violations: r.violations})) \
                     .catch(e => done({error: String(e)}));";
        let answer = self.driver().execute_async(run, vec![]).await.unwrap();
        let answer = answer.json();
        assert!(answer["error"].is_null(), "axe-core failed on {}: {}", self.path().await, answer["error"]);
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        answer["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| Violation {
                id: text(&v["id"]),
                impact: text(&v["impact"]),
                help: text(&v["help"]),
                help_url: text(&v["helpUrl"]),
                targets: v["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    // A target is a list of selectors, one per frame (and shadow root) on the way.
                    .map(|n| {
                        n["target"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|t| t.as_str().map_or_else(|| t.to_string(), str::to_string))
                            .collect::<Vec<_>>()
                            .join(" >> ")
                    })
                    .collect(),
            })
            .collect()
    }

    /// Fails the test when the page shown (`screen`, for the message) has an accessibility
    /// violation of impact `serious` or `critical`, listing every one.
    pub async fn check_accessibility(&self, screen: &str) {
        let violations = self.accessibility_violations().await;
        if !violations.is_empty() {
            let list: Vec<String> = violations.iter().map(|v| format!("  {v}")).collect();
            panic!(
                "{screen} ({}) has {} serious or critical accessibility violations:\n{}",
                self.path().await,
                violations.len(),
                list.join("\n")
            );
        }
    }

    /// The texts of the elements matching `css`, for failure messages.
    async fn texts(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for e in self.driver().find_all(By::Css(css)).await.unwrap_or_default() {
            texts.push(e.text().await.unwrap_or_default());
        }
        texts
    }

    /// The address and visible text of the page shown, for failure messages.
    async fn shown(&self) -> String {
        let url = self.driver().current_url().await.map(|u| u.to_string()).unwrap_or_default();
        let mut body = match self.driver().find(By::Tag("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(e) => format!("(no body: {e})"),
        };
        if body.len() > 2000 {
            let cut = (0..=2000).rev().find(|i| body.is_char_boundary(*i)).unwrap();
            body.truncate(cut);
            body.push_str(" …");
        }
        format!("the page shown ({url}):\n{body}")
    }
}

/// The workspace's target folder: `CARGO_TARGET_DIR` when set (relative to the workspace), else
/// `target` in the workspace.
pub fn target_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    };
    // Chromium takes only canonical paths for uploads (no `..`).
    std::fs::create_dir_all(&dir).expect("the target directory can be made");
    dir.canonicalize().expect("the target directory has a canonical path")
}
