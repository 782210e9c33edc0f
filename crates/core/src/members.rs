//! The members page's use-cases: list, add (with a set-password link), change role, disable, re-enable.

use crate::auth::PASSWORD_LINK_MS;
use crate::error::{CoreError, FieldErrors, Result};
use crate::secrets::{random_token, token_hash};
use crate::services::Services;
use roster_domain::{Email, MemberId, Permission, PersonName, Role};
use roster_store::{AuditEntry, AuditRecord, MemberRow, Principal, StoreError};
use serde_json::json;

/// A member as the members page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberView {
    pub member_id: MemberId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    /// Whether the person has chosen a password (an invitation not taken up has not).
    pub has_password: bool,
    pub joined_at: jiff::Timestamp,
    /// Whether this member is the person looking.
    pub is_you: bool,
}

impl MemberView {
    fn from_row(row: MemberRow, actor: &Principal) -> Result<Self> {
        Ok(Self {
            member_id: row.member_id(),
            role: row.role()?,
            is_you: row.member_id() == actor.member_id(),
            email: row.email,
            name: row.name,
            disabled: row.disabled,
            has_password: row.has_password,
            joined_at: roster_store::from_millis(row.created_at),
        })
    }
}

/// A member just added, with the one-time link that lets them choose a password.
#[derive(Clone)]
pub struct AddedMember {
    pub member: MemberView,
    pub link_token: String,
}

impl std::fmt::Debug for AddedMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddedMember")
            .field("member", &self.member)
            .field("link_token", &"[REDACTED]")
            .finish()
    }
}

impl Services {
    /// Everyone in the actor's workspace.
    pub async fn members(&self, actor: &Principal) -> Result<Vec<MemberView>> {
        self.authorize(actor, Permission::View)?;
        actor
            .scope(&self.db)
            .members()
            .await?
            .into_iter()
            .map(|m| MemberView::from_row(m, actor))
            .collect()
    }

    /// The workspace's newest audit events.
    pub async fn audit_log(&self, actor: &Principal, limit: i64) -> Result<Vec<AuditRecord>> {
        self.authorize(actor, Permission::ManageMembers)?;
        Ok(actor.scope(&self.db).audit_log(limit.clamp(1, 500)).await?)
    }

