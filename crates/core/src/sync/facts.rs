//! Tenant facts and each user's overlay: read from Microsoft after a run's contacts are written,
//! one source at a time, each allowed to fail on its own.
//!
//! A source Roster could not read (no Entra ID P1, a permission not granted, throttled, concealed
//! report names) is "unknown" for this run with the reason in words. Unknown is never counted as
//! "no": a tenant whose registration details cannot be read has its members' MFA as unknown, not
//! as "not registered". The overlay columns of a source that failed are not written at all, so
//! what an earlier run read stays (with the time it was read).

use std::collections::{BTreeMap, HashMap};

use futures::StreamExt;
use jiff::Timestamp;
use jiff::civil::Date;
use roster_graph::models::{SubscribedSku, UserOverview};
use roster_graph::permissions::DataSource;
use roster_graph::skus::{self, Cost};
use roster_graph::{GraphErrorKind, ListQuery, ReportPeriod, TenantSession};
use roster_store::{FactSources, ScoreDayRow, UserFactsRow};
use serde::{Deserialize, Serialize};

/// How far back "active" looks: signed in (or used a Microsoft 365 service) within 30 days.
pub const ACTIVE_DAYS: i64 = 30;
/// A sign-in older than this is stale (the contacts list's filter).
pub const STALE_DAYS: i64 = 90;
/// Secure Score history Microsoft keeps, in days; a first sync imports all of it.
pub const SCORE_HISTORY_DAYS: u16 = 90;

/// The sources of tenant facts, in the order their notes are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactSource {
    /// `/subscribedSkus`: purchased and assigned licences per SKU.
    Licences,
    /// `/users`: account enabled, licences, password change.
    Directory,
    /// `signInActivity` on `/users`.
    SignIns,
    /// `userRegistrationDetails`: MFA.
    Mfa,
    /// The Microsoft 365 active user report.
    Activity,
    /// The mailbox usage report.
    Mailbox,
    /// Intune managed devices.
    Devices,
    /// `/security/secureScores`.
    SecureScore,
}

impl FactSource {
    /// Every source.
    pub const ALL: [Self; 8] = [
        Self::Licences,
        Self::Directory,
        Self::SignIns,
        Self::Mfa,
        Self::Activity,
        Self::Mailbox,
        Self::Devices,
        Self::SecureScore,
    ];

    /// The name people read.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Licences => "Licences",
            Self::Directory => "Accounts",
            Self::SignIns => "Sign-ins",
            Self::Mfa => "MFA registration",
            Self::Activity => "Microsoft 365 activity report",
            Self::Mailbox => "Mailbox usage report",
            Self::Devices => "Intune devices",
            Self::SecureScore => "Secure Score",
        }
    }

    fn data_source(self) -> DataSource {
        match self {
            Self::Licences => DataSource::Licences,
            Self::Directory => DataSource::Users,
            Self::SignIns => DataSource::SignInActivity,
            Self::Mfa => DataSource::MfaRegistration,
            Self::Activity | Self::Mailbox => DataSource::UsageReports,
            Self::Devices => DataSource::ManagedDevices,
            Self::SecureScore => DataSource::SecureScore,
        }
    }
}

/// What a run learnt from one source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceNote {
    /// Whether the source was read.
    pub read: bool,
    /// Why it was not read, or a limit of what was read (concealed names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Microsoft's request-id of the failure, to quote to Microsoft support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl SourceNote {
    fn read() -> Self {
        Self {
            read: true,
            reason: None,
            request_id: None,
        }
    }

    fn unknown(reason: impl Into<String>) -> Self {
        Self {
            read: false,
            reason: Some(reason.into()),
            request_id: None,
        }
    }
}

/// Whether a licence counts towards "licensed".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkuKind {
    Paid,
    Free,
    Trial,
}

/// One SKU of a tenant as a snapshot keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkuFact {
    pub sku_id: String,
    pub part_number: Option<String>,
    /// The catalogue's name, else the part number.
    pub name: String,
    pub kind: SkuKind,
    pub status: Option<String>,
    /// Purchased seats (`prepaidUnits.enabled`).
    pub purchased: i64,
    pub suspended: i64,
    pub warning: i64,
    /// Assigned seats (`consumedUnits`).
    pub assigned: i64,
}

