//! The licence (SKU) catalogue the emulator knows, and the Graph application permissions it checks.

use uuid::Uuid;

/// A service plan inside a SKU.
#[derive(Debug, Clone, Copy)]
pub struct PlanDef {
    /// The service plan id.
    pub id: Uuid,
    /// The service plan name, e.g. `EXCHANGE_S_STANDARD`.
    pub name: &'static str,
}

/// A SKU definition from the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct SkuDef {
    /// The SKU id (GUID) that `assignedLicenses[].skuId` refers to.
    pub sku_id: Uuid,
    /// The part number, e.g. `SPB`.
    pub part_number: &'static str,
    /// The product name the CSV reports use in "Assigned Products".
    pub product_name: &'static str,
    /// Whether the SKU is free (no prepaid cost).
    pub free: bool,
    /// The service plans it contains.
    pub plans: &'static [PlanDef],
}

const fn id(s: &str) -> Uuid {
    match Uuid::try_parse(s) {
        Ok(u) => u,
        Err(_) => Uuid::nil(),
    }
}

/// Plan names that make a tenant count as having Entra ID P1 or better.
pub const PREMIUM_PLANS: [&str; 2] = ["AAD_PREMIUM", "AAD_PREMIUM_P2"];

const AAD_PREMIUM: PlanDef = PlanDef {
    id: id("41781fb2-bc02-4b7c-bd55-b576c07bb09d"),
    name: "AAD_PREMIUM",
};
const AAD_PREMIUM_P2: PlanDef = PlanDef {
    id: id("eec0eb4f-6444-4f95-aba0-50c24d67f998"),
    name: "AAD_PREMIUM_P2",
};
// The ids of the plans below are illustrative; reports and licence checks look at the names.
const EXCHANGE_S_STANDARD: PlanDef = PlanDef {
    id: id("9aaf7827-d63c-4b61-89c3-182f06f82e5c"),
    name: "EXCHANGE_S_STANDARD",
};
const EXCHANGE_S_ENTERPRISE: PlanDef = PlanDef {
    id: id("efb87545-963c-4e0d-99df-69c6916d9eb0"),
    name: "EXCHANGE_S_ENTERPRISE",
};
const SHAREPOINTSTANDARD: PlanDef = PlanDef {
    id: id("c7699d2e-19aa-44de-8edf-1736da088ca1"),
    name: "SHAREPOINTSTANDARD",
};
const SHAREPOINTENTERPRISE: PlanDef = PlanDef {
    id: id("5dbe027f-2339-4123-9542-606e4d348a72"),
    name: "SHAREPOINTENTERPRISE",
};
const TEAMS1: PlanDef = PlanDef {
    id: id("57ff2da0-773e-42df-b2af-ffb7a2317929"),
    name: "TEAMS1",
};
const OFFICESUBSCRIPTION: PlanDef = PlanDef {
    id: id("43de0ff5-c92c-492b-9116-175376d08c38"),
    name: "OFFICESUBSCRIPTION",
};
const INTUNE_A: PlanDef = PlanDef {
    id: id("c1ec4a95-1f05-45b3-a911-aa3fa01094f5"),
    name: "INTUNE_A",
};
const YAMMER_ENTERPRISE: PlanDef = PlanDef {
    id: id("7547a3fe-08ee-4ccb-b430-5077c5041653"),
    name: "YAMMER_ENTERPRISE",
};
const FLOW_P2_VIRAL: PlanDef = PlanDef {
    id: id("50e68c76-46c6-4674-81f9-75456511b170"),
    name: "FLOW_P2_VIRAL",
};
const BI_AZURE_P0: PlanDef = PlanDef {
    id: id("2049e525-b859-401b-b2a0-e0a31c4b1fe4"),
    name: "BI_AZURE_P0",
};

