//! CSV import drafts (a file between upload and confirmation) and the column mappings remembered
//! per file layout.

use crate::db::dispatch;
use crate::error::{Result, StoreError};
use crate::scope::WorkspaceScope;
use crate::unit::{Unit, unit_dispatch};
use roster_domain::{DraftId, MemberId};
use uuid::Uuid;

/// A file waiting for confirmation.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImportDraftRow {
    pub id: Uuid,
    pub member_id: Uuid,
    pub kind: String,
    pub file_name: String,
    pub content: String,
    pub mapping: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct Mapping {
    mapping: String,
}

impl WorkspaceScope<'_> {
    /// A member's own import draft, unless it expired.
    pub async fn import_draft(
        &self,
        id: DraftId,
        member: MemberId,
        now_ms: i64,
    ) -> Result<ImportDraftRow> {
        dispatch!(self.db, |pool| sqlx::query_as::<_, ImportDraftRow>(
            "SELECT id, member_id, kind, file_name, content, mapping, created_at, expires_at FROM import_drafts \
             WHERE workspace_id = $1 AND id = $2 AND member_id = $3 AND expires_at > $4"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(id.as_uuid())
        .bind(member.as_uuid())
        .bind(now_ms)
        .fetch_optional(pool)
        .await)?
        .ok_or(StoreError::NotFound)
    }

    /// The mapping last chosen for a file layout.
    pub async fn import_layout(&self, kind: &str, layout_key: &str) -> Result<Option<String>> {
        let row = dispatch!(self.db, |pool| {
            sqlx::query_as::<_, Mapping>(
            "SELECT mapping FROM import_layouts WHERE workspace_id = $1 AND kind = $2 AND layout_key = $3"
        )
        .bind(self.workspace_id.as_uuid())
        .bind(kind)
        .bind(layout_key)
        .fetch_optional(pool)
        .await
        })?;
        Ok(row.map(|r| r.mapping))
    }
}

impl Unit<'_> {
    /// Stores a new draft.
    pub async fn create_import_draft(&mut self, d: &ImportDraftRow) -> Result<()> {
        let ws = self.ws();
        unit_dispatch!(self, |conn| {
            sqlx::query(
            "INSERT INTO import_drafts (id, workspace_id, member_id, kind, file_name, content, mapping, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(d.id)
        .bind(ws)
        .bind(d.member_id)
        .bind(&d.kind)
        .bind(&d.file_name)
        .bind(&d.content)
        .bind(&d.mapping)
        .bind(d.created_at)
        .bind(d.expires_at)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        })?;
        Ok(())
    }

    /// Changes the column mapping of a member's own draft.
    pub async fn set_import_mapping(
        &mut self,
        id: DraftId,
        member: MemberId,
        mapping: &str,
    ) -> Result<()> {
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| {
            sqlx::query(
            "UPDATE import_drafts SET mapping = $3 WHERE workspace_id = $1 AND id = $2 AND member_id = $4"
        )
        .bind(ws)
        .bind(id.as_uuid())
        .bind(mapping)
        .bind(member.as_uuid())
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Deletes a draft (confirmed or discarded); `NotFound` when it is already gone, so a draft
    /// is confirmed once.
    pub async fn delete_import_draft(&mut self, id: DraftId, member: MemberId) -> Result<()> {
        let ws = self.ws();
        let n = unit_dispatch!(self, |conn| sqlx::query(
            "DELETE FROM import_drafts WHERE workspace_id = $1 AND id = $2 AND member_id = $3"
        )
        .bind(ws)
        .bind(id.as_uuid())
        .bind(member.as_uuid())
        .execute(&mut *conn)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Remembers the mapping chosen for a file layout.
    pub async fn save_import_layout(
        &mut self,
        kind: &str,
        layout_key: &str,
        mapping: &str,
        now_ms: i64,
    ) -> Result<()> {
        let ws = self.ws();
        unit_dispatch!(self, |conn| {
            sqlx::query(
            "INSERT INTO import_layouts (workspace_id, kind, layout_key, mapping, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (workspace_id, kind, layout_key) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at"
        )
        .bind(ws)
        .bind(kind)
        .bind(layout_key)
        .bind(mapping)
        .bind(now_ms)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        })?;
        Ok(())
    }
}
