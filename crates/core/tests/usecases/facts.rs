//! Tenant facts and contacts' Entra overlays, read by syncs against the emulator: a tenant with
//! Entra ID P1, one without, concealed reports, permissions not granted, an unknown SKU, history.

use crate::Harness;
use crate::sync::connected_customer;
use futures::StreamExt;
use roster_core::facts::{Fact, TenantFacts};
use roster_core::sync::facts::FactSource;
use roster_core::{ContactFilter, PageRequest};
use roster_domain::ConnectionId;
use roster_graph::{ListQuery, TenantCredentials};
use roster_graph_emulator::Scenario;
use roster_store::MfaFilter;

async fn facts_of(h: &Harness, conn: ConnectionId) -> TenantFacts {
    h.services
        .tenant_facts(&h.owner, conn)
        .await
        .expect("facts")
        .expect("a snapshot")
}

fn reason<T>(f: &Fact<T>) -> &str {
    match f {
        Fact::Unknown { reason, .. } => reason,
        Fact::Known { .. } => panic!("expected an unknown fact"),
    }
}

fn note(f: &TenantFacts, source: FactSource) -> (bool, String) {
    let n = f
        .sources
        .iter()
        .find(|(s, _)| *s == source)
        .map(|(_, n)| n.clone())
        .expect("a note for every source");
    (n.read, n.reason.unwrap_or_default())
}

/// The Entra overlay of a linked contact.
async fn overlay_of(h: &Harness, contact: roster_domain::ContactId) -> roster_core::facts::Overlay {
    let detail = h
        .services
        .contact(&h.owner, contact)
        .await
        .expect("contact");
    h.services
        .contact_overlay(
            &h.owner,
            detail.tenant_id.as_deref().expect("tenant"),
            detail.object_id.as_deref().expect("object"),
        )
        .await
        .expect("overlay")
        .expect("linked")
}

async fn linked(h: &Harness, filter: ContactFilter) -> Vec<roster_core::contacts::ContactView> {
    h.services
        .contacts_page(&h.owner, &filter, &PageRequest::first(500))
        .await
        .expect("contacts")
        .items
        .into_iter()
        .filter(|c| c.linked)
        .collect()
}

/// A Graph session of customer `i`'s app, outside Roster.
fn graph_session(h: &Harness, i: usize) -> roster_graph::TenantSession {
    let c = h.customer(i);
    let base = h.microsoft_url();
    let mut config = roster_graph::GraphConfig::with_bases(&base, &base).expect("bases");
    config.clock = std::sync::Arc::new(h.clock.clone());
    roster_graph::GraphClient::new(config)
        .expect("client")
        .tenant(TenantCredentials {
            tenant: c.tenant_id,
            client_id: c.client_id,
            secret: secrecy::SecretString::from(c.secret),
        })
}

/// What Graph itself says about the tenant's users, counted here without Roster's code: enabled
/// members, and those holding a SKU whose part number does not mark it free.
async fn graph_truth(h: &Harness, i: usize) -> (i64, i64) {
    let session = graph_session(h, i);
    let free: Vec<String> = session
        .subscribed_skus()
        .await
        .expect("skus")
        .into_iter()
        .filter(|s| {
            let p = s.sku_part_number.clone().unwrap_or_default();
            p.contains("FREE") || p.contains("VIRAL") || p == "POWER_BI_STANDARD"
        })
        .map(|s| s.sku_id.to_lowercase())
        .collect();
    let mut users = session.users(&ListQuery::new().select([
        "id",
        "userType",
        "accountEnabled",
        "assignedLicenses",
    ]));
    let (mut members, mut licensed) = (0, 0);
    while let Some(u) = users.next().await {
        let u = u.expect("user");
        let member = u.user_type.value().is_some_and(|t| t == "Member");
        if !(member && u.account_enabled.value() == Some(&true)) {
            continue;
        }
        members += 1;
        if u.assigned_licenses
            .value()
            .is_some_and(|l| l.iter().any(|a| !free.contains(&a.sku_id.to_lowercase())))
        {
            licensed += 1;
        }
    }
    (members, licensed)
}

