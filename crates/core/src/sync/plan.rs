//! The sync plan: what one run will do to a tenant's contacts, computed without touching anything.
//!
//! The plan is a pure function of Entra's (complete) listing of the users in scope, the contacts
//! of the tenant's organization and the connection's policy. Every action names the rule that
//! decided it, so a preview can show it and a run can apply exactly what was previewed.

use super::fields::{FIELD_COUNT, FieldOutcome, FieldState, SyncField, Values, reconcile};
use roster_domain::ContactId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A user of the tenant, as the plan reads it (already normalized from Graph's shape).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraUser {
    pub object_id: String,
    /// Entra's value for each synced field (blank as `None`).
    pub values: Values,
    pub upn: Option<String>,
    /// Every address the user receives mail at: mail, each `smtp:`/`SMTP:` proxy address and
    /// otherMails, lower case, without repeats.
    pub addresses: Vec<String>,
    pub enabled: bool,
    /// Contact groups (the direct subgroups of a group-scoped connection the user is in).
    pub groups: Vec<String>,
}

/// A contact of the tenant's organization, as the plan reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactState {
    pub id: ContactId,
    /// The Entra user it is linked to in this tenant, if any.
    pub object_id: Option<String>,
    /// Linked to a user of another tenant: never a candidate here.
    pub linked_elsewhere: bool,
    pub fields: [FieldState; FIELD_COUNT],
    pub upn: Option<String>,
    pub deleted_in_entra: bool,
    pub disabled: bool,
    pub groups: Vec<String>,
}

impl ContactState {
    fn value(&self, f: SyncField) -> Option<&str> {
        self.fields[f.index()].value.as_deref()
    }
}

/// What happens to a user with no contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewUserPolicy {
    /// Create the contact.
    Create,
    /// Put the user in the contact review queue; a reviewer picks whom to import.
    Review,
}

/// The rule that matched a user to a contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    /// Already linked by (tenant ID, object ID).
    Linked,
    /// One of the user's addresses equals the contact's email.
    Address,
    /// The user principal name equals the contact's email.
    Upn,
    /// First and last name equal the contact's (normalized).
    Name,
    /// A person chose the contact in the review queue.
    Reviewer,
}

/// A field's change, for the preview and the contact's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: SyncField,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Why a user is in the review queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ReviewReason {
    /// A rule found several contacts (or the contact several users): nothing is guessed.
    Ambiguous {
        rule: MatchRule,
        candidates: Vec<ContactId>,
    },
    /// No contact, and the policy is "review".
    NewUser,
}

/// One thing the run will do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    /// A new contact for a user nobody matched (policy "create").
    Create {
        contact: ContactId,
        user: Box<EntraUser>,
    },
    /// A matched contact whose fields, link or flags change.
    Update {
        contact: ContactId,
        object_id: String,
        rule: MatchRule,
        /// The link is new (the contact matched by a rule other than the link).
        link: bool,
        /// What each field policy decided, for the fields where it does something.
        outcomes: Vec<(SyncField, FieldOutcome)>,
        /// The visible value changes among them.
        changes: Vec<FieldChange>,
        upn: Option<(Option<String>, Option<String>)>,
        reactivate: bool,
        /// The disabled flag's new value, when it changes.
        disabled: Option<bool>,
        /// The contact groups, when they change.
        groups: Option<Vec<String>>,
    },
    /// A matched contact already as Entra has it.
    Unchanged { contact: ContactId, rule: MatchRule },
    /// A linked contact whose user is gone from the (complete) listing: flagged, never deleted.
    FlagDeleted {
        contact: ContactId,
        object_id: String,
    },
    /// A user left for a person to decide.
    Review {
        user: Box<EntraUser>,
        reason: ReviewReason,
        /// Whether the reviewer's "import" box starts ticked.
        preselected: bool,
    },
}

