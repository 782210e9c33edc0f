//! JSON batching (`POST /$batch`): up to 20 requests in one round trip, answered in any order.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, GraphErrorEnvelope, GraphErrorKind, GraphFailure, RequestInfo};

/// Most requests Graph accepts in one batch.
pub const MAX_BATCH_REQUESTS: usize = 20;

/// One request inside a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchRequest {
    /// Unique (case-insensitively) within the batch.
    pub id: String,
    /// HTTP method.
    pub method: String,
    /// URL relative to the version root, e.g. `/users?$top=1` or `organization`.
    pub url: String,
    /// Headers for this request (`ConsistencyLevel`, `Content-Type`, ...).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// JSON body (then `headers` must hold `Content-Type`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    /// Ids this request waits for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

impl BatchRequest {
    /// A GET request.
    #[must_use]
    pub fn get(id: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            method: "GET".to_owned(),
            url: url.into(),
            headers: BTreeMap::new(),
            body: None,
            depends_on: Vec::new(),
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Adds `ConsistencyLevel: eventual`.
    #[must_use]
    pub fn eventual(self) -> Self {
        self.header("ConsistencyLevel", "eventual")
    }

    /// Sets a JSON body and its `Content-Type`.
    #[must_use]
    pub fn json_body(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self.header("Content-Type", "application/json")
    }

    /// Makes this request wait for `id`.
    #[must_use]
    pub fn depends_on(mut self, id: impl Into<String>) -> Self {
        self.depends_on.push(id.into());
        self
    }
}

/// Checks what Graph would reject as a whole: more than 20 requests, none, duplicate ids,
/// absolute URLs, unknown dependencies.
///
/// # Errors
/// [`Error::InvalidInput`] describing the first problem.
pub fn validate(requests: &[BatchRequest]) -> Result<(), Error> {
    if requests.is_empty() {
        return Err(Error::InvalidInput(
            "a batch needs at least one request".to_owned(),
        ));
    }
    if requests.len() > MAX_BATCH_REQUESTS {
        return Err(Error::InvalidInput(format!(
            "a batch holds at most {MAX_BATCH_REQUESTS} requests, not {}",
            requests.len()
        )));
    }
    for (i, request) in requests.iter().enumerate() {
        if requests[..i]
            .iter()
            .any(|earlier| earlier.id.eq_ignore_ascii_case(&request.id))
        {
            return Err(Error::InvalidInput(format!(
                "batch request id {:?} is used twice",
                request.id
            )));
        }
        if request.url.contains("://") {
            return Err(Error::InvalidInput(format!(
                "batch request {:?} must use a relative URL, not {:?}",
                request.id, request.url
            )));
        }
        for dependency in &request.depends_on {
            if !requests
                .iter()
                .any(|r| r.id.eq_ignore_ascii_case(dependency))
            {
                return Err(Error::InvalidInput(format!(
                    "batch request {:?} depends on unknown id {dependency:?}",
                    request.id
                )));
            }
        }
    }
    Ok(())
}

#[derive(Serialize)]
pub(crate) struct BatchBody<'a> {
    pub(crate) requests: &'a [BatchRequest],
}

/// The answer to a batch. Items come in any order; look them up by id.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BatchResponse {
    /// Items as received.
    pub responses: Vec<BatchItem>,
    /// The outer exchange, for errors raised from items.
    #[serde(skip)]
    pub(crate) info: Option<RequestInfo>,
}

impl BatchResponse {
    /// The item answering request `id` (case-insensitive).
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&BatchItem> {
        self.responses
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(id))
    }

    /// Decodes item `id` as `T`, or returns its error.
    ///
    /// # Errors
    /// [`Error::Protocol`] when no item has that id; [`Error::Graph`] (classified from the item's
    /// status and body) when the item failed; [`Error::Decode`] when its body is not a `T`.
    pub fn json<T: DeserializeOwned>(&self, id: &str) -> Result<T, Error> {
        let info = self.info.clone().unwrap_or_else(|| RequestInfo {
            method: "POST".to_owned(),
            url: "$batch".to_owned(),
            client_request_id: String::new(),
            request_id: None,
            status: None,
            attempts: 1,
        });
        match self.get(id) {
            Some(item) => item.json_with(&info),
            None => Err(Error::Protocol {
                info: Box::new(info),
                what: format!("the batch response has no item with id {id:?}"),
            }),
        }
    }
}

/// One answer inside a batch.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BatchItem {
    /// The request's id.
    pub id: String,
    /// The request's HTTP status (the outer status is 200 regardless).
    pub status: u16,
    /// The request's headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The request's JSON body.
    #[serde(default)]
    pub body: Option<serde_json::Value>,
}

impl BatchItem {
    /// True for 2xx.
    #[must_use]
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A header, by case-insensitive name.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// `Retry-After` of a throttled item, in (possibly fractional) seconds.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.header("Retry-After")
            .and_then(|v| v.trim().parse::<f64>().ok())
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
    }

    /// The item's error, classified, when its status is not 2xx.
    #[must_use]
    pub fn error(&self, outer: &RequestInfo) -> Option<Error> {
        if self.is_success() {
            return None;
        }
        let envelope = self
            .body
            .clone()
            .and_then(|body| serde_json::from_value::<GraphErrorEnvelope>(body).ok());
        let mut info = outer.clone();
        info.status = Some(self.status);
        info.request_id = envelope
            .as_ref()
            .and_then(|e| e.error.request_id().map(str::to_owned))
            .or_else(|| self.header("request-id").map(str::to_owned))
            .or(info.request_id);
        let (code, message, date) = match envelope {
            Some(e) => {
                let date = e.error.date();
                (e.error.code, e.error.message, date)
            }
            None => (String::new(), String::new(), None),
        };
        Some(Error::Graph(Box::new(GraphFailure {
            kind: GraphErrorKind::classify(self.status, &code),
            status: self.status,
            code,
            message,
            date,
            retry_after: self.retry_after(),
            info,
        })))
    }

    fn json_with<T: DeserializeOwned>(&self, outer: &RequestInfo) -> Result<T, Error> {
        if let Some(error) = self.error(outer) {
            return Err(error);
        }
        let body = self.body.clone().unwrap_or(serde_json::Value::Null);
        serde_path_to_error::deserialize(body).map_err(|e| Error::Decode {
            info: Box::new(outer.clone()),
            path: format!("responses[id={}].body.{}", self.id, e.path()),
            detail: e.into_inner().to_string(),
        })
    }
}
