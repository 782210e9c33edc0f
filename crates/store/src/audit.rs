//! The audit log: who did what, when, to what. Written by every state-changing use-case.

use crate::db::dispatch;
use crate::error::Result;
use crate::page::{Cursor, Page, PageRequest, SortKey};
use crate::scope::{Principal, WorkspaceScope};
use crate::unit::{Unit, unit_dispatch};
use uuid::Uuid;

/// An event to record.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    /// A stable dotted name, for example `member.role_changed`.
    pub action: &'static str,
    /// The kind of thing acted on, for example `member`.
    pub target_type: &'static str,
    pub target_id: Option<String>,
    /// Extra facts as a JSON object (never secrets).
    pub detail: serde_json::Value,
}

/// A recorded event.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: Uuid,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub detail: String,
    pub created_at: i64,
    /// The client address the actor acted from, when it was a person at a browser.
    pub client_address: Option<String>,
}

impl Unit<'_> {
    /// Appends an event done by `actor` in this workspace, committed with the unit's other writes.
    pub async fn audit(&mut self, actor: &Principal, entry: AuditEntry, now_ms: i64) -> Result<()> {
        self.record(
            Some(actor.user_id().as_uuid()),
            actor.email(),
            actor.client_address(),
            entry,
            now_ms,
        )
        .await
    }

    /// Appends an event whose actor is not a signed-in member (the command line, the system).
    pub async fn audit_as(
        &mut self,
        actor_user: Option<Uuid>,
        actor: &str,
        entry: AuditEntry,
        now_ms: i64,
    ) -> Result<()> {
        self.record(actor_user, actor, None, entry, now_ms).await
    }

    async fn record(
        &mut self,
        actor_user: Option<Uuid>,
        actor: &str,
        client_address: Option<&str>,
        entry: AuditEntry,
        now_ms: i64,
    ) -> Result<()> {
        let detail = entry.detail.to_string();
        let ws = self.ws();
        unit_dispatch!(self, |conn| {
            sqlx::query(
            "INSERT INTO audit_events (id, workspace_id, actor_user_id, actor, action, target_type, target_id, detail, created_at, client_address) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(Uuid::new_v4())
        .bind(ws)
        .bind(actor_user)
        .bind(actor)
        .bind(entry.action)
        .bind(entry.target_type)
        .bind(entry.target_id)
        .bind(detail)
        .bind(now_ms)
        .bind(client_address)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        })?;
        Ok(())
    }
}

impl WorkspaceScope<'_> {
    /// The newest events of this workspace.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditRecord>> {
        let limit = usize::try_from(limit).unwrap_or(1);
        Ok(self.audit_page(&PageRequest::first(limit)).await?.items)
    }

    /// One page of this workspace's events, newest first (keyset on time, then id).
    pub async fn audit_page(&self, req: &PageRequest) -> Result<Page<AuditRecord>> {
        let after = req.after.as_ref();
        let rows = dispatch!(self.db, |pool| {
            sqlx::query_as::<_, AuditRecord>(
                "SELECT id, actor, action, target_type, target_id, detail, created_at, client_address FROM audit_events \
                 WHERE workspace_id = $1 AND ($2 IS NULL OR created_at < $2 OR (created_at = $2 AND id < $3)) \
                 ORDER BY created_at DESC, id DESC LIMIT $4",
            )
            .bind(self.workspace_id.as_uuid())
            .bind(after.and_then(Cursor::number))
            .bind(req.after_id())
            .bind(req.fetch())
            .fetch_all(pool)
            .await
        })?;
        Ok(Page::from_rows(rows, req, |r| Cursor {
            key: SortKey::Number(r.created_at),
            id: r.id,
        }))
    }
}
