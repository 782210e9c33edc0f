//! Tenant-level endpoints: organization, subscribedSkus, secureScores, userRegistrationDetails,
//! admin/reportSettings, managedDevices and the partner's delegatedAdminCustomers.

use serde_json::{Value, json};
use uuid::Uuid;

use super::{Ctx, R, Reply, to_json};
use crate::model::{METHODS, PREFERRED};
use crate::throttle::Window;
use crate::util::{format_7, format_unix};

const ORG_READ: &[&str] = &[
    "Organization.Read.All",
    "Organization.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

fn page_of<T>(
    ctx: &Ctx<'_>,
    kind: &str,
    items: &[T],
    default: u32,
    max: u32,
) -> Result<(u32, usize, usize, Option<String>), Reply> {
    let top = ctx.top(default, max)?;
    let (page, cursor) = ctx.read_skiptoken(kind)?;
    ctx.page_fault(page)?;
    let offset: usize = if cursor.is_empty() {
        0
    } else {
        cursor.parse().unwrap_or(usize::MAX)
    };
    let offset = offset.min(items.len());
    let end = offset.saturating_add(top as usize).min(items.len());
    let next = (end < items.len())
        .then(|| ctx.next_link(&ctx.skiptoken(kind, page + 1, &end.to_string())));
    Ok((page, offset, end, next))
}

fn collection_value(
    ctx: &Ctx<'_>,
    context: &str,
    next: Option<String>,
    value: Vec<Value>,
) -> Reply {
    let mut obj = serde_json::Map::new();
    obj.insert(
        "@odata.context".to_owned(),
        Value::String(context.to_owned()),
    );
    if let Some(n) = next {
        obj.insert("@odata.nextLink".to_owned(), Value::String(n));
    }
    obj.insert("value".to_owned(), Value::Array(value));
    let _ = ctx;
    Reply::ok_json(to_json(&Value::Object(obj)))
}

/// Applies `$select` to a flat JSON object (id and annotations always kept).
fn select(ctx: &Ctx<'_>, mut v: Value, type_name: &str) -> Result<Value, Reply> {
    let Some(raw) = ctx.param("$select") else {
        return Ok(v);
    };
    let Some(obj) = v.as_object_mut() else {
        return Ok(v);
    };
    let wanted: Vec<&str> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    for w in &wanted {
        if !obj.keys().any(|k| k.eq_ignore_ascii_case(w)) {
            return Err(ctx.bad_request(
                "Request_BadRequest",
                &format!("Could not find a property named '{w}' on type '{type_name}'."),
            ));
        }
    }
    obj.retain(|k, _| {
        k == "id" || k.starts_with('@') || wanted.iter().any(|w| w.eq_ignore_ascii_case(k))
    });
    Ok(v)
}

/// `GET /organization` and `/organization/{id}`.
pub(crate) fn organization(ctx: &Ctx<'_>) -> R {
    ctx.require(ORG_READ)?;
    ctx.charge(1)?;
    let t = ctx.caller.tenant.read();
    let single = ctx.req.segments.get(1);
    if let Some(id) = single
        && Uuid::try_parse(id).ok() != Some(t.id)
    {
        return Err(ctx.not_found(id));
    }
    let plans: Vec<Value> = t
        .subscriptions
        .iter()
        .filter_map(|s| s.definition())
        .flat_map(|d| d.plans.iter())
        .map(|p| {
            json!({
                "assignedDateTime": format_unix(t.created),
                "capabilityStatus": "Enabled",
                "service": p.name,
                "servicePlanId": p.id,
            })
        })
        .collect();
    let domains: Vec<Value> = t
        .domains
        .iter()
        .map(|d| {
            json!({
                "capabilities": if d.is_initial { "Email, OfficeCommunicationsOnline" } else { "Email" },
                "isDefault": d.is_default,
                "isInitial": d.is_initial,
                "name": d.name,
                "type": "Managed",
            })
        })
        .collect();
    let org = json!({
        "id": t.id,
        "deletedDateTime": null,
        "businessPhones": [],
        "city": null,
        "country": null,
        "countryLetterCode": t.country,
        "createdDateTime": format_unix(t.created),
        "defaultUsageLocation": t.country,
        "displayName": t.display_name,
        "marketingNotificationEmails": [],
        "onPremisesLastSyncDateTime": null,
        "onPremisesSyncEnabled": null,
        "partnerTenantType": if t.customers.is_empty() { Value::Null } else { json!("resellerPartnerDelegatedAdmin") },
        "postalCode": null,
        "preferredLanguage": "en",
        "securityComplianceNotificationMails": [],
        "securityComplianceNotificationPhones": [],
        "state": null,
        "street": null,
        "technicalNotificationMails": [format!("admin@{}", t.initial_domain())],
        "tenantType": "AAD",
        "directorySizeQuota": { "used": t.users.len() + t.groups.len(), "total": 300_000 },
        "assignedPlans": plans,
        "provisionedPlans": [],
        "verifiedDomains": domains,
    });
    let org = select(ctx, org, "microsoft.graph.organization")?;
    if single.is_some() {
        let mut obj = serde_json::Map::new();
        obj.insert(
            "@odata.context".to_owned(),
            Value::String(ctx.context("organization/$entity")),
        );
        if let Value::Object(o) = org {
            obj.extend(o);
        }
        return Ok(Reply::ok_json(to_json(&Value::Object(obj))));
    }
    Ok(collection_value(
        ctx,
        &ctx.context("organization"),
        None,
        vec![org],
    ))
}

/// `GET /subscribedSkus`.
pub(crate) fn subscribed_skus(ctx: &Ctx<'_>) -> R {
    ctx.require(ORG_READ)?;
    ctx.charge(3)?;
    let t = ctx.caller.tenant.read();
    let mut items = Vec::new();
    for s in &t.subscriptions {
        let plans: Vec<Value> = s
            .definition()
            .map(|d| d.plans)
            .unwrap_or(&[])
            .iter()
            .map(|p| json!({"servicePlanId": p.id, "servicePlanName": p.name, "provisioningStatus": "Success", "appliesTo": "User"}))
            .collect();
        let v = json!({
            "accountName": t.display_name.trim(),
            "accountId": t.id,
            "appliesTo": "User",
            "capabilityStatus": s.capability_status,
            "consumedUnits": t.consumed_units(&s.sku_id),
            "id": format!("{}_{}", t.id, s.sku_id),
            "skuId": s.sku_id,
            "skuPartNumber": s.part_number,
            "subscriptionIds": [s.subscription_id],
            "prepaidUnits": {"enabled": s.enabled, "suspended": s.suspended, "warning": s.warning, "lockedOut": 0},
            "servicePlans": plans,
        });
        items.push(select(ctx, v, "microsoft.graph.subscribedSku")?);
    }
    Ok(collection_value(
        ctx,
        &ctx.context("subscribedSkus"),
        None,
        items,
    ))
}

/// `GET /security/secureScores`.
pub(crate) fn secure_scores(ctx: &Ctx<'_>) -> R {
    ctx.require(&["SecurityEvents.Read.All", "SecurityEvents.ReadWrite.All"])?;
    let t = ctx.caller.tenant.read();
    let skip: usize = ctx.param("$skip").and_then(|s| s.parse().ok()).unwrap_or(0);
    let top: usize = match ctx.param("$top") {
        Some(raw) => raw.parse().map_err(|_| {
            ctx.bad_request(
                "BadRequest",
                &format!("Invalid value '{raw}' for query option '$top'."),
            )
        })?,
        None => t.scores.len(),
    };
    let enabled: Vec<&str> = {
        let mut e = vec!["HasExchange", "HasSharePoint"];
        if t.has_intune() {
            e.push("HasInTune");
        }
        e
    };
    let items: Vec<Value> = t
        .scores
        .iter()
        .skip(skip)
        .take(top)
        .map(|d| {
            let date = jiff::Timestamp::from_second(d.created).map(|x| x.strftime("%Y-%m-%d").to_string()).unwrap_or_default();
            json!({
                "id": format!("{}_{date}", t.id),
                "azureTenantId": t.id,
                "activeUserCount": d.active_users,
                "createdDateTime": format_unix(d.created),
                "currentScore": d.current,
                "enabledServices": enabled,
                "licensedUserCount": d.licensed_users,
                "maxScore": d.max,
                "averageComparativeScores": [
                    {"basis": "AllTenants", "averageScore": (d.max * 0.41).round()},
                    {"basis": "TotalSeats", "averageScore": (d.max * 0.46).round()},
                    {"basis": "IndustryTypes", "averageScore": (d.max * 0.38).round()},
                ],
                "controlScores": d.controls.iter().map(|(cat, name, score)| json!({
                    "controlCategory": cat,
                    "controlName": name,
                    "description": format!("{name} control"),
                    "score": score,
                })).collect::<Vec<_>>(),
                "vendorInformation": {"provider": "SecureScore", "providerVersion": null, "subProvider": null, "vendor": "Microsoft"},
            })
        })
        .collect();
    Ok(collection_value(
        ctx,
        &ctx.context("security/secureScores"),
        None,
        items,
    ))
}

/// `GET /reports/authenticationMethods/userRegistrationDetails`.
pub(crate) fn user_registration_details(ctx: &Ctx<'_>) -> R {
    ctx.require(&["AuditLog.Read.All"])?;
    if !ctx.caller.tenant.read().has_premium() {
        return Err(ctx.not_premium());
    }
    ctx.window(Window::AccessReports)?;
    let filter = parse_urd_filter(ctx)?;
    let t = ctx.caller.tenant.read();
    let users: Vec<&crate::model::User> = t
        .users
        .values()
        .filter(|u| filter.iter().all(|(k, v)| urd_field(u, k) == Some(*v)))
        .collect();
    let (_, offset, end, next) = page_of(ctx, "urd", &users, 100, 999)?;
    let items = users[offset..end]
        .iter()
        .map(|u| {
            let methods: Vec<&str> = METHODS.iter().enumerate().filter(|(i, _)| u.mfa.methods & (1 << i) != 0).map(|(_, m)| *m).collect();
            let mfa = u.mfa.is_mfa_registered();
            json!({
                "id": u.id,
                "userPrincipalName": u.upn,
                "userDisplayName": u.display_name,
                "userType": if u.guest { "guest" } else { "member" },
                "isAdmin": u.mfa.is_admin,
                "isSsprRegistered": u.mfa.sspr_registered,
                "isSsprEnabled": u.mfa.sspr_registered,
                "isSsprCapable": u.mfa.sspr_registered && u.mfa.mfa_allowed,
                "isMfaRegistered": mfa,
                "isMfaCapable": mfa && u.mfa.mfa_allowed,
                "isPasswordlessCapable": u.mfa.methods & ((1 << 5) | (1 << 6) | (1 << 7)) != 0,
                "methodsRegistered": methods,
                "isSystemPreferredAuthenticationMethodEnabled": true,
                "systemPreferredAuthenticationMethods": if u.mfa.methods & 1 != 0 { vec!["push"] } else if mfa { vec!["sms"] } else { Vec::new() },
                "userPreferredMethodForSecondaryAuthentication": PREFERRED.get(usize::from(u.mfa.preferred)).copied().unwrap_or(""),
                "lastUpdatedDateTime": jiff::Timestamp::from_second(u.mfa.updated).map(format_7).unwrap_or_default(),
            })
        })
        .collect();
    Ok(collection_value(
        ctx,
        &ctx.context("reports/authenticationMethods/userRegistrationDetails"),
        next,
        items,
    ))
}

fn parse_urd_filter(ctx: &Ctx<'_>) -> Result<Vec<(String, bool)>, Reply> {
    let Some(raw) = ctx.param("$filter") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for part in raw.split(" and ") {
        let words: Vec<&str> = part.split_whitespace().collect();
        let ok = words.len() == 3 && words[1].eq_ignore_ascii_case("eq");
        let value = words.get(2).map(|v| v.to_ascii_lowercase());
        match (ok, value.as_deref()) {
            (true, Some("true")) => out.push((words[0].to_owned(), true)),
            (true, Some("false")) => out.push((words[0].to_owned(), false)),
            _ => {
                return Err(ctx.bad_request(
                    "BadRequest",
                    "The emulator supports only boolean 'eq' filters on userRegistrationDetails.",
                ));
            }
        }
    }
    for (k, _) in &out {
        if urd_field_known(k).is_none() {
            return Err(ctx.bad_request(
                "BadRequest",
                &format!("Invalid filter clause: unknown property '{k}'."),
            ));
        }
    }
    Ok(out)
}

fn urd_field_known(k: &str) -> Option<()> {
    [
        "isAdmin",
        "isMfaRegistered",
        "isMfaCapable",
        "isSsprRegistered",
        "isPasswordlessCapable",
    ]
    .iter()
    .any(|x| x.eq_ignore_ascii_case(k))
    .then_some(())
}

fn urd_field(u: &crate::model::User, k: &str) -> Option<bool> {
    Some(match k.to_ascii_lowercase().as_str() {
        "isadmin" => u.mfa.is_admin,
        "ismfaregistered" => u.mfa.is_mfa_registered(),
        "ismfacapable" => u.mfa.is_mfa_registered() && u.mfa.mfa_allowed,
        "isssprregistered" => u.mfa.sspr_registered,
        "ispasswordlesscapable" => u.mfa.methods & ((1 << 5) | (1 << 6) | (1 << 7)) != 0,
        _ => return None,
    })
}

/// `GET` and `PATCH /admin/reportSettings`.
pub(crate) fn report_settings(ctx: &Ctx<'_>) -> R {
    if ctx.req.method == axum::http::Method::PATCH {
        ctx.require(&["ReportSettings.ReadWrite.All"])?;
        let body: Value = serde_json::from_slice(&ctx.req.body)
            .map_err(|_| ctx.bad_request("BadRequest", "The request body is not valid JSON."))?;
        let Some(v) = body.get("displayConcealedNames").and_then(Value::as_bool) else {
            return Err(ctx.bad_request("BadRequest", "displayConcealedNames must be a boolean."));
        };
        ctx.caller.tenant.write().concealed_names = v;
        return Ok(Reply {
            status: axum::http::StatusCode::NO_CONTENT,
            headers: Vec::new(),
            body: super::ReplyBody::Empty,
        });
    }
    ctx.require(&["ReportSettings.Read.All", "ReportSettings.ReadWrite.All"])?;
    let concealed = ctx.caller.tenant.read().concealed_names;
    Ok(Reply::ok_json(to_json(&json!({
        "@odata.context": ctx.context("admin/reportSettings/$entity"),
        "displayConcealedNames": concealed,
    }))))
}

/// `GET /deviceManagement/managedDevices`.
pub(crate) fn managed_devices(ctx: &Ctx<'_>) -> R {
    ctx.require(&[
        "DeviceManagementManagedDevices.Read.All",
        "DeviceManagementManagedDevices.ReadWrite.All",
    ])?;
    if !ctx.caller.tenant.read().has_intune() {
        return Err(ctx.bad_request("BadRequest", "Request not applicable to target tenant."));
    }
    ctx.window(Window::IntuneDevices)?;
    let t = ctx.caller.tenant.read();
    let (_, offset, end, next) = page_of(ctx, "devices", &t.devices, 1000, 1000)?;
    let mut items = Vec::with_capacity(end - offset);
    for d in &t.devices[offset..end] {
        let user = t.users.get(&d.user_id);
        let v = json!({
            "@odata.type": "#microsoft.graph.managedDevice",
            "id": d.id,
            "userId": d.user_id,
            "deviceName": d.device_name,
            "managedDeviceOwnerType": d.owner_type,
            "enrolledDateTime": format_unix(d.enrolled),
            "lastSyncDateTime": format_unix(d.last_sync),
            "operatingSystem": d.operating_system,
            "complianceState": d.compliance_state,
            "jailBroken": if d.operating_system == "iOS" || d.operating_system == "Android" { "False" } else { "Unknown" },
            "managementAgent": "mdm",
            "osVersion": d.os_version,
            "easActivated": false,
            "easDeviceId": "",
            "easActivationDateTime": "0001-01-01T00:00:00Z",
            "azureADRegistered": true,
            "deviceEnrollmentType": if d.operating_system == "Windows" { "windowsAzureADJoin" } else { "userEnrollment" },
            "activationLockBypassCode": null,
            "emailAddress": user.and_then(|u| u.mail.as_deref()),
            "azureADDeviceId": d.azure_ad_device_id,
            "deviceRegistrationState": "registered",
            "deviceCategoryDisplayName": "Unknown",
            "isSupervised": false,
            "exchangeLastSuccessfulSyncDateTime": "0001-01-01T00:00:00Z",
            "exchangeAccessState": "none",
            "exchangeAccessStateReason": "none",
            "remoteAssistanceSessionUrl": null,
            "remoteAssistanceSessionErrorDetails": null,
            "isEncrypted": d.is_encrypted,
            "userPrincipalName": user.map(|u| &*u.upn),
            "model": d.model,
            "manufacturer": d.manufacturer,
            "imei": "",
            "complianceGracePeriodExpirationDateTime": "9999-12-31T23:59:59Z",
            "serialNumber": d.serial_number,
            "phoneNumber": "",
            "androidSecurityPatchLevel": if d.operating_system == "Android" { "2024-09-01" } else { "" },
            "userDisplayName": user.map(|u| &*u.display_name),
            "configurationManagerClientEnabledFeatures": null,
            "wiFiMacAddress": "",
            "deviceHealthAttestationState": null,
            "subscriberCarrier": "",
            "meid": "",
            "totalStorageSpaceInBytes": d.total_storage,
            "freeStorageSpaceInBytes": d.free_storage,
            "managedDeviceName": format!("{}_{}", user.map_or("user", |u| &*u.upn).split('@').next().unwrap_or("user"), d.operating_system),
            "partnerReportedThreatState": "unknown",
            "requireUserEnrollmentApproval": null,
            "managementCertificateExpirationDate": "0001-01-01T00:00:00Z",
            "iccid": null,
            "udid": null,
            "notes": null,
            "ethernetMacAddress": null,
            "physicalMemoryInBytes": 0,
        });
        items.push(select(ctx, v, "microsoft.graph.managedDevice")?);
    }
    Ok(collection_value(
        ctx,
        &ctx.context("deviceManagement/managedDevices"),
        next,
        items,
    ))
}

/// `GET /tenantRelationships/delegatedAdminCustomers` (partner tenant).
pub(crate) fn delegated_admin_customers(ctx: &Ctx<'_>) -> R {
    ctx.require(&[
        "DelegatedAdminRelationship.Read.All",
        "DelegatedAdminRelationship.ReadWrite.All",
    ])?;
    let customers = ctx.caller.tenant.read().customers.clone();
    let (_, offset, end, next) = page_of(ctx, "gdap", &customers, 100, 300)?;
    let mut items = Vec::new();
    for id in &customers[offset..end] {
        let name = ctx.shared.tenant_by_id(id).map_or_else(
            || "Unknown customer".to_owned(),
            |t| t.read().display_name.clone(),
        );
        let etag = crate::util::b64url(
            format!(
                "\"{}-0000-0200-0000-{}\"",
                &id.simple().to_string()[..8],
                &id.simple().to_string()[20..]
            )
            .as_bytes(),
        );
        items.push(json!({
            "@odata.type": "#microsoft.graph.delegatedAdminCustomer",
            "@odata.etag": format!("W/\"{etag}\""),
            "id": id,
            "tenantId": id,
            "displayName": name,
        }));
    }
    let context = format!(
        "{}/v1.0/tenantRelationships/$metadata#delegatedAdminCustomers",
        ctx.shared.base_url
    );
    Ok(collection_value(ctx, &context, next, items))
}
