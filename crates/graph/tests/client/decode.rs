//! Decoding of every documented and observed Graph response shape into the typed models.

use jiff::Timestamp;
use roster_graph::Field;
use roster_graph::Page;
use roster_graph::models::user::{ProxyAddress, ProxyKind};
use roster_graph::models::{
    DelegatedAdminCustomer, DeltaItem, DirectoryObject, Group, ManagedDevice, Organization,
    RemovedReason, ReportSettings, SecureScore, SubscribedSku, User, UserRegistrationDetails,
};

use crate::fixture;
use crate::support::decode;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn the_organization_list_holds_one_tenant_with_its_initial_domain() {
    let page: Page<Organization> = decode(fixture!("organization-list.json"));
    assert_eq!(page.value.len(), 1);
    let org = &page.value[0];
    assert_eq!(org.id, "2c7e1f0a-5b3d-4e9a-8f21-6d4c0b9a7e35");
    assert_eq!(org.display_name.as_deref(), Some("Harbor Lane Dental"));
    assert_eq!(org.default_domain(), Some("harborlane.onmicrosoft.com"));
    assert_eq!(org.initial_domain(), Some("harborlane.onmicrosoft.com"));
    assert_eq!(org.on_premises_sync_enabled, None);
    insta::assert_debug_snapshot!(org);
}

#[test]
fn a_single_organization_entity_decodes_without_a_value_wrapper() {
    let org: Organization = decode(fixture!("organization-get.json"));
    assert_eq!(org.verified_domains[0].name, "harborlane.example");
    assert_eq!(org.created_date_time, Some(at("2020-02-17T08:45:12Z")));
    assert_eq!(org.assigned_plans.len(), 4);
}

#[test]
fn a_tenant_with_a_custom_default_domain_reports_both_domains() {
    let page: Page<Organization> = decode(fixture!("organization-list-several-domains.json"));
    let org = &page.value[0];
    assert_eq!(org.default_domain(), Some("harborlane.example"));
    assert_eq!(org.initial_domain(), Some("harborlane.onmicrosoft.com"));
    assert_eq!(org.verified_domains[1].kind.as_deref(), Some("Federated"));
}

#[test]
fn default_user_properties_keep_null_apart_from_absent() {
    let page: Page<User> = decode(fixture!("users-list-default.json"));
    let room = &page.value[0];
    assert_eq!(room.given_name, Field::Null);
    assert_eq!(room.business_phones, Field::Value(vec![]));
    // Not a default property, so not sent at all.
    assert_eq!(room.account_enabled, Field::Absent);
    assert_eq!(room.proxy_addresses, Field::Absent);
    let admin = &page.value[1];
    assert!(
        admin.mail.is_null(),
        "an admin without a mailbox has mail null"
    );
    assert_eq!(admin.mobile_phone.as_str(), Some("+44 7700 900123"));
    insta::assert_debug_snapshot!(page.value);
}

#[test]
fn sign_in_sentinels_and_empty_strings_read_as_never() {
    let page: Page<User> = decode(fixture!("users-list-signinactivity.json"));
    let priya = page.value[0].sign_in_activity.value().unwrap();
    assert_eq!(
        priya.last_sign_in_date_time,
        Some(at("2022-03-08T09:12:45Z"))
    );
    assert_eq!(priya.last_non_interactive_sign_in_date_time, None);
    assert_eq!(priya.last_non_interactive_sign_in_request_id, None);
    assert_eq!(priya.last_successful_sign_in_date_time, None);
    assert_eq!(priya.last_successful_sign_in_request_id, None);
    let tomasz = page.value[1].sign_in_activity.value().unwrap();
    assert_eq!(tomasz.last_activity(), Some(at("2022-04-19T16:47:02Z")));
    insta::assert_debug_snapshot!(page.value);
}

#[test]
fn sign_in_activity_from_before_successful_sign_ins_were_recorded_decodes() {
    let page: Page<User> = decode(fixture!("users-list-signinactivity-2023.json"));
    let priya = page.value[0].sign_in_activity.value().unwrap();
    assert_eq!(priya.last_successful_sign_in_date_time, None);
    assert_eq!(
        priya.last_sign_in_date_time,
        Some(at("2022-03-08T09:12:45Z"))
    );
}

