//! Tenant connections: the connect wizard's check-then-save flow, re-checks, secret rotation,
//! and the plain-language diagnosis of everything that can go wrong on Microsoft's side.

use crate::error::{CoreError, FieldErrors, Result};
use crate::services::Services;
use futures::StreamExt;
use roster_domain::tenant::{
    ClientId, ConnectionStatus, TenantRef, check_client_secret, parse_date,
};
use roster_domain::{ConnectionId, DraftId, OrganizationId, Permission};
use roster_graph::permissions::{self, DataSource};
use roster_graph::{
    Error as GraphError, GraphErrorKind, ListQuery, ReportPeriod, TenantCredentials, TokenErrorKind,
};
use roster_store::{AuditEntry, ConnectionRow, DraftFields, NewConnection, Principal, StoreError};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How long a wizard draft (with its sealed secret) is kept: one hour.
pub const DRAFT_LIFETIME_MS: i64 = 3600 * 1000;

/// The connect wizard's fields as submitted. An empty secret keeps the draft's secret.
#[derive(Debug, Clone, Default)]
pub struct ConnectForm {
    pub draft_id: String,
    pub organization_id: String,
    pub tenant: String,
    pub client_id: String,
    pub secret: String,
    pub secret_expires_on: String,
}

/// What one data source answered during a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceState {
    Ok,
    MissingPermission,
    NeedsEntraP1,
    NotApplicable,
    Failed,
}

/// One line of the per-source table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceLine {
    pub source: String,
    pub state: SourceState,
    pub detail: String,
}

/// One line of the permission table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermissionLine {
    pub name: String,
    pub required: bool,
    pub granted: bool,
    pub purpose: String,
}

/// A failure explained for the person at the keyboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// What went wrong, in plain words.
    pub cause: String,
    /// What to do about it.
    pub fix: String,
    /// Microsoft's code (e.g. `AADSTS7000215`), when there is one.
    pub code: Option<String>,
    /// Microsoft's request-id, to quote to Microsoft support.
    pub request_id: Option<String>,
    /// Whether checking again later may succeed without changing anything.
    pub retry: bool,
}

/// The result of "Check connection", stored with the draft or the connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    pub checked_at_ms: i64,
    /// `ok` or `failing`.
    pub status: String,
    /// One sentence for lists.
    pub summary: String,
    pub problem: Option<Problem>,
    /// The tenant's GUID, from the token (`None` when no token was issued).
    pub tenant_id: Option<String>,
    pub display_name: Option<String>,
    pub verified_domains: Vec<String>,
    pub user_count: Option<u64>,
    /// `None` when the token carried no `roles` claim at all.
    pub roles: Option<Vec<String>>,
    pub permissions: Vec<PermissionLine>,
    pub sources: Vec<SourceLine>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }

    /// The status a connection takes from this check.
    pub fn connection_status(&self) -> ConnectionStatus {
        if self.is_ok() {
            ConnectionStatus::Ok
        } else {
            ConnectionStatus::Failing
        }
    }

    /// The one-line result above the details: what happened, leaving the cause to the problem
    /// shown under it (the summary, which lists show, is the cause itself when no token came).
    pub fn headline(&self) -> String {
        match (&self.problem, &self.tenant_id) {
            (Some(_), None) => "Not connected: Roster could not sign in to this tenant.".to_owned(),
            _ => self.summary.clone(),
        }
    }

    fn failed(now_ms: i64, problem: Problem) -> Self {
        Self {
            checked_at_ms: now_ms,
            status: "failing".into(),
            summary: problem.cause.clone(),
            problem: Some(problem),
            tenant_id: None,
            display_name: None,
            verified_domains: Vec::new(),
            user_count: None,
            roles: None,
            permissions: Vec::new(),
            sources: Vec::new(),
        }
    }
}

/// A draft as the wizard page shows it (never the secret).
#[derive(Debug, Clone)]
pub struct DraftView {
    pub id: DraftId,
    pub connection_id: Option<ConnectionId>,
    pub organization_id: Option<OrganizationId>,
    pub tenant: String,
    pub client_id: String,
    pub secret_expires_on: Option<String>,
    pub report: Option<CheckReport>,
}

/// How close a secret is to expiring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryLevel {
    /// More than 30 days left (or no date recorded).
    Fine,
    /// 30 days or fewer.
    Within30,
    /// 14 days or fewer.
    Within14,
    /// 7 days or fewer.
    Within7,
    /// Expired (0 days or fewer).
    Expired,
}

/// The warning for a secret expiring on `expires_on`, seen on `today`.
pub fn expiry(expires_on: Option<&str>, today: jiff::civil::Date) -> (ExpiryLevel, Option<i64>) {
    let Some(date) = expires_on.and_then(|d| d.parse::<jiff::civil::Date>().ok()) else {
        return (ExpiryLevel::Fine, None);
    };
    let days = (date - today).get_days() as i64;
    let level = match days {
        d if d <= 0 => ExpiryLevel::Expired,
        d if d <= 7 => ExpiryLevel::Within7,
        d if d <= 14 => ExpiryLevel::Within14,
        d if d <= 30 => ExpiryLevel::Within30,
        _ => ExpiryLevel::Fine,
    };
    (level, Some(days))
}

