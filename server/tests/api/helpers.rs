//! `TestApp`: starts Roster on port 0 with a fresh database and a controllable clock (shared with
//! the emulated Microsoft cloud when there is one); `Browser`: one cookie jar.

use roster_server::config::RawSettings;
use roster_server::startup::{self, BuildOptions};
use roster_testkit::{TestClock, TestDb};
use scraper::{Html, Selector};
use std::sync::Arc;

pub const OWNER_EMAIL: &str = "owner@acme.test";
pub const OWNER_PASSWORD: &str = "owner password 123";

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    /// The one time source of this test: Roster, its Graph client and the emulator read it.
    pub clock: TestClock,
    pub data_dir: std::path::PathBuf,
    pub emulator: Option<roster_graph_emulator::RunningEmulator>,
    /// The running server's own use-cases (with its Microsoft client), for its sync worker.
    app_services: roster_core::Services,
    _dir: tempfile::TempDir,
}

/// A customer tenant of the test emulator, as the wizard needs it.
#[derive(Clone, Debug)]
pub struct Customer {
    pub tenant_id: String,
    pub domain: String,
    pub client_id: String,
    pub secret: String,
    pub secret_id: String,
    pub expires_on: String,
}

/// One browser: its own cookies, no automatic redirects (tests look at them).
pub struct Browser {
    pub base: String,
    client: reqwest::Client,
}

/// A response as a test needs it.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub header_operation_id: Option<String>,
    pub html: String,
}

impl Page {
    pub fn doc(&self) -> Html {
        Html::parse_document(&self.html)
    }

