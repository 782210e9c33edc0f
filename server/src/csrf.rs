//! Reading the CSRF token a form post carries, and how large a post may be.
//!
//! Every `POST /api/…` is buffered (up to its route's limit) and must carry the `csrf` field of the
//! page that rendered the form. Ordinary forms are URL-encoded; routes that take a file upload
//! (the CSV imports) are `multipart/form-data`, which only those routes accept, with a larger limit.

use axum::body::Bytes;

/// The largest URL-encoded form Roster accepts.
pub const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The largest upload (the whole multipart body, file included) an upload route accepts.
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;

/// Routes that take a file upload as `multipart/form-data`.
pub const UPLOAD_ROUTES: &[&str] = &["/api/import_organizations", "/api/import_contacts"];

/// Whether `path` takes uploads.
pub fn is_upload_route(path: &str) -> bool {
    UPLOAD_ROUTES.contains(&path)
}

/// The most bytes a post to `path` may carry.
pub fn body_limit(path: &str) -> usize {
    if is_upload_route(path) {
        MAX_UPLOAD_BYTES
    } else {
        MAX_FORM_BYTES
    }
}

/// The `csrf` field of a buffered post body, or `None` when it has none (or cannot be read).
/// Multipart bodies are read only for upload routes.
pub async fn submitted_token(
    path: &str,
    content_type: Option<&str>,
    body: &Bytes,
) -> Option<String> {
    let content_type = content_type.unwrap_or_default();
    let is_multipart = content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data");
    if !is_multipart {
        return form_urlencoded::parse(body)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned());
    }
    if !is_upload_route(path) {
        return None;
    }
    let boundary = multer::parse_boundary(content_type).ok()?;
    let chunk = body.clone();
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(chunk) });
    let mut parts = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = parts.next_field().await {
        if field.name() == Some("csrf") {
            return field.text().await.ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn multipart(boundary: &str, fields: &[(&str, Option<&str>, &str)]) -> Bytes {
        let mut out = String::new();
        for (name, file, value) in fields {
            out.push_str(&format!("--{boundary}\r\n"));
            match file {
                Some(f) => out.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n"
                )),
                None => out.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")),
            }
            out.push_str(value);
            out.push_str("\r\n");
        }
        out.push_str(&format!("--{boundary}--\r\n"));
        Bytes::from(out)
    }

    #[tokio::test]
    async fn the_token_is_found_in_either_encoding() {
        let form = Bytes::from_static(b"name=Contoso&csrf=abc%2B1");
        assert_eq!(
            submitted_token(
                "/api/create_organization",
                Some("application/x-www-form-urlencoded"),
                &form
            )
            .await
            .as_deref(),
            Some("abc+1")
        );
        let body = multipart(
            "XyZ",
            &[
                ("file", Some("orgs.csv"), "name\ncsrf=not-this\n"),
                ("csrf", None, "tok-123"),
            ],
        );
        let ct = "multipart/form-data; boundary=XyZ";
        assert_eq!(
            submitted_token("/api/import_organizations", Some(ct), &body)
                .await
                .as_deref(),
            Some("tok-123"),
            "the csrf part, not text inside the file"
        );
    }

    #[tokio::test]
    async fn multipart_counts_only_on_upload_routes_and_broken_bodies_carry_no_token() {
        let body = multipart("b", &[("csrf", None, "tok")]);
        let ct = "multipart/form-data; boundary=b";
        assert_eq!(
            submitted_token("/api/create_organization", Some(ct), &body).await,
            None
        );
        assert_eq!(
            submitted_token("/api/import_contacts", Some("multipart/form-data"), &body).await,
            None,
            "no boundary"
        );
        // A body cut off inside the token's part yields no token (not a partial one).
        let long = multipart("b", &[("csrf", None, "token-that-is-cut-off")]);
        let at = long.windows(5).position(|w| w == b"token").expect("value") + 5;
        let cut = long.slice(..at);
        assert_eq!(
            submitted_token("/api/import_contacts", Some(ct), &cut).await,
            None
        );
        let no_token = multipart("b", &[("file", Some("a.csv"), "x")]);
        assert_eq!(
            submitted_token("/api/import_contacts", Some(ct), &no_token).await,
            None
        );
        assert_eq!(body_limit("/api/import_contacts"), MAX_UPLOAD_BYTES);
        assert_eq!(body_limit("/api/create_organization"), MAX_FORM_BYTES);
    }
}
