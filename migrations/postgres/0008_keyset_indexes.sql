-- Keyset pages read `(workspace_id, sort key, id)` in index order: the audit log newest first.
-- (Organizations page by `(workspace_id, name_key)`, already unique, with the id as tie-breaker.)
CREATE INDEX audit_events_workspace_page ON audit_events (workspace_id, created_at, id);
DROP INDEX audit_events_workspace_time;