#[tokio::test]
async fn a_p1_tenant_has_mfa_sign_ins_licences_and_ninety_days_of_score() {
    let h = Harness::start().await;
    let tenant = h.customer(0).tenant_id;
    h.microsoft()
        .set_concealed_names(&tenant, false)
        .expect("names shown");
    let conn = connected_customer(&h, 0, "Premium Co").await;
    h.sync_now(conn).await.expect("synced");
    let f = facts_of(&h, conn).await;
    let (members, licensed) = graph_truth(&h, 0).await;

    assert_eq!(f.premium, Some(true));
    assert_eq!(f.members, Some(members));
    let Fact::Known { value: n, .. } = f.licensed else {
        panic!("licensed users are known: {:?}", f.licensed)
    };
    assert_eq!(n, licensed);
    let Fact::Known { value: active, .. } = &f.active else {
        panic!("active users from sign-ins: {:?}", f.active)
    };
    assert_eq!(active.source, "sign-ins");
    assert!(active.users <= members);
    let Fact::Known { value: mfa, .. } = f.mfa else {
        panic!("MFA coverage is known with P1: {:?}", f.mfa)
    };
    assert_eq!(mfa.registered + mfa.not_registered + mfa.unknown, members);
    let Fact::Known {
        value: (current, max),
        ..
    } = f.score
    else {
        panic!("a score")
    };
    assert!(current <= max && max > 0.0);
    // The first sync imports the history Microsoft keeps; its newest day is the current score.
    assert_eq!(f.history.len(), 90);
    assert_eq!(f.history.last().map(|d| d.current_score), Some(current));
    assert!(f.history.windows(2).all(|w| w[0].day < w[1].day));
    assert!(!f.skus.is_empty());
    for s in &f.skus {
        assert!(!s.name.is_empty() && !s.name.contains("undefined"), "{s:?}");
        assert_eq!(s.unassigned(), (s.purchased - s.assigned).max(0));
    }
    assert!(f.sources.iter().all(|(_, n)| n.read), "{:?}", f.sources);

    // Each linked contact has its overlay, every source read.
    let contacts = linked(&h, ContactFilter::default()).await;
    assert!(!contacts.is_empty());
    let mut with_mailbox = 0;
    for c in &contacts {
        let o = overlay_of(&h, c.id).await;
        let Fact::Known { value: account, .. } = &o.account else {
            panic!("account known")
        };
        assert!(account.licences.iter().all(|l| !l.is_empty()));
        assert!(matches!(o.mfa, Fact::Known { .. }), "{:?}", o.mfa);
        assert!(matches!(o.sign_ins, Fact::Known { .. }));
        assert!(matches!(o.activity, Fact::Known { .. }));
        assert!(matches!(o.devices, Fact::Known { .. }));
        if let Fact::Known { value: Some(m), .. } = &o.mailbox {
            assert!(m.used_bytes.is_some());
            with_mailbox += 1;
        }
        assert_eq!(
            c.facts.as_ref().and_then(|l| l.mfa),
            match &o.mfa {
                Fact::Known { value, .. } => value.registered,
                Fact::Unknown { .. } => None,
            }
        );
    }
    assert!(with_mailbox > 0, "some users have a mailbox");

    // The contacts list narrows by MFA status, and the two statuses split the linked contacts.
    let reg = linked(
        &h,
        ContactFilter {
            mfa: Some(MfaFilter::Registered),
            ..ContactFilter::default()
        },
    )
    .await;
    let not = linked(
        &h,
        ContactFilter {
            mfa: Some(MfaFilter::NotRegistered),
            ..ContactFilter::default()
        },
    )
    .await;
    assert!(
        reg.iter()
            .all(|c| c.facts.as_ref().and_then(|f| f.mfa) == Some(true))
    );
    assert!(
        not.iter()
            .all(|c| c.facts.as_ref().and_then(|f| f.mfa) == Some(false))
    );
}

