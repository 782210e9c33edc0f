//! The contact review queue: users a sync left for a person (ambiguous matches, and new users
//! under the "review" policy), and what a reviewer does with each: link to a contact, create a
//! contact, or ignore.

use crate::error::{CoreError, Result};
use crate::services::Services;
use crate::sync::engine::Origin;
use crate::sync::fields::SyncField;
use crate::sync::plan::{Action, Counts, EntraUser, MatchRule, Plan, ReviewReason, update};
use roster_domain::{ConnectionId, ContactId, Permission};
use roster_store::{Principal, ReviewRow, StoreError};

/// The refusal for a user someone decided for meanwhile.
const ALREADY_DECIDED: &str = "Someone already decided for this user.";

/// A user waiting for a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewView {
    pub connection: ConnectionId,
    pub connection_title: String,
    pub object_id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub upn: Option<String>,
    /// Why it waits, in words.
    pub why: String,
    /// The contacts a rule found (for an ambiguous match), by name.
    pub candidates: Vec<(ContactId, String)>,
    pub preselected: bool,
}

/// What a reviewer decides for one user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Link the user to this existing contact of the tenant's organization.
    Link(ContactId),
    /// Create a new contact from the user.
    Create,
    /// Leave the user out (remembered across syncs).
    Ignore,
}

fn why(reason: &ReviewReason) -> String {
    match reason {
        ReviewReason::NewUser => {
            "New user: this tenant's policy is to review new users before they become contacts."
                .into()
        }
        ReviewReason::Ambiguous { rule, candidates } => {
            let by = match rule {
                MatchRule::Address => "email address",
                MatchRule::Upn => "user principal name",
                MatchRule::Name => "name",
                MatchRule::Linked | MatchRule::Reviewer => "link",
            };
            if candidates.len() == 1 {
                format!(
                    "Another user of this sync matches the same contact by {by}: choose which one it is."
                )
            } else {
                format!(
                    "{} contacts match by {by}: choose one, or create a new contact.",
                    candidates.len()
                )
            }
        }
    }
}

impl Services {
    /// The users waiting for a decision, by name (at most 500).
    pub async fn contact_review(&self, actor: &Principal) -> Result<Vec<ReviewView>> {
        self.authorize(actor, Permission::View)?;
        let scope = actor.scope(&self.db);
        let rows = scope.review_items("open", 500).await?;
        let titles = self.connection_titles(actor).await?;
        let parsed: Vec<(ReviewRow, EntraUser, ReviewReason)> = rows
            .into_iter()
            .map(|r| {
                let user = serde_json::from_str(&r.user_data).unwrap_or_default();
                let reason = serde_json::from_str(&r.reason).unwrap_or(ReviewReason::NewUser);
                (r, user, reason)
            })
            .collect();
        // Every candidate contact of the queue, named in one read.
        let ids: Vec<uuid::Uuid> = parsed
            .iter()
            .flat_map(|(_, _, reason)| match reason {
                ReviewReason::Ambiguous { candidates, .. } => {
                    candidates.iter().map(|c| c.as_uuid()).collect()
                }
                ReviewReason::NewUser => Vec::new(),
            })
            .collect();
        let names: std::collections::HashMap<uuid::Uuid, String> = scope
            .contacts_by_ids(&ids)
            .await?
            .iter()
            .map(|c| (c.id, crate::contacts::contact_name(c)))
            .collect();
        let mut out = Vec::with_capacity(parsed.len());
        for (r, user, reason) in parsed {
            let mut candidates = Vec::new();
            if let ReviewReason::Ambiguous {
                candidates: ids, ..
            } = &reason
            {
                for id in ids {
                    if let Some(name) = names.get(&id.as_uuid()) {
                        candidates.push((*id, name.clone()));
                    }
                }
            }
            out.push(ReviewView {
                connection: ConnectionId::from_uuid(r.connection_id),
                connection_title: titles.get(&r.connection_id).cloned().unwrap_or_default(),
                object_id: r.object_id.clone(),
                display_name: r.display_name.clone(),
                email: user.values[SyncField::Email.index()].clone(),
                upn: user.upn.clone(),
                why: why(&reason),
                candidates,
                preselected: r.preselected,
            });
        }
        Ok(out)
    }

