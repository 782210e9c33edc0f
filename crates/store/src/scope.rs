//! Principals (proof that a member is acting) and the workspace-scoped handle every workspace query goes through.

use crate::accounts::MemberRow;
use crate::db::{Db, dispatch};
use crate::error::{Result, StoreError};
use crate::unit::{Unit, unit_dispatch};
use roster_domain::{MemberId, Role, UserId, WorkspaceId};
use uuid::Uuid;

/// A member of one workspace, as established by this crate from a session or a sign-in.
///
/// It cannot be constructed outside the store, so holding one proves the membership was checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub(crate) user_id: UserId,
    pub(crate) member_id: MemberId,
    pub(crate) workspace_id: WorkspaceId,
    pub(crate) workspace_name: String,
    pub(crate) role: Role,
    pub(crate) email: String,
    pub(crate) name: String,
    /// Where the member is acting from (the client address of the request), for the audit log.
    pub(crate) client_address: Option<String>,
}

impl Principal {
    /// The same member, acting from `address` (recorded with what it does).
    #[must_use]
    pub fn acting_from(mut self, address: &str) -> Self {
        self.client_address = Some(address.to_owned());
        self
    }
    pub fn client_address(&self) -> Option<&str> {
        self.client_address.as_deref()
    }
    pub fn user_id(&self) -> UserId {
        self.user_id
    }
    pub fn member_id(&self) -> MemberId {
        self.member_id
    }
    pub fn workspace_id(&self) -> WorkspaceId {
        self.workspace_id
    }
    pub fn workspace_name(&self) -> &str {
        &self.workspace_name
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn email(&self) -> &str {
        &self.email
    }
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The handle through which this member reaches its workspace's data.
    pub fn scope<'a>(&self, db: &'a Db) -> WorkspaceScope<'a> {
        WorkspaceScope {
            db,
            workspace_id: self.workspace_id,
        }
    }
}

/// Every query on workspace data goes through this handle and binds its workspace id.
#[derive(Clone, Copy, Debug)]
pub struct WorkspaceScope<'a> {
    pub(crate) db: &'a Db,
    pub(crate) workspace_id: WorkspaceId,
}

/// The condition, inside `UPDATE members … WHERE workspace_id = $2 AND id = $3`, under which
/// taking the row out of the owners who can act leaves the workspace with one: the row is not such
/// an owner (not an owner, disabled, or its person never set a password), or another one remains.
macro_rules! keeps_an_owner {
    () => {
        "(role <> 'owner' OR disabled = TRUE \
          OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = members.user_id AND u.password_hash IS NOT NULL) \
          OR EXISTS (SELECT 1 FROM members o JOIN users ou ON ou.id = o.user_id \
                     WHERE o.workspace_id = $2 AND o.id <> $3 AND o.role = 'owner' \
                     AND o.disabled = FALSE AND ou.password_hash IS NOT NULL))"
    };
}

const MEMBER_COLUMNS: &str = "m.id AS member_id, m.user_id, u.email, u.name, m.role, m.disabled, \
     (u.password_hash IS NOT NULL) AS has_password, m.created_at";

impl<'a> WorkspaceScope<'a> {
    pub fn workspace_id(&self) -> WorkspaceId {
        self.workspace_id
    }

    fn ws(&self) -> Uuid {
        self.workspace_id.as_uuid()
    }

    /// The workspace's members, owners first, then by name.
    pub async fn members(&self) -> Result<Vec<MemberRow>> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM members m JOIN users u ON u.id = m.user_id \
             WHERE m.workspace_id = $1 \
             ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'technician' THEN 2 ELSE 3 END, u.name"
        );
        let rows = dispatch!(self.db, |pool| sqlx::query_as::<_, MemberRow>(&sql)
            .bind(self.ws())
            .fetch_all(pool)
            .await)?;
        Ok(rows)
    }

    /// One member of this workspace.
    pub async fn member(&self, member_id: MemberId) -> Result<MemberRow> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM members m JOIN users u ON u.id = m.user_id \
             WHERE m.workspace_id = $1 AND m.id = $2"
        );
        let row = dispatch!(self.db, |pool| sqlx::query_as::<_, MemberRow>(&sql)
            .bind(self.ws())
            .bind(member_id.as_uuid())
            .fetch_optional(pool)
            .await)?;
        row.ok_or(StoreError::NotFound)
    }
}