#[tokio::test]
async fn without_p1_mfa_and_sign_ins_are_unknown_never_no() {
    let h = Harness::start().await;
    let tenant = h.customer(1).tenant_id;
    h.microsoft()
        .set_concealed_names(&tenant, false)
        .expect("names shown");
    let conn = connected_customer(&h, 1, "Basic Co").await;
    h.sync_now(conn).await.expect("synced");
    let f = facts_of(&h, conn).await;
    assert_eq!(f.premium, Some(false));
    assert!(reason(&f.mfa).contains("Entra ID P1"), "{:?}", f.mfa);
    let (read, why) = note(&f, FactSource::SignIns);
    assert!(!read && why.contains("Entra ID P1"));
    // Active users come from the usage report instead.
    let Fact::Known { value: active, .. } = &f.active else {
        panic!("active from the report: {:?}", f.active)
    };
    assert_eq!(active.source, "the Microsoft 365 usage report");
    assert!(matches!(f.licensed, Fact::Known { .. }));

    let all = linked(&h, ContactFilter::default()).await;
    assert!(!all.is_empty());
    let unknown = linked(
        &h,
        ContactFilter {
            mfa: Some(MfaFilter::Unknown),
            ..ContactFilter::default()
        },
    )
    .await;
    assert_eq!(
        unknown.len(),
        all.len(),
        "every linked contact's MFA is unknown"
    );
    let not = linked(
        &h,
        ContactFilter {
            mfa: Some(MfaFilter::NotRegistered),
            ..ContactFilter::default()
        },
    )
    .await;
    assert!(not.is_empty(), "unknown is never shown as not registered");
    let o = overlay_of(&h, all[0].id).await;
    assert!(reason(&o.mfa).contains("Entra ID P1"));
    assert!(reason(&o.sign_ins).contains("Entra ID P1"));
    assert!(matches!(o.activity, Fact::Known { .. }));
}

#[tokio::test]
async fn concealed_report_names_are_detected_and_never_matched_to_users() {
    let h = Harness::start().await;
    // Microsoft's default: names concealed (customer 1 has no P1, so activity needs the report).
    let conn = connected_customer(&h, 1, "Hidden Names Co").await;
    h.sync_now(conn).await.expect("synced");
    let f = facts_of(&h, conn).await;
    assert_eq!(f.concealed_names, Some(true));
    let (read, why) = note(&f, FactSource::Activity);
    assert!(!read && why.contains("concealed") && why.contains("Microsoft 365 admin center"));
    let (read, _) = note(&f, FactSource::Mailbox);
    assert!(!read);
    // The tenant's active count needs no names, so it is still given.
    assert!(matches!(f.active, Fact::Known { .. }), "{:?}", f.active);
    let all = linked(&h, ContactFilter::default()).await;
    let o = overlay_of(&h, all[0].id).await;
    assert!(reason(&o.activity).contains("concealed"));
    assert!(reason(&o.mailbox).contains("concealed"));
}

