//! Importing organizations from a CSV file (how an MSP brings in its PSA's customers): upload,
//! column mapping (remembered per file layout), a preview of what each row will do, and nothing
//! written until a person confirms. Re-importing the same file changes nothing.

use crate::error::{CoreError, Result};
use crate::organizations::{OrganizationForm, parse};
use crate::services::Services;
use roster_domain::import::{Table, layout_key, read};
use roster_domain::{DraftId, Permission};
use roster_store::{
    AuditEntry, ImportDraftRow, OrganizationFields, OrganizationRow, Principal,
    organization_name_key,
};
use serde_json::json;
use std::collections::HashMap;

/// How long an uploaded file waits for confirmation.
pub(crate) const DRAFT_LIFETIME_MS: i64 = 24 * 3600 * 1000;

/// How many rows the preview lists (all rows are imported; errors are all listed).
pub const PREVIEW_ROWS: usize = 200;

/// What a column of an organizations file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgColumn {
    Name,
    Domains,
    Website,
    ExternalId,
    TenantId,
    Aliases,
    Notes,
}

impl OrgColumn {
    pub const ALL: [OrgColumn; 7] = [
        OrgColumn::Name,
        OrgColumn::Domains,
        OrgColumn::Website,
        OrgColumn::ExternalId,
        OrgColumn::TenantId,
        OrgColumn::Aliases,
        OrgColumn::Notes,
    ];

    pub fn label(self) -> &'static str {
        match self {
            OrgColumn::Name => "Name",
            OrgColumn::Domains => "Domains",
            OrgColumn::Website => "Website",
            OrgColumn::ExternalId => "External ID",
            OrgColumn::TenantId => "Microsoft tenant ID",
            OrgColumn::Aliases => "Aliases",
            OrgColumn::Notes => "Notes",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            OrgColumn::Name => "name",
            OrgColumn::Domains => "domains",
            OrgColumn::Website => "website",
            OrgColumn::ExternalId => "external_id",
            OrgColumn::TenantId => "tenant_id",
            OrgColumn::Aliases => "aliases",
            OrgColumn::Notes => "notes",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The column a header most likely names, from the names PSAs and spreadsheets use.
    fn guess(header: &str) -> Option<Self> {
        let h = roster_domain::matching::normalize::fold(header)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>();
        Some(match h.as_str() {
            "name" | "organization" | "organisation" | "organizationname" | "organisationname"
            | "company" | "companyname" | "customer" | "customername" | "client" | "clientname"
            | "account" | "accountname" => OrgColumn::Name,
            "domain" | "domains" | "emaildomain" | "emaildomains" | "maildomain" => {
                OrgColumn::Domains
            }
            "website" | "web" | "url" | "homepage" | "site" | "webaddress" => OrgColumn::Website,
            "id" | "externalid" | "psaid" | "companyid" | "customerid" | "clientid"
            | "accountid" | "accountnumber" | "customernumber" => OrgColumn::ExternalId,
            "tenantid" | "microsofttenantid" | "m365tenantid" | "azuretenantid"
            | "entratenantid" | "directoryid" => OrgColumn::TenantId,
            "aliases" | "alias" | "aka" | "alsoknownas" | "othernames" | "tradingname" => {
                OrgColumn::Aliases
            }
            "notes" | "note" | "comments" | "comment" | "description" => OrgColumn::Notes,
            _ => return None,
        })
    }
}

/// The column mapping: for each column of the file, what it holds (or nothing: left out).
pub type Mapping = Vec<Option<OrgColumn>>;

/// What a file imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Organizations,
    Contacts,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Organizations => "organizations",
            ImportKind::Contacts => "contacts",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "contacts" {
            ImportKind::Contacts
        } else {
            ImportKind::Organizations
        }
    }

    /// The page an import of this kind starts from.
    pub fn page(self) -> &'static str {
        match self {
            ImportKind::Organizations => "/organizations/import",
            ImportKind::Contacts => "/contacts/import",
        }
    }
}

/// A mapping stored as the keys of what each column holds.
pub(crate) fn encode_keys(keys: &[Option<&str>]) -> String {
    serde_json::to_string(keys).unwrap_or_else(|_| "[]".into())
}

/// The stored keys, as many as the file has columns.
pub(crate) fn decode_keys(json: &str, columns: usize) -> Vec<Option<String>> {
    let mut m: Vec<Option<String>> = serde_json::from_str(json).unwrap_or_default();
    m.resize(columns, None);
    m
}

