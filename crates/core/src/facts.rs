//! Reading tenant facts back: a tenant's latest snapshot (with the last known value of every fact
//! the latest run could not read), its Secure Score history, and a contact's Entra overlay.

use std::collections::HashMap;

use crate::error::Result;
use crate::services::Services;
use crate::sync::facts::{
    ControlFact, DeviceFact, FactSource, MailboxFact, SkuFact, SnapshotDetails, SourceNote,
};
use jiff::Timestamp;
use roster_domain::Permission;
use roster_domain::{ConnectionId, OrganizationId};
use roster_store::{Principal, ScoreDayRow, SnapshotRow, UserFactsRow, from_millis};

/// How many snapshots are searched for the last known value of a fact.
const LOOK_BACK: i64 = 60;

/// A fact as of a time, or unknown with the reason (and what an earlier run read, if any).
#[derive(Clone, Debug, PartialEq)]
pub enum Fact<T> {
    Known {
        value: T,
        at: Timestamp,
    },
    Unknown {
        reason: String,
        earlier: Option<(T, Timestamp)>,
    },
}

impl<T> Fact<T> {
    /// The value, if this run or an earlier one read it.
    pub fn latest(&self) -> Option<(&T, Timestamp, bool)> {
        match self {
            Self::Known { value, at } => Some((value, *at, true)),
            Self::Unknown {
                earlier: Some((v, at)),
                ..
            } => Some((v, *at, false)),
            Self::Unknown { .. } => None,
        }
    }
}

/// MFA coverage of a tenant's enabled members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MfaCoverage {
    pub registered: i64,
    pub not_registered: i64,
    pub unknown: i64,
}

/// Active users and where the count came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Active {
    pub users: i64,
    /// "sign-ins" (Entra sign-in activity) or "the Microsoft 365 usage report".
    pub source: &'static str,
}

/// A tenant's facts as the organization page shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantFacts {
    pub connection: ConnectionId,
    pub taken_at: Timestamp,
    pub score: Fact<(f64, f64)>,
    pub members: Option<i64>,
    pub licensed: Fact<i64>,
    pub active: Fact<Active>,
    pub mfa: Fact<MfaCoverage>,
    pub unassigned: Option<i64>,
    pub premium: Option<bool>,
    pub concealed_names: Option<bool>,
    pub skus: Vec<SkuFact>,
    pub controls: Vec<ControlFact>,
    pub sources: Vec<(FactSource, SourceNote)>,
    /// Secure Score by day, oldest first.
    pub history: Vec<ScoreDayRow>,
    /// How many snapshots the tenant has.
    pub snapshots: usize,
}

/// A contact's Entra overlay.
#[derive(Clone, Debug, PartialEq)]
pub struct Overlay {
    pub account: Fact<Account>,
    pub sign_ins: Fact<SignIns>,
    pub mfa: Fact<Mfa>,
    pub activity: Fact<Option<String>>,
    pub mailbox: Fact<Option<MailboxFact>>,
    pub devices: Fact<Vec<DeviceFact>>,
}

/// Account facts from the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub enabled: Option<bool>,
    /// Friendly names.
    pub licences: Vec<String>,
    pub licensed: Option<bool>,
    pub business_tier: Option<String>,
    pub password_changed: Option<Timestamp>,
}

/// Last sign-ins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignIns {
    pub interactive: Option<Timestamp>,
    pub non_interactive: Option<Timestamp>,
}

/// MFA registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mfa {
    /// `Some(true)` registered, `Some(false)` not registered, `None` Microsoft did not say.
    pub registered: Option<bool>,
    pub methods: Vec<String>,
    pub default_method: Option<String>,
    pub is_admin: Option<bool>,
}

/// The MFA and licence columns of the contacts list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFacts {
    /// `Some(true)` registered, `Some(false)` not, `None` unknown.
    pub mfa: Option<bool>,
    /// The highest business plan, else the first licence's name.
    pub licence: Option<String>,
    pub licences: usize,
}

fn details_of(s: &SnapshotRow) -> SnapshotDetails {
    serde_json::from_str(&s.details).unwrap_or_default()
}

fn note_of(details: &SnapshotDetails, source: FactSource) -> Option<&SourceNote> {
    details.sources.get(&source)
}

