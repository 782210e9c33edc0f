//! Client-credentials tokens: the token response, the access token and its readable claims
//! (notably `roles`), and the per-(tenant, client ID) cache.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use jiff::{SignedDuration, Timestamp};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

use crate::error::Error;

/// The body of a successful token response.
///
/// `expires_in` is a number on the v2 endpoint and was a string on the legacy v1 endpoint; both
/// are accepted.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    /// `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    #[serde(deserialize_with = "seconds")]
    pub expires_in: u64,
    /// Extended lifetime in seconds (present in real responses, not in the docs' example).
    #[serde(default, deserialize_with = "optional_seconds")]
    pub ext_expires_in: Option<u64>,
    /// The token itself.
    pub access_token: AccessToken,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(u64),
    Float(f64),
    Text(String),
}

impl NumberOrString {
    fn seconds<E: serde::de::Error>(self) -> Result<u64, E> {
        match self {
            Self::Number(n) => Ok(n),
            Self::Float(f) if f.is_finite() && f >= 0.0 => Ok(f as u64),
            Self::Float(f) => Err(E::custom(format!("{f} is not a number of seconds"))),
            Self::Text(text) => text
                .trim()
                .parse::<u64>()
                .map_err(|_| E::custom(format!("{text:?} is not a number of seconds"))),
        }
    }
}

fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    NumberOrString::deserialize(deserializer)?.seconds()
}

fn optional_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Option::<NumberOrString>::deserialize(deserializer)?
        .map(NumberOrString::seconds)
        .transpose()
}

/// An access token. Treated as a secret: `Debug` never shows it.
#[derive(Clone)]
pub struct AccessToken(SecretString);

impl AccessToken {
    /// Wraps a raw token.
    #[must_use]
    pub fn new(raw: SecretString) -> Self {
        Self(raw)
    }

    /// The raw token, for the `Authorization` header.
    #[must_use]
    pub fn secret(&self) -> &SecretString {
        &self.0
    }

    /// Reads the payload claims without checking the signature (Graph tokens cannot be verified
    /// outside Microsoft, and this client only uses them for diagnostics).
    ///
    /// # Errors
    /// [`Error::MalformedAccessToken`] when the token is not a three-part JWT with a JSON payload.
    pub fn claims(&self) -> Result<TokenClaims, Error> {
        decode_claims(self.0.expose_secret())
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([REDACTED])")
    }
}

impl<'de> Deserialize<'de> for AccessToken {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self(SecretString::from(String::deserialize(deserializer)?)))
    }
}

/// Whether the token carries application permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolesClaim {
    /// No `roles` claim at all: no application permission has been granted admin consent (or
    /// only delegated permissions were added). Graph will answer 403.
    Absent,
    /// The granted application permissions, e.g. `User.Read.All`.
    Present(Vec<String>),
}

impl RolesClaim {
    /// The granted roles (empty when absent).
    #[must_use]
    pub fn roles(&self) -> &[String] {
        match self {
            Self::Absent => &[],
            Self::Present(roles) => roles,
        }
    }

    /// True when `role` was granted (case-insensitive).
    #[must_use]
    pub fn contains(&self, role: &str) -> bool {
        self.roles().iter().any(|r| r.eq_ignore_ascii_case(role))
    }
}

/// The claims of an app-only Graph token that Roster reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    /// Application permissions.
    pub roles: RolesClaim,
    /// Tenant the token was issued for.
    pub tenant_id: Option<String>,
    /// Client (application) ID (`appid` on v1 tokens, `azp` on v2).
    pub app_id: Option<String>,
    /// Display name of the app.
    pub app_display_name: Option<String>,
    /// Audience.
    pub audience: Option<String>,
    /// Issuer.
    pub issuer: Option<String>,
    /// `app` for app-only tokens.
    pub identity_type: Option<String>,
    /// Token format version (`1.0`).
    pub version: Option<String>,
    /// Issued at.
    pub issued_at: Option<Timestamp>,
    /// Not valid before.
    pub not_before: Option<Timestamp>,
    /// Expiry.
    pub expires_at: Option<Timestamp>,
}

