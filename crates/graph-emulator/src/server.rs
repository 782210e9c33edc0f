//! Starting and stopping the emulator: the builder, the accept loop (plain or TLS), the
//! request-id and logging middleware, and connection resets.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get, post};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tower::ServiceExt as _;
use uuid::Uuid;

use crate::clock::{Clock, SystemClock};
use crate::scenario::{Scenario, ScenarioError};
use crate::state::{EmulatorHandle, LogEntry, Shared};
use crate::tls::TlsConfig;

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The scenario is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
    /// TLS could not be set up.
    #[error("TLS setup failed: {0}")]
    Tls(String),
}

/// Which tenant and application a request concerned (for the request log).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tag {
    pub tenant: Option<Uuid>,
    pub client_id: Option<Uuid>,
}

/// Marks a response whose connection must be dropped instead of answered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResetConnection;

/// The ids of the current request.
#[derive(Debug, Clone)]
pub(crate) struct RequestIds {
    pub request_id: String,
    pub client_request_id: String,
}

/// Configures and starts an emulator.
#[derive(Debug)]
pub struct EmulatorBuilder {
    scenario: Scenario,
    clock: Arc<dyn Clock>,
    key: Option<[u8; 32]>,
    tls: Option<TlsConfig>,
    public_url: Option<String>,
}

/// Entry point of the library.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with an empty scenario and the system clock.
    #[must_use]
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            scenario: Scenario::default(),
            clock: Arc::new(SystemClock),
            key: None,
            tls: None,
            public_url: None,
        }
    }
}

impl EmulatorBuilder {
    /// The tenants and settings to start with.
    #[must_use]
    pub fn scenario(mut self, scenario: Scenario) -> Self {
        self.scenario = scenario;
        self
    }

    /// The clock (default: the system clock). Tests pass a [`crate::ManualClock`].
    #[must_use]
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The token signing key (default: random).
    #[must_use]
    pub fn signing_key(mut self, key: [u8; 32]) -> Self {
        self.key = Some(key);
        self
    }

    /// Serve HTTPS.
    #[must_use]
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// The base URL put into links, when clients reach the emulator by another name.
    #[must_use]
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Builds the tenants, binds `addr` (port 0 picks a free port) and starts serving.
    ///
    /// # Errors
    /// When the scenario is invalid, the address cannot be bound, or TLS cannot be set up.
    pub async fn start(self, addr: &str) -> Result<RunningEmulator, StartError> {
        let now = self.clock.now();
        let tenants = self.scenario.build(now)?;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: addr.to_owned(),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| StartError::Bind {
            addr: addr.to_owned(),
            source,
        })?;
        let acceptor = match &self.tls {
            Some(t) => Some(t.acceptor().map_err(StartError::Tls)?),
            None => None,
        };
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        let host = if local.ip().is_unspecified() {
            SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), local.port())
        } else {
            local
        };
        let base_url = self
            .public_url
            .unwrap_or_else(|| format!("{scheme}://{host}"));
        let key = self.key.unwrap_or_else(|| {
            let a = Uuid::new_v4();
            let b = Uuid::new_v4();
            let mut k = [0_u8; 32];
            k[..16].copy_from_slice(a.as_bytes());
            k[16..].copy_from_slice(b.as_bytes());
            k
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared::new(
            tenants,
            self.scenario.settings.clone(),
            self.clock,
            key,
            base_url.clone(),
            stop_rx.clone(),
            self.scenario.seed,
        ));
        let router = router(shared.clone());
        let task = tokio::spawn(accept_loop(listener, acceptor, router, stop_rx));
        Ok(RunningEmulator {
            base_url,
            addr: local,
            handle: EmulatorHandle { shared },
            stop: stop_tx,
            task: Some(task),
        })
    }
}

/// A started emulator. Dropping it stops the server too.
#[derive(Debug)]
pub struct RunningEmulator {
    base_url: String,
    addr: SocketAddr,
    handle: EmulatorHandle,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT` (or `https://…`), without a trailing slash.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The login authority base: `{base_url}`; the token endpoint is `{login_url}/{tenant}/oauth2/v2.0/token`.
    #[must_use]
    pub fn login_url(&self) -> String {
        self.base_url.clone()
    }

