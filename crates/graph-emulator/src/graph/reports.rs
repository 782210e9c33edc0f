//! Usage reports: the 302 to a short-lived, pre-authenticated CSV download, with concealed names.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::SignedDuration;

use super::{Ctx, R, Reply, ReplyBody};
use crate::model::{Tenant, User};
use crate::state::{Download, Shared};
use crate::throttle::Window;
use crate::util::conceal;

/// Which usage report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Report {
    /// getOffice365ActiveUserDetail.
    ActiveUsers,
    /// getMailboxUsageDetail.
    MailboxUsage,
}

const ACTIVE_HEADER: &str = "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Has Exchange License,Has OneDrive License,Has SharePoint License,Has Skype For Business License,Has Yammer License,Has Teams License,Exchange Last Activity Date,OneDrive Last Activity Date,SharePoint Last Activity Date,Skype For Business Last Activity Date,Yammer Last Activity Date,Teams Last Activity Date,Exchange License Assign Date,OneDrive License Assign Date,SharePoint License Assign Date,Skype For Business License Assign Date,Yammer License Assign Date,Teams License Assign Date,Assigned Products";
const MAILBOX_HEADER: &str = "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Created Date,Last Activity Date,Item Count,Storage Used (Byte),Issue Warning Quota (Byte),Prohibit Send Quota (Byte),Prohibit Send/Receive Quota (Byte),Deleted Item Count,Deleted Item Size (Byte),Deleted Item Quota (Byte),Has Archive,Report Period";

fn parse_call(segment: &str) -> Option<(Report, Result<u32, String>)> {
    let (name, args) = segment.split_once('(')?;
    let args = args.strip_suffix(')')?;
    let report = if name.eq_ignore_ascii_case("getOffice365ActiveUserDetail") {
        Report::ActiveUsers
    } else if name.eq_ignore_ascii_case("getMailboxUsageDetail") {
        Report::MailboxUsage
    } else {
        return None;
    };
    let (key, value) = args.split_once('=')?;
    let value = value.trim().trim_matches('\'');
    let days = if key.trim().eq_ignore_ascii_case("period") {
        match value.to_ascii_uppercase().as_str() {
            "D7" => Ok(7),
            "D30" => Ok(30),
            "D90" => Ok(90),
            "D180" => Ok(180),
            _ => Err(format!(
                "Invalid period '{value}'. Supported values are D7, D30, D90 and D180."
            )),
        }
    } else if key.trim().eq_ignore_ascii_case("date") && report == Report::ActiveUsers {
        Ok(1)
    } else {
        Err(format!("Invalid parameter '{key}'."))
    };
    Some((report, days))
}

/// `GET /reports/getOffice365ActiveUserDetail(period='D30')` and `/reports/getMailboxUsageDetail(period='D7')`.
pub(crate) fn report(ctx: &Ctx<'_>, segment: &str) -> R {
    let Some((report, days)) = parse_call(segment) else {
        return Err(ctx.bad_request(
            "BadRequest",
            &format!("Resource not found for the segment '{segment}'."),
        ));
    };
    ctx.require(&["Reports.Read.All"])?;
    let days = days.map_err(|m| ctx.bad_request("BadRequest", &m))?;
    ctx.window(Window::UsageReport(match report {
        Report::ActiveUsers => 0,
        Report::MailboxUsage => 1,
    }))?;
    let lifetime = ctx.shared.settings.read().report_link_lifetime_seconds;
    let token = {
        let mut rng = ctx.shared.rng.lock();
        format!("{}{}", rng.uuid().simple(), rng.uuid().simple())
    };
    let expires = ctx
        .now
        .checked_add(SignedDuration::from_secs(
            i64::try_from(lifetime).unwrap_or(300),
        ))
        .unwrap_or(ctx.now);
    ctx.shared.downloads.lock().insert(
        token.clone(),
        Download {
            tenant: ctx.caller.tenant_id,
            report,
            days,
            expires,
        },
    );
    Ok(Reply {
        status: StatusCode::FOUND,
        headers: Vec::new(),
        body: ReplyBody::Empty,
    }
    .header(
        header::LOCATION,
        format!("{}/data/download/{token}", ctx.shared.base_url),
    ))
}

/// `GET /data/download/{token}`: the pre-authenticated CSV.
pub(crate) async fn download(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
) -> Response {
    let now = shared.now();
    let found = {
        let mut downloads = shared.downloads.lock();
        downloads.retain(|_, d| d.expires > now);
        downloads.get(&token).cloned()
    };
    let Some(d) = found else {
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain")],
            "The download link has expired or is not valid.",
        )
            .into_response();
    };
    let Some(t) = shared.tenant_by_id(&d.tenant) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let t = t.read();
    let csv = match d.report {
        Report::ActiveUsers => active_users_csv(&t, now, d.days),
        Report::MailboxUsage => mailbox_csv(&t, now, d.days),
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (
                HeaderName::from_static("content-disposition"),
                "attachment; filename=report.csv",
            ),
        ],
        csv,
    )
        .into_response()
}

