//! The permission and SKU catalogues.

use roster_graph::RolesClaim;
use roster_graph::permissions::{self, DataSource, Requirement};
use roster_graph::skus::{self, BusinessTier, Cost};

fn roles(names: &[&str]) -> RolesClaim {
    RolesClaim::Present(names.iter().map(|n| (*n).to_owned()).collect())
}

#[test]
fn the_catalogue_lists_six_required_and_two_optional_permissions() {
    let required: Vec<&str> = permissions::required().map(|p| p.name).collect();
    assert_eq!(
        required,
        [
            "User.Read.All",
            "GroupMember.Read.All",
            "Organization.Read.All",
            "SecurityEvents.Read.All",
            "AuditLog.Read.All",
            "Reports.Read.All"
        ]
    );
    let optional: Vec<&str> = permissions::optional().map(|p| p.name).collect();
    assert_eq!(
        optional,
        [
            "DeviceManagementManagedDevices.Read.All",
            "ReportSettings.Read.All"
        ]
    );
    assert_eq!(
        permissions::permission("reports.read.all")
            .unwrap()
            .requirement,
        Requirement::Required
    );
}

#[test]
fn every_data_source_is_unlocked_by_some_permission() {
    for source in DataSource::ALL {
        assert!(!source.permissions().is_empty(), "{source}");
    }
    assert!(DataSource::MfaRegistration.needs_entra_premium());
    assert!(!DataSource::Licences.needs_entra_premium());
    let names: Vec<&str> = DataSource::SecureScore
        .permissions()
        .iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["SecurityEvents.Read.All"]);
}

#[test]
fn a_token_without_roles_means_no_admin_consent() {
    let check = permissions::check(&RolesClaim::Absent);
    assert!(check.no_roles_claim);
    assert!(!check.is_complete());
    assert_eq!(check.missing_required.len(), 6);
    assert!(check.available.is_empty());
}

#[test]
fn missing_permissions_block_exactly_their_data_sources() {
    let check = permissions::check(&roles(&[
        "User.Read.All",
        "GroupMember.Read.All",
        "Organization.Read.All",
        "SecurityEvents.Read.All",
        "Reports.Read.All",
        "ReportSettings.Read.All",
    ]));
    assert!(!check.no_roles_claim);
    let missing: Vec<&str> = check.missing_required.iter().map(|p| p.name).collect();
    assert_eq!(missing, ["AuditLog.Read.All"]);
    assert_eq!(
        check.blocked,
        [
            DataSource::SignInActivity,
            DataSource::MfaRegistration,
            DataSource::ManagedDevices
        ]
    );
    assert!(check.available.contains(&DataSource::Users));
}

#[test]
fn broader_permissions_count_as_granting_narrower_ones() {
    let check = permissions::check(&roles(&[
        "Directory.Read.All",
        "SecurityEvents.Read.All",
        "AuditLog.Read.All",
        "Reports.Read.All",
    ]));
    assert!(check.is_complete(), "{:?}", check.missing_required);
}

#[test]
fn part_numbers_map_to_the_names_people_know() {
    let spb = skus::by_sku_id("CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46").unwrap();
    assert_eq!(spb.part_number, "SPB");
    assert_eq!(spb.name, "Microsoft 365 Business Premium");
    assert_eq!(
        skus::by_part_number("O365_BUSINESS_PREMIUM").unwrap().name,
        "Microsoft 365 Business Standard"
    );
    assert_eq!(
        skus::by_part_number("ENTERPRISEPREMIUM").unwrap().name,
        "Office 365 E5"
    );
    assert_eq!(
        skus::by_part_number("STANDARDPACK").unwrap().name,
        "Office 365 E1"
    );
}

#[test]
fn unknown_skus_are_shown_by_part_number_never_undefined() {
    assert_eq!(
        skus::display_name(
            "6c3d4e5f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
            Some("UNLISTED_PRODUCT")
        ),
        "UNLISTED_PRODUCT"
    );
    assert_eq!(
        skus::display_name("6c3d4e5f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", None),
        "6c3d4e5f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
    );
    assert_eq!(
        skus::display_name(
            "6c3d4e5f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
            Some("AAD_PREMIUM_P2")
        ),
        "Microsoft Entra ID P2"
    );
}

#[test]
fn the_business_ladder_orders_basic_below_premium() {
    assert!(BusinessTier::Basic < BusinessTier::AppsForBusiness);
    assert!(BusinessTier::AppsForBusiness < BusinessTier::Standard);
    assert!(BusinessTier::Standard < BusinessTier::Premium);
    assert_eq!(
        skus::highest_business_tier([
            "3b555118-da6a-4418-894f-7df1e2096870",
            "f245ecc8-75af-4f8e-b61f-27d8114de5f3",
            "078d2b04-f1bd-4111-bbd4-b4b1b354cef4",
        ]),
        Some(BusinessTier::Standard)
    );
    assert_eq!(
        skus::highest_business_tier(["c7df2760-2c81-4ef7-b578-5b5392b571df"]),
        None,
        "enterprise plans are not on the business ladder"
    );
}

