//! The audit log as people read it: who did what to which thing, and what changed, in words.
//!
//! Events are stored with a stable action code and a JSON detail (so they can be queried and kept
//! forever); this module turns each one into a sentence and a list of changes. Names are taken from
//! the event itself (the name at the time), else from the thing's current name, and never shown as
//! an id when a name is known.

use crate::error::Result;
use crate::services::Services;
use roster_domain::{Permission, Role};
use roster_store::{AuditRecord, Principal};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// One audit event, described.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditLine {
    pub at_ms: i64,
    /// The person (their e-mail address) or "Roster" / the command line.
    pub who: String,
    /// What happened, as a sentence without the actor: "Changed the role of tess@acme.test".
    pub what: String,
    /// The changes or facts that go with it: "Role: Technician → Viewer".
    pub changes: Vec<String>,
    /// Where the person acted from, when known.
    pub from_address: Option<String>,
    /// The page of the thing acted on, when it still exists.
    pub link: Option<String>,
}

fn text(detail: &Value, key: &str) -> Option<String> {
    match detail.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn list(detail: &Value, key: &str) -> Option<String> {
    let items: Vec<String> = detail
        .get(key)?
        .as_array()?
        .iter()
        .filter_map(|v| v.as_str())
        .map(roster_domain::tenant::display_domain)
        .collect();
    Some(if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    })
}

fn role_label(code: &str) -> String {
    code.parse::<Role>()
        .map(|r| r.label().to_owned())
        .unwrap_or_else(|_| code.to_owned())
}

fn status_label(code: &str) -> &str {
    match code {
        "ok" => "working",
        "failing" => "failing",
        other => other,
    }
}

/// What the log knows about the things events point at, by id.
#[derive(Default)]
pub struct Names {
    pub organizations: HashMap<Uuid, String>,
    pub connections: HashMap<Uuid, String>,
}

/// Describes one stored event.
pub fn describe(r: &AuditRecord, names: &Names) -> AuditLine {
    let d: Value = serde_json::from_str(&r.detail).unwrap_or(Value::Null);
    let target: Option<Uuid> = r.target_id.as_deref().and_then(|t| t.parse().ok());
    let email = text(&d, "email").unwrap_or_else(|| "a member".to_owned());
    let org_name = || {
        text(&d, "name")
            .or_else(|| target.and_then(|t| names.organizations.get(&t).cloned()))
            .unwrap_or_else(|| "an organization".to_owned())
    };
    let tenant_name = || {
        target
            .and_then(|t| names.connections.get(&t).cloned())
            .or_else(|| text(&d, "display_name"))
            .or_else(|| text(&d, "tenant_id"))
            .unwrap_or_else(|| "a tenant".to_owned())
    };
    let mut changes = Vec::new();
    let mut link = None;
    let what = match r.action.as_str() {
        "workspace.created" => {
            if let Some(owner) = text(&d, "owner") {
                changes.push(format!("Owner: {owner}"));
            }
            format!(
                "Created the workspace {}",
                text(&d, "name").unwrap_or_default()
            )
        }
        "member.added" => {
            if let Some(role) = text(&d, "role") {
                changes.push(format!("Role: {}", role_label(&role)));
            }
            format!("Added {email}")
        }
        "member.password_link_issued" => format!("Issued a set-password link for {email}"),
        "member.role_changed" => {
            if let (Some(from), Some(to)) = (text(&d, "from"), text(&d, "to")) {
                changes.push(format!("Role: {} → {}", role_label(&from), role_label(&to)));
            }
            format!("Changed the role of {email}")
        }
        "member.disabled" => format!("Disabled {email} and signed them out"),
        "member.enabled" => format!("Re-enabled {email}"),
        "organization.created" => {
            if let Some(domains) = list(&d, "domains") {
                changes.push(format!("Domains: {domains}"));
            }
            link = target
                .filter(|t| names.organizations.contains_key(t))
                .map(|t| format!("/organizations/{t}"));
            format!("Created the organization {}", org_name())
        }
        "organization.updated" => {
            if let Some(Value::Object(map)) = d.get("changes") {
                for (field, pair) in map {
                    if field == "Notes" {
                        changes.push("Notes edited".to_owned());
                        continue;
                    }
                    let side = |i: usize| match pair.get(i) {
                        Some(Value::String(s)) if !s.is_empty() => s.clone(),
                        Some(Value::Array(a)) if !a.is_empty() => a
                            .iter()
                            .filter_map(|v| v.as_str())
                            .map(roster_domain::tenant::display_domain)
                            .collect::<Vec<_>>()
                            .join(", "),
                        _ => "none".to_owned(),
                    };
                    changes.push(format!("{field}: {} → {}", side(0), side(1)));
                }
            } else if let (Some(from), Some(to)) = (text(&d, "from"), text(&d, "name"))
                && from != to
            {
                changes.push(format!("Name: {from} → {to}"));
            }
            link = target
                .filter(|t| names.organizations.contains_key(t))
                .map(|t| format!("/organizations/{t}"));
            format!("Edited the organization {}", org_name())
        }
        "connection.created" => {
            if let Some(status) = text(&d, "status") {
                changes.push(format!("Check: {}", status_label(&status)));
            }
            if let Some(org) = text(&d, "organization").or_else(|| {
                text(&d, "organization_id")
                    .and_then(|o| o.parse::<Uuid>().ok())
                    .and_then(|o| names.organizations.get(&o).cloned())
            }) {
                changes.push(format!("Organization: {org}"));
            }
            link = target
                .filter(|t| names.connections.contains_key(t))
                .map(|t| format!("/tenants/{t}"));
            format!("Connected the tenant {}", tenant_name())
        }
        "connection.checked" => {
            if let Some(summary) = text(&d, "summary") {
                changes.push(format!("Result: {summary}"));
            }
            link = target
                .filter(|t| names.connections.contains_key(t))
                .map(|t| format!("/tenants/{t}"));
            format!("Checked the connection to {}", tenant_name())
        }
        "connection.secret_rotated" => {
            if let Some(date) = text(&d, "secret_expires_on") {
                changes.push(format!("New secret expires on {date}"));
            }
            link = target
                .filter(|t| names.connections.contains_key(t))
                .map(|t| format!("/tenants/{t}"));
            format!("Replaced the client secret of {}", tenant_name())
        }
        other => {
            // An action this version does not know (written by a newer one): its words, not its code.
            let words = other.replace(['.', '_'], " ");
            let mut chars = words.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => "Did something".to_owned(),
            }
        }
    };
    AuditLine {
        at_ms: r.created_at,
        who: r.actor.clone(),
        what,
        changes,
        from_address: r.client_address.clone(),
        link,
    }
}

