//! Contacts and sync runs as pages show them.

use crate::error::{CoreError, Result};
use crate::services::Services;
use crate::sync::engine::{RunCounts, RunError, hold_text};
use crate::sync::fields::SyncField;
use crate::sync::plan::Plan;
use roster_domain::{ConnectionId, ContactId, OrganizationId, Permission, SyncRunId};
use roster_store::{ContactFilter, ContactRow, Page, PageRequest, Principal, SyncRunRow};
use std::collections::HashMap;

/// One synced field of a contact, with where its value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldView {
    pub field: SyncField,
    pub value: Option<String>,
    /// "Entra", "edited by hand", "entered in Roster or imported".
    pub source: &'static str,
    /// Entra's differing value while it conflicts with a hand edit.
    pub conflict: Option<String>,
}

/// A contact in the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactView {
    pub id: ContactId,
    pub organization: Option<(OrganizationId, String)>,
    pub display_name: String,
    pub email: Option<String>,
    pub job_title: Option<String>,
    pub phone: Option<String>,
    pub linked: bool,
    pub deleted_in_entra: bool,
    pub disabled: bool,
    pub conflicts: i32,
    pub groups: Vec<String>,
    /// MFA and licences from the Entra overlay (`None` when not linked or never read).
    pub facts: Option<crate::facts::ListFacts>,
}

/// One event of a contact's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactEventView {
    pub at: jiff::Timestamp,
    pub who: String,
    pub what: String,
}

/// A contact's own page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactDetail {
    pub contact: ContactView,
    pub fields: Vec<FieldView>,
    pub tenant_id: Option<String>,
    pub object_id: Option<String>,
    pub upn: Option<String>,
    pub events: Vec<ContactEventView>,
}

/// A sync run in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunView {
    pub id: SyncRunId,
    pub connection: ConnectionId,
    pub connection_title: String,
    pub trigger: String,
    pub requested_by: String,
    pub status: String,
    pub queued_at: jiff::Timestamp,
    pub started_at: Option<jiff::Timestamp>,
    pub finished_at: Option<jiff::Timestamp>,
    pub counts: Option<RunCounts>,
    pub error: Option<RunError>,
    /// Why a held run waits.
    pub held_because: Option<String>,
    /// Whether it is a preview (nothing is written unless a person applies it).
    pub preview: bool,
    /// What a held run or a preview would do, one line per contact (at most 500).
    pub planned: Vec<PlannedLine>,
    /// How far a running run is (as of its last heartbeat).
    pub progress: Option<crate::sync::jobs::Progress>,
    /// How many times an instance started it (more than one: it was interrupted and retried).
    pub attempts: i32,
}

/// One contact's part in a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedLine {
    /// The contact it changes, when it exists already.
    pub contact: Option<ContactId>,
    /// The Entra user it is about (what a person ticks to apply just this line).
    pub object_id: Option<String>,
    pub who: String,
    pub what: String,
}

fn rule_words(rule: crate::sync::plan::MatchRule) -> &'static str {
    use crate::sync::plan::MatchRule;
    match rule {
        MatchRule::Linked => "linked",
        MatchRule::Address => "matched by email address",
        MatchRule::Upn => "matched by user principal name",
        MatchRule::Name => "matched by name",
        MatchRule::Reviewer => "chosen by a reviewer",
    }
}

fn planned_lines(plan: &Plan) -> Vec<PlannedLine> {
    let name = |u: &crate::sync::plan::EntraUser| {
        u.values[SyncField::DisplayName.index()]
            .clone()
            .or_else(|| u.upn.clone())
            .unwrap_or_else(|| u.object_id.clone())
    };
    let shown = |v: &Option<String>| {
        v.as_deref()
            .map(|s| format!("“{s}”"))
            .unwrap_or_else(|| "(empty)".into())
    };
    plan.actions
        .iter()
        .filter_map(|a| {
            let mut line = planned_line(a, &name, &shown)?;
            line.object_id = a.object_id().map(str::to_owned);
            Some(line)
        })
        .take(500)
        .collect()
}

