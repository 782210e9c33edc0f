//! Server functions of the organization pages.
#![expect(
    clippy::too_many_arguments,
    reason = "the organization form posts one argument per field"
)]

use leptos::prelude::*;
use roster_core::CoreError;
use roster_core::imports::ImportKind;
use roster_core::organizations::OrganizationForm;

use crate::context::{app_state, request_context};
use crate::shell::respond::{done, refuse};

/// The form's fields, as typed.
struct Typed<'a> {
    name: &'a str,
    domains: &'a str,
    website: &'a str,
    notes: &'a str,
    tenant_id: &'a str,
    aliases: &'a str,
    external_id: &'a str,
}

impl Typed<'_> {
    fn form(&self) -> OrganizationForm {
        OrganizationForm {
            name: self.name.to_owned(),
            domains: self.domains.to_owned(),
            website: self.website.to_owned(),
            notes: self.notes.to_owned(),
            tenant_id: self.tenant_id.to_owned(),
            aliases: self.aliases.to_owned(),
            external_id: self.external_id.to_owned(),
        }
    }

    /// The values to show again when the form is refused.
    fn values(&self) -> [(&str, &str); 7] {
        [
            ("name", self.name),
            ("domains", self.domains),
            ("website", self.website),
            ("notes", self.notes),
            ("tenant_id", self.tenant_id),
            ("aliases", self.aliases),
            ("external_id", self.external_id),
        ]
    }
}

#[server(endpoint = "create_organization")]
pub async fn create_organization(
    #[server(default)] name: String,
    #[server(default)] domains: String,
    #[server(default)] website: String,
    #[server(default)] notes: String,
    #[server(default)] tenant_id: String,
    #[server(default)] aliases: String,
    #[server(default)] external_id: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let typed = Typed {
        name: &name,
        domains: &domains,
        website: &website,
        notes: &notes,
        tenant_id: &tenant_id,
        aliases: &aliases,
        external_id: &external_id,
    };
    let f = typed.form();
    let result = match cx.principal() {
        Ok(p) => state.services.create_organization(p, &f).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => done(
            format!("{} was created.", name.trim()),
            &format!("/organizations/{id}"),
        ),
        Err(e) => refuse("organization", &e, &typed.values(), "/organizations/new"),
    }
    Ok(())
}

#[server(endpoint = "update_organization")]
pub async fn update_organization(
    #[server(default)] id: String,
    #[server(default)] name: String,
    #[server(default)] domains: String,
    #[server(default)] website: String,
    #[server(default)] notes: String,
    #[server(default)] tenant_id: String,
    #[server(default)] aliases: String,
    #[server(default)] external_id: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let typed = Typed {
        name: &name,
        domains: &domains,
        website: &website,
        notes: &notes,
        tenant_id: &tenant_id,
        aliases: &aliases,
        external_id: &external_id,
    };
    let f = typed.form();
    let parsed: Option<roster_domain::OrganizationId> = id.trim().parse().ok();
    let back = parsed
        .map(|id| format!("/organizations/{id}"))
        .unwrap_or_else(|| "/organizations".to_owned());
    let result = match (cx.principal(), id.trim().parse()) {
        (Ok(p), Ok(id)) => state.services.update_organization(p, id, &f).await,
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(CoreError::NotFound),
    };
    match result {
        Ok(()) => done("The organization was saved.", &back),
        Err(e) => refuse("organization", &e, &typed.values(), &back),
    }
    Ok(())
}

#[server(endpoint = "archive_organization")]
pub async fn archive_organization(
    #[server(default)] id: String,
    #[server(default)] archive: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let parsed: Option<roster_domain::OrganizationId> = id.trim().parse().ok();
    let back = parsed
        .map(|id| format!("/organizations/{id}"))
        .unwrap_or_else(|| "/organizations".to_owned());
    let archive = archive == "1";
    let result = match (cx.principal(), parsed) {
        (Ok(p), Some(id)) => state.services.archive_organization(p, id, archive).await,
        (Err(e), _) => Err(e),
        (_, None) => Err(CoreError::NotFound),
    };
    match result {
        Ok(()) if archive => done(
            "Archived: the organization keeps its history and is no longer suggested for tenants.",
            &back,
        ),
        Ok(()) => done(
            "Restored: the organization can be matched to a tenant again.",
            &back,
        ),
        Err(e) => refuse("", &e, &[], &back),
    }
    Ok(())
}

