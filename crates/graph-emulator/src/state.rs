//! The emulator's shared state and the control operations behind the admin API and the library handle.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use uuid::Uuid;

use crate::clock::Clock;
use crate::faults::Faults;
use crate::model::{Revision, Secret, Tenant, Tombstone};
use crate::scenario::{self, GroupSpec, UserSpec};
use crate::throttle::{Throttle, ThrottleConfig};
use crate::util::Rng;

/// Emulator-wide settings; all can be changed while it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// A new client secret starts working only this many seconds after it was created.
    pub secret_activation_delay_seconds: u64,
    /// `expires_in` of access tokens (tenants' faults may shorten it).
    pub token_lifetime_seconds: u64,
    /// Delta links older than this answer `syncStateNotFound` (Microsoft: 7 days).
    pub delta_token_lifetime_seconds: u64,
    /// How long a pre-authenticated report download link works.
    pub report_link_lifetime_seconds: u64,
    /// Throttling.
    pub throttling: ThrottleConfig,
    /// How many requests the request log keeps.
    pub request_log_capacity: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            secret_activation_delay_seconds: 0,
            token_lifetime_seconds: 3599,
            delta_token_lifetime_seconds: 7 * 86_400,
            report_link_lifetime_seconds: 300,
            throttling: ThrottleConfig::default(),
            request_log_capacity: 10_000,
        }
    }
}

/// One entry of the request log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LogEntry {
    /// When the request arrived.
    pub at: Timestamp,
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// Answer status (0 when the connection was dropped).
    pub status: u16,
    /// Tenant the request was for, when known.
    pub tenant: Option<Uuid>,
    /// Application that called, when known.
    pub client_id: Option<Uuid>,
    /// The `request-id` answered.
    pub request_id: String,
    /// The `client-request-id` sent or answered.
    pub client_request_id: String,
}

/// A client secret as shown to the operator.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SecretCredentials {
    /// The secret id (not a credential).
    pub key_id: Uuid,
    /// The secret value.
    pub value: String,
    /// When it starts working.
    pub active_from: Timestamp,
    /// When it expires.
    pub expires: Timestamp,
}

/// An application's credentials in one tenant.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AppCredentials {
    /// Application (client) id.
    pub client_id: Uuid,
    /// Display name.
    pub display_name: String,
    /// Application permissions requested.
    pub application_permissions: Vec<String>,
    /// Delegated permissions requested.
    pub delegated_permissions: Vec<String>,
    /// Whether an administrator consented.
    pub admin_consent: bool,
    /// Roles a token will carry.
    pub roles: Vec<String>,
    /// Client secrets, newest last.
    pub secrets: Vec<SecretCredentials>,
}

/// Everything a client needs to connect to one tenant.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TenantCredentials {
    /// Tenant id.
    pub tenant_id: Uuid,
    /// Organisation display name.
    pub display_name: String,
    /// Verified domains (default first).
    pub domains: Vec<String>,
    /// Whether the tenant has Entra ID P1 or P2.
    pub entra_p1: bool,
    /// Whether it is a partner tenant with GDAP customers.
    pub partner: bool,
    /// Users in the tenant.
    pub users: usize,
    /// App registrations.
    pub apps: Vec<AppCredentials>,
}

impl TenantCredentials {
    /// The first application's client id.
    #[must_use]
    pub fn client_id(&self) -> Option<Uuid> {
        self.apps.first().map(|a| a.client_id)
    }

    /// The first application's newest secret value.
    #[must_use]
    pub fn client_secret(&self) -> Option<&str> {
        self.apps
            .first()
            .and_then(|a| a.secrets.last())
            .map(|s| s.value.as_str())
    }
}

/// A request to create a client secret.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewSecret {
    /// The value; generated when absent.
    pub value: Option<String>,
    /// Absolute expiry.
    pub expires: Option<Timestamp>,
    /// Expiry in days from now (default 180).
    pub expires_in_days: Option<i64>,
}

/// Errors of control operations.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No tenant with that id or domain.
    #[error("tenant {0} not found")]
    TenantNotFound(String),
    /// No object with that key.
    #[error("{0} not found")]
    NotFound(String),
    /// The request is invalid.
    #[error("{0}")]
    Invalid(String),
}

