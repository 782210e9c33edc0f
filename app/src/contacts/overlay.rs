//! A linked contact's Entra overlay: licences, MFA, sign-ins, activity, mailbox and devices, each
//! with when it was read, or why it is unknown.

use leptos::prelude::*;
use roster_core::facts::{Fact, Overlay};

use crate::context::fmt_time;

fn when(ms: i64) -> String {
    fmt_time(ms)
}

fn date_or_never(t: Option<jiff::Timestamp>) -> String {
    t.map_or_else(|| "Never".to_owned(), |t| when(t.as_millisecond()))
}

fn bytes(n: u64) -> String {
    const GB: f64 = 1024.0 * 1024.0 * 1024.0;
    const MB: f64 = 1024.0 * 1024.0;
    let n = n as f64;
    if n >= GB {
        format!("{:.1} GB", n / GB)
    } else {
        format!("{:.1} MB", n / MB)
    }
}

/// A row of the overlay: the value with "as of", or unknown with its reason and the earlier value.
fn row<T>(
    label: &'static str,
    source: &'static str,
    fact: &Fact<T>,
    show: impl Fn(&T) -> AnyView,
) -> AnyView {
    let cell = match fact {
        Fact::Known { value, at } => view! {
            <td>{show(value)}</td>
            <td class="muted">{format!("{source}, read {}", when(at.as_millisecond()))}</td>
        }
        .into_any(),
        Fact::Unknown { reason, earlier } => {
            let before = earlier.as_ref().map(|(v, at)| {
                view! { <br /><span class="muted">{format!("Last known ({}): ", when(at.as_millisecond()))}</span>{show(v)} }
            });
            view! {
                <td><span class="unknown">"Unknown"</span>{before}</td>
                <td class="muted">{format!("{source}: {reason}")}</td>
            }
            .into_any()
        }
    };
    view! { <tr><th scope="row">{label}</th>{cell}</tr> }.into_any()
}

fn text(s: String) -> AnyView {
    view! { {s} }.into_any()
}

const DIR: &str = "Entra ID";
const MFA: &str = "MFA registration details";
const SIGN: &str = "Sign-in activity";
const ACT: &str = "Microsoft 365 activity report";
const MBX: &str = "Mailbox usage report";
const DEV: &str = "Intune";

pub fn overlay_view(o: &Overlay) -> impl IntoView + use<> {
    let account = &o.account;
    let rows = view! {
        {row("Account", DIR, account, |a| text(match a.enabled {
            Some(true) => "Enabled".into(),
            Some(false) => "Disabled".into(),
            None => "Not stated".into(),
        }))}
        {row("Licences", DIR, account, |a| text(if a.licences.is_empty() {
            "None".into()
        } else {
            a.licences.join(", ")
        }))}
        {row("Highest business licence", DIR, account, |a| text(a.business_tier.clone().unwrap_or_else(|| "None of the Business plans".into())))}
        {row("Last password change", DIR, account, |a| text(date_or_never(a.password_changed)))}
        {row("MFA", MFA, &o.mfa, |m| match m.registered {
            Some(true) => view! { <span class="ok">"Registered"</span> }.into_any(),
            Some(false) => view! { <span class="bad">"Not registered"</span> }.into_any(),
            None => view! { <span class="unknown">"Not stated by Microsoft"</span> }.into_any(),
        })}
        {row("Registered methods", MFA, &o.mfa, |m| text(if m.methods.is_empty() { "None".into() } else { m.methods.join(", ") }))}
        {row("Default method", MFA, &o.mfa, |m| text(m.default_method.clone().unwrap_or_else(|| "Not set".into())))}
        {row("Admin role", MFA, &o.mfa, |m| text(match m.is_admin {
            Some(true) => "Holds an admin role".into(),
            Some(false) => "No admin role".into(),
            None => "Not stated".into(),
        }))}
        {row("Last interactive sign-in", SIGN, &o.sign_ins, |s| text(date_or_never(s.interactive)))}
        {row("Last non-interactive sign-in", SIGN, &o.sign_ins, |s| text(date_or_never(s.non_interactive)))}
        {row("Last Microsoft 365 activity", ACT, &o.activity, |a| text(a.clone().unwrap_or_else(|| "None in the last 30 days".into())))}
        {row("Mailbox", MBX, &o.mailbox, |m| text(match m {
            None => "No mailbox in the report".into(),
            Some(m) => {
                let mut parts = Vec::new();
                if let Some(u) = m.used_bytes {
                    parts.push(match m.quota_bytes {
                        Some(q) => format!("{} of {}", bytes(u), bytes(q)),
                        None => format!("{} used", bytes(u)),
                    });
                }
                if let Some(i) = m.items {
                    parts.push(format!("{i} items"));
                }
                parts.push(format!("last activity {}", m.last_activity.clone().unwrap_or_else(|| "none".into())));
                parts.join(", ")
            }
        }))}
        {row("Intune devices", DEV, &o.devices, |d| if d.is_empty() {
            text("None".into())
        } else {
            let items = d.iter().map(|dev| {
                let os = [dev.os.clone(), dev.os_version.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ");
                let seen = dev.last_check_in.map(when).unwrap_or_else(|| "never".into());
                view! {
                    <li>
                        {format!("{} — {os}, {}, last check-in {seen}", dev.name.clone().unwrap_or_else(|| "(no name)".into()), dev.compliance.clone().unwrap_or_else(|| "compliance unknown".into()))}
                    </li>
                }
            }).collect_view();
            view! { <ul class="plain">{items}</ul> }.into_any()
        })}
    };
    view! {
        <h2>"In Entra ID"</h2>
        <p class="hint">"Read by each sync. Unknown means Roster could not read it, never that the answer is no."</p>
        <table class="compact overlay">
            <thead><tr><th scope="col">"Fact"</th><th scope="col">"Value"</th><th scope="col">"Source"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