fn planned_line(
    a: &crate::sync::plan::Action,
    name: &dyn Fn(&crate::sync::plan::EntraUser) -> String,
    shown: &dyn Fn(&Option<String>) -> String,
) -> Option<PlannedLine> {
    use crate::sync::plan::Action;
    match a {
        Action::Create { user, .. } => Some(PlannedLine {
            object_id: None,
            contact: None,
            who: name(user),
            what: "New contact".into(),
        }),
        Action::Update {
            contact,
            rule,
            changes,
            outcomes,
            reactivate,
            disabled,
            object_id,
            ..
        } => {
            let mut parts: Vec<String> = changes
                .iter()
                .map(|c| format!("{}: {} → {}", c.field.label(), shown(&c.from), shown(&c.to)))
                .collect();
            for (f, o) in outcomes {
                if let crate::sync::fields::FieldOutcome::Conflict(x) = o {
                    parts.push(format!("{}: conflict with Entra's “{x}”", f.label()));
                }
            }
            if *reactivate {
                parts.push("back in Entra".into());
            }
            if let Some(d) = disabled {
                parts.push(if *d {
                    "disabled".into()
                } else {
                    "enabled again".into()
                });
            }
            Some(PlannedLine {
                object_id: None,
                contact: Some(*contact),
                who: object_id.clone(),
                what: format!(
                    "{} ({})",
                    if parts.is_empty() {
                        "Link or groups".to_owned()
                    } else {
                        parts.join("; ")
                    },
                    rule_words(*rule)
                ),
            })
        }
        Action::FlagDeleted { contact, object_id } => Some(PlannedLine {
            object_id: None,
            contact: Some(*contact),
            who: object_id.clone(),
            what: "Flag deleted in Entra".into(),
        }),
        Action::Review { user, .. } => Some(PlannedLine {
            object_id: None,
            contact: None,
            who: name(user),
            what: "To review".into(),
        }),
        Action::Unchanged { .. } => None,
    }
}

fn value(r: &ContactRow, f: SyncField) -> Option<String> {
    r.values[f.index()].clone()
}

/// What pages call a contact: its display name, else its email or user principal name.
pub(crate) fn contact_name(r: &ContactRow) -> String {
    value(r, SyncField::DisplayName)
        .or_else(|| value(r, SyncField::Email))
        .or_else(|| r.upn.clone())
        .unwrap_or_else(|| "(no name)".into())
}

fn contact_view(r: &ContactRow, orgs: &HashMap<uuid::Uuid, String>) -> ContactView {
    ContactView {
        id: ContactId::from_uuid(r.id),
        organization: orgs
            .get(&r.organization_id)
            .map(|n| (OrganizationId::from_uuid(r.organization_id), n.clone())),
        display_name: contact_name(r),
        email: value(r, SyncField::Email),
        job_title: value(r, SyncField::JobTitle),
        phone: value(r, SyncField::BusinessPhone).or_else(|| value(r, SyncField::MobilePhone)),
        linked: r.object_id.is_some(),
        deleted_in_entra: r.deleted_in_entra,
        disabled: r.disabled,
        conflicts: r.conflicts,
        groups: r.groups.clone(),
        facts: None,
    }
}