impl From<scenario::ScenarioError> for AdminError {
    fn from(e: scenario::ScenarioError) -> Self {
        Self::Invalid(e.to_string())
    }
}

/// A usage-report download waiting to be fetched.
#[derive(Debug, Clone)]
pub(crate) struct Download {
    pub tenant: Uuid,
    pub report: crate::graph::reports::Report,
    pub days: u32,
    pub expires: Timestamp,
}

/// State shared by every request.
#[derive(Debug)]
pub(crate) struct Shared {
    pub tenants: Vec<Arc<RwLock<Tenant>>>,
    by_id: HashMap<Uuid, usize>,
    by_domain: HashMap<String, usize>,
    pub settings: RwLock<Settings>,
    pub clock: Arc<dyn Clock>,
    pub key: [u8; 32],
    pub throttle: Mutex<Throttle>,
    pub log: Mutex<VecDeque<LogEntry>>,
    pub downloads: Mutex<HashMap<String, Download>>,
    pub base_url: String,
    pub shutdown: watch::Receiver<bool>,
    pub rng: Mutex<Rng>,
    pub seed: u64,
}

impl Shared {
    pub fn new(
        tenants: Vec<Tenant>,
        settings: Settings,
        clock: Arc<dyn Clock>,
        key: [u8; 32],
        base_url: String,
        shutdown: watch::Receiver<bool>,
        seed: u64,
    ) -> Self {
        let mut by_id = HashMap::new();
        let mut by_domain = HashMap::new();
        for (i, t) in tenants.iter().enumerate() {
            by_id.insert(t.id, i);
            for d in &t.domains {
                by_domain.insert(d.name.to_lowercase(), i);
            }
        }
        Self {
            tenants: tenants
                .into_iter()
                .map(|t| Arc::new(RwLock::new(t)))
                .collect(),
            by_id,
            by_domain,
            settings: RwLock::new(settings),
            clock,
            key,
            throttle: Mutex::new(Throttle::default()),
            log: Mutex::new(VecDeque::new()),
            downloads: Mutex::new(HashMap::new()),
            base_url,
            shutdown,
            rng: Mutex::new(Rng::derive(seed, "faults")),
            seed,
        }
    }

    /// The tenant with this id or verified domain.
    pub fn tenant(&self, key: &str) -> Option<&Arc<RwLock<Tenant>>> {
        let i = match Uuid::try_parse(key) {
            Ok(id) => self.by_id.get(&id),
            Err(_) => self.by_domain.get(&key.to_lowercase()),
        }?;
        self.tenants.get(*i)
    }

    pub fn tenant_by_id(&self, id: &Uuid) -> Option<&Arc<RwLock<Tenant>>> {
        self.by_id.get(id).and_then(|i| self.tenants.get(*i))
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn record(&self, entry: LogEntry) {
        let cap = self.settings.read().request_log_capacity;
        let mut log = self.log.lock();
        log.push_back(entry);
        while log.len() > cap {
            log.pop_front();
        }
    }
}

/// A handle on a running emulator's state: what the admin API does, callable from Rust.
#[derive(Debug, Clone)]
pub struct EmulatorHandle {
    pub(crate) shared: Arc<Shared>,
}

fn credentials_of(t: &Tenant) -> TenantCredentials {
    TenantCredentials {
        tenant_id: t.id,
        display_name: t.display_name.clone(),
        domains: {
            let mut d: Vec<_> = t
                .domains
                .iter()
                .filter(|d| d.is_default)
                .map(|d| d.name.clone())
                .collect();
            d.extend(
                t.domains
                    .iter()
                    .filter(|d| !d.is_default)
                    .map(|d| d.name.clone()),
            );
            d
        },
        entra_p1: t.has_premium(),
        partner: !t.customers.is_empty(),
        users: t.users.len(),
        apps: t
            .apps
            .iter()
            .map(|a| AppCredentials {
                client_id: a.client_id,
                display_name: a.display_name.clone(),
                application_permissions: a.application_permissions.clone(),
                delegated_permissions: a.delegated_permissions.clone(),
                admin_consent: a.admin_consent,
                roles: a.granted_roles(),
                secrets: a.secrets.iter().map(secret_credentials).collect(),
            })
            .collect(),
    }
}

fn secret_credentials(s: &Secret) -> SecretCredentials {
    SecretCredentials {
        key_id: s.key_id,
        value: s.value.clone(),
        active_from: s.active_from,
        expires: s.expires,
    }
}

impl EmulatorHandle {
    fn tenant(&self, key: &str) -> Result<&Arc<RwLock<Tenant>>, AdminError> {
        self.shared
            .tenant(key)
            .ok_or_else(|| AdminError::TenantNotFound(key.to_owned()))
    }

