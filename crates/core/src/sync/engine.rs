//! Running a sync: list the tenant's users (completely, or not at all), plan against the
//! organization's contacts, hold the run when a guard trips, otherwise apply the plan in batched
//! units, and record the run with its counts, or its failure with Microsoft's words and request id.

use super::fields::{FIELD_COUNT, FieldOutcome, FieldState, SyncField};
use super::plan::{
    Action, ContactState, Counts, EntraUser, Hold, NewUserPolicy, Plan, PlanInput, plan,
};
use super::scope::{Exclusion, Filters, excluded_by, normalize};
use crate::connections::{Problem, diagnose};
use crate::error::{CoreError, Result};
use crate::services::Services;
use futures::StreamExt;
use roster_domain::{ConnectionId, ContactId, Permission, SyncRunId};
use roster_graph::{ListQuery, TenantCredentials};
use roster_store::{ClaimedRun, ContactEventRow, ContactRow, Principal, SyncRunRow};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How many contacts one unit of work writes when a plan is applied.
const CONTACTS_PER_UNIT: usize = 2000;

/// The user properties a sync reads.
pub const USER_SELECT: [&str; 24] = [
    "id",
    "displayName",
    "givenName",
    "surname",
    "mail",
    "userPrincipalName",
    "proxyAddresses",
    "otherMails",
    "jobTitle",
    "department",
    "companyName",
    "businessPhones",
    "mobilePhone",
    "streetAddress",
    "city",
    "state",
    "postalCode",
    "country",
    "accountEnabled",
    "userType",
    "assignedLicenses",
    "createdDateTime",
    "lastPasswordChangeDateTime",
    "onPremisesSyncEnabled",
];

/// Which users of a tenant a connection syncs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SyncScope {
    /// Every user of the tenant (the filters still apply).
    #[default]
    AllUsers,
    /// The direct members of one group, and the members of its direct subgroups (as contact
    /// groups named after them); deeper nesting is ignored.
    Group { id: String },
}

/// A connection's sync settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncSettings {
    pub scope: SyncScope,
    pub filters: Filters,
    pub policy: NewUserPolicy,
    /// A run that would flag more than this share of the tenant's linked contacts is held.
    pub guard_percent: u8,
    /// When the connection syncs by itself.
    pub schedule: super::schedule::Schedule,
    /// Sync contacts only, without reading tenant facts (licences, MFA, sign-ins, usage
    /// reports, devices, Secure Score).
    pub contacts_only: bool,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            scope: SyncScope::AllUsers,
            filters: Filters::default(),
            policy: NewUserPolicy::Create,
            guard_percent: 20,
            schedule: super::schedule::Schedule::default(),
            contacts_only: false,
        }
    }
}

/// Where the engine reports each finished run (the server counts them for `/metrics`).
pub trait SyncMetrics: Send + Sync + std::fmt::Debug {
    /// A run ended with `outcome` (`succeeded`, `failed`, `held`) after `seconds`, having written
    /// `contacts` contact rows.
    fn run_finished(&self, outcome: &str, seconds: f64, contacts: u64);
}

/// The sync settings form as submitted.
#[derive(Clone, Debug, Default)]
pub struct SyncSettingsForm {
    /// Empty for all users, else a group's object ID.
    pub group_id: String,
    pub exclude_guests: bool,
    pub exclude_disabled: bool,
    pub exclude_unlicensed: bool,
    pub exclude_onmicrosoft_only: bool,
    pub contacts_only: bool,
    pub service_accounts: String,
    pub policy: String,
    pub guard_percent: String,
    /// `daily`, `hours` or `manual`.
    pub schedule: String,
    /// `HH:MM`, for a daily schedule.
    pub time: String,
    /// An IANA time zone, for a daily schedule.
    pub time_zone: String,
    /// For a schedule every few hours.
    pub every_hours: String,
}

/// A run's outcome as the sync log shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounts {
    pub listed: usize,
    pub counts: Counts,
    /// Users each filter left out.
    pub excluded: BTreeMap<Exclusion, usize>,
    /// The organization's contacts the plan was made against (how many, and the latest change),
    /// so a held plan is applied only to the contacts it was computed from.
    #[serde(default)]
    pub basis: (usize, i64),
    /// How the users were listed: every user, or the changes since the last run.
    #[serde(default)]
    pub listing: Option<ListingMode>,
    /// Contacts a person changed while the run worked: left as they were (the next run looks
    /// at them again).
    #[serde(default)]
    pub changed_meanwhile: usize,
    /// What the run could read of the tenant's facts (sources it could not read say why).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<super::facts::FactSource, super::facts::SourceNote>,
}

/// How a run listed the tenant's users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingMode {
    /// Every user: the first run, a group scope, or the daily reconciliation.
    Full,
    /// A full listing because Microsoft refused (or had expired) the stored delta link.
    FullAfterExpiredLink,
    /// Only the users changed or removed since the last run (`/users/delta`).
    Delta,
}

impl ListingMode {
    pub fn label(self) -> &'static str {
        match self {
            Self::Full => "Every user (a full listing)",
            Self::FullAfterExpiredLink => {
                "Every user: Microsoft no longer knew the link to the changes, so everything was listed again"
            }
            Self::Delta => "The users changed or removed since the last sync (delta)",
        }
    }
}

/// How often a connection that syncs changes only lists every user anyway, so nothing a delta
/// round missed stays wrong for more than a day.
pub const FULL_LISTING_EVERY_MS: i64 = 24 * 3600 * 1000;

/// What a run's listing produced.
pub(crate) enum Listing {
    /// Every user in scope, and (for an all-users scope) the delta link for changes from now.
    Full {
        users: Vec<super::scope::Candidate>,
        delta_link: Option<String>,
        mode: ListingMode,
    },
    /// The users changed since the stored link, the ids of removed users, and the next link.
    Delta {
        changed: Vec<super::scope::Candidate>,
        removed: Vec<String>,
        delta_link: String,
    },
}

/// What the last unit of a successful run records about its listing.
#[derive(Clone, Debug)]
pub(crate) struct DeltaUpdate {
    pub link: Option<String>,
    pub full_listing_at: Option<i64>,
}

/// What a plan was computed from: the organization's number of contacts and their latest change.
async fn basis(
    scope: &roster_store::WorkspaceScope<'_>,
    organization: uuid::Uuid,
) -> Result<(usize, i64)> {
    let (count, latest) = scope.contacts_basis(organization).await?;
    Ok((usize::try_from(count).unwrap_or(0), latest))
}

