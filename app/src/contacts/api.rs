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
