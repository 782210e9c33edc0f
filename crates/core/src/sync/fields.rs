//! The contact fields Entra is the source of truth for, and the field policy that decides, field
//! by field, what a sync does with Entra's value.

use serde::{Deserialize, Serialize};

/// A contact field that syncs from Entra.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncField {
    DisplayName,
    FirstName,
    LastName,
    Email,
    JobTitle,
    Department,
    Company,
    BusinessPhone,
    MobilePhone,
    Street1,
    Street2,
    City,
    State,
    PostalCode,
    Country,
}

/// How many synced fields there are.
pub const FIELD_COUNT: usize = 15;

/// One value per synced field, in [`SyncField::ALL`] order; `None` is blank.
pub type Values = [Option<String>; FIELD_COUNT];

impl SyncField {
    /// Every synced field, in the order pages list them.
    pub const ALL: [SyncField; FIELD_COUNT] = [
        SyncField::DisplayName,
        SyncField::FirstName,
        SyncField::LastName,
        SyncField::Email,
        SyncField::JobTitle,
        SyncField::Department,
        SyncField::Company,
        SyncField::BusinessPhone,
        SyncField::MobilePhone,
        SyncField::Street1,
        SyncField::Street2,
        SyncField::City,
        SyncField::State,
        SyncField::PostalCode,
        SyncField::Country,
    ];

    /// Its position in [`Values`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncField::DisplayName => "display_name",
            SyncField::FirstName => "first_name",
            SyncField::LastName => "last_name",
            SyncField::Email => "email",
            SyncField::JobTitle => "job_title",
            SyncField::Department => "department",
            SyncField::Company => "company",
            SyncField::BusinessPhone => "business_phone",
            SyncField::MobilePhone => "mobile_phone",
            SyncField::Street1 => "street1",
            SyncField::Street2 => "street2",
            SyncField::City => "city",
            SyncField::State => "state",
            SyncField::PostalCode => "postal_code",
            SyncField::Country => "country",
        }
    }

    /// Its name on screens.
    pub fn label(self) -> &'static str {
        match self {
            SyncField::DisplayName => "Display name",
            SyncField::FirstName => "First name",
            SyncField::LastName => "Last name",
            SyncField::Email => "Email",
            SyncField::JobTitle => "Job title",
            SyncField::Department => "Department",
            SyncField::Company => "Company",
            SyncField::BusinessPhone => "Business phone",
            SyncField::MobilePhone => "Mobile phone",
            SyncField::Street1 => "Street address",
            SyncField::Street2 => "Street address (line 2)",
            SyncField::City => "City",
            SyncField::State => "State or province",
            SyncField::PostalCode => "Postal code",
            SyncField::Country => "Country",
        }
    }

    /// The field with this stored name.
    pub fn parse(name: &str) -> Option<SyncField> {
        SyncField::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// One synced field of a contact as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldState {
    /// The value Roster shows.
    pub value: Option<String>,
    /// The last value Roster took from Entra for this field (or declined in a conflict).
    pub synced: Option<String>,
    /// Whether a person set the value in Roster (then Entra never overwrites it silently).
    pub by_hand: bool,
    /// Entra's value while it conflicts with a hand edit, until a person chooses.
    pub conflict: Option<String>,
}

/// What the field policy does with one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "do", content = "value")]
pub enum FieldOutcome {
    /// Nothing to write.
    Keep,
    /// Entra's value becomes the value (and the synced value).
    Set(String),
    /// Entra cleared a value Roster had written: the field is cleared too.
    Clear,
    /// The value already equals Entra's: only the provenance changes (synced, not by hand).
    MarkSynced(String),
    /// Entra's value differs from a hand edit: flagged, the hand edit stays.
    Conflict(String),
    /// Entra no longer has a value, so a pending conflict is moot.
    DropConflict,
}

/// The field policy: Entra is the source of truth; a blank in Entra never overwrites; a value
/// Roster wrote is cleared when Entra clears it; a hand edit is never overwritten silently; a
/// value the person kept over Entra's (`synced` holds the declined value) is not raised again
/// until Entra's value changes.
pub fn reconcile(state: &FieldState, entra: Option<&str>) -> FieldOutcome {
    let value = state.value.as_deref();
    let synced = state.synced.as_deref();
    match entra {
        None => {
            if state.conflict.is_some() {
                FieldOutcome::DropConflict
            } else if !state.by_hand && synced.is_some() && value == synced {
                FieldOutcome::Clear
            } else {
                FieldOutcome::Keep
            }
        }
        Some(x) if value == Some(x) => {
            if synced != Some(x) || state.by_hand || state.conflict.is_some() {
                FieldOutcome::MarkSynced(x.to_owned())
            } else {
                FieldOutcome::Keep
            }
        }
        Some(x) if state.by_hand => {
            if synced == Some(x) || state.conflict.as_deref() == Some(x) {
                FieldOutcome::Keep
            } else {
                FieldOutcome::Conflict(x.to_owned())
            }
        }
        Some(x) => FieldOutcome::Set(x.to_owned()),
    }
}

