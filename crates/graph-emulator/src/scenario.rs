//! Scenario files (TOML): the tenants, applications, licences, users and groups an emulator starts with.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{self, ROSTER_PERMISSIONS};
use crate::faults::Faults;
use crate::generate;
use crate::model::{
    App, AssignedLicence, Domain, Group, MemberKind, MemberRef, Revision, Secret, Subscription,
    Tenant, User,
};
use crate::state::Settings;
use crate::util::{Rng, derived_uuid};

/// Errors found while turning a scenario into tenants.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The TOML did not parse.
    #[error("scenario file is not valid: {0}")]
    Toml(#[from] toml::de::Error),
    /// A value is inconsistent.
    #[error("scenario is inconsistent: {0}")]
    Invalid(String),
}

/// A whole scenario: emulator settings and tenants.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Seed for everything not given explicitly (ids, secrets, generated data).
    pub seed: u64,
    /// Emulator-wide settings.
    pub settings: Settings,
    /// The tenants.
    pub tenants: Vec<TenantSpec>,
}

/// One tenant of a scenario.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TenantSpec {
    /// Tenant id; derived from the seed when absent.
    pub id: Option<Uuid>,
    /// Organisation display name; generated when absent.
    pub display_name: Option<String>,
    /// Custom verified domains, the first being the default. An initial `*.onmicrosoft.com`
    /// domain is always added.
    pub domains: Vec<String>,
    /// The label of the initial domain (`{label}.onmicrosoft.com`); derived from the name when absent.
    pub initial_domain_label: Option<String>,
    /// Country letter code.
    pub country: Option<String>,
    /// Whether generated licences include Entra ID P1 (through Business Premium / Microsoft 365 E3).
    /// Explicit `skus` decide it otherwise. Default: true.
    pub entra_p1: Option<bool>,
    /// `displayConcealedNames` in the report settings (Microsoft's default since 2021 is true).
    pub concealed_names: Option<bool>,
    /// Makes this the MSP's own (partner) tenant: its GDAP customers are the listed tenant ids, or
    /// every other tenant of the scenario when the list is empty.
    pub partner: bool,
    /// GDAP customers of a partner tenant.
    pub customers: Vec<Uuid>,
    /// Generated users, groups, devices and history.
    pub generate: Option<GenerateSpec>,
    /// App registrations; one "Roster" app with Roster's permissions when empty.
    pub apps: Vec<AppSpec>,
    /// Subscribed SKUs added to the generated ones.
    pub skus: Vec<SkuSpec>,
    /// Explicit users, added after generated ones.
    pub users: Vec<UserSpec>,
    /// Explicit groups, added after generated ones.
    pub groups: Vec<GroupSpec>,
    /// Faults switched on from the start.
    pub faults: Option<Faults>,
}

/// Generation parameters of a tenant.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GenerateSpec {
    /// Number of users (0 to 200,000).
    pub users: u32,
    /// Seed of this tenant's data; the scenario seed and the tenant position when absent.
    pub seed: Option<u64>,
}

/// An app registration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppSpec {
    /// Client id; derived when absent.
    pub client_id: Option<Uuid>,
    /// Display name.
    pub display_name: String,
    /// Application permissions (become token `roles` once consented).
    pub application_permissions: Vec<String>,
    /// Delegated permissions (never in an app-only token).
    pub delegated_permissions: Vec<String>,
    /// Whether an administrator consented.
    pub admin_consent: bool,
    /// Client secrets; one valid for two years when empty.
    pub secrets: Vec<SecretSpec>,
}

impl Default for AppSpec {
    fn default() -> Self {
        Self {
            client_id: None,
            display_name: "Roster".to_owned(),
            application_permissions: ROSTER_PERMISSIONS.iter().map(|s| (*s).to_owned()).collect(),
            delegated_permissions: Vec::new(),
            admin_consent: true,
            secrets: Vec::new(),
        }
    }
}

