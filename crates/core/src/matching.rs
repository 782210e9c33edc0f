//! Tenants ↔ organizations: the automatic match on certain evidence, the review of unmatched
//! tenants with ranked, explained suggestions, and the decisions a person takes there (accept,
//! match to another, create an organization, ignore, undo, bulk accept), each recorded.

use crate::error::{CoreError, Result};
use crate::organizations::OrganizationForm;
use crate::services::Services;
use roster_domain::matching::{Matcher, Organization, Suggestion, Tenant};
use roster_domain::tenant::display_domain;
use roster_domain::{ConnectionId, OrganizationId, Permission};
pub use roster_store::DecisionsOf;
use roster_store::{
    AuditEntry, MatchOrganization, MatchTenant, NewMatchDecision, Principal, StoreError,
    WorkspaceScope,
};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// How many suggestions each tenant shows.
pub const SUGGESTIONS: usize = 5;

/// One suggested organization, as the review page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SuggestionView {
    pub organization: OrganizationId,
    pub name: String,
    /// In [0, 1].
    pub score: f64,
    /// The breakdown of the score in words.
    pub why: String,
    /// Certain evidence (kept from an automatic match only by an undo or an ignore).
    pub certain: bool,
    /// Set when someone undid this very match: the suggestion is then ranked last, with this note.
    pub undone_note: Option<String>,
}

/// A tenant waiting for a match.
#[derive(Clone, Debug, PartialEq)]
pub struct UnmatchedTenant {
    pub connection: ConnectionId,
    pub name: String,
    pub tenant_id: String,
    /// Verified domains, for display.
    pub domains: Vec<String>,
    pub suggestions: Vec<SuggestionView>,
}

/// A tenant matched to an organization.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchedTenant {
    pub connection: ConnectionId,
    pub name: String,
    pub organization: OrganizationId,
    pub organization_name: String,
    /// How the match was made, in words.
    pub how: String,
    pub at: Option<jiff::Timestamp>,
}

/// A tenant someone chose to leave unmatched.
#[derive(Clone, Debug, PartialEq)]
pub struct IgnoredTenant {
    pub connection: ConnectionId,
    pub name: String,
    pub at: jiff::Timestamp,
}

/// The review page's content.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TenantReview {
    pub unmatched: Vec<UnmatchedTenant>,
    pub matched: Vec<MatchedTenant>,
    pub ignored: Vec<IgnoredTenant>,
}

/// One recorded decision, as the tenant and organization pages show it.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionView {
    pub at: jiff::Timestamp,
    pub actor: String,
    /// What was decided, in words ("Accepted the suggestion").
    pub what: String,
    pub tenant_name: String,
    pub connection: ConnectionId,
    pub organization: Option<(OrganizationId, String)>,
    pub score: Option<f64>,
    pub reasons: String,
}

/// A match bulk accept would make.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkPick {
    pub connection: ConnectionId,
    pub tenant_name: String,
    pub organization: OrganizationId,
    pub organization_name: String,
    pub score: f64,
    pub why: String,
}

/// What bulk accept would do at a score: the matches, and the tenants left for a person because
/// their best suggestion is also another tenant's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BulkPreview {
    pub picks: Vec<BulkPick>,
    pub contested: Vec<(String, String)>,
}

/// What bulk accept did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    pub accepted: usize,
    /// Picks that no longer held (the tenant was matched meanwhile, or its best suggestion changed).
    pub skipped: usize,
}

fn tenant_name(t: &MatchTenant) -> String {
    t.display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| t.tenant.clone())
}

fn how_in_words(how: Option<&str>) -> String {
    match how {
        Some("tenant_id") => "automatically: the organization records the tenant ID",
        Some("primary_domain") => {
            "automatically: a verified domain is the organization's primary domain"
        }
        Some("accepted") => "suggestion accepted",
        Some("chosen") => "chosen by hand",
        Some("created") => "organization created from the tenant",
        Some("wizard") => "chosen in the connect wizard",
        _ => "matched",
    }
    .to_owned()
}