impl FieldState {
    /// The state after `outcome`.
    pub fn apply(&mut self, outcome: &FieldOutcome) {
        match outcome {
            FieldOutcome::Keep => {}
            FieldOutcome::Set(x) => {
                self.value = Some(x.clone());
                self.synced = Some(x.clone());
                self.by_hand = false;
                self.conflict = None;
            }
            FieldOutcome::Clear => {
                self.value = None;
                self.synced = None;
                self.conflict = None;
            }
            FieldOutcome::MarkSynced(x) => {
                self.synced = Some(x.clone());
                self.by_hand = false;
                self.conflict = None;
            }
            FieldOutcome::Conflict(x) => self.conflict = Some(x.clone()),
            FieldOutcome::DropConflict => self.conflict = None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(value: Option<&str>, synced: Option<&str>, by_hand: bool) -> FieldState {
        FieldState {
            value: value.map(str::to_owned),
            synced: synced.map(str::to_owned),
            by_hand,
            conflict: None,
        }
    }

    #[test]
    fn entra_is_the_source_of_truth_for_values_roster_wrote() {
        assert_eq!(
            reconcile(&state(None, None, false), Some("Sales")),
            FieldOutcome::Set("Sales".into())
        );
        assert_eq!(
            reconcile(
                &state(Some("Sales"), Some("Sales"), false),
                Some("Marketing")
            ),
            FieldOutcome::Set("Marketing".into())
        );
        assert_eq!(
            reconcile(&state(Some("Sales"), Some("Sales"), false), Some("Sales")),
            FieldOutcome::Keep
        );
        // An imported value (not typed in Roster) gives way to Entra's.
        assert_eq!(
            reconcile(&state(Some("Old title"), None, false), Some("CFO")),
            FieldOutcome::Set("CFO".into())
        );
    }

    #[test]
    fn a_blank_never_overwrites_but_clears_what_roster_wrote() {
        assert_eq!(
            reconcile(&state(Some("Sales"), Some("Sales"), false), None),
            FieldOutcome::Clear
        );
        assert_eq!(
            reconcile(&state(Some("From the PSA"), None, false), None),
            FieldOutcome::Keep
        );
        assert_eq!(
            reconcile(&state(Some("Typed"), Some("Sales"), true), None),
            FieldOutcome::Keep
        );
        assert_eq!(
            reconcile(&state(None, None, false), None),
            FieldOutcome::Keep
        );
    }

    #[test]
    fn a_hand_edit_is_never_overwritten_silently() {
        let edited = state(Some("+1 555 0100"), Some("+1 555 0199"), true);
        assert_eq!(
            reconcile(&edited, Some("+1 555 0177")),
            FieldOutcome::Conflict("+1 555 0177".into())
        );
        // Entra still holds the value Roster wrote before the edit, or the value the person
        // declined: no conflict is raised (again).
        assert_eq!(reconcile(&edited, Some("+1 555 0199")), FieldOutcome::Keep);
        // Entra now agrees with the hand edit: in sync again.
        assert_eq!(
            reconcile(&edited, Some("+1 555 0100")),
            FieldOutcome::MarkSynced("+1 555 0100".into())
        );
        // A pending conflict is not raised twice, and is dropped when Entra clears the field.
        let mut pending = edited.clone();
        pending.apply(&FieldOutcome::Conflict("+1 555 0177".into()));
        assert_eq!(reconcile(&pending, Some("+1 555 0177")), FieldOutcome::Keep);
        assert_eq!(reconcile(&pending, None), FieldOutcome::DropConflict);
        assert_eq!(
            pending.value.as_deref(),
            Some("+1 555 0100"),
            "the hand edit stays"
        );
    }

    #[test]
    fn outcomes_leave_the_provenance_the_policy_reads_next_time() {
        let mut s = state(None, None, false);
        s.apply(&FieldOutcome::Set("A".into()));
        assert_eq!(s, state(Some("A"), Some("A"), false));
        s.apply(&FieldOutcome::Clear);
        assert_eq!(s, state(None, None, false));
        for f in SyncField::ALL {
            assert_eq!(SyncField::parse(f.as_str()), Some(f));
            assert_eq!(SyncField::ALL[f.index()], f);
        }
    }
}