/// What a connection is called on screens: the tenant's name in Entra; when it has none, the
/// domain it was connected by or its first verified domain; the tenant ID only as a last resort.
pub(crate) fn connection_title(row: &ConnectionRow) -> String {
    if let Some(name) = row
        .display_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        return name.to_owned();
    }
    if !roster_domain::tenant::is_guid(&row.tenant) {
        return roster_domain::tenant::display_domain(&row.tenant);
    }
    match row.verified_domains.first() {
        Some(domain) => roster_domain::tenant::display_domain(domain),
        None => format!("Tenant {}", row.tenant_id),
    }
}

/// An organization named by another record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationRef {
    pub id: OrganizationId,
    pub name: String,
}

/// How close a connection's secret is to expiring, judged on the services' clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    pub level: ExpiryLevel,
    /// Days left (negative once expired); `None` when no date is recorded.
    pub days: Option<i64>,
}

/// A tenant connection as pages show it. It never holds the secret, sealed or not.
#[derive(Debug, Clone)]
pub struct ConnectionView {
    pub id: ConnectionId,
    pub organization: Option<OrganizationRef>,
    /// What screens call it (see the tenant's name rules).
    pub title: String,
    /// The tenant as entered (GUID or domain).
    pub tenant: String,
    pub tenant_id: String,
    pub client_id: String,
    pub secret_expires_on: Option<String>,
    pub expiry: Expiry,
    pub verified_domains: Vec<String>,
    pub status: ConnectionStatus,
    /// The last check's one-line summary.
    pub status_detail: Option<String>,
    pub last_check_at: Option<jiff::Timestamp>,
    pub last_check: Option<CheckReport>,
}

impl ConnectionView {
    fn from_row(row: ConnectionRow, today: jiff::civil::Date) -> Result<Self> {
        let status = row
            .status
            .parse()
            .map_err(|e: String| CoreError::Internal(e.into()))?;
        let (level, days) = expiry(row.secret_expires_on.as_deref(), today);
        Ok(Self {
            id: ConnectionId::from_uuid(row.id),
            organization: row.organization_id.zip(row.organization_name.clone()).map(
                |(id, name)| OrganizationRef {
                    id: OrganizationId::from_uuid(id),
                    name,
                },
            ),
            title: connection_title(&row),
            last_check: row
                .last_check
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok()),
            last_check_at: row.last_check_at.map(roster_store::from_millis),
            tenant: row.tenant,
            tenant_id: row.tenant_id,
            client_id: row.client_id,
            secret_expires_on: row.secret_expires_on,
            expiry: Expiry { level, days },
            verified_domains: row.verified_domains,
            status,
            status_detail: row.status_detail,
        })
    }

    /// Whether a person should look at it: the last check failed, or the secret expires within
    /// 30 days (or has).
    pub fn needs_attention(&self) -> bool {
        self.status == ConnectionStatus::Failing || self.expiry.level != ExpiryLevel::Fine
    }
}

