//! One HTTP exchange with retries: request ids, the per-request timeout, `Retry-After`, bounded
//! exponential backoff with jitter, and turning bodies into values or classified errors.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER,
};
use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use crate::config::GraphConfig;
use crate::error::{
    Error, GraphErrorEnvelope, GraphFailure, RequestInfo, TokenErrorBody, TokenFailure,
};

const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
const MS_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");

/// What to send. Rebuilt into a fresh `reqwest` request on every attempt.
pub(crate) struct Outgoing {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) bearer: Option<SecretString>,
    pub(crate) body: OutgoingBody,
}

pub(crate) enum OutgoingBody {
    Empty,
    Json(Vec<u8>),
    /// Form fields; values may be secrets, so the whole list is kept secret-wrapped.
    Form(Vec<(&'static str, SecretString)>),
}

impl Outgoing {
    pub(crate) fn get(url: Url) -> Self {
        Self {
            method: Method::GET,
            url,
            headers: HeaderMap::new(),
            bearer: None,
            body: OutgoingBody::Empty,
        }
    }
}

/// A complete response: status, headers and the whole body.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) info: RequestInfo,
}

impl Received {
    pub(crate) fn retry_after(&self, config: &GraphConfig) -> Option<Duration> {
        retry_after(&self.headers, config)
    }

    pub(crate) fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    fn content_type(&self) -> Option<String> {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Decodes a successful JSON body.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_json(&self.body, self.content_type(), &self.info)
    }

    /// Turns an error response from Graph (or the report host) into an [`Error`].
    pub(crate) fn graph_error(&self, config: &GraphConfig) -> Error {
        let retry_after = self.retry_after(config);
        let mut info = self.info.clone();
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Error::Graph(Box::new(GraphFailure {
                kind: crate::error::GraphErrorKind::classify(self.status.as_u16(), ""),
                status: self.status.as_u16(),
                code: String::new(),
                message: String::new(),
                date: None,
                retry_after,
                info,
            }));
        }
        match decode_json::<GraphErrorEnvelope>(&self.body, self.content_type(), &self.info) {
            Ok(envelope) => {
                if info.request_id.is_none() {
                    info.request_id = envelope.error.request_id().map(str::to_owned);
                }
                Error::Graph(Box::new(GraphFailure {
                    kind: envelope.error.kind(self.status.as_u16()),
                    status: self.status.as_u16(),
                    date: envelope.error.date(),
                    code: envelope.error.code,
                    message: envelope.error.message,
                    retry_after,
                    info,
                }))
            }
            Err(error) => error,
        }
    }

    /// Turns an error response from the token endpoint into an [`Error`].
    pub(crate) fn token_error(&self, config: &GraphConfig) -> Error {
        let retry_after = self.retry_after(config);
        match decode_json::<TokenErrorBody>(&self.body, self.content_type(), &self.info) {
            Ok(body) => {
                let status = self.status.as_u16();
                Error::Token(Box::new(TokenFailure {
                    kind: body.kind(status),
                    status,
                    timestamp: body.parsed_timestamp(),
                    error: body.error,
                    error_codes: body.error_codes,
                    description: body.error_description,
                    trace_id: body.trace_id,
                    correlation_id: body.correlation_id,
                    retry_after,
                    info: self.info.clone(),
                }))
            }
            Err(error) => error,
        }
    }
}

/// Decodes JSON, telling apart non-JSON bodies, truncated JSON and shape mismatches.
pub(crate) fn decode_json<T: DeserializeOwned>(
    body: &[u8],
    content_type: Option<String>,
    info: &RequestInfo,
) -> Result<T, Error> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let looks_like_json = matches!(first, Some(b'{' | b'['));
    if !looks_like_json {
        return Err(Error::NotJson {
            info: Box::new(info.clone()),
            content_type,
            snippet: snippet(body),
        });
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(value) => value,
        Err(error) => {
            let path = error.path().to_string();
            let inner = error.into_inner();
            return Err(if inner.is_eof() {
                Error::TruncatedJson {
                    info: Box::new(info.clone()),
                    detail: inner.to_string(),
                }
            } else if inner.is_syntax() {
                Error::NotJson {
                    info: Box::new(info.clone()),
                    content_type,
                    snippet: snippet(body),
                }
            } else {
                Error::Decode {
                    info: Box::new(info.clone()),
                    path,
                    detail: inner.to_string(),
                }
            });
        }
    };
    // Anything after the document (other than whitespace) means the body is not one JSON value.
    if deserializer.end().is_err() {
        return Err(Error::NotJson {
            info: Box::new(info.clone()),
            content_type,
            snippet: snippet(body),
        });
    }
    Ok(value)
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses `Retry-After`: decimal seconds (`10`, `2.128`) or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap, config: &GraphConfig) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0)
            .then(|| Duration::try_from_secs_f64(seconds).ok())
            .flatten();
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(text)
        .ok()?;
    let now = config.clock.now();
    let wait = at.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// Whether a status is worth another attempt.
fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 503 | 504)
}