impl SkuFact {
    /// Purchased seats no one holds (never negative).
    #[must_use]
    pub fn unassigned(&self) -> i64 {
        (self.purchased - self.assigned).max(0)
    }
}

/// One Secure Score control.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlFact {
    pub category: Option<String>,
    pub name: String,
    pub score: Option<f64>,
}

/// Everything a snapshot keeps besides its counted columns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotDetails {
    /// Whether the tenant holds Entra ID P1 or P2 (unknown when its licences were not read).
    pub premium: Option<bool>,
    /// Whether its usage reports conceal names (unknown when no report was read).
    pub concealed_names: Option<bool>,
    pub skus: Vec<SkuFact>,
    pub controls: Vec<ControlFact>,
    /// The day of the Secure Score shown.
    pub score_day: Option<String>,
    pub sources: BTreeMap<FactSource, SourceNote>,
}

/// The counted facts of a snapshot; `None` is unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TenantCounts {
    pub score: Option<(f64, f64)>,
    /// Enabled member accounts.
    pub members: Option<i64>,
    pub licensed: Option<i64>,
    pub active: Option<(i64, &'static str)>,
    /// Registered, not registered, unknown.
    pub mfa: (Option<i64>, Option<i64>, i64),
    pub unassigned: Option<i64>,
}

/// What the facts of one run came to.
#[derive(Debug, Default)]
pub struct Collected {
    pub counts: TenantCounts,
    pub details: SnapshotDetails,
    pub users: Vec<UserFactsRow>,
    pub sources: FactSources,
    pub score_days: Vec<ScoreDayRow>,
}

/// A mailbox, as the overlay keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxFact {
    pub used_bytes: Option<u64>,
    /// The quota at which the mailbox can neither send nor receive.
    pub quota_bytes: Option<u64>,
    pub items: Option<u64>,
    pub last_activity: Option<String>,
}

/// An Intune device, as the overlay keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceFact {
    pub name: Option<String>,
    pub os: Option<String>,
    pub os_version: Option<String>,
    pub compliance: Option<String>,
    /// Last check-in with Intune, ms.
    pub last_check_in: Option<i64>,
}

// ----- rules -------------------------------------------------------------------------------

/// How a SKU counts: the catalogue's word, else its part number's (`…_FREE`, `…_VIRAL`,
/// `…_TRIAL`), else paid (most SKUs cost money, and a new one should not hide licensed users).
#[must_use]
pub fn sku_kind(sku_id: &str, part_number: Option<&str>) -> SkuKind {
    match skus::cost(sku_id, part_number) {
        Cost::Free => SkuKind::Free,
        Cost::Trial => SkuKind::Trial,
        Cost::Paid | Cost::Unknown => SkuKind::Paid,
    }
}

/// A user counts as licensed when enabled, a member, and holding a licence that is paid.
#[must_use]
pub fn is_licensed<'a>(
    enabled: bool,
    member: bool,
    licences: impl IntoIterator<Item = &'a str>,
    kinds: &HashMap<String, SkuKind>,
) -> bool {
    enabled
        && member
        && licences.into_iter().any(|id| {
            kinds
                .get(&id.to_lowercase())
                .copied()
                .unwrap_or_else(|| sku_kind(id, None))
                == SkuKind::Paid
        })
}

/// Whether a time is within `days` before `now`.
#[must_use]
pub fn within_days(at: Option<i64>, now_ms: i64, days: i64) -> bool {
    at.is_some_and(|t| t >= now_ms - days * 86_400_000)
}

/// Whether a report date is within `days` before `today` (both inclusive).
#[must_use]
pub fn date_within(date: Option<Date>, today: Date, days: i64) -> bool {
    date.is_some_and(|d| {
        today
            .checked_sub(jiff::Span::new().days(days))
            .is_ok_and(|start| d >= start)
    })
}