impl AppSpec {
    /// An app whose Graph permissions were added as Delegated only: its tokens carry no `roles`.
    #[must_use]
    pub fn delegated_only() -> Self {
        Self {
            application_permissions: Vec::new(),
            delegated_permissions: ROSTER_PERMISSIONS.iter().map(|s| (*s).to_owned()).collect(),
            ..Self::default()
        }
    }
}

/// A client secret.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretSpec {
    /// The value; derived when absent.
    pub value: Option<String>,
    /// Absolute expiry.
    pub expires: Option<Timestamp>,
    /// Expiry relative to the emulator's start, in days (may be negative: already expired).
    pub expires_in_days: Option<i64>,
    /// Creation relative to the emulator's start, in days ago (default 30).
    pub created_days_ago: Option<i64>,
}

/// A subscribed SKU.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SkuSpec {
    /// Part number, e.g. `SPB`.
    pub part_number: String,
    /// SKU id; required for SKUs the catalogue does not know.
    pub sku_id: Option<Uuid>,
    /// Prepaid enabled seats.
    pub enabled: u32,
    /// Prepaid suspended seats.
    pub suspended: u32,
    /// Prepaid warning seats.
    pub warning: u32,
    /// Capability status (default Enabled).
    pub capability_status: Option<String>,
}

/// A user, as written in a scenario or sent to the admin API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct UserSpec {
    /// Object id; derived when absent.
    pub id: Option<Uuid>,
    /// Display name (required).
    pub display_name: String,
    /// Given name.
    pub given_name: Option<String>,
    /// Surname.
    pub surname: Option<String>,
    /// UPN; derived from the display name and the default domain when absent.
    pub user_principal_name: Option<String>,
    /// Mail.
    pub mail: Option<String>,
    /// Mobile phone.
    pub mobile_phone: Option<String>,
    /// Business phone.
    pub business_phone: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Company name.
    pub company_name: Option<String>,
    /// Office location.
    pub office_location: Option<String>,
    /// Street address.
    pub street_address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State.
    pub state: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Preferred language.
    pub preferred_language: Option<String>,
    /// Usage location.
    pub usage_location: Option<String>,
    /// Proxy addresses; `["SMTP:{mail}"]` when absent and mail is set.
    pub proxy_addresses: Option<Vec<String>>,
    /// Other mails.
    pub other_mails: Vec<String>,
    /// Account enabled (default true).
    pub account_enabled: Option<bool>,
    /// Guest rather than member.
    pub guest: bool,
    /// `onPremisesSyncEnabled`.
    pub on_premises_sync_enabled: Option<bool>,
    /// Licences by part number or SKU id.
    pub licenses: Vec<String>,
    /// Creation time.
    pub created: Option<Timestamp>,
    /// Last interactive sign-in.
    pub last_sign_in: Option<Timestamp>,
    /// Last non-interactive sign-in.
    pub last_non_interactive_sign_in: Option<Timestamp>,
    /// Last successful sign-in.
    pub last_successful_sign_in: Option<Timestamp>,
    /// Registered authentication methods (e.g. `microsoftAuthenticatorPush`, `mobilePhone`).
    pub mfa_methods: Vec<String>,
    /// Admin role holder.
    pub is_admin: bool,
    /// Mailbox storage used, in bytes.
    pub mailbox_bytes: Option<u64>,
}

/// A group, as written in a scenario or sent to the admin API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupSpec {
    /// Object id; derived when absent.
    pub id: Option<Uuid>,
    /// Display name (required).
    pub display_name: String,
    /// Description.
    pub description: Option<String>,
    /// Microsoft 365 (Unified) group rather than a security group.
    pub microsoft_365: bool,
    /// Members: user UPNs or ids, group display names or ids.
    pub members: Vec<String>,
}