    /// Every tenant's ids, domains, client ids and secrets.
    #[must_use]
    pub fn credentials(&self) -> Vec<TenantCredentials> {
        self.shared
            .tenants
            .iter()
            .map(|t| credentials_of(&t.read()))
            .collect()
    }

    /// One tenant's credentials.
    ///
    /// # Errors
    /// When the tenant does not exist.
    pub fn tenant_credentials(&self, tenant: &str) -> Result<TenantCredentials, AdminError> {
        Ok(credentials_of(&self.tenant(tenant)?.read()))
    }

    /// The current time of the emulator's clock.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        self.shared.now()
    }

    /// Adds a user; returns its id.
    ///
    /// # Errors
    /// When the tenant is unknown or the user is invalid or a duplicate.
    pub fn add_user(&self, tenant: &str, spec: &UserSpec) -> Result<Uuid, AdminError> {
        let now = self.shared.now();
        let mut t = self.tenant(tenant)?.write();
        let seed = self.shared.seed ^ t.version;
        let user = scenario::user_from_spec(&mut t, spec, seed, now)?;
        let id = user.id;
        scenario::insert_user(&mut t, user)?;
        Ok(id)
    }

    /// Changes a user: `patch` is a JSON object with [`UserSpec`] fields; `null` clears a value.
    ///
    /// # Errors
    /// When the tenant or user is unknown or the patch is invalid.
    pub fn update_user(
        &self,
        tenant: &str,
        user: &str,
        patch: &serde_json::Value,
    ) -> Result<(), AdminError> {
        let now = self.shared.now();
        let mut t = self.tenant(tenant)?.write();
        let current = t
            .find_user(user)
            .ok_or_else(|| AdminError::NotFound(format!("user {user}")))?;
        let id = current.id;
        let mut spec = serde_json::to_value(scenario::spec_from_user(&t, current))
            .map_err(|e| AdminError::Invalid(e.to_string()))?;
        let (Some(obj), Some(p)) = (spec.as_object_mut(), patch.as_object()) else {
            return Err(AdminError::Invalid(
                "the patch must be a JSON object".to_owned(),
            ));
        };
        for (k, v) in p {
            if k == "id" {
                return Err(AdminError::Invalid("a user's id cannot change".to_owned()));
            }
            obj.insert(k.clone(), v.clone());
        }
        let spec: UserSpec =
            serde_json::from_value(spec).map_err(|e| AdminError::Invalid(e.to_string()))?;
        let old = t.users.remove(&id);
        let built = scenario::user_from_spec(&mut t, &spec, 0, now);
        let mut updated = match built {
            Ok(u) => u,
            Err(e) => {
                if let Some(old) = old {
                    t.users.insert(id, old);
                }
                return Err(e.into());
            }
        };
        if let Some(old) = &old {
            // Keep what a patch does not describe.
            updated.created = old.created;
            updated.password_changed = old.password_changed;
            updated.usage = crate::model::Usage {
                storage_bytes: updated.usage.storage_bytes,
                ..old.usage
            };
            updated.mfa.mfa_allowed = old.mfa.mfa_allowed;
            updated.mfa.preferred = if updated.mfa.methods == old.mfa.methods {
                old.mfa.preferred
            } else {
                updated.mfa.preferred
            };
            updated.mfa.updated = if updated.mfa.methods == old.mfa.methods {
                old.mfa.updated
            } else {
                now.as_second()
            };
            if spec_unlicensed_same(old, &updated) {
                updated.licences = old.licences.clone();
            }
        }
        if t.users
            .values()
            .any(|u| u.upn.eq_ignore_ascii_case(&updated.upn))
        {
            if let Some(old) = old {
                t.users.insert(id, old);
            }
            return Err(AdminError::Invalid(format!(
                "user {} already exists",
                updated.upn
            )));
        }
        let properties = old
            .as_ref()
            .map(|old| crate::graph::users::changed_properties(&t, old, &updated));
        updated.version = t.bump();
        t.revisions.push(Revision {
            id,
            version: updated.version,
            properties,
        });
        t.users.insert(id, updated);
        Ok(())
    }