/// What one row will do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowAction {
    Create,
    /// Update the organization found by external ID or by name; the fields that change.
    Update {
        by: &'static str,
        changes: Vec<String>,
    },
    Unchanged,
    /// The row is left out, for this reason.
    Error(String),
}

/// A row of the preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowPlan {
    pub line: usize,
    pub name: String,
    pub action: RowAction,
}

/// Counts of what the import will do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    pub errors: usize,
}

/// The preview page's content.
#[derive(Clone, Debug)]
pub struct ImportPreview {
    pub id: DraftId,
    pub kind: ImportKind,
    pub file_name: String,
    pub headers: Vec<String>,
    /// What a column may hold, as (key, label).
    pub options: Vec<(&'static str, &'static str)>,
    /// For each column, the key of what it holds (or nothing: left out).
    pub mapping: Vec<Option<&'static str>>,
    /// A problem with the mapping itself (no name column, a column chosen twice).
    pub mapping_problem: Option<String>,
    pub counts: ImportCounts,
    /// The first `PREVIEW_ROWS` rows, then every row with an error.
    pub rows: Vec<RowPlan>,
}

/// A row to write.
enum Write {
    Create(OrganizationFields),
    Update(roster_domain::OrganizationId, OrganizationFields),
}

fn mapping_problem(mapping: &Mapping) -> Option<String> {
    if !mapping.contains(&Some(OrgColumn::Name)) {
        return Some("Choose the column that holds the organization's name.".into());
    }
    for c in OrgColumn::ALL {
        if mapping.iter().filter(|m| **m == Some(c)).count() > 1 {
            return Some(format!(
                "Two columns are mapped to {}: choose one.",
                c.label()
            ));
        }
    }
    None
}

fn guessed(headers: &[String]) -> Mapping {
    let mut out: Mapping = Vec::with_capacity(headers.len());
    for h in headers {
        let g = OrgColumn::guess(h).filter(|g| !out.contains(&Some(*g)));
        out.push(g);
    }
    out
}

fn encode(mapping: &Mapping) -> String {
    encode_keys(
        &mapping
            .iter()
            .map(|m| m.map(OrgColumn::key))
            .collect::<Vec<_>>(),
    )
}

fn decode_mapping(json: &str, columns: usize) -> Mapping {
    decode_keys(json, columns)
        .iter()
        .map(|k| k.as_deref().and_then(OrgColumn::from_key))
        .collect()
}

/// The form an existing organization fills in, so a file's unmapped columns keep its values.
fn form_of(o: &OrganizationRow) -> OrganizationForm {
    OrganizationForm {
        name: o.name.clone(),
        domains: o
            .domains
            .iter()
            .map(|d| roster_domain::tenant::display_domain(d))
            .collect::<Vec<_>>()
            .join(", "),
        website: o.website.clone().unwrap_or_default(),
        notes: o.notes.clone(),
        tenant_id: o.tenant_id.clone().unwrap_or_default(),
        aliases: o.aliases().join("\n"),
        external_id: o.external_id.clone().unwrap_or_default(),
    }
}

fn fields_of(o: &OrganizationRow) -> OrganizationFields {
    OrganizationFields {
        name: o.name.clone(),
        domains: o.domains.clone(),
        website: o.website.clone(),
        notes: o.notes.clone(),
        tenant_id: o.tenant_id.clone(),
        aliases: o.aliases(),
        external_id: o.external_id.clone(),
    }
}

fn changed(before: &OrganizationFields, after: &OrganizationFields) -> Vec<String> {
    let mut out = Vec::new();
    let mut note = |label: &str, differs: bool| {
        if differs {
            out.push(label.to_owned());
        }
    };
    note("name", before.name != after.name);
    note("domains", before.domains != after.domains);
    note("website", before.website != after.website);
    note("notes", before.notes != after.notes);
    note("tenant ID", before.tenant_id != after.tenant_id);
    note("aliases", before.aliases != after.aliases);
    note("external ID", before.external_id != after.external_id);
    out
}

