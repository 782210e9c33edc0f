//! Health, readiness, metrics, static style, 404 and error pages.

use crate::helpers::TestApp;

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    let b = app.browser();
    let h = b.get("/healthz").await;
    assert_eq!((h.status, h.html.as_str()), (200, "ok"));
    let r = b.get("/readyz").await;
    assert_eq!((r.status, r.html.as_str()), (200, "ready"));
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    let b = app.browser();
    b.get("/setup").await;
    b.get("/setup").await;
    let m = b.get("/metrics").await;
    assert_eq!(m.status, 200);
    assert!(
        m.contains("roster_http_requests_total{method=\"GET\",route=\"/setup\",status=\"200\"} 2"),
        "{}",
        m.html
    );
    assert!(
        m.contains("roster_http_request_duration_seconds_bucket{route=\"/setup\",le=\"+Inf\"} 2")
    );
}

#[tokio::test]
async fn the_stylesheet_is_served() {
    let app = TestApp::spawn().await;
    let css = app.browser().get("/style/roster.css").await;
    assert_eq!(css.status, 200);
    assert!(css.contains("font-family"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_the_navigation() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let p = owner.get("/no/such/page").await;
    assert_eq!(p.status, 404);
    assert!(p.contains("Page not found"));
    assert!(p.texts("nav a").contains(&"Dashboard".to_owned()));
}

#[tokio::test]
async fn every_main_page_renders_with_its_navigation_and_an_empty_state() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    for (path, heading) in [
        ("/", "Dashboard"),
        ("/organizations", "Organizations"),
        ("/tenants", "Tenants"),
        ("/contacts", "Contacts"),
        ("/review", "Review"),
        ("/review/contacts", "Review"),
        ("/sync-log", "Sync log"),
        ("/settings", "Settings"),
    ] {
        let p = owner.get(path).await;
        assert_eq!(p.status, 200, "{path}");
        assert_eq!(p.texts("h1"), vec![heading.to_owned()], "{path}");
        assert_eq!(
            p.texts("nav[aria-label=Main] a[aria-current=page]"),
            vec![heading.to_owned()],
            "{path}"
        );
        let links = p.texts("nav a");
        for l in [
            "Dashboard",
            "Organizations",
            "Tenants",
            "Contacts",
            "Review",
            "Sync log",
            "Settings",
        ] {
            assert!(links.contains(&l.to_owned()), "{path} lacks {l}");
        }
    }
}

#[tokio::test]
async fn an_oversized_form_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    let token = owner.csrf("/settings/members").await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let r = owner
        .post_raw(
            "/api/add_member",
            Some(&app.base),
            &[
                ("csrf", &token),
                ("name", &huge),
                ("email", "big@acme.test"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(r.status, 413);
    assert!(
        app.db
            .db
            .login_user("big@acme.test")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_database_failure_shows_an_operation_id_that_is_also_in_the_response_header() {
    let app = TestApp::spawn().await;
    let owner = app.with_owner().await;
    // Break the database under the running server: the sessions table disappears.
    match &app.db.db {
        roster_store::Db::Sqlite(pool) => sqlx::query("DROP TABLE sessions")
            .execute(pool)
            .await
            .map(|_| ()),
        roster_store::Db::Postgres(pool) => sqlx::query("DROP TABLE sessions")
            .execute(pool)
            .await
            .map(|_| ()),
    }
    .unwrap();
    let p = owner.get("/settings/members").await;
    assert_eq!(p.status, 503);
    assert!(p.html.contains("Operation id: "));
    let id = p.html.rsplit("Operation id: ").next().unwrap().trim();
    assert_eq!(id.len(), 16);
    assert_eq!(p.header_operation_id.as_deref(), Some(id));
}

#[tokio::test]
async fn there_is_a_favicon_and_pages_carry_no_inline_scripts() {
    let app = TestApp::spawn().await;
    let icon = reqwest::get(format!("{}/favicon.ico", app.base))
        .await
        .expect("GET");
    assert_eq!(icon.status(), 200);
    assert_eq!(
        icon.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/x-icon")
    );
    let bytes = icon.bytes().await.expect("body");
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
    let owner = app.with_owner().await;
    for path in [
        "/",
        "/organizations",
        "/tenants",
        "/settings/members",
        "/settings/audit",
        "/no-such-page",
    ] {
        let page = owner.get(path).await;
        assert!(
            page.html.trim_end().ends_with("</html>"),
            "{path}: {}",
            &page.html[page.html.len().saturating_sub(200)..]
        );
        assert!(!page.html.contains("<script"), "{path} has a script");
        assert!(
            page.html
                .contains("<link rel=\"icon\" href=\"/favicon.ico\">"),
            "{path}"
        );
    }
    let login = app.browser().get("/login").await;
    assert!(!login.html.contains("<script"));
}
