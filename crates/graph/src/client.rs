//! [`GraphClient`] (shared HTTP client, configuration and token cache) and [`TenantSession`]
//! (one tenant's credentials plus every Graph call Roster makes).

use std::fmt;
use std::sync::Arc;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use crate::batch::{self, BatchBody, BatchRequest, BatchResponse};
use crate::config::GraphConfig;
use crate::error::{Error, RequestInfo};
use crate::models::{
    DelegatedAdminCustomer, DeltaItem, DirectoryObject, Group, ManagedDevice, Organization,
    ReportSettings, SecureScore, SubscribedSku, User, UserRegistrationDetails,
};
use crate::paging::{DeltaRound, Page};
use crate::query::{ListQuery, encode_component};
use crate::reports::{self, MailboxUsageDetail, Office365ActiveUserDetail, Report, ReportPeriod};
use crate::token::{AccessToken, RolesClaim, TokenCache, TokenClaims, TokenResponse};
use crate::transport::{self, Outgoing, OutgoingBody, Received};

/// Graph version every call uses.
pub const GRAPH_VERSION: &str = "v1.0";
/// The scope of an app-only Graph token.
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
/// Most redirects followed for a report download.
const MAX_REPORT_REDIRECTS: usize = 5;

const PREFER: HeaderName = HeaderName::from_static("prefer");

/// The entry point: one per process, shared by all tenants. Cheap to clone.
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: GraphConfig,
    tokens: TokenCache,
}

impl fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl GraphClient {
    /// Builds the client. Redirects are never followed automatically, so a bearer token can
    /// never travel to another host.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the HTTP client cannot be built (TLS initialisation).
    pub fn new(config: GraphConfig) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| Error::InvalidInput(format!("the HTTP client could not be built: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config,
                tokens: TokenCache::default(),
            }),
        })
    }

    /// The configuration in use.
    #[must_use]
    pub fn config(&self) -> &GraphConfig {
        &self.inner.config
    }

    /// A session for one tenant. Sessions with the same (tenant, client ID) share cached tokens.
    #[must_use]
    pub fn tenant(&self, credentials: TenantCredentials) -> TenantSession {
        TenantSession {
            inner: Arc::clone(&self.inner),
            credentials: Arc::new(credentials),
        }
    }
}

/// What identifies an app registration in a customer tenant.
#[derive(Clone)]
pub struct TenantCredentials {
    /// Tenant ID (GUID) or a verified domain. Never `common`.
    pub tenant: String,
    /// Application (client) ID.
    pub client_id: String,
    /// The client secret's Value.
    pub secret: SecretString,
}

impl TenantCredentials {
    /// True when the secret is shaped like a GUID: almost certainly the Secret ID pasted in
    /// place of the secret's Value.
    #[must_use]
    pub fn secret_looks_like_secret_id(&self) -> bool {
        uuid::Uuid::try_parse(self.secret.expose_secret().trim()).is_ok()
    }

