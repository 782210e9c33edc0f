//! How server functions answer a plain form post: set cookies, leave a flash, redirect.

use axum_extra::extract::cookie::{Cookie, SameSite};
use http::header::{HeaderValue, SET_COOKIE};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use roster_core::CoreError;

use crate::context::{app_state, request_context};
use crate::flash::{FLASH_COOKIE, Flash};

/// Builds a `Set-Cookie` value for one of Roster's cookies: the whole site, never readable by
/// scripts, not sent on cross-site posts, `Secure` behind HTTPS; `max_age` of `Some(0)` deletes it.
pub fn cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure);
    if let Some(age) = max_age {
        c = c.max_age(cookie::time::Duration::seconds(age));
    }
    c.build().encoded().to_string()
}

/// Adds a `Set-Cookie` header to the response of the current server function.
pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        res.append_header(SET_COOKIE, v);
    }
}

fn secure() -> bool {
    app_state().map(|s| s.secure_cookies).unwrap_or(false)
}

/// Leaves `flash` for the next page and redirects there.
pub fn flash_redirect(flash: &Flash, to: &str) {
    if let Ok(state) = app_state() {
        set_cookie(&cookie(
            FLASH_COOKIE,
            &flash.encode(state.services.cookie_signer()),
            Some(120),
            secure(),
        ));
    }
    leptos_axum::redirect(to);
}

/// Redirects with a success message.
pub fn done(notice: impl Into<String>, to: &str) {
    flash_redirect(&Flash::notice(notice), to);
}

/// Redirects back to a form with the reason it was refused and the values typed.
pub fn refuse(form: &str, err: &CoreError, values: &[(&str, &str)], to: &str) {
    let op_id = request_context().op_id;
    let mut flash = Flash::for_form(form, values);
    if flash.set_error(err, &op_id) {
        tracing::error!(op_id = %op_id, error = ?err, "request failed");
    }
    if matches!(err, CoreError::Unauthenticated) {
        flash_redirect(&flash, "/login");
    } else {
        flash_redirect(&flash, to);
    }
}

/// Only local paths are followed after a form (no open redirects).
pub fn local_path(candidate: &str, default: &str) -> String {
    if candidate.starts_with('/') && !candidate.starts_with("//") && !candidate.contains('\\') {
        candidate.to_owned()
    } else {
        default.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/settings/members", "/"), "/settings/members");
        assert_eq!(local_path("//evil.example", "/"), "/");
        assert_eq!(local_path("https://evil.example", "/"), "/");
        assert_eq!(local_path("/\\evil", "/"), "/");
    }

    #[test]
    fn cookies_are_http_only_and_lax_and_secure_when_asked() {
        let c = cookie("a", "b", Some(10), true);
        let attrs: Vec<&str> = c.split("; ").collect();
        assert_eq!(attrs[0], "a=b");
        for want in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/", "Max-Age=10"] {
            assert!(attrs.contains(&want), "{want} in {c}");
        }
        assert!(!cookie("a", "b", None, false).contains("Secure"));
        assert!(!cookie("a", "b", None, false).contains("Max-Age"));
        // A value that is not a plain token is percent-encoded, and the jar decodes it back.
        let odd = cookie("a", "x;y z", None, false);
        assert!(odd.starts_with("a=x%3By%20z"), "{odd}");
    }
}
