//! A connection's sync settings: filters, what happens to new users, the guard; and how many users
//! each filter left out at the last listing.
#![expect(
    clippy::too_many_arguments,
    reason = "the settings form posts one field per setting"
)]

use leptos::prelude::*;
use roster_core::CoreError;
use roster_core::sync::engine::{SyncSettings, SyncSettingsForm};
use roster_core::sync::plan::NewUserPolicy;
use roster_core::sync::scope::Exclusion;
use roster_domain::{ConnectionId, Permission};

use crate::context::{app_state, fmt_time, request_context};
use crate::organizations::route_id;
use crate::settings::load_error;
use crate::shell::Layout;
use crate::shell::forms::{CsrfField, Field, FormError};
use crate::shell::respond::{done, refuse};

#[component]
pub fn SyncSettingsPage() -> impl IntoView {
    let cx = request_context();
    let state = app_state();
    let id = route_id::<ConnectionId>();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {
                let cx = cx.clone();
                let state = state.clone();
                Suspend::new(async move {
                    let (Ok(p), Ok(state), Some(id)) = (cx.principal().cloned(), state, id) else {
                        return view! { <crate::pages::NotFound /> }.into_any();
                    };
                    let loaded = async {
                        let conn = state.services.connection(&p, id).await?;
                        let settings = state.services.sync_settings(&p, id).await?;
                        let last = state.services.last_listing(&p, id).await?;
                        Ok::<_, CoreError>((conn, settings, last))
                    };
                    match loaded.await {
                        Ok((conn, settings, last)) => settings_view(
                            id,
                            conn.title,
                            settings,
                            last,
                            p.role().allows(Permission::Operate),
                        )
                        .into_any(),
                        Err(CoreError::NotFound) => view! { <crate::pages::NotFound /> }.into_any(),
                        Err(e) => view! { <Layout title="Sync settings".into()>{load_error(e)}</Layout> }.into_any(),
                    }
                })
            }
        </Suspense>
    }
}

fn settings_view(
    id: ConnectionId,
    title: String,
    s: SyncSettings,
    last: Option<(jiff::Timestamp, roster_core::sync::engine::RunCounts)>,
    can_edit: bool,
) -> impl IntoView {
    let last_copy = last.clone();
    let since = match &last_copy {
        Some((at, c)) => format!(
            "From the last listing ({}, {} users): how many users each rule left out.",
            fmt_time(at.as_millisecond()),
            c.listed
        ),
        None => "No listing yet: the counts appear after the first sync.".to_owned(),
    };
    let submit = can_edit.then(|| view! { <button type="submit">"Save sync settings"</button> });
    view! {
        <Layout title=format!("Sync settings: {title}")>
            <p class="hint">{since}</p>
            <FormError form="sync" />
            <form method="post" action="/api/save_sync_settings" novalidate>
                <CsrfField />
                <input type="hidden" name="id" value=id.to_string() />
                {sync_fields(s, last, can_edit)}
                {submit}
            </form>
            <p><a href=format!("/tenants/{id}")>"Back to the tenant"</a></p>
        </Layout>
    }
}

