//! The connection check's result: the problem and its fix, proof of access, permissions and data sources.

use leptos::prelude::*;
use roster_core::connections::{CheckReport, SourceState};

fn state_label(s: SourceState) -> (&'static str, &'static str) {
    match s {
        SourceState::Ok => ("OK", "ok"),
        SourceState::MissingPermission => ("Missing permission", "bad"),
        SourceState::NeedsEntraP1 => ("Needs Entra ID P1", "warn"),
        SourceState::NotApplicable => ("Not applicable", "muted"),
        SourceState::Failed => ("Failed", "bad"),
    }
}

#[component]
pub fn CheckReportView(report: CheckReport) -> impl IntoView {
    let status_class = if report.is_ok() {
        "banner ok"
    } else {
        "banner bad"
    };
    let problem = report.problem.clone().map(|p| {
        let code = p.code.map(|c| view! { <p class="hint">"Microsoft's code: " <code>{c}</code></p> });
        let rid = p.request_id.map(|r| view! { <p class="hint">"Request-id: " <code>{r}</code></p> });
        let retry = p.retry.then(|| view! { <p>"Nothing needs to change for this to work later: press Check connection again in a minute."</p> });
        view! {
            <div class="problem" role="alert">
                <p><strong>"Cause: "</strong>{p.cause}</p>
                <p><strong>"Fix: "</strong>{p.fix}</p>
                {retry}
                {code}
                {rid}
            </div>
        }
    });
    let proof = report.tenant_id.clone().map(|tid| {
        let domains = if report.verified_domains.is_empty() {
            "—".to_owned()
        } else {
            report.verified_domains.join(", ")
        };
        view! {
            <dl class="facts">
                <dt>"Tenant name"</dt><dd>{report.display_name.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Tenant ID"</dt><dd><code>{tid}</code></dd>
                <dt>"Verified domains"</dt><dd>{domains}</dd>
                <dt>"Users"</dt><dd>{report.user_count.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</dd>
            </dl>
        }
    });
    let permissions = (!report.permissions.is_empty()).then(|| {
        let rows = report
            .permissions
            .iter()
            .map(|p| {
                let (text, class) = if p.granted { ("Granted", "ok") } else if p.required { ("Missing", "bad") } else { ("Not granted (optional)", "muted") };
                view! {
                    <tr>
                        <td><code>{p.name.clone()}</code></td>
                        <td>{if p.required { "Required" } else { "Optional" }}</td>
                        <td class=class>{text}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="compact">
                <caption>"Application permissions in the token"</caption>
                <thead><tr><th scope="col">"Permission"</th><th scope="col">"Needed"</th><th scope="col">"In the token"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    let sources = (!report.sources.is_empty()).then(|| {
        let rows = report
            .sources
            .iter()
            .map(|s| {
                let (text, class) = state_label(s.state);
                view! {
                    <tr>
                        <td>{s.source.clone()}</td>
                        <td class=class>{text}</td>
                        <td>{s.detail.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="compact">
                <caption>"Data sources"</caption>
                <thead><tr><th scope="col">"Source"</th><th scope="col">"Result"</th><th scope="col">"Details"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    view! {
        <div class="check-report">
            <p class=status_class>{report.headline()}</p>
            {problem}
            {proof}
            {permissions}
            {sources}
        </div>
    }
}
