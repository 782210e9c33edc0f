//! Store tests. Each runs on SQLite, and again on PostgreSQL when `TEST_DATABASE_URL` is set.
#![expect(clippy::expect_used, reason = "test helpers fail loudly")]

mod accounts;
mod contacts;
mod facts;
mod isolation;
mod jobs;
mod leases;
mod organizations;
mod types;
mod units;
mod upgrades;

use roster_testkit::{TestDb, postgres_url};

/// Every database engine available to this test run.
pub async fn databases() -> Vec<TestDb> {
    let mut out = vec![TestDb::sqlite().await.expect("sqlite")];
    if let Some(url) = postgres_url() {
        out.push(TestDb::postgres(&url).await.expect("postgres"));
    }
    out
}

/// Each store write in a unit of its own, committed, for tests that check one write at a time.
pub mod once {
    use roster_domain::{MemberId, OrganizationId, Role};
    use roster_store::{MemberRow, OrganizationFields, StoreError, WorkspaceScope};
    use uuid::Uuid;

    type R<T> = Result<T, StoreError>;

    pub async fn set_role(s: &WorkspaceScope<'_>, m: MemberId, r: Role) -> R<bool> {
        let mut u = s.begin().await?;
        let out = u.set_role(m, r).await?;
        u.commit().await?;
        Ok(out)
    }

    pub async fn set_disabled(s: &WorkspaceScope<'_>, m: MemberId, d: bool) -> R<bool> {
        let mut u = s.begin().await?;
        let out = u.set_disabled(m, d).await?;
        u.commit().await?;
        Ok(out)
    }

    pub async fn end_sessions_of(s: &WorkspaceScope<'_>, m: MemberId) -> R<u64> {
        let mut u = s.begin().await?;
        let out = u.end_sessions_of(m).await?;
        u.commit().await?;
        Ok(out)
    }

    pub async fn add_member(
        s: &WorkspaceScope<'_>,
        email: &str,
        name: &str,
        role: Role,
        now: i64,
    ) -> R<MemberRow> {
        let mut u = s.begin().await?;
        let out = u.add_member(email, name, role, now).await?;
        u.commit().await?;
        Ok(out)
    }

    pub async fn create_password_link(
        s: &WorkspaceScope<'_>,
        m: MemberId,
        hash: &str,
        now: i64,
        expires: i64,
    ) -> R<()> {
        let mut u = s.begin().await?;
        u.create_password_link(m, hash, now, expires).await?;
        u.commit().await
    }

    pub async fn create_organization(
        s: &WorkspaceScope<'_>,
        f: &OrganizationFields,
        now: i64,
    ) -> R<OrganizationId> {
        let id = OrganizationId::from_uuid(Uuid::new_v4());
        let mut u = s.begin().await?;
        u.create_organization(id, f, now).await?;
        u.commit().await?;
        Ok(id)
    }

    /// A tenant connection (no organization), as the wizard would save it.
    pub async fn connection(s: &WorkspaceScope<'_>) -> Uuid {
        connection_in(s, None).await
    }

    /// A tenant connection matched to `organization`, if given.
    pub async fn connection_in(
        s: &WorkspaceScope<'_>,
        organization: Option<OrganizationId>,
    ) -> Uuid {
        let id = roster_domain::ConnectionId::from_uuid(Uuid::new_v4());
        let mut u = s.begin().await.expect("unit");
        u.create_connection(
            id,
            &roster_store::NewConnection {
                organization_id: organization,
                tenant: "contoso.onmicrosoft.com".into(),
                tenant_id: Uuid::new_v4().to_string(),
                client_id: Uuid::new_v4().to_string(),
                secret: roster_store::SealedSecret {
                    key_id: "k".into(),
                    blob: vec![1],
                },
                secret_expires_on: None,
                display_name: Some("Contoso".into()),
                verified_domains: vec!["contoso.onmicrosoft.com".into()],
                status: roster_domain::tenant::ConnectionStatus::Ok,
                status_detail: None,
                last_check: None,
            },
            roster_domain::DraftId::from_uuid(Uuid::new_v4()),
            1,
        )
        .await
        .expect("connection");
        u.commit().await.expect("commit");
        id.as_uuid()
    }
}