impl Scenario {
    /// Parses a TOML scenario.
    ///
    /// # Errors
    /// When the text is not a valid scenario.
    pub fn from_toml(text: &str) -> Result<Self, ScenarioError> {
        Ok(toml::from_str(text)?)
    }

    /// `tenants` generated customer tenants of `users` users each. About one in three has no
    /// Entra ID P1.
    #[must_use]
    pub fn generated(tenants: u32, users: u32, seed: u64) -> Self {
        let tenants = (0..tenants)
            .map(|i| TenantSpec {
                entra_p1: Some(i % 3 != 1),
                generate: Some(GenerateSpec { users, seed: None }),
                ..TenantSpec::default()
            })
            .collect();
        Self {
            seed,
            settings: Settings::default(),
            tenants,
        }
    }

    /// The demo mix: a healthy P1 tenant, one without P1, one whose secret expires in five days, one
    /// whose app has only Delegated permissions, and the MSP's partner tenant listing them all.
    #[must_use]
    pub fn demo(users: u32, seed: u64) -> Self {
        let gen_ = |p1| TenantSpec {
            entra_p1: Some(p1),
            generate: Some(GenerateSpec { users, seed: None }),
            ..TenantSpec::default()
        };
        let mut expiring = gen_(true);
        expiring.apps = vec![AppSpec {
            secrets: vec![SecretSpec {
                expires_in_days: Some(5),
                created_days_ago: Some(725),
                ..SecretSpec::default()
            }],
            ..AppSpec::default()
        }];
        let mut delegated = gen_(false);
        delegated.apps = vec![AppSpec::delegated_only()];
        let partner = TenantSpec {
            partner: true,
            entra_p1: Some(true),
            generate: Some(GenerateSpec {
                users: 12,
                seed: None,
            }),
            apps: vec![AppSpec {
                application_permissions: vec![
                    "DelegatedAdminRelationship.Read.All".to_owned(),
                    "Organization.Read.All".to_owned(),
                    "User.Read.All".to_owned(),
                ],
                ..AppSpec::default()
            }],
            ..TenantSpec::default()
        };
        Self {
            seed,
            settings: Settings::default(),
            tenants: vec![gen_(true), gen_(false), expiring, delegated, partner],
        }
    }

    /// Builds the tenants as of `now`.
    ///
    /// # Errors
    /// When ids collide, a licence is unknown, a member reference does not resolve, or a tenant is too big.
    pub fn build(&self, now: Timestamp) -> Result<Vec<Tenant>, ScenarioError> {
        let mut tenants = Vec::with_capacity(self.tenants.len());
        for (i, spec) in self.tenants.iter().enumerate() {
            tenants.push(build_tenant(self.seed, i, spec, now, &self.settings)?);
        }
        let all: Vec<Uuid> = tenants.iter().map(|t| t.id).collect();
        for (t, spec) in tenants.iter_mut().zip(&self.tenants) {
            if spec.partner {
                t.customers = if spec.customers.is_empty() {
                    all.iter().copied().filter(|id| *id != t.id).collect()
                } else {
                    spec.customers.clone()
                };
            }
        }
        let mut seen = HashMap::new();
        for t in &tenants {
            if seen.insert(t.id, ()).is_some() {
                return Err(ScenarioError::Invalid(format!(
                    "tenant id {} appears twice",
                    t.id
                )));
            }
        }
        Ok(tenants)
    }
}