/// What a person should know about a failed run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunError {
    pub cause: String,
    pub fix: String,
    pub request_id: Option<String>,
}

impl From<Problem> for RunError {
    fn from(p: Problem) -> Self {
        Self {
            cause: p.cause,
            fix: p.fix,
            request_id: p.request_id,
        }
    }
}

fn internal<E: std::fmt::Display>(e: E) -> CoreError {
    CoreError::Internal(e.to_string().into())
}

/// The provenance of a field that differs from "holds what Roster took from Entra".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct FieldNote {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    synced: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    by_hand: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conflict: Option<String>,
}

/// A stored contact's fields with their provenance (see `synced_fields` and `field_notes`).
pub fn field_states(row: &ContactRow) -> [FieldState; FIELD_COUNT] {
    let notes: BTreeMap<String, FieldNote> = row
        .field_notes
        .as_deref()
        .and_then(|n| serde_json::from_str(n).ok())
        .unwrap_or_default();
    let mut fields: [FieldState; FIELD_COUNT] = Default::default();
    for f in SyncField::ALL {
        let value = row.values[f.index()].clone();
        fields[f.index()] = match notes.get(f.as_str()) {
            Some(n) => FieldState {
                value,
                synced: n.synced.clone(),
                by_hand: n.by_hand,
                conflict: n.conflict.clone(),
            },
            None if row.synced_fields & (1 << f.index()) != 0 => FieldState {
                synced: value.clone(),
                value,
                by_hand: false,
                conflict: None,
            },
            None => FieldState {
                value,
                ..FieldState::default()
            },
        };
    }
    fields
}

/// A stored contact as the plan reads it.
pub(crate) fn contact_state(row: &ContactRow, tenant_id: &str) -> ContactState {
    let fields = field_states(row);
    let here = row.tenant_id.as_deref() == Some(tenant_id);
    ContactState {
        id: ContactId::from_uuid(row.id),
        object_id: row.object_id.clone().filter(|_| here),
        linked_elsewhere: row.object_id.is_some() && !here,
        fields,
        upn: row.upn.clone(),
        deleted_in_entra: row.deleted_in_entra,
        disabled: row.disabled,
        groups: row.groups.clone(),
    }
}

/// The sort key of a contact: its display name, else its name, email or UPN.
fn sort_key(values: &[Option<String>; FIELD_COUNT], upn: Option<&str>) -> String {
    let v = |f: SyncField| {
        values[f.index()]
            .as_deref()
            .filter(|s| !s.trim().is_empty())
    };
    let name = v(SyncField::DisplayName)
        .map(str::to_owned)
        .or_else(|| match (v(SyncField::FirstName), v(SyncField::LastName)) {
            (Some(a), Some(b)) => Some(format!("{a} {b}")),
            (Some(a), None) | (None, Some(a)) => Some(a.to_owned()),
            (None, None) => None,
        })
        .or_else(|| v(SyncField::Email).map(str::to_owned))
        .or_else(|| upn.map(str::to_owned))
        .unwrap_or_default();
    roster_store::fold_sort_key(&name)
}

/// Writes a contact's field states back into a row (values and provenance).
pub fn store_fields(row: &mut ContactRow, fields: &[FieldState; FIELD_COUNT]) {
    let mut conflicts = 0;
    let mut synced = 0i64;
    let mut notes: BTreeMap<String, FieldNote> = BTreeMap::new();
    for f in SyncField::ALL {
        let s = &fields[f.index()];
        row.values[f.index()] = s.value.clone();
        conflicts += i32::from(s.conflict.is_some());
        if s.value.is_some() && s.synced == s.value && !s.by_hand && s.conflict.is_none() {
            synced |= 1 << f.index();
        } else if s.synced.is_some() || s.by_hand || s.conflict.is_some() {
            notes.insert(
                f.as_str().to_owned(),
                FieldNote {
                    synced: s.synced.clone(),
                    by_hand: s.by_hand,
                    conflict: s.conflict.clone(),
                },
            );
        }
    }
    row.synced_fields = synced;
    row.field_notes = if notes.is_empty() {
        None
    } else {
        serde_json::to_string(&notes).ok()
    };
    row.conflicts = conflicts;
    row.email_key = row.values[SyncField::Email.index()]
        .as_deref()
        .map(str::to_lowercase);
    row.sort_key = sort_key(&row.values, row.upn.as_deref());
}

/// The rows and events that carry out a plan.
pub(crate) struct Writes {
    pub contacts: Vec<ContactRow>,
    pub events: Vec<ContactEventRow>,
}

/// Who or what causes the writes of a plan: a sync run, or a person deciding in the review queue.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Origin<'a> {
    pub run: Option<SyncRunId>,
    pub actor: &'a str,
}

impl Services {
    fn event(
        &self,
        contact: ContactId,
        kind: &str,
        detail: serde_json::Value,
        origin: Origin<'_>,
    ) -> ContactEventRow {
        ContactEventRow {
            id: self.new_id::<ContactId>().as_uuid(),
            contact_id: contact.as_uuid(),
            kind: kind.to_owned(),
            detail: detail.to_string(),
            run_id: origin.run.map(|r| r.as_uuid()),
            actor: origin.actor.to_owned(),
            created_at: self.now_ms(),
        }
    }

