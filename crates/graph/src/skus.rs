//! Catalogue of licence SKUs: friendly names, the business tier ladder, and whether a SKU is paid.
//!
//! Licences are identified by the GUID `skuId`; part numbers are not intuitive (`SPB` is
//! Business Premium, `O365_BUSINESS_PREMIUM` is Business *Standard*). Unknown SKUs are shown by
//! part number, never as "undefined".

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

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
    /// A trial (does not make a user "licensed" either).
    Trial,
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

/// The catalogue's data file: one SKU per line (see the file's own header).
pub const CATALOGUE: &str = include_str!("../data/skus.csv");

/// The SKUs Roster knows by ID, read from [`CATALOGUE`] once.
pub fn known() -> &'static [SkuInfo] {
    static KNOWN: LazyLock<Vec<SkuInfo>> = LazyLock::new(|| match parse_catalogue(CATALOGUE) {
        Ok(list) => list,
        Err(e) => {
            // The file is part of the build and tested; this cannot happen in a release.
            tracing::error!(error = %e, "the licence catalogue is malformed; SKUs are shown by part number");
            Vec::new()
        }
    });
    &KNOWN
}

/// Parses a catalogue in the format of `data/skus.csv`.
///
/// # Errors
/// The line number and what is wrong with it.
pub fn parse_catalogue(text: &'static str) -> Result<Vec<SkuInfo>, String> {
    let mut out: Vec<SkuInfo> = Vec::new();
    let mut header = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header {
            if line != "sku_id,part_number,name,tier,kind" {
                return Err(format!("line {}: expected the header row", i + 1));
            }
            header = true;
            continue;
        }
        let cells: Vec<&'static str> = line.split(',').map(str::trim).collect();
        let [sku_id, part_number, name, tier, kind] = cells[..] else {
            return Err(format!(
                "line {}: expected 5 fields, found {}",
                i + 1,
                cells.len()
            ));
        };
        let is_guid = sku_id.len() == 36
            && sku_id.chars().enumerate().all(|(j, c)| {
                if [8, 13, 18, 23].contains(&j) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit() && !c.is_ascii_uppercase()
                }
            });
        if !is_guid {
            return Err(format!(
                "line {}: {sku_id:?} is not a lower-case GUID",
                i + 1
            ));
        }
        if part_number.is_empty() || name.is_empty() {
            return Err(format!("line {}: part number and name are required", i + 1));
        }
        let tier = match tier {
            "" => None,
            "Basic" => Some(BusinessTier::Basic),
            "AppsForBusiness" => Some(BusinessTier::AppsForBusiness),
            "Standard" => Some(BusinessTier::Standard),
            "Premium" => Some(BusinessTier::Premium),
            other => return Err(format!("line {}: unknown tier {other:?}", i + 1)),
        };
        let cost = match kind {
            "paid" => Cost::Paid,
            "free" => Cost::Free,
            "trial" => Cost::Trial,
            other => return Err(format!("line {}: unknown kind {other:?}", i + 1)),
        };
        if out.iter().any(|s| s.sku_id == sku_id) {
            return Err(format!("line {}: {sku_id} is listed twice", i + 1));
        }
        out.push(SkuInfo {
            sku_id,
            part_number,
            name,
            tier,
            cost,
        });
    }
    if header {
        Ok(out)
    } else {
        Err("the header row is missing".to_owned())
    }
}

/// A known SKU by its GUID (case-insensitive).
#[must_use]
pub fn by_sku_id(sku_id: &str) -> Option<&'static SkuInfo> {
    static BY_ID: LazyLock<std::collections::HashMap<&'static str, usize>> = LazyLock::new(|| {
        known()
            .iter()
            .enumerate()
            .map(|(i, s)| (s.sku_id, i))
            .collect()
    });
    let id = sku_id.trim();
    // Graph sends skuIds in lower case, as the catalogue keeps them.
    let found = match BY_ID.get(id) {
        Some(i) => Some(*i),
        None if id.bytes().any(|b| b.is_ascii_uppercase()) => {
            BY_ID.get(id.to_ascii_lowercase().as_str()).copied()
        }
        None => None,
    };
    found.and_then(|i| known().get(i))
}

/// A known SKU by part number (case-insensitive).
#[must_use]
pub fn by_part_number(part_number: &str) -> Option<&'static SkuInfo> {
    known()
        .iter()
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

/// Whether a SKU is paid, free or a trial: the catalogue's word, else its part number's
/// (`..._FREE`, `FREE_...`, `..._VIRAL` are free, `..._TRIAL` a trial); anything else is unknown.
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
    } else if words.contains(&"TRIAL") {
        Cost::Trial
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