    /// Carries out one decision (create or ignore) for several users at once, as ticked on the
    /// review page; users someone decided meanwhile are skipped. Returns how many were decided.
    pub async fn decide_contact_reviews(
        &self,
        actor: &Principal,
        users: &[(ConnectionId, String)],
        decision: Decision,
    ) -> Result<usize> {
        self.authorize(actor, Permission::Operate)?;
        if matches!(decision, Decision::Link(_)) {
            return Err(CoreError::Conflict(
                "Link users one at a time: each needs its own contact.".into(),
            ));
        }
        let mut done = 0;
        for (connection, object_id) in users {
            match self
                .decide_contact_review(actor, *connection, object_id, decision)
                .await
            {
                Ok(()) => done += 1,
                Err(CoreError::Conflict(_)) | Err(CoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    /// Carries out a reviewer's decision for one user of the queue.
    pub async fn decide_contact_review(
        &self,
        actor: &Principal,
        connection: ConnectionId,
        object_id: &str,
        decision: Decision,
    ) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let item: ReviewRow = scope.review_item(connection.as_uuid(), object_id).await?;
        if item.status != "open" {
            return Err(CoreError::Conflict(ALREADY_DECIDED.into()));
        }
        let row = scope.connection(connection).await?;
        let Some(organization) = row.organization_id else {
            return Err(CoreError::Conflict(
                "This tenant is no longer matched to an organization.".into(),
            ));
        };
        let user: EntraUser = serde_json::from_str(&item.user_data)
            .map_err(|e| CoreError::Internal(e.to_string().into()))?;
        let now = self.now_ms();
        let (plan, existing, status) = match decision {
            Decision::Ignore => {
                let mut unit = scope.begin().await?;
                if !unit
                    .decide_review(
                        connection.as_uuid(),
                        object_id,
                        "open",
                        "ignored",
                        actor.email(),
                        now,
                    )
                    .await?
                {
                    return Err(CoreError::Conflict(ALREADY_DECIDED.into()));
                }
                unit.commit().await?;
                return Ok(());
            }
            Decision::Create => (
                Plan {
                    actions: vec![Action::Create {
                        contact: self.new_id(),
                        user: Box::new(user),
                    }],
                    counts: Counts::default(),
                    hold: None,
                },
                Vec::new(),
                "created",
            ),
            Decision::Link(contact) => {
                let c = match scope.contact(contact.as_uuid()).await {
                    Ok(c) => c,
                    Err(StoreError::NotFound) => return Err(CoreError::NotFound),
                    Err(e) => return Err(e.into()),
                };
                if c.organization_id != organization || c.object_id.is_some() {
                    return Err(CoreError::Conflict(
                        "Choose a contact of this tenant's organization that is not linked to another Entra user.".into(),
                    ));
                }
                let state = crate::sync::engine::contact_state(&c, &row.tenant_id);
                (
                    Plan {
                        actions: vec![update(&state, &user, MatchRule::Reviewer)],
                        counts: Counts::default(),
                        hold: None,
                    },
                    vec![c],
                    "linked",
                )
            }
        };
        let writes = self.writes(
            &plan,
            &existing,
            organization,
            &row.tenant_id,
            Origin {
                run: None,
                actor: actor.email(),
            },
        );
        let mut unit = scope.begin().await?;
        if !unit
            .decide_review(
                connection.as_uuid(),
                object_id,
                "open",
                status,
                actor.email(),
                now,
            )
            .await?
        {
            return Err(CoreError::Conflict(ALREADY_DECIDED.into()));
        }
        match unit.write_contacts(&writes.contacts).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                return Err(CoreError::Conflict(
                    "This Entra user is already linked to a contact; the next sync will show it."
                        .into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        unit.add_contact_events(&writes.events).await?;
        unit.audit(
            actor,
            roster_store::AuditEntry {
                action: "contact.review_decided",
                target_type: "contact",
                target_id: writes.contacts.first().map(|c| c.id.to_string()),
                detail: serde_json::json!({ "object_id": object_id, "decision": status, "user": item.display_name }),
            },
            now,
        )
        .await?;
        unit.commit().await?;
        Ok(())
    }
}
