//! The emulated directory: tenants, users, groups, applications, devices and tenant facts, stored compactly.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use uuid::Uuid;

use crate::catalog::{self, PREMIUM_PLANS};
use crate::faults::Faults;

/// An interned string handle; `Sym::NONE` stands for "no value".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sym(u32);

impl Sym {
    /// The absent value.
    pub const NONE: Self = Self(0);
}

/// A table of repeated strings (job titles, departments, cities...) shared by a tenant's users.
#[derive(Debug, Default)]
pub struct Interner {
    strings: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Interner {
    /// Interns `s` (or returns `Sym::NONE` for `None`).
    pub fn intern(&mut self, s: Option<&str>) -> Sym {
        let Some(s) = s else { return Sym::NONE };
        if let Some(&i) = self.index.get(s) {
            return Sym(i);
        }
        self.strings.push(s.into());
        let i = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.index.insert(s.into(), i);
        Sym(i)
    }

    /// The string behind a handle.
    #[must_use]
    pub fn get(&self, sym: Sym) -> Option<&str> {
        if sym.0 == 0 {
            return None;
        }
        self.strings.get(sym.0 as usize - 1).map(AsRef::as_ref)
    }
}

/// A licence assigned to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignedLicence {
    /// The SKU id.
    pub sku_id: Uuid,
    /// Service plans switched off for this user.
    pub disabled_plans: Box<[Uuid]>,
}

/// Last sign-in facts, as Unix seconds. `None` means "never" and is rendered with one of Graph's sentinels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignIn {
    /// Last interactive sign-in attempt.
    pub interactive: Option<i64>,
    /// Last non-interactive sign-in.
    pub non_interactive: Option<i64>,
    /// Last successful sign-in (only tracked since December 2023).
    pub successful: Option<i64>,
}

/// A user's authentication-method registration state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mfa {
    /// Registered methods, as a bit set over [`METHODS`].
    pub methods: u16,
    /// Whether policy lets the user use MFA.
    pub mfa_allowed: bool,
    /// Self-service password reset registered.
    pub sspr_registered: bool,
    /// Preferred secondary method, index into [`PREFERRED`] (0 = none).
    pub preferred: u8,
    /// Whether the user holds an admin role.
    pub is_admin: bool,
    /// Last update, Unix seconds.
    pub updated: i64,
}

/// Names of the registrable methods, by bit position in [`Mfa::methods`].
pub const METHODS: [&str; 8] = [
    "microsoftAuthenticatorPush",
    "softwareOneTimePasscode",
    "mobilePhone",
    "email",
    "officePhone",
    "fido2",
    "windowsHelloForBusiness",
    "microsoftAuthenticatorPasswordless",
];

/// Values of `userPreferredMethodForSecondaryAuthentication` (index 0 renders as "").
pub const PREFERRED: [&str; 5] = ["", "push", "oath", "sms", "voiceMobile"];

impl Mfa {
    /// Whether a strong method is registered (anything but email).
    #[must_use]
    pub fn is_mfa_registered(&self) -> bool {
        self.methods & !(1 << 3) != 0
    }
}

/// Usage facts for the CSV reports, as Unix days (days since 1970-01-01).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Mailbox item count.
    pub items: u32,
    /// Mailbox storage in bytes.
    pub storage_bytes: u64,
    /// Deleted items.
    pub deleted_items: u32,
    /// Deleted item size in bytes.
    pub deleted_bytes: u64,
    /// Last Exchange activity day.
    pub exchange_day: Option<i32>,
    /// Last OneDrive activity day.
    pub onedrive_day: Option<i32>,
    /// Last SharePoint activity day.
    pub sharepoint_day: Option<i32>,
    /// Last Teams activity day.
    pub teams_day: Option<i32>,
    /// Mailbox has an archive.
    pub has_archive: bool,
}