fn build_tenant(
    scenario_seed: u64,
    index: usize,
    spec: &TenantSpec,
    now: Timestamp,
    settings: &Settings,
) -> Result<Tenant, ScenarioError> {
    let gen_seed = spec
        .generate
        .as_ref()
        .and_then(|g| g.seed)
        .unwrap_or_else(|| {
            scenario_seed
                .wrapping_mul(1_000_003)
                .wrapping_add(index as u64)
        });
    let mut rng = Rng::derive(gen_seed, "tenant");
    let id = spec.id.unwrap_or_else(|| rng.uuid());
    let company = generate::company(&mut rng);
    let display_name = spec.display_name.clone().unwrap_or(company.display_name);
    let label = spec
        .initial_domain_label
        .clone()
        .unwrap_or_else(|| format!("{}{}", company.slug, rng.below(90) + 10));
    let mut domains = Vec::new();
    let custom: Vec<String> = if spec.domains.is_empty() && spec.display_name.is_none() {
        vec![company.domain]
    } else {
        spec.domains.clone()
    };
    for (i, d) in custom.iter().enumerate() {
        domains.push(Domain {
            name: d.to_lowercase(),
            is_default: i == 0,
            is_initial: false,
        });
    }
    domains.push(Domain {
        name: format!("{}.onmicrosoft.com", label.to_lowercase()),
        is_default: custom.is_empty(),
        is_initial: true,
    });
    let now_s = now.as_second();
    let mut tenant = Tenant {
        id,
        display_name,
        country: spec
            .country
            .clone()
            .unwrap_or_else(|| company.country.to_owned()),
        created: now_s - rng.range(400, 4000) * 86_400,
        domains,
        apps: Vec::new(),
        subscriptions: Vec::new(),
        users: Default::default(),
        deleted_users: Default::default(),
        groups: Default::default(),
        contacts: Vec::new(),
        devices: Vec::new(),
        scores: Vec::new(),
        concealed_names: spec.concealed_names.unwrap_or(true),
        customers: Vec::new(),
        tombstones: Vec::new(),
        revisions: Vec::new(),
        version: 0,
        delta_epoch: 0,
        strings: Default::default(),
        faults: spec.faults.clone().unwrap_or_default(),
    };
    let app_specs = if spec.apps.is_empty() {
        vec![AppSpec::default()]
    } else {
        spec.apps.clone()
    };
    for (ai, a) in app_specs.iter().enumerate() {
        tenant.apps.push(build_app(gen_seed, ai, a, now, settings));
    }
    if let Some(g) = &spec.generate {
        if g.users > 200_000 {
            return Err(ScenarioError::Invalid(format!(
                "a generated tenant holds at most 200,000 users, not {}",
                g.users
            )));
        }
        generate::populate(
            &mut tenant,
            g.users,
            gen_seed,
            spec.entra_p1.unwrap_or(true),
            now,
        );
    }
    for s in &spec.skus {
        let def = catalog::sku_by_part(&s.part_number);
        let sku_id = s.sku_id.or(def.map(|d| d.sku_id)).ok_or_else(|| {
            ScenarioError::Invalid(format!("unknown SKU {} needs a sku_id", s.part_number))
        })?;
        tenant.subscriptions.retain(|x| x.sku_id != sku_id);
        tenant.subscriptions.push(Subscription {
            sku_id,
            part_number: s.part_number.clone(),
            capability_status: s
                .capability_status
                .clone()
                .unwrap_or_else(|| "Enabled".to_owned()),
            enabled: s.enabled,
            suspended: s.suspended,
            warning: s.warning,
            subscription_id: derived_uuid(gen_seed, &format!("subscription/{sku_id}")),
        });
    }
    for u in &spec.users {
        let user = user_from_spec(&mut tenant, u, gen_seed, now)?;
        insert_user(&mut tenant, user)?;
    }
    for g in &spec.groups {
        let group = group_from_spec(&tenant, g, gen_seed, now)?;
        tenant.groups.insert(group.id, group);
    }
    Ok(tenant)
}

