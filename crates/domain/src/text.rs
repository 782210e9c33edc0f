//! Parsed text values: e-mail addresses, passwords and names, each checked once at the edge.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a submitted value was refused; the message is written for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub message: String,
}

impl FieldError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A syntactically plausible e-mail address, stored lower-case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Longest address accepted (RFC 5321 path limit).
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(FieldError::new("Enter an email address."));
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(FieldError::new(format!(
                "An email address can be at most {} characters.",
                Self::MAX_LEN
            )));
        }
        if s.chars().any(char::is_whitespace) || has_control(s) {
            return Err(FieldError::new("An email address cannot contain spaces."));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(FieldError::new(
                "Enter an email address like name@example.com.",
            ));
        };
        if local.is_empty()
            || local.contains('@')
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(FieldError::new(
                "Enter an email address like name@example.com.",
            ));
        }
        // The domain is compared and stored as organizations' domains are (IDNA, lower case), so
        // `olive@Bücher.de` and `olive@xn--bcher-kva.de` are one address.
        let Some(domain) = crate::tenant::normalize_domain(domain) else {
            return Err(FieldError::new(format!(
                "\"{domain}\" is not a domain name like example.com."
            )));
        };
        Ok(Self(format!("{}@{domain}", local.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

/// A new password that meets the policy. Never displayed, never logged.
#[derive(Clone, Debug)]
pub struct Password(SecretString);

impl Password {
    pub const MIN_LEN: usize = 12;
    pub const MAX_LEN: usize = 256;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let n = input.chars().count();
        if n < Self::MIN_LEN {
            return Err(FieldError::new(format!(
                "Use at least {} characters for the password.",
                Self::MIN_LEN
            )));
        }
        if n > Self::MAX_LEN {
            return Err(FieldError::new(format!(
                "A password can be at most {} characters.",
                Self::MAX_LEN
            )));
        }
        if input.trim().is_empty() {
            return Err(FieldError::new("A password cannot be only spaces."));
        }
        Ok(Self(SecretString::from(input.to_owned())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

macro_rules! short_text {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_LEN: usize = 100;

            pub fn parse(input: &str) -> Result<Self, FieldError> {
                let s = input.trim();
                if s.is_empty() {
                    return Err(FieldError::new(concat!("Enter ", $what, ".")));
                }
                if s.chars().count() > Self::MAX_LEN {
                    return Err(FieldError::new(format!(
                        concat!("Keep ", $what, " to at most {} characters."),
                        Self::MAX_LEN
                    )));
                }
                if has_control(s) {
                    return Err(FieldError::new(concat!(
                        "Remove line breaks and control characters from ",
                        $what,
                        "."
                    )));
                }
                Ok(Self(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

short_text!(
    /// The display name of a workspace (the MSP's name).
    WorkspaceName,
    "a workspace name"
);
short_text!(
    /// A person's display name.
    PersonName,
    "a name"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        let e = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "ada.lovelace@example.com");
        assert_eq!(e.domain(), "example.com");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada @example.com",
            "ada@.com",
            "ada@example..com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn short_passwords_are_refused_with_the_rule() {
        let err = Password::parse("elevenchars").unwrap_err();
        assert!(err.message.contains("12"));
        assert!(Password::parse("twelve chars").is_ok());
        assert!(Password::parse(&"x".repeat(257)).is_err());
        assert!(Password::parse(&" ".repeat(20)).is_err());
    }

    #[test]
    fn passwords_do_not_show_in_debug_output() {
        let p = Password::parse("correct horse battery").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            WorkspaceName::parse("  Acme IT ").unwrap().as_str(),
            "Acme IT"
        );
        assert!(WorkspaceName::parse("   ").is_err());
        assert!(PersonName::parse(&"n".repeat(101)).is_err());
        assert!(PersonName::parse("Line\nbreak").is_err());
    }
}