/// Explains a failure from Microsoft (or from reaching it) in plain words.
pub fn diagnose(err: &GraphError) -> Problem {
    let request_id = err.request_id().map(str::to_owned);
    if let GraphError::Token(f) = err {
        let code = f.code().map(|c| format!("AADSTS{c}"));
        let (cause, fix, retry) = match f.kind {
            TokenErrorKind::InvalidSecretValue => (
                "The client secret is not one this app accepts (wrong secret value).",
                "Paste the secret's Value, not its Secret ID. A secret created in the last few minutes may not work yet: then wait a minute and check again.",
                false,
            ),
            TokenErrorKind::ExpiredSecret => (
                "The client secret has expired.",
                "In the app registration, open Certificates & secrets, create a new client secret and enter its Value here (use Rotate secret for a saved connection).",
                false,
            ),
            TokenErrorKind::TenantNotFound => (
                "No Microsoft tenant has this tenant ID or domain (the tenant ID is wrong).",
                "Copy the Directory (tenant) ID from the app registration's Overview page, or use one of the customer's verified domains.",
                false,
            ),
            TokenErrorKind::MalformedTenant => (
                "Microsoft says the tenant ID is neither a GUID nor a domain name.",
                "Copy the Directory (tenant) ID from the app registration's Overview page.",
                false,
            ),
            TokenErrorKind::AppNotInTenant => (
                "The application was not found in this tenant (wrong Application ID, or the app is not in this tenant).",
                "Check the Application (client) ID on the app registration's Overview page, and that you created the app registration in this customer's tenant.",
                false,
            ),
            TokenErrorKind::Transient => (
                "Microsoft's sign-in service is busy or temporarily unavailable.",
                "Wait a minute and check again.",
                true,
            ),
            other => (
                other.advice(),
                "Check the tenant ID, Application ID and secret Value.",
                false,
            ),
        };
        return Problem {
            cause: cause.to_owned(),
            fix: fix.to_owned(),
            code,
            request_id,
            retry,
        };
    }
    let (cause, fix, retry) = match err {
        GraphError::Graph(f) if f.kind == GraphErrorKind::TooManyRequests => {
            let wait = err
                .retry_after()
                .map(|d| format!("Wait {} seconds", d.as_secs().max(1)))
                .unwrap_or_else(|| "Wait a minute".to_owned());
            (
                "Microsoft is throttling requests to this tenant (HTTP 429).".to_owned(),
                format!("{wait} and check again."),
                true,
            )
        }
        GraphError::Graph(f) if f.kind == GraphErrorKind::AuthorizationRequestDenied => (
            "Microsoft refused: the app lacks a permission (Insufficient privileges).".to_owned(),
            "Add the missing Application permission and click Grant admin consent.".to_owned(),
            false,
        ),
        GraphError::Timeout { .. } => (
            "Microsoft did not answer in time.".to_owned(),
            "Check again in a moment. If it keeps happening, check this server's connection to Microsoft.".to_owned(),
            true,
        ),
        GraphError::Unreachable { .. } | GraphError::Transport { .. } => (
            "Roster could not reach Microsoft.".to_owned(),
            "Check that this server can reach login.microsoftonline.com and graph.microsoft.com (firewall, proxy, DNS), then check again.".to_owned(),
            true,
        ),
        GraphError::NotJson { .. } => (
            "Microsoft's answer was not the expected JSON (for example an HTML page from a proxy in between).".to_owned(),
            "Check again; if it persists, check for a proxy or firewall rewriting traffic to Microsoft.".to_owned(),
            true,
        ),
        GraphError::TruncatedJson { .. } => (
            "Microsoft's answer was cut off before it was complete.".to_owned(),
            "Check again.".to_owned(),
            true,
        ),
        other => (
            format!("Microsoft answered with an error: {}", short(&other.to_string())),
            "Check again; if it persists, quote the request-id to Microsoft support.".to_owned(),
            other.is_transient(),
        ),
    };
    Problem {
        cause,
        fix,
        code: err.graph_error().map(|k| format!("{k:?}")),
        request_id,
        retry,
    }
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(300).collect();
    if s.chars().count() > 300 {
        out.push('…');
    }
    out
}

fn no_roles_problem() -> Problem {
    Problem {
        cause: "The token carries no application permissions.".into(),
        fix: "Either admin consent was not granted (in API permissions, click \"Grant admin consent for <tenant>\"), or the permissions were added as Delegated instead of Application: remove them and add them again as Application permissions.".into(),
        code: None,
        request_id: None,
        retry: false,
    }
}

fn source_label(source: DataSource) -> &'static str {
    match source {
        DataSource::Users => "Users",
        DataSource::GroupMembers => "Group members",
        DataSource::Organization => "Organization",
        DataSource::Licences => "Licences",
        DataSource::SecureScore => "Secure Score",
        DataSource::SignInActivity => "Sign-in activity",
        DataSource::MfaRegistration => "MFA registration",
        DataSource::UsageReports => "Usage reports",
        DataSource::ReportSettings => "Report settings",
        DataSource::ManagedDevices => "Devices (Intune)",
    }
}

/// The sources the check probes, in the order shown.
const PROBED: [DataSource; 9] = [
    DataSource::Users,
    DataSource::Organization,
    DataSource::Licences,
    DataSource::SecureScore,
    DataSource::MfaRegistration,
    DataSource::SignInActivity,
    DataSource::UsageReports,
    DataSource::ReportSettings,
    DataSource::ManagedDevices,
];

struct Probe {
    line: SourceLine,
    /// Why the source failed, when it failed for a reason other than licensing or permissions.
    problem: Option<Problem>,
    user_count: Option<u64>,
    organization: Option<(String, Option<String>, Vec<String>)>,
}

fn line(source: DataSource, state: SourceState, detail: impl Into<String>) -> SourceLine {
    SourceLine {
        source: source_label(source).to_owned(),
        state,
        detail: detail.into(),
    }
}

fn probe_error(source: DataSource, err: &GraphError) -> (SourceLine, Option<Problem>) {
    let line = match err.graph_error() {
        Some(GraphErrorKind::NotPremium) => line(
            source,
            SourceState::NeedsEntraP1,
            "This tenant has no Entra ID P1 or P2 licence; Roster shows this as unknown.",
        ),
        Some(GraphErrorKind::AuthorizationRequestDenied | GraphErrorKind::Forbidden) => {
            let names: Vec<&str> = source.permissions().iter().map(|p| p.name).collect();
            line(
                source,
                SourceState::MissingPermission,
                format!(
                    "Microsoft refused: grant {} (Application) with admin consent.",
                    names.join(" and ")
                ),
            )
        }
        Some(GraphErrorKind::BadRequest) if source == DataSource::ManagedDevices => line(
            source,
            SourceState::NotApplicable,
            "Intune is not set up in this tenant.",
        ),
        _ => {
            let p = diagnose(err);
            let rid = p
                .request_id
                .as_deref()
                .map(|r| format!(" (request-id {r})"))
                .unwrap_or_default();
            let l = line(
                source,
                SourceState::Failed,
                format!("{} {}{rid}", p.cause, p.fix),
            );
            return (l, Some(p));
        }
    };
    (line, None)
}