fn event_text(kind: &str, detail: &serde_json::Value) -> String {
    let field = detail["field"]
        .as_str()
        .and_then(SyncField::parse)
        .map(SyncField::label)
        .unwrap_or("A field");
    let shown = |v: &serde_json::Value| {
        v.as_str()
            .map(|s| format!("“{s}”"))
            .unwrap_or_else(|| "(empty)".into())
    };
    match kind {
        "created" => "Created from Entra".to_owned(),
        "linked" => format!(
            "Linked to its Entra user (matched by {})",
            match detail["rule"].as_str() {
                Some("address") => "email address",
                Some("upn") => "user principal name",
                Some("name") => "name",
                Some("reviewer") => "a reviewer's choice",
                _ => "link",
            }
        ),
        "renamed" | "email_changed" | "changed" => {
            format!(
                "{field}: {} → {}",
                shown(&detail["from"]),
                shown(&detail["to"])
            )
        }
        "upn_changed" => format!(
            "User principal name: {} → {}",
            shown(&detail["from"]),
            shown(&detail["to"])
        ),
        "flagged_deleted" => {
            "Flagged deleted in Entra (no longer in the tenant or out of scope)".to_owned()
        }
        "reactivated" => "Back in Entra: the flag was removed".to_owned(),
        "flagged_disabled" => "Flagged disabled (the account cannot sign in)".to_owned(),
        "enabled" => "The account was enabled again".to_owned(),
        "conflict" => format!(
            "{field}: Entra has {}, which differs from the value edited by hand ({}); choose one",
            shown(&detail["entra"]),
            shown(&detail["roster"])
        ),
        "edited" => match detail["resolution"].as_str() {
            Some("entra") => format!("{field}: took Entra's value {}", shown(&detail["to"])),
            Some("mine") => format!(
                "{field}: kept {} over Entra's {}",
                shown(&detail["kept"]),
                shown(&detail["declined"])
            ),
            _ => format!(
                "{field} edited by hand: {} → {}",
                shown(&detail["from"]),
                shown(&detail["to"])
            ),
        },
        other => other.to_owned(),
    }
}

impl Services {
    async fn organization_names(&self, actor: &Principal) -> Result<HashMap<uuid::Uuid, String>> {
        Ok(actor
            .scope(&self.db)
            .organizations()
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect())
    }

    /// One page of contacts.
    pub async fn contacts_page(
        &self,
        actor: &Principal,
        filter: &ContactFilter,
        req: &PageRequest,
    ) -> Result<Page<ContactView>> {
        self.authorize(actor, Permission::View)?;
        let orgs = self.organization_names(actor).await?;
        let page = actor.scope(&self.db).contacts_page(filter, req).await?;
        let linked: Vec<(String, String)> = page
            .items
            .iter()
            .filter_map(|r| Some((r.tenant_id.clone()?, r.object_id.clone()?)))
            .collect();
        let mut facts = self.list_facts(actor, linked).await?;
        Ok(Page {
            items: page
                .items
                .iter()
                .map(|r| {
                    let mut view = contact_view(r, &orgs);
                    if let (Some(t), Some(o)) = (&r.tenant_id, &r.object_id) {
                        view.facts = facts.remove(&(t.clone(), o.clone()));
                    }
                    view
                })
                .collect(),
            next: page.next,
        })
    }

    /// A contact with its fields' sources and its history.
    pub async fn contact(&self, actor: &Principal, id: ContactId) -> Result<ContactDetail> {
        self.authorize(actor, Permission::View)?;
        let scope = actor.scope(&self.db);
        let row = scope.contact(id.as_uuid()).await?;
        let orgs = self.organization_names(actor).await?;
        let states = crate::sync::engine::field_states(&row);
        let fields = SyncField::ALL
            .into_iter()
            .map(|f| {
                let st = &states[f.index()];
                let source = match st {
                    _ if st.value.is_none() => "",
                    s if s.by_hand => "edited by hand",
                    s if s.synced.is_some() && s.synced == s.value => "Entra",
                    _ => "entered in Roster or imported",
                };
                FieldView {
                    field: f,
                    value: st.value.clone(),
                    source,
                    conflict: st.conflict.clone(),
                }
            })
            .collect();
        let events = scope
            .contact_events(id.as_uuid(), 200)
            .await?
            .into_iter()
            .map(|e| {
                let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
                ContactEventView {
                    at: roster_store::from_millis(e.created_at),
                    who: if e.actor == "sync" {
                        "Sync".into()
                    } else {
                        e.actor.clone()
                    },
                    what: event_text(&e.kind, &detail),
                }
            })
            .collect();
        Ok(ContactDetail {
            contact: contact_view(&row, &orgs),
            fields,
            tenant_id: row.tenant_id.clone(),
            object_id: row.object_id.clone(),
            upn: row.upn.clone(),
            events,
        })
    }