#[test]
fn null_sign_in_activity_and_seven_digit_fractions_decode() {
    let page: Page<User> = decode(fixture!("users-list-signinactivity-null.json"));
    assert!(page.value[0].sign_in_activity.is_null());
    let precise = page.value[1].sign_in_activity.value().unwrap();
    let expected = at("2024-01-05T07:30:00.1234567Z");
    assert_eq!(precise.last_successful_sign_in_date_time, Some(expected));
    assert_eq!(expected.subsec_nanosecond(), 123_456_700);
    assert_eq!(precise.last_non_interactive_sign_in_date_time, None);
}

#[test]
fn assigned_licences_give_the_sku_ids() {
    let page: Page<User> = decode(fixture!("users-list-filter-assignedlicenses.json"));
    assert_eq!(
        page.value[0].sku_ids(),
        vec!["cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"]
    );
    assert_eq!(page.value[1].display_name, Field::Absent);
}

#[test]
fn a_counted_query_carries_the_total_and_odd_indentation_is_fine() {
    let page: Page<User> = decode(fixture!("users-list-filter-count-endswith.json"));
    assert_eq!(page.count, Some(1));
    assert_eq!(page.value[0].job_title.as_str(), Some("Hygienist"));
}

#[test]
fn duplicate_ids_in_a_page_are_not_rejected() {
    let page: Page<User> = decode(fixture!("users-list-filter-othermails-count.json"));
    assert_eq!(page.count, Some(2));
    assert_eq!(page.value[0].id, page.value[1].id);
}

#[test]
fn count_without_consistency_level_simply_has_no_count() {
    let page: Page<User> = decode(fixture!(
        "users-list-count-true-without-consistencylevel.json"
    ));
    assert_eq!(page.count, None);
    assert_eq!(page.value.len(), 1);
    assert_eq!(page.value[0].id, None);
}

#[test]
fn a_guest_with_an_apostrophe_in_mail_decodes_without_validation() {
    let page: Page<User> = decode(fixture!("users-list-2020-proxyaddresses.json"));
    assert_eq!(page.context, None);
    let guest = &page.value[0];
    assert_eq!(guest.mail.as_str(), Some("'visitor7@mailbox.example"));
    assert!(guest.is_guest(), "#EXT# in the UPN marks a guest");
    assert_eq!(
        guest.primary_smtp().as_deref(),
        Some("visitor7@mailbox.example")
    );
}

#[test]
fn proxy_addresses_tell_primary_secondary_and_other_prefixes_apart() {
    let page: Page<User> = decode(fixture!("users-list-contact-fields.json"));
    let rosa = &page.value[0];
    let parsed = rosa.parsed_proxy_addresses();
    assert_eq!(parsed.len(), 5);
    assert_eq!(parsed[0].kind, ProxyKind::SecondarySmtp);
    assert_eq!(parsed[1].kind, ProxyKind::Other("SPO".to_owned()));
    assert_eq!(parsed[2].kind, ProxyKind::PrimarySmtp);
    assert_eq!(
        rosa.primary_smtp().as_deref(),
        Some("Rosa.Martins@harborlane.example")
    );
    // mail is null; primary SMTP first, then secondaries, then otherMails; SIP/SPO excluded;
    // case-insensitive duplicates dropped.
    assert_eq!(
        rosa.email_addresses(),
        vec![
            "Rosa.Martins@harborlane.example",
            "rosa.martins@harborlane.onmicrosoft.com",
            "RMartins@harborlane.example",
            "rosa.personal@mailbox.example",
        ]
    );
    assert_eq!(rosa.created_date_time, Field::Null);
    assert_eq!(rosa.on_premises_sync_enabled, Field::Null);
    assert_eq!(rosa.account_enabled, Field::Value(true));
    let contractor = &page.value[1];
    assert!(contractor.is_guest());
    assert_eq!(contractor.account_enabled, Field::Value(false));
    assert_eq!(contractor.proxy_addresses, Field::Value(vec![]));
    assert_eq!(
        contractor.email_addresses(),
        vec!["contractor@harborlane.example"]
    );
}

