//! Importing existing contacts from a CSV file (the people an MSP's PSA already knows), through
//! the same draft, mapping and preview as organizations: each row names its organization (by
//! external ID or name) and is matched to a contact of it by email address, else by name. Values
//! imported count as typed by hand, so a later sync never overwrites them silently.

use crate::contacts::ContactForm;
use crate::contacts::{checked_values, created_by_hand, edit_by_hand};
use crate::error::{CoreError, Result};
use crate::imports::{
    ImportCounts, ImportKind, ImportPreview, PREVIEW_ROWS, RowAction, RowPlan, count, decode_keys,
    encode_keys,
};
use crate::services::Services;
use crate::sync::fields::SyncField;
use roster_domain::import::{Table, layout_key, read};
use roster_domain::{ContactId, DraftId};
use roster_store::{
    AuditEntry, ContactEventRow, ContactRow, ImportDraftRow, OrganizationRow, Principal,
    fold_sort_key, organization_name_key,
};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// What a column of a contacts file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactColumn {
    /// The organization's name.
    Organization,
    /// The organization's external (PSA) ID.
    OrganizationId,
    Field(SyncField),
}

impl ContactColumn {
    fn all() -> Vec<ContactColumn> {
        let mut v = vec![ContactColumn::Organization, ContactColumn::OrganizationId];
        v.extend(SyncField::ALL.into_iter().map(ContactColumn::Field));
        v
    }

    fn key(self) -> &'static str {
        match self {
            ContactColumn::Organization => "organization",
            ContactColumn::OrganizationId => "organization_external_id",
            ContactColumn::Field(f) => f.as_str(),
        }
    }

    fn label(self) -> &'static str {
        match self {
            ContactColumn::Organization => "Organization (name)",
            ContactColumn::OrganizationId => "Organization (external ID)",
            ContactColumn::Field(f) => f.label(),
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        Self::all().into_iter().find(|c| c.key() == key)
    }

    fn guess(header: &str) -> Option<Self> {
        let h: String = roster_domain::matching::normalize::fold(header)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        Some(match h.as_str() {
            "organization" | "organisation" | "company" | "companyname" | "customer"
            | "customername" | "account" | "accountname" | "client" | "clientname" => {
                ContactColumn::Organization
            }
            "organizationid" | "companyid" | "customerid" | "accountid" | "clientid" | "psaid"
            | "externalid" => ContactColumn::OrganizationId,
            "name" | "fullname" | "displayname" | "contact" | "contactname" => {
                ContactColumn::Field(SyncField::DisplayName)
            }
            "firstname" | "givenname" | "first" | "forename" => {
                ContactColumn::Field(SyncField::FirstName)
            }
            "lastname" | "surname" | "familyname" | "last" => {
                ContactColumn::Field(SyncField::LastName)
            }
            "email" | "emailaddress" | "mail" | "workemail" => {
                ContactColumn::Field(SyncField::Email)
            }
            "title" | "jobtitle" | "position" | "role" => ContactColumn::Field(SyncField::JobTitle),
            "department" | "dept" => ContactColumn::Field(SyncField::Department),
            "phone" | "businessphone" | "workphone" | "officephone" | "telephone"
            | "directphone" => ContactColumn::Field(SyncField::BusinessPhone),
            "mobile" | "mobilephone" | "cell" | "cellphone" | "mobilenumber" => {
                ContactColumn::Field(SyncField::MobilePhone)
            }
            "street" | "address" | "street1" | "address1" | "addressline1" => {
                ContactColumn::Field(SyncField::Street1)
            }
            "street2" | "address2" | "addressline2" => ContactColumn::Field(SyncField::Street2),
            "city" | "town" => ContactColumn::Field(SyncField::City),
            "state" | "region" | "province" | "county" => ContactColumn::Field(SyncField::State),
            "zip" | "zipcode" | "postalcode" | "postcode" => {
                ContactColumn::Field(SyncField::PostalCode)
            }
            "country" => ContactColumn::Field(SyncField::Country),
            _ => return None,
        })
    }
}

type Mapping = Vec<Option<ContactColumn>>;

/// The guessed mapping of a new file, stored form.
pub(crate) fn guessed(headers: &[String]) -> String {
    let mut out: Mapping = Vec::with_capacity(headers.len());
    for h in headers {
        let g = ContactColumn::guess(h).filter(|g| !out.contains(&Some(*g)));
        out.push(g);
    }
    encode(&out)
}

