//! `/users`, `/users/{id}`, `/users/$count` and `/users/delta`: selection, filters, paging and
//! change tracking, with pages written straight into a byte buffer.

use std::collections::BTreeMap;
use std::ops::Bound;

use axum::http::{HeaderName, StatusCode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Ctx, R, Reply, ReplyBody, collection};
use crate::model::{Tenant, User};
use crate::throttle::Window;
use crate::util::{format_unix, push_json_str, push_json_uuid, push_key, push_opt_str};

/// Roles that may read users.
pub(crate) const USER_READ: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "User.ReadBasic.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

/// User properties the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prop {
    Id,
    BusinessPhones,
    DisplayName,
    GivenName,
    JobTitle,
    Mail,
    MobilePhone,
    OfficeLocation,
    PreferredLanguage,
    Surname,
    UserPrincipalName,
    AccountEnabled,
    AssignedLicenses,
    City,
    CompanyName,
    Country,
    CreatedDateTime,
    Department,
    LastPasswordChangeDateTime,
    OnPremisesSyncEnabled,
    OtherMails,
    PostalCode,
    ProxyAddresses,
    SignInActivity,
    State,
    StreetAddress,
    UsageLocation,
    UserType,
}

const PROPS: &[(&str, Prop)] = &[
    ("id", Prop::Id),
    ("businessPhones", Prop::BusinessPhones),
    ("displayName", Prop::DisplayName),
    ("givenName", Prop::GivenName),
    ("jobTitle", Prop::JobTitle),
    ("mail", Prop::Mail),
    ("mobilePhone", Prop::MobilePhone),
    ("officeLocation", Prop::OfficeLocation),
    ("preferredLanguage", Prop::PreferredLanguage),
    ("surname", Prop::Surname),
    ("userPrincipalName", Prop::UserPrincipalName),
    ("accountEnabled", Prop::AccountEnabled),
    ("assignedLicenses", Prop::AssignedLicenses),
    ("city", Prop::City),
    ("companyName", Prop::CompanyName),
    ("country", Prop::Country),
    ("createdDateTime", Prop::CreatedDateTime),
    ("department", Prop::Department),
    (
        "lastPasswordChangeDateTime",
        Prop::LastPasswordChangeDateTime,
    ),
    ("onPremisesSyncEnabled", Prop::OnPremisesSyncEnabled),
    ("otherMails", Prop::OtherMails),
    ("postalCode", Prop::PostalCode),
    ("proxyAddresses", Prop::ProxyAddresses),
    ("signInActivity", Prop::SignInActivity),
    ("state", Prop::State),
    ("streetAddress", Prop::StreetAddress),
    ("usageLocation", Prop::UsageLocation),
    ("userType", Prop::UserType),
];

/// The 11 properties returned without `$select`, in Graph's order.
pub(crate) const DEFAULT_PROPS: &[Prop] = &[
    Prop::BusinessPhones,
    Prop::DisplayName,
    Prop::GivenName,
    Prop::JobTitle,
    Prop::Mail,
    Prop::MobilePhone,
    Prop::OfficeLocation,
    Prop::PreferredLanguage,
    Prop::Surname,
    Prop::UserPrincipalName,
    Prop::Id,
];

const UNSELECTABLE: &[&str] = &[
    "aboutMe",
    "birthday",
    "hireDate",
    "interests",
    "mySite",
    "pastProjects",
    "preferredName",
    "responsibilities",
    "schools",
    "skills",
    "mailboxSettings",
];

fn prop_name(p: Prop) -> &'static str {
    PROPS.iter().find(|(_, x)| *x == p).map_or("id", |(n, _)| n)
}

/// A parsed `$select`: the properties in output order (id always last unless selected).
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    pub props: Vec<Prop>,
    pub names: Option<Vec<String>>,
}

impl Selection {
    fn has(&self, p: Prop) -> bool {
        self.props.contains(&p)
    }

    fn context(&self) -> String {
        match &self.names {
            Some(n) => format!("users({})", n.join(",")),
            None => "users".to_owned(),
        }
    }
}