    /// Removes a user: soft (restorable, delta reason `changed`) or hard (reason `deleted`).
    ///
    /// # Errors
    /// When the tenant or user is unknown.
    pub fn remove_user(&self, tenant: &str, user: &str, hard: bool) -> Result<(), AdminError> {
        let mut t = self.tenant(tenant)?.write();
        let id = t
            .find_user(user)
            .map(|u| u.id)
            .or_else(|| {
                Uuid::try_parse(user)
                    .ok()
                    .filter(|id| t.deleted_users.contains_key(id))
            })
            .ok_or_else(|| AdminError::NotFound(format!("user {user}")))?;
        let removed = t.users.remove(&id);
        if hard {
            t.deleted_users.remove(&id);
        } else if let Some(u) = removed {
            t.deleted_users.insert(id, u);
        }
        for g in t.groups.values_mut() {
            g.members.retain(|m| m.id != id);
        }
        let version = t.bump();
        t.tombstones.retain(|x| x.id != id);
        t.tombstones.push(Tombstone { id, version, hard });
        Ok(())
    }

    /// Restores a soft-deleted user.
    ///
    /// # Errors
    /// When the tenant is unknown or the user is not in the recycle bin.
    pub fn restore_user(&self, tenant: &str, id: Uuid) -> Result<(), AdminError> {
        let mut t = self.tenant(tenant)?.write();
        let mut u = t
            .deleted_users
            .remove(&id)
            .ok_or_else(|| AdminError::NotFound(format!("deleted user {id}")))?;
        u.version = t.bump();
        t.tombstones.retain(|x| x.id != id);
        t.revisions.push(Revision {
            id,
            version: u.version,
            properties: None,
        });
        t.users.insert(id, u);
        Ok(())
    }

    /// Adds a group; returns its id.
    ///
    /// # Errors
    /// When the tenant is unknown, a member does not resolve, or the id exists.
    pub fn add_group(&self, tenant: &str, spec: &GroupSpec) -> Result<Uuid, AdminError> {
        let now = self.shared.now();
        let mut t = self.tenant(tenant)?.write();
        let g = scenario::group_from_spec(&t, spec, self.shared.seed ^ t.version, now)?;
        if t.groups.contains_key(&g.id) {
            return Err(AdminError::Invalid(format!(
                "group {} already exists",
                g.id
            )));
        }
        let id = g.id;
        t.groups.insert(id, g);
        Ok(id)
    }

    /// Changes the tenant's organization name (`displayName` of `/organization`); an empty name
    /// is allowed, as Entra allows a tenant whose name was never set.
    ///
    /// # Errors
    /// When the tenant is unknown.
    pub fn rename_tenant(&self, tenant: &str, display_name: &str) -> Result<(), AdminError> {
        self.tenant(tenant)?.write().display_name = display_name.to_owned();
        Ok(())
    }

    /// Renames a group or changes its description.
    ///
    /// # Errors
    /// When the tenant or group is unknown.
    pub fn update_group(
        &self,
        tenant: &str,
        group: Uuid,
        display_name: Option<String>,
        description: Option<String>,
    ) -> Result<(), AdminError> {
        let mut t = self.tenant(tenant)?.write();
        let g = t
            .groups
            .get_mut(&group)
            .ok_or_else(|| AdminError::NotFound(format!("group {group}")))?;
        if let Some(n) = display_name {
            g.display_name = n;
        }
        if description.is_some() {
            g.description = description;
        }
        Ok(())
    }

