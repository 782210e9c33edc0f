//! `/groups`, `/groups/{id}`, `/groups/{id}/members` and `/groups/{id}/transitiveMembers`,
//! with mixed member types and the limited view of objects the app may not read.

use std::collections::HashSet;

use uuid::Uuid;

use super::users::{DEFAULT_PROPS, USER_READ, write_user};
use super::{Ctx, R, Reply, collection};
use crate::model::{Group, MemberKind, MemberRef, Tenant};
use crate::util::{format_unix, push_json_str, push_json_uuid, push_key, push_opt_str};

const GROUP_READ: &[&str] = &[
    "GroupMember.Read.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

fn write_group(b: &mut Vec<u8>, t: &Tenant, g: &Group, typed: bool) {
    b.push(b'{');
    let mut first = true;
    if typed {
        push_key(b, &mut first, "@odata.type");
        push_json_str(b, "#microsoft.graph.group");
    }
    push_key(b, &mut first, "id");
    push_json_uuid(b, &g.id);
    push_key(b, &mut first, "deletedDateTime");
    b.extend_from_slice(b"null");
    push_key(b, &mut first, "classification");
    b.extend_from_slice(b"null");
    push_key(b, &mut first, "createdDateTime");
    push_json_str(b, &format_unix(g.created));
    push_key(b, &mut first, "description");
    push_opt_str(b, g.description.as_deref());
    push_key(b, &mut first, "displayName");
    push_json_str(b, &g.display_name);
    push_key(b, &mut first, "groupTypes");
    b.extend_from_slice(if g.unified { b"[\"Unified\"]" } else { b"[]" });
    push_key(b, &mut first, "mail");
    push_opt_str(b, g.mail.as_deref());
    push_key(b, &mut first, "mailEnabled");
    b.extend_from_slice(if g.unified { b"true" } else { b"false" });
    push_key(b, &mut first, "mailNickname");
    push_json_str(b, &g.mail_nickname);
    push_key(b, &mut first, "onPremisesSyncEnabled");
    b.extend_from_slice(b"null");
    push_key(b, &mut first, "proxyAddresses");
    b.push(b'[');
    if let Some(m) = &g.mail {
        push_json_str(b, &format!("SMTP:{m}"));
        b.push(b',');
        push_json_str(b, &format!("SPO:SPO_{}@SPO_{}", g.id, t.id));
    }
    b.push(b']');
    push_key(b, &mut first, "renewedDateTime");
    push_json_str(b, &format_unix(g.created));
    push_key(b, &mut first, "securityEnabled");
    b.extend_from_slice(if g.unified { b"false" } else { b"true" });
    push_key(b, &mut first, "visibility");
    push_opt_str(b, g.visibility.as_deref());
    b.push(b'}');
}

fn find_group<'a>(ctx: &Ctx<'_>, t: &'a Tenant, key: &str) -> Result<&'a Group, Reply> {
    Uuid::try_parse(key)
        .ok()
        .and_then(|id| t.groups.get(&id))
        .ok_or_else(|| ctx.not_found(key))
}

/// `GET /groups`.
pub(crate) fn list(ctx: &Ctx<'_>) -> R {
    ctx.require(GROUP_READ)?;
    let top = ctx.top(100, 999)?;
    ctx.charge(2)?;
    let (page, cursor) = ctx.read_skiptoken("groups")?;
    ctx.page_fault(page)?;
    let t = ctx.caller.tenant.read();
    let after = Uuid::try_parse(&cursor).ok();
    let mut items: Vec<&Group> = t
        .groups
        .iter()
        .filter(|(id, _)| after.is_none_or(|a| **id > a))
        .map(|(_, g)| g)
        .take(top as usize + 1)
        .collect();
    let more = items.len() > top as usize;
    items.truncate(top as usize);
    let next = more
        .then(|| {
            items
                .last()
                .map(|g| ctx.next_link(&ctx.skiptoken("groups", page + 1, &g.id.to_string())))
        })
        .flatten();
    let body = collection(&ctx.context("groups"), None, next.as_deref(), |b| {
        for (i, g) in items.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            write_group(b, &t, g, false);
        }
    });
    Ok(Reply::ok_json(body))
}