    pub(crate) fn run_view(&self, r: SyncRunRow, titles: &HashMap<uuid::Uuid, String>) -> RunView {
        let plan: Option<Plan> = r.plan.as_deref().and_then(|p| serde_json::from_str(p).ok());
        RunView {
            id: SyncRunId::from_uuid(r.id),
            connection: ConnectionId::from_uuid(r.connection_id),
            connection_title: titles
                .get(&r.connection_id)
                .cloned()
                .unwrap_or_else(|| "A removed tenant".into()),
            trigger: r.trigger,
            requested_by: r.requested_by,
            held_because: match (r.status.as_str(), r.preview, plan.as_ref().and_then(|p| p.hold.as_ref())) {
                ("held", _, Some(h)) => Some(hold_text(h)),
                ("held", true, None) => Some(
                    "This is a preview: nothing was written. Apply it as planned (if the contacts have not changed since), or discard it.".into(),
                ),
                _ => None,
            },
            preview: r.preview,
            planned: plan
                .filter(|_| r.status == "held")
                .map(|p| planned_lines(&p))
                .unwrap_or_default(),
            progress: r
                .progress
                .as_deref()
                .and_then(|p| serde_json::from_str(p).ok()),
            attempts: r.attempts,
            status: r.status,
            queued_at: roster_store::from_millis(r.queued_at),
            started_at: r.started_at.map(roster_store::from_millis),
            finished_at: r.finished_at.map(roster_store::from_millis),
            counts: r
                .counts
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok()),
            error: r
                .error
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok()),
        }
    }

    pub(crate) async fn connection_titles(
        &self,
        actor: &Principal,
    ) -> Result<HashMap<uuid::Uuid, String>> {
        Ok(actor
            .scope(&self.db)
            .connections()
            .await?
            .iter()
            .map(|c| (c.id, crate::connections::connection_title(c)))
            .collect())
    }

    /// One page of the sync log, newest first.
    pub async fn sync_runs(
        &self,
        actor: &Principal,
        connection: Option<ConnectionId>,
        req: &PageRequest,
    ) -> Result<Page<RunView>> {
        self.sync_runs_with(actor, connection, None, req).await
    }

    /// One page of the sync log narrowed to a tenant and an outcome (`succeeded`, `failed`,
    /// `held`, `discarded`, `running`).
    pub async fn sync_runs_with(
        &self,
        actor: &Principal,
        connection: Option<ConnectionId>,
        outcome: Option<&str>,
        req: &PageRequest,
    ) -> Result<Page<RunView>> {
        self.authorize(actor, Permission::View)?;
        let titles = self.connection_titles(actor).await?;
        let page = actor
            .scope(&self.db)
            .runs_page_with(connection.map(|c| c.as_uuid()), outcome, req)
            .await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|r| self.run_view(r, &titles))
                .collect(),
            next: page.next,
        })
    }

    /// What a run did to each contact, by contact name (at most `limit` changes).
    pub async fn run_changes(
        &self,
        actor: &Principal,
        id: SyncRunId,
        limit: i64,
    ) -> Result<Vec<(ContactId, String, String)>> {
        self.authorize(actor, Permission::View)?;
        Ok(actor
            .scope(&self.db)
            .run_events(id.as_uuid(), limit)
            .await?
            .into_iter()
            .map(|(e, name)| {
                let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
                (
                    ContactId::from_uuid(e.contact_id),
                    name.unwrap_or_else(|| "(no name)".into()),
                    event_text(&e.kind, &detail),
                )
            })
            .collect())
    }

    /// One sync run.
    pub async fn sync_run(&self, actor: &Principal, id: SyncRunId) -> Result<RunView> {
        self.authorize(actor, Permission::View)?;
        let titles = self.connection_titles(actor).await?;
        let row = actor.scope(&self.db).run(id.as_uuid()).await?;
        let mut view = self.run_view(row, &titles);
        // Name the existing contacts of a held plan, in one read.
        let ids: Vec<uuid::Uuid> = view
            .planned
            .iter()
            .filter_map(|l| l.contact)
            .map(|c| c.as_uuid())
            .collect();
        let names: HashMap<uuid::Uuid, Option<String>> = actor
            .scope(&self.db)
            .contacts_by_ids(&ids)
            .await?
            .iter()
            .map(|c| {
                (
                    c.id,
                    value(c, SyncField::DisplayName).or_else(|| value(c, SyncField::Email)),
                )
            })
            .collect();
        for line in &mut view.planned {
            if let Some(Some(name)) = line.contact.and_then(|id| names.get(&id.as_uuid())) {
                line.who = name.clone();
            }
        }
        Ok(view)
    }
}