fn action_in_words(action: &str) -> &'static str {
    match action {
        "matched_automatically" => "Matched automatically",
        "accepted" => "Accepted the suggestion",
        "matched" => "Matched by hand",
        "created" => "Created the organization from the tenant",
        "ignored" => "Ignored the tenant",
        "unignored" => "Stopped ignoring the tenant",
        "undone" => "Undid the match",
        _ => "Decided",
    }
}

/// The matcher over the organizations a tenant can still be matched to, and those organizations.
struct Candidates {
    orgs: Vec<MatchOrganization>,
    matcher: Matcher,
}

impl Candidates {
    fn new(all: Vec<MatchOrganization>) -> Self {
        let orgs: Vec<MatchOrganization> = all
            .into_iter()
            .filter(|o| o.connection_id.is_none())
            .collect();
        let input: Vec<Organization> = orgs
            .iter()
            .map(|o| Organization {
                name: o.name.clone(),
                aliases: o.aliases(),
                domains: o.domains.clone(),
                website: o.website.clone(),
                contact_domains: o.contact_domains.clone(),
            })
            .collect();
        Self {
            matcher: Matcher::new(&input),
            orgs,
        }
    }

    fn tenant(t: &MatchTenant) -> Tenant {
        Tenant {
            name: tenant_name(t),
            domains: t.domains.clone(),
        }
    }

    fn view(
        &self,
        s: &Suggestion,
        undone: &HashSet<(Uuid, Uuid)>,
        conn: Uuid,
    ) -> Option<SuggestionView> {
        let org = self.orgs.get(s.organization)?;
        let was_undone = undone.contains(&(conn, org.id));
        Some(SuggestionView {
            organization: OrganizationId::from_uuid(org.id),
            name: org.name.clone(),
            score: s.score,
            why: s.to_string(),
            certain: s.is_certain(),
            undone_note: was_undone.then(|| {
                "Someone undid this match before, so it is listed last; see the tenant's match history.".to_owned()
            }),
        })
    }

    /// The score of one organization for a tenant (for the record of a decision).
    fn score(&self, t: &MatchTenant, org: Uuid) -> Option<Suggestion> {
        let at = self.orgs.iter().position(|o| o.id == org)?;
        self.matcher.score(&Self::tenant(t), at)
    }
}

impl Services {
    async fn candidates(&self, scope: &WorkspaceScope<'_>) -> Result<Candidates> {
        Ok(Candidates::new(scope.matching_organizations().await?))
    }

    /// The review page: unmatched tenants with their suggestions, matched and ignored tenants.
    pub async fn tenant_review(&self, actor: &Principal) -> Result<TenantReview> {
        self.authorize(actor, Permission::View)?;
        let scope = actor.scope(&self.db);
        let tenants = scope.matching_tenants().await?;
        let mut review = TenantReview::default();
        let waiting: Vec<&MatchTenant> = tenants
            .iter()
            .filter(|t| t.organization_id.is_none() && t.match_ignored_at.is_none())
            .collect();
        if !waiting.is_empty() {
            let candidates = self.candidates(&scope).await?;
            let undone: HashSet<(Uuid, Uuid)> = scope.undone_matches().await?.into_iter().collect();
            let input: Vec<Tenant> = waiting.iter().map(|t| Candidates::tenant(t)).collect();
            // Scoring is CPU work: off the async runtime, on every core.
            let (candidates, found) = tokio::task::spawn_blocking(move || {
                let found = candidates.matcher.suggest_all(&input, SUGGESTIONS + 1);
                (candidates, found)
            })
            .await
            .map_err(|e| CoreError::Internal(Box::new(e)))?;
            for (t, found) in waiting.iter().zip(found) {
                let mut suggestions: Vec<SuggestionView> = found
                    .iter()
                    .filter_map(|s| candidates.view(s, &undone, t.id))
                    .collect();
                suggestions.sort_by_key(|v| v.undone_note.is_some());
                suggestions.truncate(SUGGESTIONS);
                review.unmatched.push(UnmatchedTenant {
                    connection: ConnectionId::from_uuid(t.id),
                    name: tenant_name(t),
                    tenant_id: t.tenant_id.clone(),
                    domains: t.domains.iter().map(|d| display_domain(d)).collect(),
                    suggestions,
                });
            }
        }
        for t in &tenants {
            match (t.organization_id, &t.organization_name, t.match_ignored_at) {
                (Some(org), Some(org_name), _) => review.matched.push(MatchedTenant {
                    connection: ConnectionId::from_uuid(t.id),
                    name: tenant_name(t),
                    organization: OrganizationId::from_uuid(org),
                    organization_name: org_name.clone(),
                    how: how_in_words(t.matched_how.as_deref()),
                    at: t.matched_at.map(roster_store::from_millis),
                }),
                (None, _, Some(at)) => review.ignored.push(IgnoredTenant {
                    connection: ConnectionId::from_uuid(t.id),
                    name: tenant_name(t),
                    at: roster_store::from_millis(at),
                }),
                _ => {}
            }
        }
        Ok(review)
    }