fn encode(m: &Mapping) -> String {
    encode_keys(
        &m.iter()
            .map(|c| c.map(ContactColumn::key))
            .collect::<Vec<_>>(),
    )
}

/// Keys as a person chose them, unknown ones dropped, stored form.
pub(crate) fn encode_checked(keys: &[Option<String>]) -> String {
    encode(
        &keys
            .iter()
            .map(|k| k.as_deref().and_then(ContactColumn::from_key))
            .collect(),
    )
}

fn decode(json: &str, columns: usize) -> Mapping {
    decode_keys(json, columns)
        .iter()
        .map(|k| k.as_deref().and_then(ContactColumn::from_key))
        .collect()
}

fn mapping_problem(m: &Mapping) -> Option<String> {
    if !m.contains(&Some(ContactColumn::Organization))
        && !m.contains(&Some(ContactColumn::OrganizationId))
    {
        return Some("Choose the column that names each contact's organization (its name or its external ID).".into());
    }
    for c in ContactColumn::all() {
        if m.iter().filter(|x| **x == Some(c)).count() > 1 {
            return Some(format!(
                "Two columns are mapped to {}: choose one.",
                c.label()
            ));
        }
    }
    if !m.iter().any(|c| {
        matches!(
            c,
            Some(ContactColumn::Field(
                SyncField::DisplayName
                    | SyncField::FirstName
                    | SyncField::LastName
                    | SyncField::Email
            ))
        )
    }) {
        return Some("Choose the column with the contact's name or email address.".into());
    }
    None
}

/// A contact to write, and what it records.
struct Write {
    row: ContactRow,
    events: Vec<serde_json::Value>,
}

/// The value of a row's column mapped to `col`, trimmed (empty when the row is short).
fn cell(mapping: &Mapping, row: &roster_domain::import::Row, col: ContactColumn) -> Option<String> {
    let at = mapping.iter().position(|m| *m == Some(col))?;
    Some(
        row.cells
            .get(at)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default(),
    )
}

/// The workspace's organizations, found by external ID or by name.
struct Organizations<'a> {
    by_external: HashMap<&'a str, &'a OrganizationRow>,
    by_name: HashMap<&'a str, &'a OrganizationRow>,
}

impl<'a> Organizations<'a> {
    fn new(orgs: &'a [OrganizationRow]) -> Self {
        Self {
            by_external: orgs
                .iter()
                .filter_map(|o| o.external_id.as_deref().map(|e| (e, o)))
                .collect(),
            by_name: orgs.iter().map(|o| (o.name_key.as_str(), o)).collect(),
        }
    }

    /// The organization a row names (its external ID first), or why there is none.
    fn of(
        &self,
        mapping: &Mapping,
        row: &roster_domain::import::Row,
    ) -> std::result::Result<&'a OrganizationRow, String> {
        let external = cell(mapping, row, ContactColumn::OrganizationId).filter(|v| !v.is_empty());
        let name = cell(mapping, row, ContactColumn::Organization).filter(|v| !v.is_empty());
        let found = match (&external, &name) {
            (Some(e), _) => self.by_external.get(e.as_str()).copied(),
            (None, Some(n)) => self.by_name.get(organization_name_key(n).as_str()).copied(),
            (None, None) => return Err("The organization is empty.".into()),
        };
        match (found, external, name) {
            (Some(o), ..) if o.archived_at.is_some() => Err(format!("{} is archived.", o.name)),
            (Some(o), ..) => Ok(o),
            (None, Some(e), _) => Err(format!(
                "No organization has the external ID {e}: import or create it first."
            )),
            (None, None, Some(n)) => Err(format!(
                "No organization is named “{n}”: import or create it first."
            )),
            (None, None, None) => Err("The organization is empty.".into()),
        }
    }
}