/// Every SKU the emulator knows by id.
pub const SKUS: &[SkuDef] = &[
    SkuDef {
        sku_id: id("3b555118-da6a-4418-894f-7df1e2096870"),
        part_number: "O365_BUSINESS_ESSENTIALS",
        product_name: "MICROSOFT 365 BUSINESS BASIC",
        free: false,
        plans: &[
            EXCHANGE_S_STANDARD,
            SHAREPOINTSTANDARD,
            TEAMS1,
            YAMMER_ENTERPRISE,
        ],
    },
    SkuDef {
        sku_id: id("f245ecc8-75af-4f8e-b61f-27d8114de5f3"),
        part_number: "O365_BUSINESS_PREMIUM",
        product_name: "MICROSOFT 365 BUSINESS STANDARD",
        free: false,
        plans: &[
            EXCHANGE_S_STANDARD,
            SHAREPOINTSTANDARD,
            TEAMS1,
            OFFICESUBSCRIPTION,
            YAMMER_ENTERPRISE,
        ],
    },
    SkuDef {
        sku_id: id("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"),
        part_number: "SPB",
        product_name: "MICROSOFT 365 BUSINESS PREMIUM",
        free: false,
        plans: &[
            EXCHANGE_S_STANDARD,
            SHAREPOINTSTANDARD,
            TEAMS1,
            OFFICESUBSCRIPTION,
            INTUNE_A,
            AAD_PREMIUM,
            YAMMER_ENTERPRISE,
        ],
    },
    SkuDef {
        sku_id: id("cdd28e44-67e3-425e-be4c-737fab2899d3"),
        part_number: "O365_BUSINESS",
        product_name: "MICROSOFT 365 APPS FOR BUSINESS",
        free: false,
        plans: &[OFFICESUBSCRIPTION],
    },
    SkuDef {
        sku_id: id("18181a46-0d4e-45cd-891e-60aabd171b4e"),
        part_number: "STANDARDPACK",
        product_name: "OFFICE 365 E1",
        free: false,
        plans: &[EXCHANGE_S_STANDARD, SHAREPOINTSTANDARD, TEAMS1],
    },
    SkuDef {
        sku_id: id("6fd2c87f-b296-42f0-b197-1e91e994b900"),
        part_number: "ENTERPRISEPACK",
        product_name: "OFFICE 365 E3",
        free: false,
        plans: &[
            EXCHANGE_S_ENTERPRISE,
            SHAREPOINTENTERPRISE,
            TEAMS1,
            OFFICESUBSCRIPTION,
            YAMMER_ENTERPRISE,
        ],
    },
    SkuDef {
        sku_id: id("c7df2760-2c81-4ef7-b578-5b5392b571df"),
        part_number: "ENTERPRISEPREMIUM",
        product_name: "OFFICE 365 E5",
        free: false,
        plans: &[
            EXCHANGE_S_ENTERPRISE,
            SHAREPOINTENTERPRISE,
            TEAMS1,
            OFFICESUBSCRIPTION,
        ],
    },
    SkuDef {
        sku_id: id("05e9a617-0261-4cee-bb44-138d3ef5d965"),
        part_number: "SPE_E3",
        product_name: "MICROSOFT 365 E3",
        free: false,
        plans: &[
            EXCHANGE_S_ENTERPRISE,
            SHAREPOINTENTERPRISE,
            TEAMS1,
            OFFICESUBSCRIPTION,
            INTUNE_A,
            AAD_PREMIUM,
        ],
    },
    SkuDef {
        sku_id: id("06ebc4ee-1bb5-47dd-8120-11324bc54e06"),
        part_number: "SPE_E5",
        product_name: "MICROSOFT 365 E5",
        free: false,
        plans: &[
            EXCHANGE_S_ENTERPRISE,
            SHAREPOINTENTERPRISE,
            TEAMS1,
            OFFICESUBSCRIPTION,
            INTUNE_A,
            AAD_PREMIUM,
            AAD_PREMIUM_P2,
        ],
    },
    SkuDef {
        sku_id: id("4b9405b0-7788-4568-add1-99614e613b69"),
        part_number: "EXCHANGESTANDARD",
        product_name: "EXCHANGE ONLINE (PLAN 1)",
        free: false,
        plans: &[EXCHANGE_S_STANDARD],
    },
    SkuDef {
        sku_id: id("078d2b04-f1bd-4111-bbd4-b4b1b354cef4"),
        part_number: "AAD_PREMIUM",
        product_name: "MICROSOFT ENTRA ID P1",
        free: false,
        plans: &[AAD_PREMIUM],
    },
    SkuDef {
        sku_id: id("84a661c4-e949-4bd2-a560-ed7766fcaf2b"),
        part_number: "AAD_PREMIUM_P2",
        product_name: "MICROSOFT ENTRA ID P2",
        free: false,
        plans: &[AAD_PREMIUM, AAD_PREMIUM_P2],
    },
    SkuDef {
        sku_id: id("f30db892-07e9-47e9-837c-80727f46fd3d"),
        part_number: "FLOW_FREE",
        product_name: "MICROSOFT POWER AUTOMATE FREE",
        free: true,
        plans: &[FLOW_P2_VIRAL],
    },
    SkuDef {
        sku_id: id("a403ebcc-fae0-4ca2-8c8c-7a907fd6c235"),
        part_number: "POWER_BI_STANDARD",
        product_name: "MICROSOFT FABRIC (FREE)",
        free: true,
        plans: &[BI_AZURE_P0],
    },
];

/// Looks a SKU up by part number (case-insensitive).
#[must_use]
pub fn sku_by_part(part: &str) -> Option<&'static SkuDef> {
    SKUS.iter()
        .find(|s| s.part_number.eq_ignore_ascii_case(part))
}

/// Looks a SKU up by id.
#[must_use]
pub fn sku_by_id(sku_id: &Uuid) -> Option<&'static SkuDef> {
    SKUS.iter().find(|s| &s.sku_id == sku_id)
}

/// The Graph application permissions the emulator knows, with the role ids Entra uses.
pub const PERMISSIONS: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "User.ReadBasic.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Organization.Read.All",
    "Organization.ReadWrite.All",
    "Group.Read.All",
    "GroupMember.Read.All",
    "AuditLog.Read.All",
    "SecurityEvents.Read.All",
    "SecurityEvents.ReadWrite.All",
    "Reports.Read.All",
    "ReportSettings.Read.All",
    "ReportSettings.ReadWrite.All",
    "DeviceManagementManagedDevices.Read.All",
    "DeviceManagementManagedDevices.ReadWrite.All",
    "DelegatedAdminRelationship.Read.All",
    "DelegatedAdminRelationship.ReadWrite.All",
];

/// The application permissions a Roster deployment asks its customers to consent.
pub const ROSTER_PERMISSIONS: &[&str] = &[
    "User.Read.All",
    "Organization.Read.All",
    "GroupMember.Read.All",
    "AuditLog.Read.All",
    "SecurityEvents.Read.All",
    "Reports.Read.All",
    "ReportSettings.Read.All",
    "DeviceManagementManagedDevices.Read.All",
];