    /// The contact rows and events that carry out `plan`.
    pub(crate) fn writes(
        &self,
        plan: &Plan,
        existing: &[ContactRow],
        organization: uuid::Uuid,
        tenant_id: &str,
        run: Origin<'_>,
    ) -> Writes {
        let now = self.now_ms();
        let by_id: std::collections::HashMap<uuid::Uuid, &ContactRow> =
            existing.iter().map(|r| (r.id, r)).collect();
        let mut out = Writes {
            contacts: Vec::new(),
            events: Vec::new(),
        };
        for action in &plan.actions {
            match action {
                Action::Create { contact, user } => {
                    let mut fields: [FieldState; FIELD_COUNT] = Default::default();
                    for f in SyncField::ALL {
                        let v = user.values[f.index()].clone();
                        fields[f.index()] = FieldState {
                            value: v.clone(),
                            synced: v,
                            by_hand: false,
                            conflict: None,
                        };
                    }
                    let mut row = ContactRow {
                        id: contact.as_uuid(),
                        organization_id: organization,
                        tenant_id: Some(tenant_id.to_owned()),
                        object_id: Some(user.object_id.clone()),
                        values: Default::default(),
                        upn: user.upn.clone(),
                        sort_key: String::new(),
                        email_key: None,
                        deleted_in_entra: false,
                        disabled: !user.enabled,
                        conflicts: 0,
                        synced_fields: 0,
                        field_notes: None,
                        created_at: now,
                        updated_at: now,
                        groups: user.groups.clone(),
                    };
                    store_fields(&mut row, &fields);
                    out.events.push(self.event(
                        *contact,
                        "created",
                        serde_json::json!({ "object_id": user.object_id }),
                        run,
                    ));
                    out.contacts.push(row);
                }
                Action::Update {
                    contact,
                    object_id,
                    rule,
                    link,
                    outcomes,
                    changes,
                    upn,
                    reactivate,
                    disabled,
                    groups,
                } => {
                    let Some(before) = by_id.get(&contact.as_uuid()) else {
                        continue;
                    };
                    let mut row = (*before).clone();
                    let mut fields = contact_state(before, tenant_id).fields;
                    for (f, o) in outcomes {
                        fields[f.index()].apply(o);
                        if let FieldOutcome::Conflict(entra) = o {
                            out.events.push(self.event(
                                *contact,
                                "conflict",
                                serde_json::json!({ "field": f.as_str(), "roster": before.values[f.index()], "entra": entra }),
                                run,
                            ));
                        }
                    }
                    if *link {
                        row.tenant_id = Some(tenant_id.to_owned());
                        row.object_id = Some(object_id.clone());
                        out.events.push(self.event(
                            *contact,
                            "linked",
                            serde_json::json!({ "object_id": object_id, "rule": rule }),
                            run,
                        ));
                    }
                    if let Some((from, to)) = upn {
                        row.upn = to.clone();
                        out.events.push(self.event(
                            *contact,
                            "upn_changed",
                            serde_json::json!({ "from": from, "to": to }),
                            run,
                        ));
                    }
                    for c in changes {
                        let kind = match c.field {
                            SyncField::DisplayName => "renamed",
                            SyncField::Email => "email_changed",
                            _ => "changed",
                        };
                        out.events.push(self.event(
                            *contact,
                            kind,
                            serde_json::json!({ "field": c.field.as_str(), "from": c.from, "to": c.to }),
                            run,
                        ));
                    }
                    if *reactivate {
                        row.deleted_in_entra = false;
                        out.events.push(self.event(
                            *contact,
                            "reactivated",
                            serde_json::json!({}),
                            run,
                        ));
                    }
                    if let Some(d) = disabled {
                        row.disabled = *d;
                        let kind = if *d { "flagged_disabled" } else { "enabled" };
                        out.events
                            .push(self.event(*contact, kind, serde_json::json!({}), run));
                    }
                    if let Some(g) = groups {
                        row.groups = g.clone();
                    }
                    store_fields(&mut row, &fields);
                    row.updated_at = now;
                    out.contacts.push(row);
                }
                Action::FlagDeleted { contact, object_id } => {
                    let Some(before) = by_id.get(&contact.as_uuid()) else {
                        continue;
                    };
                    let mut row = (*before).clone();
                    row.deleted_in_entra = true;
                    row.updated_at = now;
                    out.events.push(self.event(
                        *contact,
                        "flagged_deleted",
                        serde_json::json!({ "object_id": object_id }),
                        run,
                    ));
                    out.contacts.push(row);
                }
                Action::Unchanged { .. } | Action::Review { .. } => {}
            }
        }
        out
    }

