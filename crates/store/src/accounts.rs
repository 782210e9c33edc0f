//! Workspaces, logins, memberships, sessions, set-password links and sign-in throttling.

use crate::db::{Db, dispatch};
use crate::error::{Result, StoreError};
use crate::scope::Principal;
use crate::unit::{Tx, Unit, unit_dispatch};
use roster_domain::{MemberId, Role, UserId, WorkspaceId};
use uuid::Uuid;

/// The statements of a password change, on either engine's connection `$conn`.
macro_rules! set_password_statements {
    ($conn:ident, $user_id:expr, $hash:expr) => {{
        let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind($hash)
            .bind($user_id.as_uuid())
            .execute(&mut *$conn)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind($user_id.as_uuid())
            .execute(&mut *$conn)
            .await?;
        Ok::<(), StoreError>(())
    }};
}

/// A workspace as listed to a server administrator.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct WorkspaceRow {
    pub id: Uuid,
    pub name: String,
    pub created_at: i64,
}

/// A member as shown on the members page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberRow {
    pub member_id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub disabled: bool,
    pub has_password: bool,
    pub created_at: i64,
}

impl MemberRow {
    pub fn member_id(&self) -> MemberId {
        MemberId::from_uuid(self.member_id)
    }
    pub fn role(&self) -> Result<Role> {
        self.role
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("member role {:?}", self.role)))
    }
}

/// What sign-in needs to know about a login.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LoginUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub is_server_admin: bool,
}

/// Which workspace a new session acts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionWorkspace {
    /// The login's oldest enabled membership, or none (a server administrator without one).
    Oldest,
    /// This workspace; `NotFound` unless the login is an enabled member of it.
    Of(WorkspaceId),
}

/// A session to be stored; only the hash of its token is kept.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub id_hash: String,
    pub user_id: UserId,
    pub workspace: SessionWorkspace,
    pub csrf_token: String,
    pub now_ms: i64,
    pub expires_ms: i64,
}

/// A stored session.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRecord {
    pub user_id: Uuid,
    pub workspace_id: Option<Uuid>,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// The member a valid set-password link is for.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PasswordLinkTarget {
    pub user_id: Uuid,
    pub workspace_id: Uuid,
    pub email: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// Failed sign-ins counted under one key (an account or an address).
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct ThrottleState {
    pub failures: i64,
    pub window_start: i64,
    pub locked_until: i64,
}

/// One enabled membership of a login, as plain facts (unlike a [`Principal`], it grants nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    pub member_id: MemberId,
    pub role: Role,
}

#[derive(sqlx::FromRow)]
struct PrincipalRow {
    user_id: Uuid,
    member_id: Uuid,
    workspace_id: Uuid,
    workspace_name: String,
    role: String,
    email: String,
    name: String,
}

impl PrincipalRow {
    fn into_principal(self) -> Result<Principal> {
        let role = self
            .role
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("member role {:?}", self.role)))?;
        Ok(Principal {
            user_id: UserId::from_uuid(self.user_id),
            member_id: MemberId::from_uuid(self.member_id),
            workspace_id: WorkspaceId::from_uuid(self.workspace_id),
            workspace_name: self.workspace_name,
            role,
            email: self.email,
            name: self.name,
            client_address: None,
        })
    }
}

/// Enabled memberships with their login; callers add the condition that picks the login.
macro_rules! principal_select {
    () => {
        "SELECT u.id AS user_id, m.id AS member_id, w.id AS workspace_id, \
         w.name AS workspace_name, m.role, u.email, u.name \
         FROM members m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.disabled = FALSE"
    };
}

const PRINCIPAL_SELECT: &str = concat!(principal_select!(), " AND u.id = $1");