/// Parses `$select` for users (on a collection when `collection`).
pub(crate) fn parse_select(
    ctx: &Ctx<'_>,
    raw: Option<&str>,
    collection: bool,
) -> Result<Selection, Reply> {
    let Some(raw) = raw else {
        return Ok(Selection {
            props: DEFAULT_PROPS.to_vec(),
            names: None,
        });
    };
    let mut props = Vec::new();
    let mut names = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if let Some((canonical, p)) = PROPS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            if !props.contains(p) {
                props.push(*p);
                names.push((*canonical).to_owned());
            }
        } else if collection && UNSELECTABLE.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            return Err(ctx.err(
                StatusCode::NOT_IMPLEMENTED,
                "NotImplemented",
                &format!("The property '{name}' cannot be selected when listing users; read it from a single user."),
            ));
        } else {
            return Err(ctx.bad_request(
                "Request_BadRequest",
                &format!(
                    "Could not find a property named '{name}' on type 'microsoft.graph.user'."
                ),
            ));
        }
    }
    if !props.contains(&Prop::Id) {
        props.push(Prop::Id);
    }
    Ok(Selection {
        props,
        names: Some(names),
    })
}

fn request_id_for(user: &Uuid, ts: i64, salt: u64) -> Uuid {
    let x = user.as_u128()
        ^ (u128::from(ts.unsigned_abs()) << 64)
        ^ u128::from(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    uuid::Builder::from_random_bytes(x.rotate_left(17).to_be_bytes()).into_uuid()
}

fn write_sign_in(b: &mut Vec<u8>, u: &User) {
    let s = u.sign_in;
    if s.interactive.is_none() && s.non_interactive.is_none() && s.successful.is_none() {
        b.extend_from_slice(b"null");
        return;
    }
    let mut first = true;
    b.push(b'{');
    push_key(b, &mut first, "lastSignInDateTime");
    match s.interactive {
        Some(t) => push_json_str(b, &format_unix(t)),
        None => b.extend_from_slice(b"null"),
    }
    push_key(b, &mut first, "lastSignInRequestId");
    match s.interactive {
        Some(t) => push_json_uuid(b, &request_id_for(&u.id, t, 1)),
        None => b.extend_from_slice(b"null"),
    }
    // Graph's own sentinels for "never": a zero date with an empty id, or two empty strings.
    push_key(b, &mut first, "lastNonInteractiveSignInDateTime");
    match s.non_interactive {
        Some(t) => push_json_str(b, &format_unix(t)),
        None => push_json_str(b, "0001-01-01T00:00:00Z"),
    }
    push_key(b, &mut first, "lastNonInteractiveSignInRequestId");
    match s.non_interactive {
        Some(t) => push_json_uuid(b, &request_id_for(&u.id, t, 2)),
        None => push_json_str(b, ""),
    }
    push_key(b, &mut first, "lastSuccessfulSignInDateTime");
    match s.successful {
        Some(t) => push_json_str(b, &format_unix(t)),
        None => push_json_str(b, ""),
    }
    push_key(b, &mut first, "lastSuccessfulSignInRequestId");
    match s.successful {
        Some(t) => push_json_uuid(b, &request_id_for(&u.id, t, 3)),
        None => push_json_str(b, ""),
    }
    b.push(b'}');
}

fn push_str_array(b: &mut Vec<u8>, items: &[Box<str>]) {
    b.push(b'[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            b.push(b',');
        }
        push_json_str(b, s);
    }
    b.push(b']');
}