/// A directory user.
#[derive(Debug, Clone)]
pub struct User {
    /// Object id.
    pub id: Uuid,
    /// `displayName`.
    pub display_name: Box<str>,
    /// `givenName`.
    pub given_name: Option<Box<str>>,
    /// `surname`.
    pub surname: Option<Box<str>>,
    /// `userPrincipalName`.
    pub upn: Box<str>,
    /// `mail`.
    pub mail: Option<Box<str>>,
    /// `mobilePhone`.
    pub mobile_phone: Option<Box<str>>,
    /// The single entry of `businessPhones`, if any.
    pub business_phone: Option<Box<str>>,
    /// `streetAddress`.
    pub street_address: Option<Box<str>>,
    /// `postalCode`.
    pub postal_code: Option<Box<str>>,
    /// `jobTitle`.
    pub job_title: Sym,
    /// `department`.
    pub department: Sym,
    /// `companyName`.
    pub company_name: Sym,
    /// `city`.
    pub city: Sym,
    /// `state`.
    pub state: Sym,
    /// `country`.
    pub country: Sym,
    /// `officeLocation`.
    pub office_location: Sym,
    /// `preferredLanguage`.
    pub preferred_language: Sym,
    /// `usageLocation`.
    pub usage_location: Sym,
    /// `proxyAddresses`.
    pub proxy_addresses: Box<[Box<str>]>,
    /// `otherMails`.
    pub other_mails: Box<[Box<str>]>,
    /// `accountEnabled`.
    pub account_enabled: bool,
    /// `userType` is "Guest" when true, "Member" otherwise.
    pub guest: bool,
    /// `onPremisesSyncEnabled`.
    pub on_premises_sync: Option<bool>,
    /// `assignedLicenses`.
    pub licences: Box<[AssignedLicence]>,
    /// `createdDateTime` (Unix seconds; `None` for very old accounts).
    pub created: Option<i64>,
    /// `lastPasswordChangeDateTime` (Unix seconds).
    pub password_changed: i64,
    /// `signInActivity`.
    pub sign_in: SignIn,
    /// Authentication-method registration.
    pub mfa: Mfa,
    /// Usage-report facts.
    pub usage: Usage,
    /// The tenant change counter value at the last change (for delta queries).
    pub version: u64,
}

impl User {
    /// Whether `userType` is Guest.
    #[must_use]
    pub fn user_type(&self) -> &'static str {
        if self.guest { "Guest" } else { "Member" }
    }
}

/// What a group member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MemberKind {
    /// A user.
    User,
    /// A nested group.
    Group,
    /// A device (Intune-managed or not).
    Device,
    /// An organisational contact.
    OrgContact,
}

/// A reference from a group to one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberRef {
    /// Member type.
    pub kind: MemberKind,
    /// Member object id.
    pub id: Uuid,
}

/// A group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Object id.
    pub id: Uuid,
    /// `displayName`.
    pub display_name: String,
    /// `description`.
    pub description: Option<String>,
    /// `mailNickname`.
    pub mail_nickname: String,
    /// `mail` (Microsoft 365 and mail-enabled groups).
    pub mail: Option<String>,
    /// Microsoft 365 ("Unified") group rather than a security group.
    pub unified: bool,
    /// `visibility`.
    pub visibility: Option<String>,
    /// `createdDateTime`, Unix seconds.
    pub created: i64,
    /// Direct members.
    pub members: Vec<MemberRef>,
}

/// An organisational contact (appears only as a group member).
#[derive(Debug, Clone)]
pub struct OrgContact {
    /// Object id.
    pub id: Uuid,
    /// `displayName`.
    pub display_name: String,
    /// `mail`.
    pub mail: Option<String>,
}

/// An Intune-managed device.
#[derive(Debug, Clone)]
pub struct Device {
    /// Intune device id.
    pub id: Uuid,
    /// Entra device id.
    pub azure_ad_device_id: Uuid,
    /// Owning user.
    pub user_id: Uuid,
    /// `deviceName`.
    pub device_name: String,
    /// `operatingSystem`.
    pub operating_system: &'static str,
    /// `osVersion`.
    pub os_version: String,
    /// `complianceState`.
    pub compliance_state: &'static str,
    /// `managedDeviceOwnerType`.
    pub owner_type: &'static str,
    /// `manufacturer`.
    pub manufacturer: &'static str,
    /// `model`.
    pub model: &'static str,
    /// `serialNumber`.
    pub serial_number: String,
    /// `isEncrypted`.
    pub is_encrypted: bool,
    /// `enrolledDateTime`, Unix seconds.
    pub enrolled: i64,
    /// `lastSyncDateTime`, Unix seconds.
    pub last_sync: i64,
    /// `totalStorageSpaceInBytes`.
    pub total_storage: u64,
    /// `freeStorageSpaceInBytes`.
    pub free_storage: u64,
}