impl Db {
    /// How many workspaces exist (zero means the install still needs its setup page).
    pub async fn workspace_count(&self) -> Result<i64> {
        let n: i64 = dispatch!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM workspaces"
        )
        .fetch_one(pool)
        .await)?;
        Ok(n)
    }

    /// Every workspace, oldest first.
    pub async fn workspaces(&self) -> Result<Vec<WorkspaceRow>> {
        Ok(dispatch!(self, |pool| sqlx::query_as::<_, WorkspaceRow>(
            "SELECT id, name, created_at FROM workspaces ORDER BY created_at, name"
        )
        .fetch_all(pool)
        .await)?)
    }

    /// Creates a workspace and its first owner in a unit of work that the caller completes (the
    /// audit entry, a set-password link) and commits. With `only_if_empty`, refuses (`Conflict`)
    /// when any workspace already exists, so two racing setup forms cannot both win. An existing
    /// login with this e-mail (a server administrator, say) becomes the owner as it is.
    pub async fn begin_workspace(
        &self,
        workspace_name: &str,
        email: &str,
        name: &str,
        password_hash: &str,
        now_ms: i64,
        only_if_empty: bool,
    ) -> Result<(Unit<'_>, Principal)> {
        let ws = Uuid::new_v4();
        let member = Uuid::new_v4();
        let mut unit = Unit {
            db: self,
            tx: self.begin_write().await?,
            workspace_id: WorkspaceId::from_uuid(ws),
        };
        let is_postgres = unit.is_postgres();
        let user: LoginUser = unit_dispatch!(unit, |conn| {
            if only_if_empty && is_postgres {
                // Serialise racing setups on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
                sqlx::query("LOCK TABLE workspaces IN SHARE ROW EXCLUSIVE MODE")
                    .execute(&mut *conn)
                    .await?;
            }
            if only_if_empty {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces")
                    .fetch_one(&mut *conn)
                    .await?;
                if n > 0 {
                    return Err(StoreError::Conflict);
                }
            }
            sqlx::query("INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)")
                .bind(ws)
                .bind(workspace_name)
                .bind(now_ms)
                .execute(&mut *conn)
                .await?;
            let login = "SELECT id, email, name, password_hash, is_server_admin FROM users WHERE email = $1";
            let existing: Option<LoginUser> = sqlx::query_as(login)
                .bind(email)
                .fetch_optional(&mut *conn)
                .await?;
            let user = match existing {
                Some(u) => u,
                None => {
                    sqlx::query(
                        "INSERT INTO users (id, email, name, password_hash, is_server_admin, created_at) \
                         VALUES ($1, $2, $3, $4, FALSE, $5)",
                    )
                    .bind(Uuid::new_v4())
                    .bind(email)
                    .bind(name)
                    .bind(password_hash)
                    .bind(now_ms)
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query_as(login)
                        .bind(email)
                        .fetch_one(&mut *conn)
                        .await?
                }
            };
            sqlx::query(
                "INSERT INTO members (id, workspace_id, user_id, role, disabled, created_at) \
                 VALUES ($1, $2, $3, 'owner', FALSE, $4)",
            )
            .bind(member)
            .bind(ws)
            .bind(user.id)
            .bind(now_ms)
            .execute(&mut *conn)
            .await?;
            Ok::<LoginUser, StoreError>(user)
        })?;
        let principal = Principal {
            user_id: UserId::from_uuid(user.id),
            member_id: MemberId::from_uuid(member),
            workspace_id: WorkspaceId::from_uuid(ws),
            workspace_name: workspace_name.to_owned(),
            role: Role::Owner,
            email: user.email,
            name: user.name,
            client_address: None,
        };
        Ok((unit, principal))
    }

    /// [`Db::begin_workspace`] committed at once, with nothing else in its unit.
    pub async fn create_workspace_with_owner(
        &self,
        workspace_name: &str,
        email: &str,
        name: &str,
        password_hash: &str,
        now_ms: i64,
        only_if_empty: bool,
    ) -> Result<Principal> {
        let (unit, principal) = self
            .begin_workspace(
                workspace_name,
                email,
                name,
                password_hash,
                now_ms,
                only_if_empty,
            )
            .await?;
        unit.commit().await?;
        Ok(principal)
    }

    /// Creates a server-level administrator login (may create workspaces; belongs to none yet).
    pub async fn create_server_admin(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<UserId> {
        let id = Uuid::new_v4();
        dispatch!(self, |pool| sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, is_server_admin, created_at) \
             VALUES ($1, $2, $3, $4, TRUE, $5)"
        )
        .bind(id)
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(now_ms)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(UserId::from_uuid(id))
    }

    /// The login with this (lower-case) e-mail, if any.
    pub async fn login_user(&self, email: &str) -> Result<Option<LoginUser>> {
        Ok(dispatch!(self, |pool| sqlx::query_as::<_, LoginUser>(
            "SELECT id, email, name, password_hash, is_server_admin FROM users WHERE email = $1"
        )
        .bind(email)
        .fetch_optional(pool)
        .await)?)
    }

    /// A login by id.
    pub async fn user(&self, user_id: UserId) -> Result<Option<LoginUser>> {
        Ok(dispatch!(self, |pool| sqlx::query_as::<_, LoginUser>(
            "SELECT id, email, name, password_hash, is_server_admin FROM users WHERE id = $1"
        )
        .bind(user_id.as_uuid())
        .fetch_optional(pool)
        .await)?)
    }

    /// The enabled membership of `user_id` in `workspace_id`, as a principal. Private: outside
    /// this crate a principal comes only from a session ([`Db::session_principals`],
    /// [`Db::create_session`]) or from creating a workspace.
    pub(crate) async fn principal(
        &self,
        user_id: UserId,
        workspace_id: WorkspaceId,
    ) -> Result<Option<Principal>> {
        let sql = format!("{PRINCIPAL_SELECT} AND w.id = $2");
        let row = dispatch!(self, |pool| sqlx::query_as::<_, PrincipalRow>(&sql)
            .bind(user_id.as_uuid())
            .bind(workspace_id.as_uuid())
            .fetch_optional(pool)
            .await)?;
        row.map(PrincipalRow::into_principal).transpose()
    }

    /// Every enabled membership of a login, oldest first, as principals (private, see
    /// [`Db::principal`]).
    pub(crate) async fn principals_of(&self, user_id: UserId) -> Result<Vec<Principal>> {
        let sql = format!("{PRINCIPAL_SELECT} ORDER BY m.created_at, w.name");
        let rows = dispatch!(self, |pool| sqlx::query_as::<_, PrincipalRow>(&sql)
            .bind(user_id.as_uuid())
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(PrincipalRow::into_principal).collect()
    }

    /// Every enabled membership of a login, oldest first (facts only; no principal).
    pub async fn memberships(&self, user_id: UserId) -> Result<Vec<Membership>> {
        Ok(self
            .principals_of(user_id)
            .await?
            .into_iter()
            .map(|p| Membership {
                workspace_id: p.workspace_id,
                workspace_name: p.workspace_name,
                member_id: p.member_id,
                role: p.role,
            })
            .collect())
    }

    /// The enabled memberships of the login whose session has this token hash, oldest first, as
    /// principals. Validity (expiry, idle time) is the caller's policy; it checks the session first.
    pub async fn session_principals(&self, id_hash: &str) -> Result<Vec<Principal>> {
        let sql = concat!(
            principal_select!(),
            " AND u.id = (SELECT s.user_id FROM sessions s WHERE s.id_hash = $1) \
             ORDER BY m.created_at, w.name"
        );
        let rows = dispatch!(self, |pool| sqlx::query_as::<_, PrincipalRow>(sql)
            .bind(id_hash)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(PrincipalRow::into_principal).collect()
    }

    /// Replaces a login's password hash and ends all its sessions.
    pub async fn set_password_hash(&self, user_id: UserId, hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        match &mut tx {
            Tx::Sqlite(tx) => {
                let conn = &mut **tx;
                set_password_statements!(conn, user_id, hash)?
            }
            Tx::Postgres(tx) => {
                let conn = &mut **tx;
                set_password_statements!(conn, user_id, hash)?
            }
        }
        tx.commit().await
    }

    /// Stores a new session and returns the principal it acts as (none for a server
    /// administrator without a workspace). The caller has verified who the login is.
    pub async fn create_session(&self, s: &NewSession) -> Result<Option<Principal>> {
        let principal = match s.workspace {
            SessionWorkspace::Oldest => self.principals_of(s.user_id).await?.into_iter().next(),
            SessionWorkspace::Of(ws) => Some(
                self.principal(s.user_id, ws)
                    .await?
                    .ok_or(StoreError::NotFound)?,
            ),
        };
        let workspace_id = principal.as_ref().map(|p| p.workspace_id.as_uuid());
        dispatch!(self, |pool| {
            sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, workspace_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $5, $6)"
        )
        .bind(&s.id_hash)
        .bind(s.user_id.as_uuid())
        .bind(workspace_id)
        .bind(&s.csrf_token)
        .bind(s.now_ms)
        .bind(s.expires_ms)
        .execute(pool)
        .await
        .map(|_| ())
        })?;
        Ok(principal)
    }

    /// The session with this token hash, if stored.
    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionRecord>> {
        Ok(dispatch!(self, |pool| sqlx::query_as::<_, SessionRecord>(
            "SELECT user_id, workspace_id, csrf_token, created_at, last_seen_at, expires_at \
             FROM sessions WHERE id_hash = $1"
        )
        .bind(id_hash)
        .fetch_optional(pool)
        .await)?)
    }

    /// Records activity on a session (for the idle timeout).
    pub async fn touch_session(&self, id_hash: &str, now_ms: i64) -> Result<()> {
        dispatch!(self, |pool| sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2"
        )
        .bind(now_ms)
        .bind(id_hash)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Deletes one session (sign-out, or an expired one).
    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        dispatch!(self, |pool| sqlx::query(
            "DELETE FROM sessions WHERE id_hash = $1"
        )
        .bind(id_hash)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Deletes sessions that ended before `now_ms` (housekeeping).
    pub async fn purge_sessions(&self, now_ms: i64, idle_ms: i64) -> Result<u64> {
        Ok(dispatch!(self, |pool| sqlx::query(
            "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2"
        )
        .bind(now_ms)
        .bind(now_ms - idle_ms)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
    }

    /// Looks up a set-password link by its hash.
    pub async fn password_link(&self, token_hash: &str) -> Result<Option<PasswordLinkTarget>> {
        Ok(dispatch!(self, |pool| sqlx::query_as::<
            _,
            PasswordLinkTarget,
        >(
            "SELECT l.user_id, l.workspace_id, u.email, l.expires_at, l.used_at \
             FROM password_links l JOIN users u ON u.id = l.user_id WHERE l.token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await)?)
    }

    /// Uses a set-password link: sets the hash and marks the link used, only if it is still unused,
    /// unexpired, and its member is still an enabled member of the workspace that issued it.
    /// Returns `false` when the link was no longer valid.
    pub async fn redeem_password_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now_ms: i64,
    ) -> Result<bool> {
        dispatch!(self, |pool| {
            let mut tx = pool.begin().await?;
            let user: Option<Uuid> = sqlx::query_scalar(
                "UPDATE password_links SET used_at = $1 \
                 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
                 AND EXISTS (SELECT 1 FROM members m WHERE m.workspace_id = password_links.workspace_id \
                             AND m.user_id = password_links.user_id AND m.disabled = FALSE) \
                 RETURNING user_id",
            )
            .bind(now_ms)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(user) = user else {
                return Ok(false);
            };
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(user)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user)
                .execute(&mut *tx)
                .await?;
            // Any other outstanding link for this login is void now.
            sqlx::query("DELETE FROM password_links WHERE user_id = $1 AND used_at IS NULL")
                .bind(user)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<bool, StoreError>(true)
        })
    }

    /// How many workspaces a login belongs to, and whether it is a server administrator.
    pub async fn login_reach(&self, user_id: Uuid) -> Result<(i64, bool)> {
        let n: i64 = dispatch!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM members WHERE user_id = $1"
        )
        .bind(user_id)
        .fetch_one(pool)
        .await)?;
        let admin: Option<bool> = dispatch!(self, |pool| sqlx::query_scalar(
            "SELECT is_server_admin FROM users WHERE id = $1"
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
        Ok((n, admin.unwrap_or(false)))
    }

    /// The failure count under a throttle key.
    pub async fn throttle(&self, key: &str) -> Result<ThrottleState> {
        let row = dispatch!(self, |pool| sqlx::query_as::<_, ThrottleState>(
            "SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1"
        )
        .bind(key)
        .fetch_optional(pool)
        .await)?;
        Ok(row.unwrap_or_default())
    }

    /// Counts one sign-in attempt under `key`, atomically (concurrent attempts cannot all slip
    /// through): the count restarts when the window has passed, and reaching `limit` locks the key
    /// until `now + window`. Returns the state after counting.
    pub async fn throttle_hit(
        &self,
        key: &str,
        now_ms: i64,
        window_ms: i64,
        limit: i64,
    ) -> Result<ThrottleState> {
        Ok(dispatch!(self, |pool| {
            sqlx::query_as::<_, ThrottleState>(
            "INSERT INTO login_throttle (key, failures, window_start, locked_until) \
             VALUES ($1, 1, $2, CASE WHEN 1 >= $4 THEN $2 + $3 ELSE 0 END) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_throttle.window_start <= $2 - $3 THEN 1 ELSE login_throttle.failures + 1 END, \
               window_start = CASE WHEN login_throttle.window_start <= $2 - $3 THEN $2 ELSE login_throttle.window_start END, \
               locked_until = CASE WHEN (CASE WHEN login_throttle.window_start <= $2 - $3 THEN 1 ELSE login_throttle.failures + 1 END) >= $4 \
                              THEN $2 + $3 ELSE login_throttle.locked_until END \
             RETURNING failures, window_start, locked_until"
        )
        .bind(key)
        .bind(now_ms)
        .bind(window_ms)
        .bind(limit)
        .fetch_one(pool)
        .await
        })?)
    }

    /// Takes back one counted attempt (it succeeded), lifting a lock that only it caused.
    pub async fn throttle_release(&self, key: &str, limit: i64) -> Result<()> {
        dispatch!(self, |pool| sqlx::query(
            "UPDATE login_throttle SET \
               locked_until = CASE WHEN failures - 1 < $2 THEN 0 ELSE locked_until END, \
               failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END \
             WHERE key = $1"
        )
        .bind(key)
        .bind(limit)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Deletes throttle rows whose window and lock are over (housekeeping).
    pub async fn purge_throttle(&self, now_ms: i64, window_ms: i64) -> Result<u64> {
        Ok(dispatch!(self, |pool| sqlx::query(
            "DELETE FROM login_throttle WHERE window_start <= $1 AND locked_until <= $2"
        )
        .bind(now_ms - window_ms)
        .bind(now_ms)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
    }

    /// Writes the failure count under a throttle key.
    pub async fn set_throttle(&self, key: &str, state: &ThrottleState) -> Result<()> {
        dispatch!(self, |pool| {
            sqlx::query(
            "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
             window_start = excluded.window_start, locked_until = excluded.locked_until"
        )
        .bind(key)
        .bind(state.failures)
        .bind(state.window_start)
        .bind(state.locked_until)
        .execute(pool)
        .await
        .map(|_| ())
        })?;
        Ok(())
    }

    /// Forgets the failures under a throttle key (after a successful sign-in).
    pub async fn clear_throttle(&self, key: &str) -> Result<()> {
        dispatch!(self, |pool| sqlx::query(
            "DELETE FROM login_throttle WHERE key = $1"
        )
        .bind(key)
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }
}

impl Unit<'_> {
    /// Replaces the password hash of a login that is a member of this unit's workspace, and ends
    /// its sessions.
    pub async fn set_password_hash(&mut self, user_id: UserId, hash: &str) -> Result<()> {
        let ws = self.ws();
        let member: Option<Uuid> = unit_dispatch!(self, |conn| sqlx::query_scalar(
            "SELECT id FROM members WHERE workspace_id = $1 AND user_id = $2"
        )
        .bind(ws)
        .bind(user_id.as_uuid())
        .fetch_optional(&mut *conn)
        .await)?;
        if member.is_none() {
            return Err(StoreError::NotFound);
        }
        unit_dispatch!(self, |conn| set_password_statements!(conn, user_id, hash))
    }
}