/// Why a run is held until a person confirms it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Hold {
    /// It would flag more of the tenant's linked contacts than the connection allows.
    TooManyLeavers {
        flagged: usize,
        linked: usize,
        limit_percent: u8,
    },
    /// Microsoft listed no users, where there were linked contacts.
    EmptyListing { linked: usize },
}

/// How many of each action, for the sync log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub flagged: usize,
    pub reactivated: usize,
    pub review: usize,
    pub conflicts: usize,
}

impl Action {
    /// The Entra user the action is about (none for an unchanged contact).
    pub fn object_id(&self) -> Option<&str> {
        match self {
            Action::Create { user, .. } | Action::Review { user, .. } => Some(&user.object_id),
            Action::Update { object_id, .. } | Action::FlagDeleted { object_id, .. } => {
                Some(object_id)
            }
            Action::Unchanged { .. } => None,
        }
    }
}

impl Counts {
    /// The counts of these actions.
    pub fn of(actions: &[Action]) -> Self {
        let mut c = Counts::default();
        for a in actions {
            match a {
                Action::Create { .. } => c.created += 1,
                Action::Update {
                    reactivate,
                    outcomes,
                    ..
                } => {
                    c.updated += 1;
                    c.reactivated += usize::from(*reactivate);
                    c.conflicts += outcomes
                        .iter()
                        .filter(|(_, o)| matches!(o, FieldOutcome::Conflict(_)))
                        .count();
                }
                Action::Unchanged { .. } => c.unchanged += 1,
                Action::FlagDeleted { .. } => c.flagged += 1,
                Action::Review { .. } => c.review += 1,
            }
        }
        c
    }
}

impl Plan {
    /// The part of the plan about the users `picked` (by object id), without a hold: what a
    /// person ticked on a held run or a preview.
    pub fn only(&self, picked: &HashSet<String>) -> Plan {
        let actions: Vec<Action> = self
            .actions
            .iter()
            .filter(|a| a.object_id().is_some_and(|o| picked.contains(o)))
            .cloned()
            .collect();
        Plan {
            counts: Counts::of(&actions),
            actions,
            hold: None,
        }
    }
}

/// The whole plan of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub actions: Vec<Action>,
    pub counts: Counts,
    /// Set when the run must wait for a person before anything is written.
    pub hold: Option<Hold>,
}

/// What the plan is computed from.
pub struct PlanInput<'a> {
    /// The users in scope, from a complete listing.
    pub users: &'a [EntraUser],
    /// The contacts of the tenant's organization.
    pub contacts: &'a [ContactState],
    pub policy: NewUserPolicy,
    /// A run flagging more than this share of the tenant's linked contacts is held.
    pub guard_percent: u8,
    /// Object ids a reviewer already decided not to import (not preselected again).
    pub ignored: &'a HashSet<String>,
    /// `None` when `users` is a complete listing. For the changes of a delta round, how many of
    /// the tenant's contacts are linked in all: `contacts` then holds only those the changes
    /// touch (and the unlinked ones), the guard's share is of all linked contacts, and an empty
    /// round (nothing changed) is no reason to hold.
    pub delta_linked: Option<usize>,
}

