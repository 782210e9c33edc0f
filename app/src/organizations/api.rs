//! Server functions of the organization pages.
#![expect(
    clippy::too_many_arguments,
    reason = "the organization form posts one argument per field"
)]

use leptos::prelude::*;
use roster_core::CoreError;
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