    /// Tenants waiting for a match and users waiting in the contact review queue (for the
    /// navigation's count).
    pub async fn review_counts(&self, actor: &Principal) -> Result<(u64, u64)> {
        self.authorize(actor, Permission::View)?;
        let scope = actor.scope(&self.db);
        Ok((
            scope.unmatched_tenants().await?,
            scope.open_contact_reviews().await?,
        ))
    }

    /// Organizations (not archived) whose name contains `query`, for "Match to…": each with
    /// whether it already has a tenant.
    pub async fn organizations_for_match(
        &self,
        actor: &Principal,
        query: &str,
    ) -> Result<Vec<(OrganizationId, String, bool)>> {
        self.authorize(actor, Permission::View)?;
        let rows = actor.scope(&self.db).organizations_named(query, 20).await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, conn)| (OrganizationId::from_uuid(id), name, conn.is_some()))
            .collect())
    }

    /// The match decisions about one tenant or one organization, newest first.
    pub async fn match_history(
        &self,
        actor: &Principal,
        of: DecisionsOf,
    ) -> Result<Vec<DecisionView>> {
        self.authorize(actor, Permission::View)?;
        let rows = actor.scope(&self.db).match_decisions(of, 100).await?;
        Ok(rows
            .into_iter()
            .map(|r| DecisionView {
                at: roster_store::from_millis(r.created_at),
                actor: r.actor,
                what: action_in_words(&r.action).to_owned(),
                tenant_name: r.tenant_name,
                connection: ConnectionId::from_uuid(r.connection_id),
                organization: r.organization_id.map(|o| {
                    (
                        OrganizationId::from_uuid(o),
                        r.organization_name.unwrap_or_default(),
                    )
                }),
                score: r.score,
                reasons: r.reasons,
            })
            .collect())
    }

    async fn match_tenant_row(
        &self,
        scope: &WorkspaceScope<'_>,
        id: ConnectionId,
    ) -> Result<MatchTenant> {
        scope
            .matching_tenants()
            .await?
            .into_iter()
            .find(|t| t.id == id.as_uuid())
            .ok_or(CoreError::NotFound)
    }

    /// Matches a tenant to an organization: "accepted" (a suggestion) or "matched" (chosen by
    /// hand). The tenant's synced contacts move with it.
    async fn decide_match(
        &self,
        actor: &Principal,
        connection: ConnectionId,
        organization: OrganizationId,
        accepted: bool,
        candidates: Option<&Candidates>,
    ) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let tenant = self.match_tenant_row(&scope, connection).await?;
        let org = scope.organization(organization).await?;
        if org.archived_at.is_some() {
            return Err(CoreError::Conflict(format!(
                "{} is archived. Restore it first, or choose another organization.",
                org.name
            )));
        }
        if tenant.organization_id == Some(organization.as_uuid()) {
            return Err(CoreError::Conflict(format!(
                "{} is already matched to {}.",
                tenant_name(&tenant),
                org.name
            )));
        }
        let scored = match candidates {
            Some(c) => c.score(&tenant, org.id),
            None => self.candidates(&scope).await?.score(&tenant, org.id),
        };
        let (action, how) = if accepted {
            ("accepted", "accepted")
        } else {
            ("matched", "chosen")
        };
        let mut unit = scope.begin().await?;
        let previous = tenant.organization_id.map(OrganizationId::from_uuid);
        match unit
            .set_connection_match(
                connection,
                previous,
                Some(organization),
                Some(how),
                self.now_ms(),
            )
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                return Err(CoreError::Conflict(format!(
                    "{} already has a tenant. Undo that match first, or choose another organization.",
                    org.name
                )));
            }
            Err(StoreError::NotFound) => return Err(changed_meanwhile()),
            Err(e) => return Err(e.into()),
        }
        let moved = unit
            .move_tenant_contacts(&tenant.tenant_id, organization, self.now_ms())
            .await?;
        let name = tenant_name(&tenant);
        let reasons = scored
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_else(|| "no evidence".to_owned());
        self.record_decision(
            &mut unit,
            Some(actor),
            Decided {
                connection,
                tenant_name: &name,
                organization: Some((organization, &org.name)),
                action,
                score: scored.as_ref().map(|s| s.score),
                reasons: &reasons,
                audit: AuditEntry {
                    action: if accepted {
                        "tenant.match_accepted"
                    } else {
                        "tenant.matched"
                    },
                    target_type: "tenant_connection",
                    target_id: Some(connection.to_string()),
                    detail: json!({
                        "organization_id": organization.to_string(),
                        "organization": org.name,
                        "previous_organization_id": previous.map(|p| p.to_string()),
                        "score": scored.as_ref().map(|s| s.score),
                        "reasons": reasons,
                        "contacts_moved": moved,
                    }),
                },
            },
        )
        .await?;
        unit.commit().await?;
        Ok(())
    }

    /// Accepts a suggestion.
    pub async fn accept_match(
        &self,
        actor: &Principal,
        connection: ConnectionId,
        organization: OrganizationId,
    ) -> Result<()> {
        self.decide_match(actor, connection, organization, true, None)
            .await
    }

    /// Matches a tenant to an organization chosen by hand (also changes an existing match).
    pub async fn match_tenant(
        &self,
        actor: &Principal,
        connection: ConnectionId,
        organization: OrganizationId,
    ) -> Result<()> {
        self.decide_match(actor, connection, organization, false, None)
            .await
    }

    /// Undoes a tenant's match: it waits for review again, and this organization is not suggested
    /// for it at the top again. Its contacts stay with the organization until it is matched anew.
    pub async fn undo_match(&self, actor: &Principal, connection: ConnectionId) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let tenant = self.match_tenant_row(&scope, connection).await?;
        let Some(org) = tenant.organization_id.map(OrganizationId::from_uuid) else {
            return Err(CoreError::Conflict(format!(
                "{} is not matched to an organization.",
                tenant_name(&tenant)
            )));
        };
        let org_name = tenant.organization_name.clone().unwrap_or_default();
        let mut unit = scope.begin().await?;
        match unit
            .set_connection_match(connection, Some(org), None, None, self.now_ms())
            .await
        {
            Ok(()) => {}
            Err(StoreError::NotFound) => return Err(changed_meanwhile()),
            Err(e) => return Err(e.into()),
        }
        let name = tenant_name(&tenant);
        self.record_decision(
            &mut unit,
            Some(actor),
            Decided {
                connection,
                tenant_name: &name,
                organization: Some((org, &org_name)),
                action: "undone",
                score: None,
                reasons: &format!("was {}", how_in_words(tenant.matched_how.as_deref())),
                audit: AuditEntry {
                    action: "tenant.match_undone",
                    target_type: "tenant_connection",
                    target_id: Some(connection.to_string()),
                    detail: json!({ "organization_id": org.to_string(), "organization": org_name }),
                },
            },
        )
        .await?;
        unit.commit().await?;
        Ok(())
    }

    /// Ignores an unmatched tenant (or stops ignoring it): an ignored tenant stays out of the
    /// review list, and out of automatic matches, across syncs.
    pub async fn ignore_tenant(
        &self,
        actor: &Principal,
        connection: ConnectionId,
        ignore: bool,
    ) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let tenant = self.match_tenant_row(&scope, connection).await?;
        if tenant.organization_id.is_some() {
            return Err(CoreError::Conflict(format!(
                "{} is matched to {}; undo the match before ignoring it.",
                tenant_name(&tenant),
                tenant.organization_name.clone().unwrap_or_default()
            )));
        }
        let mut unit = scope.begin().await?;
        match unit
            .set_match_ignored(connection, ignore.then(|| self.now_ms()))
            .await
        {
            Ok(()) => {}
            Err(StoreError::NotFound) => return Err(changed_meanwhile()),
            Err(e) => return Err(e.into()),
        }
        let name = tenant_name(&tenant);
        let action = if ignore { "ignored" } else { "unignored" };
        self.record_decision(
            &mut unit,
            Some(actor),
            Decided {
                connection,
                tenant_name: &name,
                organization: None,
                action,
                score: None,
                reasons: "",
                audit: AuditEntry {
                    action: if ignore {
                        "tenant.ignored"
                    } else {
                        "tenant.unignored"
                    },
                    target_type: "tenant_connection",
                    target_id: Some(connection.to_string()),
                    detail: json!({ "tenant": name }),
                },
            },
        )
        .await?;
        unit.commit().await?;
        if !ignore {
            self.match_after_change(actor).await;
        }
        Ok(())
    }

    /// Creates an organization from a tenant (its name, verified domains and tenant ID) and
    /// matches the tenant to it, in one transaction.
    pub async fn create_organization_from_tenant(
        &self,
        actor: &Principal,
        connection: ConnectionId,
    ) -> Result<OrganizationId> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let tenant = self.match_tenant_row(&scope, connection).await?;
        if tenant.organization_id.is_some() {
            return Err(CoreError::Conflict(format!(
                "{} is already matched to {}.",
                tenant_name(&tenant),
                tenant.organization_name.clone().unwrap_or_default()
            )));
        }
        let name = tenant_name(&tenant);
        let domains: Vec<String> = tenant
            .domains
            .iter()
            .filter(|d| !d.ends_with(".onmicrosoft.com"))
            .map(|d| display_domain(d))
            .collect();
        let form = OrganizationForm {
            name: name.clone(),
            domains: domains.join(", "),
            tenant_id: tenant.tenant_id.clone(),
            ..OrganizationForm::default()
        };
        let fields = match self.checked_fields(&scope, &form, None).await {
            Ok(f) => f,
            Err(CoreError::Invalid(errors)) => {
                let problems: Vec<String> = errors.0.into_values().collect();
                return Err(CoreError::Conflict(format!(
                    "Roster cannot create an organization from {name}: {} Use \"Match to…\" to choose an existing one, or create it by hand.",
                    problems.join(" ")
                )));
            }
            Err(e) => return Err(e),
        };
        let id: OrganizationId = self.new_id();
        let mut unit = scope.begin().await?;
        match unit.create_organization(id, &fields, self.now_ms()).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => return Err(changed_meanwhile()),
            Err(e) => return Err(e.into()),
        }
        match unit
            .set_connection_match(connection, None, Some(id), Some("created"), self.now_ms())
            .await
        {
            Ok(()) => {}
            Err(StoreError::NotFound | StoreError::Conflict) => return Err(changed_meanwhile()),
            Err(e) => return Err(e.into()),
        }
        let moved = unit
            .move_tenant_contacts(&tenant.tenant_id, id, self.now_ms())
            .await?;
        self.record_decision(
            &mut unit,
            Some(actor),
            Decided {
                connection,
                tenant_name: &name,
                organization: Some((id, &fields.name)),
                action: "created",
                score: None,
                reasons: "created from the tenant's name, verified domains and tenant ID",
                audit: AuditEntry {
                    action: "organization.created_from_tenant",
                    target_type: "organization",
                    target_id: Some(id.to_string()),
                    detail: json!({
                        "name": fields.name,
                        "domains": fields.domains,
                        "connection_id": connection.to_string(),
                        "contacts_moved": moved,
                    }),
                },
            },
        )
        .await?;
        unit.commit().await?;
        Ok(id)
    }

    /// What bulk accept would do at `min_score`: each unmatched tenant's best suggestion at or
    /// above it (never one someone undid), except where two tenants' best is one organization.
    pub async fn bulk_accept_preview(
        &self,
        actor: &Principal,
        min_score: f64,
    ) -> Result<BulkPreview> {
        let review = self.tenant_review(actor).await?;
        let mut picks: Vec<BulkPick> = Vec::new();
        for t in review.unmatched {
            if let Some(best) = t.suggestions.first()
                && best.score >= min_score
                && best.undone_note.is_none()
            {
                picks.push(BulkPick {
                    connection: t.connection,
                    tenant_name: t.name.clone(),
                    organization: best.organization,
                    organization_name: best.name.clone(),
                    score: best.score,
                    why: best.why.clone(),
                });
            }
        }
        let mut per_org: HashMap<OrganizationId, usize> = HashMap::new();
        for p in &picks {
            *per_org.entry(p.organization).or_default() += 1;
        }
        let (picks, contested): (Vec<BulkPick>, Vec<BulkPick>) = picks
            .into_iter()
            .partition(|p| per_org.get(&p.organization) == Some(&1));
        Ok(BulkPreview {
            picks,
            contested: contested
                .into_iter()
                .map(|p| (p.tenant_name, p.organization_name))
                .collect(),
        })
    }

    /// Accepts the previewed matches that still hold: each tenant still unmatched with that
    /// organization still its best suggestion at or above `min_score`.
    pub async fn bulk_accept(
        &self,
        actor: &Principal,
        min_score: f64,
        picks: &[(ConnectionId, OrganizationId)],
    ) -> Result<BulkOutcome> {
        self.authorize(actor, Permission::Operate)?;
        let now = self.bulk_accept_preview(actor, min_score).await?;
        let holding: HashSet<(ConnectionId, OrganizationId)> = now
            .picks
            .iter()
            .map(|p| (p.connection, p.organization))
            .collect();
        let mut outcome = BulkOutcome::default();
        // The scores recorded are those of the preview's matcher, built once for all picks.
        let candidates = self.candidates(&actor.scope(&self.db)).await?;
        for pick in picks {
            if !holding.contains(pick) {
                outcome.skipped += 1;
                continue;
            }
            match self
                .decide_match(actor, pick.0, pick.1, true, Some(&candidates))
                .await
            {
                Ok(()) => outcome.accepted += 1,
                Err(CoreError::Conflict(_) | CoreError::NotFound) => outcome.skipped += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(outcome)
    }

    /// Makes every match certain evidence allows now (a tenant ID recorded on an organization, a
    /// verified domain that is an organization's primary domain) and records each. Runs whenever
    /// such evidence may have appeared: a tenant connected or checked, an organization saved.
    /// Returns how many tenants were matched.
    pub async fn match_automatically(&self, actor: &Principal) -> Result<usize> {
        let scope = actor.scope(&self.db);
        let found = scope.certain_matches().await?;
        if found.is_empty() {
            return Ok(0);
        }
        let tenants: HashMap<Uuid, MatchTenant> = scope
            .matching_tenants()
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let mut made = 0;
        for m in found {
            let (Some(tenant), Ok(org)) = (
                tenants.get(&m.connection_id),
                scope
                    .organization(OrganizationId::from_uuid(m.organization_id))
                    .await,
            ) else {
                continue;
            };
            let connection = ConnectionId::from_uuid(m.connection_id);
            let organization = OrganizationId::from_uuid(m.organization_id);
            let mut unit = scope.begin().await?;
            match unit
                .make_certain_match(connection, organization, &m.how, self.now_ms())
                .await
            {
                Ok(()) => {}
                // Someone matched the tenant or the organization meanwhile: nothing to do.
                Err(StoreError::NotFound | StoreError::Conflict) => continue,
                Err(e) => return Err(e.into()),
            }
            let moved = unit
                .move_tenant_contacts(&tenant.tenant_id, organization, self.now_ms())
                .await?;
            let reasons = if m.how == "tenant_id" {
                format!("the organization records the tenant ID {}", m.evidence)
            } else {
                format!(
                    "{} is the primary domain of this organization",
                    display_domain(&m.evidence)
                )
            };
            let name = tenant_name(tenant);
            self.record_decision(
                &mut unit,
                None,
                Decided {
                    connection,
                    tenant_name: &name,
                    organization: Some((organization, &org.name)),
                    action: "matched_automatically",
                    score: Some(1.0),
                    reasons: &reasons,
                    audit: AuditEntry {
                        action: "tenant.matched_automatically",
                        target_type: "tenant_connection",
                        target_id: Some(connection.to_string()),
                        detail: json!({
                            "organization_id": organization.to_string(),
                            "organization": org.name,
                            "reasons": reasons,
                            "contacts_moved": moved,
                        }),
                    },
                },
            )
            .await?;
            unit.commit().await?;
            made += 1;
        }
        Ok(made)
    }

    /// `match_automatically` after another change has committed: a failure is logged rather
    /// than returned, since what the person did is saved (the next change tries again).
    pub(crate) async fn match_after_change(&self, actor: &Principal) {
        if let Err(e) = self.match_automatically(actor).await {
            tracing::warn!(error = ?e, "automatic tenant matching failed; it runs again with the next change");
        }
    }

    /// Archives an organization (it keeps its history and drops out of suggestions), or restores it.
    pub async fn archive_organization(
        &self,
        actor: &Principal,
        id: OrganizationId,
        archive: bool,
    ) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let org = scope.organization(id).await?;
        if archive && org.connection_id.is_some() {
            return Err(CoreError::Conflict(format!(
                "{} has a tenant connection. Undo the tenant's match on the Review page first, so its contacts stop syncing here.",
                org.name
            )));
        }
        let mut unit = scope.begin().await?;
        unit.set_organization_archived(id, archive.then(|| self.now_ms()))
            .await?;
        unit.audit(
            actor,
            AuditEntry {
                action: if archive {
                    "organization.archived"
                } else {
                    "organization.restored"
                },
                target_type: "organization",
                target_id: Some(id.to_string()),
                detail: json!({ "name": org.name }),
            },
            self.now_ms(),
        )
        .await?;
        unit.commit().await?;
        if !archive {
            self.match_after_change(actor).await;
        }
        Ok(())
    }
}