/// The Secure Score days to ask Microsoft for: all it keeps on a first sync, else back to the
/// newest day stored (so a gap of a few days without syncs is filled).
#[must_use]
pub fn score_days_wanted(last_stored: Option<&str>, today: Date) -> u16 {
    let Some(last) = last_stored.and_then(|d| d.parse::<Date>().ok()) else {
        return SCORE_HISTORY_DAYS;
    };
    let gap = (today - last).get_days().max(0) + 1;
    u16::try_from(gap)
        .unwrap_or(SCORE_HISTORY_DAYS)
        .clamp(1, SCORE_HISTORY_DAYS)
}

/// The reason a source could not be read, from Microsoft's answer.
#[must_use]
pub fn reason_of(source: FactSource, error: &roster_graph::Error) -> SourceNote {
    let permissions = || {
        source
            .data_source()
            .permissions()
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reason = match error.graph_error() {
        Some(GraphErrorKind::NotPremium) => {
            "needs Entra ID P1: the tenant has no licence that includes it".to_owned()
        }
        Some(
            GraphErrorKind::AuthorizationRequestDenied | GraphErrorKind::NoDirectoryReadAccess,
        ) => {
            format!(
                "permission {} missing: add it to the app registration as an Application permission and grant admin consent",
                permissions()
            )
        }
        Some(GraphErrorKind::TooManyRequests) => {
            "Microsoft throttled the request; it is read again on the next sync".to_owned()
        }
        Some(GraphErrorKind::BadRequest | GraphErrorKind::Forbidden)
            if source == FactSource::Devices =>
        {
            "not available: the tenant has no Intune licence, or Intune refused the request"
                .to_owned()
        }
        _ if error.is_transient() => {
            format!(
                "not available: Microsoft did not answer ({error}); it is read again on the next sync"
            )
        }
        _ => format!("not available: {error}"),
    };
    SourceNote {
        read: false,
        reason: Some(reason),
        request_id: error.request_id().map(str::to_owned),
    }
}

/// What to tell people about concealed report names.
pub const CONCEALED: &str = "report names are concealed in this tenant, so the report cannot be matched to users: turn off \
    \"Display concealed user, group, and site names in all reports\" in the Microsoft 365 admin center (Settings → Org settings → Reports)";

/// Why a P1-only source was not read in a tenant without P1.
pub const NEEDS_P1: &str = "needs Entra ID P1: the tenant has no licence that includes it";

// ----- collection ----------------------------------------------------------------------------

/// Per user, while a run's facts are gathered.
#[derive(Default)]
struct Gathered {
    upn: Option<String>,
    member: bool,
    row: UserFactsRow,
}

const DIRECTORY_SELECT: [&str; 7] = [
    "id",
    "userPrincipalName",
    "userType",
    "accountEnabled",
    "assignedLicenses",
    "lastPasswordChangeDateTime",
    "signInActivity",
];

/// Reads every source of tenant facts. `skus` is the run's `/subscribedSkus` answer (`Err` when
/// it failed); `score_days` how many days of Secure Score to ask for.
pub async fn collect(
    session: &TenantSession,
    tenant_id: &str,
    skus: Result<&[SubscribedSku], &roster_graph::Error>,
    now_ms: i64,
    score_days: u16,
) -> Collected {
    let mut details = SnapshotDetails::default();
    let mut kinds: HashMap<String, SkuKind> = HashMap::new();
    match skus {
        Ok(list) => {
            details.premium = Some(
                list.iter()
                    .any(|s| s.includes_entra_premium() && s.prepaid_units.enabled > 0),
            );
            for s in list {
                let kind = sku_kind(&s.sku_id, s.sku_part_number.as_deref());
                kinds.insert(s.sku_id.to_lowercase(), kind);
                details.skus.push(SkuFact {
                    sku_id: s.sku_id.to_lowercase(),
                    part_number: s.sku_part_number.clone(),
                    name: skus::display_name(&s.sku_id, s.sku_part_number.as_deref()).into_owned(),
                    kind,
                    status: s.capability_status.clone(),
                    purchased: s.prepaid_units.enabled,
                    suspended: s.prepaid_units.suspended,
                    warning: s.prepaid_units.warning,
                    assigned: s.consumed_units,
                });
            }
            details.skus.sort_by(|a, b| a.name.cmp(&b.name));
            details
                .sources
                .insert(FactSource::Licences, SourceNote::read());
        }
        Err(e) => {
            details
                .sources
                .insert(FactSource::Licences, reason_of(FactSource::Licences, e));
        }
    }
    let premium = details.premium;

    let (directory, mfa, reports, devices, scores) = tokio::join!(
        read_directory(session, premium, tenant_id, &kinds, now_ms),
        read_registration(session, premium),
        read_reports(session, now_ms),
        read_devices(session),
        session.secure_scores(score_days.max(1)),
    );

    let mut users: HashMap<String, Gathered> = HashMap::new();
    let mut sources = FactSources::default();

    // Accounts, licences, and sign-ins where the tenant has P1.
    let (dir_note, sign_in_note) = match directory {
        Ok((listed, sign_in_note)) => {
            sources.directory = true;
            sources.sign_in = sign_in_note.read;
            users = listed;
            (SourceNote::read(), sign_in_note)
        }
        Err(note) => (note.clone(), note),
    };
    details.sources.insert(FactSource::Directory, dir_note);
    details.sources.insert(FactSource::SignIns, sign_in_note);

    // MFA.
    match mfa {
        Ok(list) => {
            sources.mfa = true;
            details.sources.insert(FactSource::Mfa, SourceNote::read());
            for r in list {
                let id = r.id.to_lowercase();
                let g = gathered(&mut users, tenant_id, &id);
                g.row.mfa_at = Some(now_ms);
                g.row.mfa = r
                    .is_mfa_registered
                    .map(|yes| if yes { "registered" } else { "not_registered" }.to_owned());
                g.row.mfa_methods = serde_json::to_string(&r.methods_registered).ok();
                g.row.default_method = r.user_preferred_method_for_secondary_authentication;
                g.row.is_admin = r.is_admin;
            }
        }
        Err(note) => {
            details.sources.insert(FactSource::Mfa, note);
        }
    }

    // Reports, joined to users by principal name unless names are concealed.
    let by_upn: HashMap<String, String> = users
        .iter()
        .filter_map(|(id, g)| g.upn.as_ref().map(|u| (u.to_lowercase(), id.clone())))
        .collect();
    let mut report_active: Option<i64> = None;
    let Reports {
        concealed,
        activity,
        mailbox,
    } = reports;
    details.concealed_names = concealed;
    match activity {
        Ok(read) => {
            if read.concealed {
                details.concealed_names = Some(true);
            }
            report_active = Some(read.active);
            if read.concealed {
                details
                    .sources
                    .insert(FactSource::Activity, SourceNote::unknown(CONCEALED));
            } else {
                sources.activity = true;
                details
                    .sources
                    .insert(FactSource::Activity, SourceNote::read());
                for (upn, last) in read.last {
                    if let Some(g) = by_upn.get(&upn).and_then(|id| users.get_mut(id)) {
                        g.row.last_activity = last.map(|d| d.to_string());
                    }
                }
                // Users the report does not list were read too: no activity known.
                for g in users.values_mut() {
                    g.row.activity_at = Some(now_ms);
                }
            }
        }
        Err(note) => {
            details.sources.insert(FactSource::Activity, note);
        }
    }
    match mailbox {
        Ok(read) if read.concealed => {
            details.concealed_names = Some(true);
            details
                .sources
                .insert(FactSource::Mailbox, SourceNote::unknown(CONCEALED));
        }
        Ok(read) => {
            sources.mailbox = true;
            details
                .sources
                .insert(FactSource::Mailbox, SourceNote::read());
            for g in users.values_mut() {
                g.row.mailbox_at = Some(now_ms);
            }
            for (upn, mailbox) in read.boxes {
                if let Some(g) = by_upn.get(&upn).and_then(|id| users.get_mut(id)) {
                    g.row.mailbox = serde_json::to_string(&mailbox).ok();
                }
            }
        }
        Err(note) => {
            details.sources.insert(FactSource::Mailbox, note);
        }
    }

    // Devices by their primary user.
    match devices {
        Ok(list) => {
            sources.devices = true;
            details
                .sources
                .insert(FactSource::Devices, SourceNote::read());
            let mut per_user: HashMap<String, Vec<DeviceFact>> = HashMap::new();
            for d in list {
                let Some(uid) = d.user_id.as_deref().map(str::to_lowercase) else {
                    continue;
                };
                per_user.entry(uid).or_default().push(DeviceFact {
                    name: d.device_name,
                    os: d.operating_system,
                    os_version: d.os_version,
                    compliance: d.compliance_state,
                    last_check_in: d.last_sync_date_time.map(|t| t.as_millisecond()),
                });
            }
            for (id, g) in &mut users {
                g.row.devices_at = Some(now_ms);
                g.row.devices = per_user
                    .remove(id)
                    .and_then(|list| serde_json::to_string(&list).ok());
            }
        }
        Err(note) => {
            details.sources.insert(FactSource::Devices, note);
        }
    }

    // Secure Score.
    let mut score_rows = Vec::new();
    let mut score = None;
    match scores {
        Ok(list) => {
            details
                .sources
                .insert(FactSource::SecureScore, SourceNote::read());
            for s in &list {
                let (Some(current), Some(max), Some(at)) =
                    (s.current_score, s.max_score, s.created_date_time)
                else {
                    continue;
                };
                score_rows.push(ScoreDayRow {
                    day: jiff::tz::Offset::UTC.to_datetime(at).date().to_string(),
                    current_score: current,
                    max_score: max,
                });
            }
            if let Some(newest) = list.first()
                && let (Some(current), Some(max)) = (newest.current_score, newest.max_score)
            {
                score = Some((current, max));
                details.score_day = newest
                    .created_date_time
                    .map(|at| jiff::tz::Offset::UTC.to_datetime(at).date().to_string());
                details.controls = newest
                    .control_scores
                    .iter()
                    .filter_map(|c| {
                        Some(ControlFact {
                            category: c.control_category.clone(),
                            name: c.control_name.clone()?,
                            score: c.score,
                        })
                    })
                    .collect();
            }
        }
        Err(e) => {
            details.sources.insert(
                FactSource::SecureScore,
                reason_of(FactSource::SecureScore, &e),
            );
        }
    }

    let counts = count(&users, &details, sources, report_active, now_ms, score);
    Collected {
        counts,
        details,
        users: users.into_values().map(|g| g.row).collect(),
        sources,
        score_days: score_rows,
    }
}

fn from_ms(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn gathered<'a>(
    users: &'a mut HashMap<String, Gathered>,
    tenant_id: &str,
    id: &str,
) -> &'a mut Gathered {
    users.entry(id.to_owned()).or_insert_with(|| Gathered {
        row: UserFactsRow {
            tenant_id: tenant_id.to_lowercase(),
            object_id: id.to_owned(),
            ..UserFactsRow::default()
        },
        ..Gathered::default()
    })
}