/// The fields of a connection's sync settings (scope, filters with how many users each left out
/// at `last` listing, new users, schedule, guard), for its settings page and the connect wizard.
pub fn sync_fields(
    s: SyncSettings,
    last: Option<(jiff::Timestamp, roster_core::sync::engine::RunCounts)>,
    can_edit: bool,
) -> impl IntoView {
    let excluded = move |rule: Exclusion| {
        last.as_ref()
            .map(|(_, c)| c.excluded.get(&rule).copied().unwrap_or(0).to_string())
            .unwrap_or_else(|| "—".into())
    };
    let guests = checkbox(
        "exclude_guests",
        "Guests (users of other organizations)",
        excluded(Exclusion::Guest),
        s.filters.exclude_guests,
        can_edit,
    );
    let disabled = checkbox(
        "exclude_disabled",
        "Disabled accounts",
        excluded(Exclusion::Disabled),
        s.filters.exclude_disabled,
        can_edit,
    );
    let unlicensed = checkbox(
        "exclude_unlicensed",
        "Users without a licence",
        excluded(Exclusion::Unlicensed),
        s.filters.exclude_unlicensed,
        can_edit,
    );
    let onms = checkbox(
        "exclude_onmicrosoft_only",
        "Users with only onmicrosoft.com addresses",
        excluded(Exclusion::OnMicrosoftOnly),
        s.filters.exclude_onmicrosoft_only,
        can_edit,
    );
    let service_left = format!(
        "Service accounts left out last time: {}",
        excluded(Exclusion::ServiceAccount)
    );
    let pattern = s
        .filters
        .service_accounts
        .as_ref()
        .map(|p| p.as_text())
        .unwrap_or_default();
    let review = s.policy == NewUserPolicy::Review;
    let group = match &s.scope {
        roster_core::sync::engine::SyncScope::Group { id } => id.clone(),
        roster_core::sync::engine::SyncScope::AllUsers => String::new(),
    };
    use roster_core::sync::schedule::Schedule;
    let (kind, time, zone, hours) = match &s.schedule {
        Schedule::Daily { time_zone, .. } => (
            "daily",
            s.schedule.time_text().unwrap_or_default(),
            time_zone.clone(),
            "6".to_owned(),
        ),
        Schedule::EveryHours { hours } => (
            "hours",
            "01:00".to_owned(),
            roster_core::sync::schedule::DEFAULT_TIME_ZONE.to_owned(),
            hours.to_string(),
        ),
        Schedule::Manual => (
            "manual",
            "01:00".to_owned(),
            roster_core::sync::schedule::DEFAULT_TIME_ZONE.to_owned(),
            "6".to_owned(),
        ),
    };
    let schedule_error = crate::context::request_context()
        .flash
        .field_error("sync", "schedule")
        .map(|e| view! { <p class="field-error">{e}</p> });
    let radio = move |value: &'static str, label: &'static str| {
        let id = format!("sync-schedule-{value}");
        view! {
            <div class="field check">
                <input type="radio" id=id.clone() name="schedule" value=value checked=kind == value disabled=!can_edit />
                <label for=id>{label}</label>
            </div>
        }
    };
    view! {
                <Field form="sync" name="group_id" label="Only the members of this group (Object ID)" required=false maxlength=36
                    hint="Empty: every user of the tenant. A group: its direct members, and the members of its direct subgroups in a contact group named after each; deeper nesting is ignored."
                    value=group />
                <fieldset>
                    <legend>"Leave out"</legend>
                    {guests}
                    {disabled}
                    {unlicensed}
                    {onms}
                    <Field form="sync" name="service_accounts" label="Service accounts by name" required=false maxlength=500
                        hint="Comma-separated patterns matched against the sign-in name and the display name; * is any run of characters, ? one character. Example: svc-*, *-noreply"
                        value=pattern />
                    {(!service_left.ends_with('—')).then(|| view! { <p class="muted">{service_left.clone()}</p> })}
                </fieldset>
                <div class="field">
                    <label for="sync-policy">"New users"</label>
                    <select id="sync-policy" name="policy" disabled=!can_edit>
                        <option value="create" selected=!review>"Become contacts"</option>
                        <option value="review" selected=review>"Wait in Review until someone imports them"</option>
                    </select>
                </div>
                <fieldset>
                    <legend>"Schedule"</legend>
                    {schedule_error}
                    {radio("daily", "Daily, at a local time")}
                    <Field form="sync" name="time" label="Time (24-hour clock, HH:MM)" required=false maxlength=5 value=time />
                    <Field form="sync" name="time_zone" label="Time zone" required=false maxlength=64
                        hint="An IANA time zone such as America/Los_Angeles, America/New_York, Europe/London or Australia/Sydney; the run follows its daylight saving changes."
                        value=zone />
                    {radio("hours", "Every few hours")}
                    <Field form="sync" name="every_hours" label="Hours between syncs (1 to 24)" required=false maxlength=2 value=hours />
                    {radio("manual", "Manual only: syncs run when someone chooses Sync now")}
                </fieldset>
                <Field form="sync" name="guard_percent" label="Hold a run that would flag more than this share of linked contacts (%)"
                    required=true maxlength=3 value=s.guard_percent.to_string() />
                <fieldset>
                    <legend>"Tenant facts"</legend>
                    <div class="field check">
                        <input type="checkbox" id="sync-contacts_only" name="contacts_only" checked=s.contacts_only disabled=!can_edit />
                        <label for="sync-contacts_only">"Contacts only: do not read licences, MFA, sign-ins, usage reports, devices or Secure Score"</label>
                    </div>
                </fieldset>
    }
}