/// Writes one user object with the selected properties.
pub(crate) fn write_user(
    b: &mut Vec<u8>,
    t: &Tenant,
    u: &User,
    props: &[Prop],
    prefix: Option<&str>,
) {
    b.push(b'{');
    let mut first = true;
    if let Some(p) = prefix {
        push_key(b, &mut first, "@odata.type");
        push_json_str(b, p);
    }
    let s = &t.strings;
    for p in props {
        push_key(b, &mut first, prop_name(*p));
        match p {
            Prop::Id => push_json_uuid(b, &u.id),
            Prop::BusinessPhones => {
                b.push(b'[');
                if let Some(p) = &u.business_phone {
                    push_json_str(b, p);
                }
                b.push(b']');
            }
            Prop::DisplayName => push_json_str(b, &u.display_name),
            Prop::GivenName => push_opt_str(b, u.given_name.as_deref()),
            Prop::JobTitle => push_opt_str(b, s.get(u.job_title)),
            Prop::Mail => push_opt_str(b, u.mail.as_deref()),
            Prop::MobilePhone => push_opt_str(b, u.mobile_phone.as_deref()),
            Prop::OfficeLocation => push_opt_str(b, s.get(u.office_location)),
            Prop::PreferredLanguage => push_opt_str(b, s.get(u.preferred_language)),
            Prop::Surname => push_opt_str(b, u.surname.as_deref()),
            Prop::UserPrincipalName => push_json_str(b, &u.upn),
            Prop::AccountEnabled => {
                b.extend_from_slice(if u.account_enabled { b"true" } else { b"false" })
            }
            Prop::AssignedLicenses => {
                b.push(b'[');
                for (i, l) in u.licences.iter().enumerate() {
                    if i > 0 {
                        b.push(b',');
                    }
                    b.extend_from_slice(b"{\"disabledPlans\":[");
                    for (j, d) in l.disabled_plans.iter().enumerate() {
                        if j > 0 {
                            b.push(b',');
                        }
                        push_json_uuid(b, d);
                    }
                    b.extend_from_slice(b"],\"skuId\":");
                    push_json_uuid(b, &l.sku_id);
                    b.push(b'}');
                }
                b.push(b']');
            }
            Prop::City => push_opt_str(b, s.get(u.city)),
            Prop::CompanyName => push_opt_str(b, s.get(u.company_name)),
            Prop::Country => push_opt_str(b, s.get(u.country)),
            Prop::CreatedDateTime => match u.created {
                Some(c) => push_json_str(b, &format_unix(c)),
                None => b.extend_from_slice(b"null"),
            },
            Prop::Department => push_opt_str(b, s.get(u.department)),
            Prop::LastPasswordChangeDateTime => push_json_str(b, &format_unix(u.password_changed)),
            Prop::OnPremisesSyncEnabled => match u.on_premises_sync {
                Some(true) => b.extend_from_slice(b"true"),
                Some(false) => b.extend_from_slice(b"false"),
                None => b.extend_from_slice(b"null"),
            },
            Prop::OtherMails => push_str_array(b, &u.other_mails),
            Prop::PostalCode => push_opt_str(b, u.postal_code.as_deref()),
            Prop::ProxyAddresses => push_str_array(b, &u.proxy_addresses),
            Prop::SignInActivity => write_sign_in(b, u),
            Prop::State => push_opt_str(b, s.get(u.state)),
            Prop::StreetAddress => push_opt_str(b, u.street_address.as_deref()),
            Prop::UsageLocation => push_opt_str(b, s.get(u.usage_location)),
            Prop::UserType => push_json_str(b, u.user_type()),
        }
    }
    b.push(b'}');
}

// ---- $filter ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    DisplayName,
    GivenName,
    Surname,
    Upn,
    Mail,
    JobTitle,
    Department,
    Country,
    City,
}

#[derive(Debug, Clone)]
enum Clause {
    AccountEnabled {
        value: bool,
        negate: bool,
    },
    UserType {
        guest: bool,
        negate: bool,
    },
    LicenceCount {
        nonzero: bool,
    },
    AnyLicence(Uuid),
    Eq {
        field: Field,
        value: String,
        negate: bool,
    },
    StartsWith {
        field: Field,
        value: String,
    },
    EndsWith {
        field: Field,
        value: String,
    },
}

/// A parsed user `$filter`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    clauses: Vec<Clause>,
    advanced: Option<&'static str>,
}

fn field_of(name: &str) -> Option<Field> {
    Some(match name.to_ascii_lowercase().as_str() {
        "id" => Field::Id,
        "displayname" => Field::DisplayName,
        "givenname" => Field::GivenName,
        "surname" => Field::Surname,
        "userprincipalname" => Field::Upn,
        "mail" => Field::Mail,
        "jobtitle" => Field::JobTitle,
        "department" => Field::Department,
        "country" => Field::Country,
        "city" => Field::City,
        _ => return None,
    })
}

fn unquote(v: &str) -> Option<String> {
    let v = v.trim();
    let inner = v.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

fn split_and(s: &str) -> Vec<&str> {
    split_outside_quotes(s, " and ")
}

/// Splits on `separator` (ASCII, case-insensitive) outside quoted strings.
fn split_outside_quotes<'a>(s: &'a str, separator: &str) -> Vec<&'a str> {
    let width = separator.len();
    let mut parts = Vec::new();
    let bytes = s.as_bytes();
    let mut in_quote = false;
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            in_quote = !in_quote;
        } else if !in_quote
            && i + width <= bytes.len()
            && bytes[i..i + width].eq_ignore_ascii_case(separator.as_bytes())
        {
            parts.push(&s[start..i]);
            start = i + width;
            i += width;
            continue;
        }
        i += 1;
    }
    parts.push(&s[start..]);
    parts
}

fn unsupported_clause(ctx: &Ctx<'_>, what: &str) -> Reply {
    ctx.bad_request(
        "Request_UnsupportedQuery",
        &format!("Unsupported or invalid query filter clause specified for property '{what}' of resource 'User'."),
    )
}