/// The fact in the newest snapshot, or unknown with that run's reason and the newest earlier
/// value.
fn fact<T>(
    snapshots: &[(SnapshotRow, SnapshotDetails)],
    source: FactSource,
    value: impl Fn(&SnapshotRow) -> Option<T>,
) -> Fact<T> {
    let Some((newest, details)) = snapshots.first() else {
        return Fact::Unknown {
            reason: "not read yet".into(),
            earlier: None,
        };
    };
    if let Some(v) = value(newest) {
        return Fact::Known {
            value: v,
            at: from_millis(newest.taken_at),
        };
    }
    let reason = note_of(details, source)
        .and_then(|n| n.reason.clone())
        .unwrap_or_else(|| "not available".into());
    let earlier = snapshots
        .iter()
        .skip(1)
        .find_map(|(s, _)| value(s).map(|v| (v, from_millis(s.taken_at))));
    Fact::Unknown { reason, earlier }
}

fn active_source(s: &str) -> &'static str {
    if s == "sign_ins" {
        "sign-ins"
    } else {
        "the Microsoft 365 usage report"
    }
}

impl Services {
    /// The facts of an organization's tenant, if it has one that was synced.
    pub async fn organization_facts(
        &self,
        actor: &Principal,
        organization: OrganizationId,
    ) -> Result<Option<TenantFacts>> {
        self.authorize(actor, Permission::View)?;
        let scope = actor.scope(&self.db);
        let Some(conn) = scope
            .connections()
            .await?
            .into_iter()
            .find(|c| c.organization_id == Some(organization.as_uuid()))
        else {
            return Ok(None);
        };
        self.tenant_facts(actor, ConnectionId::from_uuid(conn.id))
            .await
    }

    /// A tenant's latest facts and Secure Score history; `None` before its first sync.
    pub async fn tenant_facts(
        &self,
        actor: &Principal,
        connection: ConnectionId,
    ) -> Result<Option<TenantFacts>> {
        self.authorize(actor, Permission::View)?;
        let scope = actor.scope(&self.db);
        let rows = scope.snapshots(connection.as_uuid(), LOOK_BACK).await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let snapshots: Vec<(SnapshotRow, SnapshotDetails)> = rows
            .into_iter()
            .map(|r| {
                let d = details_of(&r);
                (r, d)
            })
            .collect();
        let (newest, details) = &snapshots[0];
        let history = scope.score_days(connection.as_uuid(), "0000").await?;
        Ok(Some(TenantFacts {
            connection,
            taken_at: from_millis(newest.taken_at),
            score: fact(&snapshots, FactSource::SecureScore, |s| {
                s.score_current.zip(s.score_max)
            }),
            members: newest.members,
            licensed: fact(&snapshots, FactSource::Directory, |s| s.licensed_users),
            active: fact(&snapshots, FactSource::SignIns, |s| {
                s.active_users.map(|users| Active {
                    users,
                    source: active_source(s.active_source.as_deref().unwrap_or("")),
                })
            }),
            mfa: fact(&snapshots, FactSource::Mfa, |s| {
                Some(MfaCoverage {
                    registered: s.mfa_registered?,
                    not_registered: s.mfa_not_registered?,
                    unknown: s.mfa_unknown.unwrap_or(0),
                })
            }),
            unassigned: newest.unassigned_units,
            premium: details.premium,
            concealed_names: details.concealed_names,
            skus: details.skus.clone(),
            controls: details.controls.clone(),
            sources: details
                .sources
                .iter()
                .map(|(k, v)| (*k, v.clone()))
                .collect(),
            history,
            snapshots: snapshots.len(),
        }))
    }

    /// A linked contact's Entra overlay; `None` for a contact not linked to a user.
    pub async fn contact_overlay(
        &self,
        actor: &Principal,
        tenant_id: &str,
        object_id: &str,
    ) -> Result<Option<Overlay>> {
        self.authorize(actor, Permission::View)?;
        let scope = actor.scope(&self.db);
        let key = (tenant_id.to_lowercase(), object_id.to_lowercase());
        let row = scope
            .user_facts(std::slice::from_ref(&key))
            .await?
            .into_iter()
            .next();
        let conn = scope
            .connections()
            .await?
            .into_iter()
            .find(|c| c.tenant_id.eq_ignore_ascii_case(tenant_id));
        let details = match &conn {
            Some(c) => scope
                .snapshots(c.id, 1)
                .await?
                .first()
                .map(details_of)
                .unwrap_or_default(),
            None => SnapshotDetails::default(),
        };
        let Some(row) = row else {
            return Ok(conn.is_some().then(|| unread_overlay(&details)));
        };
        Ok(Some(overlay(&row, &details)))
    }