/// Plans every row; `contacts` holds the contacts of the organizations the rows name.
fn plan(
    table: &Table,
    mapping: &Mapping,
    orgs: &[OrganizationRow],
    contacts: &HashMap<Uuid, Vec<ContactRow>>,
    now: i64,
    mut new_id: impl FnMut() -> ContactId,
) -> (Vec<RowPlan>, Vec<Write>) {
    let organizations = Organizations::new(orgs);
    let mut seen: HashMap<(Uuid, String), usize> = HashMap::new();
    let (mut plans, mut writes) = (Vec::new(), Vec::new());
    for row in &table.rows {
        let cells = |c: ContactColumn| cell(mapping, row, c);
        let mut values: BTreeMap<SyncField, String> = BTreeMap::new();
        for f in SyncField::ALL {
            if let Some(v) = cells(ContactColumn::Field(f)).filter(|v| !v.is_empty()) {
                values.insert(f, v);
            }
        }
        if !values.contains_key(&SyncField::DisplayName) {
            let whole = [
                values.get(&SyncField::FirstName),
                values.get(&SyncField::LastName),
            ]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
            if !whole.is_empty() {
                values.insert(SyncField::DisplayName, whole);
            }
        }
        let shown = values
            .get(&SyncField::DisplayName)
            .or_else(|| values.get(&SyncField::Email))
            .cloned()
            .unwrap_or_default();
        let fail = |plans: &mut Vec<RowPlan>, why: String| {
            plans.push(RowPlan {
                line: row.line,
                name: shown.clone(),
                action: RowAction::Error(why),
            });
        };
        let org = match organizations.of(mapping, row) {
            Ok(o) => o,
            Err(why) => {
                fail(&mut plans, why);
                continue;
            }
        };
        if values.is_empty() {
            fail(
                &mut plans,
                "The row has neither a name nor an email address.".into(),
            );
            continue;
        }
        let typed = match checked_values(&ContactForm {
            values: values.clone(),
        }) {
            Ok(t) => t,
            Err(CoreError::Invalid(errors)) => {
                let why: Vec<String> = errors
                    .0
                    .iter()
                    .map(|(f, m)| {
                        let label = SyncField::ALL
                            .into_iter()
                            .find(|x| x.as_str() == f)
                            .map_or_else(|| f.clone(), |x| x.label().to_owned());
                        format!("{label}: {m}")
                    })
                    .collect();
                fail(&mut plans, why.join(" "));
                continue;
            }
            Err(e) => {
                fail(&mut plans, e.to_string());
                continue;
            }
        };
        let email = values.get(&SyncField::Email).map(|e| e.to_lowercase());
        let key = match &email {
            Some(e) => (org.id, format!("email:{e}")),
            None => (org.id, format!("name:{}", fold_sort_key(&shown))),
        };
        if let Some(line) = seen.get(&key) {
            fail(&mut plans, format!("Line {line} has the same contact."));
            continue;
        }
        seen.insert(key, row.line);
        let of_org = contacts.get(&org.id).map(Vec::as_slice).unwrap_or_default();
        let (found, by): (Vec<&ContactRow>, &'static str) = match &email {
            Some(e) => (
                of_org
                    .iter()
                    .filter(|c| c.email_key.as_deref() == Some(e.as_str()))
                    .collect(),
                "email",
            ),
            None => {
                let k = fold_sort_key(&shown);
                (of_org.iter().filter(|c| c.sort_key == k).collect(), "name")
            }
        };
        if found.len() > 1 {
            fail(
                &mut plans,
                format!(
                    "{} contacts of {} have this {by}; add their email addresses to tell them apart.",
                    found.len(),
                    org.name
                ),
            );
            continue;
        }
        match found.first() {
            None => {
                let org_id = roster_domain::OrganizationId::from_uuid(org.id);
                let (contact, events) = created_by_hand(new_id(), org_id, typed, now);
                writes.push(Write {
                    row: contact,
                    events,
                });
                plans.push(RowPlan {
                    line: row.line,
                    name: shown,
                    action: RowAction::Create,
                });
            }
            Some(existing) => {
                // An empty cell keeps the current value; an address differing only in case is the same.
                let current = crate::sync::engine::field_states(existing);
                let typed: Vec<(SyncField, Option<String>)> = typed
                    .into_iter()
                    .filter(|(f, v)| {
                        let now_value = current[f.index()].value.as_deref().map(str::to_lowercase);
                        v.is_some()
                            && !(*f == SyncField::Email
                                && now_value == v.as_deref().map(str::to_lowercase))
                    })
                    .collect();
                let mut c = (*existing).clone();
                let events = edit_by_hand(&mut c, typed);
                if events.is_empty() {
                    plans.push(RowPlan {
                        line: row.line,
                        name: shown,
                        action: RowAction::Unchanged,
                    });
                    continue;
                }
                let changes: Vec<String> = events
                    .iter()
                    .filter_map(|e| e["field"].as_str())
                    .filter_map(|k| SyncField::ALL.into_iter().find(|f| f.as_str() == k))
                    .map(|f| f.label().to_lowercase())
                    .collect();
                c.updated_at = now;
                writes.push(Write { row: c, events });
                plans.push(RowPlan {
                    line: row.line,
                    name: shown,
                    action: RowAction::Update { by, changes },
                });
            }
        }
    }
    (plans, writes)
}

