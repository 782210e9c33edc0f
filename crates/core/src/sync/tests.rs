//! The plan's rules, one test each, on hand-built users and contacts.

use super::fields::{FIELD_COUNT, FieldOutcome, FieldState, SyncField, Values};
use super::plan::*;
use super::scope::{self, Candidate, Exclusion, Filters, NamePattern};
use roster_domain::ContactId;
use std::collections::HashSet;

fn cid(n: u128) -> ContactId {
    ContactId::from_uuid(uuid::Uuid::from_u128(n))
}

fn user(id: &str, first: &str, last: &str, mail: Option<&str>) -> EntraUser {
    let mut values: Values = Default::default();
    values[SyncField::FirstName.index()] = Some(first.into());
    values[SyncField::LastName.index()] = Some(last.into());
    values[SyncField::DisplayName.index()] = Some(format!("{first} {last}"));
    values[SyncField::Email.index()] = mail.map(str::to_owned);
    EntraUser {
        object_id: id.into(),
        values,
        upn: Some(format!("{}@contoso.onmicrosoft.com", first.to_lowercase())),
        addresses: mail.map(|m| m.to_lowercase()).into_iter().collect(),
        enabled: true,
        groups: vec![],
    }
}

fn contact(n: u128, first: &str, last: &str, email: Option<&str>) -> ContactState {
    let mut fields: [FieldState; FIELD_COUNT] = Default::default();
    let mut set = |f: SyncField, v: Option<String>| fields[f.index()].value = v;
    set(SyncField::FirstName, Some(first.into()));
    set(SyncField::LastName, Some(last.into()));
    set(SyncField::DisplayName, Some(format!("{first} {last}")));
    set(SyncField::Email, email.map(str::to_owned));
    ContactState {
        id: cid(n),
        object_id: None,
        linked_elsewhere: false,
        fields,
        upn: None,
        deleted_in_entra: false,
        disabled: false,
        groups: vec![],
    }
}

/// A contact linked to `user` and holding exactly what Entra has (as after a sync).
fn synced(n: u128, u: &EntraUser) -> ContactState {
    let mut c = contact(n, "", "", None);
    for f in SyncField::ALL {
        let v = u.values[f.index()].clone();
        c.fields[f.index()] = FieldState {
            value: v.clone(),
            synced: v,
            by_hand: false,
            conflict: None,
        };
    }
    c.object_id = Some(u.object_id.clone());
    c.upn = u.upn.clone();
    c
}

fn run(users: &[EntraUser], contacts: &[ContactState], policy: NewUserPolicy) -> Plan {
    let ignored = HashSet::new();
    let mut next = 1000;
    plan(
        &PlanInput {
            users,
            contacts,
            policy,
            guard_percent: 20,
            ignored: &ignored,
            delta_linked: None,
        },
        || {
            next += 1;
            cid(next)
        },
    )
}

fn rule_of(a: &Action) -> Option<MatchRule> {
    match a {
        Action::Update { rule, .. } | Action::Unchanged { rule, .. } => Some(*rule),
        _ => None,
    }
}

#[test]
fn a_linked_contact_is_matched_by_its_link_first_and_is_unchanged_when_entra_is() {
    let u = user("u1", "Ada", "Lovelace", Some("ada@contoso.com"));
    // Another unlinked contact has the same address: the link wins.
    let others = contact(2, "Ada", "Lovelace", Some("ada@contoso.com"));
    let p = run(
        std::slice::from_ref(&u),
        &[synced(1, &u), others],
        NewUserPolicy::Create,
    );
    assert_eq!(
        p.actions,
        vec![Action::Unchanged {
            contact: cid(1),
            rule: MatchRule::Linked
        }]
    );
    assert_eq!(p.counts.unchanged, 1);
    assert_eq!(p.hold, None);
}