    /// The Graph base: `{base_url}/v1.0`.
    #[must_use]
    pub fn graph_url(&self) -> String {
        format!("{}/v1.0", self.base_url)
    }

    /// The token endpoint of a tenant (id or domain).
    #[must_use]
    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.base_url)
    }

    /// The bound socket address.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The control handle (same operations as the admin API).
    #[must_use]
    pub fn handle(&self) -> &EmulatorHandle {
        &self.handle
    }

    /// Stops accepting, ends hung requests, and waits for open connections to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves until the emulator is shut down from elsewhere (for the binary).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(crate::token::token))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(crate::token::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(crate::token::keys))
        .route("/v1.0/{*path}", any(crate::graph::entry))
        .route(
            "/data/download/{token}",
            get(crate::graph::reports::download),
        )
        .nest("/_emulator", crate::admin::router())
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            request_context,
        ))
        .with_state(shared)
}

async fn request_context(
    State(shared): State<Arc<Shared>>,
    mut req: Request,
    next: Next,
) -> Response {
    let at = shared.now();
    let request_id = Uuid::new_v4().to_string();
    let client_request_id = req
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 200)
        .map_or_else(|| request_id.clone(), ToOwned::to_owned);
    let method = req.method().to_string();
    let uri = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().to_string(), ToString::to_string);
    let admin = req.uri().path().starts_with("/_emulator");
    req.extensions_mut().insert(RequestIds {
        request_id: request_id.clone(),
        client_request_id: client_request_id.clone(),
    });
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&client_request_id) {
        h.insert("client-request-id", v);
    }
    h.insert(
        "x-ms-ags-diagnostic",
        HeaderValue::from_static(r#"{"ServerInfo":{"DataCenter":"Emulator","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"roster-graph-emulator"}}"#),
    );
    h.insert(
        "strict-transport-security",
        HeaderValue::from_static("max-age=31536000"),
    );
    if !admin {
        let tag = resp.extensions().get::<Tag>().copied().unwrap_or_default();
        let reset = resp.extensions().get::<ResetConnection>().is_some();
        shared.record(LogEntry {
            at,
            method,
            uri,
            status: if reset { 0 } else { resp.status().as_u16() },
            tenant: tag.tenant,
            client_id: tag.client_id,
            request_id,
            client_request_id,
        });
    }
    resp
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            () = async { let _ = stop.wait_for(|v| *v).await; } => break,
        };
        let Ok((stream, _peer)) = accepted else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let tls = tls.clone();
        let stop = stop.clone();
        connections.spawn(async move {
            // A second handle on the socket lets a reset fault abort it with an RST.
            let Ok(std_stream) = stream.into_std() else {
                return;
            };
            let spare = std_stream.try_clone().ok();
            let Ok(stream) = tokio::net::TcpStream::from_std(std_stream) else {
                return;
            };
            match tls {
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
                            .await;
                    if let Ok(Ok(s)) = handshake {
                        serve_connection(s, router, stop, spare).await;
                    }
                }
                None => serve_connection(stream, router, stop, spare).await,
            }
        });
        // Reap finished connection tasks.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .is_err()
    {
        connections.abort_all();
    }
}

async fn serve_connection<S>(
    io: S,
    router: Router,
    mut stop: watch::Receiver<bool>,
    spare: Option<std::net::TcpStream>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let kill = Arc::new(Notify::new());
    let kill_in = kill.clone();
    let svc = tower::service_fn(move |req: Request<hyper::body::Incoming>| {
        let router = router.clone();
        let kill = kill_in.clone();
        async move {
            let resp = router.oneshot(req.map(axum::body::Body::new)).await;
            if let Ok(r) = &resp
                && r.extensions().get::<ResetConnection>().is_some()
            {
                kill.notify_one();
                std::future::pending::<()>().await;
            }
            resp
        }
    });
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let conn =
        builder.serve_connection_with_upgrades(TokioIo::new(io), TowerToHyperService::new(svc));
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = kill.notified() => {
            if let Some(s) = &spare {
                let _ = socket2::SockRef::from(s).set_linger(Some(Duration::ZERO));
            }
        }
        () = async { let _ = stop.wait_for(|v| *v).await; } => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(5), conn.as_mut()).await;
        }
    }
}