/// A decision to record: a row of the match history and an audit entry.
struct Decided<'a> {
    connection: ConnectionId,
    tenant_name: &'a str,
    organization: Option<(OrganizationId, &'a str)>,
    action: &'a str,
    score: Option<f64>,
    reasons: &'a str,
    audit: AuditEntry,
}

impl Services {
    /// Records a decision in the caller's transaction: in the match history and in the audit log,
    /// by `actor` (a person) or by Roster itself (`None`).
    async fn record_decision(
        &self,
        unit: &mut roster_store::Unit<'_>,
        actor: Option<&Principal>,
        d: Decided<'_>,
    ) -> Result<()> {
        let now = self.now_ms();
        unit.record_match_decision(
            &NewMatchDecision {
                connection_id: d.connection,
                tenant_name: d.tenant_name,
                organization_id: d.organization.map(|(id, _)| id),
                organization_name: d.organization.map(|(_, name)| name),
                action: d.action,
                score: d.score,
                reasons: d.reasons,
                actor_user_id: actor.map(|a| a.user_id().as_uuid()),
                actor: actor.map_or("Roster", |a| a.email()),
            },
            now,
        )
        .await?;
        match actor {
            Some(a) => unit.audit(a, d.audit, now).await?,
            None => unit.audit_as(None, "Roster", d.audit, now).await?,
        }
        Ok(())
    }
}

fn changed_meanwhile() -> CoreError {
    CoreError::Conflict(
        "This tenant's match changed meanwhile. Reload the page to see it as it is now.".into(),
    )
}