/// Parses a user `$filter`.
pub(crate) fn parse_filter(ctx: &Ctx<'_>, raw: Option<&str>) -> Result<Filter, Reply> {
    let mut f = Filter::default();
    let Some(raw) = raw else { return Ok(f) };
    if raw.to_ascii_lowercase().contains(" or ") {
        return Err(ctx.bad_request(
            "Request_UnsupportedQuery",
            "The emulator supports only 'and' between filter clauses.",
        ));
    }
    for part in split_and(raw.trim()) {
        let part = part
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .trim();
        let lower = part.to_ascii_lowercase();
        if let Some(rest) = lower
            .strip_prefix("startswith(")
            .or_else(|| lower.strip_prefix("endswith("))
        {
            let ends = lower.starts_with("endswith(");
            let rest_orig = &part[part.len() - rest.len()..];
            let (name, value) = rest_orig
                .trim_end_matches(')')
                .split_once(',')
                .ok_or_else(|| invalid_filter(ctx))?;
            let field =
                field_of(name.trim()).ok_or_else(|| unsupported_clause(ctx, name.trim()))?;
            let value = unquote(value).ok_or_else(|| invalid_filter(ctx))?;
            if ends {
                f.advanced.get_or_insert("endsWith");
                f.clauses.push(Clause::EndsWith { field, value });
            } else {
                f.clauses.push(Clause::StartsWith { field, value });
            }
            continue;
        }
        if lower.starts_with("assignedlicenses/any(") {
            let pos = lower
                .find("skuid eq ")
                .ok_or_else(|| unsupported_clause(ctx, "assignedLicenses"))?;
            let v = part[pos + 9..]
                .trim()
                .trim_end_matches(')')
                .trim()
                .trim_matches('\'');
            let id = Uuid::try_parse(v).map_err(|_| invalid_filter(ctx))?;
            f.clauses.push(Clause::AnyLicence(id));
            continue;
        }
        let mut words = part.splitn(3, ' ');
        let (Some(name), Some(op), Some(value)) = (words.next(), words.next(), words.next()) else {
            return Err(invalid_filter(ctx));
        };
        let negate = match op.to_ascii_lowercase().as_str() {
            "eq" => false,
            "ne" => true,
            other => {
                return Err(ctx.bad_request(
                    "Request_UnsupportedQuery",
                    &format!("Operator '{other}' is not supported by the emulator for users."),
                ));
            }
        };
        if negate {
            f.advanced.get_or_insert("ne");
        }
        let lname = name.to_ascii_lowercase();
        match lname.as_str() {
            "accountenabled" => {
                let value = match value.trim().to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(invalid_filter(ctx)),
                };
                f.clauses.push(Clause::AccountEnabled { value, negate });
            }
            "usertype" => {
                let v = unquote(value).ok_or_else(|| invalid_filter(ctx))?;
                let guest = v.eq_ignore_ascii_case("guest");
                if !guest && !v.eq_ignore_ascii_case("member") {
                    return Err(invalid_filter(ctx));
                }
                f.clauses.push(Clause::UserType { guest, negate });
            }
            "assignedlicenses/$count" => {
                let n: u32 = value.trim().parse().map_err(|_| invalid_filter(ctx))?;
                if n != 0 {
                    return Err(unsupported_clause(ctx, "assignedLicenses"));
                }
                f.advanced = Some("$count");
                f.clauses.push(Clause::LicenceCount { nonzero: negate });
            }
            _ => {
                let field = field_of(name).ok_or_else(|| unsupported_clause(ctx, name))?;
                let value = unquote(value)
                    .or_else(|| (field == Field::Id).then(|| value.trim().to_owned()))
                    .ok_or_else(|| invalid_filter(ctx))?;
                f.clauses.push(Clause::Eq {
                    field,
                    value,
                    negate,
                });
            }
        }
    }
    Ok(f)
}

fn invalid_filter(ctx: &Ctx<'_>) -> Reply {
    ctx.bad_request("BadRequest", "Invalid filter clause")
}

fn field_value<'a>(t: &'a Tenant, u: &'a User, f: Field) -> Option<&'a str> {
    let s = &t.strings;
    match f {
        Field::Id => None,
        Field::DisplayName => Some(&u.display_name),
        Field::GivenName => u.given_name.as_deref(),
        Field::Surname => u.surname.as_deref(),
        Field::Upn => Some(&u.upn),
        Field::Mail => u.mail.as_deref(),
        Field::JobTitle => s.get(u.job_title),
        Field::Department => s.get(u.department),
        Field::Country => s.get(u.country),
        Field::City => s.get(u.city),
    }
}