/// Builds an app with its secrets.
pub(crate) fn build_app(
    seed: u64,
    index: usize,
    a: &AppSpec,
    now: Timestamp,
    settings: &Settings,
) -> App {
    let label = format!("app/{index}");
    let client_id = a.client_id.unwrap_or_else(|| derived_uuid(seed, &label));
    let secrets = if a.secrets.is_empty() {
        vec![SecretSpec::default()]
    } else {
        a.secrets.clone()
    };
    let secrets = secrets
        .iter()
        .enumerate()
        .map(|(si, s)| {
            let created = now
                .checked_sub(SignedDuration::from_hours(
                    24 * s.created_days_ago.unwrap_or(30),
                ))
                .unwrap_or(now);
            let expires = s.expires.unwrap_or_else(|| {
                let days = s.expires_in_days.unwrap_or(700);
                now.checked_add(SignedDuration::from_hours(24 * days))
                    .unwrap_or(now)
            });
            let mut rng = Rng::derive(seed, &format!("{label}/secret/{si}"));
            Secret {
                key_id: rng.uuid(),
                value: s.value.clone().unwrap_or_else(|| secret_value(&mut rng)),
                created,
                active_from: created
                    .checked_add(SignedDuration::from_secs(
                        i64::try_from(settings.secret_activation_delay_seconds).unwrap_or(0),
                    ))
                    .unwrap_or(created),
                expires,
            }
        })
        .collect();
    App {
        client_id,
        service_principal_id: derived_uuid(seed, &format!("{label}/sp")),
        display_name: a.display_name.clone(),
        application_permissions: a.application_permissions.clone(),
        delegated_permissions: a.delegated_permissions.clone(),
        admin_consent: a.admin_consent,
        secrets,
    }
}

/// A secret value in the shape Entra issues (three characters, `8Q~`, then 34 more).
pub(crate) fn secret_value(rng: &mut Rng) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-~";
    let mut s = String::with_capacity(40);
    for _ in 0..3 {
        s.push(char::from(CHARS[rng.index(62)]));
    }
    s.push_str("8Q~");
    for _ in 0..34 {
        s.push(char::from(CHARS[rng.index(CHARS.len())]));
    }
    s
}

/// Adds a user, refusing duplicate ids or UPNs.
pub(crate) fn insert_user(tenant: &mut Tenant, mut user: User) -> Result<(), ScenarioError> {
    if tenant.users.contains_key(&user.id) {
        return Err(ScenarioError::Invalid(format!(
            "user id {} already exists",
            user.id
        )));
    }
    if tenant
        .users
        .values()
        .any(|u| u.upn.eq_ignore_ascii_case(&user.upn))
    {
        return Err(ScenarioError::Invalid(format!(
            "user {} already exists",
            user.upn
        )));
    }
    user.version = tenant.bump();
    tenant.tombstones.retain(|t| t.id != user.id);
    tenant.revisions.push(Revision {
        id: user.id,
        version: user.version,
        properties: None,
    });
    tenant.users.insert(user.id, user);
    Ok(())
}

fn parse_licence(s: &str) -> Option<Uuid> {
    Uuid::try_parse(s)
        .ok()
        .or_else(|| catalog::sku_by_part(s).map(|d| d.sku_id))
}

fn method_bits(methods: &[String]) -> Result<u16, ScenarioError> {
    let mut bits = 0_u16;
    for m in methods {
        let pos = crate::model::METHODS
            .iter()
            .position(|x| x.eq_ignore_ascii_case(m))
            .ok_or_else(|| ScenarioError::Invalid(format!("unknown authentication method {m}")))?;
        bits |= 1 << pos;
    }
    Ok(bits)
}

