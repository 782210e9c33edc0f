//! Which of a tenant's users become contacts: the connection's scope and filters, the count each
//! filter excludes, and the normalization of Graph's user objects into what the plan reads.

use super::fields::{SyncField, Values};
use super::plan::EntraUser;
use roster_domain::plain_name;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The longest value kept for a synced field (longer ones are cut at a character boundary).
pub const MAX_FIELD_CHARS: usize = 256;

/// A connection's filters. Guests are excluded unless the connection says otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    pub exclude_guests: bool,
    pub exclude_disabled: bool,
    pub exclude_unlicensed: bool,
    /// Users whose only addresses are `*.onmicrosoft.com` ones.
    pub exclude_onmicrosoft_only: bool,
    /// Service accounts by name: matched against the UPN's local part and the display name.
    pub service_accounts: Option<NamePattern>,
}

impl Default for Filters {
    fn default() -> Self {
        Self {
            exclude_guests: true,
            exclude_disabled: false,
            exclude_unlicensed: false,
            exclude_onmicrosoft_only: false,
            service_accounts: None,
        }
    }
}

/// The filter that excluded a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    Guest,
    Disabled,
    Unlicensed,
    OnMicrosoftOnly,
    ServiceAccount,
}

impl Exclusion {
    pub fn label(self) -> &'static str {
        match self {
            Exclusion::Guest => "Guests",
            Exclusion::Disabled => "Disabled accounts",
            Exclusion::Unlicensed => "Users without a licence",
            Exclusion::OnMicrosoftOnly => "Users with only onmicrosoft.com addresses",
            Exclusion::ServiceAccount => "Service accounts (by name)",
        }
    }
}

/// A service-account name pattern: one or more comma-separated globs (`*` any run of
/// characters, `?` one character), compared without regard to case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamePattern {
    globs: Vec<String>,
}

impl NamePattern {
    /// Parses the pattern as typed; `Ok(None)` when it is empty.
    pub fn parse(input: &str) -> Result<Option<Self>, String> {
        let globs: Vec<String> = input
            .split(',')
            .map(|g| g.trim().to_lowercase())
            .filter(|g| !g.is_empty())
            .collect();
        if globs.is_empty() {
            return Ok(None);
        }
        for g in &globs {
            if g.chars().count() > 100 {
                return Err("Keep each pattern to at most 100 characters.".into());
            }
            if g.chars().all(|c| c == '*' || c == '?') {
                return Err(format!(
                    "“{g}” would match every account. Name part of the account, for example svc-* or *-noreply."
                ));
            }
            if let Some(bad) = g
                .chars()
                .find(|c| !(c.is_alphanumeric() || " .-_@*?'+".contains(*c)))
            {
                return Err(format!(
                    "“{bad}” cannot be used in a name pattern. Use letters, digits, . - _ @ and the wildcards * and ?."
                ));
            }
        }
        Ok(Some(Self { globs }))
    }

    /// The pattern as typed back into the form.
    pub fn as_text(&self) -> String {
        self.globs.join(", ")
    }

    /// Whether `name` matches any of the globs.
    pub fn matches(&self, name: &str) -> bool {
        let name: Vec<char> = name.to_lowercase().chars().collect();
        self.globs.iter().any(|g| {
            let g: Vec<char> = g.chars().collect();
            glob(&g, &name)
        })
    }
}

/// Iterative wildcard matching with backtracking to the last `*` (linear for these patterns).
fn glob(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// A user as the scope rules read it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidate {
    pub user: EntraUser,
    pub guest: bool,
    /// Holds at least one licence that is not known to be free.
    pub licensed: bool,
}

/// The first filter that excludes `c`, if any.
pub fn excluded_by(filters: &Filters, c: &Candidate) -> Option<Exclusion> {
    let u = &c.user;
    if filters.exclude_guests && c.guest {
        return Some(Exclusion::Guest);
    }
    if filters.exclude_disabled && !u.enabled {
        return Some(Exclusion::Disabled);
    }
    if filters.exclude_unlicensed && !c.licensed {
        return Some(Exclusion::Unlicensed);
    }
    if filters.exclude_onmicrosoft_only {
        let mut all = u
            .addresses
            .iter()
            .map(String::as_str)
            .chain(u.upn.as_deref());
        if all.all(|a| a.ends_with(".onmicrosoft.com")) {
            return Some(Exclusion::OnMicrosoftOnly);
        }
    }
    if let Some(p) = &filters.service_accounts {
        let local = u.upn.as_deref().and_then(|x| x.split('@').next());
        let display = u.values[SyncField::DisplayName.index()].as_deref();
        if local.is_some_and(|l| p.matches(l)) || display.is_some_and(|d| p.matches(d)) {
            return Some(Exclusion::ServiceAccount);
        }
    }
    None
}