    /// Adds a member and returns a set-password link token (shown once to the actor).
    pub async fn add_member(
        &self,
        actor: &Principal,
        email: &str,
        name: &str,
        role: &str,
    ) -> Result<AddedMember> {
        self.authorize(actor, Permission::ManageMembers)?;
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(email));
        let name = errors.check("name", PersonName::parse(name));
        let role = errors.check("role", role.parse::<Role>());
        let (Some(email), Some(name), Some(role)) = (email, name, role) else {
            return Err(CoreError::Invalid(errors));
        };
        if role == Role::Owner {
            self.authorize(actor, Permission::ManageOwners)?;
        }
        let scope = actor.scope(&self.db);
        let now = self.now_ms();
        // The login, its membership, its set-password link and the audit entry: all or nothing.
        let mut unit = scope.begin().await?;
        let member = match unit
            .add_member(email.as_str(), name.as_str(), role, now)
            .await
        {
            Ok(m) => m,
            Err(StoreError::Conflict) => {
                return Err(CoreError::Invalid(FieldErrors::one(
                    "email",
                    "Someone with this email already has a Roster login.",
                )));
            }
            Err(e) => return Err(e.into()),
        };
        let link_token = random_token();
        unit.create_password_link(
            member.member_id(),
            &token_hash(&link_token),
            now,
            now + PASSWORD_LINK_MS,
        )
        .await?;
        unit.audit(
            actor,
            AuditEntry {
                action: "member.added",
                target_type: "member",
                target_id: Some(member.member_id.to_string()),
                detail: json!({ "email": email.as_str(), "role": role.as_str() }),
            },
            now,
        )
        .await?;
        unit.commit().await?;
        Ok(AddedMember {
            member: MemberView::from_row(member, actor)?,
            link_token,
        })
    }

    /// Issues a fresh set-password link for a member (for a lost or expired one).
    pub async fn new_password_link(&self, actor: &Principal, member: MemberId) -> Result<String> {
        self.authorize(actor, Permission::ManageMembers)?;
        let scope = actor.scope(&self.db);
        let target = scope.member(member).await?;
        if target.role()? == Role::Owner {
            self.authorize(actor, Permission::ManageOwners)?;
        }
        // A link sets the password of the login, which may reach beyond this workspace: only
        // logins that belong to this workspace alone (and are not server administrators) get one.
        let (workspaces, server_admin) = self.db.login_reach(target.user_id).await?;
        if workspaces > 1 || server_admin {
            return Err(CoreError::Conflict(
                "This person's login is also used elsewhere in Roster, so a set-password link cannot be issued from this workspace.".into(),
            ));
        }
        let token = random_token();
        let now = self.now_ms();
        let mut unit = scope.begin().await?;
        unit.create_password_link(member, &token_hash(&token), now, now + PASSWORD_LINK_MS)
            .await?;
        unit.audit(
            actor,
            AuditEntry {
                action: "member.password_link_issued",
                target_type: "member",
                target_id: Some(member.to_string()),
                detail: json!({ "email": target.email }),
            },
            now,
        )
        .await?;
        unit.commit().await?;
        Ok(token)
    }

    /// Changes a member's role; owners are granted or demoted only by owners, and never the last one.
    pub async fn change_role(&self, actor: &Principal, member: MemberId, role: &str) -> Result<()> {
        self.authorize(actor, Permission::ManageMembers)?;
        let role: Role = role
            .parse()
            .map_err(|e: roster_domain::role::UnknownRole| {
                CoreError::Invalid(FieldErrors::one("role", e.to_string()))
            })?;
        let scope = actor.scope(&self.db);
        let target = scope.member(member).await?;
        let from = target.role()?;
        if from == Role::Owner || role == Role::Owner {
            self.authorize(actor, Permission::ManageOwners)?;
        }
        if from == role {
            return Ok(());
        }
        let mut unit = scope.begin().await?;
        if !unit.set_role(member, role).await? {
            return Err(CoreError::LastOwner);
        }
        unit.audit(
                actor,
                AuditEntry {
                    action: "member.role_changed",
                    target_type: "member",
                    target_id: Some(member.to_string()),
                    detail: json!({ "email": target.email, "from": from.as_str(), "to": role.as_str() }),
                },
                self.now_ms(),
            )
            .await?;
        unit.commit().await?;
        Ok(())
    }

    /// Disables (ending their sessions) or re-enables a member.
    pub async fn set_member_disabled(
        &self,
        actor: &Principal,
        member: MemberId,
        disabled: bool,
    ) -> Result<()> {
        self.authorize(actor, Permission::ManageMembers)?;
        let scope = actor.scope(&self.db);
        let target = scope.member(member).await?;
        if target.role()? == Role::Owner {
            self.authorize(actor, Permission::ManageOwners)?;
        }
        if disabled && member == actor.member_id() {
            return Err(CoreError::Conflict("You cannot disable yourself.".into()));
        }
        // Disabling, ending the sessions and the audit entry commit together: nobody is left
        // disabled but still signed in.
        let mut unit = scope.begin().await?;
        if !unit.set_disabled(member, disabled).await? {
            return Err(CoreError::LastOwner);
        }
        if disabled {
            unit.end_sessions_of(member).await?;
        }
        unit.audit(
            actor,
            AuditEntry {
                action: if disabled {
                    "member.disabled"
                } else {
                    "member.enabled"
                },
                target_type: "member",
                target_id: Some(member.to_string()),
                detail: json!({ "email": target.email }),
            },
            self.now_ms(),
        )
        .await?;
        unit.commit().await?;
        Ok(())
    }
}