#[test]
fn a_proxy_address_with_a_space_after_the_prefix_is_trimmed() {
    let parsed = ProxyAddress::parse("SMTP: someone@harborlane.example").unwrap();
    assert_eq!(parsed.kind, ProxyKind::PrimarySmtp);
    assert_eq!(parsed.address, "someone@harborlane.example");
    assert_eq!(ProxyAddress::parse("no-prefix"), None);
}

#[test]
fn delta_pages_carry_next_or_delta_links_and_removed_entries() {
    let first: Page<DeltaItem> = decode(fixture!("users-delta-round1-initial.json"));
    assert!(first.next_link.is_some());
    assert_eq!(first.delta_link, None);
    assert_eq!(first.value.len(), 4);
    assert_eq!(
        first.value[2],
        DeltaItem::Removed {
            id: "8c5d6e7f-9a0b-4c1d-8e2f-3a4b5c6d7e8f".to_owned(),
            reason: RemovedReason::Deleted,
        }
    );
    let middle: Page<DeltaItem> = decode(fixture!("users-delta-round1-nextlink.json"));
    assert!(middle.next_link.is_some());
    let last: Page<DeltaItem> = decode(fixture!("users-delta-round1-final.json"));
    assert_eq!(last.next_link, None);
    assert!(last.delta_link.as_deref().unwrap().contains("$deltatoken="));
    insta::assert_debug_snapshot!(first.value);
}

#[test]
fn a_second_round_reports_changes_soft_deletes_or_nothing() {
    let nothing: Page<DeltaItem> = decode(fixture!("users-delta-round2-nochanges.json"));
    assert!(nothing.value.is_empty());
    assert!(nothing.delta_link.is_some());
    let changes: Page<DeltaItem> = decode(fixture!("users-delta-round2-changes.json"));
    let DeltaItem::Upsert(user) = &changes.value[0] else {
        panic!("expected a changed user");
    };
    assert_eq!(user.surname.as_str(), Some("Demir-Kaya"));
    assert!(matches!(
        &changes.value[1],
        DeltaItem::Removed {
            reason: RemovedReason::Changed,
            ..
        }
    ));
}

#[test]
fn minimal_delta_items_mark_cleared_properties_as_null_and_unchanged_as_absent() {
    let page: Page<DeltaItem> = decode(fixture!("users-delta-minimal.json"));
    let DeltaItem::Upsert(user) = &page.value[0] else {
        panic!("expected a changed user");
    };
    assert!(user.job_title.is_null(), "cleared");
    assert!(user.mobile_phone.is_absent(), "unchanged");
    let selected: Page<DeltaItem> = decode(fixture!("users-delta-select.json"));
    let DeltaItem::Upsert(user) = &selected.value[0] else {
        panic!("expected a changed user");
    };
    assert!(user.mobile_phone.is_null());
    assert_eq!(user.id, None, "the docs' example has no id");
    let default: Page<DeltaItem> = decode(fixture!("users-delta-default.json"));
    assert_eq!(default.value[0].id(), Some("id-placeholder"));
}

#[test]
fn a_group_decodes_with_its_proxy_addresses_and_nulls() {
    let group: Group = decode(fixture!("group-get.json"));
    assert_eq!(group.group_types, vec!["Unified"]);
    assert_eq!(group.mail_enabled, Some(true));
    assert_eq!(group.security_enabled, Some(false));
    assert_eq!(group.on_premises_sync_enabled, None);
    assert!(group.proxy_addresses[1].starts_with("SPO:"));
    insta::assert_debug_snapshot!(group);
}

