//! `user` objects from `/users` and `/users/delta`, with sign-in activity, licences and the
//! proxy addresses used to match users to contacts.

use jiff::Timestamp;
use serde::Deserialize;

use crate::field::Field;
use crate::time::de;

/// A directory user. Every property except `id` is a [`Field`]: absent when not selected (or
/// unchanged in a minimal delta), `Null` when selected but empty.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    /// Object ID (GUID). Always returned by Graph; only some documentation examples omit it.
    pub id: Option<String>,
    /// Display name.
    pub display_name: Field<String>,
    /// First name.
    pub given_name: Field<String>,
    /// Last name.
    pub surname: Field<String>,
    /// Primary SMTP address. Often `null` (no mailbox). Not validated: real data holds oddities
    /// such as a leading apostrophe.
    pub mail: Field<String>,
    /// Mail alias.
    pub mail_nickname: Field<String>,
    /// Sign-in name; `...#EXT#@...` for guests.
    pub user_principal_name: Field<String>,
    /// `SMTP:` (primary), `smtp:` (secondary) and other addresses (`SPO:`, `SIP:`, `X500:`).
    pub proxy_addresses: Field<Vec<String>>,
    /// Other e-mail addresses.
    pub other_mails: Field<Vec<String>>,
    /// Job title.
    pub job_title: Field<String>,
    /// Department.
    pub department: Field<String>,
    /// Company name.
    pub company_name: Field<String>,
    /// Mobile phone.
    pub mobile_phone: Field<String>,
    /// Business phones (an array holding at most one number).
    pub business_phones: Field<Vec<String>>,
    /// Street address.
    pub street_address: Field<String>,
    /// City.
    pub city: Field<String>,
    /// State or province.
    pub state: Field<String>,
    /// Postal code.
    pub postal_code: Field<String>,
    /// Country (free text).
    pub country: Field<String>,
    /// Office location.
    pub office_location: Field<String>,
    /// Preferred language, e.g. `en-US`.
    pub preferred_language: Field<String>,
    /// Whether the account can sign in.
    pub account_enabled: Field<bool>,
    /// `Member` or `Guest`.
    pub user_type: Field<String>,
    /// `true` when synced from on-premises AD; `null` means never synced.
    pub on_premises_sync_enabled: Field<bool>,
    /// Licences, including group-inherited ones.
    pub assigned_licenses: Field<Vec<AssignedLicense>>,
    /// Creation time (`null` for some very old users).
    #[serde(deserialize_with = "de::field")]
    pub created_date_time: Field<Timestamp>,
    /// Last password change (or creation).
    #[serde(deserialize_with = "de::field")]
    pub last_password_change_date_time: Field<Timestamp>,
    /// Sign-in activity (needs Entra ID P1/P2 and AuditLog.Read.All).
    pub sign_in_activity: Field<SignInActivity>,
}

/// The properties of a user that tenant facts read, without the rest: a listing of 100,000
/// users into full [`User`]s would hold about a kilobyte for each.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserOverview {
    /// Object ID.
    pub id: Option<String>,
    /// Sign-in name.
    pub user_principal_name: Option<String>,
    /// `Member` or `Guest`.
    pub user_type: Option<String>,
    /// Whether the account can sign in.
    pub account_enabled: Option<bool>,
    /// Licences (`null` reads as none).
    pub assigned_licenses: Option<Vec<AssignedLicense>>,
    /// Last password change.
    #[serde(deserialize_with = "de::optional")]
    pub last_password_change_date_time: Option<Timestamp>,
    /// Sign-ins, when selected (Entra ID P1).
    pub sign_in_activity: Option<SignInActivity>,
}

impl UserOverview {
    /// True for guests.
    #[must_use]
    pub fn is_guest(&self) -> bool {
        self.user_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
    }
}

/// One licence on a user.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AssignedLicense {
    /// The SKU's GUID (matches `subscribedSku.skuId`).
    pub sku_id: String,
    /// Service plans switched off for this user.
    pub disabled_plans: Vec<String>,
}

