//! Organizations: the MSP's customers, created, edited and archived by hand.

use crate::error::{CoreError, FieldErrors, Result};
use crate::services::Services;
use roster_domain::tenant::{
    ConnectionStatus, display_domain, is_guid, parse_domains, parse_website,
};
use roster_domain::{ConnectionId, OrganizationId, Permission};
use roster_store::{
    AuditEntry, ClaimingOrganization, OrganizationFields, OrganizationRow, Page, PageRequest,
    Principal, StoreError,
};
use serde_json::json;

/// An organization's tenant connection, as its pages mention it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSummary {
    pub id: ConnectionId,
    /// The tenant's name in Entra, when known.
    pub name: Option<String>,
    pub status: ConnectionStatus,
}

/// An organization as pages show it.
#[derive(Debug, Clone)]
pub struct OrganizationView {
    pub id: OrganizationId,
    pub name: String,
    /// Normalized (IDNA) form, primary first.
    pub domains: Vec<String>,
    pub website: Option<String>,
    pub notes: String,
    pub tenant_id: Option<String>,
    pub aliases: Vec<String>,
    pub external_id: Option<String>,
    pub archived_at: Option<jiff::Timestamp>,
    pub connection: Option<ConnectionSummary>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

impl OrganizationView {
    fn from_row(row: OrganizationRow) -> Result<Self> {
        let connection = match (row.connection_id, row.connection_status.as_deref()) {
            (Some(id), Some(status)) => Some(ConnectionSummary {
                id: ConnectionId::from_uuid(id),
                name: row.connection_name.clone(),
                status: status
                    .parse()
                    .map_err(|e: String| CoreError::Internal(e.into()))?,
            }),
            _ => None,
        };
        let aliases = row.aliases();
        Ok(Self {
            aliases,
            external_id: row.external_id.clone(),
            archived_at: row.archived_at.map(roster_store::from_millis),
            id: OrganizationId::from_uuid(row.id),
            name: row.name,
            domains: row.domains,
            website: row.website,
            notes: row.notes,
            tenant_id: row.tenant_id,
            connection,
            created_at: roster_store::from_millis(row.created_at),
            updated_at: roster_store::from_millis(row.updated_at),
        })
    }

    /// The primary domain: the first listed.
    pub fn primary_domain(&self) -> Option<&str> {
        self.domains.first().map(String::as_str)
    }
}

/// Longest notes accepted.
pub const MAX_NOTES: usize = 5000;

/// The organization form as submitted.
#[derive(Debug, Clone, Default)]
pub struct OrganizationForm {
    pub name: String,
    pub domains: String,
    pub website: String,
    pub notes: String,
    pub tenant_id: String,
    /// Other names, one per line.
    pub aliases: String,
    /// The organization's ID in the MSP's PSA.
    pub external_id: String,
}

/// Most aliases an organization may have.
pub const MAX_ALIASES: usize = 20;

/// Longest external ID accepted.
pub const MAX_EXTERNAL_ID: usize = 100;

/// Parses the aliases field: one name per line, blank lines skipped, duplicates (ignoring case) dropped.
fn parse_aliases(input: &str) -> std::result::Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for line in input.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let name =
            roster_domain::OrganizationName::parse(line).map_err(|e| format!("\"{line}\": {e}"))?;
        if !out
            .iter()
            .any(|a| a.to_lowercase() == name.as_str().to_lowercase())
        {
            out.push(name.as_str().to_owned());
        }
    }
    if out.len() > MAX_ALIASES {
        return Err(format!("Keep to at most {MAX_ALIASES} aliases."));
    }
    Ok(out)
}