    /// Deletes a group (and its memberships in other groups).
    ///
    /// # Errors
    /// When the tenant or group is unknown.
    pub fn remove_group(&self, tenant: &str, group: Uuid) -> Result<(), AdminError> {
        let mut t = self.tenant(tenant)?.write();
        t.groups
            .remove(&group)
            .ok_or_else(|| AdminError::NotFound(format!("group {group}")))?;
        for g in t.groups.values_mut() {
            g.members.retain(|m| m.id != group);
        }
        Ok(())
    }

    /// Adds a member (UPN, user id, group id or name) to a group.
    ///
    /// # Errors
    /// When something is unknown or the member is already there.
    pub fn add_member(&self, tenant: &str, group: Uuid, member: &str) -> Result<(), AdminError> {
        let mut t = self.tenant(tenant)?.write();
        let m = scenario::resolve_member(&t, member)
            .ok_or_else(|| AdminError::NotFound(format!("member {member}")))?;
        if m.id == group {
            return Err(AdminError::Invalid(
                "a group cannot contain itself".to_owned(),
            ));
        }
        let g = t
            .groups
            .get_mut(&group)
            .ok_or_else(|| AdminError::NotFound(format!("group {group}")))?;
        if g.members.contains(&m) {
            return Err(AdminError::Invalid(format!("{member} is already a member")));
        }
        g.members.push(m);
        Ok(())
    }

    /// Removes a member from a group.
    ///
    /// # Errors
    /// When the tenant, group or membership is unknown.
    pub fn remove_member(&self, tenant: &str, group: Uuid, member: Uuid) -> Result<(), AdminError> {
        let mut t = self.tenant(tenant)?.write();
        let g = t
            .groups
            .get_mut(&group)
            .ok_or_else(|| AdminError::NotFound(format!("group {group}")))?;
        let before = g.members.len();
        g.members.retain(|m| m.id != member);
        if g.members.len() == before {
            return Err(AdminError::NotFound(format!("member {member}")));
        }
        Ok(())
    }

    fn with_app<R>(
        &self,
        tenant: &str,
        client_id: Uuid,
        f: impl FnOnce(&mut crate::model::App) -> Result<R, AdminError>,
    ) -> Result<R, AdminError> {
        let mut t = self.tenant(tenant)?.write();
        let app = t
            .app_mut(&client_id)
            .ok_or_else(|| AdminError::NotFound(format!("application {client_id}")))?;
        f(app)
    }

    /// Creates a client secret (working after the configured activation delay).
    ///
    /// # Errors
    /// When the tenant or application is unknown.
    pub fn add_secret(
        &self,
        tenant: &str,
        client_id: Uuid,
        req: &NewSecret,
    ) -> Result<SecretCredentials, AdminError> {
        let now = self.shared.now();
        let delay = self.shared.settings.read().secret_activation_delay_seconds;
        let value = {
            let mut rng = self.shared.rng.lock();
            req.value
                .clone()
                .unwrap_or_else(|| scenario::secret_value(&mut rng))
        };
        let key_id = self.shared.rng.lock().uuid();
        let expires = req.expires.unwrap_or_else(|| {
            now.checked_add(SignedDuration::from_hours(
                24 * req.expires_in_days.unwrap_or(180),
            ))
            .unwrap_or(now)
        });
        let secret = Secret {
            key_id,
            value,
            created: now,
            active_from: now
                .checked_add(SignedDuration::from_secs(i64::try_from(delay).unwrap_or(0)))
                .unwrap_or(now),
            expires,
        };
        let out = secret_credentials(&secret);
        self.with_app(tenant, client_id, |a| {
            a.secrets.push(secret);
            Ok(())
        })?;
        Ok(out)
    }

    /// Makes a secret expire now.
    ///
    /// # Errors
    /// When something is unknown.
    pub fn expire_secret(
        &self,
        tenant: &str,
        client_id: Uuid,
        key_id: Uuid,
    ) -> Result<(), AdminError> {
        let now = self.shared.now();
        self.with_app(tenant, client_id, |a| {
            let s = a
                .secrets
                .iter_mut()
                .find(|s| s.key_id == key_id)
                .ok_or_else(|| AdminError::NotFound(format!("secret {key_id}")))?;
            s.expires = now;
            Ok(())
        })
    }