impl Filter {
    /// Whether `u` matches every clause.
    pub fn matches(&self, t: &Tenant, u: &User) -> bool {
        self.clauses.iter().all(|c| match c {
            Clause::AccountEnabled { value, negate } => (u.account_enabled == *value) != *negate,
            Clause::UserType { guest, negate } => (u.guest == *guest) != *negate,
            Clause::LicenceCount { nonzero } => u.licences.is_empty() != *nonzero,
            Clause::AnyLicence(id) => u.licences.iter().any(|l| &l.sku_id == id),
            Clause::Eq {
                field: Field::Id,
                value,
                negate,
            } => (Uuid::try_parse(value).ok() == Some(u.id)) != *negate,
            Clause::Eq {
                field,
                value,
                negate,
            } => {
                field_value(t, u, *field).is_some_and(|v| v.eq_ignore_ascii_case(value)) != *negate
            }
            Clause::StartsWith { field, value } => field_value(t, u, *field)
                .is_some_and(|v| v.to_lowercase().starts_with(&value.to_lowercase())),
            Clause::EndsWith { field, value } => field_value(t, u, *field)
                .is_some_and(|v| v.to_lowercase().ends_with(&value.to_lowercase())),
        })
    }

    fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }
}

fn check_advanced(ctx: &Ctx<'_>, f: &Filter) -> Result<(), Reply> {
    if let Some(op) = f.advanced
        && !(ctx.eventual() && ctx.count_requested())
    {
        return Err(ctx.bad_request(
            "Request_UnsupportedQuery",
            &format!("Operator '{op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"),
        ));
    }
    Ok(())
}

fn check_unsupported_options(ctx: &Ctx<'_>) -> Result<(), Reply> {
    if ctx.param("$skip").is_some() {
        return Err(ctx.bad_request(
            "Request_BadRequest",
            "'$skip' is not supported by the service.",
        ));
    }
    if ctx.param("$search").is_some() {
        if !ctx.eventual() {
            return Err(ctx.bad_request(
                "Request_UnsupportedQuery",
                "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
            ));
        }
        return Err(ctx.bad_request(
            "Request_UnsupportedQuery",
            "$search is not supported by the emulator.",
        ));
    }
    if ctx.param("$orderby").is_some() {
        return Err(ctx.bad_request(
            "Request_UnsupportedQuery",
            "$orderby is not supported by the emulator.",
        ));
    }
    if ctx.param("$expand").is_some() {
        return Err(ctx.bad_request(
            "Request_UnsupportedQuery",
            "$expand is not supported by the emulator.",
        ));
    }
    Ok(())
}

/// The checks that `signInActivity` brings: AuditLog.Read.All, Entra ID P1/P2, and its own limit.
fn check_sign_in(ctx: &Ctx<'_>, sel: &Selection) -> Result<(), Reply> {
    if sel.has(Prop::SignInActivity) {
        ctx.require(&["AuditLog.Read.All"])?;
        if !ctx.caller.tenant.read().has_premium() {
            return Err(ctx.not_premium());
        }
        ctx.window(Window::SignInActivity)?;
    }
    Ok(())
}

/// `GET /users`.
pub(crate) fn list(ctx: &Ctx<'_>) -> R {
    ctx.require(USER_READ)?;
    check_unsupported_options(ctx)?;
    let sel = parse_select(ctx, ctx.param("$select"), true)?;
    let filter = parse_filter(ctx, ctx.param("$filter"))?;
    check_advanced(ctx, &filter)?;
    let mut top = ctx.top(100, 999)?;
    if sel.has(Prop::SignInActivity) {
        top = top.min(500);
    }
    check_sign_in(ctx, &sel)?;
    ctx.charge(2)?;
    let (page, cursor) = ctx.read_skiptoken("users")?;
    ctx.page_fault(page)?;
    let after = if cursor.is_empty() {
        None
    } else {
        Some(Uuid::try_parse(&cursor).map_err(|_| {
            ctx.bad_request(
                "Request_BadRequest",
                "The specified page token value has expired or is invalid.",
            )
        })?)
    };
    let t = ctx.caller.tenant.read();
    let range = match after {
        Some(id) => t.users.range((Bound::Excluded(id), Bound::Unbounded)),
        None => t.users.range::<Uuid, _>(..),
    };
    let mut items: Vec<&User> = Vec::with_capacity(top as usize + 1);
    for (_, u) in range {
        if filter.is_empty() || filter.matches(&t, u) {
            items.push(u);
            if items.len() > top as usize {
                break;
            }
        }
    }
    let more = items.len() > top as usize;
    items.truncate(top as usize);
    let next = if more {
        items
            .last()
            .map(|u| ctx.next_link(&ctx.skiptoken("users", page + 1, &u.id.to_string())))
    } else {
        None
    };
    let count = (page == 1 && ctx.eventual() && ctx.count_requested())
        .then(|| t.users.values().filter(|u| filter.matches(&t, u)).count());
    let body = collection(&ctx.context(&sel.context()), count, next.as_deref(), |b| {
        b.reserve(items.len() * 400);
        for (i, u) in items.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            write_user(b, &t, u, &sel.props, None);
        }
    });
    Ok(Reply::ok_json(body))
}