/// `GET /groups/{id}`.
pub(crate) fn get(ctx: &Ctx<'_>, key: &str) -> R {
    ctx.require(GROUP_READ)?;
    ctx.charge(1)?;
    let t = ctx.caller.tenant.read();
    let g = find_group(ctx, &t, key)?;
    let mut b = Vec::new();
    b.extend_from_slice(b"{\"@odata.context\":");
    push_json_str(&mut b, &ctx.context("groups/$entity"));
    b.push(b',');
    let mut inner = Vec::new();
    write_group(&mut inner, &t, g, false);
    b.extend_from_slice(&inner[1..]);
    Ok(Reply::ok_json(b))
}

/// Every member below `group`, nested groups included, each once.
fn transitive(t: &Tenant, group: &Group) -> Vec<MemberRef> {
    let mut out = Vec::new();
    let mut seen: HashSet<Uuid> = HashSet::new();
    seen.insert(group.id);
    let mut stack: Vec<&Group> = vec![group];
    while let Some(g) = stack.pop() {
        for m in &g.members {
            if seen.insert(m.id) {
                out.push(*m);
                if m.kind == MemberKind::Group
                    && let Some(inner) = t.groups.get(&m.id)
                {
                    stack.push(inner);
                }
            }
        }
    }
    out
}

fn write_member(ctx: &Ctx<'_>, b: &mut Vec<u8>, t: &Tenant, m: &MemberRef) {
    let read_users = ctx.caller.has_any(USER_READ);
    match m.kind {
        MemberKind::User => match t.users.get(&m.id) {
            Some(u) if read_users => {
                write_user(b, t, u, DEFAULT_PROPS, Some("#microsoft.graph.user"))
            }
            _ => limited(
                b,
                "#microsoft.graph.user",
                &m.id,
                &[
                    "businessPhones",
                    "displayName",
                    "givenName",
                    "jobTitle",
                    "mail",
                    "mobilePhone",
                    "officeLocation",
                    "preferredLanguage",
                    "surname",
                    "userPrincipalName",
                ],
            ),
        },
        MemberKind::Group => match t.groups.get(&m.id) {
            Some(g) => write_group(b, t, g, true),
            None => limited(b, "#microsoft.graph.group", &m.id, &["displayName"]),
        },
        // The app never holds Device.Read.All or OrgContact.Read.All: these come back limited.
        MemberKind::Device => limited(
            b,
            "#microsoft.graph.device",
            &m.id,
            &[
                "accountEnabled",
                "deviceId",
                "displayName",
                "operatingSystem",
                "operatingSystemVersion",
            ],
        ),
        MemberKind::OrgContact => limited(
            b,
            "#microsoft.graph.orgContact",
            &m.id,
            &["displayName", "mail", "companyName"],
        ),
    }
}

fn limited(b: &mut Vec<u8>, ty: &str, id: &Uuid, props: &[&str]) {
    b.push(b'{');
    let mut first = true;
    push_key(b, &mut first, "@odata.type");
    push_json_str(b, ty);
    push_key(b, &mut first, "id");
    push_json_uuid(b, id);
    for p in props {
        push_key(b, &mut first, p);
        b.extend_from_slice(b"null");
    }
    b.push(b'}');
}

/// `GET /groups/{id}/members` and `/transitiveMembers`.
pub(crate) fn members(ctx: &Ctx<'_>, key: &str, transitive_members: bool) -> R {
    ctx.require(GROUP_READ)?;
    let top = ctx.top(100, 999)?;
    ctx.charge(if transitive_members { 5 } else { 3 })?;
    let kind = if transitive_members {
        "tmembers"
    } else {
        "members"
    };
    let (page, cursor) = ctx.read_skiptoken(kind)?;
    ctx.page_fault(page)?;
    let t = ctx.caller.tenant.read();
    let g = find_group(ctx, &t, key)?;
    let all = if transitive_members {
        transitive(&t, g)
    } else {
        g.members.clone()
    };
    let offset: usize = if cursor.is_empty() {
        0
    } else {
        cursor.parse().unwrap_or(usize::MAX)
    };
    let end = offset.saturating_add(top as usize).min(all.len());
    let slice = all.get(offset..end).unwrap_or(&[]);
    let next =
        (end < all.len()).then(|| ctx.next_link(&ctx.skiptoken(kind, page + 1, &end.to_string())));
    let count = (page == 1 && ctx.eventual() && ctx.count_requested()).then_some(all.len());
    let body = collection(
        &ctx.context("directoryObjects"),
        count,
        next.as_deref(),
        |b| {
            for (i, m) in slice.iter().enumerate() {
                if i > 0 {
                    b.push(b',');
                }
                write_member(ctx, b, &t, m);
            }
        },
    );
    Ok(Reply::ok_json(body))
}