/// Plans every row against the workspace's organizations: pure, so the preview and the
/// confirmation compute the same thing.
fn plan(
    table: &Table,
    mapping: &Mapping,
    existing: &[OrganizationRow],
) -> (Vec<RowPlan>, Vec<Write>) {
    let by_external: HashMap<&str, &OrganizationRow> = existing
        .iter()
        .filter_map(|o| o.external_id.as_deref().map(|e| (e, o)))
        .collect();
    let by_name: HashMap<&str, &OrganizationRow> =
        existing.iter().map(|o| (o.name_key.as_str(), o)).collect();
    // Evidence each organization holds, to refuse a row that would take another's.
    let mut owner_of: HashMap<(u8, String), (uuid::Uuid, String)> = HashMap::new();
    for o in existing {
        owner_of.insert((0, o.name_key.clone()), (o.id, o.name.clone()));
        if let Some(t) = &o.tenant_id {
            owner_of.insert((1, t.clone()), (o.id, o.name.clone()));
        }
        if let Some(d) = o.domains.first() {
            owner_of.insert((2, d.clone()), (o.id, o.name.clone()));
        }
        if let Some(e) = &o.external_id {
            owner_of.insert((3, e.clone()), (o.id, o.name.clone()));
        }
    }
    // What earlier rows of the file claimed, with their line.
    let mut claimed_in_file: HashMap<(u8, String), usize> = HashMap::new();
    let mut plans = Vec::with_capacity(table.rows.len());
    let mut writes = Vec::new();
    let cell = |row: &roster_domain::import::Row, col: OrgColumn| -> Option<String> {
        let at = mapping.iter().position(|m| *m == Some(col))?;
        Some(row.cells.get(at).cloned().unwrap_or_default())
    };
    for row in &table.rows {
        let name_cell = cell(row, OrgColumn::Name).unwrap_or_default();
        let external = cell(row, OrgColumn::ExternalId).filter(|e| !e.trim().is_empty());
        let (found, by) = match external.as_deref().and_then(|e| by_external.get(e.trim())) {
            Some(o) => (Some(*o), "external ID"),
            None => (
                by_name
                    .get(organization_name_key(&name_cell).as_str())
                    .copied(),
                "name",
            ),
        };
        let mut form = found.map(form_of).unwrap_or_default();
        for col in OrgColumn::ALL {
            let Some(v) = cell(row, col) else { continue };
            // An empty cell keeps what the organization has: files often leave columns blank.
            if found.is_some() && v.trim().is_empty() {
                continue;
            }
            match col {
                OrgColumn::Name => form.name = v,
                OrgColumn::Domains => form.domains = v.replace(';', ","),
                OrgColumn::Website => form.website = v,
                OrgColumn::ExternalId => form.external_id = v,
                OrgColumn::TenantId => form.tenant_id = v,
                OrgColumn::Aliases => form.aliases = v.replace(';', "\n"),
                OrgColumn::Notes => form.notes = v,
            }
        }
        let (fields, errors) = parse(&form);
        let rekeyed = match (found, external.as_deref()) {
            (Some(o), Some(e)) if by == "name" => o
                .external_id
                .as_deref()
                .filter(|had| *had != e.trim())
                .map(|had| {
                    format!(
                        "{} has the external ID {had}, not {}: check the file's IDs.",
                        o.name,
                        e.trim()
                    )
                }),
            _ => None,
        };
        let shown = if name_cell.trim().is_empty() {
            form.name.clone()
        } else {
            name_cell.trim().to_owned()
        };
        let mut problems: Vec<String> = errors
            .0
            .iter()
            .map(|(field, message)| {
                let label =
                    OrgColumn::from_key(field).map_or(field.clone(), |c| c.label().to_owned());
                format!("{label}: {message}")
            })
            .collect();
        let evidence: Vec<((u8, String), &str)> = [
            Some(((0u8, organization_name_key(&fields.name)), "name")),
            fields.tenant_id.clone().map(|t| ((1, t), "tenant ID")),
            fields
                .domains
                .first()
                .cloned()
                .map(|d| ((2, d), "primary domain")),
            fields.external_id.clone().map(|e| ((3, e), "external ID")),
        ]
        .into_iter()
        .flatten()
        .collect();
        problems.extend(rekeyed);
        if problems.is_empty() {
            for (key, what) in &evidence {
                if let Some((id, other)) = owner_of.get(key)
                    && found.is_none_or(|f| f.id != *id)
                {
                    problems.push(format!("{other} already has this {what}."));
                }
                if let Some(line) = claimed_in_file.get(key) {
                    problems.push(format!("Line {line} has the same {what}."));
                }
            }
        }
        if !problems.is_empty() {
            plans.push(RowPlan {
                line: row.line,
                name: shown,
                action: RowAction::Error(problems.join(" ")),
            });
            continue;
        }
        for (key, _) in evidence {
            claimed_in_file.insert(key, row.line);
        }
        let action = match found {
            None => {
                writes.push(Write::Create(fields));
                RowAction::Create
            }
            Some(o) => {
                let changes = changed(&fields_of(o), &fields);
                if changes.is_empty() {
                    RowAction::Unchanged
                } else {
                    writes.push(Write::Update(
                        roster_domain::OrganizationId::from_uuid(o.id),
                        fields,
                    ));
                    RowAction::Update { by, changes }
                }
            }
        };
        plans.push(RowPlan {
            line: row.line,
            name: shown,
            action,
        });
    }
    (plans, writes)
}