    /// Carries out a claimed run: lists the tenant's users (completely, or the run fails and
    /// nothing is written), plans, and holds the run or applies the plan. Microsoft's failures
    /// are the run's outcome; `Err` is for Roster's own (the store, a lost claim).
    pub(crate) async fn execute(
        &self,
        job: &ClaimedRun,
        progress: &super::jobs::ProgressHandle,
    ) -> Result<()> {
        let scope = job.scope(&self.db);
        let mut run = job.run.clone();
        let run_id = SyncRunId::from_uuid(run.id);
        let connection = ConnectionId::from_uuid(run.connection_id);
        let preview = run.preview;
        let row = scope.connection(connection).await?;
        let Some(organization) = row.organization_id else {
            run.status = "failed".into();
            run.finished_at = Some(self.now_ms());
            run.error = serde_json::to_string(&RunError {
                cause: "This tenant is not matched to an organization any more, so its contacts have nowhere to go.".into(),
                fix: "Match it to an organization (Review), then choose Sync now.".into(),
                request_id: None,
            })
            .ok();
            return self.finish(job, &run).await;
        };
        let settings = settings_of(&scope, connection).await?;

        // Listing: complete, or the run fails and nothing is written. An all-users scope lists
        // the changes since the last run when it can, and every user at least once a day.
        progress.update(|p| p.phase = super::jobs::Phase::ListingUsers);
        let all_users = settings.scope == SyncScope::AllUsers;
        let (stored_link, full_at) = scope.delta_state(connection.as_uuid()).await?;
        let started = self.now_ms();
        let full_due = full_at.is_none_or(|t| started - t >= FULL_LISTING_EVERY_MS);
        let try_link = stored_link.filter(|_| all_users && !full_due);
        let opened = match self.open_session(&row, job.workspace_id) {
            Ok(session) => {
                let skus = session.subscribed_skus().await;
                Ok((session, skus))
            }
            Err(problem) => Err(problem),
        };
        // Tenant facts are read while the users are listed (they are independent), and written
        // only if the run goes on to apply its plan.
        let score_days = match (&opened, settings.contacts_only || preview) {
            (Ok(_), false) => Some(self.score_days_wanted(&scope, row.id).await?),
            _ => None,
        };
        let listing = async {
            match &opened {
                Ok((session, Ok(skus))) => {
                    self.list_users(
                        session,
                        skus,
                        &settings.scope,
                        try_link.as_deref(),
                        progress,
                    )
                    .await
                }
                Ok((_, Err(e))) => Err(diagnose(e)),
                Err(problem) => Err(problem.clone()),
            }
        };
        let reading = async {
            match (&opened, score_days) {
                (Ok((session, skus)), Some(days)) => Some(
                    super::facts::collect(
                        session,
                        &row.tenant_id,
                        skus.as_ref().map(Vec::as_slice),
                        self.now_ms(),
                        days,
                    )
                    .await,
                ),
                _ => None,
            }
        };
        let (listed, collected) = tokio::join!(listing, reading);
        let listing = match listed {
            Ok(l) => l,
            Err(problem) => {
                run.status = "failed".into();
                run.finished_at = Some(self.now_ms());
                run.error = serde_json::to_string(&RunError::from(problem)).ok();
                tracing::warn!(run = %run_id, connection = %connection, "sync failed while listing users");
                self.finish(job, &run).await?;
                self.report_run(&run, 0);
                return Ok(());
            }
        };
        progress.update(|p| p.phase = super::jobs::Phase::Planning);
        let (candidates, touched, mode, delta) = match listing {
            Listing::Full {
                users,
                delta_link,
                mode,
            } => (
                users,
                None,
                mode,
                DeltaUpdate {
                    link: delta_link,
                    full_listing_at: Some(started),
                },
            ),
            Listing::Delta {
                changed,
                removed,
                delta_link,
            } => {
                let mut ids: Vec<String> =
                    changed.iter().map(|c| c.user.object_id.clone()).collect();
                ids.extend(removed);
                (
                    changed,
                    Some(ids),
                    ListingMode::Delta,
                    DeltaUpdate {
                        link: Some(delta_link),
                        full_listing_at: None,
                    },
                )
            }
        };
        let mut counts = RunCounts {
            listed: candidates.len(),
            listing: Some(mode),
            ..RunCounts::default()
        };
        let mut users: Vec<EntraUser> = Vec::with_capacity(candidates.len());
        for c in candidates {
            match excluded_by(&settings.filters, &c) {
                Some(rule) => *counts.excluded.entry(rule).or_default() += 1,
                None => users.push(c.user),
            }
        }
        let run_basis = basis(&scope, organization).await?;
        let read_at = self.now_ms();
        let existing = match &touched {
            None => scope.contacts_of_organization(organization).await?,
            Some(ids) => {
                scope
                    .contacts_touched(organization, &row.tenant_id, ids)
                    .await?
            }
        };
        let states: Vec<ContactState> = existing
            .iter()
            .map(|r| contact_state(r, &row.tenant_id))
            .collect();
        let ignored = ignored_of(&scope, connection).await?;
        let make_plan = |delta_linked: Option<usize>| {
            plan(
                &PlanInput {
                    users: &users,
                    contacts: &states,
                    policy: settings.policy,
                    guard_percent: settings.guard_percent,
                    ignored: &ignored,
                    delta_linked,
                },
                || self.new_id(),
            )
        };
        // A delta plan's guard weighs its flags against every linked contact; that count is
        // read only when the changes flag someone.
        let mut plan = make_plan(touched.as_ref().map(|_| usize::MAX));
        if touched.is_some() && plan.counts.flagged > 0 {
            let linked = scope.linked_contacts(&row.tenant_id).await?;
            plan = make_plan(Some(usize::try_from(linked).unwrap_or(0)));
        }
        counts.counts = plan.counts;
        counts.basis = run_basis;
        run.counts = serde_json::to_string(&counts).ok();
        if plan.hold.is_some() || preview {
            let hold = &plan.hold;
            run.status = "held".into();
            run.plan = serde_json::to_string(&plan).ok();
            self.finish(job, &run).await?;
            tracing::info!(run = %run_id, ?hold, "sync held for a person to confirm");
            self.report_run(&run, 0);
            return Ok(());
        }
        if let Some(collected) = collected {
            progress.update(|p| p.phase = super::jobs::Phase::WritingFacts);
            counts.facts = self
                .write_facts(&scope, job, row.id, collected, run_id)
                .await?;
            run.counts = serde_json::to_string(&counts).ok();
        }
        progress.update(|p| p.phase = super::jobs::Phase::Writing);
        self.queue_for_review(
            &scope,
            connection,
            run_id,
            &plan,
            &ignored,
            touched.as_deref(),
        )
        .await?;
        self.apply(
            &scope,
            Some((job, &delta)),
            &plan,
            &existing,
            read_at,
            organization,
            &row.tenant_id,
            &mut run,
            "running",
        )
        .await?;
        self.report_run(
            &run,
            (plan.counts.created + plan.counts.updated + plan.counts.flagged) as u64,
        );
        tracing::info!(run = %run_id, created = plan.counts.created, updated = plan.counts.updated, flagged = plan.counts.flagged, "sync done");
        Ok(())
    }

    /// Records a claimed run's outcome, if the claim still holds.
    pub(crate) async fn finish(&self, job: &ClaimedRun, run: &SyncRunRow) -> Result<()> {
        let mut unit = job.scope(&self.db).begin().await?;
        unit.hold_run(job, self.now_ms()).await?;
        unit.update_run(run, "running").await?;
        unit.commit().await?;
        Ok(())
    }

    fn report_run(&self, run: &SyncRunRow, contacts: u64) {
        if let Some(m) = &self.sync_metrics {
            let started = run.started_at.unwrap_or(run.queued_at);
            let seconds = (self.now_ms() - started).max(0) as f64 / 1000.0;
            m.run_finished(&run.status, seconds, contacts);
        }
    }

    /// A connection's sync settings (the defaults when none were saved).
    pub async fn sync_settings(
        &self,
        actor: &Principal,
        connection: ConnectionId,
    ) -> Result<SyncSettings> {
        self.authorize(actor, Permission::View)?;
        settings_of(&actor.scope(&self.db), connection).await
    }

    /// Saves a connection's sync settings (technicians and above), audited.
    pub async fn set_sync_settings(
        &self,
        actor: &Principal,
        connection: ConnectionId,
        settings: &SyncSettings,
    ) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        if !(1..=100).contains(&settings.guard_percent) {
            return Err(CoreError::Invalid(crate::error::FieldErrors::one(
                "guard_percent",
                "Choose a share between 1 and 100 %.",
            )));
        }
        let json = serde_json::to_string(settings).map_err(internal)?;
        let mut unit = actor.scope(&self.db).begin().await?;
        unit.set_sync_settings(connection.as_uuid(), &json).await?;
        self.reschedule(&mut unit, connection, &settings.schedule)
            .await?;
        unit.audit(
            actor,
            roster_store::AuditEntry {
                action: "connection.sync_settings",
                target_type: "tenant_connection",
                target_id: Some(connection.to_string()),
                detail: serde_json::to_value(settings).unwrap_or_default(),
            },
            self.now_ms(),
        )
        .await?;
        unit.commit().await?;
        Ok(())
    }

    /// Parses the sync settings form and saves it; every problem is reported at once.
    pub async fn save_sync_settings_form(
        &self,
        actor: &Principal,
        connection: ConnectionId,
        form: &SyncSettingsForm,
    ) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        let settings = parse_sync_settings(form)?;
        self.set_sync_settings(actor, connection, &settings).await
    }
}