fn checkbox(
    name: &'static str,
    label: &'static str,
    left_out: String,
    checked: bool,
    can_edit: bool,
) -> impl IntoView {
    let id = format!("sync-{name}");
    view! {
        <div class="field check">
            <input type="checkbox" id=id.clone() name=name checked=checked disabled=!can_edit />
            <label for=id>{label}</label>
            {(left_out != "—").then(|| view! { <span class="muted">{format!(" — left out last time: {left_out}")}</span> })}
        </div>
    }
}

/// The sync settings form from its posted fields: the four filter checkboxes (present when
/// ticked), then group, service accounts, policy, guard, schedule, time, time zone and hours.
pub fn settings_form(checks: [Option<String>; 5], fields: [String; 8]) -> SyncSettingsForm {
    let [guests, disabled, unlicensed, onmicrosoft, contacts_only] = checks;
    let [
        group_id,
        service_accounts,
        policy,
        guard_percent,
        schedule,
        time,
        time_zone,
        every_hours,
    ] = fields;
    SyncSettingsForm {
        group_id,
        exclude_guests: guests.is_some(),
        exclude_disabled: disabled.is_some(),
        exclude_unlicensed: unlicensed.is_some(),
        exclude_onmicrosoft_only: onmicrosoft.is_some(),
        contacts_only: contacts_only.is_some(),
        service_accounts,
        policy,
        guard_percent,
        schedule,
        time,
        time_zone,
        every_hours,
    }
}

/// What a refused settings form shows again as typed.
pub fn kept(form: &SyncSettingsForm) -> [(&'static str, &str); 6] {
    [
        ("group_id", &form.group_id),
        ("service_accounts", &form.service_accounts),
        ("guard_percent", &form.guard_percent),
        ("time", &form.time),
        ("time_zone", &form.time_zone),
        ("every_hours", &form.every_hours),
    ]
}

#[server(endpoint = "save_sync_settings")]
pub async fn save_sync_settings(
    #[server(default)] id: String,
    #[server(default)] exclude_guests: Option<String>,
    #[server(default)] exclude_disabled: Option<String>,
    #[server(default)] exclude_unlicensed: Option<String>,
    #[server(default)] exclude_onmicrosoft_only: Option<String>,
    #[server(default)] contacts_only: Option<String>,
    #[server(default)] group_id: String,
    #[server(default)] service_accounts: String,
    #[server(default)] policy: String,
    #[server(default)] guard_percent: String,
    #[server(default)] schedule: String,
    #[server(default)] time: String,
    #[server(default)] time_zone: String,
    #[server(default)] every_hours: String,
) -> Result<(), ServerFnError> {
    let state = app_state()?;
    let cx = request_context();
    let back = format!("/tenants/{}/sync", urlencoding::encode(id.trim()));
    let form = settings_form(
        [
            exclude_guests,
            exclude_disabled,
            exclude_unlicensed,
            exclude_onmicrosoft_only,
            contacts_only,
        ],
        [
            group_id,
            service_accounts,
            policy,
            guard_percent,
            schedule,
            time,
            time_zone,
            every_hours,
        ],
    );
    let parsed = id.trim().parse().map_err(|_| CoreError::NotFound);
    let result = match (cx.principal(), parsed) {
        (Ok(p), Ok(id)) => state.services.save_sync_settings_form(p, id, &form).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) => done(
            "The sync settings were saved; the next sync uses them.",
            &back,
        ),
        Err(e) => refuse("sync", &e, &kept(&form), &back),
    }
    Ok(())
}