/// Turns a user spec into a stored user.
pub(crate) fn user_from_spec(
    tenant: &mut Tenant,
    u: &UserSpec,
    seed: u64,
    now: Timestamp,
) -> Result<User, ScenarioError> {
    if u.display_name.trim().is_empty() {
        return Err(ScenarioError::Invalid(
            "a user needs a display_name".to_owned(),
        ));
    }
    let upn = match &u.user_principal_name {
        Some(upn) => upn.clone(),
        None => {
            let local: String = generate::ascii_fold(&u.display_name)
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(".")
                .to_lowercase();
            format!("{local}@{}", tenant.default_domain())
        }
    };
    let id =
        u.id.unwrap_or_else(|| derived_uuid(seed, &format!("user/{}", upn.to_lowercase())));
    let mut licences = Vec::new();
    for l in &u.licenses {
        let sku_id = parse_licence(l)
            .ok_or_else(|| ScenarioError::Invalid(format!("unknown licence {l}")))?;
        licences.push(AssignedLicence {
            sku_id,
            disabled_plans: Box::new([]),
        });
    }
    let proxy = u
        .proxy_addresses
        .clone()
        .unwrap_or_else(|| u.mail.iter().map(|m| format!("SMTP:{m}")).collect());
    let s = &mut tenant.strings;
    Ok(User {
        id,
        display_name: u.display_name.as_str().into(),
        given_name: u.given_name.as_deref().map(Into::into),
        surname: u.surname.as_deref().map(Into::into),
        upn: upn.into(),
        mail: u.mail.as_deref().map(Into::into),
        mobile_phone: u.mobile_phone.as_deref().map(Into::into),
        business_phone: u.business_phone.as_deref().map(Into::into),
        street_address: u.street_address.as_deref().map(Into::into),
        postal_code: u.postal_code.as_deref().map(Into::into),
        job_title: s.intern(u.job_title.as_deref()),
        department: s.intern(u.department.as_deref()),
        company_name: s.intern(u.company_name.as_deref()),
        city: s.intern(u.city.as_deref()),
        state: s.intern(u.state.as_deref()),
        country: s.intern(u.country.as_deref()),
        office_location: s.intern(u.office_location.as_deref()),
        preferred_language: s.intern(u.preferred_language.as_deref()),
        usage_location: s.intern(u.usage_location.as_deref()),
        proxy_addresses: proxy.into_iter().map(Into::into).collect(),
        other_mails: u.other_mails.iter().map(|m| m.as_str().into()).collect(),
        account_enabled: u.account_enabled.unwrap_or(true),
        guest: u.guest,
        on_premises_sync: u.on_premises_sync_enabled,
        licences: licences.into(),
        created: Some(u.created.unwrap_or(now).as_second()),
        password_changed: u.created.unwrap_or(now).as_second(),
        sign_in: crate::model::SignIn {
            interactive: u.last_sign_in.map(|t| t.as_second()),
            non_interactive: u.last_non_interactive_sign_in.map(|t| t.as_second()),
            successful: u.last_successful_sign_in.map(|t| t.as_second()),
        },
        mfa: crate::model::Mfa {
            methods: method_bits(&u.mfa_methods)?,
            mfa_allowed: true,
            sspr_registered: !u.mfa_methods.is_empty(),
            preferred: if u.mfa_methods.is_empty() { 0 } else { 1 },
            is_admin: u.is_admin,
            updated: now.as_second(),
        },
        usage: crate::model::Usage {
            storage_bytes: u.mailbox_bytes.unwrap_or(0),
            ..Default::default()
        },
        version: 0,
    })
}

