//! The flash: what a form post leaves for the next page view (errors, typed values, a message).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use roster_core::CoreError;
use roster_core::crypto::CookieSigner;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The flash cookie's name.
pub const FLASH_COOKIE: &str = "roster_flash";
/// Longest value kept per field; longer input is not echoed back.
const MAX_VALUE: usize = 1000;
/// Largest encoded flash; beyond it the typed values are dropped (the errors are kept).
const MAX_ENCODED: usize = 3500;

/// Messages and values carried from a form post to the page it redirects to.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    /// Which form the values and errors belong to.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub form: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, String>,
    /// A message about the whole form (or the page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// A success message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// A value shown once (a set-password link, for instance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reveal: Option<String>,
}

impl Flash {
    pub fn notice(message: impl Into<String>) -> Self {
        Self {
            notice: Some(message.into()),
            ..Self::default()
        }
    }

    /// A flash for `form` carrying the typed values (never pass passwords here).
    pub fn for_form(form: &str, values: &[(&str, &str)]) -> Self {
        Self {
            form: form.to_owned(),
            values: values
                .iter()
                .filter(|(_, v)| v.len() <= MAX_VALUE)
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..Self::default()
        }
    }

    /// Records why a use-case refused; returns true when the cause is internal (to be logged).
    pub fn set_error(&mut self, err: &CoreError, op_id: &str) -> bool {
        match err {
            // With no form to mark fields on (a button in a table row), the messages themselves
            // are the error.
            CoreError::Invalid(fields) if self.form.is_empty() => {
                self.error = Some(fields.0.values().cloned().collect::<Vec<_>>().join(" "));
                false
            }
            CoreError::Invalid(fields) => {
                self.errors = fields.0.clone();
                self.error = Some("Please correct the fields marked below.".into());
                false
            }
            CoreError::Internal(_) => {
                self.error = Some(format!(
                    "Something went wrong on our side; nothing was changed. Operation id: {op_id}."
                ));
                true
            }
            CoreError::Forbidden => {
                self.error = Some("Your role does not allow this.".into());
                false
            }
            CoreError::NotFound => {
                self.error = Some("That no longer exists.".into());
                false
            }
            CoreError::Unauthenticated => {
                self.error = Some("Please sign in again.".into());
                false
            }
            other => {
                self.error = Some(other.to_string());
                false
            }
        }
    }

    /// The value typed into `field` of `form`, if this flash is for that form.
    pub fn value(&self, form: &str, field: &str) -> Option<String> {
        (self.form == form)
            .then(|| self.values.get(field).cloned())
            .flatten()
    }

    /// The error for `field` of `form`.
    pub fn field_error(&self, form: &str, field: &str) -> Option<String> {
        (self.form == form)
            .then(|| self.errors.get(field).cloned())
            .flatten()
    }

    /// The form-level error, if it belongs to `form` (or to no particular form).
    pub fn form_error(&self, form: &str) -> Option<String> {
        (self.form == form || self.form.is_empty())
            .then(|| self.error.clone())
            .flatten()
    }

    pub fn is_empty(&self) -> bool {
        *self == Flash::default()
    }

    /// The cookie value: the flash as base64 JSON, signed.
    pub fn encode(&self, signer: &CookieSigner) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let encoded = URL_SAFE_NO_PAD.encode(json);
        if encoded.len() <= MAX_ENCODED {
            return signer.sign(&encoded);
        }
        let slim = Flash {
            values: BTreeMap::new(),
            ..self.clone()
        };
        signer.sign(&URL_SAFE_NO_PAD.encode(serde_json::to_vec(&slim).unwrap_or_default()))
    }

    /// Reads a cookie value; anything unsigned, signed by another key, or malformed is an empty
    /// flash (so nobody else can put words or links on a Roster page).
    pub fn decode(value: &str, signer: &CookieSigner) -> Self {
        signer
            .verify(value.trim())
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flash_survives_its_cookie_encoding() {
        let mut f = Flash::for_form("login", &[("email", "ada@example.com")]);
        f.errors.insert("password".into(), "Wrong".into());
        let signer = CookieSigner::derive(&[1u8; 32]);
        assert_eq!(Flash::decode(&f.encode(&signer), &signer), f);
    }

    #[test]
    fn garbage_unsigned_or_foreign_cookies_give_an_empty_flash() {
        let signer = CookieSigner::derive(&[1u8; 32]);
        assert!(Flash::decode("%%%not-base64", &signer).is_empty());
        assert!(Flash::decode("aGVsbG8", &signer).is_empty());
        let forged = Flash::notice("Your session expired: sign in again at evil.example");
        let unsigned = forged
            .encode(&signer)
            .rsplit_once('.')
            .map(|(v, _)| v.to_owned())
            .unwrap_or_default();
        assert!(Flash::decode(&unsigned, &signer).is_empty());
        let other = CookieSigner::derive(&[2u8; 32]);
        assert!(Flash::decode(&forged.encode(&other), &signer).is_empty());
        assert_eq!(Flash::decode(&forged.encode(&signer), &signer), forged);
    }

    #[test]
    fn values_belong_to_their_form_only() {
        let f = Flash::for_form("login", &[("email", "a@b.co")]);
        assert_eq!(f.value("login", "email").as_deref(), Some("a@b.co"));
        assert_eq!(f.value("setup", "email"), None);
    }

    #[test]
    fn oversized_flashes_drop_values_but_keep_errors() {
        let big = "x".repeat(900);
        let mut f = Flash::for_form("f", &[("a", &big), ("b", &big), ("c", &big), ("d", &big)]);
        f.error = Some("bad".into());
        let signer = CookieSigner::random();
        let back = Flash::decode(&f.encode(&signer), &signer);
        assert!(back.values.is_empty());
        assert_eq!(back.error.as_deref(), Some("bad"));
    }
}