/// Sends `outgoing`, retrying as the policy allows, and reads the whole body.
///
/// A non-success status is *not* an error here: the caller knows whether the body is a Graph or
/// a token-endpoint error and classifies it.
pub(crate) async fn send(
    http: &reqwest::Client,
    config: &GraphConfig,
    outgoing: &Outgoing,
) -> Result<Received, Error> {
    let policy = &config.retry;
    let max_attempts = policy.max_attempts.max(1);
    let client_request_id = new_request_id(config);
    let mut info = RequestInfo {
        method: outgoing.method.to_string(),
        url: outgoing.url.to_string(),
        client_request_id: client_request_id.clone(),
        request_id: None,
        status: None,
        attempts: 0,
    };
    let mut retries_done = 0u32;
    loop {
        info.attempts += 1;
        let attempt = info.attempts;
        tracing::debug!(method = %outgoing.method, url = %outgoing.url, attempt, "sending request");
        let outcome = exchange(http, config, outgoing, &client_request_id).await;
        // The token endpoint is `{login base}/{tenant}/oauth2/v2.0/token`; everything else is
        // Graph (the two bases may be one host, as with an emulator).
        let service = if outgoing.url.path().ends_with("/oauth2/v2.0/token") {
            crate::config::Service::Token
        } else {
            crate::config::Service::Graph
        };
        match &outcome {
            Ok((status, headers, _)) => config.observer.exchange(
                service,
                Some(status.as_u16()),
                *status == StatusCode::TOO_MANY_REQUESTS
                    || (*status == StatusCode::SERVICE_UNAVAILABLE
                        && headers.contains_key(reqwest::header::RETRY_AFTER)),
            ),
            Err(_) => config.observer.exchange(service, None, false),
        }
        let last_attempt = attempt >= max_attempts;
        match outcome {
            Ok((status, headers, body)) => {
                info.status = Some(status.as_u16());
                info.request_id = headers
                    .get(REQUEST_ID)
                    .or_else(|| headers.get(MS_REQUEST_ID))
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let received = Received {
                    status,
                    headers,
                    body,
                    info: info.clone(),
                };
                if !retryable_status(status) || last_attempt {
                    return Ok(received);
                }
                let delay = match received.retry_after(config) {
                    Some(asked) if asked > policy.max_retry_after => {
                        tracing::warn!(url = %outgoing.url, status = status.as_u16(), ?asked, "server asked to wait longer than the policy allows; giving up");
                        return Ok(received);
                    }
                    Some(asked) => asked,
                    None => {
                        retries_done += 1;
                        policy.backoff(retries_done, config.random.fraction())
                    }
                };
                tracing::warn!(url = %outgoing.url, status = status.as_u16(), request_id = ?info.request_id, ?delay, attempt, "transient status; retrying");
                config.sleeper.sleep(delay).await;
            }
            Err(failure) => {
                info.status = None;
                info.request_id = None;
                // No answer came: a timeout, a failed connection, or one that broke before the
                // whole answer was read (a reset). All of them are retried under the same
                // policy, so the loop agrees with `Error::is_transient`.
                let error = transport_error(failure, info.clone(), config.timeout);
                if !error.is_transient() || last_attempt {
                    return Err(error);
                }
                retries_done += 1;
                let delay = policy.backoff(retries_done, config.random.fraction());
                tracing::warn!(url = %outgoing.url, %error, ?delay, attempt, "request failed; retrying");
                config.sleeper.sleep(delay).await;
            }
        }
    }
}

fn transport_error(failure: reqwest::Error, info: RequestInfo, timeout: Duration) -> Error {
    let info = Box::new(info);
    if failure.is_timeout() {
        Error::Timeout { info, timeout }
    } else if failure.is_connect() {
        Error::Unreachable {
            info,
            source: failure,
        }
    } else {
        Error::Transport {
            info,
            source: failure,
        }
    }
}

async fn exchange(
    http: &reqwest::Client,
    config: &GraphConfig,
    outgoing: &Outgoing,
    client_request_id: &str,
) -> Result<(StatusCode, HeaderMap, Bytes), reqwest::Error> {
    let mut request = http
        .request(outgoing.method.clone(), outgoing.url.clone())
        .timeout(config.timeout)
        .headers(outgoing.headers.clone());
    if let Ok(value) = HeaderValue::from_str(client_request_id) {
        request = request.header(CLIENT_REQUEST_ID, value);
    }
    if !outgoing.headers.contains_key(ACCEPT) {
        request = request.header(ACCEPT, "application/json");
    }
    if let Some(token) = &outgoing.bearer {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer"));
        value.set_sensitive(true);
        request = request.header(AUTHORIZATION, value);
    }
    request = match &outgoing.body {
        OutgoingBody::Empty => request,
        OutgoingBody::Json(bytes) => request
            .header(CONTENT_TYPE, "application/json")
            .body(bytes.clone()),
        OutgoingBody::Form(fields) => {
            let exposed: Vec<(&str, &str)> = fields
                .iter()
                .map(|(name, value)| (*name, value.expose_secret()))
                .collect();
            request.form(&exposed)
        }
    };
    let response = request.send().await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    Ok((status, headers, body))
}

/// A random (version 4) UUID built from the configured random source.
pub(crate) fn new_request_id(config: &GraphConfig) -> String {
    let high = config.random.next_u64().to_be_bytes();
    let low = config.random.next_u64().to_be_bytes();
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&high);
    bytes[8..].copy_from_slice(&low);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}