#[tokio::test]
async fn a_permission_not_granted_leaves_its_fact_unknown_and_keeps_what_was_read_before() {
    let h = Harness::start().await;
    let c = h.customer(0);
    h.microsoft()
        .set_concealed_names(&c.tenant_id, false)
        .expect("names shown");
    let conn = connected_customer(&h, 0, "Permissions Co").await;
    h.sync_now(conn).await.expect("first sync");
    let before = facts_of(&h, conn).await;
    let Fact::Known {
        value: score_before,
        ..
    } = before.score
    else {
        panic!("a score")
    };
    let contacts_before = linked(&h, ContactFilter::default()).await.len();

    let client: uuid::Uuid = c.client_id.parse().expect("client id");
    for role in [
        "SecurityEvents.Read.All",
        "Reports.Read.All",
        "DeviceManagementManagedDevices.Read.All",
        "AuditLog.Read.All",
    ] {
        h.microsoft()
            .revoke_role(&c.tenant_id, client, role)
            .expect("revoked");
    }
    // A new token carries the new roles.
    h.clock.advance(jiff::SignedDuration::from_hours(2));
    h.sync_now(conn).await.expect("second sync");
    let after = facts_of(&h, conn).await;
    assert_eq!(after.snapshots, 2);
    match &after.score {
        Fact::Unknown { reason, earlier } => {
            assert!(reason.contains("SecurityEvents.Read.All"), "{reason}");
            assert_eq!(earlier.as_ref().map(|e| e.0), Some(score_before));
        }
        Fact::Known { .. } => panic!("the score cannot be read any more"),
    }
    assert!(reason(&after.mfa).contains("AuditLog.Read.All"));
    let (read, why) = note(&after, FactSource::Devices);
    assert!(
        !read && why.contains("DeviceManagementManagedDevices.Read.All"),
        "{why}"
    );
    // Contacts still synced, and licences (needing only User.Read.All) are still read.
    assert_eq!(
        linked(&h, ContactFilter::default()).await.len(),
        contacts_before
    );
    assert!(matches!(after.licensed, Fact::Known { .. }));
    // A contact keeps the MFA status read earlier, marked as from then.
    let one = &linked(&h, ContactFilter::default()).await[0];
    let o = overlay_of(&h, one.id).await;
    match &o.mfa {
        Fact::Unknown { reason, earlier } => {
            assert!(reason.contains("AuditLog.Read.All"));
            assert!(earlier.is_some(), "the earlier MFA status is kept");
        }
        Fact::Known { .. } => panic!("MFA was not read this time"),
    }
}

const UNKNOWN_SKU: &str = r#"
seed = 3
[[tenants]]
display_name = "Widget Works"
domains = ["widgetworks.example"]
concealed_names = false
[[tenants.skus]]
part_number = "SPB"
enabled = 5
[[tenants.skus]]
part_number = "CONTOSO_WIDGET_SUITE"
sku_id = "11111111-2222-3333-4444-555555555555"
enabled = 3
[[tenants.skus]]
part_number = "FLOW_FREE"
enabled = 10000
[[tenants.users]]
display_name = "Wendy Widget"
licenses = ["11111111-2222-3333-4444-555555555555"]
[[tenants.users]]
display_name = "Pat Premium"
licenses = ["SPB", "FLOW_FREE"]
[[tenants.users]]
display_name = "Fred Free"
licenses = ["FLOW_FREE"]
"#;

#[tokio::test]
async fn an_unknown_sku_is_named_by_its_part_number_and_free_ones_do_not_license() {
    let h = Harness::start_with(Scenario::from_toml(UNKNOWN_SKU).expect("scenario")).await;
    let conn = connected_customer(&h, 0, "Widget Works").await;
    h.sync_now(conn).await.expect("synced");
    let f = facts_of(&h, conn).await;
    let widget = f
        .skus
        .iter()
        .find(|s| s.sku_id == "11111111-2222-3333-4444-555555555555")
        .expect("the unknown SKU");
    assert_eq!(widget.name, "CONTOSO_WIDGET_SUITE");
    assert_eq!((widget.purchased, widget.assigned), (3, 1));
    let premium = f
        .skus
        .iter()
        .find(|s| s.part_number.as_deref() == Some("SPB"))
        .expect("SPB");
    assert_eq!(premium.name, "Microsoft 365 Business Premium");
    // Wendy (unknown, counted as paid) and Pat are licensed; Fred holds only a free SKU.
    assert!(
        matches!(f.licensed, Fact::Known { value: 2, .. }),
        "{:?}",
        f.licensed
    );
    // Unassigned counts paid SKUs only: 4 of SPB and 2 of the widget suite, not the free seats.
    assert_eq!(f.unassigned, Some(4 + 2));

    let contacts = linked(&h, ContactFilter::default()).await;
    let by_name = |n: &str| contacts.iter().find(|c| c.display_name == n).expect(n);
    assert_eq!(
        by_name("Pat Premium")
            .facts
            .as_ref()
            .and_then(|f| f.licence.clone())
            .as_deref(),
        Some("Business Premium")
    );
    assert_eq!(
        by_name("Wendy Widget")
            .facts
            .as_ref()
            .and_then(|f| f.licence.clone())
            .as_deref(),
        Some("CONTOSO_WIDGET_SUITE")
    );
    let with_widget = linked(
        &h,
        ContactFilter {
            licence: Some("11111111-2222-3333-4444-555555555555".into()),
            ..ContactFilter::default()
        },
    )
    .await;
    assert_eq!(with_widget.len(), 1);
    assert_eq!(with_widget[0].display_name, "Wendy Widget");
}

