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

/// Bidirectional embedding, override and isolate controls: they reorder the text around them
/// (a name could make a row read as something else), so names may not contain them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters with no width and no meaning in a name: removed wherever they are.
fn is_removable_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}' | '\u{034F}'
    )
}

/// Invisible characters that can belong inside a name (joiners in Persian or Indic scripts and
/// emoji, direction marks in mixed-script names) but never make it non-empty on their own.
fn is_invisible(c: char) -> bool {
    is_removable_invisible(c)
        || c.is_whitespace()
        || matches!(
            c,
            '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
        || ('\u{FE00}'..='\u{FE0F}').contains(&c)
}

/// A name that comes from elsewhere (Microsoft's directory) made safe to show on one line: text
/// direction controls, control characters and zero-width characters removed, ends trimmed. It may
/// be empty; the caller decides what to show instead.
pub fn plain_name(input: &str) -> String {
    let kept: String = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !is_bidi_control(*c) && !is_removable_invisible(*c))
        .collect();
    kept.trim_matches(is_invisible).to_owned()
}

/// Why a one-line name was refused.
enum NameProblem {
    Empty,
    TooLong,
    Control,
    Bidi,
}

/// A one-line name as stored: zero-width characters removed, invisible characters and spaces
/// trimmed from both ends, runs of spaces kept as typed inside.
fn clean_name(input: &str, max_len: usize) -> Result<String, NameProblem> {
    if input.chars().any(is_bidi_control) {
        return Err(NameProblem::Bidi);
    }
    if has_control(input) {
        return Err(NameProblem::Control);
    }
    let kept: String = input
        .chars()
        .filter(|c| !is_removable_invisible(*c))
        .collect();
    let s = kept.trim_matches(is_invisible);
    if s.is_empty() {
        return Err(NameProblem::Empty);
    }
    if s.chars().count() > max_len {
        return Err(NameProblem::TooLong);
    }
    Ok(s.to_owned())
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
                match clean_name(input, Self::MAX_LEN) {
                    Ok(s) => Ok(Self(s)),
                    Err(NameProblem::Empty) => {
                        Err(FieldError::new(concat!("Enter ", $what, ".")))
                    }
                    Err(NameProblem::TooLong) => Err(FieldError::new(format!(
                        concat!("Keep ", $what, " to at most {} characters."),
                        Self::MAX_LEN
                    ))),
                    Err(NameProblem::Control) => Err(FieldError::new(concat!(
                        "Remove line breaks and control characters from ",
                        $what,
                        "."
                    ))),
                    Err(NameProblem::Bidi) => Err(FieldError::new(concat!(
                        "Remove the invisible text-direction characters (such as right-to-left override) from ",
                        $what,
                        "."
                    ))),
                }
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
    /// The name of an organization (one of the MSP's customers).
    OrganizationName,
    "the organization's name"
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
    fn invisible_characters_do_not_make_a_name() {
        for blank in [
            "\u{200B}",
            " \u{200B}\u{FEFF} ",
            "\u{200D}\u{2060}",
            "\u{00A0}\u{200E}",
        ] {
            let e = PersonName::parse(blank).unwrap_err();
            assert_eq!(e.message, "Enter a name.", "{blank:?}");
        }
        assert_eq!(
            PersonName::parse("\u{200B}Ada\u{200B} Love\u{FEFF}lace ")
                .unwrap()
                .as_str(),
            "Ada Lovelace"
        );
        // Joiners inside a name are kept: they change how Persian or Indic names are written.
        assert_eq!(
            PersonName::parse("می\u{200C}خواهم").unwrap().as_str(),
            "می\u{200C}خواهم"
        );
        assert_eq!(PersonName::parse("שרה כהן").unwrap().as_str(), "שרה כהן");
    }

    #[test]
    fn names_from_elsewhere_are_made_plain() {
        assert_eq!(plain_name("\u{202E}Contoso\u{202C} Ltd\n"), "Contoso Ltd");
        assert_eq!(plain_name("\u{200B} \u{FEFF}"), "");
    }

    #[test]
    fn text_direction_overrides_are_refused_in_names() {
        for spoof in [
            "Invoice\u{202E}fdp.exe",
            "\u{2067}Admin\u{2069}",
            "a\u{202A}b",
        ] {
            let e = WorkspaceName::parse(spoof).unwrap_err();
            assert!(
                e.message.contains("text-direction"),
                "{spoof:?}: {}",
                e.message
            );
        }
    }

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