/// A name as matching compares it: lower case, accents removed, spaces collapsed.
pub fn name_key(first: Option<&str>, last: Option<&str>) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    let (first, last) = (first?.trim(), last?.trim());
    if first.is_empty() || last.is_empty() {
        return None;
    }
    let folded: String = format!("{first} {last}")
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    Some(folded.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// An address as matching compares it.
fn address_key(a: &str) -> String {
    a.trim().to_lowercase()
}

/// Computes the plan. `new_id` names the contacts the plan creates.
pub fn plan(input: &PlanInput<'_>, mut new_id: impl FnMut() -> ContactId) -> Plan {
    let contacts = input.contacts;
    let by_link: HashMap<&str, usize> = contacts
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.object_id.as_deref().map(|o| (o, i)))
        .collect();
    // Candidates for the rules after the link: contacts linked to nobody.
    let unlinked: Vec<usize> = contacts
        .iter()
        .enumerate()
        .filter(|(_, c)| c.object_id.is_none() && !c.linked_elsewhere)
        .map(|(i, _)| i)
        .collect();
    let mut by_email: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for &i in &unlinked {
        let c = &contacts[i];
        if let Some(e) = c.value(SyncField::Email) {
            by_email.entry(address_key(e)).or_default().push(i);
        }
        if let Some(k) = name_key(c.value(SyncField::FirstName), c.value(SyncField::LastName)) {
            by_name.entry(k).or_default().push(i);
        }
    }

    // Users in a stable order, so a plan is the same whatever order Microsoft listed them in.
    let mut users: Vec<&EntraUser> = input.users.iter().collect();
    users.sort_by(|a, b| a.object_id.cmp(&b.object_id));
    users.dedup_by(|a, b| a.object_id == b.object_id);

    enum Found {
        Contact(usize, MatchRule),
        Ambiguous(MatchRule, Vec<usize>),
        Nothing,
    }
    let found: Vec<Found> = users
        .iter()
        .map(|u| {
            if let Some(&i) = by_link.get(u.object_id.as_str()) {
                return Found::Contact(i, MatchRule::Linked);
            }
            let mut hits: Vec<usize> = u
                .addresses
                .iter()
                .flat_map(|a| by_email.get(&address_key(a)).into_iter().flatten().copied())
                .collect();
            hits.sort_unstable();
            hits.dedup();
            match hits.len() {
                1 => return Found::Contact(hits[0], MatchRule::Address),
                n if n > 1 => return Found::Ambiguous(MatchRule::Address, hits),
                _ => {}
            }
            if let Some(upn) = &u.upn {
                match by_email.get(&address_key(upn)).map(Vec::as_slice) {
                    Some([one]) => return Found::Contact(*one, MatchRule::Upn),
                    Some(many) if many.len() > 1 => {
                        return Found::Ambiguous(MatchRule::Upn, many.to_vec());
                    }
                    _ => {}
                }
            }
            let key = name_key(
                u.values[SyncField::FirstName.index()].as_deref(),
                u.values[SyncField::LastName.index()].as_deref(),
            );
            match key.and_then(|k| by_name.get(&k)).map(Vec::as_slice) {
                Some([one]) => Found::Contact(*one, MatchRule::Name),
                Some(many) if many.len() > 1 => Found::Ambiguous(MatchRule::Name, many.to_vec()),
                _ => Found::Nothing,
            }
        })
        .collect();

    // A contact that two users of this run would take is guessed for neither.
    let mut claims: HashMap<usize, usize> = HashMap::new();
    for f in &found {
        if let Found::Contact(i, rule) = f
            && *rule != MatchRule::Linked
        {
            *claims.entry(*i).or_default() += 1;
        }
    }

    let mut actions = Vec::new();
    let mut seen_contacts: HashSet<usize> = HashSet::new();
    for (u, f) in users.iter().zip(found) {
        match f {
            Found::Contact(i, rule) if rule != MatchRule::Linked && claims[&i] > 1 => {
                actions.push(Action::Review {
                    user: Box::new((*u).clone()),
                    reason: ReviewReason::Ambiguous {
                        rule,
                        candidates: vec![contacts[i].id],
                    },
                    preselected: false,
                });
            }
            Found::Contact(i, rule) => {
                seen_contacts.insert(i);
                actions.push(update(&contacts[i], u, rule));
            }
            Found::Ambiguous(rule, hits) => {
                actions.push(Action::Review {
                    user: Box::new((*u).clone()),
                    reason: ReviewReason::Ambiguous {
                        rule,
                        candidates: hits.iter().map(|&i| contacts[i].id).collect(),
                    },
                    preselected: false,
                });
            }
            Found::Nothing => match input.policy {
                NewUserPolicy::Create => {
                    actions.push(Action::Create {
                        contact: new_id(),
                        user: Box::new((*u).clone()),
                    });
                }
                NewUserPolicy::Review => {
                    actions.push(Action::Review {
                        user: Box::new((*u).clone()),
                        reason: ReviewReason::NewUser,
                        preselected: !input.ignored.contains(&u.object_id),
                    });
                }
            },
        }
    }

    // Leavers: linked contacts whose user is not in the listing.
    let linked: Vec<usize> = contacts
        .iter()
        .enumerate()
        .filter(|(_, c)| c.object_id.is_some() && !c.deleted_in_entra)
        .map(|(i, _)| i)
        .collect();
    for &i in &linked {
        if !seen_contacts.contains(&i) {
            actions.push(Action::FlagDeleted {
                contact: contacts[i].id,
                object_id: contacts[i].object_id.clone().unwrap_or_default(),
            });
        }
    }
    let counts = Counts::of(&actions);
    let all_linked = input.delta_linked.unwrap_or(linked.len());
    let hold = if input.delta_linked.is_none() && users.is_empty() && !linked.is_empty() {
        Some(Hold::EmptyListing {
            linked: linked.len(),
        })
    } else if all_linked > 0
        && counts.flagged.saturating_mul(100)
            > all_linked.saturating_mul(usize::from(input.guard_percent))
    {
        Some(Hold::TooManyLeavers {
            flagged: counts.flagged,
            linked: all_linked,
            limit_percent: input.guard_percent,
        })
    } else {
        None
    };
    Plan {
        actions,
        counts,
        hold,
    }
}