#[test]
fn any_address_matches_an_unlinked_contact_without_regard_to_case() {
    let mut u = user("u1", "Grace", "Hopper", Some("grace@contoso.com"));
    u.addresses.push("g.hopper@contoso.co.uk".into());
    let c = contact(7, "G.", "Hopper", Some("G.Hopper@Contoso.co.uk"));
    let p = run(&[u], &[c], NewUserPolicy::Create);
    let Action::Update {
        contact,
        rule,
        link,
        changes,
        ..
    } = &p.actions[0]
    else {
        panic!("{:?}", p.actions)
    };
    assert_eq!((*contact, *rule, *link), (cid(7), MatchRule::Address, true));
    // The contact had no provenance (imported): Entra's values take over.
    assert!(
        changes
            .iter()
            .any(|c| c.field == SyncField::FirstName && c.to.as_deref() == Some("Grace"))
    );
}

#[test]
fn the_user_principal_name_matches_a_contacts_email() {
    let u = user("u1", "Alan", "Turing", None);
    let c = contact(3, "Al", "T", Some("alan@contoso.onmicrosoft.com"));
    let p = run(&[u], &[c], NewUserPolicy::Create);
    assert_eq!(rule_of(&p.actions[0]), Some(MatchRule::Upn));
}

#[test]
fn first_and_last_name_match_one_contact_ignoring_case_accents_and_spacing() {
    let u = user("u1", "José", "Núñez", None);
    let c = contact(4, "jose ", "  NUNEZ", None);
    let p = run(&[u], &[c], NewUserPolicy::Create);
    assert_eq!(rule_of(&p.actions[0]), Some(MatchRule::Name));
}

#[test]
fn two_candidates_under_a_rule_go_to_review_and_nothing_is_guessed() {
    let u = user("u1", "John", "Smith", None);
    let a = contact(1, "John", "Smith", None);
    let b = contact(2, "john", "smith", Some("j.smith@other.example"));
    let p = run(&[u], &[a, b], NewUserPolicy::Create);
    assert_eq!(p.counts.review, 1);
    assert_eq!(p.counts.created, 0);
    let Action::Review { reason, .. } = &p.actions[0] else {
        panic!("{:?}", p.actions)
    };
    assert_eq!(
        reason,
        &ReviewReason::Ambiguous {
            rule: MatchRule::Name,
            candidates: vec![cid(1), cid(2)]
        }
    );
}

#[test]
fn one_contact_two_users_would_take_is_given_to_neither() {
    let a = user("u1", "Sam", "Lee", Some("sam@contoso.com"));
    let b = user("u2", "Sam", "Lee", None);
    let c = contact(9, "Sam", "Lee", Some("sam@contoso.com"));
    let p = run(&[a, b], &[c], NewUserPolicy::Create);
    assert_eq!(p.counts.review, 2, "{:?}", p.actions);
    assert!(p.actions.iter().all(|a| matches!(a, Action::Review { .. })));
}

#[test]
fn a_contact_linked_to_another_tenant_is_never_a_candidate() {
    let u = user("u1", "Ada", "Lovelace", Some("ada@contoso.com"));
    let mut c = contact(1, "Ada", "Lovelace", Some("ada@contoso.com"));
    c.linked_elsewhere = true;
    let p = run(&[u], &[c], NewUserPolicy::Create);
    assert_eq!(p.counts.created, 1);
}

