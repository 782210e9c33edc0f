//! Form pieces: the CSRF field, labelled inputs with their errors, and page messages.

use leptos::prelude::*;

use crate::context::request_context;

/// The hidden CSRF token every state-changing form carries.
#[component]
pub fn CsrfField() -> impl IntoView {
    let token = request_context().csrf_token;
    view! { <input type="hidden" name="csrf" value=token /> }
}

/// A labelled input that shows its error and, after a failed post, what was typed (never passwords).
#[component]
pub fn Field(
    form: &'static str,
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] value: Option<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] maxlength: Option<usize>,
    /// The earliest value a date field accepts (the browser's own check; the server checks too).
    #[prop(optional)]
    min: Option<String>,
) -> impl IntoView {
    let flash = request_context().flash;
    let id = format!("{form}-{name}");
    let error = flash.field_error(form, name);
    let shown = if kind == "password" {
        None
    } else {
        flash.value(form, name).or(value)
    };
    let described = match (&error, hint) {
        (Some(_), _) => Some(format!("{id}-error")),
        (None, Some(_)) => Some(format!("{id}-hint")),
        _ => None,
    };
    let hint_view = hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> });
    let error_view = error
        .clone()
        .map(|e| view! { <p class="field-error" id=format!("{id}-error")>{e}</p> });
    view! {
        <div class="field" class:invalid=error.is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=shown
                autocomplete=autocomplete
                required=required
                maxlength=maxlength.map(|m| m.to_string())
                min=min
                aria-invalid=error.as_ref().map(|_| "true")
                aria-describedby=described
            />
            {error_view}
            {hint_view}
        </div>
    }
}

/// The page's success, error and one-time messages from the flash.
#[component]
pub fn Notices() -> impl IntoView {
    let flash = request_context().flash;
    let notice = flash
        .notice
        .clone()
        .map(|n| view! { <p class="notice" role="status">{n}</p> });
    // Field validation messages sit with their form (see `FormError`); every other refusal shows here.
    let error = flash
        .error
        .clone()
        .filter(|_| flash.errors.is_empty())
        .map(|e| view! { <p class="error" role="alert">{e}</p> });
    let reveal = flash.reveal.clone().map(|r| {
        view! {
            <div class="reveal" role="status">
                <p>"Copy this link now; it is shown only once:"</p>
                <code>{r}</code>
            </div>
        }
    });
    view! {
        {notice}
        {error}
        {reveal}
    }
}

/// The error about a whole form, shown above it.
#[component]
pub fn FormError(form: &'static str) -> impl IntoView {
    let flash = request_context().flash;
    flash
        .form_error(form)
        .filter(|_| !flash.errors.is_empty())
        .map(|e| view! { <p class="error" role="alert">{e}</p> })
}