fn csv_cell(out: &mut String, v: &str) {
    if v.contains([',', '"', '\n']) {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(v);
    }
}

fn day_string(day: Option<i32>) -> String {
    day.and_then(|d| jiff::Timestamp::from_second(i64::from(d) * 86_400).ok())
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn names(t: &Tenant, u: &User) -> (String, String) {
    if t.concealed_names {
        (
            conceal(&t.id, &u.upn),
            conceal(&t.id, &format!("name:{}", u.display_name)),
        )
    } else {
        (u.upn.to_string(), u.display_name.to_string())
    }
}

fn has_plan(u: &User, prefix: &str) -> bool {
    u.licences.iter().any(|l| {
        crate::catalog::sku_by_id(&l.sku_id)
            .is_some_and(|d| d.plans.iter().any(|p| p.name.starts_with(prefix)))
    })
}

fn bool_cell(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

fn active_users_csv(t: &Tenant, now: jiff::Timestamp, days: u32) -> Vec<u8> {
    let refresh_day = i32::try_from(now.as_second() / 86_400 - 2).unwrap_or(0);
    let refresh = day_string(Some(refresh_day));
    let since = refresh_day - i32::try_from(days).unwrap_or(30);
    let within = |d: Option<i32>| d.filter(|d| *d > since && *d <= refresh_day + 2);
    let mut out = String::with_capacity(t.users.len() * 200 + 1024);
    out.push('\u{feff}');
    out.push_str(ACTIVE_HEADER);
    out.push('\n');
    for u in t.users.values().filter(|u| !u.guest) {
        let (upn, name) = names(t, u);
        let assigned = u
            .licences
            .iter()
            .filter_map(|l| crate::catalog::sku_by_id(&l.sku_id))
            .map(|d| d.product_name)
            .collect::<Vec<_>>()
            .join("+");
        let lic_day = u
            .created
            .map(|c| day_string(i32::try_from(c / 86_400).ok()))
            .unwrap_or_default();
        let exch = has_plan(u, "EXCHANGE");
        let od = has_plan(u, "SHAREPOINT");
        let teams = has_plan(u, "TEAMS");
        let yammer = has_plan(u, "YAMMER");
        let _ = write!(out, "{refresh},");
        csv_cell(&mut out, &upn);
        out.push(',');
        csv_cell(&mut out, &name);
        let _ = write!(
            out,
            ",False,,{},{},{},False,{},{},{},{},{},,,{},{},{},{},,{},{},",
            bool_cell(exch),
            bool_cell(od),
            bool_cell(od),
            bool_cell(yammer),
            bool_cell(teams),
            day_string(within(u.usage.exchange_day)),
            day_string(within(u.usage.onedrive_day)),
            day_string(within(u.usage.sharepoint_day)),
            day_string(within(u.usage.teams_day)),
            if exch { lic_day.as_str() } else { "" },
            if od { lic_day.as_str() } else { "" },
            if od { lic_day.as_str() } else { "" },
            if yammer { lic_day.as_str() } else { "" },
            if teams { lic_day.as_str() } else { "" },
        );
        csv_cell(&mut out, &assigned);
        out.push('\n');
    }
    out.into_bytes()
}

fn mailbox_csv(t: &Tenant, now: jiff::Timestamp, days: u32) -> Vec<u8> {
    let refresh_day = i32::try_from(now.as_second() / 86_400 - 2).unwrap_or(0);
    let refresh = day_string(Some(refresh_day));
    let mut out = String::with_capacity(t.users.len() * 160 + 1024);
    out.push('\u{feff}');
    out.push_str(MAILBOX_HEADER);
    out.push('\n');
    for u in t
        .users
        .values()
        .filter(|u| u.mail.is_some() && !u.guest && has_plan(u, "EXCHANGE"))
    {
        let (upn, name) = names(t, u);
        let _ = write!(out, "{refresh},");
        csv_cell(&mut out, &upn);
        out.push(',');
        csv_cell(&mut out, &name);
        let created = u
            .created
            .map(|c| day_string(i32::try_from(c / 86_400).ok()))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            ",False,,{created},{},{},{},{},{},{},{},{},{},{},{days}",
            day_string(u.usage.exchange_day),
            u.usage.items,
            u.usage.storage_bytes,
            53_687_091_200_u64,
            53_687_091_200_u64 + 1_073_741_824,
            53_687_091_200_u64 + 2_147_483_648,
            u.usage.deleted_items,
            u.usage.deleted_bytes,
            32_212_254_720_u64,
            bool_cell(u.usage.has_archive),
        );
    }
    out.into_bytes()
}