/// A text value from Graph as a synced value: control and direction characters removed, trimmed,
/// cut to [`MAX_FIELD_CHARS`]; blank is `None`.
pub fn clean(value: Option<&str>) -> Option<String> {
    let v = plain_name(value?);
    if v.is_empty() {
        return None;
    }
    Some(v.chars().take(MAX_FIELD_CHARS).collect())
}

/// Normalizes one of Graph's users. `free_skus` are the tenant's SKUs known to be free (they do
/// not make a user licensed); `groups` the contact groups the user is in. `None` without an id.
pub fn normalize(
    u: &roster_graph::models::User,
    free_skus: &HashSet<String>,
    groups: Vec<String>,
) -> Option<Candidate> {
    let object_id = u.id.clone()?.trim().to_lowercase();
    if object_id.is_empty() {
        return None;
    }
    let s = |f: &roster_graph::Field<String>| clean(f.as_str());
    // Entra keeps both street lines in one value, separated by a line break.
    let (street1, street2) = match u.street_address.as_str() {
        Some(st) => {
            let mut lines = st.splitn(2, ['\n', '\r']);
            let first = clean(lines.next());
            let second = clean(lines.next());
            match first {
                Some(f) => (Some(f), second),
                None => (second, None),
            }
        }
        None => (None, None),
    };
    let business_phone = u
        .business_phones
        .value()
        .and_then(|p| p.iter().find_map(|n| clean(Some(n))));
    let mut values: Values = Default::default();
    values[SyncField::DisplayName.index()] = s(&u.display_name);
    values[SyncField::FirstName.index()] = s(&u.given_name);
    values[SyncField::LastName.index()] = s(&u.surname);
    values[SyncField::Email.index()] = s(&u.mail);
    values[SyncField::JobTitle.index()] = s(&u.job_title);
    values[SyncField::Department.index()] = s(&u.department);
    values[SyncField::Company.index()] = s(&u.company_name);
    values[SyncField::BusinessPhone.index()] = business_phone;
    values[SyncField::MobilePhone.index()] = s(&u.mobile_phone);
    values[SyncField::Street1.index()] = street1;
    values[SyncField::Street2.index()] = street2;
    values[SyncField::City.index()] = s(&u.city);
    values[SyncField::State.index()] = s(&u.state);
    values[SyncField::PostalCode.index()] = s(&u.postal_code);
    values[SyncField::Country.index()] = s(&u.country);

    let mut addresses: Vec<String> = Vec::new();
    let mut push = |a: &str| {
        let a = a.trim().to_lowercase();
        if a.contains('@') && !addresses.contains(&a) {
            addresses.push(a);
        }
    };
    if let Some(m) = u.mail.as_str() {
        push(m);
    }
    for p in u.proxy_addresses.value().into_iter().flatten() {
        if let Some(rest) = p.strip_prefix("smtp:").or_else(|| p.strip_prefix("SMTP:")) {
            push(rest);
        } else if p.len() > 5 && p[..5].eq_ignore_ascii_case("smtp:") {
            push(&p[5..]);
        }
    }
    for m in u.other_mails.value().into_iter().flatten() {
        push(m);
    }
    let upn = clean(u.user_principal_name.as_str()).map(|x| x.to_lowercase());
    let guest = u
        .user_type
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
        || upn.as_deref().is_some_and(|x| x.contains("#ext#"));
    let licensed = u.assigned_licenses.value().is_some_and(|l| {
        l.iter()
            .any(|a| !free_skus.contains(&a.sku_id.to_lowercase()))
    });
    let mut groups = groups;
    groups.sort();
    groups.dedup();
    Some(Candidate {
        user: EntraUser {
            object_id,
            values,
            upn,
            addresses,
            enabled: u.account_enabled.value().copied().unwrap_or(true),
            groups,
        },
        guest,
        licensed,
    })
}
