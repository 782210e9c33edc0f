//! Catalogue of licence SKUs: friendly names, the business tier ladder, and whether a SKU is paid.
//!
//! Licences are identified by the GUID `skuId`; part numbers are not intuitive (`SPB` is
//! Business Premium, `O365_BUSINESS_PREMIUM` is Business *Standard*). Unknown SKUs are shown by
//! part number, never as "undefined".

use std::borrow::Cow;
use std::fmt;

/// The Microsoft 365 business plans, lowest to highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BusinessTier {
    /// Microsoft 365 Business Basic.
    Basic,
    /// Microsoft 365 Apps for business.
    AppsForBusiness,
    /// Microsoft 365 Business Standard.
    Standard,
    /// Microsoft 365 Business Premium.
    Premium,
}

impl fmt::Display for BusinessTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Basic => "Business Basic",
            Self::AppsForBusiness => "Apps for business",
            Self::Standard => "Business Standard",
            Self::Premium => "Business Premium",
        })
    }
}

/// Whether a SKU costs money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cost {
    /// A paid licence.
    Paid,
    /// A free licence (does not make a user "licensed").
    Free,
    /// Not in the catalogue and not recognisable from its part number.
    Unknown,
}

/// A known SKU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkuInfo {
    /// GUID, lower case.
    pub sku_id: &'static str,
    /// Part number.
    pub part_number: &'static str,
    /// Name as the Microsoft 365 admin center shows it.
    pub name: &'static str,
    /// Position on the business ladder, for the four business plans.
    pub tier: Option<BusinessTier>,
    /// Paid or free.
    pub cost: Cost,
}

/// The SKUs Roster knows by ID.
pub const SKUS: &[SkuInfo] = &[
    sku(
        "3b555118-da6a-4418-894f-7df1e2096870",
        "O365_BUSINESS_ESSENTIALS",
        "Microsoft 365 Business Basic",
        Some(BusinessTier::Basic),
    ),
    sku(
        "dab7782a-93b1-4074-8bb1-0e61318bea0b",
        "SMB_BUSINESS_ESSENTIALS",
        "Microsoft 365 Business Basic",
        Some(BusinessTier::Basic),
    ),
    sku(
        "cdd28e44-67e3-425e-be4c-737fab2899d3",
        "O365_BUSINESS",
        "Microsoft 365 Apps for business",
        Some(BusinessTier::AppsForBusiness),
    ),
    sku(
        "b214fe43-f5a3-4703-beeb-fa97188220fc",
        "SMB_BUSINESS",
        "Microsoft 365 Apps for business",
        Some(BusinessTier::AppsForBusiness),
    ),
    sku(
        "f245ecc8-75af-4f8e-b61f-27d8114de5f3",
        "O365_BUSINESS_PREMIUM",
        "Microsoft 365 Business Standard",
        Some(BusinessTier::Standard),
    ),
    sku(
        "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46",
        "SPB",
        "Microsoft 365 Business Premium",
        Some(BusinessTier::Premium),
    ),
    sku(
        "18181a46-0d4e-45cd-891e-60aabd171b4e",
        "STANDARDPACK",
        "Office 365 E1",
        None,
    ),
    sku(
        "6fd2c87f-b296-42f0-b197-1e91e994b900",
        "ENTERPRISEPACK",
        "Office 365 E3",
        None,
    ),
    sku(
        "c7df2760-2c81-4ef7-b578-5b5392b571df",
        "ENTERPRISEPREMIUM",
        "Office 365 E5",
        None,
    ),
    sku(
        "05e9a617-0261-4cee-bb44-138d3ef5d965",
        "SPE_E3",
        "Microsoft 365 E3",
        None,
    ),
    sku(
        "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
        "SPE_E5",
        "Microsoft 365 E5",
        None,
    ),
    sku(
        "4b9405b0-7788-4568-add1-99614e613b69",
        "EXCHANGESTANDARD",
        "Exchange Online (Plan 1)",
        None,
    ),
    sku(
        "078d2b04-f1bd-4111-bbd4-b4b1b354cef4",
        "AAD_PREMIUM",
        "Microsoft Entra ID P1",
        None,
    ),
    sku(
        "84a661c4-e949-4bd2-a560-ed7766fcaf2b",
        "AAD_PREMIUM_P2",
        "Microsoft Entra ID P2",
        None,
    ),
];

const fn sku(
    sku_id: &'static str,
    part_number: &'static str,
    name: &'static str,
    tier: Option<BusinessTier>,
) -> SkuInfo {
    SkuInfo {
        sku_id,
        part_number,
        name,
        tier,
        cost: Cost::Paid,
    }
}

/// A known SKU by its GUID (case-insensitive).
#[must_use]
pub fn by_sku_id(sku_id: &str) -> Option<&'static SkuInfo> {
    SKUS.iter()
        .find(|s| s.sku_id.eq_ignore_ascii_case(sku_id.trim()))
}

/// A known SKU by part number (case-insensitive).
#[must_use]
pub fn by_part_number(part_number: &str) -> Option<&'static SkuInfo> {
    SKUS.iter()
        .find(|s| s.part_number.eq_ignore_ascii_case(part_number.trim()))
}

/// The name to show for a SKU: the catalogue name, else the part number, else the GUID.
#[must_use]
pub fn display_name<'a>(sku_id: &'a str, part_number: Option<&'a str>) -> Cow<'a, str> {
    if let Some(known) = by_sku_id(sku_id) {
        return Cow::Borrowed(known.name);
    }
    match part_number.map(str::trim).filter(|p| !p.is_empty()) {
        Some(part) => by_part_number(part).map_or(Cow::Borrowed(part), |k| Cow::Borrowed(k.name)),
        None => Cow::Borrowed(sku_id),
    }
}

/// Whether a SKU is paid. Catalogue entries are paid; unknown part numbers that name themselves
/// free (`..._FREE`, `FREE_...`, `..._VIRAL`) are free; anything else is unknown.
#[must_use]
pub fn cost(sku_id: &str, part_number: Option<&str>) -> Cost {
    if let Some(known) = by_sku_id(sku_id) {
        return known.cost;
    }
    let Some(part) = part_number.map(str::to_ascii_uppercase) else {
        return Cost::Unknown;
    };
    if let Some(known) = by_part_number(&part) {
        return known.cost;
    }
    let words: Vec<&str> = part.split('_').collect();
    if words.iter().any(|w| *w == "FREE" || *w == "VIRAL") {
        Cost::Free
    } else {
        Cost::Unknown
    }
}

/// The highest business tier among `sku_ids`, if any of them is a business plan.
#[must_use]
pub fn highest_business_tier<'a>(
    sku_ids: impl IntoIterator<Item = &'a str>,
) -> Option<BusinessTier> {
    sku_ids
        .into_iter()
        .filter_map(by_sku_id)
        .filter_map(|s| s.tier)
        .max()
}