#[test]
fn catalogue_skus_are_paid_and_free_part_numbers_are_recognised() {
    assert_eq!(
        skus::cost("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", None),
        Cost::Paid
    );
    assert_eq!(
        skus::cost("00000000-0000-0000-0000-000000000001", Some("FLOW_FREE")),
        Cost::Free
    );
    assert_eq!(
        skus::cost(
            "00000000-0000-0000-0000-000000000002",
            Some("POWERAPPS_VIRAL")
        ),
        Cost::Free
    );
    assert_eq!(
        skus::cost(
            "00000000-0000-0000-0000-000000000003",
            Some("FREEDOM_SUITE")
        ),
        Cost::Unknown,
        "only whole words count"
    );
    assert_eq!(
        skus::cost("00000000-0000-0000-0000-000000000004", None),
        Cost::Unknown
    );
}

#[test]
fn the_catalogue_file_parses_and_covers_the_families_msps_sell() {
    let all = skus::parse_catalogue(skus::CATALOGUE).expect("the data file is well-formed");
    assert_eq!(all.len(), skus::known().len());
    assert!(all.len() >= 100, "{} SKUs", all.len());
    for part in [
        "O365_BUSINESS_ESSENTIALS",
        "Microsoft_365_Business_Basic_EEA_(no_Teams)",
        "O365_BUSINESS",
        "O365_BUSINESS_PREMIUM",
        "MICROSOFT_365_BUSINESS_STANDARD_NO_TEAMS",
        "SPB",
        "Microsoft_365_Business_Premium_Donation_(Non_Profit_Pricing)",
        "STANDARDPACK",
        "ENTERPRISEPACK",
        "ENTERPRISEPREMIUM",
        "SPE_E3",
        "SPE_E5",
        "M365_F1",
        "SPE_F1",
        "AAD_PREMIUM",
        "AAD_PREMIUM_P2",
        "EXCHANGESTANDARD",
        "EXCHANGEENTERPRISE",
        "INTUNE_A",
        "ATP_ENTERPRISE",
        "MDE_SMB",
        "Teams_Ess",
        "POWER_BI_PRO",
        "VISIOCLIENT",
        "PROJECTPREMIUM",
    ] {
        assert!(
            skus::by_part_number(part).is_some(),
            "{part} is in the catalogue"
        );
    }
    // Every variant of a business plan sits on its rung of the ladder.
    for (part, tier) in [
        (
            "Microsoft_365_Business_Basic_EEA_(no_Teams)",
            BusinessTier::Basic,
        ),
        (
            "Microsoft_365_Business_Standard_EEA_(no_Teams)",
            BusinessTier::Standard,
        ),
        (
            "Microsoft_365_ Business_ Premium_(no Teams)",
            BusinessTier::Premium,
        ),
        (
            "Microsoft_365_Business_Premium_Donation_(Non_Profit_Pricing)",
            BusinessTier::Premium,
        ),
    ] {
        assert_eq!(
            skus::by_part_number(part).and_then(|s| s.tier),
            Some(tier),
            "{part}"
        );
    }
    let kind = |part: &str| skus::by_part_number(part).map(|s| s.cost);
    assert_eq!(kind("FLOW_FREE"), Some(Cost::Free));
    assert_eq!(kind("TEAMS_EXPLORATORY"), Some(Cost::Free));
    assert_eq!(kind("POWER_BI_STANDARD"), Some(Cost::Free));
    assert_eq!(kind("MS_TEAMS_IW"), Some(Cost::Trial));
    assert_eq!(kind("SPB"), Some(Cost::Paid));
}

#[test]
fn a_malformed_catalogue_line_is_refused_with_its_number() {
    let header = "sku_id,part_number,name,tier,kind\n";
    let cases: [(&'static str, &str); 5] = [
        ("# only a comment\n", "header"),
        (
            "sku_id,part_number,name,tier,kind\nnot-a-guid,X,Y,,paid\n",
            "line 2",
        ),
        (
            "sku_id,part_number,name,tier,kind\n3b555118-da6a-4418-894f-7df1e2096870,X,Y,Gold,paid\n",
            "tier",
        ),
        (
            "sku_id,part_number,name,tier,kind\n3b555118-da6a-4418-894f-7df1e2096870,X,Y,,cheap\n",
            "kind",
        ),
        (
            "sku_id,part_number,name,tier,kind\n3b555118-da6a-4418-894f-7df1e2096870,X,Y,,paid\n3b555118-da6a-4418-894f-7df1e2096870,Z,W,,paid\n",
            "twice",
        ),
    ];
    for (text, says) in cases {
        let err = skus::parse_catalogue(text).expect_err(text);
        assert!(err.contains(says), "{err}");
    }
    assert_eq!(
        skus::parse_catalogue(header)
            .expect("an empty catalogue")
            .len(),
        0
    );
    assert_eq!(
        skus::cost(
            "00000000-0000-0000-0000-000000000005",
            Some("POWER_BI_PRO_TRIAL")
        ),
        Cost::Trial
    );
}
