//! GDAP customers of the partner (MSP) tenant, from `/tenantRelationships/delegatedAdminCustomers`.

use serde::Deserialize;

/// A customer tenant with at least one active delegated admin relationship.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DelegatedAdminCustomer {
    /// Record ID (equal to the tenant ID in practice).
    pub id: String,
    /// Customer tenant ID.
    pub tenant_id: String,
    /// Customer name.
    pub display_name: Option<String>,
    /// Per-item entity tag.
    #[serde(rename = "@odata.etag")]
    pub etag: Option<String>,
}