    /// The licences the workspace's tenants hold (from their newest snapshots), by name, for the
    /// contacts list's licence filter: (SKU id, name).
    pub async fn licences_in_use(&self, actor: &Principal) -> Result<Vec<(String, String)>> {
        self.authorize(actor, Permission::View)?;
        let mut out: Vec<(String, String)> = Vec::new();
        for s in actor.scope(&self.db).latest_snapshots().await? {
            for sku in details_of(&s).skus {
                if sku.assigned > 0 && !out.iter().any(|(id, _)| *id == sku.sku_id) {
                    out.push((sku.sku_id, sku.name));
                }
            }
        }
        out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// The time before which a sign-in counts as stale (the contacts list's filter).
    pub fn stale_sign_in_before(&self) -> i64 {
        self.now_ms() - crate::sync::facts::STALE_DAYS * 86_400_000
    }

    /// The list columns of a page of contacts, by (tenant ID, object ID).
    pub(crate) async fn list_facts(
        &self,
        actor: &Principal,
        users: Vec<(String, String)>,
    ) -> Result<HashMap<(String, String), ListFacts>> {
        let scope = actor.scope(&self.db);
        let rows = scope.user_facts(&users).await?;
        if rows.is_empty() {
            return Ok(HashMap::new());
        }
        // SKU ids are the same in every tenant, so the newest snapshots name them all.
        let skus: Vec<SkuFact> = scope
            .latest_snapshots()
            .await?
            .iter()
            .flat_map(|s| details_of(s).skus)
            .collect();
        Ok(rows
            .into_iter()
            .map(|r| {
                let licences = licence_ids(&r);
                let names: Vec<String> = licences.iter().map(|id| sku_name(id, &skus)).collect();
                let facts = ListFacts {
                    mfa: r.mfa.as_deref().map(|m| m == "registered"),
                    licence: r.business_tier.clone().or_else(|| names.first().cloned()),
                    licences: names.len(),
                };
                ((r.tenant_id, r.object_id), facts)
            })
            .collect())
    }
}

fn licence_ids(r: &UserFactsRow) -> Vec<String> {
    r.licences
        .as_deref()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_default()
}

fn sku_name(id: &str, skus: &[SkuFact]) -> String {
    skus.iter()
        .find(|s| s.sku_id.eq_ignore_ascii_case(id))
        .map(|s| s.name.clone())
        .unwrap_or_else(|| roster_graph::skus::display_name(id, None).into_owned())
}

fn reason(details: &SnapshotDetails, source: FactSource) -> String {
    note_of(details, source)
        .and_then(|n| n.reason.clone())
        .unwrap_or_else(|| "not read yet".into())
}

fn read_at<T>(
    at: Option<i64>,
    details: &SnapshotDetails,
    source: FactSource,
    value: impl FnOnce() -> T,
) -> Fact<T> {
    match at {
        Some(ms) => {
            let value = value();
            let note = note_of(details, source);
            if note.is_some_and(|n| !n.read) {
                // Read by an earlier run; the latest could not read it.
                Fact::Unknown {
                    reason: reason(details, source),
                    earlier: Some((value, from_millis(ms))),
                }
            } else {
                Fact::Known {
                    value,
                    at: from_millis(ms),
                }
            }
        }
        None => Fact::Unknown {
            reason: reason(details, source),
            earlier: None,
        },
    }
}

fn overlay(r: &UserFactsRow, details: &SnapshotDetails) -> Overlay {
    let ms = |v: Option<i64>| v.map(from_millis);
    Overlay {
        account: read_at(r.directory_at, details, FactSource::Directory, || Account {
            enabled: r.account_enabled,
            licences: licence_ids(r)
                .iter()
                .map(|id| sku_name(id, &details.skus))
                .collect(),
            licensed: r.licensed,
            business_tier: r.business_tier.clone(),
            password_changed: ms(r.password_changed_at),
        }),
        sign_ins: read_at(r.sign_in_at, details, FactSource::SignIns, || SignIns {
            interactive: ms(r.last_sign_in),
            non_interactive: ms(r.last_non_interactive),
        }),
        mfa: read_at(r.mfa_at, details, FactSource::Mfa, || Mfa {
            registered: r.mfa.as_deref().map(|m| m == "registered"),
            methods: r
                .mfa_methods
                .as_deref()
                .and_then(|m| serde_json::from_str(m).ok())
                .unwrap_or_default(),
            default_method: r.default_method.clone(),
            is_admin: r.is_admin,
        }),
        activity: read_at(r.activity_at, details, FactSource::Activity, || {
            r.last_activity.clone()
        }),
        mailbox: read_at(r.mailbox_at, details, FactSource::Mailbox, || {
            r.mailbox
                .as_deref()
                .and_then(|m| serde_json::from_str(m).ok())
        }),
        devices: read_at(r.devices_at, details, FactSource::Devices, || {
            r.devices
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or_default()
        }),
    }
}

fn unread_overlay(details: &SnapshotDetails) -> Overlay {
    overlay(&UserFactsRow::default(), details)
}