async fn probe(session: &roster_graph::TenantSession, source: DataSource) -> Probe {
    let mut p = Probe {
        line: line(source, SourceState::Ok, ""),
        problem: None,
        user_count: None,
        organization: None,
    };
    let result: std::result::Result<String, GraphError> = match source {
        DataSource::Users => {
            let q = ListQuery::new().select(["id"]).top(1).count();
            match session.user_pages(&q).next().await {
                Some(Ok(page)) => {
                    p.user_count = page.count;
                    Ok(match page.count {
                        Some(n) => format!("{n} users"),
                        None => "Users can be read.".to_owned(),
                    })
                }
                Some(Err(e)) => Err(e),
                None => Ok("No users.".to_owned()),
            }
        }
        DataSource::Organization => session.organization().await.map(|o| {
            let name = roster_domain::plain_name(o.display_name.as_deref().unwrap_or_default());
            let default = o
                .verified_domains
                .iter()
                .find(|d| d.is_default)
                .map(|d| d.name.clone());
            let domains: Vec<String> = o
                .verified_domains
                .iter()
                .map(|d| {
                    roster_domain::tenant::normalize_domain(&d.name)
                        .unwrap_or_else(|| d.name.to_ascii_lowercase())
                })
                .collect();
            p.organization = Some((name.clone(), default, domains));
            name
        }),
        DataSource::Licences => session
            .subscribed_skus()
            .await
            .map(|s| format!("{} subscriptions", s.len())),
        DataSource::SecureScore => session.secure_scores(1).await.map(|s| match s.first() {
            Some(score) => match (score.current_score, score.max_score) {
                (Some(c), Some(m)) if m > 0.0 => format!("{c:.0} of {m:.0} ({:.0} %)", c / m * 100.0),
                _ => "Available.".to_owned(),
            },
            None => "No score yet.".to_owned(),
        }),
        DataSource::MfaRegistration => match session.registration_details().next().await {
            Some(Ok(_)) | None => Ok("Available.".to_owned()),
            Some(Err(e)) => Err(e),
        },
        DataSource::SignInActivity => {
            let q = ListQuery::new().select(["id", "signInActivity"]).top(1);
            match session.users(&q).next().await {
                Some(Ok(_)) | None => Ok("Available.".to_owned()),
                Some(Err(e)) => Err(e),
            }
        }
        DataSource::UsageReports => session
            .office365_active_user_detail(ReportPeriod::D30)
            .await
            .map(|r| {
                if r.names_concealed {
                    "Available, but user names are concealed in reports (Microsoft 365 admin center → Settings → Org settings → Reports).".to_owned()
                } else {
                    "Available.".to_owned()
                }
            }),
        DataSource::ReportSettings => session.report_settings().await.map(|_| "Available.".to_owned()),
        DataSource::ManagedDevices => match session.managed_devices().next().await {
            Some(Ok(_)) | None => Ok("Available.".to_owned()),
            Some(Err(e)) => Err(e),
        },
        DataSource::GroupMembers => Ok(String::new()),
    };
    match result {
        Ok(detail) => p.line.detail = detail,
        Err(e) => (p.line, p.problem) = probe_error(source, &e),
    }
    p
}

