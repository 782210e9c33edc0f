//! Importing organizations from a CSV file: the upload form, then the column mapping and the
//! preview of what each row will do, and the confirmation.

use leptos::prelude::*;
use roster_core::imports::{ImportKind, ImportPreview, RowAction};
use roster_domain::{DraftId, Permission};

use crate::context::query_param;
use crate::settings::load_error;
use crate::shell::Layout;
use crate::shell::forms::CsrfField;
use crate::shell::list::DataTable;
use crate::shell::load::for_member;

fn upload_form() -> impl IntoView {
    view! {
        <p>"Bring in your customers from your PSA or a spreadsheet. The first line of the file names the columns; Roster suggests what each column holds, and you can change it before anything is written."</p>
        <ul class="hint">
            <li>"Columns Roster understands: name (required), domains (separated by commas or semicolons, the first is the primary domain), website, external ID (your PSA's ID: a later import updates the organization with that ID), Microsoft tenant ID, aliases (separated by semicolons) and notes."</li>
            <li>"Save the file as CSV UTF-8 (with or without a byte-order mark), separated by commas, semicolons or tabs. Quoted fields may span lines."</li>
            <li>{format!("Up to {} rows and {} MB per file.", roster_domain::import::MAX_ROWS, roster_domain::import::MAX_FILE_BYTES / (1024 * 1024))}</li>
            <li>"An organization is updated when its external ID or its name matches a row; otherwise it is created. An empty cell keeps the organization's current value. Importing the same file again changes nothing."</li>
        </ul>
        <form method="post" action="/api/import_organizations" enctype="multipart/form-data">
            <CsrfField />
            <div class="field">
                <label for="import-file">"CSV file"</label>
                <input id="import-file" name="file" type="file" accept=".csv,.txt,text/csv" required />
            </div>
            <button type="submit">"Read the file"</button>
        </form>
    }
}

fn action_text(a: &RowAction) -> (String, &'static str) {
    match a {
        RowAction::Create => ("Create".into(), "ok"),
        RowAction::Update { by, changes } => (
            format!("Update (found by {by}): {}", changes.join(", ")),
            "warn",
        ),
        RowAction::Unchanged => ("Unchanged".into(), "muted"),
        RowAction::Error(e) => (format!("Left out: {e}"), "bad"),
    }
}