/// `GET /users/$count`.
pub(crate) fn count(ctx: &Ctx<'_>) -> R {
    ctx.require(USER_READ)?;
    if !ctx.eventual() {
        return Err(ctx.bad_request("Request_BadRequest", "$count is not currently supported."));
    }
    let filter = parse_filter(ctx, ctx.param("$filter"))?;
    ctx.charge(2)?;
    let t = ctx.caller.tenant.read();
    let n = t.users.values().filter(|u| filter.matches(&t, u)).count();
    Ok(Reply {
        status: StatusCode::OK,
        headers: Vec::new(),
        body: ReplyBody::Text(n.to_string()),
    })
}

/// `GET /users/{id or userPrincipalName}`.
pub(crate) fn get(ctx: &Ctx<'_>, key: &str) -> R {
    ctx.require(USER_READ)?;
    let sel = parse_select(ctx, ctx.param("$select"), false)?;
    check_sign_in(ctx, &sel)?;
    ctx.charge(2)?;
    let t = ctx.caller.tenant.read();
    let u = t.find_user(key).ok_or_else(|| ctx.not_found(key))?;
    let mut b = Vec::with_capacity(1024);
    write_user(&mut b, &t, u, &sel.props, None);
    // Put the context in front of the object's own members.
    let mut out = Vec::with_capacity(b.len() + 100);
    out.extend_from_slice(b"{\"@odata.context\":");
    push_json_str(
        &mut out,
        &ctx.context(&format!("{}/$entity", sel.context())),
    );
    out.push(b',');
    out.extend_from_slice(&b[1..]);
    Ok(Reply::ok_json(out))
}

// ---- delta ----

/// Graph names of the properties whose values differ between two versions of a user.
pub(crate) fn changed_properties(t: &Tenant, old: &User, new: &User) -> Vec<&'static str> {
    let every: Vec<Prop> = PROPS.iter().map(|(_, p)| *p).collect();
    let render = |u: &User| {
        let mut b = Vec::with_capacity(1024);
        write_user(&mut b, t, u, &every, None);
        serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&b).unwrap_or_default()
    };
    let (before, after) = (render(old), render(new));
    PROPS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| before.get(*name) != after.get(*name))
        .collect()
}

/// `Prefer: return=minimal` was sent.
fn wants_minimal(ctx: &Ctx<'_>) -> bool {
    ctx.req
        .headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case("return=minimal"))
}