/// The last sign-ins of a user. `null`, `""` and `0001-01-01T00:00:00Z` all read as `None`
/// ("never", or before records began).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignInActivity {
    /// Last interactive sign-in attempt, successful or not.
    #[serde(deserialize_with = "de::optional")]
    pub last_sign_in_date_time: Option<Timestamp>,
    /// Request id of that sign-in.
    #[serde(deserialize_with = "de::non_empty")]
    pub last_sign_in_request_id: Option<String>,
    /// Last non-interactive sign-in.
    #[serde(deserialize_with = "de::optional")]
    pub last_non_interactive_sign_in_date_time: Option<Timestamp>,
    /// Request id of that sign-in.
    #[serde(deserialize_with = "de::non_empty")]
    pub last_non_interactive_sign_in_request_id: Option<String>,
    /// Last successful sign-in (recorded since December 2023, not back-filled).
    #[serde(deserialize_with = "de::optional")]
    pub last_successful_sign_in_date_time: Option<Timestamp>,
    /// Request id of that sign-in.
    #[serde(deserialize_with = "de::non_empty")]
    pub last_successful_sign_in_request_id: Option<String>,
}

impl SignInActivity {
    /// The most recent of the interactive, non-interactive and successful sign-ins.
    #[must_use]
    pub fn last_activity(&self) -> Option<Timestamp> {
        [
            self.last_sign_in_date_time,
            self.last_non_interactive_sign_in_date_time,
            self.last_successful_sign_in_date_time,
        ]
        .into_iter()
        .flatten()
        .max()
    }
}

/// The kind of a proxy address, from its prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyKind {
    /// `SMTP:` in upper case: the primary address.
    PrimarySmtp,
    /// `smtp:` in lower case: a secondary address.
    SecondarySmtp,
    /// Any other prefix (`SPO`, `SIP`, `X500`, ...), as written.
    Other(String),
}

/// A parsed proxy address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyAddress {
    /// What kind of address.
    pub kind: ProxyKind,
    /// The address without its prefix (surrounding spaces removed).
    pub address: String,
}

impl ProxyAddress {
    /// Splits `PREFIX:address`. Entries without a prefix are `None`.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        let (prefix, address) = raw.split_once(':')?;
        let kind = match prefix {
            "SMTP" => ProxyKind::PrimarySmtp,
            p if p.eq_ignore_ascii_case("smtp") => ProxyKind::SecondarySmtp,
            p => ProxyKind::Other(p.to_owned()),
        };
        Some(Self {
            kind,
            address: address.trim().to_owned(),
        })
    }

    /// True for `SMTP:` and `smtp:` entries.
    #[must_use]
    pub fn is_smtp(&self) -> bool {
        matches!(self.kind, ProxyKind::PrimarySmtp | ProxyKind::SecondarySmtp)
    }
}

impl User {
    /// Proxy addresses, parsed; entries without a prefix are skipped.
    #[must_use]
    pub fn parsed_proxy_addresses(&self) -> Vec<ProxyAddress> {
        self.proxy_addresses
            .value()
            .map(|all| {
                all.iter()
                    .filter_map(|raw| ProxyAddress::parse(raw))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The primary SMTP address from `proxyAddresses`.
    #[must_use]
    pub fn primary_smtp(&self) -> Option<String> {
        self.parsed_proxy_addresses()
            .into_iter()
            .find(|p| p.kind == ProxyKind::PrimarySmtp)
            .map(|p| p.address)
    }

    /// Every e-mail address the user is known by, in matching order: `mail`, SMTP proxy
    /// addresses (primary first), `otherMails`. Duplicates (case-insensitive) removed.
    #[must_use]
    pub fn email_addresses(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |candidate: &str| {
            let candidate = candidate.trim();
            if !candidate.is_empty() && !out.iter().any(|e| e.eq_ignore_ascii_case(candidate)) {
                out.push(candidate.to_owned());
            }
        };
        if let Some(mail) = self.mail.as_str() {
            push(mail);
        }
        let mut smtp: Vec<ProxyAddress> = self
            .parsed_proxy_addresses()
            .into_iter()
            .filter(ProxyAddress::is_smtp)
            .collect();
        smtp.sort_by_key(|p| p.kind != ProxyKind::PrimarySmtp);
        for proxy in &smtp {
            push(&proxy.address);
        }
        if let Some(others) = self.other_mails.value() {
            for other in others {
                push(other);
            }
        }
        out
    }

    /// True for guests (`userType` `Guest`, or an `#EXT#` user principal name).
    #[must_use]
    pub fn is_guest(&self) -> bool {
        self.user_type
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
            || self
                .user_principal_name
                .as_str()
                .is_some_and(|upn| upn.contains("#EXT#"))
    }

    /// The licences' SKU IDs.
    #[must_use]
    pub fn sku_ids(&self) -> Vec<&str> {
        self.assigned_licenses
            .value()
            .map(|all| all.iter().map(|l| l.sku_id.as_str()).collect())
            .unwrap_or_default()
    }
}