/// The form's fields as they will be written, and the problems found; a field with a problem is
/// left empty, so the others can still be checked against the workspace's organizations.
pub(crate) fn parse(form: &OrganizationForm) -> (OrganizationFields, FieldErrors) {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", roster_domain::OrganizationName::parse(&form.name));
    let domains = errors.check("domains", parse_domains(&form.domains));
    let website = errors.check("website", parse_website(&form.website));
    if form.notes.chars().count() > MAX_NOTES {
        errors.add(
            "notes",
            format!("Keep notes to at most {MAX_NOTES} characters."),
        );
    }
    let tenant = form.tenant_id.trim().to_ascii_lowercase();
    if !tenant.is_empty() && !is_guid(&tenant) {
        errors.add(
            "tenant_id",
            "A Microsoft tenant ID is a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47 (or leave it empty).",
        );
    }
    let tenant_ok = !tenant.is_empty() && is_guid(&tenant);
    let aliases = match parse_aliases(&form.aliases) {
        Ok(a) => a,
        Err(e) => {
            errors.add("aliases", e);
            Vec::new()
        }
    };
    let external_id = form.external_id.trim();
    if external_id.chars().count() > MAX_EXTERNAL_ID || external_id.chars().any(char::is_control) {
        errors.add(
            "external_id",
            format!("An external ID is one line of at most {MAX_EXTERNAL_ID} characters."),
        );
    }
    let external_id = (!external_id.is_empty() && external_id.chars().count() <= MAX_EXTERNAL_ID)
        .then(|| external_id.to_owned());
    let domains = domains.unwrap_or_default();
    let fields = OrganizationFields {
        name: name.map(|n| n.as_str().to_owned()).unwrap_or_default(),
        domains,
        website: website.flatten(),
        notes: form.notes.trim().to_owned(),
        tenant_id: tenant_ok.then_some(tenant),
        aliases,
        external_id,
    };
    (fields, errors)
}

/// Field errors naming the organizations that already hold this name, tenant ID or primary domain.
fn claimed(fields: &OrganizationFields, others: &[ClaimingOrganization]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for other in others {
        if other.same_name {
            errors.add("name", "An organization with this name already exists.");
        }
        if other.same_external_id {
            errors.add(
                "external_id",
                format!("{} already has this external ID.", other.name),
            );
        }
        if other.same_tenant_id {
            errors.add(
                "tenant_id",
                format!("{} already records this tenant ID.", other.name),
            );
        }
        if other.same_primary_domain {
            let domain = fields
                .domains
                .first()
                .map(|d| display_domain(d))
                .unwrap_or_default();
            errors.add(
                "domains",
                format!(
                    "{domain} is already the primary domain of {}. List another domain first, or change that organization.",
                    other.name
                ),
            );
        }
    }
    errors
}

/// What an edit changes, field by field, as `[before, after]` pairs (notes only as "edited", since
/// they can be long and are shown on the organization's page).
fn changes(
    before: &OrganizationView,
    after: &OrganizationFields,
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    let mut pair = |label: &str, from: serde_json::Value, to: serde_json::Value| {
        if from != to {
            out.insert(label.to_owned(), json!([from, to]));
        }
    };
    pair("Name", json!(before.name), json!(after.name));
    pair("Domains", json!(before.domains), json!(after.domains));
    pair("Website", json!(before.website), json!(after.website));
    pair("Tenant ID", json!(before.tenant_id), json!(after.tenant_id));
    pair("Aliases", json!(before.aliases), json!(after.aliases));
    pair(
        "External ID",
        json!(before.external_id),
        json!(after.external_id),
    );
    if before.notes != after.notes {
        out.insert("Notes".to_owned(), json!(["", "edited"]));
    }
    out
}

impl Services {
    /// Parses the form and refuses it, with every problem at once, when a field is wrong or its
    /// name, tenant ID or primary domain belongs to another organization.
    pub(crate) async fn checked_fields(
        &self,
        scope: &roster_store::WorkspaceScope<'_>,
        form: &OrganizationForm,
        except: Option<OrganizationId>,
    ) -> Result<OrganizationFields> {
        let (fields, mut errors) = parse(form);
        for (field, message) in claimed(
            &fields,
            &scope.organizations_claiming(&fields, except).await?,
        )
        .0
        {
            errors.add(&field, message);
        }
        if errors.is_empty() {
            Ok(fields)
        } else {
            Err(CoreError::Invalid(errors))
        }
    }