fn directory_facts(
    g: &mut Gathered,
    u: &UserOverview,
    kinds: &HashMap<String, SkuKind>,
    now_ms: i64,
    sign_ins: bool,
) {
    let enabled = u.account_enabled.unwrap_or(false);
    let member = !u.is_guest();
    let licences: Vec<String> = u
        .assigned_licenses
        .as_ref()
        .map(|l| l.iter().map(|a| a.sku_id.to_lowercase()).collect())
        .unwrap_or_default();
    g.upn.clone_from(&u.user_principal_name);
    g.member = member;
    let r = &mut g.row;
    r.directory_at = Some(now_ms);
    r.account_enabled = Some(enabled);
    r.licensed = Some(is_licensed(
        enabled,
        member,
        licences.iter().map(String::as_str),
        kinds,
    ));
    r.business_tier =
        skus::highest_business_tier(licences.iter().map(String::as_str)).map(|t| t.to_string());
    r.licences = serde_json::to_string(&licences).ok();
    r.password_changed_at = u.last_password_change_date_time.map(|t| t.as_millisecond());
    if sign_ins {
        let activity = u.sign_in_activity.as_ref();
        r.sign_in_at = Some(now_ms);
        r.last_sign_in = activity
            .and_then(|a| a.last_sign_in_date_time)
            .map(|t| t.as_millisecond());
        r.last_non_interactive = activity
            .and_then(|a| a.last_non_interactive_sign_in_date_time)
            .map(|t| t.as_millisecond());
        r.last_seen = activity
            .and_then(roster_graph::models::SignInActivity::last_activity)
            .map(|t| t.as_millisecond());
    }
}