impl Unit<'_> {
    /// One member of this workspace, read inside the unit.
    async fn member(&mut self, member_id: MemberId) -> Result<MemberRow> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM members m JOIN users u ON u.id = m.user_id \
             WHERE m.workspace_id = $1 AND m.id = $2"
        );
        let ws = self.ws();
        let row = unit_dispatch!(self, |conn| sqlx::query_as::<_, MemberRow>(&sql)
            .bind(ws)
            .bind(member_id.as_uuid())
            .fetch_optional(&mut *conn)
            .await)?;
        row.ok_or(StoreError::NotFound)
    }

    /// On PostgreSQL, locks the workspace's owner rows for the rest of the unit, so two
    /// concurrent demotions cannot both see "another owner remains". SQLite units hold the write
    /// lock from their first statement already.
    async fn lock_owners(&mut self) -> Result<()> {
        if self.is_postgres() {
            let ws = self.ws();
            unit_dispatch!(self, |conn| sqlx::query(
                "SELECT id FROM members WHERE workspace_id = $1 AND role = 'owner' FOR UPDATE"
            )
            .bind(ws)
            .execute(&mut *conn)
            .await
            .map(|_| ()))?;
        }
        Ok(())
    }

    /// Creates a login without a password and makes it a member with `role`.
    /// Fails with [`StoreError::Conflict`] when the e-mail already has a login.
    pub async fn add_member(
        &mut self,
        email: &str,
        name: &str,
        role: Role,
        now_ms: i64,
    ) -> Result<MemberRow> {
        let user_id = Uuid::new_v4();
        let member_id = Uuid::new_v4();
        let ws = self.ws();
        unit_dispatch!(self, |conn| {
            sqlx::query(
                "INSERT INTO users (id, email, name, password_hash, is_server_admin, created_at) \
                 VALUES ($1, $2, $3, NULL, FALSE, $4)",
            )
            .bind(user_id)
            .bind(email)
            .bind(name)
            .bind(now_ms)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO members (id, workspace_id, user_id, role, disabled, created_at) \
                 VALUES ($1, $2, $3, $4, FALSE, $5)",
            )
            .bind(member_id)
            .bind(ws)
            .bind(user_id)
            .bind(role.as_str())
            .bind(now_ms)
            .execute(&mut *conn)
            .await?;
            Ok::<(), StoreError>(())
        })?;
        self.member(MemberId::from_uuid(member_id)).await
    }

    /// Changes a member's role. Refuses (with `Ok(false)`) to take the owner role from the last
    /// enabled owner who can sign in.
    pub async fn set_role(&mut self, member_id: MemberId, role: Role) -> Result<bool> {
        self.member(member_id).await?;
        self.lock_owners().await?;
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(concat!(
            "UPDATE members SET role = $1 WHERE workspace_id = $2 AND id = $3 AND ($1 = 'owner' OR ",
            keeps_an_owner!(),
            ")"
        ))
        .bind(role.as_str())
        .bind(ws)
        .bind(member_id.as_uuid())
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Disables or re-enables a member. Refuses (with `Ok(false)`) to disable the last enabled
    /// owner who can sign in.
    pub async fn set_disabled(&mut self, member_id: MemberId, disabled: bool) -> Result<bool> {
        self.member(member_id).await?;
        self.lock_owners().await?;
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(concat!(
            "UPDATE members SET disabled = $1 WHERE workspace_id = $2 AND id = $3 AND ($1 = FALSE OR ",
            keeps_an_owner!(),
            ")"
        ))
        .bind(disabled)
        .bind(ws)
        .bind(member_id.as_uuid())
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Records a one-time set-password link (only its hash) for a member of this workspace.
    pub async fn create_password_link(
        &mut self,
        member_id: MemberId,
        token_hash: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<()> {
        let member = self.member(member_id).await?;
        let ws = self.ws();
        unit_dispatch!(self, |conn| {
            sqlx::query(
            "INSERT INTO password_links (token_hash, user_id, workspace_id, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, NULL)"
        )
        .bind(token_hash)
        .bind(member.user_id)
        .bind(ws)
        .bind(now_ms)
        .bind(expires_ms)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        })?;
        Ok(())
    }

    /// Ends every session of a member of this workspace (after disabling them, for instance)
    /// and voids their unused set-password links.
    pub async fn end_sessions_of(&mut self, member_id: MemberId) -> Result<u64> {
        let member = self.member(member_id).await?;
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| {
            let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND workspace_id = $2")
                .bind(member.user_id)
                .bind(ws)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            sqlx::query(
                "DELETE FROM password_links WHERE user_id = $1 AND workspace_id = $2 AND used_at IS NULL",
            )
            .bind(member.user_id)
            .bind(ws)
            .execute(&mut *conn)
            .await?;
            Ok::<u64, StoreError>(n)
        })?;
        Ok(n)
    }
}
