//! Building the application (database, services, router) and serving it until shutdown.

use axum::Router;
use axum::extract::{Request, State};
use axum::response::IntoResponse;
use axum::routing::get;
use http::{StatusCode, header};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use roster_app::{App, AppState, shell};
use roster_core::{Clock, Services, SessionPolicy, SystemClock};
use roster_store::Db;
use std::net::SocketAddr;
use std::sync::Arc;

use crate::config::Config;
use crate::context::{self, SetupDone};
use crate::metrics::{self, Metrics};

/// What the request middleware needs.
#[derive(Clone, Debug)]
pub struct ServerState {
    pub app: AppState,
    pub metrics: Metrics,
    pub setup_done: SetupDone,
    pub trusted_proxies: crate::proxies::TrustedProxies,
}

/// Options beyond the configuration (used by `roster demo` and tests).
#[derive(Default)]
pub struct BuildOptions {
    /// A clock other than the system's (tests).
    pub clock: Option<Arc<dyn Clock>>,
    /// The demo help panel.
    pub demo: Option<roster_app::DemoInfo>,
}

/// A built application, ready to serve.
pub struct Application {
    pub router: Router,
    pub services: Services,
    pub db: Db,
}

const STYLESHEET: &str = include_str!("../../style/roster.css");

/// Connects to the database, applies migrations and builds the router.
pub async fn build(config: &Config, options: BuildOptions) -> anyhow::Result<Application> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let clock = options.clock.unwrap_or_else(|| Arc::new(SystemClock));
    let metrics = Metrics::default();
    let observer: Arc<dyn roster_graph::Observe> = Arc::new(metrics.clone());
    let interactive = graph_client(
        config,
        clock.clone(),
        observer.clone(),
        roster_graph::Profile::Interactive,
    )?;
    let background = graph_client(
        config,
        clock.clone(),
        observer,
        roster_graph::Profile::Background,
    )?;
    let services = Services::new(db.clone(), clock, SessionPolicy::default())
        .with_keyring(config.keyring())
        .with_graph(interactive)
        .with_background_graph(background)
        .with_sync_metrics(Arc::new(metrics.clone()));
    let leptos_options = LeptosOptions::builder()
        .output_name("roster")
        .site_addr(config.listen)
        .build();
    let app_state = AppState {
        leptos_options,
        services: services.clone(),
        secure_cookies: config.secure_cookies(),
        public_url: config.public_url.clone(),
        demo: options.demo,
    };
    let server_state = ServerState {
        app: app_state.clone(),
        metrics: metrics.clone(),
        setup_done: SetupDone::default(),
        trusted_proxies: config.trusted_proxies.clone(),
    };

    let routes = generate_route_list(App);
    let ctx_state = app_state.clone();
    let provide = move || provide_context(ctx_state.clone());
    let fallback_state = app_state.clone();
    let fallback_options = app_state.leptos_options.clone();
    let fallback = leptos_axum::render_app_async_with_context(
        move || provide_context(fallback_state.clone()),
        move || shell(fallback_options.clone()),
    );
    let shell_options = app_state.leptos_options.clone();
    let pages = Router::new()
        .leptos_routes_with_context(&app_state, routes, provide, move || {
            shell(shell_options.clone())
        })
        .fallback(move |req: Request| fallback(req))
        .with_state(app_state);

    let ops = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(db.clone())
        .merge(
            Router::new()
                .route("/metrics", get(metrics::endpoint))
                .with_state(metrics.clone()),
        )
        .route("/style/roster.css", get(stylesheet))
        .route("/assets/progress.js", get(progress_script))
        .route("/favicon.ico", get(favicon));

    let router = pages
        .layer(axum::middleware::from_fn_with_state(
            server_state,
            context::middleware,
        ))
        .merge(ops)
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            metrics::track,
        ))
        .layer(axum::middleware::from_fn(context::security_headers));

    Ok(Application {
        router,
        services,
        db,
    })
}

/// The client for Microsoft in one of its profiles: interactive (a connection check answers
/// within seconds, long throttling waits are reported to the person) or background (syncs wait
/// out throttling). Both read the same clock as the use-cases (token expiry, `Retry-After` dates).
pub fn graph_client(
    config: &Config,
    clock: Arc<dyn Clock>,
    observer: Arc<dyn roster_graph::Observe>,
    profile: roster_graph::Profile,
) -> anyhow::Result<roster_graph::GraphClient> {
    let mut graph = roster_graph::GraphConfig::with_bases(&config.login_url, &config.graph_url)
        .map_err(|e| anyhow::anyhow!("ROSTER_LOGIN_URL / ROSTER_GRAPH_URL: {e}"))?;
    graph.clock = clock;
    graph.observer = observer;
    Ok(roster_graph::GraphClient::new(graph.profile(profile))?)
}

async fn readyz(State(db): State<Db>) -> impl IntoResponse {
    match db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn favicon() -> impl IntoResponse {
    static ICON: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON.get_or_init(crate::favicon::ico).clone(),
    )
}

/// The small script that keeps a running sync's page current (pages work without it).
async fn progress_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../assets/progress.js"),
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        STYLESHEET,
    )
}

/// Serves `router` on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

/// Every hour, on one instance of the cluster (whichever holds the `housekeeping` lease): deletes
/// ended sessions, spent sign-in throttles and expired wizard drafts.
#[expect(
    clippy::disallowed_methods,
    reason = "the composition root paces housekeeping; what it purges is judged by the services' clock"
)]
pub fn spawn_housekeeping(services: Services) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        let instance = format!("instance-{}", uuid::Uuid::new_v4().simple());
        loop {
            every.tick().await;
            match services.housekeeping(&instance).await {
                Ok(Some(done)) => tracing::info!(
                    sessions = done.sessions,
                    throttles = done.throttles,
                    drafts = done.drafts,
                    "housekeeping done"
                ),
                Ok(None) => tracing::debug!("housekeeping runs on another instance this hour"),
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
        }
    });
}

/// This instance's sync workers (`count` of them, each running one sync at a time) and its
/// scheduler tick. Workers start at once when a run is queued on this instance, and look for runs
/// queued elsewhere (other instances, the schedule) every few seconds.
#[expect(
    clippy::disallowed_methods,
    reason = "the composition root paces the workers; what is due is judged by the services' clock"
)]
pub fn spawn_sync_workers(services: Services, count: usize) {
    let instance = format!("instance-{}", uuid::Uuid::new_v4().simple());
    for n in 0..count {
        let services = services.clone();
        let worker = format!("{instance}/worker-{n}");
        tokio::spawn(async move {
            let ready = services.jobs_ready();
            loop {
                match services.work_once(&worker).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => {}
                    Err(e) => tracing::warn!(worker, error = %e, "sync worker step failed"),
                }
                let _ =
                    tokio::time::timeout(std::time::Duration::from_secs(5), ready.notified()).await;
            }
        });
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
        loop {
            every.tick().await;
            match services.schedule_due(&instance).await {
                Ok(Some(n)) if n > 0 => tracing::info!(queued = n, "scheduled syncs queued"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sync scheduler tick failed"),
            }
        }
    });
}