fn count(
    users: &HashMap<String, Gathered>,
    details: &SnapshotDetails,
    sources: FactSources,
    report_active: Option<i64>,
    now_ms: i64,
    score: Option<(f64, f64)>,
) -> TenantCounts {
    let members: Vec<&Gathered> = users
        .values()
        .filter(|g| g.member && g.row.account_enabled == Some(true))
        .collect();
    let n = |it: usize| i64::try_from(it).unwrap_or(i64::MAX);
    let member_count = sources.directory.then(|| n(members.len()));
    let licensed = sources.directory.then(|| {
        n(members
            .iter()
            .filter(|g| g.row.licensed == Some(true))
            .count())
    });
    let active = if sources.sign_in {
        Some((
            n(members
                .iter()
                .filter(|g| within_days(g.row.last_seen, now_ms, ACTIVE_DAYS))
                .count()),
            "sign_ins",
        ))
    } else {
        report_active.map(|a| (a, "usage_report"))
    };
    let mfa = if sources.mfa && sources.directory {
        let registered = members
            .iter()
            .filter(|g| g.row.mfa.as_deref() == Some("registered"))
            .count();
        let not = members
            .iter()
            .filter(|g| g.row.mfa.as_deref() == Some("not_registered"))
            .count();
        (
            Some(n(registered)),
            Some(n(not)),
            n(members.len() - registered - not),
        )
    } else {
        (None, None, member_count.unwrap_or(0))
    };
    let unassigned = details
        .sources
        .get(&FactSource::Licences)
        .is_some_and(|s| s.read)
        .then(|| {
            details
                .skus
                .iter()
                .filter(|s| s.kind == SkuKind::Paid)
                .map(SkuFact::unassigned)
                .sum()
        });
    TenantCounts {
        score,
        members: member_count,
        licensed,
        active,
        mfa,
        unassigned,
    }
}