/// The sync settings form as settings, or every problem with it at once.
pub fn parse_sync_settings(form: &SyncSettingsForm) -> Result<SyncSettings> {
    {
        let mut errors = crate::error::FieldErrors::new();
        let pattern = errors
            .check(
                "service_accounts",
                super::scope::NamePattern::parse(&form.service_accounts),
            )
            .flatten();
        let policy = match form.policy.as_str() {
            "create" => Some(NewUserPolicy::Create),
            "review" => Some(NewUserPolicy::Review),
            _ => {
                errors.add("policy", "Choose what happens to new users.");
                None
            }
        };
        let guard = match form
            .guard_percent
            .trim()
            .trim_end_matches('%')
            .trim()
            .parse::<u8>()
        {
            Ok(n) if (1..=100).contains(&n) => Some(n),
            _ => {
                errors.add(
                    "guard_percent",
                    "Enter a whole number of percent between 1 and 100.",
                );
                None
            }
        };
        let group = form.group_id.trim().to_ascii_lowercase();
        let scope = if group.is_empty() {
            Some(SyncScope::AllUsers)
        } else if roster_domain::tenant::is_guid(&group) {
            Some(SyncScope::Group { id: group })
        } else {
            errors.add(
                "group_id",
                "A group's Object ID is a GUID like 0f3c4d5e-1a2b-4c3d-9e8f-123456789abc (Entra admin center → Groups → the group → Overview). Leave it empty to sync all users.",
            );
            None
        };
        use super::schedule::{Schedule, ScheduleError};
        let schedule = match Schedule::parse(
            &form.schedule,
            &form.time,
            &form.time_zone,
            &form.every_hours,
        ) {
            Ok(s) => Some(s),
            Err(e) => {
                let field = match e {
                    ScheduleError::Time => "time",
                    ScheduleError::TimeZone(_) => "time_zone",
                    ScheduleError::Hours => "every_hours",
                    ScheduleError::Kind => "schedule",
                };
                errors.add(field, e.to_string());
                None
            }
        };
        let (Some(policy), Some(guard_percent), Some(scope), Some(schedule)) =
            (policy, guard, scope, schedule)
        else {
            return Err(CoreError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let settings = SyncSettings {
            scope,
            filters: Filters {
                exclude_guests: form.exclude_guests,
                exclude_disabled: form.exclude_disabled,
                exclude_unlicensed: form.exclude_unlicensed,
                exclude_onmicrosoft_only: form.exclude_onmicrosoft_only,
                service_accounts: pattern,
            },
            policy,
            guard_percent,
            schedule,
            contacts_only: form.contacts_only,
        };
        Ok(settings)
    }
}

impl Services {
    /// The users each filter left out at the connection's last complete listing, and when.
    pub async fn last_listing(
        &self,
        actor: &Principal,
        connection: ConnectionId,
    ) -> Result<Option<(jiff::Timestamp, RunCounts)>> {
        self.authorize(actor, Permission::View)?;
        let runs = actor
            .scope(&self.db)
            .runs_page(
                Some(connection.as_uuid()),
                &roster_store::PageRequest::first(20),
            )
            .await?;
        Ok(runs.items.into_iter().find_map(|r| {
            let counts: RunCounts = serde_json::from_str(r.counts.as_deref()?).ok()?;
            Some((
                roster_store::from_millis(r.started_at.unwrap_or(r.queued_at)),
                counts,
            ))
        }))
    }

    /// Writes `plan` in batched units; the last unit also records the run as succeeded (moving
    /// it from status `from`).
    #[expect(
        clippy::too_many_arguments,
        reason = "the plan, what it applies to, and its run"
    )]
    async fn apply(
        &self,
        scope: &roster_store::WorkspaceScope<'_>,
        job: Option<(&ClaimedRun, &DeltaUpdate)>,
        plan: &Plan,
        existing: &[ContactRow],
        read_at: i64,
        organization: uuid::Uuid,
        tenant_id: &str,
        run: &mut SyncRunRow,
        from: &str,
    ) -> Result<()> {
        let run_id = SyncRunId::from_uuid(run.id);
        let writes = self.writes(
            plan,
            existing,
            organization,
            tenant_id,
            Origin {
                run: Some(run_id),
                actor: "sync",
            },
        );
        let mut events = writes.events.as_slice();
        let mut left_alone = 0;
        let mut chunks: Vec<&[ContactRow]> = writes.contacts.chunks(CONTACTS_PER_UNIT).collect();
        if chunks.is_empty() {
            // Nothing to write: one unit still records the run's outcome.
            chunks.push(&[]);
        }
        let last = chunks.len() - 1;
        for (i, chunk) in chunks.iter().enumerate() {
            let ids: HashSet<uuid::Uuid> = chunk.iter().map(|c| c.id).collect();
            let split = events
                .iter()
                .position(|e| !ids.contains(&e.contact_id))
                .unwrap_or(events.len());
            let (mine, rest) = events.split_at(split);
            let mut unit = scope.begin().await?;
            if let Some((job, _)) = job {
                unit.hold_run(job, self.now_ms()).await?;
            }
            // A contact changed by a person since the run read it is not overwritten.
            let skipped: HashSet<uuid::Uuid> = unit
                .write_contacts_read_at(chunk, Some(read_at))
                .await?
                .into_iter()
                .collect();
            left_alone += skipped.len();
            if skipped.is_empty() {
                unit.add_contact_events(mine).await?;
            } else {
                let kept: Vec<ContactEventRow> = mine
                    .iter()
                    .filter(|e| !skipped.contains(&e.contact_id))
                    .cloned()
                    .collect();
                unit.add_contact_events(&kept).await?;
            }
            if i == last {
                if left_alone > 0
                    && let Some(mut counts) = run
                        .counts
                        .as_deref()
                        .and_then(|c| serde_json::from_str::<RunCounts>(c).ok())
                {
                    counts.changed_meanwhile = left_alone;
                    run.counts = serde_json::to_string(&counts).ok();
                    tracing::info!(run = %run_id, left_alone, "contacts changed during the run were left as they were");
                }
                if let Some((_, delta)) = job {
                    unit.set_delta_state(
                        run.connection_id,
                        delta.link.as_deref(),
                        delta.full_listing_at,
                    )
                    .await?;
                }
                run.status = "succeeded".into();
                run.finished_at = Some(self.now_ms());
                still_undecided(unit.update_run(run, from).await?)?;
            }
            unit.commit().await?;
            events = rest;
        }
        Ok(())
    }

    /// Puts the plan's users left for a person into the review queue (users a reviewer ignored
    /// stay ignored), and takes out open items this run no longer raises.
    async fn queue_for_review(
        &self,
        scope: &roster_store::WorkspaceScope<'_>,
        connection: ConnectionId,
        run: SyncRunId,
        plan: &Plan,
        ignored: &HashSet<String>,
        listed: Option<&[String]>,
    ) -> Result<()> {
        let now = self.now_ms();
        let items: Vec<roster_store::ReviewRow> = plan
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Review {
                    user,
                    reason,
                    preselected,
                } if !ignored.contains(&user.object_id) => Some(roster_store::ReviewRow {
                    connection_id: connection.as_uuid(),
                    object_id: user.object_id.clone(),
                    display_name: user.values[SyncField::DisplayName.index()]
                        .clone()
                        .or_else(|| user.upn.clone())
                        .unwrap_or_else(|| user.object_id.clone()),
                    user_data: serde_json::to_string(user).unwrap_or_default(),
                    reason: serde_json::to_string(reason).unwrap_or_default(),
                    preselected: *preselected,
                    status: "open".into(),
                    run_id: Some(run.as_uuid()),
                    decided_by: None,
                    decided_at: None,
                    created_at: now,
                    updated_at: now,
                }),
                _ => None,
            })
            .collect();
        let mut unit = scope.begin().await?;
        unit.sync_review(connection.as_uuid(), run.as_uuid(), &items, listed)
            .await?;
        unit.commit().await?;
        Ok(())
    }

    /// Applies a held run's plan, as a person confirmed it, if the organization's contacts are
    /// still those it was planned against (otherwise the plan is stale: run Sync now again).
    pub async fn confirm_run(&self, actor: &Principal, id: SyncRunId) -> Result<()> {
        self.confirm_held(actor, id, None).await.map(|_| ())
    }

    /// Applies the part of a held run's plan about the users a person ticked (by object id),
    /// on the same condition as [`Services::confirm_run`]; returns how many actions it applied.
    /// The rest is not written (a later sync plans it again).
    pub async fn apply_picked(
        &self,
        actor: &Principal,
        id: SyncRunId,
        picked: &[String],
    ) -> Result<usize> {
        self.authorize(actor, Permission::Operate)?;
        let picked: HashSet<String> = picked
            .iter()
            .map(|p| p.trim().to_lowercase())
            .filter(|p| !p.is_empty())
            .collect();
        if picked.is_empty() {
            return Err(CoreError::Conflict(
                "Tick the contacts to apply first.".into(),
            ));
        }
        self.confirm_held(actor, id, Some(&picked)).await
    }

    async fn confirm_held(
        &self,
        actor: &Principal,
        id: SyncRunId,
        picked: Option<&HashSet<String>>,
    ) -> Result<usize> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let mut run = scope.run(id.as_uuid()).await?;
        if run.status != "held" {
            return Err(CoreError::Conflict(
                "This run is not waiting for a decision any more.".into(),
            ));
        }
        let whole: Plan = run
            .plan
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .ok_or_else(|| CoreError::Internal("a held run without its plan".into()))?;
        let plan = match picked {
            Some(p) => whole.only(p),
            None => whole,
        };
        let mut counts: RunCounts = run
            .counts
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        let row = scope
            .connection(ConnectionId::from_uuid(run.connection_id))
            .await?;
        let Some(organization) = row.organization_id else {
            return Err(CoreError::Conflict(
                "This tenant is no longer matched to an organization.".into(),
            ));
        };
        let read_at = self.now_ms();
        let existing = scope.contacts_of_organization(organization).await?;
        if basis(&scope, organization).await? != counts.basis {
            return Err(CoreError::Conflict(
                "The contacts changed since this run was planned, so its plan no longer applies. Discard it and choose Sync now for a fresh one.".into(),
            ));
        }
        run.plan = None;
        if picked.is_some() {
            // The log shows what was applied.
            counts.counts = plan.counts;
            run.counts = serde_json::to_string(&counts).ok();
        }
        let ignored = ignored_of(&scope, ConnectionId::from_uuid(run.connection_id)).await?;
        // A held delta plan, or a part of a plan, clears only the review items of its users.
        let listed: Option<Vec<String>> = (counts.listing == Some(ListingMode::Delta)
            || picked.is_some())
        .then(|| plan_object_ids(&plan));
        self.queue_for_review(
            &scope,
            ConnectionId::from_uuid(run.connection_id),
            id,
            &plan,
            &ignored,
            listed.as_deref(),
        )
        .await?;
        self.apply(
            &scope,
            None,
            &plan,
            &existing,
            read_at,
            organization,
            &row.tenant_id,
            &mut run,
            "held",
        )
        .await?;
        tracing::info!(run = %id, by = %actor.member_id(), actions = plan.actions.len(), "held sync confirmed and applied");
        Ok(plan.actions.len())
    }

    /// Discards a held run: nothing of its plan is written.
    pub async fn discard_run(&self, actor: &Principal, id: SyncRunId) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let mut run = scope.run(id.as_uuid()).await?;
        if run.status != "held" {
            return Err(CoreError::Conflict(
                "This run is not waiting for a decision any more.".into(),
            ));
        }
        run.status = "discarded".into();
        run.finished_at = Some(self.now_ms());
        run.plan = None;
        let mut unit = scope.begin().await?;
        still_undecided(unit.update_run(&run, "held").await?)?;
        unit.commit().await?;
        Ok(())
    }

    /// A Graph session for a connection, with its secret opened.
    fn open_session(
        &self,
        row: &roster_store::ConnectionRow,
        workspace: roster_domain::WorkspaceId,
    ) -> std::result::Result<roster_graph::TenantSession, Problem> {
        let graph = self.background_graph().map_err(|e| Problem {
            cause: e.to_string(),
            fix: String::new(),
            code: None,
            request_id: None,
            retry: false,
        })?;
        let secret = self
            .keyring()
            .and_then(|k| {
                k.open(&row.sealed(), workspace.as_uuid().as_bytes())
                    .map_err(internal)
            })
            .map_err(|e| Problem {
                cause: format!("The stored secret could not be opened: {e}"),
                fix: "Rotate the secret from the tenant's page.".into(),
                code: None,
                request_id: None,
                retry: false,
            })?;
        Ok(graph.tenant(TenantCredentials {
            tenant: row.tenant_id.clone(),
            client_id: row.client_id.clone(),
            secret,
        }))
    }

    /// How many days of Secure Score a run asks for: all Microsoft keeps on the first, else back
    /// to the newest day stored.
    async fn score_days_wanted(
        &self,
        scope: &roster_store::WorkspaceScope<'_>,
        connection: uuid::Uuid,
    ) -> Result<u16> {
        let today = jiff::tz::Offset::UTC
            .to_datetime(roster_store::from_millis(self.now_ms()))
            .date();
        let last_day = scope.last_score_day(connection).await?;
        Ok(super::facts::score_days_wanted(last_day.as_deref(), today))
    }

    /// Writes what a run read of the tenant's facts: every user's overlay (the sources that were
    /// read), its Secure Score days, and one new snapshot. Returns what each source came to.
    async fn write_facts(
        &self,
        scope: &roster_store::WorkspaceScope<'_>,
        job: &ClaimedRun,
        connection: uuid::Uuid,
        collected: super::facts::Collected,
        run_id: SyncRunId,
    ) -> Result<BTreeMap<super::facts::FactSource, super::facts::SourceNote>> {
        let now = self.now_ms();
        let mut collected = collected;
        // In key order, a first sync appends to the index instead of splitting pages all over it.
        collected
            .users
            .sort_unstable_by(|a, b| a.object_id.cmp(&b.object_id));
        for chunk in collected.users.chunks(CONTACTS_PER_UNIT) {
            let mut unit = scope.begin().await?;
            unit.hold_run(job, self.now_ms()).await?;
            unit.write_user_facts(chunk, collected.sources).await?;
            unit.commit().await?;
        }
        let c = &collected.counts;
        let snapshot = roster_store::SnapshotRow {
            id: self.new_id::<roster_domain::SnapshotId>().as_uuid(),
            connection_id: connection,
            run_id: Some(run_id.as_uuid()),
            taken_at: now,
            score_current: c.score.map(|s| s.0),
            score_max: c.score.map(|s| s.1),
            members: c.members,
            licensed_users: c.licensed,
            active_users: c.active.map(|a| a.0),
            active_source: c.active.map(|a| a.1.to_owned()),
            mfa_registered: c.mfa.0,
            mfa_not_registered: c.mfa.1,
            mfa_unknown: Some(c.mfa.2),
            unassigned_units: c.unassigned,
            details: serde_json::to_string(&collected.details).map_err(internal)?,
        };
        let mut unit = scope.begin().await?;
        unit.hold_run(job, self.now_ms()).await?;
        unit.upsert_score_days(connection, &collected.score_days)
            .await?;
        unit.insert_snapshot(&snapshot).await?;
        unit.commit().await?;
        for (source, note) in &collected.details.sources {
            if !note.read {
                tracing::info!(run = %run_id, source = source.label(), reason = note.reason.as_deref().unwrap_or(""), "tenant fact not read");
            }
        }
        Ok(collected.details.sources)
    }

    /// Every user of the tenant, normalized; a failure anywhere is the run's failure.
    async fn list_users(
        &self,
        session: &roster_graph::TenantSession,
        skus: &[roster_graph::models::SubscribedSku],
        scope: &SyncScope,
        delta_link: Option<&str>,
        progress: &super::jobs::ProgressHandle,
    ) -> std::result::Result<Listing, Problem> {
        let problem = |e: &roster_graph::Error| diagnose(e);
        let free: HashSet<String> = skus
            .iter()
            .filter(|s| {
                super::facts::sku_kind(&s.sku_id, s.sku_part_number.as_deref())
                    != super::facts::SkuKind::Paid
            })
            .map(|s| s.sku_id.to_lowercase())
            .collect();
        let query = ListQuery::new().select(USER_SELECT).top(999);
        let mut mode = ListingMode::Full;
        if let Some(link) = delta_link {
            match list_changes(session, &free, link, progress).await? {
                Some(listing) => return Ok(listing),
                None => mode = ListingMode::FullAfterExpiredLink,
            }
        }
        // An all-users listing first asks for a link to the changes from now on, so the next
        // run can list only those (changes made during this listing come again then).
        let next_link = match scope {
            SyncScope::AllUsers => session
                .users_delta_round(
                    &roster_graph::DeltaStart::Latest(ListQuery::new().select(USER_SELECT)),
                    false,
                )
                .await
                .map_err(
                    |e| tracing::info!(error = %e, "no delta link; the next sync lists every user"),
                )
                .ok()
                .map(|r| r.delta_link),
            SyncScope::Group { .. } => None,
        };
        // A group scope: its direct members, and the members of its direct subgroups (in a
        // contact group named after the subgroup); deeper nesting is ignored.
        let members: Option<HashMap<String, Vec<String>>> = match scope {
            SyncScope::AllUsers => None,
            SyncScope::Group { id } => {
                let ids = ListQuery::new().select(["id", "displayName"]);
                let mut direct: HashMap<String, Vec<String>> = HashMap::new();
                let mut subgroups = Vec::new();
                let mut stream = session.group_members(id, &ids);
                while let Some(m) = stream.next().await {
                    match m.map_err(|e| group_problem(&e, id))? {
                        roster_graph::models::DirectoryObject::User(u) => {
                            if let Some(uid) = u.id {
                                direct.entry(uid.to_lowercase()).or_default();
                            }
                        }
                        roster_graph::models::DirectoryObject::Group(g) => subgroups.push(g),
                        _ => {}
                    }
                }
                for g in subgroups {
                    let (Some(gid), Some(name)) = (g.id.clone(), g.display_name.clone()) else {
                        continue;
                    };
                    let name = super::scope::clean(Some(&name)).unwrap_or(gid.clone());
                    let mut stream = session.group_members(&gid, &ids);
                    while let Some(m) = stream.next().await {
                        if let roster_graph::models::DirectoryObject::User(u) =
                            m.map_err(|e| group_problem(&e, &gid))?
                            && let Some(uid) = u.id
                        {
                            direct
                                .entry(uid.to_lowercase())
                                .or_default()
                                .push(name.clone());
                        }
                    }
                }
                Some(direct)
            }
        };
        let mut pages = session.user_pages(&query);
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| problem(&e))?;
            progress.update(|p| {
                p.pages += 1;
                p.users += page.value.len() as u64;
            });
            for user in page.value {
                let groups = match &members {
                    None => Some(Vec::new()),
                    Some(m) => user
                        .id
                        .as_deref()
                        .and_then(|id| m.get(&id.to_lowercase()))
                        .cloned(),
                };
                let Some(groups) = groups else {
                    continue;
                };
                if let Some(c) = normalize(&user, &free, groups) {
                    out.push(c);
                }
            }
        }
        Ok(Listing::Full {
            users: out,
            delta_link: next_link,
            mode,
        })
    }
}