/// A verified domain of a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// Domain name.
    pub name: String,
    /// The default domain.
    pub is_default: bool,
    /// The `*.onmicrosoft.com` domain.
    pub is_initial: bool,
}

/// A client secret of an application.
#[derive(Debug, Clone)]
pub struct Secret {
    /// The key id (what the portal calls "Secret ID"; never accepted as the secret itself).
    pub key_id: Uuid,
    /// The secret value.
    pub value: String,
    /// When the secret was created.
    pub created: Timestamp,
    /// When it starts to work (creation plus the propagation delay).
    pub active_from: Timestamp,
    /// When it expires.
    pub expires: Timestamp,
}

/// An application registration with its service principal in a tenant.
#[derive(Debug, Clone)]
pub struct App {
    /// The application (client) id.
    pub client_id: Uuid,
    /// The service principal's object id in the tenant (the token's `oid`/`sub`).
    pub service_principal_id: Uuid,
    /// Display name.
    pub display_name: String,
    /// Application permissions requested.
    pub application_permissions: Vec<String>,
    /// Delegated permissions requested (never put into app-only tokens).
    pub delegated_permissions: Vec<String>,
    /// Whether an administrator consented to the application permissions.
    pub admin_consent: bool,
    /// Client secrets.
    pub secrets: Vec<Secret>,
}

impl App {
    /// The roles an app-only token carries: the consented application permissions.
    #[must_use]
    pub fn granted_roles(&self) -> Vec<String> {
        if self.admin_consent {
            self.application_permissions.clone()
        } else {
            Vec::new()
        }
    }
}

/// A subscribed SKU of a tenant.
#[derive(Debug, Clone)]
pub struct Subscription {
    /// SKU id.
    pub sku_id: Uuid,
    /// Part number.
    pub part_number: String,
    /// `capabilityStatus`.
    pub capability_status: String,
    /// `prepaidUnits.enabled`.
    pub enabled: u32,
    /// `prepaidUnits.suspended`.
    pub suspended: u32,
    /// `prepaidUnits.warning`.
    pub warning: u32,
    /// Subscription id.
    pub subscription_id: Uuid,
}

impl Subscription {
    /// The catalogue entry, if the emulator knows the SKU.
    #[must_use]
    pub fn definition(&self) -> Option<&'static catalog::SkuDef> {
        catalog::sku_by_id(&self.sku_id)
    }
}

/// One day of Secure Score history.
#[derive(Debug, Clone)]
pub struct ScoreDay {
    /// Day, as Unix seconds of the snapshot time.
    pub created: i64,
    /// `currentScore`.
    pub current: f64,
    /// `maxScore`.
    pub max: f64,
    /// `activeUserCount`.
    pub active_users: u32,
    /// `licensedUserCount`.
    pub licensed_users: u32,
    /// Per-control scores: (category, name, score).
    pub controls: Vec<(&'static str, &'static str, f64)>,
}

/// A removal remembered for delta queries.
#[derive(Debug, Clone, Copy)]
pub struct Tombstone {
    /// Removed object id.
    pub id: Uuid,
    /// Change counter at removal.
    pub version: u64,
    /// Hard (`deleted`) rather than soft (`changed`) deletion.
    pub hard: bool,
}

/// A change to a user, for minimal delta rounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The user.
    pub id: Uuid,
    /// Change counter of the change.
    pub version: u64,
    /// Graph names of the properties that changed; `None` when the whole user appeared
    /// (created or restored).
    pub properties: Option<Vec<&'static str>>,
}