/// Every user with the overlay's directory fields, page by page into `Gathered`; with
/// `signInActivity` where the tenant has P1 (and again without it when Microsoft refuses, so the
/// rest is still read).
async fn read_directory(
    session: &TenantSession,
    premium: Option<bool>,
    tenant_id: &str,
    kinds: &HashMap<String, SkuKind>,
    now_ms: i64,
) -> Result<(HashMap<String, Gathered>, SourceNote), SourceNote> {
    let without: Vec<&str> = DIRECTORY_SELECT
        .iter()
        .copied()
        .filter(|p| *p != "signInActivity")
        .collect();
    let mut sign_in_note = SourceNote::unknown(NEEDS_P1);
    if premium != Some(false) {
        let query = ListQuery::new().select(DIRECTORY_SELECT).top(500);
        match list_into(session, &query, tenant_id, kinds, now_ms, true).await {
            Ok(users) => return Ok((users, SourceNote::read())),
            Err(e) => {
                sign_in_note = reason_of(FactSource::SignIns, &e);
                tracing::info!(error = %e, "sign-in activity not read; listing users without it");
            }
        }
    }
    let query = ListQuery::new().select(without).top(999);
    list_into(session, &query, tenant_id, kinds, now_ms, false)
        .await
        .map(|users| (users, sign_in_note))
        .map_err(|e| reason_of(FactSource::Directory, &e))
}