impl Services {
    /// Runs the full connection check against Microsoft.
    pub async fn run_check(
        &self,
        tenant: &str,
        client_id: &str,
        secret: SecretString,
    ) -> CheckReport {
        let now = self.now_ms();
        let graph = match self.graph() {
            Ok(g) => g,
            Err(_) => {
                return CheckReport::failed(
                    now,
                    Problem {
                        cause: "Roster has no connection to Microsoft configured.".into(),
                        fix: "Set ROSTER_LOGIN_URL and ROSTER_GRAPH_URL (or leave them at their defaults).".into(),
                        code: None,
                        request_id: None,
                        retry: false,
                    },
                );
            }
        };
        let session = graph.tenant(TenantCredentials {
            tenant: tenant.to_owned(),
            client_id: client_id.to_owned(),
            secret,
        });
        // Always a new token: a token's roles are fixed when it is issued, so a cached one would
        // report the consent of up to an hour ago to someone who has just fixed it in Entra.
        let claims = match session.refresh_token().await.and_then(|t| t.claims()) {
            Ok(c) => c,
            Err(e) => {
                tracing::info!(tenant, error = %e, "connection check: no token");
                return CheckReport::failed(now, diagnose(&e));
            }
        };
        let perm = permissions::check(&claims.roles);
        let granted = |p: &roster_graph::permissions::Permission| p.is_granted_by(&claims.roles);
        let permission_lines: Vec<PermissionLine> = permissions::PERMISSIONS
            .iter()
            .map(|p| PermissionLine {
                name: p.name.to_owned(),
                required: p.requirement == permissions::Requirement::Required,
                granted: granted(p),
                purpose: p.purpose.to_owned(),
            })
            .collect();
        let mut report = CheckReport {
            checked_at_ms: now,
            status: "ok".into(),
            summary: String::new(),
            problem: None,
            tenant_id: claims.tenant_id.clone(),
            display_name: None,
            verified_domains: Vec::new(),
            user_count: None,
            roles: (!perm.no_roles_claim).then(|| claims.roles.roles().to_vec()),
            permissions: permission_lines,
            sources: Vec::new(),
        };
        if perm.no_roles_claim {
            report.status = "failing".into();
            report.summary = "Token issued without application permissions (admin consent missing, or Delegated permissions).".into();
            report.problem = Some(no_roles_problem());
            report.sources = PROBED
                .iter()
                .map(|s| {
                    line(
                        *s,
                        SourceState::MissingPermission,
                        "No application permission was granted.",
                    )
                })
                .collect();
            return report;
        }
        let roles = &claims.roles;
        let probes = futures::future::join_all(PROBED.iter().map(|source| {
            let session = &session;
            async move {
                let missing: Vec<&str> = source
                    .permissions()
                    .iter()
                    .filter(|p| !p.is_granted_by(roles))
                    .map(|p| p.name)
                    .collect();
                if missing.is_empty() {
                    probe(session, *source).await
                } else {
                    Probe {
                        line: line(
                            *source,
                            SourceState::MissingPermission,
                            format!(
                                "Missing permission {} (Application).",
                                missing.join(" and ")
                            ),
                        ),
                        problem: None,
                        user_count: None,
                        organization: None,
                    }
                }
            }
        }))
        .await;
        let mut core_problem: Option<Problem> = None;
        for p in probes {
            if (p.line.source == "Users" || p.line.source == "Organization")
                && core_problem.is_none()
            {
                core_problem = p.problem.clone();
            }
            if let Some(n) = p.user_count {
                report.user_count = Some(n);
            }
            if let Some((name, _default, domains)) = p.organization {
                report.display_name = (!name.is_empty()).then_some(name);
                report.verified_domains = domains;
            }
            report.sources.push(p.line);
        }
        let core_failed = report
            .sources
            .iter()
            .filter(|l| l.source == "Users" || l.source == "Organization")
            .find(|l| l.state != SourceState::Ok);
        if !perm.missing_required.is_empty() {
            let names: Vec<&str> = perm.missing_required.iter().map(|p| p.name).collect();
            report.status = "failing".into();
            report.summary = format!("Missing required permissions: {}.", names.join(", "));
            report.problem = Some(Problem {
                cause: format!("The app lacks required permissions: {}.", names.join(", ")),
                fix: "In the app registration's API permissions, add them as Microsoft Graph Application permissions, then click Grant admin consent.".into(),
                code: None,
                request_id: None,
                retry: false,
            });
        } else if let Some(l) = core_failed {
            report.status = "failing".into();
            report.summary = format!("{}: {}", l.source, l.detail);
            report.problem = Some(match core_problem {
                Some(p) => Problem {
                    cause: format!("Reading {} failed: {}", l.source.to_lowercase(), p.cause),
                    ..p
                },
                None => Problem {
                    cause: format!("Reading {} failed: {}", l.source.to_lowercase(), l.detail),
                    fix: "Check the permissions and admin consent, then check again.".into(),
                    code: None,
                    request_id: None,
                    retry: false,
                },
            });
        } else {
            let optional_missing = perm.missing_optional.len();
            report.summary = match (&report.display_name, report.user_count) {
                (Some(name), Some(n)) => format!("Connected to {name} ({n} users)."),
                (Some(name), None) => format!("Connected to {name}."),
                _ => "Connected.".to_owned(),
            };
            if optional_missing > 0 {
                report.summary.push_str(&format!(
                    " {optional_missing} optional permission(s) not granted."
                ));
            }
        }
        report
    }

    /// Every tenant connection of the workspace.
    pub async fn connections(&self, actor: &Principal) -> Result<Vec<ConnectionView>> {
        self.authorize(actor, Permission::View)?;
        let today = self.today();
        actor
            .scope(&self.db)
            .connections()
            .await?
            .into_iter()
            .map(|r| ConnectionView::from_row(r, today))
            .collect()
    }

    /// One tenant connection, with its last check.
    pub async fn connection(&self, actor: &Principal, id: ConnectionId) -> Result<ConnectionView> {
        self.authorize(actor, Permission::View)?;
        let row = actor.scope(&self.db).connection(id).await?;
        ConnectionView::from_row(row, self.today())
    }

