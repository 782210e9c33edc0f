//! Server functions of the contact pages: edit by hand, settle a conflict.
#![expect(
    clippy::too_many_arguments,
    reason = "the edit form posts one field per synced field"
)]

use leptos::prelude::*;
use roster_core::CoreError;
use roster_core::contacts::{ContactForm, Resolution};
use roster_core::sync::fields::SyncField;

use crate::context::{app_state, request_context};
use crate::shell::respond::{done, refuse};

#[server(endpoint = "edit_contact")]
pub async fn edit_contact(
    #[server(default)] id: String,
    #[server(default)] display_name: Option<String>,
    #[server(default)] first_name: Option<String>,
    #[server(default)] last_name: Option<String>,
    #[server(default)] email: Option<String>,
    #[server(default)] job_title: Option<String>,
    #[server(default)] department: Option<String>,
    #[server(default)] company: Option<String>,
    #[server(default)] business_phone: Option<String>,
    #[server(default)] mobile_phone: Option<String>,
    #[server(default)] street1: Option<String>,
    #[server(default)] street2: Option<String>,
    #[server(default)] city: Option<String>,
    #[server(default)] state: Option<String>,
    #[server(default)] postal_code: Option<String>,
    #[server(default)] country: Option<String>,
) -> Result<(), ServerFnError> {
    let app = app_state()?;
    let cx = request_context();
    let back = format!("/contacts/{}", urlencoding::encode(id.trim()));
    let typed = [
        (SyncField::DisplayName, display_name),
        (SyncField::FirstName, first_name),
        (SyncField::LastName, last_name),
        (SyncField::Email, email),
        (SyncField::JobTitle, job_title),
        (SyncField::Department, department),
        (SyncField::Company, company),
        (SyncField::BusinessPhone, business_phone),
        (SyncField::MobilePhone, mobile_phone),
        (SyncField::Street1, street1),
        (SyncField::Street2, street2),
        (SyncField::City, city),
        (SyncField::State, state),
        (SyncField::PostalCode, postal_code),
        (SyncField::Country, country),
    ];
    // A field the post does not carry stays as it is (only an empty field clears a value).
    let values: Vec<(&str, String)> = typed
        .iter()
        .filter_map(|(f, v)| v.clone().map(|v| (f.as_str(), v)))
        .collect();
    let form = ContactForm {
        values: typed
            .into_iter()
            .filter_map(|(f, v)| v.map(|v| (f, v)))
            .collect(),
    };
    let parsed = id.trim().parse().map_err(|_| CoreError::NotFound);
    let result = match (cx.principal(), parsed) {
        (Ok(p), Ok(id)) => app.services.edit_contact(p, id, &form).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) => done(
            "The contact was saved. Fields you changed are kept over Entra's values.",
            &back,
        ),
        Err(e) => {
            let shown: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            refuse("contact", &e, &shown, &back)
        }
    }
    Ok(())
}

#[server(endpoint = "resolve_conflict")]
pub async fn resolve_conflict(
    #[server(default)] id: String,
    #[server(default)] field: String,
    #[server(default)] choice: String,
) -> Result<(), ServerFnError> {
    let app = app_state()?;
    let cx = request_context();
    let back = format!("/contacts/{}", urlencoding::encode(id.trim()));
    let parsed = id.trim().parse().map_err(|_| CoreError::NotFound);
    let field = SyncField::parse(field.trim()).ok_or(CoreError::NotFound);
    let choice = match choice.as_str() {
        "entra" => Ok(Resolution::Entra),
        "mine" => Ok(Resolution::Mine),
        _ => Err(CoreError::NotFound),
    };
    let result = match (cx.principal(), parsed, field, choice) {
        (Ok(p), Ok(id), Ok(f), Ok(c)) => app.services.resolve_conflict(p, id, f, c).await,
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => Err(e),
    };
    match result {
        Ok(()) => done("The conflict was settled.", &back),
        Err(e) => refuse("", &e, &[], &back),
    }
    Ok(())
}

#[server(endpoint = "create_contact")]
pub async fn create_contact(
    #[server(default)] organization_id: String,
    #[server(default)] display_name: String,
    #[server(default)] first_name: String,
    #[server(default)] last_name: String,
    #[server(default)] email: String,
    #[server(default)] job_title: String,
    #[server(default)] department: String,
    #[server(default)] company: String,
    #[server(default)] business_phone: String,
    #[server(default)] mobile_phone: String,
    #[server(default)] street1: String,
    #[server(default)] street2: String,
    #[server(default)] city: String,
    #[server(default)] state: String,
    #[server(default)] postal_code: String,
    #[server(default)] country: String,
) -> Result<(), ServerFnError> {
    let app = app_state()?;
    let cx = request_context();
    let back = format!(
        "/contacts/new?organization={}",
        urlencoding::encode(organization_id.trim())
    );
    let typed = [
        (SyncField::DisplayName, display_name),
        (SyncField::FirstName, first_name),
        (SyncField::LastName, last_name),
        (SyncField::Email, email),
        (SyncField::JobTitle, job_title),
        (SyncField::Department, department),
        (SyncField::Company, company),
        (SyncField::BusinessPhone, business_phone),
        (SyncField::MobilePhone, mobile_phone),
        (SyncField::Street1, street1),
        (SyncField::Street2, street2),
        (SyncField::City, city),
        (SyncField::State, state),
        (SyncField::PostalCode, postal_code),
        (SyncField::Country, country),
    ];
    let values: Vec<(&str, String)> = typed.iter().map(|(f, v)| (f.as_str(), v.clone())).collect();
    let form = ContactForm {
        values: typed.into_iter().collect(),
    };
    let parsed = organization_id
        .trim()
        .parse()
        .map_err(|_| CoreError::NotFound);
    let result = match (cx.principal(), parsed) {
        (Ok(p), Ok(org)) => app.services.create_contact(p, org, &form).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(id) => done("The contact was created.", &format!("/contacts/{id}")),
        Err(e) => {
            let shown: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            refuse("contact", &e, &shown, &back)
        }
    }
    Ok(())
}