#[test]
fn without_a_match_the_policy_creates_or_queues_and_a_reviewer_s_no_is_remembered() {
    let a = user("u1", "New", "Person", Some("new@contoso.com"));
    let b = user("u2", "Other", "Person", None);
    let created = run(std::slice::from_ref(&a), &[], NewUserPolicy::Create);
    assert!(matches!(&created.actions[0], Action::Create { contact, .. } if *contact == cid(1001)));
    let ignored: HashSet<String> = ["u2".to_owned()].into();
    let queued = plan(
        &PlanInput {
            users: &[a, b],
            contacts: &[],
            policy: NewUserPolicy::Review,
            guard_percent: 20,
            ignored: &ignored,
            delta_linked: None,
        },
        || cid(1),
    );
    let pre: Vec<bool> = queued
        .actions
        .iter()
        .map(|a| {
            matches!(
                a,
                Action::Review {
                    preselected: true,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(
        pre,
        vec![true, false],
        "u1 preselected, u2 (ignored before) not"
    );
}

#[test]
fn leavers_are_flagged_never_deleted_and_a_return_reactivates_the_same_contact() {
    let stays = user("u1", "Ada", "Lovelace", None);
    let leaves = user("u2", "Bob", "Byte", None);
    let mut contacts: Vec<ContactState> = (0..9)
        .map(|i| synced(100 + i, &user(&format!("k{i}"), "K", &format!("{i}"), None)))
        .collect();
    contacts.push(synced(1, &stays));
    contacts.push(synced(2, &leaves));
    let mut users: Vec<EntraUser> = (0..9)
        .map(|i| user(&format!("k{i}"), "K", &format!("{i}"), None))
        .collect();
    users.push(stays.clone());
    let p = run(&users, &contacts, NewUserPolicy::Create);
    assert!(p.actions.contains(&Action::FlagDeleted {
        contact: cid(2),
        object_id: "u2".into()
    }));
    assert_eq!(p.counts.flagged, 1);
    assert_eq!(p.hold, None, "1 of 11 is under 20 %");

    let mut gone = synced(2, &leaves);
    gone.deleted_in_entra = true;
    let back = run(&[leaves], &[gone], NewUserPolicy::Create);
    let Action::Update {
        contact,
        reactivate,
        ..
    } = &back.actions[0]
    else {
        panic!("{:?}", back.actions)
    };
    assert_eq!((*contact, *reactivate), (cid(2), true));
    assert_eq!(back.counts.reactivated, 1);
}

#[test]
fn a_disabled_account_is_flagged_disabled_and_enabled_again_later() {
    let mut u = user("u1", "Ada", "Lovelace", None);
    let c = synced(1, &u);
    u.enabled = false;
    let p = run(
        std::slice::from_ref(&u),
        std::slice::from_ref(&c),
        NewUserPolicy::Create,
    );
    assert!(matches!(
        &p.actions[0],
        Action::Update {
            disabled: Some(true),
            ..
        }
    ));
    let mut flagged = c;
    flagged.disabled = true;
    u.enabled = true;
    let p = run(&[u], &[flagged], NewUserPolicy::Create);
    assert!(matches!(
        &p.actions[0],
        Action::Update {
            disabled: Some(false),
            ..
        }
    ));
}

#[test]
fn renames_and_new_addresses_update_the_same_contact() {
    let before = user("u1", "Ada", "Byron", Some("ada.byron@contoso.com"));
    let mut after = user("u1", "Ada", "Lovelace", Some("ada.lovelace@contoso.com"));
    after.upn = Some("ada.lovelace@contoso.com".into());
    let p = run(&[after], &[synced(1, &before)], NewUserPolicy::Create);
    let Action::Update {
        contact,
        changes,
        upn,
        link,
        ..
    } = &p.actions[0]
    else {
        panic!("{:?}", p.actions)
    };
    assert_eq!(*contact, cid(1));
    assert!(!link);
    let fields: Vec<SyncField> = changes.iter().map(|c| c.field).collect();
    assert_eq!(
        fields,
        vec![
            SyncField::DisplayName,
            SyncField::LastName,
            SyncField::Email
        ]
    );
    assert_eq!(
        upn,
        &Some((
            Some("ada@contoso.onmicrosoft.com".into()),
            Some("ada.lovelace@contoso.com".into())
        ))
    );
}

#[test]
fn a_hand_edit_becomes_a_conflict_and_a_blank_clears_only_what_roster_wrote() {
    let mut u = user("u1", "Ada", "Lovelace", None);
    u.values[SyncField::JobTitle.index()] = Some("CTO".into());
    let mut c = synced(1, &u);
    c.fields[SyncField::JobTitle.index()] = FieldState {
        value: Some("Chief Technologist".into()),
        synced: Some("CTO".into()),
        by_hand: true,
        conflict: None,
    };
    c.fields[SyncField::Department.index()] = FieldState {
        value: Some("R&D".into()),
        synced: Some("R&D".into()),
        by_hand: false,
        conflict: None,
    };
    c.fields[SyncField::Country.index()] = FieldState {
        value: Some("UK".into()),
        synced: None,
        by_hand: false,
        conflict: None,
    };
    u.values[SyncField::JobTitle.index()] = Some("CEO".into());
    let p = run(&[u], &[c], NewUserPolicy::Create);
    let Action::Update {
        outcomes, changes, ..
    } = &p.actions[0]
    else {
        panic!("{:?}", p.actions)
    };
    assert!(outcomes.contains(&(SyncField::JobTitle, FieldOutcome::Conflict("CEO".into()))));
    assert!(outcomes.contains(&(SyncField::Department, FieldOutcome::Clear)));
    assert!(
        !outcomes.iter().any(|(f, _)| *f == SyncField::Country),
        "a blank never overwrites the PSA's value"
    );
    assert_eq!(
        changes,
        &vec![FieldChange {
            field: SyncField::Department,
            from: Some("R&D".into()),
            to: None
        }],
        "the conflict changes no visible value"
    );
    assert_eq!(p.counts.conflicts, 1);
}

#[test]
fn a_delta_round_flags_only_the_removed_and_weighs_the_guard_against_every_linked_contact() {
    let users: Vec<EntraUser> = (0..10)
        .map(|i| user(&format!("u{i}"), "U", &format!("{i}"), None))
        .collect();
    let contacts: Vec<ContactState> = users
        .iter()
        .enumerate()
        .map(|(i, u)| synced(i as u128, u))
        .collect();
    let ignored = HashSet::new();
    let delta = |changed: &[EntraUser], touched: &[ContactState], guard: u8| {
        plan(
            &PlanInput {
                users: changed,
                contacts: touched,
                policy: NewUserPolicy::Create,
                guard_percent: guard,
                ignored: &ignored,
                delta_linked: Some(100),
            },
            || cid(5000),
        )
    };
    // Nothing changed: nothing to do, and no hold (an empty round is the normal case).
    let p = delta(&[], &[], 20);
    assert_eq!((p.actions.len(), p.hold), (0, None));
    // u1 renamed, u2 removed: the round touches their two contacts only.
    let mut renamed = users[1].clone();
    renamed.values[SyncField::DisplayName.index()] = Some("U One".into());
    let p = delta(std::slice::from_ref(&renamed), &contacts[1..3], 20);
    assert_eq!((p.counts.updated, p.counts.flagged), (1, 1));
    assert!(matches!(&p.actions[1], Action::FlagDeleted { object_id, .. } if object_id == "u2"));
    assert_eq!(p.hold, None, "1 of 100 linked contacts");
    // Removing 3 of the 100 linked contacts trips a 2 % guard; the share is of all 100.
    let p = delta(&[], &contacts[..3], 2);
    assert_eq!(
        p.hold,
        Some(Hold::TooManyLeavers {
            flagged: 3,
            linked: 100,
            limit_percent: 2
        })
    );
}

#[test]
fn flagging_more_than_the_limit_or_seeing_nobody_holds_the_run() {
    let users: Vec<EntraUser> = (0..10)
        .map(|i| user(&format!("u{i}"), "U", &format!("{i}"), None))
        .collect();
    let contacts: Vec<ContactState> = users
        .iter()
        .enumerate()
        .map(|(i, u)| synced(i as u128, u))
        .collect();
    // Two of ten leave: exactly 20 %, allowed.
    let p = run(&users[2..], &contacts, NewUserPolicy::Create);
    assert_eq!((p.counts.flagged, p.hold.clone()), (2, None));
    // Three of ten: held, with the plan.
    let p = run(&users[3..], &contacts, NewUserPolicy::Create);
    assert_eq!(
        p.hold,
        Some(Hold::TooManyLeavers {
            flagged: 3,
            linked: 10,
            limit_percent: 20
        })
    );
    assert_eq!(p.counts.flagged, 3);
    // Nobody listed at all.
    let p = run(&[], &contacts, NewUserPolicy::Create);
    assert_eq!(p.hold, Some(Hold::EmptyListing { linked: 10 }));
    // Contacts already flagged do not count again.
    let mut gone = contacts.clone();
    for c in &mut gone[..5] {
        c.deleted_in_entra = true;
    }
    let p = run(&users[5..], &gone, NewUserPolicy::Create);
    assert_eq!((p.counts.flagged, p.hold), (0, None));
}

#[test]
fn the_plan_does_not_depend_on_the_order_microsoft_listed_users_in() {
    let users: Vec<EntraUser> = (0..6)
        .map(|i| user(&format!("u{i}"), "P", &format!("{i}"), None))
        .collect();
    let mut contacts: Vec<ContactState> = users[..3]
        .iter()
        .enumerate()
        .map(|(i, u)| synced(i as u128, u))
        .collect();
    contacts.push(contact(50, "P", "4", None));
    let forward = run(&users, &contacts, NewUserPolicy::Create);
    let mut reversed = users.clone();
    reversed.reverse();
    assert_eq!(run(&reversed, &contacts, NewUserPolicy::Create), forward);
    // A user listed twice (a repeated page) is planned once.
    let mut twice = users.clone();
    twice.push(users[0].clone());
    assert_eq!(run(&twice, &contacts, NewUserPolicy::Create), forward);
}

#[test]
fn group_membership_changes_update_the_contact_groups() {
    let mut u = user("u1", "Ada", "Lovelace", None);
    let c = synced(1, &u);
    u.groups = vec!["Sales".into(), "Berlin".into()];
    let p = run(&[u], &[c], NewUserPolicy::Create);
    assert!(
        matches!(&p.actions[0], Action::Update { groups: Some(g), .. } if g == &vec!["Berlin".to_owned(), "Sales".to_owned()])
    );
}

// ----- scope and normalization --------------------------------------------------------------

fn graph_user(json: serde_json::Value) -> roster_graph::models::User {
    serde_json::from_value(json).expect("a user")
}

#[test]
fn graph_users_are_normalized_with_every_address_and_odd_values_made_safe() {
    let long = "x".repeat(300);
    let u = graph_user(serde_json::json!({
        "id": "6E7B768E-07E2-4810-8459-485F84F8F204",
        "displayName": "Ada\u{202E} Lovelace\u{0007}",
        "givenName": "Ada",
        "surname": "",
        "mail": "Ada@Contoso.com",
        "userPrincipalName": "ada@contoso.onmicrosoft.com",
        "proxyAddresses": ["SMTP:Ada@contoso.com", "smtp:ada.l@contoso.co.uk", "smtp:ada.l@contoso.co.uk", "SIP:ada@contoso.com", "X500:/o=x"],
        "otherMails": ["ada@home.example"],
        "jobTitle": long,
        "businessPhones": ["+1 555 0100"],
        "streetAddress": "1 Main St\nSuite 5",
        "accountEnabled": false,
        "userType": "Member",
        "assignedLicenses": [{"skuId": "f30db892-07e9-47e9-837c-80727f46fd3d", "disabledPlans": []}]
    }));
    let free: HashSet<String> = ["f30db892-07e9-47e9-837c-80727f46fd3d".to_owned()].into();
    let c = scope::normalize(&u, &free, vec!["Sales".into(), "Sales".into()]).expect("normalized");
    let v = |f: SyncField| c.user.values[f.index()].clone();
    assert_eq!(c.user.object_id, "6e7b768e-07e2-4810-8459-485f84f8f204");
    assert_eq!(v(SyncField::DisplayName).as_deref(), Some("Ada Lovelace"));
    assert_eq!(v(SyncField::LastName), None, "blank is absent");
    assert_eq!(
        v(SyncField::JobTitle).map(|t| t.chars().count()),
        Some(scope::MAX_FIELD_CHARS)
    );
    assert_eq!(v(SyncField::Street1).as_deref(), Some("1 Main St"));
    assert_eq!(v(SyncField::Street2).as_deref(), Some("Suite 5"));
    assert_eq!(v(SyncField::BusinessPhone).as_deref(), Some("+1 555 0100"));
    assert_eq!(
        c.user.addresses,
        vec!["ada@contoso.com", "ada.l@contoso.co.uk", "ada@home.example"],
        "mail, smtp proxies once each, otherMails; SIP and X500 are not mail"
    );
    assert!(!c.user.enabled);
    assert!(!c.licensed, "only a free SKU");
    assert!(!c.guest);
    assert_eq!(c.user.groups, vec!["Sales"]);
    // A user without an id cannot be linked, so it is not a candidate at all.
    assert!(
        scope::normalize(
            &graph_user(serde_json::json!({"displayName": "x"})),
            &free,
            vec![]
        )
        .is_none()
    );
    // Nothing but an id: no crash, nothing guessed.
    let bare =
        scope::normalize(&graph_user(serde_json::json!({"id": "b"})), &free, vec![]).expect("bare");
    assert!(bare.user.values.iter().all(Option::is_none));
    assert!(bare.user.enabled, "enabled unless Entra says otherwise");
}

#[test]
fn each_filter_excludes_its_users_and_guests_by_default() {
    let base = |id: &str| Candidate {
        user: user(id, "A", "B", Some(&format!("{id}@contoso.com"))),
        guest: false,
        licensed: true,
    };
    let mut guest = base("g");
    guest.guest = true;
    let mut disabled = base("d");
    disabled.user.enabled = false;
    let mut unlicensed = base("n");
    unlicensed.licensed = false;
    let mut onms = base("o");
    onms.user.addresses = vec!["o@contoso.onmicrosoft.com".into()];
    let mut svc = base("s");
    svc.user.upn = Some("svc-backup@contoso.com".into());
    let all = [base("ok"), guest, disabled, unlicensed, onms, svc];
    let defaults = Filters::default();
    let by_default: Vec<Option<Exclusion>> = all
        .iter()
        .map(|c| scope::excluded_by(&defaults, c))
        .collect();
    assert_eq!(
        by_default,
        vec![None, Some(Exclusion::Guest), None, None, None, None]
    );
    let strict = Filters {
        exclude_guests: true,
        exclude_disabled: true,
        exclude_unlicensed: true,
        exclude_onmicrosoft_only: true,
        service_accounts: NamePattern::parse("svc-*, *-noreply").expect("valid"),
    };
    let excluded: Vec<Option<Exclusion>> =
        all.iter().map(|c| scope::excluded_by(&strict, c)).collect();
    assert_eq!(
        excluded,
        vec![
            None,
            Some(Exclusion::Guest),
            Some(Exclusion::Disabled),
            Some(Exclusion::Unlicensed),
            Some(Exclusion::OnMicrosoftOnly),
            Some(Exclusion::ServiceAccount)
        ]
    );
}

#[test]
fn name_patterns_are_globs_and_bad_ones_are_explained() {
    let p = NamePattern::parse(" SVC-*, scan?er ,*-noreply ")
        .expect("valid")
        .expect("some");
    assert_eq!(p.as_text(), "svc-*, scan?er, *-noreply");
    for yes in ["svc-backup", "SVC-", "scanner", "hr-noreply"] {
        assert!(p.matches(yes), "{yes}");
    }
    for no in ["backup-svc", "scanners", "noreply", "ada"] {
        assert!(!p.matches(no), "{no}");
    }
    assert_eq!(NamePattern::parse("  ,  ").expect("empty"), None);
    assert!(
        NamePattern::parse("*")
            .unwrap_err()
            .contains("every account")
    );
    assert!(
        NamePattern::parse("svc-[0-9]")
            .unwrap_err()
            .contains("cannot be used")
    );
    assert!(NamePattern::parse(&"a".repeat(101)).is_err());
}

#[test]
fn an_email_differing_only_in_case_is_no_conflict() {
    let u = user("u1", "Pat", "Hand", Some("pat.hand@customer.example"));
    let mut c = synced(1, &u);
    c.fields[SyncField::Email.index()] = FieldState {
        value: Some("Pat.Hand@Customer.example".into()),
        synced: None,
        by_hand: true,
        conflict: None,
    };
    let p = run(std::slice::from_ref(&u), &[c], NewUserPolicy::Create);
    assert_eq!(p.counts.conflicts, 0, "{:?}", p.actions);
}