/// The changes since `link`, completely; `None` when Microsoft refuses the link (it expired, or
/// is not one it knows), so the run lists every user instead.
async fn list_changes(
    session: &roster_graph::TenantSession,
    free: &HashSet<String>,
    link: &str,
    progress: &super::jobs::ProgressHandle,
) -> std::result::Result<Option<Listing>, Problem> {
    use roster_graph::models::DeltaItem;
    let mut pages =
        session.users_delta_pages(&roster_graph::DeltaStart::Link(link.to_owned()), false);
    // The last word on each user counts (a user may be changed, then removed, in one round).
    let mut last: HashMap<String, Option<super::scope::Candidate>> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut next = None;
    let mut first = true;
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e)
                if first
                    && (e.graph_error()
                        == Some(roster_graph::GraphErrorKind::SyncStateNotFound)
                        || matches!(e.status(), Some(400 | 404 | 410))) =>
            {
                tracing::info!(error = %e, "delta link refused; listing every user");
                return Ok(None);
            }
            Err(e) => return Err(diagnose(&e)),
        };
        first = false;
        progress.update(|p| {
            p.pages += 1;
            p.users += page.value.len() as u64;
        });
        for item in page.value {
            let (id, candidate) = match item {
                DeltaItem::Upsert(user) => {
                    let Some(c) = normalize(&user, free, Vec::new()) else {
                        continue;
                    };
                    (c.user.object_id.clone(), Some(c))
                }
                DeltaItem::Removed { id, .. } => (id.trim().to_lowercase(), None),
            };
            if last.insert(id.clone(), candidate).is_none() {
                order.push(id);
            }
        }
        if page.next_link.is_none() {
            next = page.delta_link;
        }
    }
    let Some(delta_link) = next else {
        return Err(Problem {
            cause: "Microsoft ended the list of changes without the link to the next changes."
                .into(),
            fix: "Choose Sync now again; the next run lists every user if this repeats.".into(),
            code: None,
            request_id: None,
            retry: true,
        });
    };
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    for id in order {
        match last.remove(&id).flatten() {
            Some(c) => changed.push(c),
            None => removed.push(id),
        }
    }
    Ok(Some(Listing::Delta {
        changed,
        removed,
        delta_link,
    }))
}