    /// Refuses fields whose name, tenant ID or primary domain another organization already has.
    async fn refuse_claimed(
        &self,
        scope: &roster_store::WorkspaceScope<'_>,
        fields: &OrganizationFields,
        except: Option<OrganizationId>,
    ) -> Result<()> {
        let errors = claimed(fields, &scope.organizations_claiming(fields, except).await?);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Invalid(errors))
        }
    }

    /// The error for a write the database refused as a duplicate: another organization took the
    /// name, tenant ID or domain between the check and the write.
    async fn conflict(
        &self,
        scope: &roster_store::WorkspaceScope<'_>,
        fields: &OrganizationFields,
        except: Option<OrganizationId>,
    ) -> CoreError {
        match self.refuse_claimed(scope, fields, except).await {
            Err(e) => e,
            Ok(()) => CoreError::Conflict(
                "Another organization was saved with the same details at the same moment. Check the list and try again."
                    .into(),
            ),
        }
    }

    /// Every organization of the actor's workspace, by name.
    pub async fn organizations(&self, actor: &Principal) -> Result<Vec<OrganizationView>> {
        self.authorize(actor, Permission::View)?;
        actor
            .scope(&self.db)
            .organizations()
            .await?
            .into_iter()
            .map(OrganizationView::from_row)
            .collect()
    }

    /// One page of the actor's organizations, by name.
    pub async fn organizations_page(
        &self,
        actor: &Principal,
        req: &PageRequest,
    ) -> Result<Page<OrganizationView>> {
        self.authorize(actor, Permission::View)?;
        actor
            .scope(&self.db)
            .organizations_page(req)
            .await?
            .try_map(OrganizationView::from_row)
    }

    /// One organization.
    pub async fn organization(
        &self,
        actor: &Principal,
        id: OrganizationId,
    ) -> Result<OrganizationView> {
        self.authorize(actor, Permission::View)?;
        OrganizationView::from_row(actor.scope(&self.db).organization(id).await?)
    }

    /// Creates an organization.
    pub async fn create_organization(
        &self,
        actor: &Principal,
        form: &OrganizationForm,
    ) -> Result<OrganizationId> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let fields = self.checked_fields(&scope, form, None).await?;
        let id: OrganizationId = self.new_id();
        let mut unit = scope.begin().await?;
        match unit.create_organization(id, &fields, self.now_ms()).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                drop(unit);
                return Err(self.conflict(&scope, &fields, None).await);
            }
            Err(e) => return Err(e.into()),
        };
        unit.audit(
            actor,
            AuditEntry {
                action: "organization.created",
                target_type: "organization",
                target_id: Some(id.to_string()),
                detail: json!({ "name": fields.name, "domains": fields.domains }),
            },
            self.now_ms(),
        )
        .await?;
        unit.commit().await?;
        self.match_after_change(actor).await;
        Ok(id)
    }

    /// Changes an organization.
    pub async fn update_organization(
        &self,
        actor: &Principal,
        id: OrganizationId,
        form: &OrganizationForm,
    ) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let before = OrganizationView::from_row(scope.organization(id).await?)?;
        let fields = self.checked_fields(&scope, form, Some(id)).await?;
        let mut unit = scope.begin().await?;
        match unit.update_organization(id, &fields, self.now_ms()).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                drop(unit);
                return Err(self.conflict(&scope, &fields, Some(id)).await);
            }
            Err(e) => return Err(e.into()),
        }
        unit.audit(
            actor,
            AuditEntry {
                action: "organization.updated",
                target_type: "organization",
                target_id: Some(id.to_string()),
                detail: json!({ "name": fields.name, "changes": changes(&before, &fields) }),
            },
            self.now_ms(),
        )
        .await?;
        unit.commit().await?;
        self.match_after_change(actor).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_domain_is_primary_and_bad_fields_are_all_reported() {
        let (ok, none) = parse(&OrganizationForm {
            name: " Contoso Ltd ".into(),
            domains: "contoso.com, contoso.co.uk".into(),
            website: "www.contoso.com".into(),
            notes: "VIP".into(),
            tenant_id: String::new(),
            aliases: "Contoso\n\nCONTOSO\nContoso UK".into(),
            external_id: " PSA-17 ".into(),
        });
        assert!(none.is_empty());
        assert_eq!(ok.name, "Contoso Ltd");
        assert_eq!(ok.domains.first().map(String::as_str), Some("contoso.com"));
        assert_eq!(ok.website.as_deref(), Some("https://www.contoso.com"));
        assert_eq!(ok.aliases, ["Contoso", "Contoso UK"]);
        assert_eq!(ok.external_id.as_deref(), Some("PSA-17"));
        let (_, e) = parse(&OrganizationForm {
            name: String::new(),
            domains: "not a domain".into(),
            website: "::".into(),
            notes: "x".repeat(MAX_NOTES + 1),
            tenant_id: "abc".into(),
            aliases: "\u{202e}evil".into(),
            external_id: "x".repeat(MAX_EXTERNAL_ID + 1),
        });
        for f in [
            "name",
            "domains",
            "website",
            "notes",
            "tenant_id",
            "aliases",
            "external_id",
        ] {
            assert!(e.0.contains_key(f), "{f}");
        }
    }
}