    /// Refuses what can never work for an app-only token: an empty tenant or client ID, or a
    /// multi-tenant alias (`common`, `organizations`, `consumers`) instead of the customer's
    /// tenant.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the problem.
    pub fn validate(&self) -> Result<(), Error> {
        let tenant = self.tenant.trim();
        if tenant.is_empty() {
            return Err(Error::InvalidInput("the tenant ID is empty".to_owned()));
        }
        if ["common", "organizations", "consumers"]
            .iter()
            .any(|alias| tenant.eq_ignore_ascii_case(alias))
        {
            return Err(Error::InvalidInput(format!(
                "{tenant:?} is not a tenant; use the customer's tenant ID or a verified domain"
            )));
        }
        if self.client_id.trim().is_empty() {
            return Err(Error::InvalidInput(
                "the application (client) ID is empty".to_owned(),
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for TenantCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantCredentials")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

/// Where a delta round starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeltaStart {
    /// A full round; `$select` (and an `id eq` `$filter`) are encoded into the links Graph
    /// returns, so they are sent only here.
    Full(ListQuery),
    /// No data, only a `deltaLink` for changes from now on (`$deltatoken=latest`).
    Latest(ListQuery),
    /// Continue from a stored `deltaLink`.
    Link(String),
}

/// One tenant's credentials and the calls Roster makes against it. Cheap to clone.
#[derive(Clone)]
pub struct TenantSession {
    inner: Arc<Inner>,
    credentials: Arc<TenantCredentials>,
}

impl fmt::Debug for TenantSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantSession")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl RequestInfo {
    /// Information for an error detected before or without an HTTP exchange.
    fn local(method: &Method, url: &str) -> Self {
        Self {
            method: method.to_string(),
            url: url.to_owned(),
            client_request_id: String::new(),
            request_id: None,
            status: None,
            attempts: 0,
        }
    }
}

impl TenantSession {
    /// The credentials in use.
    #[must_use]
    pub fn credentials(&self) -> &TenantCredentials {
        &self.credentials
    }

    // ----- tokens -------------------------------------------------------------------------

    /// A valid access token: the cached one, or a new one when none is cached, the cached one
    /// is close to expiry, or the secret changed.
    ///
    /// # Errors
    /// [`Error::Token`] with the classified AADSTS failure, or a transport error.
    pub async fn access_token(&self) -> Result<AccessToken, Error> {
        self.token(false).await.map(|(token, _, _)| token)
    }

    /// Fetches a new token even if a cached one is still valid (e.g. to verify a new secret).
    ///
    /// # Errors
    /// As [`Self::access_token`].
    pub async fn refresh_token(&self) -> Result<AccessToken, Error> {
        self.token(true).await.map(|(token, _, _)| token)
    }

    /// The token's readable claims.
    ///
    /// # Errors
    /// As [`Self::access_token`], or [`Error::MalformedAccessToken`].
    pub async fn token_claims(&self) -> Result<TokenClaims, Error> {
        self.access_token().await?.claims()
    }

    /// The application permissions in the token; [`RolesClaim::Absent`] means no admin consent.
    ///
    /// # Errors
    /// As [`Self::token_claims`].
    pub async fn token_roles(&self) -> Result<RolesClaim, Error> {
        Ok(self.token_claims().await?.roles)
    }

    /// The token to use: cached unless `force`d. Also says whether it was fetched just now, and
    /// when it was obtained.
    async fn token(&self, force: bool) -> Result<(AccessToken, bool, jiff::Timestamp), Error> {
        let config = &self.inner.config;
        let cache = &self.inner.tokens;
        let creds = &self.credentials;
        let slot = cache.slot(&creds.tenant, &creds.client_id);
        let mut cached = slot.lock().await;
        let fingerprint = cache.fingerprint(&creds.secret);
        if !force
            && let Some(entry) = cached.as_ref()
            && entry.usable(config.clock.now(), config.token_refresh_margin, fingerprint)
        {
            return Ok((entry.token.clone(), false, entry.obtained_at));
        }
        let response = self.request_token().await?;
        let entry = cache.entry(
            response.access_token,
            config.clock.now(),
            response.expires_in,
            &creds.secret,
        );
        tracing::debug!(tenant = %creds.tenant, expires_at = %entry.expires_at, "obtained an access token");
        let token = entry.token.clone();
        let obtained_at = entry.obtained_at;
        *cached = Some(entry);
        Ok((token, true, obtained_at))
    }

    async fn request_token(&self) -> Result<TokenResponse, Error> {
        self.credentials.validate()?;
        let config = &self.inner.config;
        let mut url = config.login_base.clone();
        {
            let mut segments = url.path_segments_mut().map_err(|()| {
                Error::InvalidInput(format!(
                    "login base {} cannot carry a path",
                    config.login_base
                ))
            })?;
            segments
                .pop_if_empty()
                .push(self.credentials.tenant.trim())
                .extend(["oauth2", "v2.0", "token"]);
        }
        let outgoing = Outgoing {
            method: Method::POST,
            url,
            headers: HeaderMap::new(),
            bearer: None,
            body: OutgoingBody::Form(vec![
                (
                    "client_id",
                    SecretString::from(self.credentials.client_id.trim().to_owned()),
                ),
                ("scope", SecretString::from(config.scope.clone())),
                ("client_secret", self.credentials.secret.clone()),
                ("grant_type", SecretString::from("client_credentials")),
            ]),
        };
        let received = transport::send(&self.inner.http, config, &outgoing).await?;
        if received.status.is_success() {
            received.json()
        } else {
            Err(received.token_error(config))
        }
    }

    // ----- plumbing ---------------------------------------------------------------------

    /// `{graph_base}/v1.0{path_and_query}`; `path_and_query` starts with `/`.
    fn graph_url(&self, path_and_query: &str) -> Result<Url, Error> {
        let base = self.inner.config.graph_base.as_str().trim_end_matches('/');
        let path = path_and_query.trim_start_matches('/');
        let text = format!("{base}/{GRAPH_VERSION}/{path}");
        Url::parse(&text).map_err(|e| Error::InvalidInput(format!("{text:?} is not a URL: {e}")))
    }

    /// Resolves a `nextLink`/`deltaLink` and refuses hosts other than the Graph base, so the
    /// bearer token is only ever sent to Graph.
    fn follow_link(&self, current: &Url, link: &str) -> Result<Url, Error> {
        let next = current.join(link).map_err(|e| Error::Protocol {
            info: Box::new(RequestInfo::local(&Method::GET, current.as_str())),
            what: format!("the link {link:?} is not a URL: {e}"),
        })?;
        if next.origin() != self.inner.config.graph_base.origin() {
            return Err(Error::Protocol {
                info: Box::new(RequestInfo::local(&Method::GET, current.as_str())),
                what: format!("the link {link:?} leaves the Graph host; not following it"),
            });
        }
        Ok(next)
    }

    /// Sends to Graph with a bearer token. A token's permissions are fixed when it is issued, so a
    /// cached token can be refused for what a new one would be allowed: a 401 on a cached token
    /// fetches a new token and tries once more; so does a 403 on a cached token older than
    /// [`GraphConfig::token_recheck_after`], when the new token's roles differ from the refused
    /// one's (consent was granted since). A 403 the new token cannot cure (same roles, say a
    /// tenant without Entra ID P1) is returned without a second request.
    async fn graph_send(&self, mut outgoing: Outgoing) -> Result<Received, Error> {
        let config = &self.inner.config;
        let (token, fresh, obtained_at) = self.token(false).await?;
        outgoing.bearer = Some(token.secret().clone());
        let received = transport::send(&self.inner.http, config, &outgoing).await?;
        let status = received.status.as_u16();
        let age = config.clock.now().duration_since(obtained_at);
        let recheck = jiff::SignedDuration::try_from(config.token_recheck_after)
            .unwrap_or(jiff::SignedDuration::MAX);
        let curable = match status {
            401 => true,
            403 => age >= recheck,
            _ => false,
        };
        if fresh || !curable {
            return Ok(received);
        }
        tracing::debug!(url = %outgoing.url, status, "refused with a cached token; fetching a new one");
        let (new_token, _, _) = self.token(true).await?;
        if status == 403 {
            let roles = |t: &AccessToken| t.claims().map(|c| c.roles.roles().to_vec()).ok();
            let (mut before, mut after) = (roles(&token), roles(&new_token));
            if let (Some(b), Some(a)) = (before.as_mut(), after.as_mut()) {
                b.sort();
                a.sort();
            }
            if before == after {
                return Ok(received);
            }
        }
        outgoing.bearer = Some(new_token.secret().clone());
        transport::send(&self.inner.http, &self.inner.config, &outgoing).await
    }

    async fn get_url<T: DeserializeOwned>(&self, url: Url, headers: HeaderMap) -> Result<T, Error> {
        let received = self
            .graph_send(Outgoing {
                headers,
                ..Outgoing::get(url)
            })
            .await?;
        if received.status.is_success() {
            received.json()
        } else {
            Err(received.graph_error(&self.inner.config))
        }
    }

    /// GETs any Graph path (relative to `/v1.0`, query included) and decodes the JSON answer.
    ///
    /// # Errors
    /// Any [`Error`] from the exchange, or a classified [`Error::Graph`].
    pub async fn get_json<T: DeserializeOwned>(&self, path_and_query: &str) -> Result<T, Error> {
        let url = self.graph_url(path_and_query)?;
        self.get_url(url, HeaderMap::new()).await
    }

    fn page_stream<T>(
        &self,
        first: Result<Url, Error>,
        headers: HeaderMap,
    ) -> BoxStream<'static, Result<Page<T>, Error>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let first = match first {
            Ok(url) => url,
            Err(error) => return stream::once(async { Err(error) }).boxed(),
        };
        let session = self.clone();
        stream::unfold(Cursor::Fetch(first), move |cursor| {
            let session = session.clone();
            // Headers such as ConsistencyLevel are not part of nextLink: send them every time.
            let headers = headers.clone();
            async move {
                let url = match cursor {
                    Cursor::Fetch(url) => url,
                    Cursor::Fail(error) => return Some((Err(error), Cursor::Done)),
                    Cursor::Done => return None,
                };
                let page: Page<T> = match session.get_url(url.clone(), headers).await {
                    Ok(page) => page,
                    Err(error) => return Some((Err(error), Cursor::Done)),
                };
                // A bad link is reported after the page that carried it has been handed out.
                let next = match page.next_link.as_deref() {
                    None => Cursor::Done,
                    Some(link) => match session.follow_link(&url, link) {
                        Ok(next) if next == url => Cursor::Fail(Error::Protocol {
                            info: Box::new(RequestInfo::local(&Method::GET, url.as_str())),
                            what: "the nextLink points at the page it came from".to_owned(),
                        }),
                        Ok(next) => Cursor::Fetch(next),
                        Err(error) => Cursor::Fail(error),
                    },
                };
                Some((Ok(page), next))
            }
        })
        .boxed()
    }

    fn item_stream<T>(
        &self,
        first: Result<Url, Error>,
        headers: HeaderMap,
    ) -> BoxStream<'static, Result<T, Error>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        self.page_stream::<T>(first, headers)
            .map_ok(|page| stream::iter(page.value.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    fn query_url(&self, path: &str, query: &ListQuery) -> Result<Url, Error> {
        let query_string = query.to_query_string()?;
        if query_string.is_empty() {
            self.graph_url(path)
        } else {
            self.graph_url(&format!("{path}?{query_string}"))
        }
    }

    /// Pages of any collection under `/v1.0`, with `query`'s options and headers.
    #[must_use]
    pub fn collection_pages<T>(
        &self,
        path: &str,
        query: &ListQuery,
    ) -> BoxStream<'static, Result<Page<T>, Error>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        self.page_stream(self.query_url(path, query), query.headers())
    }

    // ----- directory ---------------------------------------------------------------------

    /// The tenant (`GET /organization`, first and only element).
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::Protocol`] when the list is empty.
    pub async fn organization(&self) -> Result<Organization, Error> {
        let url = self.graph_url("/organization")?;
        let page: Page<Organization> = self.get_url(url.clone(), HeaderMap::new()).await?;
        page.value
            .into_iter()
            .next()
            .ok_or_else(|| Error::Protocol {
                info: Box::new(RequestInfo::local(&Method::GET, url.as_str())),
                what: "the organization list is empty".to_owned(),
            })
    }

    /// All users matching `query`, page after page.
    #[must_use]
    pub fn users(&self, query: &ListQuery) -> BoxStream<'static, Result<User, Error>> {
        self.item_stream(self.query_url("/users", query), query.headers())
    }

    /// Pages of users (for `@odata.count`, which only the first page carries).
    #[must_use]
    pub fn user_pages(&self, query: &ListQuery) -> BoxStream<'static, Result<Page<User>, Error>> {
        self.collection_pages("/users", query)
    }

    /// Pages of a delta round. The last page carries `delta_link`. With `minimal`, changed users
    /// carry only their changed properties (`Prefer: return=minimal`).
    ///
    /// An expired link fails with [`crate::GraphErrorKind::SyncStateNotFound`]: start a
    /// [`DeltaStart::Full`] round again.
    #[must_use]
    pub fn users_delta_pages(
        &self,
        start: &DeltaStart,
        minimal: bool,
    ) -> BoxStream<'static, Result<Page<DeltaItem>, Error>> {
        let mut headers = HeaderMap::new();
        if minimal {
            headers.insert(PREFER, HeaderValue::from_static("return=minimal"));
        }
        let first = match start {
            DeltaStart::Full(query) => self.query_url("/users/delta", query),
            DeltaStart::Latest(query) => query.to_query_string().and_then(|options| {
                let separator = if options.is_empty() { "" } else { "&" };
                self.graph_url(&format!(
                    "/users/delta?{options}{separator}$deltatoken=latest"
                ))
            }),
            DeltaStart::Link(link) => self
                .graph_url("/")
                .and_then(|base| self.follow_link(&base, link)),
        };
        self.page_stream(first, headers)
    }

    /// A whole delta round, collected.
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::Protocol`] when the last page has no `deltaLink`.
    pub async fn users_delta_round(
        &self,
        start: &DeltaStart,
        minimal: bool,
    ) -> Result<DeltaRound<DeltaItem>, Error> {
        let mut pages = self.users_delta_pages(start, minimal);
        let mut items = Vec::new();
        let mut delta_link = None;
        while let Some(page) = pages.try_next().await? {
            items.extend(page.value);
            if page.next_link.is_none() {
                delta_link = page.delta_link;
            }
        }
        let delta_link = delta_link.ok_or_else(|| Error::Protocol {
            info: Box::new(RequestInfo::local(&Method::GET, "/users/delta")),
            what: "the delta round ended without a deltaLink".to_owned(),
        })?;
        Ok(DeltaRound { items, delta_link })
    }

    /// One group.
    ///
    /// # Errors
    /// Any [`Error`]; a missing group is [`crate::GraphErrorKind::ResourceNotFound`].
    pub async fn group(&self, group_id: &str) -> Result<Group, Error> {
        self.get_json(&format!("/groups/{}", path_segment(group_id)))
            .await
    }

    /// Direct members of a group (users, groups, devices, other types).
    #[must_use]
    pub fn group_members(
        &self,
        group_id: &str,
        query: &ListQuery,
    ) -> BoxStream<'static, Result<DirectoryObject, Error>> {
        let path = format!("/groups/{}/members", path_segment(group_id));
        self.item_stream(self.query_url(&path, query), query.headers())
    }