/// The users a plan speaks of (every user its listing had in scope, but unchanged ones).
fn plan_object_ids(plan: &Plan) -> Vec<String> {
    plan.actions
        .iter()
        .filter_map(|a| a.object_id().map(str::to_owned))
        .collect()
}

/// A failure reading a scope group, in words (a missing group says which one).
fn group_problem(e: &roster_graph::Error, id: &str) -> Problem {
    let mut p = diagnose(e);
    if e.graph_error() == Some(roster_graph::GraphErrorKind::ResourceNotFound) {
        p.cause = format!(
            "The group {id} chosen as this connection's scope does not exist in the tenant (any more)."
        );
        p.fix = "Choose another group in the sync settings, or sync all users.".into();
    }
    p
}

/// A connection's saved sync settings, or the defaults.
async fn settings_of(
    scope: &roster_store::WorkspaceScope<'_>,
    connection: ConnectionId,
) -> Result<SyncSettings> {
    Ok(scope
        .sync_settings(connection.as_uuid())
        .await?
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default())
}

/// The users of a connection a reviewer chose to ignore.
async fn ignored_of(
    scope: &roster_store::WorkspaceScope<'_>,
    connection: ConnectionId,
) -> Result<HashSet<String>> {
    Ok(scope
        .ignored_users(connection.as_uuid())
        .await?
        .into_iter()
        .collect())
}