    /// Texts of every element matching `css`.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let sel = Selector::parse(css).expect("selector");
        self.doc()
            .select(&sel)
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .collect()
    }

    /// The `attr` attribute of every element matching `css`.
    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        let sel = Selector::parse(css).expect("selector");
        self.doc()
            .select(&sel)
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect()
    }

    /// The value attribute of the input with this id.
    pub fn input_value(&self, id: &str) -> Option<String> {
        let sel = Selector::parse(&format!("#{id}")).expect("selector");
        self.doc()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr("value").map(str::to_owned))
    }

    pub fn contains(&self, text: &str) -> bool {
        self.html.contains(text)
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let db = TestDb::fresh().await.expect("test database");
        Self::spawn_with(db, &[]).await
    }

    /// Roster with an emulated Microsoft cloud holding the demo mix of customer tenants:
    /// 0 with Entra ID P1, 1 without P1, 2 with a secret about to expire, 3 Delegated-only.
    /// The emulator runs on the app's clock, so "expires in 5 days" means the same to both.
    pub async fn spawn_with_microsoft() -> TestApp {
        let clock = TestClock::new();
        let emulator =
            roster_testkit::start_emulator(roster_graph_emulator::Scenario::demo(25, 11), &clock)
                .await
                .expect("emulator");
        let base = emulator.base_url().trim_end_matches('/').to_owned();
        let db = TestDb::fresh().await.expect("test database");
        let mut app = Self::spawn_on(
            db,
            &[("ROSTER_LOGIN_URL", &base), ("ROSTER_GRAPH_URL", &base)],
            clock,
        )
        .await;
        app.emulator = Some(emulator);
        app
    }

    /// The emulator's handle (only with `spawn_with_microsoft`).
    pub fn microsoft(&self) -> roster_graph_emulator::EmulatorHandle {
        self.emulator
            .as_ref()
            .expect("started with Microsoft")
            .handle()
            .clone()
    }

    /// The credentials of the emulator's customer tenant number `i`.
    pub fn customer(&self, i: usize) -> Customer {
        let t = self.microsoft().credentials().remove(i);
        let app = t.apps.first().expect("an app").clone();
        let secret = app.secrets.last().expect("a secret").clone();
        Customer {
            tenant_id: t.tenant_id.to_string(),
            domain: t.domains.first().cloned().unwrap_or_default(),
            client_id: app.client_id.to_string(),
            secret: secret.value,
            secret_id: secret.key_id.to_string(),
            expires_on: secret
                .expires
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date()
                .to_string(),
        }
    }

    /// Starts a second server on the same database and data directory (as after a restart) and
    /// returns a browser for it.
    pub async fn restart(&self) -> Browser {
        let mut raw = RawSettings::default();
        raw.values
            .insert("ROSTER_DATA_DIR", self.data_dir.display().to_string());
        raw.values
            .insert("ROSTER_DATABASE_URL", self.db.url.clone());
        if let Some(e) = &self.emulator {
            let base = e.base_url().trim_end_matches('/').to_owned();
            raw.values.insert("ROSTER_LOGIN_URL", base.clone());
            raw.values.insert("ROSTER_GRAPH_URL", base);
        }
        let config = raw.resolve().expect("config");
        Browser::new(serve(&config, &self.clock).await.0)
    }

    pub async fn spawn_with(db: TestDb, extra: &[(&'static str, &str)]) -> TestApp {
        Self::spawn_on(db, extra, TestClock::new()).await
    }

    /// Roster on `db` with the settings `extra`, reading `clock`.
    pub async fn spawn_on(db: TestDb, extra: &[(&'static str, &str)], clock: TestClock) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut raw = RawSettings::default();
        raw.values
            .insert("ROSTER_DATA_DIR", dir.path().display().to_string());
        raw.values.insert("ROSTER_DATABASE_URL", db.url.clone());
        raw.values.insert("ROSTER_LISTEN", "127.0.0.1:0".into());
        for (k, v) in extra {
            raw.values.insert(k, (*v).to_owned());
        }
        let config = raw.resolve().expect("config");
        let (base, app_services) = serve(&config, &clock).await;
        TestApp {
            base,
            app_services,
            db,
            clock,
            data_dir: dir.path().to_path_buf(),
            emulator: None,
            _dir: dir,
        }
    }

    pub fn browser(&self) -> Browser {
        Browser::new(self.base.clone())
    }

    /// A browser whose every request carries `headers` (as a reverse proxy would add them).
    pub fn browser_with(&self, headers: &[(&'static str, &str)]) -> Browser {
        let mut map = reqwest::header::HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().expect("header value"));
        }
        Browser {
            base: self.base.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .default_headers(map)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    /// Carries out every queued sync run, as the server's sync workers would (the test server
    /// starts none, so each test decides when runs happen); returns how many ran.
    pub async fn settle(&self) -> usize {
        self.app_services
            .run_queued("test-worker")
            .await
            .expect("queued runs carried out")
            .len()
    }

    /// The use-cases on this app's database, for arranging what a test needs outside the UI.
    pub fn services(&self) -> roster_core::Services {
        roster_core::Services::new(
            self.db.db.clone(),
            Arc::new(self.clock.clone()),
            roster_core::SessionPolicy::default(),
        )
    }

    /// The principal of a login, obtained as the app obtains one: by signing in and resolving the
    /// session (the store hands principals out for sessions only).
    pub async fn principal_of(&self, email: &str, password: &str) -> roster_store::Principal {
        let services = self.services();
        let started = services
            .login(email, password, "192.0.2.1")
            .await
            .expect("sign-in");
        services
            .resolve_session(&started.token)
            .await
            .expect("session")
            .and_then(|s| s.principal)
            .expect("a workspace")
    }

    /// The workspace owner's principal (after `with_owner`).
    pub async fn owner_principal(&self) -> roster_store::Principal {
        self.principal_of(OWNER_EMAIL, OWNER_PASSWORD).await
    }

    /// The enabled memberships of the login with this e-mail (facts only).
    pub async fn memberships_of(&self, email: &str) -> Vec<roster_store::Membership> {
        let user = self
            .db
            .db
            .login_user(email)
            .await
            .expect("query")
            .expect("login");
        self.db
            .db
            .memberships(roster_domain::UserId::from_uuid(user.id))
            .await
            .expect("query")
    }

    /// A second workspace, "Beta MSP", whose owner is signed in on the returned browser.
    pub async fn other_workspace(&self) -> Browser {
        self.services()
            .create_admin(
                "bob@beta.test",
                "Bob",
                "beta owner password",
                Some("Beta MSP"),
            )
            .await
            .expect("second workspace");
        let bob = self.browser();
        let r = bob.login("bob@beta.test", "beta owner password").await;
        assert_eq!(r.location.as_deref(), Some("/"));
        bob
    }

    /// Runs setup through the form and returns the owner's signed-in browser.
    pub async fn with_owner(&self) -> Browser {
        let b = self.browser();
        let r = b
            .submit(
                "/setup",
                "/api/setup",
                &[
                    ("workspace_name", "Acme IT"),
                    ("name", "Olive Owner"),
                    ("email", OWNER_EMAIL),
                    ("password", OWNER_PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/"), "setup failed: {r:?}");
        b
    }

    /// Adds a member as `by` and has them set a password; returns their signed-in browser.
    pub async fn member(&self, by: &Browser, email: &str, role: &str) -> Browser {
        let r = by
            .submit(
                "/settings/members",
                "/api/add_member",
                &[("name", "Some Body"), ("email", email), ("role", role)],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/settings/members"));
        let page = by.get("/settings/members").await;
        let link = page
            .texts(".reveal code")
            .into_iter()
            .next()
            .expect("set-password link shown");
        let path = link.trim_start_matches(&self.base).to_owned();
        let token = path.split("token=").nth(1).expect("token").to_owned();
        let b = self.browser();
        let r = b
            .submit(
                &path,
                "/api/set_password",
                &[
                    ("token", &token),
                    ("password", "member password 1"),
                    ("confirm", "member password 1"),
                ],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/login"), "{r:?}");
        b.login(email, "member password 1").await;
        b
    }
}

/// Builds the application for `config` and serves it on a new port; returns its base URL.
async fn serve(
    config: &roster_server::config::Config,
    clock: &TestClock,
) -> (String, roster_core::Services) {
    let app = startup::build(
        config,
        BuildOptions {
            clock: Some(Arc::new(clock.clone())),
            demo: None,
        },
    )
    .await
    .expect("build");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(startup::serve(
        listener,
        app.router,
        std::future::pending::<()>(),
    ));
    (base, app.services)
}

impl Browser {
    fn new(base: String) -> Self {
        Browser {
            base,
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("GET");
        to_page(r).await
    }

    /// Posts raw fields with this origin (no CSRF token added).
    pub async fn post_raw(
        &self,
        path: &str,
        origin: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Page {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .form(fields);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        to_page(req.send().await.expect("POST")).await
    }

    /// Posts a `multipart/form-data` body (fields, then one file) with this site's origin.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, Vec<u8>),
    ) -> Page {
        let boundary = "roster-test-boundary-7d3f";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: text/csv\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(&file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .header("origin", &self.base)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("POST");
        to_page(r).await
    }

    /// The CSRF token the page at `path` puts in its forms.
    pub async fn csrf(&self, path: &str) -> String {
        let page = self.get(path).await;
        let sel = Selector::parse("input[name=csrf]").expect("selector");
        page.doc()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr("value").map(str::to_owned))
            .unwrap_or_else(|| panic!("no CSRF field on {path}: {}", page.html))
    }

    /// Loads `page` like a browser, then posts its form to `action` with the given fields.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf(page).await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", &token)];
        all.extend_from_slice(fields);
        let origin = self.base.clone();
        self.post_raw(action, Some(&origin), &all).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Page {
        self.submit(
            "/login",
            "/api/login",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

async fn to_page(r: reqwest::Response) -> Page {
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let set_cookies = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let header_operation_id = r
        .headers()
        .get("x-operation-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let html = r.text().await.unwrap_or_default();
    Page {
        header_operation_id,
        status,
        location,
        set_cookies,
        html,
    }
}

/// Everything the process logs at debug level and above, for tests that look for leaked secrets.
pub fn captured_logs() -> String {
    use std::sync::{Mutex, OnceLock};
    static LOGS: OnceLock<std::sync::Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    let buf = LOGS.get_or_init(|| {
        let buf = std::sync::Arc::new(Mutex::new(Vec::new()));
        let writer = buf.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(move || LogWriter(writer.clone()))
            .try_init();
        buf
    });
    String::from_utf8_lossy(&buf.lock().expect("log buffer")).into_owned()
}

struct LogWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(data);
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