/// One emulated Entra tenant.
#[derive(Debug)]
pub struct Tenant {
    /// Tenant id.
    pub id: Uuid,
    /// Organisation display name.
    pub display_name: String,
    /// Country letter code.
    pub country: String,
    /// Creation time, Unix seconds.
    pub created: i64,
    /// Verified domains.
    pub domains: Vec<Domain>,
    /// App registrations with service principals here.
    pub apps: Vec<App>,
    /// Subscribed SKUs.
    pub subscriptions: Vec<Subscription>,
    /// Users by id (ordered: paging resumes after the last id served).
    pub users: BTreeMap<Uuid, User>,
    /// Soft-deleted users (restorable).
    pub deleted_users: BTreeMap<Uuid, User>,
    /// Groups by id.
    pub groups: BTreeMap<Uuid, Group>,
    /// Organisational contacts.
    pub contacts: Vec<OrgContact>,
    /// Intune devices.
    pub devices: Vec<Device>,
    /// Secure Score history, newest first.
    pub scores: Vec<ScoreDay>,
    /// `displayConcealedNames` of `/admin/reportSettings`.
    pub concealed_names: bool,
    /// Customer tenant ids this (partner) tenant manages through GDAP.
    pub customers: Vec<Uuid>,
    /// Removals for delta queries.
    pub tombstones: Vec<Tombstone>,
    /// Creations, restores and property changes of users after the tenant was built, for
    /// minimal delta rounds.
    pub revisions: Vec<Revision>,
    /// Change counter; every change to a user takes the next value.
    pub version: u64,
    /// Bumped to invalidate every delta token of this tenant.
    pub delta_epoch: u32,
    /// Shared strings of users.
    pub strings: Interner,
    /// Faults switched on for this tenant.
    pub faults: Faults,
}

impl Tenant {
    /// The `*.onmicrosoft.com` domain.
    #[must_use]
    pub fn initial_domain(&self) -> &str {
        self.domains
            .iter()
            .find(|d| d.is_initial)
            .or_else(|| self.domains.first())
            .map_or("", |d| d.name.as_str())
    }

    /// The default domain.
    #[must_use]
    pub fn default_domain(&self) -> &str {
        self.domains
            .iter()
            .find(|d| d.is_default)
            .map_or_else(|| self.initial_domain(), |d| d.name.as_str())
    }

    /// Whether the tenant holds Entra ID P1 or P2 through any subscribed SKU.
    #[must_use]
    pub fn has_premium(&self) -> bool {
        self.subscriptions.iter().any(|s| {
            s.enabled > 0
                && s.definition()
                    .is_some_and(|d| d.plans.iter().any(|p| PREMIUM_PLANS.contains(&p.name)))
        })
    }

    /// Whether the tenant holds an Intune licence.
    #[must_use]
    pub fn has_intune(&self) -> bool {
        self.subscriptions.iter().any(|s| {
            s.enabled > 0
                && s.definition()
                    .is_some_and(|d| d.plans.iter().any(|p| p.name == "INTUNE_A"))
        })
    }

    /// The application registered here with `client_id`.
    #[must_use]
    pub fn app(&self, client_id: &Uuid) -> Option<&App> {
        self.apps.iter().find(|a| &a.client_id == client_id)
    }

    /// Mutable access to an application.
    pub fn app_mut(&mut self, client_id: &Uuid) -> Option<&mut App> {
        self.apps.iter_mut().find(|a| &a.client_id == client_id)
    }

    /// Takes the next change counter value.
    pub fn bump(&mut self) -> u64 {
        self.version += 1;
        self.version
    }

    /// Seats consumed per SKU.
    #[must_use]
    pub fn consumed_units(&self, sku_id: &Uuid) -> u32 {
        let n = self
            .users
            .values()
            .filter(|u| u.licences.iter().any(|l| &l.sku_id == sku_id))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// A user by object id or user principal name (case-insensitive).
    #[must_use]
    pub fn find_user(&self, key: &str) -> Option<&User> {
        if let Ok(id) = Uuid::try_parse(key) {
            return self.users.get(&id);
        }
        self.users
            .values()
            .find(|u| u.upn.eq_ignore_ascii_case(key))
    }

    /// The size class used for throttling budgets.
    #[must_use]
    pub fn size_class(&self) -> SizeClass {
        match self.users.len() {
            0..50 => SizeClass::Small,
            50..=500 => SizeClass::Medium,
            _ => SizeClass::Large,
        }
    }
}

/// The tenant size classes of the identity throttling budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeClass {
    /// Fewer than 50 users.
    Small,
    /// 50 to 500 users.
    Medium,
    /// More than 500 users.
    Large,
}