impl Services {
    /// The workspace's newest audit events, described for people.
    pub async fn audit_lines(&self, actor: &Principal, limit: i64) -> Result<Vec<AuditLine>> {
        let limit = usize::try_from(limit).unwrap_or(1);
        Ok(self
            .audit_page(actor, &roster_store::PageRequest::first(limit))
            .await?
            .items)
    }

    /// One page of the workspace's audit events, newest first, described for people.
    pub async fn audit_page(
        &self,
        actor: &Principal,
        req: &roster_store::PageRequest,
    ) -> Result<roster_store::Page<AuditLine>> {
        self.authorize(actor, Permission::ManageMembers)?;
        let scope = actor.scope(&self.db);
        let records = scope.audit_page(req).await?;
        let mut names = Names::default();
        for o in scope.organizations().await? {
            names.organizations.insert(o.id, o.name);
        }
        for c in scope.connections().await? {
            names
                .connections
                .insert(c.id, crate::connections::connection_title(&c));
        }
        Ok(roster_store::Page {
            items: records.items.iter().map(|r| describe(r, &names)).collect(),
            next: records.next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(action: &str, target: Option<Uuid>, detail: Value) -> AuditRecord {
        AuditRecord {
            id: Uuid::nil(),
            actor: "olive@acme.test".into(),
            action: action.into(),
            target_type: "x".into(),
            target_id: target.map(|t| t.to_string()),
            detail: detail.to_string(),
            created_at: 1,
            client_address: Some("192.0.2.1".into()),
        }
    }

    #[test]
    fn events_read_as_sentences_with_names_not_ids_or_json() {
        let conn = Uuid::from_u128(7);
        let org = Uuid::from_u128(8);
        let mut names = Names::default();
        names.connections.insert(conn, "Contoso".into());
        names.organizations.insert(org, "Contoso Ltd".into());
        let role = describe(
            &record(
                "member.role_changed",
                Some(Uuid::from_u128(1)),
                serde_json::json!({"email": "tess@acme.test", "from": "technician", "to": "viewer"}),
            ),
            &names,
        );
        assert_eq!(role.what, "Changed the role of tess@acme.test");
        assert_eq!(role.changes, vec!["Role: Technician → Viewer"]);
        assert_eq!(role.from_address.as_deref(), Some("192.0.2.1"));

        let created = describe(
            &record(
                "connection.created",
                Some(conn),
                serde_json::json!({"tenant_id": "t", "status": "ok", "organization_id": org.to_string()}),
            ),
            &names,
        );
        assert_eq!(created.what, "Connected the tenant Contoso");
        assert_eq!(
            created.changes,
            vec!["Check: working", "Organization: Contoso Ltd"]
        );
        assert_eq!(created.link, Some(format!("/tenants/{conn}")));

        let edited = describe(
            &record(
                "organization.updated",
                Some(org),
                serde_json::json!({"name": "Contoso Ltd", "changes": {"Domains": [["a.com"], ["a.com", "xn--bcher-kva.de"]]}}),
            ),
            &names,
        );
        assert_eq!(edited.what, "Edited the organization Contoso Ltd");
        assert_eq!(edited.changes, vec!["Domains: a.com → a.com, bücher.de"]);

        let unknown = describe(&record("contact.merged_by_hand", None, Value::Null), &names);
        assert_eq!(unknown.what, "Contact merged by hand");
        for line in [&role, &created, &edited, &unknown] {
            let all = format!("{} {}", line.what, line.changes.join(" "));
            assert!(
                !all.contains('{') && !all.contains(&conn.to_string()),
                "{all}"
            );
        }
    }
}
