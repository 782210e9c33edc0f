//! Accounts: first-run setup, sign-in and sign-out, sessions, throttling, set-password links and server administrators.

use crate::crypto::same_secret;
use crate::error::{CoreError, FieldErrors, Result};
use crate::secrets::{random_token, token_hash};
use crate::services::Services;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use roster_domain::{Email, Password, PersonName, UserId, WorkspaceId, WorkspaceName};
use roster_store::{AuditEntry, NewSession, Principal, SessionWorkspace, StoreError};
use serde_json::json;

/// Failed sign-ins allowed per account within [`THROTTLE_WINDOW_MS`] before it is locked.
pub const ACCOUNT_FAILURE_LIMIT: i64 = 5;
/// Failed sign-ins allowed per client address within the window.
pub const ADDRESS_FAILURE_LIMIT: i64 = 20;
/// The throttling window and lock length: 15 minutes.
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// How long a set-password link stays valid: 7 days.
pub const PASSWORD_LINK_MS: i64 = 7 * 24 * 3600 * 1000;
/// Sessions are touched at most this often (keeps writes low).
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// The raw fields of the setup form.
#[derive(Clone, Default)]
pub struct SetupForm {
    pub workspace_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for SetupForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetupForm")
            .field("workspace_name", &self.workspace_name)
            .field("name", &self.name)
            .field("email", &self.email)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

/// A newly started session: the token goes into the cookie, nowhere else.
#[derive(Clone)]
pub struct StartedSession {
    pub token: String,
    pub csrf_token: String,
    pub principal: Option<Principal>,
}

impl std::fmt::Debug for StartedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartedSession")
            .field("token", &"[REDACTED]")
            .field("principal", &self.principal)
            .finish()
    }
}

/// The signed-in login behind a request.
#[derive(Clone)]
pub struct CurrentSession {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub is_server_admin: bool,
    /// The workspace membership in use; `None` for a server administrator outside any workspace.
    pub principal: Option<Principal>,
    pub csrf_token: String,
    pub other_workspaces: Vec<(WorkspaceId, String)>,
}

impl std::fmt::Debug for CurrentSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentSession")
            .field("user_id", &self.user_id)
            .field("email", &self.email)
            .field("principal", &self.principal)
            .field("csrf_token", &"[REDACTED]")
            .finish()
    }
}

impl CurrentSession {
    /// Whether `submitted` is this session's CSRF token.
    pub fn csrf_matches(&self, submitted: &str) -> bool {
        same_secret(&self.csrf_token, submitted)
    }
}

/// A server administrator, proven by a session.
#[derive(Debug, Clone)]
pub struct ServerAdmin {
    user_id: UserId,
    email: String,
}

fn argon2() -> Argon2<'static> {
    // Argon2id with 19 MiB, 2 passes, 1 lane (the OWASP baseline).
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password on a blocking thread.
pub async fn hash_password(password: &Password) -> Result<String> {
    let plain = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(internal)?;
        argon2()
            .hash_password(plain.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(internal)
    })
    .await
    .map_err(internal)?
}

