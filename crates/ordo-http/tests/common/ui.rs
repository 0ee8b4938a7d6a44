//! Driving the operator screens over plain HTTP: a user signed in with a cookie, form posts sent
//! as a browser on the same site sends them, and redirects not followed (tests read them).

use super::TestApp;
use ordo_domain::kinds::Role;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};

/// What a screen answered.
pub struct Answer {
    pub status: u16,
    /// Where a redirect points (`Location`).
    pub location: Option<String>,
    pub content_type: String,
    pub body: String,
    /// The raw `Set-Cookie` header, if any.
    pub set_cookie: Option<String>,
}

/// A browser signed in as one user.
pub struct Browser {
    pub base: String,
    pub http: reqwest::Client,
    /// The session token, sent as the `ordo_session` cookie.
    pub token: Option<String>,
}

/// A client that leaves redirects for the test to read.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn answer(r: reqwest::Response) -> Answer {
    let header = |name| r.headers().get(name).map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_string());
    let (location, set_cookie) = (header(LOCATION), header(SET_COOKIE));
    let content_type = header(CONTENT_TYPE).unwrap_or_default();
    Answer { status: r.status().as_u16(), location, content_type, body: r.text().await.unwrap(), set_cookie }
}

impl TestApp {
    /// A user of `acme` with `role`, made through the app layer; answers the email and password.
    pub async fn user(&self, email: &str, role: Role) -> (String, String) {
        let password = format!("pw-{email}-long-enough");
        self.app.create_user("acme", email, role, Some(&password)).await.unwrap();
        (email.to_string(), password)
    }

    /// A browser with no session yet.
    pub fn browser(&self) -> Browser {
        Browser { base: self.base.clone(), http: no_redirects(), token: None }
    }

    /// A browser signed in as a new `acme` user with `role`.
    pub async fn signed_in(&self, role: Role) -> Browser {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (email, password) = self.user(&format!("{role}{n}@acme.example"), role).await;
        let mut b = self.browser();
        let a = b.login(&email, &password).await;
        assert_eq!((a.status, a.location.as_deref()), (303, Some("/")), "login of {email}: {}", a.body);
        b
    }
}

impl Browser {
    fn with_cookie(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => rb.header(COOKIE, format!("ordo_session={t}")),
            None => rb,
        }
    }

    /// GET `path` with the session cookie.
    pub async fn get(&self, path: &str) -> Answer {
        answer(self.with_cookie(self.http.get(format!("{}{path}", self.base))).send().await.unwrap()).await
    }

    /// GET `path` with the session cookie; answers status, content type and the body's bytes (a PDF).
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let r = self.with_cookie(self.http.get(format!("{}{path}", self.base))).send().await.unwrap();
        let ty = r.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (r.status().as_u16(), ty, r.bytes().await.unwrap().to_vec())
    }

    /// A form post to `path` as a browser on this site sends it (`Origin` and `Sec-Fetch-Site`).
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let rb = self
            .http
            .post(format!("{}{path}", self.base))
            .header(ORIGIN, &self.base)
            .header("sec-fetch-site", "same-origin")
            .form(form);
        answer(self.with_cookie(rb).send().await.unwrap()).await
    }

    /// A `multipart/form-data` post to `path`, as a browser sends a form with a file input: each
    /// part is `(name, file name, content)`, the file name `None` for a plain field.
    pub async fn post_multipart(&self, path: &str, parts: &[(&str, Option<&str>, &str)]) -> Answer {
        let boundary = "----ordo-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = String::new();
        for (name, file, content) in parts {
            body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""));
            match file {
                Some(f) => body.push_str(&format!("; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n")),
                None => body.push_str("\r\n\r\n"),
            }
            body.push_str(content);
            body.push_str("\r\n");
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let rb = self
            .http
            .post(format!("{}{path}", self.base))
            .header(ORIGIN, &self.base)
            .header("sec-fetch-site", "same-origin")
            .header(CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(body);
        answer(self.with_cookie(rb).send().await.unwrap()).await
    }

    /// Posts the login form; a session cookie in the answer is kept.
    pub async fn login(&mut self, email: &str, password: &str) -> Answer {
        let a = self.post("/login", &[("email", email), ("password", password)]).await;
        if let Some(cookie) = &a.set_cookie
            && let Some(token) = cookie.strip_prefix("ordo_session=").and_then(|r| r.split(';').next())
            && !token.is_empty()
        {
            self.token = Some(token.to_string());
        }
        a
    }

    /// GET `path` and follow one redirect (an action's post/redirect/get, a search's match).
    pub async fn follow(&self, a: &Answer) -> Answer {
        let to = a.location.as_deref().unwrap_or_else(|| panic!("expected a redirect, got {}: {}", a.status, a.body));
        self.get(to).await
    }
}

/// The text of `html` without tags and with runs of white space made one space, to assert what a
/// person reads.
pub fn text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    // Askama writes `<` and `>` as numeric references.
    let out = out.replace("&#60;", "&lt;").replace("&#62;", "&gt;");
    let out = out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl TestApp {
    /// A caller of `acme` with `role`, for use cases a test calls on the app directly.
    pub async fn caller(&self, role: Role) -> ordo_app::Caller {
        let key = self.key("acme", role).await;
        ordo_app::Caller { principal: self.app.authenticate(&key).await.unwrap().unwrap(), idempotency: None }
    }
}