    /// All nested members of a group, flattened.
    #[must_use]
    pub fn group_transitive_members(
        &self,
        group_id: &str,
        query: &ListQuery,
    ) -> BoxStream<'static, Result<DirectoryObject, Error>> {
        let path = format!("/groups/{}/transitiveMembers", path_segment(group_id));
        self.item_stream(self.query_url(&path, query), query.headers())
    }

    // ----- tenant facts ------------------------------------------------------------------

    /// Every licence SKU of the tenant.
    ///
    /// # Errors
    /// Any [`Error`].
    pub async fn subscribed_skus(&self) -> Result<Vec<SubscribedSku>, Error> {
        self.item_stream(self.graph_url("/subscribedSkus"), HeaderMap::new())
            .try_collect()
            .await
    }

    /// The newest `top` Secure Score entries, newest first (`top = 1` is today's score).
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::InvalidInput`] for `top = 0`.
    pub async fn secure_scores(&self, top: u16) -> Result<Vec<SecureScore>, Error> {
        if top == 0 {
            return Err(Error::InvalidInput(
                "secure_scores needs top >= 1".to_owned(),
            ));
        }
        let url = self.graph_url(&format!("/security/secureScores?$top={top}"));
        self.item_stream(url, HeaderMap::new())
            .take(usize::from(top))
            .try_collect()
            .await
    }

    /// MFA registration of every user (needs Entra ID P1/P2: otherwise
    /// [`crate::GraphErrorKind::NotPremium`]).
    #[must_use]
    pub fn registration_details(
        &self,
    ) -> BoxStream<'static, Result<UserRegistrationDetails, Error>> {
        self.item_stream(
            // The default page is 100 records; bigger pages mean fewer requests against the
            // 5-per-10-seconds budget of the identity reports.
            self.graph_url("/reports/authenticationMethods/userRegistrationDetails?$top=999"),
            HeaderMap::new(),
        )
    }

    /// Whether usage reports conceal user names (accepts the wrapped and the plain shape).
    ///
    /// # Errors
    /// Any [`Error`].
    pub async fn report_settings(&self) -> Result<ReportSettings, Error> {
        self.get_json("/admin/reportSettings").await
    }

    /// Intune-managed devices.
    #[must_use]
    pub fn managed_devices(&self) -> BoxStream<'static, Result<ManagedDevice, Error>> {
        self.item_stream(
            self.graph_url("/deviceManagement/managedDevices"),
            HeaderMap::new(),
        )
    }

    /// GDAP customers; call it on a session for the partner (MSP) tenant.
    #[must_use]
    pub fn delegated_admin_customers(
        &self,
    ) -> BoxStream<'static, Result<DelegatedAdminCustomer, Error>> {
        self.item_stream(
            self.graph_url("/tenantRelationships/delegatedAdminCustomers"),
            HeaderMap::new(),
        )
    }

    // ----- reports -----------------------------------------------------------------------

    /// The Microsoft 365 active user report.
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::Csv`] when the CSV cannot be read.
    pub async fn office365_active_user_detail(
        &self,
        period: ReportPeriod,
    ) -> Result<Report<Office365ActiveUserDetail>, Error> {
        let (bytes, info) = self
            .download_report(&format!(
                "/reports/getOffice365ActiveUserDetail(period='{period}')"
            ))
            .await?;
        reports::parse_office365_active_user_detail(&bytes).map_err(|e| Error::Csv {
            info: Box::new(info),
            detail: e.0,
        })
    }

    /// The mailbox usage report.
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::Csv`] when the CSV cannot be read.
    pub async fn mailbox_usage_detail(
        &self,
        period: ReportPeriod,
    ) -> Result<Report<MailboxUsageDetail>, Error> {
        let (bytes, info) = self
            .download_report(&format!(
                "/reports/getMailboxUsageDetail(period='{period}')"
            ))
            .await?;
        reports::parse_mailbox_usage_detail(&bytes).map_err(|e| Error::Csv {
            info: Box::new(info),
            detail: e.0,
        })
    }

    /// The Microsoft 365 active user report, each row handed to `each` as it downloads (the
    /// file is never held whole).
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::Csv`] when the CSV cannot be read.
    pub async fn office365_active_user_rows(
        &self,
        period: ReportPeriod,
        each: &mut (dyn FnMut(Office365ActiveUserDetail) + Send),
    ) -> Result<reports::ReportSummary, Error> {
        let path = format!("/reports/getOffice365ActiveUserDetail(period='{period}')");
        self.stream_report(&path, reports::office365_active_user_reader(), each)
            .await
    }

    /// The mailbox usage report, each row handed to `each` as it downloads.
    ///
    /// # Errors
    /// Any [`Error`]; [`Error::Csv`] when the CSV cannot be read.
    pub async fn mailbox_usage_rows(
        &self,
        period: ReportPeriod,
        each: &mut (dyn FnMut(MailboxUsageDetail) + Send),
    ) -> Result<reports::ReportSummary, Error> {
        let path = format!("/reports/getMailboxUsageDetail(period='{period}')");
        self.stream_report(&path, reports::mailbox_usage_reader(), each)
            .await
    }

    /// Asks Graph for a report, follows its redirects without the bearer token, and reads the
    /// download piece by piece into `reader`. The download is one attempt: a report that fails
    /// half-way is an error (there is no partial report).
    async fn stream_report<R>(
        &self,
        path: &str,
        mut reader: reports::ReportReader<R>,
        each: &mut (dyn FnMut(R) + Send),
    ) -> Result<reports::ReportSummary, Error> {
        let config = &self.inner.config;
        let mut accept_any = HeaderMap::new();
        accept_any.insert(ACCEPT, HeaderValue::from_static("*/*"));
        let received = self
            .graph_send(Outgoing {
                headers: accept_any,
                ..Outgoing::get(self.graph_url(path)?)
            })
            .await?;
        // The download host may send no request-id; errors then quote Graph's, which issued the
        // link and is what Microsoft support can trace.
        let graph_request_id = received.info.request_id.clone();
        if received.status.is_success() {
            // Answered in place: the body is the report.
            let info = received.info.clone();
            let csv = |e: reports::CsvError| Error::Csv {
                info: Box::new(info.clone()),
                detail: e.0,
            };
            reader.feed(&received.body, &mut |r| each(r)).map_err(csv)?;
            return reader.finish(&mut |r| each(r)).map_err(csv);
        }
        if !received.status.is_redirection() {
            return Err(received.graph_error(config));
        }
        let Some(location) = received.location() else {
            return Err(Error::Protocol {
                info: Box::new(received.info),
                what: "a redirect without a Location header".to_owned(),
            });
        };
        let mut current = self
            .graph_url(path)?
            .join(location)
            .map_err(|e| Error::Protocol {
                info: Box::new(received.info.clone()),
                what: format!("the Location {location:?} is not a URL: {e}"),
            })?;
        for _ in 0..MAX_REPORT_REDIRECTS {
            let mut info = RequestInfo {
                method: "GET".to_owned(),
                url: current.to_string(),
                client_request_id: transport::new_request_id(config),
                request_id: graph_request_id.clone(),
                status: None,
                attempts: 1,
            };
            tracing::debug!(to = %current.origin().ascii_serialization(), "downloading a report without the bearer token");
            let response = self
                .inner
                .http
                .get(current.clone())
                .header(ACCEPT, "*/*")
                .timeout(config.timeout)
                .send()
                .await
                .map_err(|e| download_error(&info, config, e))?;
            info.status = Some(response.status().as_u16());
            if let Some(id) = response
                .headers()
                .get("request-id")
                .and_then(|v| v.to_str().ok())
            {
                info.request_id = Some(id.to_owned());
            }
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| Error::Protocol {
                        info: Box::new(info.clone()),
                        what: "a redirect without a Location header".to_owned(),
                    })?;
                current = current.join(location).map_err(|e| Error::Protocol {
                    info: Box::new(info.clone()),
                    what: format!("the Location {location:?} is not a URL: {e}"),
                })?;
                continue;
            }
            if !status.is_success() {
                let headers = response.headers().clone();
                let body = response
                    .bytes()
                    .await
                    .map_err(|e| download_error(&info, config, e))?;
                return Err(Received {
                    status,
                    headers,
                    body,
                    info,
                }
                .graph_error(config));
            }
            let mut body = response.bytes_stream();
            while let Some(piece) = body.next().await {
                let piece = piece.map_err(|e| download_error(&info, config, e))?;
                reader
                    .feed(&piece, &mut |r| each(r))
                    .map_err(|e| Error::Csv {
                        info: Box::new(info.clone()),
                        detail: e.0,
                    })?;
            }
            return reader.finish(&mut |r| each(r)).map_err(|e| Error::Csv {
                info: Box::new(info),
                detail: e.0,
            });
        }
        Err(Error::Protocol {
            info: Box::new(RequestInfo::local(&Method::GET, current.as_str())),
            what: format!("more than {MAX_REPORT_REDIRECTS} redirects"),
        })
    }

    /// Asks Graph for a report and follows its redirect to the pre-authenticated download URL
    /// by hand, without the bearer token.
    async fn download_report(&self, path: &str) -> Result<(Vec<u8>, RequestInfo), Error> {
        let config = &self.inner.config;
        let mut current = self.graph_url(path)?;
        let mut accept_any = HeaderMap::new();
        accept_any.insert(ACCEPT, HeaderValue::from_static("*/*"));
        let mut received = self
            .graph_send(Outgoing {
                headers: accept_any.clone(),
                ..Outgoing::get(current.clone())
            })
            .await?;
        // The download host may send no request-id; errors then quote Graph's, which issued the
        // link and is what Microsoft support can trace.
        let graph_request_id = received.info.request_id.clone();
        for _ in 0..=MAX_REPORT_REDIRECTS {
            if received.status.is_success() {
                return Ok((received.body.to_vec(), received.info));
            }
            if !received.status.is_redirection() {
                return Err(received.graph_error(config));
            }
            let Some(location) = received.location() else {
                return Err(Error::Protocol {
                    info: Box::new(received.info),
                    what: "a redirect without a Location header".to_owned(),
                });
            };
            let next = current.join(location).map_err(|e| Error::Protocol {
                info: Box::new(received.info.clone()),
                what: format!("the Location {location:?} is not a URL: {e}"),
            })?;
            tracing::debug!(from = %current, to = %next.origin().ascii_serialization(), "following a report redirect without the bearer token");
            received = transport::send(
                &self.inner.http,
                config,
                &Outgoing {
                    headers: accept_any.clone(),
                    ..Outgoing::get(next.clone())
                },
            )
            .await
            .map_err(|mut error| {
                if let Some(info) = error.info_mut()
                    && info.request_id.is_none()
                {
                    info.request_id.clone_from(&graph_request_id);
                }
                error
            })?;
            if received.info.request_id.is_none() {
                received.info.request_id.clone_from(&graph_request_id);
            }
            current = next;
        }
        Err(Error::Protocol {
            info: Box::new(received.info),
            what: format!("more than {MAX_REPORT_REDIRECTS} redirects"),
        })
    }

    // ----- batch -------------------------------------------------------------------------

    /// Sends up to 20 requests in one `POST /$batch`. Items answer in any order and may fail
    /// one by one (including 429 inside a 200): look them up with [`BatchResponse::get`] /
    /// [`BatchResponse::json`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a batch Graph would reject; otherwise any [`Error`] of the
    /// outer exchange.
    pub async fn batch(&self, requests: &[BatchRequest]) -> Result<BatchResponse, Error> {
        batch::validate(requests)?;
        let body = serde_json::to_vec(&BatchBody { requests })
            .map_err(|e| Error::InvalidInput(format!("the batch could not be encoded: {e}")))?;
        let url = self.graph_url("/$batch")?;
        let received = self
            .graph_send(Outgoing {
                method: Method::POST,
                body: OutgoingBody::Json(body),
                ..Outgoing::get(url)
            })
            .await?;
        if !received.status.is_success() {
            return Err(received.graph_error(&self.inner.config));
        }
        let mut response: BatchResponse = received.json()?;
        response.info = Some(received.info);
        Ok(response)
    }
}

/// Where a page stream stands.
enum Cursor {
    Fetch(Url),
    Fail(Error),
    Done,
}

/// Encodes an ID or UPN for use as one path segment (`#EXT#` becomes `%23EXT%23`).
fn path_segment(value: &str) -> String {
    encode_component(value).replace('/', "%2F")
}

/// A failed report download, as the rest of the client reports transport failures.
fn download_error(info: &RequestInfo, config: &GraphConfig, e: reqwest::Error) -> Error {
    let info = Box::new(info.clone());
    if e.is_timeout() {
        Error::Timeout {
            info,
            timeout: config.timeout,
        }
    } else if e.is_connect() {
        Error::Unreachable { info, source: e }
    } else {
        Error::Transport { info, source: e }
    }
}