    /// A wizard draft of the actor (no secret).
    pub async fn draft(&self, actor: &Principal, id: DraftId) -> Result<DraftView> {
        self.authorize(actor, Permission::ManageCredentials)?;
        let d = actor.scope(&self.db).draft(id, self.now_ms()).await?;
        if d.member_id != actor.member_id().as_uuid() {
            return Err(CoreError::NotFound);
        }
        Ok(DraftView {
            id: DraftId::from_uuid(d.id),
            connection_id: d.connection_id.map(ConnectionId::from_uuid),
            organization_id: d.organization_id.map(OrganizationId::from_uuid),
            tenant: d.tenant,
            client_id: d.client_id,
            secret_expires_on: d.secret_expires_on,
            report: d
                .last_check
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok()),
        })
    }

    /// Refuses to connect `tenant` (a GUID or a domain) when this workspace has connected it already,
    /// saying where, so nobody enters a secret twice for one tenant.
    async fn refuse_connected(
        &self,
        scope: &roster_store::WorkspaceScope<'_>,
        tenant: &str,
    ) -> Result<()> {
        let tenant = tenant.to_ascii_lowercase();
        let connections = scope.connections().await?;
        let Some(row) = connections.iter().find(|c| {
            c.tenant_id.eq_ignore_ascii_case(&tenant)
                || c.tenant.eq_ignore_ascii_case(&tenant)
                || c.verified_domains
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(&tenant))
        }) else {
            return Ok(());
        };
        let name = connection_title(row);
        let place = match &row.organization_name {
            Some(org) => format!("{name}, the tenant of {org}"),
            None => format!("{name} (not matched to an organization yet)"),
        };
        Err(CoreError::Invalid(FieldErrors::one(
            "tenant",
            format!(
                "This tenant is already connected as {place}. Open it from the Tenants page; to give it a new secret, use Rotate secret there."
            ),
        )))
    }

    /// "Check connection" in the wizard (or the rotate flow): validates the fields, keeps them in a
    /// draft with the secret sealed, runs the check and stores its report. Returns the draft id.
    pub async fn check_draft(
        &self,
        actor: &Principal,
        form: &ConnectForm,
        rotating: Option<ConnectionId>,
    ) -> Result<DraftId> {
        self.authorize(actor, Permission::ManageCredentials)?;
        let scope = actor.scope(&self.db);
        let now = self.now_ms();
        let existing = match form.draft_id.trim() {
            "" => None,
            id => {
                let id: DraftId = id.parse().map_err(|_| CoreError::NotFound)?;
                let d = scope.draft(id, now).await?;
                // A draft belongs to one person and one flow (a new connection, or rotating one).
                if d.member_id != actor.member_id().as_uuid()
                    || d.connection_id != rotating.map(|r| r.as_uuid())
                {
                    return Err(CoreError::NotFound);
                }
                Some(d)
            }
        };
        let rotating_row = match rotating {
            Some(id) => Some(scope.connection(id).await?),
            None => None,
        };
        let mut errors = FieldErrors::new();
        // When rotating, the tenant and app are the saved connection's.
        let (tenant, client_id) = match &rotating_row {
            Some(row) => (Some(row.tenant.clone()), Some(row.client_id.clone())),
            None => (
                errors
                    .check("tenant", TenantRef::parse(&form.tenant))
                    .map(|t| t.as_str().to_owned()),
                errors
                    .check("client_id", ClientId::parse(&form.client_id))
                    .map(|c| c.as_str().to_owned()),
            ),
        };
        let secret_input = form.secret.trim();
        let keyring = self.keyring()?;
        let context = actor.workspace_id().as_uuid();
        let secret: Option<SecretString> = if secret_input.is_empty() {
            match &existing {
                Some(d) => Some(
                    keyring
                        .open(&d.sealed(), context.as_bytes())
                        .map_err(|e| CoreError::Internal(Box::new(e)))?,
                ),
                None => {
                    errors.add(
                        "secret",
                        "Paste the client secret's Value (shown once, when the secret is created).",
                    );
                    None
                }
            }
        } else {
            errors
                .check("secret", check_client_secret(secret_input))
                .map(|s| SecretString::from(s.to_owned()))
        };
        let expires = errors
            .check("secret_expires_on", parse_date(&form.secret_expires_on))
            .filter(|date| {
                let past = *date < self.today();
                if past {
                    errors.add(
                        "secret_expires_on",
                        format!(
                            "{date} is in the past: an expired secret cannot connect. Add a new client secret under Certificates & secrets and enter its expiry date."
                        ),
                    );
                }
                !past
            });
        if let (Some(row), false) = (&rotating_row, secret_input.is_empty()) {
            let stored = keyring
                .open(&row.sealed(), context.as_bytes())
                .map_err(|e| CoreError::Internal(Box::new(e)))?;
            if crate::crypto::same_secret(stored.expose_secret(), secret_input) {
                errors.add(
                    "secret",
                    "This is the secret Roster already has. Add a new client secret under Certificates & secrets and paste its Value.",
                );
            }
        }
        let organization_id = match form.organization_id.trim() {
            "" => None,
            id => match id.parse::<OrganizationId>() {
                Ok(id) => match scope.organization(id).await {
                    Ok(_) => Some(id),
                    Err(StoreError::NotFound) => {
                        errors.add("organization_id", "Choose an organization from the list.");
                        None
                    }
                    Err(e) => return Err(e.into()),
                },
                Err(_) => {
                    errors.add("organization_id", "Choose an organization from the list.");
                    None
                }
            },
        };
        let (Some(tenant), Some(client_id), Some(secret), Some(expires)) =
            (tenant, client_id, secret, expires)
        else {
            return Err(CoreError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        if rotating.is_none() {
            self.refuse_connected(&scope, &tenant).await?;
        }
        let report = self.run_check(&tenant, &client_id, secret.clone()).await;
        if let (None, Some(tenant_id)) = (rotating, &report.tenant_id) {
            self.refuse_connected(&scope, tenant_id).await?;
        }
        let draft_id = existing
            .as_ref()
            .map(|d| DraftId::from_uuid(d.id))
            .unwrap_or_else(|| self.new_id());
        let sealed = keyring.seal(secret.expose_secret(), context.as_bytes());
        // After the check, never around it: a unit holds the database while it is open.
        let mut unit = scope.begin().await?;
        unit.save_draft(&DraftFields {
            id: draft_id,
            member_id: actor.member_id(),
            connection_id: rotating,
            organization_id: organization_id.or(rotating_row
                .as_ref()
                .and_then(|r| r.organization_id)
                .map(OrganizationId::from_uuid)),
            tenant,
            client_id,
            secret: sealed,
            secret_expires_on: Some(expires.to_string()),
            tenant_id: report.tenant_id.clone(),
            last_check: serde_json::to_string(&report).ok(),
            now_ms: now,
            expires_ms: now + DRAFT_LIFETIME_MS,
        })
        .await?;
        unit.commit().await?;
        Ok(draft_id)
    }

    /// "Save connection": turns a checked draft into a tenant connection.
    pub async fn save_connection(
        &self,
        actor: &Principal,
        draft_id: DraftId,
    ) -> Result<ConnectionId> {
        self.save_connection_in(actor, draft_id, None).await
    }

    /// The wizard's last step: saves the checked connection together with the sync settings
    /// chosen for it (scope, filters, new users, guard, schedule). A problem with the settings
    /// is reported field by field and nothing is saved.
    pub async fn save_connection_with_settings(
        &self,
        actor: &Principal,
        draft_id: DraftId,
        form: &crate::sync::engine::SyncSettingsForm,
    ) -> Result<ConnectionId> {
        self.authorize(actor, Permission::ManageCredentials)?;
        let settings = crate::sync::engine::parse_sync_settings(form)?;
        self.save_connection_in(actor, draft_id, Some(&settings))
            .await
    }

    async fn save_connection_in(
        &self,
        actor: &Principal,
        draft_id: DraftId,
        settings: Option<&crate::sync::engine::SyncSettings>,
    ) -> Result<ConnectionId> {
        self.authorize(actor, Permission::ManageCredentials)?;
        let scope = actor.scope(&self.db);
        let draft = scope.draft(draft_id, self.now_ms()).await?;
        if draft.member_id != actor.member_id().as_uuid() || draft.connection_id.is_some() {
            return Err(CoreError::NotFound);
        }
        let report: Option<CheckReport> = draft
            .last_check
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok());
        let (Some(report), Some(tenant_id)) = (report, draft.tenant_id.clone()) else {
            return Err(CoreError::Conflict(
                "Check the connection first: Roster saves a connection once Microsoft has issued a token for it.".into(),
            ));
        };
        let new = NewConnection {
            organization_id: draft.organization_id.map(OrganizationId::from_uuid),
            tenant: draft.tenant.clone(),
            tenant_id: tenant_id.clone(),
            client_id: draft.client_id.clone(),
            secret: draft.sealed(),
            secret_expires_on: draft.secret_expires_on.clone(),
            display_name: report.display_name.clone(),
            verified_domains: report.verified_domains.clone(),
            status: report.connection_status(),
            status_detail: Some(report.summary.clone()),
            last_check: serde_json::to_string(&report).ok(),
        };
        let id: ConnectionId = self.new_id();
        let mut unit = scope.begin().await?;
        match unit
            .create_connection(id, &new, DraftId::from_uuid(draft.id), self.now_ms())
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                return Err(CoreError::Conflict(format!(
                    "This tenant ({tenant_id}) is already connected in this workspace, or the organization already has a tenant. Open it from the Tenants page instead."
                )));
            }
            Err(e) => return Err(e.into()),
        };
        unit.audit(
            actor,
            AuditEntry {
                action: "connection.created",
                target_type: "tenant_connection",
                target_id: Some(id.to_string()),
                detail: json!({
                    "tenant_id": tenant_id,
                    "client_id": draft.client_id,
                    "display_name": report.display_name,
                    "organization_id": draft.organization_id,
                    "status": new.status.as_str(),
                }),
            },
            self.now_ms(),
        )
        .await?;
        if let Some(settings) = settings {
            let json =
                serde_json::to_string(settings).map_err(|e| CoreError::Internal(Box::new(e)))?;
            unit.set_sync_settings(id.as_uuid(), &json).await?;
            self.reschedule(&mut unit, id, &settings.schedule).await?;
            unit.audit(
                actor,
                AuditEntry {
                    action: "connection.sync_settings",
                    target_type: "tenant_connection",
                    target_id: Some(id.to_string()),
                    detail: serde_json::to_value(settings).unwrap_or_default(),
                },
                self.now_ms(),
            )
            .await?;
        }
        unit.commit().await?;
        self.match_after_change(actor).await;
        Ok(id)
    }

    /// "Check connection" on a saved connection; stores the result.
    pub async fn recheck_connection(
        &self,
        actor: &Principal,
        id: ConnectionId,
    ) -> Result<CheckReport> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let row = scope.connection(id).await?;
        let secret = self
            .keyring()?
            .open(&row.sealed(), actor.workspace_id().as_uuid().as_bytes())
            .map_err(|e| CoreError::Internal(Box::new(e)))?;
        let report = self.run_check(&row.tenant, &row.client_id, secret).await;
        let json = serde_json::to_string(&report).unwrap_or_default();
        let mut unit = scope.begin().await?;
        unit.record_check(
            id,
            report.connection_status(),
            Some(&report.summary),
            &json,
            report.display_name.as_deref(),
            (!report.verified_domains.is_empty()).then_some(report.verified_domains.as_slice()),
            self.now_ms(),
        )
        .await?;
        unit.audit(
            actor,
            AuditEntry {
                action: "connection.checked",
                target_type: "tenant_connection",
                target_id: Some(id.to_string()),
                detail: json!({ "status": report.status, "summary": report.summary }),
            },
            self.now_ms(),
        )
        .await?;
        unit.commit().await?;
        self.match_after_change(actor).await;
        Ok(report)
    }

    /// Rotate secret, last step: replaces the saved secret with the draft's once Microsoft accepted it.
    pub async fn finish_rotation(
        &self,
        actor: &Principal,
        draft_id: DraftId,
    ) -> Result<ConnectionId> {
        self.authorize(actor, Permission::ManageCredentials)?;
        let scope = actor.scope(&self.db);
        let draft = scope.draft(draft_id, self.now_ms()).await?;
        let (Some(connection_id), true) = (
            draft.connection_id.map(ConnectionId::from_uuid),
            draft.member_id == actor.member_id().as_uuid(),
        ) else {
            return Err(CoreError::NotFound);
        };
        let row = scope.connection(connection_id).await?;
        let report: Option<CheckReport> = draft
            .last_check
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok());
        match (&report, &draft.tenant_id) {
            (Some(r), Some(tid))
                if r.tenant_id.as_deref() == Some(tid.as_str()) && *tid == row.tenant_id => {}
            _ => {
                return Err(CoreError::Conflict(
                    "Microsoft has not accepted the new secret yet, so the saved one was kept. Check again; a new secret can take a few minutes to work.".into(),
                ));
            }
        }
        // The new secret, what its check learnt and the audit entry: together or not at all.
        let mut unit = scope.begin().await?;
        unit.replace_secret(
            connection_id,
            &draft.sealed(),
            draft.secret_expires_on.as_deref(),
            DraftId::from_uuid(draft.id),
            self.now_ms(),
        )
        .await?;
        if let Some(r) = &report {
            let json = serde_json::to_string(r).unwrap_or_default();
            unit.record_check(
                connection_id,
                r.connection_status(),
                Some(&r.summary),
                &json,
                r.display_name.as_deref(),
                (!r.verified_domains.is_empty()).then_some(r.verified_domains.as_slice()),
                self.now_ms(),
            )
            .await?;
        }
        unit.audit(
            actor,
            AuditEntry {
                action: "connection.secret_rotated",
                target_type: "tenant_connection",
                target_id: Some(connection_id.to_string()),
                detail: json!({ "secret_expires_on": draft.secret_expires_on }),
            },
            self.now_ms(),
        )
        .await?;
        unit.commit().await?;
        self.match_after_change(actor).await;
        Ok(connection_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_warnings_follow_the_30_14_7_0_day_steps() {
        let today: jiff::civil::Date = "2026-11-22".parse().unwrap();
        let at = |d: &str| expiry(Some(d), today);
        assert_eq!(at("2027-01-01").0, ExpiryLevel::Fine);
        assert_eq!(at("2026-12-22"), (ExpiryLevel::Within30, Some(30)));
        assert_eq!(at("2026-12-06").0, ExpiryLevel::Within14);
        assert_eq!(at("2026-11-29"), (ExpiryLevel::Within7, Some(7)));
        assert_eq!(at("2026-11-22").0, ExpiryLevel::Expired);
        assert_eq!(at("2026-10-01").0, ExpiryLevel::Expired);
        assert_eq!(expiry(None, today), (ExpiryLevel::Fine, None));
    }
}