#[tokio::test]
async fn every_run_adds_a_snapshot_and_the_history_keeps_its_days() {
    let h = Harness::start().await;
    let conn = connected_customer(&h, 0, "History Co").await;
    h.sync_now(conn).await.expect("first");
    let first = facts_of(&h, conn).await;
    assert_eq!(first.snapshots, 1);
    h.clock.advance(jiff::SignedDuration::from_hours(1));
    h.sync_now(conn).await.expect("second");
    let second = facts_of(&h, conn).await;
    assert_eq!(second.snapshots, 2);
    assert!(second.taken_at > first.taken_at);
    // The second run asked only for the newest day; the 90 imported days are all still there.
    assert_eq!(second.history, first.history);
}

#[tokio::test]
async fn a_contacts_only_connection_syncs_contacts_and_reads_no_facts() {
    let h = Harness::start().await;
    let conn = connected_customer(&h, 0, "Contacts Only Co").await;
    let mut settings = h
        .services
        .sync_settings(&h.owner, conn)
        .await
        .expect("settings");
    settings.contacts_only = true;
    h.services
        .set_sync_settings(&h.owner, conn, &settings)
        .await
        .expect("saved");
    let before = h.microsoft().requests().len();
    h.sync_now(conn).await.expect("synced");
    assert!(!linked(&h, ContactFilter::default()).await.is_empty());
    assert!(
        h.services
            .tenant_facts(&h.owner, conn)
            .await
            .expect("facts")
            .is_none(),
        "no snapshot"
    );
    let asked: Vec<String> = h.microsoft().requests()[before..]
        .iter()
        .map(|r| r.uri.clone())
        .collect();
    for source in [
        "secureScores",
        "userRegistrationDetails",
        "managedDevices",
        "getMailboxUsageDetail",
        "signInActivity",
    ] {
        assert!(
            !asked.iter().any(|u| u.contains(source)),
            "{source} was asked for: {asked:?}"
        );
    }
}

#[tokio::test]
async fn a_throttled_report_leaves_activity_unknown_for_that_run_and_keeps_the_earlier_values() {
    let h = Harness::start().await;
    let tenant = h.customer(0).tenant_id;
    h.microsoft()
        .set_concealed_names(&tenant, false)
        .expect("names shown");
    let conn = connected_customer(&h, 0, "Throttled Co").await;
    h.sync_now(conn).await.expect("first sync");
    let contacts = linked(&h, ContactFilter::default()).await;
    // Microsoft allows 14 requests per report API in 10 minutes: use up the activity report's.
    let session = graph_session(&h, 0);
    let mut refused = None;
    for _ in 0..14 {
        if let Err(e) = session
            .office365_active_user_detail(roster_graph::ReportPeriod::D30)
            .await
        {
            refused = Some(e.to_string());
            break;
        }
    }
    assert!(refused.is_some(), "the report's budget was used up");
    // The clock has not moved: the second run's snapshot is still the newest.
    h.sync_now(conn).await.expect("second sync");
    let f = facts_of(&h, conn).await;
    let (read, why) = note(&f, FactSource::Activity);
    assert!(!read && why.contains("throttled"), "{why}");
    let (read, _) = note(&f, FactSource::Mailbox);
    assert!(read, "the other report has its own budget");
    assert_eq!(
        linked(&h, ContactFilter::default()).await.len(),
        contacts.len()
    );
    let o = overlay_of(&h, contacts[0].id).await;
    match &o.activity {
        Fact::Unknown { reason, earlier } => {
            assert!(reason.contains("throttled"));
            assert!(earlier.is_some(), "the first sync's reading is kept");
        }
        Fact::Known { .. } => panic!("activity was not read this time"),
    }
}