async fn list_into(
    session: &TenantSession,
    query: &ListQuery,
    tenant_id: &str,
    kinds: &HashMap<String, SkuKind>,
    now_ms: i64,
    sign_ins: bool,
) -> Result<HashMap<String, Gathered>, roster_graph::Error> {
    let mut users: HashMap<String, Gathered> = HashMap::new();
    let mut pages = session.collection_pages::<UserOverview>("/users", query);
    while let Some(page) = pages.next().await {
        for u in page?.value {
            let Some(id) = u.id.as_deref().map(str::to_lowercase) else {
                continue;
            };
            let g = gathered(&mut users, tenant_id, &id);
            directory_facts(g, &u, kinds, now_ms, sign_ins);
        }
    }
    Ok(users)
}

async fn read_registration(
    session: &TenantSession,
    premium: Option<bool>,
) -> Result<Vec<roster_graph::models::UserRegistrationDetails>, SourceNote> {
    if premium == Some(false) {
        return Err(SourceNote::unknown(NEEDS_P1));
    }
    let mut out = Vec::new();
    let mut stream = session.registration_details();
    while let Some(item) = stream.next().await {
        out.push(item.map_err(|e| reason_of(FactSource::Mfa, &e))?);
    }
    Ok(out)
}

struct Reports {
    concealed: Option<bool>,
    activity: Result<ActivityRead, SourceNote>,
    mailbox: Result<MailboxRead, SourceNote>,
}

/// The activity report as read: how many were active, and each named user's last activity.
#[derive(Default)]
struct ActivityRead {
    concealed: bool,
    active: i64,
    /// By user principal name in lower case (empty when names are concealed).
    last: HashMap<String, Option<Date>>,
}

/// The mailbox report as read, by user principal name in lower case.
#[derive(Default)]
struct MailboxRead {
    concealed: bool,
    boxes: HashMap<String, MailboxFact>,
}

async fn read_reports(session: &TenantSession, now_ms: i64) -> Reports {
    // The setting is read for the page's explanation; the reports themselves are what decide
    // (a tenant may change the setting between the two calls).
    let concealed = session
        .report_settings()
        .await
        .map(|s| s.display_concealed_names)
        .ok();
    let today = jiff::tz::Offset::UTC.to_datetime(from_ms(now_ms)).date();
    // Both reports are read row by row as they download; only what the overlay keeps is held.
    let mut activity = ActivityRead::default();
    let summary = session
        .office365_active_user_rows(ReportPeriod::D30, &mut |r| {
            if r.is_deleted == Some(true) {
                return;
            }
            let refreshed = r.report_refresh_date.unwrap_or(today);
            if date_within(r.last_activity(), refreshed, ACTIVE_DAYS) {
                activity.active += 1;
            }
            if let Some(upn) = r.user.user_principal_name() {
                activity.last.insert(upn.to_lowercase(), r.last_activity());
            }
        })
        .await;
    let activity = match summary {
        Ok(s) => {
            activity.concealed = s.names_concealed;
            if s.names_concealed {
                activity.last.clear();
            }
            Ok(activity)
        }
        Err(e) => Err(reason_of(FactSource::Activity, &e)),
    };
    let mut mailbox = MailboxRead::default();
    let summary = session
        .mailbox_usage_rows(ReportPeriod::D7, &mut |r| {
            if r.is_deleted == Some(true) {
                return;
            }
            if let Some(upn) = r.user.user_principal_name() {
                mailbox.boxes.insert(
                    upn.to_lowercase(),
                    MailboxFact {
                        used_bytes: r.storage_used_bytes,
                        quota_bytes: r.prohibit_send_receive_quota_bytes,
                        items: r.item_count,
                        last_activity: r.last_activity_date.map(|d| d.to_string()),
                    },
                );
            }
        })
        .await;
    let mailbox = match summary {
        Ok(s) => {
            mailbox.concealed = s.names_concealed;
            if s.names_concealed {
                mailbox.boxes.clear();
            }
            Ok(mailbox)
        }
        Err(e) => Err(reason_of(FactSource::Mailbox, &e)),
    };
    Reports {
        concealed,
        activity,
        mailbox,
    }
}

