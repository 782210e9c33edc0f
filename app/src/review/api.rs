//! Server functions of the review page.

use leptos::prelude::*;
use roster_core::CoreError;
use roster_core::review::Decision;

use crate::context::{app_state, request_context};
use crate::shell::respond::{done, refuse};

#[server(endpoint = "decide_review")]
pub async fn decide_review(
    #[server(default)] connection_id: String,
    #[server(default)] object_id: String,
    #[server(default)] contact_id: String,
    #[server(default)] decision: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let decision = match decision.as_str() {
        "link" => contact_id
            .trim()
            .parse()
            .map(Decision::Link)
            .map_err(|_| CoreError::NotFound),
        "create" => Ok(Decision::Create),
        "ignore" => Ok(Decision::Ignore),
        _ => Err(CoreError::NotFound),
    };
    let connection = connection_id
        .trim()
        .parse()
        .map_err(|_| CoreError::NotFound);
    let result = match (cx.principal(), connection, decision) {
        (Ok(p), Ok(c), Ok(d)) => state
            .services
            .decide_contact_review(p, c, object_id.trim(), d)
            .await
            .map(|()| d),
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => Err(e),
    };
    match result {
        Ok(Decision::Link(_)) => done(
            "Linked: the contact follows Entra from now on.",
            "/review/contacts",
        ),
        Ok(Decision::Create) => done("The contact was created.", "/review/contacts"),
        Ok(Decision::Ignore) => done(
            "Ignored: later syncs leave this user out.",
            "/review/contacts",
        ),
        Err(e) => refuse("", &e, &[], "/review/contacts"),
    }
    Ok(())
}

#[server(endpoint = "decide_reviews")]
pub async fn decide_reviews(
    #[server(default)] pick: Vec<String>,
    #[server(default)] decision: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let users: Vec<(roster_domain::ConnectionId, String)> = pick
        .iter()
        .filter_map(|p| {
            let (c, o) = p.split_once(':')?;
            Some((c.trim().parse().ok()?, o.trim().to_owned()))
        })
        .collect();
    let decision = match decision.as_str() {
        "create" => Ok(Decision::Create),
        "ignore" => Ok(Decision::Ignore),
        _ => Err(CoreError::NotFound),
    };
    let result = match (cx.principal(), decision) {
        (Ok(_), Ok(_)) if users.is_empty() => {
            Err(CoreError::Conflict("Tick the users first.".into()))
        }
        (Ok(p), Ok(d)) => state
            .services
            .decide_contact_reviews(p, &users, d)
            .await
            .map(|n| (n, d)),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok((n, Decision::Create)) => done(format!("{n} contact(s) created."), "/review/contacts"),
        Ok((n, _)) => done(
            format!("{n} user(s) ignored: later syncs leave them out."),
            "/review/contacts",
        ),
        Err(e) => refuse("", &e, &[], "/review/contacts"),
    }
    Ok(())
}
