//! Throttling arithmetic: resource units, budgets, Retry-After.

use jiff::Timestamp;
use reqwest::StatusCode;
use roster_graph_emulator::model::SizeClass;
use roster_graph_emulator::throttle::{Cost, Throttle, ThrottleConfig, Verdict, budget};
use roster_graph_emulator::{Scenario, Settings};
use uuid::Uuid;

use crate::graph_error_snapshot;
use crate::helpers::{TestEmu, one_tenant};

#[test]
fn costs_follow_the_published_modifiers() {
    let c = |base, select, expand, small_top| {
        Cost {
            base,
            select,
            expand,
            small_top,
        }
        .units()
    };
    assert_eq!(c(2, false, false, false), 2);
    assert_eq!(c(2, true, false, false), 1);
    assert_eq!(c(5, true, true, true), 4);
    assert_eq!(c(1, true, false, true), 1, "never below one");
    assert_eq!(budget(SizeClass::Small), 3500.0);
    assert_eq!(budget(SizeClass::Medium), 5000.0);
    assert_eq!(budget(SizeClass::Large), 8000.0);
}

#[test]
fn an_empty_bucket_refuses_and_refills_at_a_tenth_of_the_budget_per_second() {
    let mut th = Throttle::default();
    let cfg = ThrottleConfig {
        ru_budget: Some(10.0),
        ..ThrottleConfig::default()
    };
    let (app, tenant) = (Uuid::nil(), Uuid::max());
    let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let cost = Cost {
        base: 2,
        select: false,
        expand: false,
        small_top: false,
    };
    for _ in 0..5 {
        assert!(matches!(
            th.charge(&cfg, app, tenant, SizeClass::Small, cost, t0),
            Verdict::Allowed { units: 2, .. }
        ));
    }
    // Empty: refused, charged anyway (down to -2), so 4 s at 1 RU/s until 2 RU are back.
    let Verdict::Throttled { retry_after, .. } =
        th.charge(&cfg, app, tenant, SizeClass::Small, cost, t0)
    else {
        panic!()
    };
    assert!((retry_after - 4.0).abs() < 1e-9, "{retry_after}");
    // Retrying early prolongs it: at 3.9 s the bucket holds 1.9, refused again, now at -0.1.
    let t1 = t0 + jiff::SignedDuration::from_millis(3900);
    let Verdict::Throttled { retry_after, .. } =
        th.charge(&cfg, app, tenant, SizeClass::Small, cost, t1)
    else {
        panic!()
    };
    assert!((retry_after - 2.1).abs() < 1e-9, "{retry_after}");
    let t2 = t1 + jiff::SignedDuration::from_millis(2100);
    assert!(matches!(
        th.charge(&cfg, app, tenant, SizeClass::Small, cost, t2),
        Verdict::Allowed { .. }
    ));
}

#[tokio::test]
async fn a_tight_budget_answers_429_with_retry_after_over_http() {
    let mut s = one_tenant(3);
    s.settings = Settings {
        throttling: ThrottleConfig {
            ru_budget: Some(10.0),
            ..ThrottleConfig::default()
        },
        ..Settings::default()
    };
    let t = TestEmu::start(s).await;
    let token = t.token(0).await;
    for _ in 0..5 {
        let (status, h, _) = t.get_with(&token, "users", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h["x-ms-resource-unit"], "2");
    }
    let (status, h, body) = t.get_with(&token, "users", &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h["retry-after"], "4");
    assert_eq!(h["x-ms-throttle-information"], "ResourceUnitLimitExceeded");
    assert_eq!(body["error"]["innerError"]["status"], "429");
    graph_error_snapshot!("throttled_429", body);
    t.advance(4);
    assert_eq!(t.get(&token, "users").await.0, StatusCode::OK);
    // $select lowers the cost to 1.
    let (_, h, _) = t.get_with(&token, "users?$select=id", &[]).await;
    assert_eq!(h["x-ms-resource-unit"], "1");
}

#[tokio::test]
async fn throttling_can_be_switched_off() {
    let mut s = one_tenant(3);
    s.settings = Settings {
        throttling: ThrottleConfig {
            ru_budget: Some(4.0),
            ..ThrottleConfig::default()
        },
        ..Settings::default()
    };
    let t = TestEmu::start(s).await;
    let token = t.token(0).await;
    t.get(&token, "users").await;
    t.get(&token, "users").await;
    assert_eq!(
        t.get(&token, "users").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut settings = t.emu.handle().settings();
    settings.throttling.enabled = false;
    t.emu.handle().set_settings(settings);
    for _ in 0..20 {
        assert_eq!(t.get(&token, "users").await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn usage_reports_allow_14_requests_per_10_minutes() {
    let t = TestEmu::start(Scenario::generated(1, 3, 2)).await;
    let token = t.token(0).await;
    for _ in 0..14 {
        assert_eq!(
            t.get(&token, "reports/getMailboxUsageDetail(period='D7')")
                .await
                .0,
            StatusCode::FOUND
        );
    }
    let (status, h, _) = t
        .get_with(&token, "reports/getMailboxUsageDetail(period='D7')", &[])
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h["retry-after"], "600");
    // Another report API has its own window.
    assert_eq!(
        t.get(&token, "reports/getOffice365ActiveUserDetail(period='D7')")
            .await
            .0,
        StatusCode::FOUND
    );
}
