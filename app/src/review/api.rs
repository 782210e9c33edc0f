//! Server functions of the review pages: matching decisions for tenants, and the contact review queue.

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

/// The tenant and organization a matching form names.
fn ids(
    connection_id: &str,
    organization_id: Option<&str>,
) -> Result<
    (
        roster_domain::ConnectionId,
        Option<roster_domain::OrganizationId>,
    ),
    CoreError,
> {
    let c = connection_id
        .trim()
        .parse()
        .map_err(|_| CoreError::NotFound)?;
    let o = match organization_id {
        Some(o) => Some(o.trim().parse().map_err(|_| CoreError::NotFound)?),
        None => None,
    };
    Ok((c, o))
}

/// Matches a tenant to an organization: a suggestion accepted, or one chosen by hand.
async fn decide_match(
    connection_id: &str,
    organization_id: &str,
    accepted: bool,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let result = match (cx.principal(), ids(connection_id, Some(organization_id))) {
        (Ok(p), Ok((c, Some(o)))) if accepted => state.services.accept_match(p, c, o).await,
        (Ok(p), Ok((c, Some(o)))) => state.services.match_tenant(p, c, o).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
        (_, Ok((_, None))) => Err(CoreError::NotFound),
    };
    match result {
        Ok(()) => done(
            "Matched: the tenant's users sync into this organization from now on.",
            "/review",
        ),
        Err(e) => refuse("", &e, &[], "/review"),
    }
    Ok(())
}

#[server(endpoint = "accept_match")]
pub async fn accept_match(
    #[server(default)] connection_id: String,
    #[server(default)] organization_id: String,
) -> Result<(), ServerFnError> {
    decide_match(&connection_id, &organization_id, true).await
}

#[server(endpoint = "match_tenant")]
pub async fn match_tenant(
    #[server(default)] connection_id: String,
    #[server(default)] organization_id: String,
) -> Result<(), ServerFnError> {
    decide_match(&connection_id, &organization_id, false).await
}

#[server(endpoint = "undo_match")]
pub async fn undo_match(#[server(default)] connection_id: String) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let result = match (cx.principal(), ids(&connection_id, None)) {
        (Ok(p), Ok((c, _))) => state.services.undo_match(p, c).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) => done(
            "Match undone: the tenant waits here for an organization, and syncs nothing until it has one.",
            "/review",
        ),
        Err(e) => refuse("", &e, &[], "/review"),
    }
    Ok(())
}

#[server(endpoint = "ignore_tenant")]
pub async fn ignore_tenant(
    #[server(default)] connection_id: String,
    #[server(default)] ignore: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let ignore = ignore == "1";
    let result = match (cx.principal(), ids(&connection_id, None)) {
        (Ok(p), Ok((c, _))) => state.services.ignore_tenant(p, c, ignore).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) if ignore => done(
            "Ignored: the tenant stays unmatched across syncs until you stop ignoring it.",
            "/review",
        ),
        Ok(()) => done("The tenant waits for a match again.", "/review"),
        Err(e) => refuse("", &e, &[], "/review"),
    }
    Ok(())
}

#[server(endpoint = "create_organization_from_tenant")]
pub async fn create_organization_from_tenant(
    #[server(default)] connection_id: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let result = match (cx.principal(), ids(&connection_id, None)) {
        (Ok(p), Ok((c, _))) => state.services.create_organization_from_tenant(p, c).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(id) => done(
            "The organization was created from the tenant and matched to it.",
            &format!("/organizations/{id}"),
        ),
        Err(e) => refuse("", &e, &[], "/review"),
    }
    Ok(())
}

#[server(endpoint = "bulk_accept")]
pub async fn bulk_accept(
    #[server(default)] min_score: String,
    #[server(default)] pick: Vec<String>,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let picks: Vec<(roster_domain::ConnectionId, roster_domain::OrganizationId)> = pick
        .iter()
        .filter_map(|p| {
            let (c, o) = p.split_once(':')?;
            Some((c.trim().parse().ok()?, o.trim().parse().ok()?))
        })
        .collect();
    let min = min_score
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|m| (0.0..=1.0).contains(m));
    let result = match (cx.principal(), min) {
        (Ok(_), Some(_)) if picks.is_empty() => {
            Err(CoreError::Conflict("Nothing to accept.".into()))
        }
        (Ok(p), Some(min)) => state.services.bulk_accept(p, min, &picks).await,
        (Err(e), _) => Err(e),
        (_, None) => Err(CoreError::Conflict(
            "Give a score between 0 and 1, such as 0.90.".into(),
        )),
    };
    match result {
        Ok(o) if o.skipped == 0 => done(format!("{} match(es) accepted.", o.accepted), "/review"),
        Ok(o) => done(
            format!(
                "{} match(es) accepted; {} changed since the preview and were left for you.",
                o.accepted, o.skipped
            ),
            "/review",
        ),
        Err(e) => refuse("", &e, &[], "/review"),
    }
    Ok(())
}