/// A contact's synced fields as typed in the edit form, one entry per field (missing = unchanged).
#[derive(Clone, Debug, Default)]
pub struct ContactForm {
    pub values: std::collections::BTreeMap<SyncField, String>,
}

/// Which value a person keeps when a hand edit conflicts with Entra.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Take Entra's value (the field follows Entra again).
    Entra,
    /// Keep the value edited by hand (Entra's current value is not raised again).
    Mine,
}

/// The typed values, each checked (length, one line, an email that looks like one); every problem
/// at once.
pub(crate) fn checked_values(form: &ContactForm) -> Result<Vec<(SyncField, Option<String>)>> {
    let mut errors = crate::error::FieldErrors::new();
    let mut typed: Vec<(SyncField, Option<String>)> = Vec::new();
    for (f, raw) in &form.values {
        if raw.chars().count() > crate::sync::scope::MAX_FIELD_CHARS {
            errors.add(
                f.as_str(),
                format!(
                    "Keep it to at most {} characters.",
                    crate::sync::scope::MAX_FIELD_CHARS
                ),
            );
            continue;
        }
        if raw.chars().any(|c| c.is_control()) {
            errors.add(f.as_str(), "Use one line without control characters.");
            continue;
        }
        let v = crate::sync::scope::clean(Some(raw));
        if *f == SyncField::Email
            && let Some(e) = &v
            && roster_domain::Email::parse(e).is_err()
        {
            errors.add(
                f.as_str(),
                "Enter an email address like name@example.com, or leave it empty.",
            );
            continue;
        }
        typed.push((*f, v));
    }
    if errors.is_empty() {
        Ok(typed)
    } else {
        Err(CoreError::Invalid(errors))
    }
}

/// A contact entered by hand (not linked to Entra) with the typed values, each counting as edited
/// by hand, and the events that record them.
pub(crate) fn created_by_hand(
    id: ContactId,
    organization: OrganizationId,
    typed: Vec<(SyncField, Option<String>)>,
    now: i64,
) -> (ContactRow, Vec<serde_json::Value>) {
    let mut fields: [crate::sync::fields::FieldState; crate::sync::fields::FIELD_COUNT] =
        Default::default();
    let mut events = Vec::new();
    for (f, v) in typed {
        if v.is_some() {
            events.push(serde_json::json!({ "field": f.as_str(), "from": null, "to": v }));
        }
        fields[f.index()].by_hand = v.is_some();
        fields[f.index()].value = v;
    }
    let mut row = ContactRow {
        id: id.as_uuid(),
        organization_id: organization.as_uuid(),
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
        created_at: now,
        updated_at: now,
        groups: Vec::new(),
    };
    crate::sync::engine::store_fields(&mut row, &fields);
    (row, events)
}

/// Applies values typed by hand to a contact: each changed field is remembered as edited by hand,
/// and editing a field in conflict settles the conflict. Returns the events of the changes (none:
/// the row is left as it was).
pub(crate) fn edit_by_hand(
    row: &mut ContactRow,
    typed: Vec<(SyncField, Option<String>)>,
) -> Vec<serde_json::Value> {
    let mut fields = crate::sync::engine::field_states(row);
    let mut events = Vec::new();
    for (f, v) in typed {
        let s = &mut fields[f.index()];
        if s.value == v {
            continue;
        }
        events.push(serde_json::json!({ "field": f.as_str(), "from": s.value, "to": v }));
        if let Some(entra) = s.conflict.take() {
            // The person chose a value over Entra's: Entra's is not raised again.
            s.synced = Some(entra);
        }
        s.value = v;
        s.by_hand = true;
    }
    if !events.is_empty() {
        crate::sync::engine::store_fields(row, &fields);
    }
    events
}