#[test]
fn members_of_mixed_types_decode_into_their_own_variants() {
    let page: Page<DirectoryObject> = decode(fixture!("group-members-limitedinfo-mixed.json"));
    let kinds: Vec<&str> = page
        .value
        .iter()
        .map(|member| match member {
            DirectoryObject::User(_) => "user",
            DirectoryObject::Group(_) => "group",
            DirectoryObject::Device(_) => "device",
            DirectoryObject::Other { .. } => "other",
        })
        .collect();
    assert_eq!(kinds, ["user", "group", "device", "other", "other"]);
    let DirectoryObject::Device(device) = &page.value[2] else {
        panic!("expected a device");
    };
    assert_eq!(
        device.display_name, None,
        "limited information: only id and type"
    );
    assert_eq!(
        device.id.as_deref(),
        Some("8a5b6c7d-9e0f-4a1b-8c2d-3e4f5a6b7c8d")
    );
    let DirectoryObject::Other { odata_type, .. } = &page.value[3] else {
        panic!("expected another type");
    };
    assert_eq!(odata_type.as_deref(), Some("#microsoft.graph.orgContact"));
    insta::assert_debug_snapshot!(page.value);
}

#[test]
fn members_without_an_odata_type_are_kept_as_other() {
    let page: Page<DirectoryObject> = decode(fixture!("group-members-list.json"));
    assert!(matches!(
        &page.value[0],
        DirectoryObject::Other {
            odata_type: None,
            id: Some(_),
            ..
        }
    ));
    let filtered: Page<DirectoryObject> = decode(fixture!("group-members-filter-count.json"));
    assert_eq!(filtered.count, Some(41));
    assert_eq!(filtered.value[0].id(), None);
    let transitive: Page<DirectoryObject> = decode(fixture!("group-transitivemembers-list.json"));
    assert!(matches!(&transitive.value[0], DirectoryObject::User(_)));
}

#[test]
fn casts_decode_as_their_target_type_and_count_is_the_total() {
    let users: Page<User> = decode(fixture!("group-members-cast-user-search-count.json"));
    assert_eq!(users.count, Some(5));
    assert_eq!(users.value.len(), 2);
    let groups: Page<Group> = decode(fixture!("group-transitivemembers-cast-group.json"));
    assert_eq!(groups.count, Some(2));
    assert_eq!(groups.value[1].display_name.as_deref(), Some("Night Shift"));
}

#[test]
fn subscribed_skus_give_seats_and_premium_plans() {
    let page: Page<SubscribedSku> = decode(fixture!("subscribedskus-list.json"));
    let premium = &page.value[0];
    assert_eq!(premium.available_units(), 2);
    assert!(premium.includes_entra_premium());
    assert_ne!(
        premium.id, premium.sku_id,
        "the id is tenant_sku, not the SKU id"
    );
    let suspended = &page.value[1];
    assert_eq!(suspended.capability_status.as_deref(), Some("Suspended"));
    assert_eq!(suspended.available_units(), -3);
    assert!(!suspended.includes_entra_premium());
    insta::assert_debug_snapshot!(page.value);
}

#[test]
fn a_secure_score_gives_a_percentage() {
    let page: Page<SecureScore> = decode(fixture!("securescores-list.json"));
    let score = &page.value[0];
    assert!((score.percentage().unwrap() - 51.5).abs() < 1e-9);
    assert_eq!(
        score.azure_tenant_id.as_deref(),
        Some("00000002-0002-0002-0002-000000000002x"),
        "not a GUID, and not rejected"
    );
    assert_eq!(score.control_scores.len(), 2);
    insta::assert_debug_snapshot!(score);
}

#[test]
fn control_scores_with_string_numbers_and_extras_decode() {
    let page: Page<SecureScore> = decode(fixture!("securescores-observed-extras.json"));
    let control = &page.value[0].control_scores[0];
    assert_eq!(control.score, Some(7.5));
    assert_eq!(control.extra["scoreInPercentage"], "75.0");
    assert_eq!(
        page.value[0].max_score,
        Some(800.0),
        "an integer max score is fine"
    );
}

#[test]
fn registration_details_read_guests_and_an_empty_preference() {
    let page: Page<UserRegistrationDetails> = decode(fixture!("userregistrationdetails-list.json"));
    let amara = &page.value[0];
    assert_eq!(amara.is_mfa_registered, Some(true));
    assert_eq!(
        amara.last_updated_date_time.unwrap().subsec_nanosecond(),
        987_654_300
    );
    let guest = &page.value[1];
    assert!(guest.is_guest());
    assert!(guest.methods_registered.is_empty());
    assert_eq!(
        guest.user_preferred_method_for_secondary_authentication,
        None
    );
    assert_eq!(
        page.value[2]
            .user_preferred_method_for_secondary_authentication
            .as_deref(),
        Some("voiceMobile")
    );
    insta::assert_debug_snapshot!(page.value);
}