#[derive(Deserialize)]
struct RawClaims {
    #[serde(default)]
    roles: Option<Vec<String>>,
    #[serde(default)]
    tid: Option<String>,
    #[serde(default)]
    appid: Option<String>,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    app_displayname: Option<String>,
    #[serde(default)]
    aud: Option<String>,
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    idtyp: Option<String>,
    #[serde(default)]
    ver: Option<String>,
    #[serde(default)]
    iat: Option<i64>,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    exp: Option<i64>,
}

/// Decodes the payload (second part) of a JWT without verifying it.
///
/// # Errors
/// [`Error::MalformedAccessToken`] when it is not `header.payload.signature` with a base64url
/// JSON object as payload.
pub fn decode_claims(jwt: &str) -> Result<TokenClaims, Error> {
    let mut parts = jwt.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::MalformedAccessToken(
            "expected three dot-separated parts".to_owned(),
        ));
    };
    let engine = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let bytes = engine
        .decode(payload)
        .map_err(|e| Error::MalformedAccessToken(format!("payload is not base64url: {e}")))?;
    let raw: RawClaims = serde_json::from_slice(&bytes)
        .map_err(|e| Error::MalformedAccessToken(format!("payload is not a JSON object: {e}")))?;
    let instant = |seconds: Option<i64>| seconds.and_then(|s| Timestamp::from_second(s).ok());
    Ok(TokenClaims {
        roles: raw.roles.map_or(RolesClaim::Absent, RolesClaim::Present),
        tenant_id: raw.tid,
        app_id: raw.appid.or(raw.azp),
        app_display_name: raw.app_displayname,
        audience: raw.aud,
        issuer: raw.iss,
        identity_type: raw.idtyp,
        version: raw.ver,
        issued_at: instant(raw.iat),
        not_before: instant(raw.nbf),
        expires_at: instant(raw.exp),
    })
}

/// A token with the instant it stops being usable.
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    pub(crate) token: AccessToken,
    pub(crate) obtained_at: Timestamp,
    pub(crate) expires_at: Timestamp,
    secret_fingerprint: u64,
}

type Slot = Arc<tokio::sync::Mutex<Option<CachedToken>>>;

/// Tokens per (tenant, client ID). One fetch at a time per key; different keys never wait on
/// each other.
#[derive(Default)]
pub(crate) struct TokenCache {
    slots: Mutex<HashMap<(String, String), Slot>>,
    hasher: std::collections::hash_map::RandomState,
}

impl TokenCache {
    pub(crate) fn slot(&self, tenant: &str, client_id: &str) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots
            .entry((
                tenant.trim().to_ascii_lowercase(),
                client_id.trim().to_ascii_lowercase(),
            ))
            .or_default()
            .clone()
    }

    /// A fingerprint of the secret, so a rotated secret never reuses a token the old one got.
    pub(crate) fn fingerprint(&self, secret: &SecretString) -> u64 {
        self.hasher.hash_one(secret.expose_secret())
    }

    pub(crate) fn entry(
        &self,
        token: AccessToken,
        now: Timestamp,
        expires_in: u64,
        secret: &SecretString,
    ) -> CachedToken {
        let lifetime = SignedDuration::from_secs(i64::try_from(expires_in).unwrap_or(i64::MAX));
        CachedToken {
            token,
            obtained_at: now,
            expires_at: now.checked_add(lifetime).unwrap_or(Timestamp::MAX),
            secret_fingerprint: self.fingerprint(secret),
        }
    }
}

impl CachedToken {
    /// Usable at `now` when it was obtained with this secret and is not within `margin` of its
    /// expiry. The margin shrinks to half the lifetime for very short-lived tokens.
    pub(crate) fn usable(&self, now: Timestamp, margin: Duration, fingerprint: u64) -> bool {
        if self.secret_fingerprint != fingerprint {
            return false;
        }
        let lifetime = self.expires_at.duration_since(self.obtained_at);
        let margin = SignedDuration::try_from(margin)
            .unwrap_or(SignedDuration::MAX)
            .min(lifetime / 2);
        match self.expires_at.checked_sub(margin) {
            Ok(refresh_at) => now < refresh_at,
            Err(_) => false,
        }
    }
}