/// Checks a password against a stored hash on a blocking thread.
async fn verify_password(plain: &str, hash: &str) -> Result<bool> {
    let plain = plain.to_owned();
    let hash = hash.to_owned();
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(internal)?;
        Ok(argon2().verify_password(plain.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(internal)?
}

fn internal<E: std::fmt::Display>(e: E) -> CoreError {
    CoreError::Internal(e.to_string().into())
}

impl Services {
    /// Whether the install has no workspace yet (the first page is then the setup form).
    pub async fn needs_setup(&self) -> Result<bool> {
        Ok(self.db.workspace_count().await? == 0)
    }

    async fn dummy_hash(&self) -> Result<&str> {
        let h = self
            .dummy_hash
            .get_or_try_init(|| async {
                let p = Password::parse(&random_token()).map_err(internal)?;
                hash_password(&p).await
            })
            .await?;
        Ok(h.as_str())
    }

    /// Creates the first workspace and its owner, then signs the owner in.
    pub async fn setup(&self, form: &SetupForm) -> Result<StartedSession> {
        let mut errors = FieldErrors::new();
        let ws = errors.check("workspace_name", WorkspaceName::parse(&form.workspace_name));
        let name = errors.check("name", PersonName::parse(&form.name));
        let email = errors.check("email", Email::parse(&form.email));
        let password = errors.check("password", Password::parse(&form.password));
        let (Some(ws), Some(name), Some(email), Some(password)) = (ws, name, email, password)
        else {
            return Err(CoreError::Invalid(errors));
        };
        let hash = hash_password(&password).await?;
        let (mut unit, principal) = match self
            .db
            .begin_workspace(
                ws.as_str(),
                email.as_str(),
                name.as_str(),
                &hash,
                self.now_ms(),
                true,
            )
            .await
        {
            Ok(p) => p,
            Err(StoreError::Conflict) => {
                return Err(CoreError::Conflict(
                    "Roster is already set up. Sign in instead.".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        unit.audit(
            &principal,
            AuditEntry {
                action: "workspace.created",
                target_type: "workspace",
                target_id: Some(principal.workspace_id().to_string()),
                detail: json!({ "name": ws.as_str(), "via": "setup" }),
            },
            self.now_ms(),
        )
        .await?;
        unit.commit().await?;
        tracing::info!(workspace = %principal.workspace_id(), "workspace set up");
        self.start_session(
            principal.user_id(),
            SessionWorkspace::Of(principal.workspace_id()),
        )
        .await
    }

    /// Starts a session for a login whose identity was just proven (password, setup, or a live
    /// session moving to another workspace).
    async fn start_session(
        &self,
        user_id: UserId,
        workspace: SessionWorkspace,
    ) -> Result<StartedSession> {
        let token = random_token();
        let csrf_token = random_token();
        let now = self.now_ms();
        let principal = self
            .db
            .create_session(&NewSession {
                id_hash: token_hash(&token),
                user_id,
                workspace,
                csrf_token: csrf_token.clone(),
                now_ms: now,
                expires_ms: now + self.sessions.absolute.as_millis() as i64,
            })
            .await?;
        Ok(StartedSession {
            token,
            csrf_token,
            principal,
        })
    }

    async fn throttle_check(&self, key: &str, now: i64) -> Result<()> {
        let state = self.db.throttle(key).await?;
        if state.locked_until > now {
            let minutes = ((state.locked_until - now) + 59_999) / 60_000;
            return Err(CoreError::RateLimited { minutes });
        }
        Ok(())
    }

    /// Counts this attempt before the password is checked, so parallel guesses are counted too.
    async fn throttle_reserve(&self, key: &str, limit: i64, now: i64) -> Result<()> {
        let state = self
            .db
            .throttle_hit(key, now, THROTTLE_WINDOW_MS, limit)
            .await?;
        if state.failures > limit {
            let minutes = ((state.locked_until - now).max(0) + 59_999) / 60_000;
            return Err(CoreError::RateLimited {
                minutes: minutes.max(1),
            });
        }
        Ok(())
    }

    /// Signs in with e-mail and password. Failures cost the same time whether or not the e-mail exists.
    /// Each attempt is counted per account and per client address before the password is checked;
    /// a success takes its count back.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        client_addr: &str,
    ) -> Result<StartedSession> {
        let now = self.now_ms();
        let parsed = Email::parse(email).ok();
        let email_key = parsed.as_ref().map(|e| format!("account:{}", e.as_str()));
        let addr_key = format!("address:{client_addr}");
        self.throttle_check(&addr_key, now).await?;
        if let Some(k) = &email_key {
            self.throttle_check(k, now).await?;
        }
        self.throttle_reserve(&addr_key, ADDRESS_FAILURE_LIMIT, now)
            .await?;
        if let Some(k) = &email_key {
            self.throttle_reserve(k, ACCOUNT_FAILURE_LIMIT, now).await?;
        }

        let user = match &parsed {
            Some(e) => self.db.login_user(e.as_str()).await?,
            None => None,
        };
        let ok = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
            Some(hash) => verify_password(password, hash).await?,
            None => {
                let dummy = self.dummy_hash().await?.to_owned();
                verify_password(password, &dummy).await?;
                false
            }
        };
        let Some(user) = user.filter(|_| ok) else {
            tracing::info!("sign-in refused: wrong email or password");
            return Err(CoreError::BadCredentials);
        };
        let user_id = UserId::from_uuid(user.id);
        if self.db.memberships(user_id).await?.is_empty() && !user.is_server_admin {
            return Err(CoreError::Conflict(
                "This account is disabled. Ask an owner or admin of your workspace.".into(),
            ));
        }
        if let Some(k) = &email_key {
            self.db.clear_throttle(k).await?;
        }
        self.db
            .throttle_release(&addr_key, ADDRESS_FAILURE_LIMIT)
            .await?;
        tracing::info!(user = %user_id, "signed in");
        self.start_session(user_id, SessionWorkspace::Oldest).await
    }

    /// The session behind a cookie token, if it is still valid (idle and absolute expiry checked).
    pub async fn resolve_session(&self, token: &str) -> Result<Option<CurrentSession>> {
        let hash = token_hash(token);
        let Some(rec) = self.db.session(&hash).await? else {
            return Ok(None);
        };
        let now = self.now_ms();
        if rec.expires_at <= now || now - rec.last_seen_at > self.sessions.idle.as_millis() as i64 {
            self.db.delete_session(&hash).await?;
            return Ok(None);
        }
        let user_id = UserId::from_uuid(rec.user_id);
        let Some(user) = self.db.user(user_id).await? else {
            return Ok(None);
        };
        let all = self.db.session_principals(&hash).await?;
        let principal = match rec.workspace_id {
            Some(ws) => {
                let ws = WorkspaceId::from_uuid(ws);
                match all.iter().find(|p| p.workspace_id() == ws) {
                    Some(p) => Some(p.clone()),
                    // The membership was disabled or removed: the session is over.
                    None => {
                        self.db.delete_session(&hash).await?;
                        return Ok(None);
                    }
                }
            }
            None if user.is_server_admin => None,
            None => return Ok(None),
        };
        if now - rec.last_seen_at > TOUCH_EVERY_MS {
            self.db.touch_session(&hash, now).await?;
        }
        let other_workspaces = all
            .iter()
            .filter(|p| Some(p.workspace_id()) != principal.as_ref().map(Principal::workspace_id))
            .map(|p| (p.workspace_id(), p.workspace_name().to_owned()))
            .collect();
        Ok(Some(CurrentSession {
            user_id,
            email: user.email,
            name: user.name,
            is_server_admin: user.is_server_admin,
            principal,
            csrf_token: rec.csrf_token,
            other_workspaces,
        }))
    }

    /// Moves a signed-in login to another of its workspaces (a new session id is issued).
    pub async fn switch_workspace(
        &self,
        token: &str,
        session: &CurrentSession,
        target: WorkspaceId,
    ) -> Result<StartedSession> {
        let hash = token_hash(token);
        if !self
            .db
            .session_principals(&hash)
            .await?
            .iter()
            .any(|p| p.workspace_id() == target && p.user_id() == session.user_id)
        {
            return Err(CoreError::NotFound);
        }
        self.db.delete_session(&hash).await?;
        self.start_session(session.user_id, SessionWorkspace::Of(target))
            .await
    }

    /// Ends a session.
    pub async fn logout(&self, token: &str) -> Result<()> {
        self.db.delete_session(&token_hash(token)).await?;
        Ok(())
    }

    /// The e-mail a set-password link is for, if the link is valid now.
    pub async fn password_link_email(&self, token: &str) -> Result<Option<String>> {
        let now = self.now_ms();
        Ok(self
            .db
            .password_link(&token_hash(token))
            .await?
            .filter(|l| l.used_at.is_none() && l.expires_at > now)
            .map(|l| l.email))
    }

    /// Sets a password through a one-time link; the link cannot be used again.
    pub async fn redeem_password_link(
        &self,
        token: &str,
        password: &str,
        confirm: &str,
    ) -> Result<()> {
        let mut errors = FieldErrors::new();
        let password = errors.check("password", Password::parse(password));
        if password.is_some() && password.as_ref().map(Password::expose) != Some(confirm) {
            errors.add("confirm", "The two passwords differ.");
        }
        let Some(password) = password.filter(|_| errors.is_empty()) else {
            return Err(CoreError::Invalid(errors));
        };
        let hash = hash_password(&password).await?;
        if self
            .db
            .redeem_password_link(&token_hash(token), &hash, self.now_ms())
            .await?
        {
            Ok(())
        } else {
            Err(CoreError::Conflict(
                "This link has expired or was already used. Ask an admin for a new one.".into(),
            ))
        }
    }

    /// The server administrator behind a session, if it is one.
    pub fn server_admin(&self, session: &CurrentSession) -> Result<ServerAdmin> {
        if session.is_server_admin {
            Ok(ServerAdmin {
                user_id: session.user_id,
                email: session.email.clone(),
            })
        } else {
            Err(CoreError::Forbidden)
        }
    }

    /// Creates a further workspace with an owner; returns the owner's set-password link token when
    /// the owner is a new login (an existing login keeps its password).
    pub async fn create_workspace(
        &self,
        admin: &ServerAdmin,
        workspace_name: &str,
        owner_name: &str,
        owner_email: &str,
    ) -> Result<(Principal, Option<String>)> {
        let mut errors = FieldErrors::new();
        let ws = errors.check("workspace_name", WorkspaceName::parse(workspace_name));
        let name = errors.check("name", PersonName::parse(owner_name));
        let email = errors.check("email", Email::parse(owner_email));
        let (Some(ws), Some(name), Some(email)) = (ws, name, email) else {
            return Err(CoreError::Invalid(errors));
        };
        let existing = self.db.login_user(email.as_str()).await?;
        // A placeholder hash nobody knows the password of; the owner sets theirs through the link.
        let placeholder = self.dummy_hash().await?.to_owned();
        let (mut unit, principal) = self
            .db
            .begin_workspace(
                ws.as_str(),
                email.as_str(),
                name.as_str(),
                &placeholder,
                self.now_ms(),
                false,
            )
            .await?;
        unit.audit_as(
            Some(admin.user_id.as_uuid()),
            &admin.email,
            AuditEntry {
                action: "workspace.created",
                target_type: "workspace",
                target_id: Some(principal.workspace_id().to_string()),
                detail: json!({ "name": ws.as_str(), "owner": email.as_str() }),
            },
            self.now_ms(),
        )
        .await?;
        let link = if existing.is_none() {
            let token = random_token();
            let now = self.now_ms();
            unit.create_password_link(
                principal.member_id(),
                &token_hash(&token),
                now,
                now + PASSWORD_LINK_MS,
            )
            .await?;
            Some(token)
        } else {
            None
        };
        unit.commit().await?;
        Ok((principal, link))
    }

    /// Command line: creates a workspace with an owner who has this password, or a server administrator.
    pub async fn create_admin(
        &self,
        email: &str,
        name: &str,
        password: &str,
        workspace_name: Option<&str>,
    ) -> Result<String> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(email));
        let name = errors.check("name", PersonName::parse(name));
        let password = errors.check("password", Password::parse(password));
        let ws = workspace_name.map(|w| errors.check("workspace", WorkspaceName::parse(w)));
        let (Some(email), Some(name), Some(password)) = (email, name, password) else {
            return Err(CoreError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        match ws.flatten() {
            Some(ws) => {
                // An existing login becomes the owner as it is: its password stays, and the one
                // given here is not used (the message says so).
                let login = self.db.login_user(email.as_str()).await?;
                let existing = login.as_ref().is_some_and(|l| l.password_hash.is_some());
                let hash = hash_password(&password).await?;
                let (mut unit, p) = self
                    .db
                    .begin_workspace(
                        ws.as_str(),
                        email.as_str(),
                        name.as_str(),
                        &hash,
                        self.now_ms(),
                        false,
                    )
                    .await?;
                unit.audit_as(
                    None,
                    "command line",
                    AuditEntry {
                        action: "workspace.created",
                        target_type: "workspace",
                        target_id: Some(p.workspace_id().to_string()),
                        detail: json!({ "name": ws.as_str(), "owner": email.as_str() }),
                    },
                    self.now_ms(),
                )
                .await?;
                let without_password = login.as_ref().filter(|l| l.password_hash.is_none());
                if let Some(l) = without_password {
                    // A login that never chose a password (an invitation not taken up) takes the
                    // one given, or its owner could never sign in.
                    unit.set_password_hash(UserId::from_uuid(l.id), &hash)
                        .await?;
                }
                unit.commit().await?;
                if without_password.is_some() {
                    return Ok(format!(
                        "Created workspace {:?}. {email} already had a login without a password: it is the owner and now signs in with the password given.",
                        ws.as_str()
                    ));
                }
                if existing {
                    return Ok(format!(
                        "Created workspace {:?}. {email} already had a login: it is the owner and signs in with its existing password; the password given here was not used.",
                        ws.as_str()
                    ));
                }
                Ok(format!(
                    "Created workspace {:?} with owner {}.",
                    ws.as_str(),
                    email
                ))
            }
            None => match self
                .db
                .create_server_admin(
                    email.as_str(),
                    name.as_str(),
                    &hash_password(&password).await?,
                    self.now_ms(),
                )
                .await
            {
                Ok(_) => Ok(format!("Created server administrator {email}.")),
                Err(StoreError::Conflict) => Err(CoreError::Conflict(format!(
                    "A login with the email {email} already exists."
                ))),
                Err(e) => Err(e.into()),
            },
        }
    }
}

impl Services {
    /// Every workspace of the install (server administrators only).
    pub async fn all_workspaces(
        &self,
        _admin: &ServerAdmin,
    ) -> Result<Vec<roster_store::WorkspaceRow>> {
        Ok(self.db.workspaces().await?)
    }
}