pub(crate) fn count(plans: &[RowPlan]) -> ImportCounts {
    let mut c = ImportCounts::default();
    for p in plans {
        match p.action {
            RowAction::Create => c.create += 1,
            RowAction::Update { .. } => c.update += 1,
            RowAction::Unchanged => c.unchanged += 1,
            RowAction::Error(_) => c.errors += 1,
        }
    }
    c
}

impl Services {
    /// Reads an uploaded organizations file and keeps it as a draft; the mapping is the one
    /// remembered for its layout, else guessed from its column names. A file that cannot be read
    /// is refused with why, and nothing is kept.
    pub async fn upload_organizations(
        &self,
        actor: &Principal,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<DraftId> {
        self.upload_import(actor, ImportKind::Organizations, file_name, bytes)
            .await
    }

    /// Reads an uploaded file and keeps it as a draft of `kind`; the mapping is the one
    /// remembered for its layout, else guessed from its column names. A file that cannot be read
    /// is refused with why, and nothing is kept.
    pub async fn upload_import(
        &self,
        actor: &Principal,
        kind: ImportKind,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<DraftId> {
        self.authorize(actor, Permission::Operate)?;
        let table = read(bytes).map_err(|p| CoreError::Conflict(p.to_string()))?;
        let text =
            roster_domain::import::decode(bytes).map_err(|p| CoreError::Conflict(p.to_string()))?;
        let scope = actor.scope(&self.db);
        let remembered = scope
            .import_layout(kind.as_str(), &layout_key(&table.headers))
            .await?;
        let mapping = match (remembered, kind) {
            (Some(json), _) => json,
            (None, ImportKind::Organizations) => encode(&guessed(&table.headers)),
            (None, ImportKind::Contacts) => crate::contact_import::guessed(&table.headers),
        };
        let id: DraftId = self.new_id();
        let name: String = file_name
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let mut unit = scope.begin().await?;
        unit.create_import_draft(&ImportDraftRow {
            id: id.as_uuid(),
            member_id: actor.member_id().as_uuid(),
            kind: kind.as_str().into(),
            file_name: if name.trim().is_empty() {
                "upload.csv".into()
            } else {
                name
            },
            content: text.to_owned(),
            mapping,
            created_at: self.now_ms(),
            expires_at: self.now_ms() + DRAFT_LIFETIME_MS,
        })
        .await?;
        unit.commit().await?;
        Ok(id)
    }

    /// A draft's file and mapping, and the workspace's organizations, for planning.
    async fn import_state(
        &self,
        actor: &Principal,
        draft: &ImportDraftRow,
    ) -> Result<(Table, Mapping, Vec<OrganizationRow>)> {
        let table =
            read(draft.content.as_bytes()).map_err(|p| CoreError::Conflict(p.to_string()))?;
        let mapping = decode_mapping(&draft.mapping, table.headers.len());
        let existing = actor.scope(&self.db).organizations().await?;
        Ok((table, mapping, existing))
    }

    /// What the import would do now.
    pub async fn import_preview(&self, actor: &Principal, id: DraftId) -> Result<ImportPreview> {
        self.authorize(actor, Permission::Operate)?;
        let draft = actor
            .scope(&self.db)
            .import_draft(id, actor.member_id(), self.now_ms())
            .await?;
        if ImportKind::parse(&draft.kind) == ImportKind::Contacts {
            return self.contact_import_preview(actor, draft).await;
        }
        let (table, mapping, existing) = self.import_state(actor, &draft).await?;
        let problem = mapping_problem(&mapping);
        let plans = if problem.is_none() {
            plan(&table, &mapping, &existing).0
        } else {
            Vec::new()
        };
        let counts = count(&plans);
        let rows = plans
            .iter()
            .enumerate()
            .filter(|(i, p)| *i < PREVIEW_ROWS || matches!(p.action, RowAction::Error(_)))
            .map(|(_, p)| p.clone())
            .collect();
        Ok(ImportPreview {
            id,
            kind: ImportKind::Organizations,
            file_name: draft.file_name,
            headers: table.headers,
            options: OrgColumn::ALL
                .iter()
                .map(|c| (c.key(), c.label()))
                .collect(),
            mapping: mapping.iter().map(|m| m.map(OrgColumn::key)).collect(),
            mapping_problem: problem,
            counts,
            rows,
        })
    }

    /// Changes the column mapping of a draft.
    pub async fn set_import_mapping(
        &self,
        actor: &Principal,
        id: DraftId,
        keys: &[Option<String>],
    ) -> Result<()> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let draft = scope
            .import_draft(id, actor.member_id(), self.now_ms())
            .await?;
        // Only keys this kind knows are kept.
        let json = match ImportKind::parse(&draft.kind) {
            ImportKind::Organizations => encode(
                &keys
                    .iter()
                    .map(|k| k.as_deref().and_then(OrgColumn::from_key))
                    .collect(),
            ),
            ImportKind::Contacts => crate::contact_import::encode_checked(keys),
        };
        let mut unit = scope.begin().await?;
        unit.set_import_mapping(id, actor.member_id(), &json)
            .await?;
        unit.commit().await?;
        Ok(())
    }

    /// Discards a draft.
    pub async fn discard_import(&self, actor: &Principal, id: DraftId) -> Result<ImportKind> {
        self.authorize(actor, Permission::Operate)?;
        let scope = actor.scope(&self.db);
        let draft = scope
            .import_draft(id, actor.member_id(), self.now_ms())
            .await?;
        let mut unit = scope.begin().await?;
        unit.delete_import_draft(id, actor.member_id()).await?;
        unit.commit().await?;
        Ok(ImportKind::parse(&draft.kind))
    }

    /// Writes what the preview showed, in one transaction, if it is still what the import would
    /// do (`expected` are the counts the person saw); remembers the mapping for the layout.
    pub async fn confirm_import(
        &self,
        actor: &Principal,
        id: DraftId,
        expected: ImportCounts,
    ) -> Result<(ImportKind, ImportCounts)> {
        self.authorize(actor, Permission::Operate)?;
        let draft = actor
            .scope(&self.db)
            .import_draft(id, actor.member_id(), self.now_ms())
            .await?;
        if ImportKind::parse(&draft.kind) == ImportKind::Contacts {
            return Ok((
                ImportKind::Contacts,
                self.confirm_contact_import(actor, draft, expected).await?,
            ));
        }
        let (table, mapping, existing) = self.import_state(actor, &draft).await?;
        if let Some(p) = mapping_problem(&mapping) {
            return Err(CoreError::Conflict(p));
        }
        let (plans, writes) = plan(&table, &mapping, &existing);
        let counts = count(&plans);
        if counts != expected {
            return Err(CoreError::Conflict(
                "The organizations changed since this preview was shown. Look at the new preview and confirm again.".into(),
            ));
        }
        let scope = actor.scope(&self.db);
        let mut unit = scope.begin().await?;
        // Deleting the draft first makes a second confirmation (a double click) find nothing.
        unit.delete_import_draft(id, actor.member_id()).await?;
        for w in &writes {
            let result = match w {
                Write::Create(fields) => {
                    let new: roster_domain::OrganizationId = self.new_id();
                    unit.create_organization(new, fields, self.now_ms()).await
                }
                Write::Update(org, fields) => {
                    unit.update_organization(*org, fields, self.now_ms()).await
                }
            };
            match result {
                Ok(()) => {}
                Err(roster_store::StoreError::Conflict) => {
                    return Err(CoreError::Conflict(
                        "Another organization was saved with the same details meanwhile; nothing was imported. Upload the file again.".into(),
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
        unit.save_import_layout(
            "organizations",
            &layout_key(&table.headers),
            &encode(&mapping),
            self.now_ms(),
        )
        .await?;
        unit.audit(
            actor,
            AuditEntry {
                action: "organizations.imported",
                target_type: "organization",
                target_id: None,
                detail: json!({
                    "file": draft.file_name,
                    "created": counts.create,
                    "updated": counts.update,
                    "unchanged": counts.unchanged,
                    "skipped": counts.errors,
                }),
            },
            self.now_ms(),
        )
        .await?;
        unit.commit().await?;
        self.match_after_change(actor).await;
        Ok((ImportKind::Organizations, counts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Table {
        read(csv.as_bytes()).unwrap()
    }

    fn existing(name: &str, external: Option<&str>, notes: &str) -> OrganizationRow {
        OrganizationRow {
            id: uuid::Uuid::new_v4(),
            name: name.into(),
            name_key: organization_name_key(name),
            domains: vec![format!("{}.com", name.to_lowercase())],
            website: Some("https://example.com".into()),
            notes: notes.into(),
            tenant_id: None,
            aliases_json: "[]".into(),
            external_id: external.map(str::to_owned),
            archived_at: None,
            created_at: 0,
            updated_at: 0,
            connection_id: None,
            connection_name: None,
            connection_status: None,
        }
    }

    #[test]
    fn an_empty_cell_keeps_the_current_value_and_a_name_never_takes_another_external_id() {
        let orgs = [
            existing("Contoso", Some("C-1"), "typed in Roster"),
            existing("Fabrikam", None, ""),
        ];
        let t =
            table("name,id,notes,website\nContoso,C-1,,\nFabrikam,F-9,new note,\nContoso,C-2,,\n");
        let (plans, writes) = plan(&t, &guessed(&t.headers), &orgs);
        assert_eq!(plans[0].action, RowAction::Unchanged, "{plans:?}");
        assert_eq!(
            plans[1].action,
            RowAction::Update {
                by: "name",
                changes: vec!["notes".into(), "external ID".into()]
            }
        );
        assert!(
            matches!(&plans[2].action, RowAction::Error(e) if e.contains("has the external ID C-1, not C-2")),
            "{plans:?}"
        );
        assert_eq!(writes.len(), 1);
    }

    #[test]
    fn columns_are_guessed_from_the_names_psas_use() {
        let t = table("Company Name;Web Site;PSA ID;Tenant ID;Phone\nx;y;z;w;v\n");
        assert_eq!(
            guessed(&t.headers),
            vec![
                Some(OrgColumn::Name),
                Some(OrgColumn::Website),
                Some(OrgColumn::ExternalId),
                Some(OrgColumn::TenantId),
                None
            ]
        );
        assert!(mapping_problem(&vec![None, Some(OrgColumn::Website)]).is_some());
        assert!(mapping_problem(&vec![Some(OrgColumn::Name), Some(OrgColumn::Name)]).is_some());
    }

    #[test]
    fn broken_rows_duplicates_and_formula_cells_are_planned_one_by_one() {
        let t = table(
            "name,domains,id,notes\n\
             Contoso,contoso.com,A1,\n\
             ,nodomain,A2,\n\
             Fabrikam,not a domain,A3,\n\
             contoso,other.com,A4,\n\
             \"=HYPERLINK(\"\"http://x\"\")\",,A5,@SUM(1)\n\
             Tailspin,tailspin.com,A1,\n",
        );
        let m = guessed(&t.headers);
        let (plans, writes) = plan(&t, &m, &[]);
        let actions: Vec<&RowAction> = plans.iter().map(|p| &p.action).collect();
        assert_eq!(actions[0], &RowAction::Create);
        assert!(
            matches!(actions[1], RowAction::Error(e) if e.contains("Name: Enter")),
            "{actions:?}"
        );
        assert!(matches!(actions[2], RowAction::Error(e) if e.starts_with("Domains:")));
        assert!(
            matches!(actions[3], RowAction::Error(e) if e.contains("Line 2 has the same name")),
            "{actions:?}"
        );
        // A formula is only text: stored as typed.
        assert_eq!(actions[4], &RowAction::Create);
        assert!(matches!(actions[5], RowAction::Error(e) if e.contains("same external ID")));
        assert_eq!(writes.len(), 2);
        assert_eq!(plans[4].name, "=HYPERLINK(\"http://x\")");
        assert_eq!(plans[3].line, 5);
    }
}