/// The spec describing a stored user (used to apply admin patches).
pub(crate) fn spec_from_user(tenant: &Tenant, u: &User) -> UserSpec {
    let s = &tenant.strings;
    let get = |sym| s.get(sym).map(ToOwned::to_owned);
    let ts = |secs: Option<i64>| secs.and_then(|x| Timestamp::from_second(x).ok());
    UserSpec {
        id: Some(u.id),
        display_name: u.display_name.to_string(),
        given_name: u.given_name.as_deref().map(ToOwned::to_owned),
        surname: u.surname.as_deref().map(ToOwned::to_owned),
        user_principal_name: Some(u.upn.to_string()),
        mail: u.mail.as_deref().map(ToOwned::to_owned),
        mobile_phone: u.mobile_phone.as_deref().map(ToOwned::to_owned),
        business_phone: u.business_phone.as_deref().map(ToOwned::to_owned),
        job_title: get(u.job_title),
        department: get(u.department),
        company_name: get(u.company_name),
        office_location: get(u.office_location),
        street_address: u.street_address.as_deref().map(ToOwned::to_owned),
        city: get(u.city),
        state: get(u.state),
        postal_code: u.postal_code.as_deref().map(ToOwned::to_owned),
        country: get(u.country),
        preferred_language: get(u.preferred_language),
        usage_location: get(u.usage_location),
        proxy_addresses: Some(u.proxy_addresses.iter().map(ToString::to_string).collect()),
        other_mails: u.other_mails.iter().map(ToString::to_string).collect(),
        account_enabled: Some(u.account_enabled),
        guest: u.guest,
        on_premises_sync_enabled: u.on_premises_sync,
        licenses: u.licences.iter().map(|l| l.sku_id.to_string()).collect(),
        created: ts(u.created),
        last_sign_in: ts(u.sign_in.interactive),
        last_non_interactive_sign_in: ts(u.sign_in.non_interactive),
        last_successful_sign_in: ts(u.sign_in.successful),
        mfa_methods: crate::model::METHODS
            .iter()
            .enumerate()
            .filter(|(i, _)| u.mfa.methods & (1 << i) != 0)
            .map(|(_, m)| (*m).to_owned())
            .collect(),
        is_admin: u.mfa.is_admin,
        mailbox_bytes: Some(u.usage.storage_bytes),
    }
}

/// Resolves a member reference (UPN, user id, group id or group display name).
pub(crate) fn resolve_member(tenant: &Tenant, key: &str) -> Option<MemberRef> {
    if let Ok(id) = Uuid::try_parse(key) {
        if tenant.users.contains_key(&id) {
            return Some(MemberRef {
                kind: MemberKind::User,
                id,
            });
        }
        if tenant.groups.contains_key(&id) {
            return Some(MemberRef {
                kind: MemberKind::Group,
                id,
            });
        }
        if tenant.devices.iter().any(|d| d.azure_ad_device_id == id) {
            return Some(MemberRef {
                kind: MemberKind::Device,
                id,
            });
        }
        if tenant.contacts.iter().any(|c| c.id == id) {
            return Some(MemberRef {
                kind: MemberKind::OrgContact,
                id,
            });
        }
        return None;
    }
    if let Some(u) = tenant.find_user(key) {
        return Some(MemberRef {
            kind: MemberKind::User,
            id: u.id,
        });
    }
    tenant
        .groups
        .values()
        .find(|g| g.display_name.eq_ignore_ascii_case(key))
        .map(|g| MemberRef {
            kind: MemberKind::Group,
            id: g.id,
        })
}

/// Turns a group spec into a stored group.
pub(crate) fn group_from_spec(
    tenant: &Tenant,
    g: &GroupSpec,
    seed: u64,
    now: Timestamp,
) -> Result<Group, ScenarioError> {
    if g.display_name.trim().is_empty() {
        return Err(ScenarioError::Invalid(
            "a group needs a display_name".to_owned(),
        ));
    }
    let id = g
        .id
        .unwrap_or_else(|| derived_uuid(seed, &format!("group/{}", g.display_name.to_lowercase())));
    let mut members = Vec::new();
    for m in &g.members {
        let r = resolve_member(tenant, m)
            .ok_or_else(|| ScenarioError::Invalid(format!("group member {m} not found")))?;
        if r.id == id {
            return Err(ScenarioError::Invalid(
                "a group cannot contain itself".to_owned(),
            ));
        }
        members.push(r);
    }
    let nickname: String = generate::ascii_fold(&g.display_name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    Ok(Group {
        id,
        display_name: g.display_name.clone(),
        description: g.description.clone(),
        mail: g
            .microsoft_365
            .then(|| format!("{}@{}", nickname.to_lowercase(), tenant.default_domain())),
        mail_nickname: nickname,
        unified: g.microsoft_365,
        visibility: g.microsoft_365.then(|| "Private".to_owned()),
        created: now.as_second(),
        members,
    })
}