    /// Deletes a secret.
    ///
    /// # Errors
    /// When something is unknown.
    pub fn remove_secret(
        &self,
        tenant: &str,
        client_id: Uuid,
        key_id: Uuid,
    ) -> Result<(), AdminError> {
        self.with_app(tenant, client_id, |a| {
            let before = a.secrets.len();
            a.secrets.retain(|s| s.key_id != key_id);
            if a.secrets.len() == before {
                return Err(AdminError::NotFound(format!("secret {key_id}")));
            }
            Ok(())
        })
    }

    /// Adds an application permission (as Application, consented when the app is consented).
    ///
    /// # Errors
    /// When something is unknown.
    pub fn grant_role(&self, tenant: &str, client_id: Uuid, role: &str) -> Result<(), AdminError> {
        self.with_app(tenant, client_id, |a| {
            if !a
                .application_permissions
                .iter()
                .any(|r| r.eq_ignore_ascii_case(role))
            {
                a.application_permissions.push(role.to_owned());
            }
            Ok(())
        })
    }

    /// Removes an application permission.
    ///
    /// # Errors
    /// When something is unknown.
    pub fn revoke_role(&self, tenant: &str, client_id: Uuid, role: &str) -> Result<(), AdminError> {
        self.with_app(tenant, client_id, |a| {
            a.application_permissions
                .retain(|r| !r.eq_ignore_ascii_case(role));
            Ok(())
        })
    }

    /// Grants or withdraws admin consent.
    ///
    /// # Errors
    /// When something is unknown.
    pub fn set_consent(
        &self,
        tenant: &str,
        client_id: Uuid,
        granted: bool,
    ) -> Result<(), AdminError> {
        self.with_app(tenant, client_id, |a| {
            a.admin_consent = granted;
            Ok(())
        })
    }

    /// A tenant's faults.
    ///
    /// # Errors
    /// When the tenant is unknown.
    pub fn faults(&self, tenant: &str) -> Result<Faults, AdminError> {
        Ok(self.tenant(tenant)?.read().faults.clone())
    }

    /// Replaces a tenant's faults (`Faults::default()` switches them all off).
    ///
    /// # Errors
    /// When the tenant is unknown or a value is out of range.
    pub fn set_faults(&self, tenant: &str, faults: Faults) -> Result<(), AdminError> {
        if !(0.0..=1.0).contains(&faults.error_rate) {
            return Err(AdminError::Invalid(
                "error_rate must be between 0 and 1".to_owned(),
            ));
        }
        self.tenant(tenant)?.write().faults = faults;
        Ok(())
    }

    /// Makes every delta link of the tenant answer `syncStateNotFound`.
    ///
    /// # Errors
    /// When the tenant is unknown.
    pub fn expire_delta_tokens(&self, tenant: &str) -> Result<(), AdminError> {
        let mut t = self.tenant(tenant)?.write();
        t.delta_epoch = t.delta_epoch.wrapping_add(1);
        Ok(())
    }

    /// Sets `displayConcealedNames` of the report settings.
    ///
    /// # Errors
    /// When the tenant is unknown.
    pub fn set_concealed_names(&self, tenant: &str, concealed: bool) -> Result<(), AdminError> {
        self.tenant(tenant)?.write().concealed_names = concealed;
        Ok(())
    }

    /// The current settings.
    #[must_use]
    pub fn settings(&self) -> Settings {
        self.shared.settings.read().clone()
    }

    /// Replaces the settings; throttle buckets start afresh.
    pub fn set_settings(&self, settings: Settings) {
        *self.shared.settings.write() = settings;
        self.shared.throttle.lock().reset();
    }

    /// The request log, oldest first.
    #[must_use]
    pub fn requests(&self) -> Vec<LogEntry> {
        self.shared.log.lock().iter().cloned().collect()
    }

    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.shared.log.lock().clear();
    }
}

fn spec_unlicensed_same(old: &crate::model::User, new: &crate::model::User) -> bool {
    // A patch that lists the same SKUs keeps the old disabled plans.
    old.licences.len() == new.licences.len()
        && old
            .licences
            .iter()
            .zip(new.licences.iter())
            .all(|(a, b)| a.sku_id == b.sku_id)
}