fn preview_view(p: ImportPreview) -> impl IntoView {
    let id = p.id.to_string();
    let selects = p
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let current = p.mapping.get(i).copied().flatten();
            let options = p
                .options
                .iter()
                .map(|(key, label)| view! { <option value=*key selected=current == Some(*key)>{*label}</option> })
                .collect_view();
            let label_id = format!("column-{i}");
            view! {
                <tr>
                    <td><label for=label_id.clone()>{if h.is_empty() { format!("(column {})", i + 1) } else { h.clone() }}</label></td>
                    <td>
                        <select id=label_id name="column[]">
                            <option value="" selected=current.is_none()>"Leave out"</option>
                            {options}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let problem = p
        .mapping_problem
        .clone()
        .map(|m| view! { <p class="error" role="alert">{m}</p> });
    let c = p.counts;
    let summary = format!(
        "{} to create, {} to update, {} unchanged, {} with errors (left out).",
        c.create, c.update, c.unchanged, c.errors
    );
    let total = c.create + c.update + c.unchanged + c.errors;
    let rows = p
        .rows
        .iter()
        .map(|r| {
            let (text, class) = action_text(&r.action);
            view! {
                <tr>
                    <td>{r.line.to_string()}</td>
                    <td>{r.name.clone()}</td>
                    <td class=class>{text}</td>
                </tr>
            }
        })
        .collect_view();
    let shown_note = (total > p.rows.len()).then(|| {
        view! { <p class="hint">{format!("The first {} rows are listed, and every row with an error.", roster_core::imports::PREVIEW_ROWS)}</p> }
    });
    let writes = c.create + c.update;
    let confirm = p.mapping_problem.is_none().then(|| {
        let label = if writes == 0 {
            "Nothing to write".to_owned()
        } else {
            format!("Import: create {} and update {}", c.create, c.update)
        };
        view! {
            <form method="post" action="/api/confirm_import" class="actions">
                <CsrfField />
                <input type="hidden" name="draft_id" value=id.clone() />
                <input type="hidden" name="kind" value=p.kind.as_str() />
                <input type="hidden" name="create" value=c.create.to_string() />
                <input type="hidden" name="update" value=c.update.to_string() />
                <input type="hidden" name="unchanged" value=c.unchanged.to_string() />
                <input type="hidden" name="errors" value=c.errors.to_string() />
                <button type="submit" disabled=writes == 0>{label}</button>
                <button type="submit" name="discard" value="1" class="secondary">"Discard the file"</button>
            </form>
        }
    });
    view! {
        <h2>{format!("Columns of {}", p.file_name)}</h2>
        <form method="post" action="/api/import_mapping">
            <CsrfField />
            <input type="hidden" name="draft_id" value=id.clone() />
            <input type="hidden" name="kind" value=p.kind.as_str() />
            <DataTable headers=vec!["Column in the file", "Holds"]>{selects}</DataTable>
            <button type="submit" class="secondary">"Update the preview"</button>
        </form>
        {problem}
        <h2>"Preview"</h2>
        <p role="status">{summary}</p>
        {shown_note}
        <DataTable headers=vec!["Line", if p.kind == ImportKind::Contacts { "Contact" } else { "Organization" }, "What happens"]>{rows}</DataTable>
        {confirm}
    }
}

fn contacts_upload_form() -> impl IntoView {
    view! {
        <p>"Bring in the contacts your PSA already has. Each row names the contact's organization, by name or by its external ID; the organizations must exist (import them first)."</p>
        <ul class="hint">
            <li>"Columns Roster understands: organization (name) or organization external ID, name (or first and last name), email, job title, department, company, business and mobile phone, street, city, state, postal code and country."</li>
            <li>"A row updates the contact of that organization with the same email address (or, without one, the same name); otherwise it creates one. An empty cell keeps the contact's current value. Values imported count as typed by hand: a later sync from Entra never overwrites them silently, it raises a conflict."</li>
            <li>{format!("CSV UTF-8, separated by commas, semicolons or tabs; up to {} rows and {} MB per file.", roster_domain::import::MAX_ROWS, roster_domain::import::MAX_FILE_BYTES / (1024 * 1024))}</li>
        </ul>
        <form method="post" action="/api/import_contacts" enctype="multipart/form-data">
            <CsrfField />
            <div class="field">
                <label for="import-file">"CSV file"</label>
                <input id="import-file" name="file" type="file" accept=".csv,.txt,text/csv" required />
            </div>
            <button type="submit">"Read the file"</button>
        </form>
    }
}

/// An import page: the upload form of `kind`, or the preview of the draft in the address.
fn import_page(kind: ImportKind) -> impl IntoView {
    let draft = query_param("draft").and_then(|d| d.parse::<DraftId>().ok());
    let (title, form): (&str, fn() -> AnyView) = match kind {
        ImportKind::Organizations => ("Import organizations", || upload_form().into_any()),
        ImportKind::Contacts => ("Import contacts", || contacts_upload_form().into_any()),
    };
    view! {
        <Layout title=title.into()>
            {for_member(move |p, state| async move {
                if !p.role().allows(Permission::Operate) {
                    return load_error(roster_core::CoreError::Forbidden);
                }
                match draft {
                    None => form(),
                    Some(id) => match state.services.import_preview(&p, id).await {
                        Ok(preview) if preview.kind == kind => preview_view(preview).into_any(),
                        Ok(_) | Err(roster_core::CoreError::NotFound) => view! {
                            <p class="error" role="alert">"This file was imported, discarded or has expired. Upload it again."</p>
                            {form()}
                        }
                        .into_any(),
                        Err(e) => load_error(e),
                    },
                }
            })}
        </Layout>
    }
}

#[component]
pub fn ImportContactsPage() -> impl IntoView {
    import_page(ImportKind::Contacts)
}

#[component]
pub fn ImportOrganizationsPage() -> impl IntoView {
    import_page(ImportKind::Organizations)
}