/// `Conflict` when a run's conditional update found it had already moved on (someone else
/// confirmed or discarded it first).
fn still_undecided(updated: bool) -> Result<()> {
    if updated {
        Ok(())
    } else {
        Err(CoreError::Conflict(
            "Someone else already decided this run.".into(),
        ))
    }
}

/// Why a held run waits, in words.
pub fn hold_text(hold: &Hold) -> String {
    match hold {
        Hold::TooManyLeavers {
            flagged,
            linked,
            limit_percent,
        } => format!(
            "This run would flag {flagged} of {linked} linked contacts as deleted in Entra, more than the {limit_percent} % this tenant allows. Check the tenant (a changed scope or a consent problem can look like leavers), then confirm or discard the run."
        ),
        Hold::EmptyListing { linked } => format!(
            "Microsoft listed no users for this tenant, where {linked} contacts are linked. Nothing was changed; check the connection, then confirm or discard the run."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_round_trips_through_the_compact_columns() {
        let mut row = ContactRow {
            id: uuid::Uuid::nil(),
            organization_id: uuid::Uuid::nil(),
            tenant_id: None,
            object_id: None,
            values: Default::default(),
            upn: None,
            sort_key: String::new(),
            email_key: None,
            deleted_in_entra: false,
            disabled: false,
            conflicts: 0,
            synced_fields: 0,
            field_notes: None,
            created_at: 0,
            updated_at: 0,
            groups: vec![],
        };
        let mut fields: [FieldState; FIELD_COUNT] = Default::default();
        let st = |v: Option<&str>, s: Option<&str>, h: bool, c: Option<&str>| FieldState {
            value: v.map(str::to_owned),
            synced: s.map(str::to_owned),
            by_hand: h,
            conflict: c.map(str::to_owned),
        };
        fields[SyncField::DisplayName.index()] = st(Some("Ada"), Some("Ada"), false, None);
        fields[SyncField::JobTitle.index()] = st(Some("Chief"), Some("CTO"), true, Some("CEO"));
        fields[SyncField::Country.index()] = st(Some("UK"), None, false, None);
        fields[SyncField::City.index()] = st(None, Some("London"), false, None);
        store_fields(&mut row, &fields);
        assert_eq!(
            row.synced_fields,
            1 << SyncField::DisplayName.index(),
            "only the plain case is a bit"
        );
        assert_eq!(row.conflicts, 1);
        assert_eq!(field_states(&row), fields);
        assert_eq!(row.sort_key, "ada");
        // A contact whose every field holds Entra's value needs no notes at all.
        let mut plain: [FieldState; FIELD_COUNT] = Default::default();
        plain[SyncField::Email.index()] = st(Some("a@b.c"), Some("a@b.c"), false, None);
        store_fields(&mut row, &plain);
        assert_eq!(row.field_notes, None);
        assert_eq!(row.email_key.as_deref(), Some("a@b.c"));
        assert_eq!(field_states(&row), plain);
    }
}
