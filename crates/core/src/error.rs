//! The core's error type: each variant is a case the UI shows differently.

use roster_store::StoreError;
use std::collections::BTreeMap;

/// Messages per form field, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }
    /// Takes the parsed value, or records the error under `field`.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }
}

/// What a use-case can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Some submitted fields are invalid; nothing was changed.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// No valid session.
    #[error("sign in required")]
    Unauthenticated,
    /// Signed in, but the role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// No such thing in this workspace.
    #[error("not found")]
    NotFound,
    /// E-mail or password wrong (deliberately not saying which).
    #[error("Email or password is incorrect.")]
    BadCredentials,
    /// Too many failed sign-ins.
    #[error("Too many failed sign-in attempts. Try again in {minutes} minutes.")]
    RateLimited { minutes: i64 },
    /// The change would leave the workspace without an enabled owner who can sign in.
    #[error("A workspace needs at least one enabled owner who can sign in.")]
    LastOwner,
    /// The request conflicts with the current state (explained in the message).
    #[error("{0}")]
    Conflict(String),
    /// Something broke inside Roster; details are in the log only.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for CoreError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => CoreError::NotFound,
            other => CoreError::Internal(Box::new(other)),
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