async fn read_devices(
    session: &TenantSession,
) -> Result<Vec<roster_graph::models::ManagedDevice>, SourceNote> {
    let mut out = Vec::new();
    let mut stream = session.managed_devices();
    while let Some(item) = stream.next().await {
        out.push(item.map_err(|e| reason_of(FactSource::Devices, &e))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPB: &str = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46";
    const FLOW_FREE: &str = "f30db892-07e9-47e9-837c-80727f46fd3d";
    const TEAMS_TRIAL: &str = "74fbf1bb-47c6-4796-9623-77dc7371723b";
    const NEW_SKU: &str = "99999999-0000-0000-0000-000000000001";

    #[test]
    fn free_and_trial_skus_do_not_license_and_an_unknown_one_does() {
        assert_eq!(sku_kind(SPB, None), SkuKind::Paid);
        assert_eq!(sku_kind(FLOW_FREE, None), SkuKind::Free);
        assert_eq!(sku_kind(TEAMS_TRIAL, None), SkuKind::Trial);
        assert_eq!(sku_kind(NEW_SKU, Some("CONTOSO_SUITE")), SkuKind::Paid);
        assert_eq!(sku_kind(NEW_SKU, Some("CONTOSO_VIRAL")), SkuKind::Free);
        assert_eq!(sku_kind(NEW_SKU, Some("CONTOSO_TRIAL")), SkuKind::Trial);

        let kinds: HashMap<String, SkuKind> = [
            (NEW_SKU.to_owned(), SkuKind::Trial),
            (SPB.to_owned(), SkuKind::Paid),
        ]
        .into();
        assert!(is_licensed(true, true, [SPB], &kinds));
        assert!(is_licensed(
            true,
            true,
            [FLOW_FREE, SPB.to_uppercase().as_str()],
            &kinds
        ));
        assert!(!is_licensed(true, true, [FLOW_FREE], &kinds));
        assert!(
            !is_licensed(true, true, [NEW_SKU], &kinds),
            "the tenant says it is a trial"
        );
        assert!(
            !is_licensed(false, true, [SPB], &kinds),
            "disabled accounts are not licensed users"
        );
        assert!(
            !is_licensed(true, false, [SPB], &kinds),
            "guests are not licensed users"
        );
        assert!(!is_licensed(true, true, std::iter::empty(), &kinds));
    }

    #[test]
    fn active_means_within_thirty_days_and_never_is_not_active() {
        let now = 1_800_000_000_000;
        let day = 86_400_000;
        assert!(within_days(Some(now - 29 * day), now, ACTIVE_DAYS));
        assert!(within_days(Some(now - 30 * day), now, ACTIVE_DAYS));
        assert!(!within_days(Some(now - 31 * day), now, ACTIVE_DAYS));
        assert!(!within_days(None, now, ACTIVE_DAYS));
        let today: Date = "2026-12-04".parse().unwrap_or_default();
        let d = |s: &str| s.parse::<Date>().ok();
        assert!(date_within(d("2026-11-04"), today, ACTIVE_DAYS));
        assert!(!date_within(d("2026-11-03"), today, ACTIVE_DAYS));
        assert!(!date_within(None, today, ACTIVE_DAYS));
    }

    #[test]
    fn a_first_sync_asks_for_all_ninety_days_and_later_ones_for_the_gap() {
        let today: Date = "2026-12-04".parse().unwrap_or_default();
        assert_eq!(score_days_wanted(None, today), 90);
        assert_eq!(score_days_wanted(Some("2026-12-04"), today), 1);
        assert_eq!(score_days_wanted(Some("2026-12-01"), today), 4);
        assert_eq!(score_days_wanted(Some("2025-01-01"), today), 90);
        assert_eq!(score_days_wanted(Some("not a day"), today), 90);
    }

    #[test]
    fn unassigned_seats_are_never_negative() {
        let sku = SkuFact {
            sku_id: SPB.into(),
            part_number: Some("SPB".into()),
            name: "Microsoft 365 Business Premium".into(),
            kind: SkuKind::Paid,
            status: Some("Enabled".into()),
            purchased: 10,
            suspended: 0,
            warning: 0,
            assigned: 12,
        };
        assert_eq!(sku.unassigned(), 0);
        assert_eq!(SkuFact { assigned: 7, ..sku }.unassigned(), 3);
    }
}