/// The action for a contact matched to `user` by `rule` (also what a reviewer's "link" does).
pub fn update(contact: &ContactState, user: &EntraUser, rule: MatchRule) -> Action {
    let mut outcomes = Vec::new();
    let mut changes = Vec::new();
    for f in SyncField::ALL {
        let state = &contact.fields[f.index()];
        let mut entra = user.values[f.index()].as_deref();
        // An address differing only in letter case is the same address: no conflict over it.
        if f == SyncField::Email
            && let (Some(mine), Some(theirs)) = (state.value.as_deref(), entra)
            && mine.eq_ignore_ascii_case(theirs)
        {
            entra = Some(mine);
        }
        let outcome = reconcile(state, entra);
        if outcome == FieldOutcome::Keep {
            continue;
        }
        let mut after = state.clone();
        after.apply(&outcome);
        if after.value != state.value {
            changes.push(FieldChange {
                field: f,
                from: state.value.clone(),
                to: after.value.clone(),
            });
        }
        outcomes.push((f, outcome));
    }
    let upn = (contact.upn != user.upn).then(|| (contact.upn.clone(), user.upn.clone()));
    let disabled = (contact.disabled == user.enabled).then_some(!user.enabled);
    let mut groups = user.groups.clone();
    groups.sort();
    groups.dedup();
    let mut had = contact.groups.clone();
    had.sort();
    let groups = (had != groups).then_some(groups);
    let link = rule != MatchRule::Linked;
    let reactivate = contact.deleted_in_entra;
    if outcomes.is_empty()
        && upn.is_none()
        && disabled.is_none()
        && groups.is_none()
        && !link
        && !reactivate
    {
        return Action::Unchanged {
            contact: contact.id,
            rule,
        };
    }
    Action::Update {
        contact: contact.id,
        object_id: user.object_id.clone(),
        rule,
        link,
        outcomes,
        changes,
        upn,
        reactivate,
        disabled,
        groups,
    }
}

/// The plan's actions by contact, for applying a reviewer's selection of a preview.
pub fn by_contact(plan: &Plan) -> BTreeMap<ContactId, &Action> {
    plan.actions
        .iter()
        .filter_map(|a| match a {
            Action::Create { contact, .. }
            | Action::Update { contact, .. }
            | Action::Unchanged { contact, .. }
            | Action::FlagDeleted { contact, .. } => Some((*contact, a)),
            Action::Review { .. } => None,
        })
        .collect()
}
