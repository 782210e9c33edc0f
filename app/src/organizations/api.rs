//! Server functions of the organization pages.

use leptos::prelude::*;
use roster_core::CoreError;
use roster_core::organizations::OrganizationForm;

use crate::context::{app_state, request_context};
use crate::shell::respond::{done, refuse};

fn form(
    name: &str,
    domains: &str,
    website: &str,
    notes: &str,
    tenant_id: &str,
) -> OrganizationForm {
    OrganizationForm {
        name: name.to_owned(),
        domains: domains.to_owned(),
        website: website.to_owned(),
        notes: notes.to_owned(),
        tenant_id: tenant_id.to_owned(),
    }
}

#[server(endpoint = "create_organization")]
pub async fn create_organization(
    #[server(default)] name: String,
    #[server(default)] domains: String,
    #[server(default)] website: String,
    #[server(default)] notes: String,
    #[server(default)] tenant_id: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let f = form(&name, &domains, &website, &notes, &tenant_id);
    let result = match cx.principal() {
        Ok(p) => state.services.create_organization(p, &f).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => done(
            format!("{} was created.", name.trim()),
            &format!("/organizations/{id}"),
        ),
        Err(e) => refuse(
            "organization",
            &e,
            &[
                ("name", &name),
                ("domains", &domains),
                ("website", &website),
                ("notes", &notes),
                ("tenant_id", &tenant_id),
            ],
            "/organizations/new",
        ),
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
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let f = form(&name, &domains, &website, &notes, &tenant_id);
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
        Err(e) => refuse(
            "organization",
            &e,
            &[
                ("name", &name),
                ("domains", &domains),
                ("website", &website),
                ("notes", &notes),
                ("tenant_id", &tenant_id),
            ],
            &back,
        ),
    }
    Ok(())
}