impl Services {
    /// The organizations, the parsed file and mapping, and the contacts of every organization
    /// the file names.
    async fn contact_import_state(
        &self,
        actor: &Principal,
        draft: &ImportDraftRow,
    ) -> Result<(
        Table,
        Mapping,
        Vec<OrganizationRow>,
        HashMap<Uuid, Vec<ContactRow>>,
    )> {
        let scope = actor.scope(&self.db);
        let table =
            read(draft.content.as_bytes()).map_err(|p| CoreError::Conflict(p.to_string()))?;
        let mapping = decode(&draft.mapping, table.headers.len());
        let orgs = scope.organizations().await?;
        let mut contacts = HashMap::new();
        if mapping_problem(&mapping).is_none() {
            let organizations = Organizations::new(&orgs);
            for row in &table.rows {
                if let Ok(o) = organizations.of(&mapping, row)
                    && !contacts.contains_key(&o.id)
                {
                    contacts.insert(o.id, scope.contacts_of_organization(o.id).await?);
                }
            }
        }
        Ok((table, mapping, orgs, contacts))
    }

    pub(crate) async fn contact_import_preview(
        &self,
        actor: &Principal,
        draft: ImportDraftRow,
    ) -> Result<ImportPreview> {
        let (table, mapping, orgs, contacts) = self.contact_import_state(actor, &draft).await?;
        let problem = mapping_problem(&mapping);
        let plans = if problem.is_none() {
            plan(&table, &mapping, &orgs, &contacts, self.now_ms(), || {
                ContactId::from_uuid(Uuid::nil())
            })
            .0
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
            id: DraftId::from_uuid(draft.id),
            kind: ImportKind::Contacts,
            file_name: draft.file_name,
            headers: table.headers,
            options: ContactColumn::all()
                .into_iter()
                .map(|c| (c.key(), c.label()))
                .collect(),
            mapping: mapping.iter().map(|m| m.map(ContactColumn::key)).collect(),
            mapping_problem: problem,
            counts,
            rows,
        })
    }

    pub(crate) async fn confirm_contact_import(
        &self,
        actor: &Principal,
        draft: ImportDraftRow,
        expected: ImportCounts,
    ) -> Result<ImportCounts> {
        let (table, mapping, orgs, contacts) = self.contact_import_state(actor, &draft).await?;
        if let Some(p) = mapping_problem(&mapping) {
            return Err(CoreError::Conflict(p));
        }
        let now = self.now_ms();
        let (plans, writes) = plan(&table, &mapping, &orgs, &contacts, now, || self.new_id());
        let counts = count(&plans);
        if counts != expected {
            return Err(CoreError::Conflict(
                "The contacts changed since this preview was shown. Look at the new preview and confirm again.".into(),
            ));
        }
        let events: Vec<ContactEventRow> = writes
            .iter()
            .flat_map(|w| {
                w.events.iter().map(|d| ContactEventRow {
                    id: self.new_id::<ContactId>().as_uuid(),
                    contact_id: w.row.id,
                    kind: "edited".into(),
                    detail: d.to_string(),
                    run_id: None,
                    actor: actor.email().to_owned(),
                    created_at: now,
                })
            })
            .collect();
        let rows: Vec<ContactRow> = writes.into_iter().map(|w| w.row).collect();
        let id = DraftId::from_uuid(draft.id);
        let mut unit = actor.scope(&self.db).begin().await?;
        unit.delete_import_draft(id, actor.member_id()).await?;
        for chunk in rows.chunks(500) {
            unit.write_contacts(chunk).await?;
        }
        for chunk in events.chunks(500) {
            unit.add_contact_events(chunk).await?;
        }
        unit.save_import_layout(
            ImportKind::Contacts.as_str(),
            &layout_key(&table.headers),
            &encode(&mapping),
            now,
        )
        .await?;
        unit.audit(
            actor,
            AuditEntry {
                action: "contacts.imported",
                target_type: "contact",
                target_id: None,
                detail: json!({
                    "file": draft.file_name,
                    "created": counts.create,
                    "updated": counts.update,
                    "unchanged": counts.unchanged,
                    "skipped": counts.errors,
                }),
            },
            now,
        )
        .await?;
        unit.commit().await?;
        Ok(counts)
    }
}