impl Services {
    /// Edits a contact's fields by hand. A changed field is remembered as edited by hand, so a
    /// sync never overwrites it silently; editing a field in conflict settles the conflict.
    pub async fn edit_contact(
        &self,
        actor: &Principal,
        id: ContactId,
        form: &ContactForm,
    ) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        let typed = checked_values(form)?;
        let scope = actor.scope(&self.db);
        let mut row = scope.contact(id.as_uuid()).await?;
        let events = edit_by_hand(&mut row, typed);
        if events.is_empty() {
            return Ok(());
        }
        row.updated_at = self.now_ms();
        self.write_hand_change(actor, row, events, "contact.edited")
            .await
    }

    /// Creates a contact by hand in an organization (not linked to Entra; a later sync may match
    /// it to a user by email or name). Every value typed counts as edited by hand.
    pub async fn create_contact(
        &self,
        actor: &Principal,
        organization: OrganizationId,
        form: &ContactForm,
    ) -> Result<ContactId> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        scope.organization(organization).await?;
        let typed = checked_values(form)?;
        if typed.iter().all(|(_, v)| v.is_none()) {
            return Err(CoreError::Invalid(crate::error::FieldErrors::one(
                "display_name",
                "Enter at least a name or an email address.",
            )));
        }
        let id: ContactId = self.new_id();
        let (row, events) = created_by_hand(id, organization, typed, self.now_ms());
        self.write_hand_change(actor, row, events, "contact.created")
            .await?;
        Ok(id)
    }

    /// Settles a conflict between a hand edit and Entra's value.
    pub async fn resolve_conflict(
        &self,
        actor: &Principal,
        id: ContactId,
        field: SyncField,
        choice: Resolution,
    ) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let mut row = scope.contact(id.as_uuid()).await?;
        let mut fields = crate::sync::engine::field_states(&row);
        let s = &mut fields[field.index()];
        let Some(entra) = s.conflict.take() else {
            return Err(CoreError::Conflict(
                "This field is not in conflict any more.".into(),
            ));
        };
        let event = match choice {
            Resolution::Entra => {
                let from = s.value.replace(entra.clone());
                s.synced = Some(entra.clone());
                s.by_hand = false;
                serde_json::json!({ "field": field.as_str(), "from": from, "to": entra, "resolution": "entra" })
            }
            Resolution::Mine => {
                s.synced = Some(entra.clone());
                serde_json::json!({ "field": field.as_str(), "kept": s.value, "declined": entra, "resolution": "mine" })
            }
        };
        crate::sync::engine::store_fields(&mut row, &fields);
        row.updated_at = self.now_ms();
        self.write_hand_change(actor, row, vec![event], "contact.conflict_resolved")
            .await
    }

    async fn write_hand_change(
        &self,
        actor: &Principal,
        row: ContactRow,
        events: Vec<serde_json::Value>,
        action: &'static str,
    ) -> Result<()> {
        let now = self.now_ms();
        let rows: Vec<roster_store::ContactEventRow> = events
            .iter()
            .map(|d| roster_store::ContactEventRow {
                id: self.new_id::<ContactId>().as_uuid(),
                contact_id: row.id,
                kind: "edited".into(),
                detail: d.to_string(),
                run_id: None,
                actor: actor.email().to_owned(),
                created_at: now,
            })
            .collect();
        let mut unit = actor.scope(&self.db).begin().await?;
        unit.write_contacts(std::slice::from_ref(&row)).await?;
        unit.add_contact_events(&rows).await?;
        unit.audit(
            actor,
            roster_store::AuditEntry {
                action,
                target_type: "contact",
                target_id: Some(row.id.to_string()),
                detail: serde_json::json!({ "changes": events }),
            },
            now,
        )
        .await?;
        unit.commit().await?;
        Ok(())
    }
}
