//! The tenant facts of an organization's page: what each figure means, how fresh it is, and why
//! a figure is unknown; the licence table; the Secure Score chart.

use leptos::prelude::*;
use roster_core::facts::{Fact, TenantFacts};
use roster_core::sync::facts::SkuKind;

use crate::context::fmt_time;
use crate::shell::chart::{Point, line_chart};

/// "as of …" for a known fact; for an unknown one the reason, and the last value read before.
fn shown<T>(fact: &Fact<T>, show: impl Fn(&T) -> String) -> AnyView {
    match fact {
        Fact::Known { value, at } => view! {
            <span class="value">{show(value)}</span>
            <span class="muted">{format!(" as of {}", fmt_time(at.as_millisecond()))}</span>
        }
        .into_any(),
        Fact::Unknown { reason, earlier } => {
            let before = earlier.as_ref().map(|(v, at)| {
                format!(
                    " Last known: {} ({}).",
                    show(v),
                    fmt_time(at.as_millisecond())
                )
            });
            view! {
                <span class="unknown">"Unknown"</span>
                <span class="muted">{format!(" — {reason}.")}{before}</span>
            }
            .into_any()
        }
    }
}

fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "—".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

/// The facts section of an organization with a synced tenant.
pub fn tenant_facts(facts: TenantFacts) -> impl IntoView + use<> {
    let members = facts.members;
    let score = shown(&facts.score, |(cur, max)| {
        format!("{} ({cur:.0} of {max:.0} points)", percent_f(*cur, *max))
    });
    let licensed = shown(&facts.licensed, |n| match members {
        Some(m) => format!("{n} of {m} enabled members"),
        None => n.to_string(),
    });
    let active = shown(&facts.active, |a| match members {
        Some(m) => format!(
            "{} of {m} ({}, from {})",
            a.users,
            percent(a.users, m),
            a.source
        ),
        None => format!("{} (from {})", a.users, a.source),
    });
    let mfa = shown(&facts.mfa, |c| {
        let total = c.registered + c.not_registered + c.unknown;
        let mut text = format!(
            "{} registered ({}), {} not registered",
            c.registered,
            percent(c.registered, total),
            c.not_registered
        );
        if c.unknown > 0 {
            text.push_str(&format!(", {} unknown", c.unknown));
        }
        text
    });
    let unassigned = facts
        .unassigned
        .map_or_else(|| "Unknown".to_owned(), |n| n.to_string());
    let premium = match facts.premium {
        Some(true) => "Yes",
        Some(false) => "No — MFA status and sign-ins cannot be read without it",
        None => "Unknown",
    };
    let concealed = (facts.concealed_names == Some(true)).then(|| {
        view! {
            <p class="banner warn" role="note">
                "This tenant conceals user names in its Microsoft 365 usage reports, so last activity and mailbox usage cannot be shown per person. "
                "A Global Administrator can turn off \u{201c}Display concealed user, group, and site names in all reports\u{201d} in the Microsoft 365 admin center (Settings → Org settings → Reports)."
            </p>
        }
    });
    let points: Vec<Point> = facts
        .history
        .iter()
        .filter(|d| d.max_score > 0.0)
        .map(|d| Point {
            label: d.day.clone(),
            percent: d.current_score * 100.0 / d.max_score,
        })
        .collect();
    let chart = line_chart("score-history", "Secure Score", &points);
    let skus = licence_table(&facts);
    let unread: Vec<_> = facts
        .sources
        .iter()
        .filter(|(_, n)| !n.read)
        .map(|(s, n)| {
            let id = n
                .request_id
                .clone()
                .map(|r| format!(" (request-id {r})"))
                .unwrap_or_default();
            view! {
                <li>
                    <strong>{s.label()}</strong>
                    {format!(": {}{id}", n.reason.clone().unwrap_or_default())}
                </li>
            }
        })
        .collect();
    let unread = (!unread.is_empty()).then(|| {
        view! {
            <h3>"Not read in the last sync"</h3>
            <ul class="attention">{unread}</ul>
        }
    });
    view! {
        <section class="tenant-facts" aria-labelledby="facts-heading">
            <h2 id="facts-heading">"Tenant facts"</h2>
            <p class="muted">
                {format!("From the sync of {}; every sync keeps its own snapshot ({} so far).", fmt_time(facts.taken_at.as_millisecond()), facts.snapshots)}
            </p>
            {concealed}
            <dl class="facts">
                <dt><abbr title="Microsoft's measure of the tenant's security configuration: points achieved of the points possible, for the day">"Secure Score"</abbr></dt>
                <dd>{score}</dd>
                <dt><abbr title="Enabled member accounts holding at least one paid licence; free and trial licences do not count">"Licensed users"</abbr></dt>
                <dd>{licensed}</dd>
                <dt><abbr title="Enabled members who signed in (or, from the usage report, used a Microsoft 365 service) within the last 30 days">"Active users"</abbr></dt>
                <dd>{active}<br /><span class="hint">"Active = signed in within 30 days."</span></dd>
                <dt><abbr title="Enabled members registered for multifactor authentication, from Microsoft's registration details; unknown is never counted as not registered">"MFA coverage"</abbr></dt>
                <dd>{mfa}</dd>
                <dt><abbr title="Purchased seats of paid licences that no one holds">"Unassigned licences"</abbr></dt>
                <dd>{unassigned}</dd>
                <dt>"Entra ID P1 or P2"</dt>
                <dd>{premium}</dd>
            </dl>
            {unread}
            <h3>"Secure Score history"</h3>
            {chart}
            <h3>"Licences"</h3>
            {skus}
        </section>
    }
}

fn percent_f(cur: f64, max: f64) -> String {
    if max > 0.0 {
        format!("{:.1}%", cur * 100.0 / max)
    } else {
        "—".into()
    }
}

fn licence_table(facts: &TenantFacts) -> AnyView {
    if facts.skus.is_empty() {
        return view! { <p>"No licences were read for this tenant."</p> }.into_any();
    }
    let rows = facts
        .skus
        .iter()
        .map(|s| {
            let said = s.name.to_lowercase();
            let kind = match s.kind {
                SkuKind::Free if !said.contains("free") => " (free)",
                SkuKind::Trial if !said.contains("trial") => " (trial)",
                _ => "",
            };
            // Free licences come in the thousands and cost nothing: their spare seats are no waste.
            let unassigned = if s.kind == SkuKind::Free {
                "—".to_owned()
            } else {
                s.unassigned().to_string()
            };
            let part = s.part_number.clone().unwrap_or_default();
            let mut notes: Vec<String> = s
                .status
                .clone()
                .filter(|st| st != "Enabled")
                .into_iter()
                .collect();
            if s.suspended > 0 {
                notes.push(format!("{} suspended", s.suspended));
            }
            if s.warning > 0 {
                notes.push(format!("{} in warning (renewal due)", s.warning));
            }
            let status = (!notes.is_empty()).then(|| format!(" — {}", notes.join(", ")));
            view! {
                <tr>
                    <td>{s.name.clone()}{kind}<br /><code>{part}</code>{status}</td>
                    <td class="num">{s.purchased}</td>
                    <td class="num">{s.assigned}</td>
                    <td class="num">{unassigned}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="compact licences">
            <caption>"Licences by SKU: purchased seats, seats assigned to users, and seats left unassigned (not counted for free licences)"</caption>
            <thead>
                <tr>
                    <th scope="col">"Licence"</th>
                    <th scope="col" class="num">"Purchased"</th>
                    <th scope="col" class="num">"Assigned"</th>
                    <th scope="col" class="num">"Unassigned"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