#[test]
fn report_settings_are_read_wrapped_in_value_or_plain() {
    let wrapped: ReportSettings = decode(fixture!("adminreportsettings-get.json"));
    assert!(wrapped.display_concealed_names);
    let plain: ReportSettings = decode(fixture!("adminreportsettings-plain.json"));
    assert!(!plain.display_concealed_names);
}

#[test]
fn managed_devices_with_offsets_and_placeholders_decode() {
    let page: Page<ManagedDevice> = decode(fixture!("managed-devices-list.json"));
    let device = &page.value[0];
    assert_eq!(device.compliance_state.as_deref(), Some("compliant"));
    assert_eq!(device.managed_device_owner_type.as_deref(), Some("company"));
    assert_eq!(device.user_id.as_deref(), Some("placeholder userId"));
    // -08:00 is eight hours behind UTC.
    assert_eq!(
        device.last_sync_date_time,
        Some(at("2018-07-01T08:05:30.9876543Z"))
    );
    assert_eq!(device.total_storage_space_in_bytes, Some(64));
    insta::assert_debug_snapshot!(device);
}

#[test]
fn gdap_customers_carry_their_tenant_and_etag() {
    let page: Page<DelegatedAdminCustomer> = decode(fixture!("delegatedadmincustomers-list.json"));
    assert_eq!(page.value.len(), 2);
    assert_eq!(page.value[0].id, page.value[0].tenant_id);
    assert!(page.value[1].etag.as_deref().unwrap().starts_with("W/\""));
    assert!(
        page.context
            .unwrap()
            .contains("tenantRelationships/$metadata")
    );
}

#[test]
fn batch_requests_serialise_to_the_documented_shape() {
    use roster_graph::batch::{BatchRequest, validate};

    let built = [
        BatchRequest::get("1", "/organization"),
        BatchRequest::get("2", "/me/planner/tasks"),
        BatchRequest {
            method: "DELETE".to_owned(),
            ..BatchRequest::get("3", "/groups/4c1d2e3f-5a6b-4c7d-8e8f-9a0b1c2d3e4f")
        },
        BatchRequest {
            method: "POST".to_owned(),
            ..BatchRequest::get(
                "4",
                "/users/6a3b4c5d-7e8f-4a9b-8c0d-1e2f3a4b5c6d/getPasswordSingleSignOnCredentials",
            )
        }
        .json_body(serde_json::json!({})),
        BatchRequest::get(
            "5",
            "users?$select=id,displayName,userPrincipalName&$filter=department eq null&$count=true",
        )
        .eventual(),
    ];
    validate(&built).unwrap();
    let sent = serde_json::json!({ "requests": built });
    let documented: serde_json::Value = decode(fixture!("batch-request.json"));
    assert_eq!(sent, documented);

    let chain = [
        BatchRequest::get("1", "..."),
        BatchRequest::get("2", "...").depends_on("1"),
        BatchRequest::get("4", "...").depends_on("2"),
        BatchRequest::get("3", "...").depends_on("4"),
    ];
    validate(&chain).unwrap();
    let documented: serde_json::Value = decode(fixture!("batch-dependson-request.json"));
    assert_eq!(serde_json::json!({ "requests": chain }), documented);
}

#[test]
fn batch_responses_decode_in_any_order() {
    use roster_graph::BatchResponse;

    let response: BatchResponse = decode(fixture!("batch-response.json"));
    let order: Vec<&str> = response.responses.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(order, ["4", "1", "3", "2", "5", "6"]);
    assert_eq!(response.get("5").unwrap().status, 200);
    assert_eq!(
        response.get("1").unwrap().header("odata-version"),
        Some("4.0")
    );
    assert!(!response.get("3").unwrap().is_success());
}