/// The page an import of `kind` (as a form names it) starts from.
fn page_of(kind: &str) -> &'static str {
    if kind == "contacts" {
        ImportKind::Contacts.page()
    } else {
        ImportKind::Organizations.page()
    }
}

/// The list an import of `kind` adds to.
fn list_of(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Contacts => "/contacts",
        ImportKind::Organizations => "/organizations",
    }
}

/// The uploaded file of a multipart form: its name and bytes.
async fn uploaded(data: server_fn::codec::MultipartData) -> Option<(String, Vec<u8>)> {
    let mut file = None;
    if let Some(mut parts) = data.into_inner() {
        while let Ok(Some(field)) = parts.next_field().await {
            if field.name() == Some("file") {
                let name = field.file_name().unwrap_or("upload.csv").to_owned();
                let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                file = Some((name, bytes));
            }
        }
    }
    file
}

/// Keeps an uploaded file as an import draft of `kind` and shows its preview.
async fn upload(
    kind: ImportKind,
    data: server_fn::codec::MultipartData,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let result = match (cx.principal(), uploaded(data).await) {
        (Ok(p), Some((name, bytes))) if !bytes.is_empty() => {
            state.services.upload_import(p, kind, &name, &bytes).await
        }
        (Ok(_), _) => Err(CoreError::Conflict("Choose a CSV file to import.".into())),
        (Err(e), _) => Err(e),
    };
    match result {
        Ok(id) => done(
            "The file was read. Check the columns and the preview; nothing is written until you confirm.",
            &format!("{}?draft={id}", kind.page()),
        ),
        Err(e) => refuse("", &e, &[], kind.page()),
    }
    Ok(())
}

#[server(endpoint = "import_organizations", input = server_fn::codec::MultipartFormData)]
pub async fn import_organizations(
    data: server_fn::codec::MultipartData,
) -> Result<(), ServerFnError> {
    upload(ImportKind::Organizations, data).await
}

#[server(endpoint = "import_contacts", input = server_fn::codec::MultipartFormData)]
pub async fn import_contacts(data: server_fn::codec::MultipartData) -> Result<(), ServerFnError> {
    upload(ImportKind::Contacts, data).await
}

#[server(endpoint = "import_mapping")]
pub async fn import_mapping(
    #[server(default)] draft_id: String,
    #[server(default)] kind: String,
    #[server(default)] column: Vec<String>,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let mapping: Vec<Option<String>> = column
        .iter()
        .map(|c| Some(c.trim().to_owned()).filter(|c| !c.is_empty()))
        .collect();
    let back = format!("{}?draft={}", page_of(&kind), draft_id.trim());
    let result = match (cx.principal(), draft_id.trim().parse()) {
        (Ok(p), Ok(id)) => state.services.set_import_mapping(p, id, &mapping).await,
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(CoreError::NotFound),
    };
    match result {
        Ok(()) => done("The preview follows the columns as you mapped them.", &back),
        Err(e) => refuse("", &e, &[], &back),
    }
    Ok(())
}

#[server(endpoint = "confirm_import")]
pub async fn confirm_import(
    #[server(default)] draft_id: String,
    #[server(default)] kind: String,
    #[server(default)] create: usize,
    #[server(default)] update: usize,
    #[server(default)] unchanged: usize,
    #[server(default)] errors: usize,
    #[server(default)] discard: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let back = format!("{}?draft={}", page_of(&kind), draft_id.trim());
    let expected = roster_core::imports::ImportCounts {
        create,
        update,
        unchanged,
        errors,
    };
    let id = draft_id.trim().parse().map_err(|_| CoreError::NotFound);
    if discard == "1" {
        let result = match (cx.principal(), id) {
            (Ok(p), Ok(id)) => state.services.discard_import(p, id).await,
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        match result {
            Ok(kind) => done(
                "The file was discarded; nothing was imported.",
                list_of(kind),
            ),
            Err(e) => refuse("", &e, &[], page_of(&kind)),
        }
        return Ok(());
    }
    let result = match (cx.principal(), id) {
        (Ok(p), Ok(id)) => state.services.confirm_import(p, id, expected).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok((kind, c)) => done(
            format!(
                "Imported: {} created, {} updated, {} unchanged, {} row(s) with errors left out.",
                c.create, c.update, c.unchanged, c.errors
            ),
            list_of(kind),
        ),
        Err(e) => refuse("", &e, &[], &back),
    }
    Ok(())
}