/// What a minimal round shows of a changed user: the whole selection when the user appeared
/// after `since` (or `since` is the start), otherwise the selected properties that changed.
fn minimal_props(t: &Tenant, id: Uuid, since: u64, selection: &[Prop]) -> Vec<Prop> {
    if since == 0 {
        return selection.to_vec();
    }
    let mut changed: Vec<&'static str> = Vec::new();
    for revision in t
        .revisions
        .iter()
        .filter(|r| r.id == id && r.version > since)
    {
        match &revision.properties {
            None => return selection.to_vec(),
            Some(properties) => changed.extend(properties.iter().copied()),
        }
    }
    if changed.is_empty() {
        return selection.to_vec();
    }
    selection
        .iter()
        .copied()
        .filter(|p| *p == Prop::Id || changed.contains(&prop_name(*p)))
        .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DeltaState {
    /// Tenant (simple form).
    t: String,
    /// Tenant delta epoch.
    e: u32,
    /// Changes after this version are reported.
    s: u64,
    /// The version when this round started (the next round's `s`).
    u: u64,
    /// Cursor: last id served.
    c: Option<Uuid>,
    /// Page number within the round.
    p: u32,
    /// Selected property names.
    sel: Option<Vec<String>>,
    /// The users tracked (`$filter=id eq '…' or …`); every user when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f: Option<Vec<Uuid>>,
    /// When the round (or the delta link) was issued, Unix seconds.
    i: i64,
}

fn encode_state(s: &DeltaState) -> String {
    let mut raw = serde_json::to_vec(s).unwrap_or_default();
    for (i, b) in raw.iter_mut().enumerate() {
        *b ^= 0x3C ^ u8::try_from(i % 241).unwrap_or(0);
    }
    crate::util::b64url(&raw)
}

fn decode_state(tok: &str) -> Option<DeltaState> {
    let mut raw = crate::util::b64url_decode(tok)?;
    for (i, b) in raw.iter_mut().enumerate() {
        *b ^= 0x3C ^ u8::try_from(i % 241).unwrap_or(0);
    }
    serde_json::from_slice(&raw).ok()
}

fn sync_state_not_found(ctx: &Ctx<'_>) -> Reply {
    ctx.bad_request(
        "syncStateNotFound",
        "The sync state generation is not found. The delta token is expired and data must be synchronized again.",
    )
}

fn page_size(ctx: &Ctx<'_>) -> usize {
    ctx.header("prefer")
        .and_then(|p| {
            p.split(',').find_map(|part| {
                let part = part.trim();
                part.strip_prefix("odata.maxpagesize=")
                    .and_then(|n| n.trim().parse::<usize>().ok())
            })
        })
        .map_or(100, |n| n.clamp(1, 999))
}

/// Most ids a delta `$filter` may name.
const DELTA_FILTER_MAX_IDS: usize = 50;

/// Parses the only `$filter` delta accepts: `id eq '…'` clauses joined by `or`.
fn delta_filter(ctx: &Ctx<'_>) -> Result<Option<Vec<Uuid>>, Reply> {
    let Some(raw) = ctx.param("$filter") else {
        return Ok(None);
    };
    let unsupported = || {
        ctx.bad_request(
            "Request_UnsupportedQuery",
            "Only 'id eq' clauses joined by 'or' are supported by $filter on users/delta.",
        )
    };
    let mut ids = Vec::new();
    for clause in split_outside_quotes(raw.trim(), " or ") {
        let mut words = clause.split_whitespace();
        let (Some(name), Some(op), Some(value), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(unsupported());
        };
        if !name.eq_ignore_ascii_case("id") || !op.eq_ignore_ascii_case("eq") {
            return Err(unsupported());
        }
        let id = Uuid::try_parse(value.trim_matches('\'')).map_err(|_| invalid_filter(ctx))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() > DELTA_FILTER_MAX_IDS {
        return Err(ctx.bad_request(
            "Request_UnsupportedQuery",
            &format!("A delta $filter names at most {DELTA_FILTER_MAX_IDS} ids."),
        ));
    }
    Ok(Some(ids))
}

/// `GET /users/delta`.
pub(crate) fn delta(ctx: &Ctx<'_>) -> R {
    ctx.require(USER_READ)?;
    let now_s = ctx.now.as_second();
    let lifetime =
        i64::try_from(ctx.shared.settings.read().delta_token_lifetime_seconds).unwrap_or(i64::MAX);
    let (epoch, version) = {
        let t = ctx.caller.tenant.read();
        (t.delta_epoch, t.version)
    };
    let tenant_simple = ctx.caller.tenant_id.simple().to_string();
    let token = ctx.param("$deltatoken").or_else(|| ctx.param("$skiptoken"));
    let mut state = match token {
        Some("latest") if ctx.param("$deltatoken").is_some() => DeltaState {
            t: tenant_simple.clone(),
            e: epoch,
            s: version,
            u: version,
            c: None,
            p: 1,
            sel: ctx
                .param("$select")
                .map(|s| s.split(',').map(|x| x.trim().to_owned()).collect()),
            f: delta_filter(ctx)?,
            i: now_s,
        },
        Some(tok) => {
            let st = decode_state(tok).ok_or_else(|| sync_state_not_found(ctx))?;
            if st.t != tenant_simple || st.e != epoch || now_s.saturating_sub(st.i) > lifetime {
                return Err(sync_state_not_found(ctx));
            }
            st
        }
        None => DeltaState {
            t: tenant_simple.clone(),
            e: epoch,
            s: 0,
            u: version,
            c: None,
            p: 1,
            sel: ctx.param("$select").map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_owned())
                    .filter(|x| !x.is_empty())
                    .collect()
            }),
            f: delta_filter(ctx)?,
            i: now_s,
        },
    };
    // A fresh deltaLink round (not a skiptoken continuation) starts where the last one ended.
    if ctx.param("$deltatoken").is_some() && token != Some("latest") {
        state.u = version;
        state.c = None;
        state.p = 1;
    }
    let sel_raw = state.sel.as_ref().map(|v| v.join(","));
    let sel = parse_select(ctx, sel_raw.as_deref(), true)?;
    if sel.has(Prop::SignInActivity) {
        return Err(ctx.bad_request(
            "Request_UnsupportedQuery",
            "signInActivity cannot be tracked with delta.",
        ));
    }
    ctx.charge(2)?;
    ctx.page_fault(state.p)?;
    let minimal = wants_minimal(ctx);
    let t = ctx.caller.tenant.read();
    let size = page_size(ctx);
    let mut items: Vec<(Uuid, Option<&User>, bool)> = Vec::with_capacity(size + 1);
    if token != Some("latest") {
        let tracked = |id: &Uuid| state.f.as_ref().is_none_or(|ids| ids.contains(id));
        let tomb: BTreeMap<Uuid, bool> = if state.s > 0 {
            t.tombstones
                .iter()
                .filter(|x| x.version > state.s && tracked(&x.id))
                .map(|x| (x.id, x.hard))
                .collect()
        } else {
            BTreeMap::new()
        };
        let lower = state.c.map_or(Bound::Unbounded, Bound::Excluded);
        let mut users = t
            .users
            .range((lower, Bound::Unbounded))
            .filter(|(id, u)| u.version > state.s && tracked(id))
            .peekable();
        let mut tombs = tomb.range((lower, Bound::Unbounded)).peekable();
        while items.len() <= size {
            let next_user = users.peek().map(|(id, _)| **id);
            let next_tomb = tombs.peek().map(|(id, _)| **id);
            match (next_user, next_tomb) {
                (None, None) => break,
                (Some(a), Some(b)) if b < a => {
                    if let Some((id, hard)) = tombs.next() {
                        items.push((*id, None, *hard));
                    }
                }
                (Some(_), _) => {
                    if let Some((id, u)) = users.next() {
                        items.push((*id, Some(u), false));
                    }
                }
                (None, Some(_)) => {
                    if let Some((id, hard)) = tombs.next() {
                        items.push((*id, None, *hard));
                    }
                }
            }
        }
    }
    let more = items.len() > size;
    items.truncate(size);
    let (next, delta_link) = if more {
        let mut st = state.clone();
        st.c = items.last().map(|x| x.0);
        st.p += 1;
        (
            Some(ctx.url(&format!("users/delta?$skiptoken={}", encode_state(&st)))),
            None,
        )
    } else {
        let st = DeltaState {
            t: tenant_simple,
            e: epoch,
            s: state.u,
            u: state.u,
            c: None,
            p: 1,
            sel: state.sel.clone(),
            f: state.f.clone(),
            i: now_s,
        };
        (
            None,
            Some(ctx.url(&format!("users/delta?$deltatoken={}", encode_state(&st)))),
        )
    };
    let mut b = Vec::with_capacity(items.len() * 400 + 512);
    b.push(b'{');
    let mut first = true;
    push_key(&mut b, &mut first, "@odata.context");
    push_json_str(&mut b, &ctx.context(&sel.context()));
    if let Some(n) = &next {
        push_key(&mut b, &mut first, "@odata.nextLink");
        push_json_str(&mut b, n);
    }
    if let Some(d) = &delta_link {
        push_key(&mut b, &mut first, "@odata.deltaLink");
        push_json_str(&mut b, d);
    }
    push_key(&mut b, &mut first, "value");
    b.push(b'[');
    for (i, (id, user, hard)) in items.iter().enumerate() {
        if i > 0 {
            b.push(b',');
        }
        match user {
            Some(u) if minimal => {
                let props = minimal_props(&t, u.id, state.s, &sel.props);
                write_user(&mut b, &t, u, &props, None);
            }
            Some(u) => write_user(&mut b, &t, u, &sel.props, None),
            None => {
                b.extend_from_slice(b"{\"id\":");
                push_json_uuid(&mut b, id);
                b.extend_from_slice(b",\"@removed\":{\"reason\":");
                push_json_str(&mut b, if *hard { "deleted" } else { "changed" });
                b.extend_from_slice(b"}}");
            }
        }
    }
    b.extend_from_slice(b"]}");
    Ok(Reply::ok_json(b).header(
        HeaderName::from_static("preference-applied"),
        "odata.track-changes",
    ))
}
