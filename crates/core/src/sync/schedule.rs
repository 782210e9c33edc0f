//! When a connection syncs by itself: daily at a local time in an IANA time zone, every N hours,
//! or only when a person asks. Pure: the next time is worked out from a given instant.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// The default daily time and zone of a new connection.
pub const DEFAULT_TIME_ZONE: &str = "America/Los_Angeles";

/// A connection's schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Schedule {
    /// Every day at `hour:minute` wall-clock time in `time_zone`. On the day clocks spring
    /// forward past that time, the run comes at the same offset after the gap (02:30 becomes
    /// 03:30); on the day they fall back, it runs once, at the first 01:30.
    Daily {
        hour: u8,
        minute: u8,
        time_zone: String,
    },
    /// Every `hours` hours (1 to 24).
    EveryHours { hours: u8 },
    /// Only when a person chooses Sync now.
    Manual,
}

impl Default for Schedule {
    fn default() -> Self {
        Self::Daily {
            hour: 1,
            minute: 0,
            time_zone: DEFAULT_TIME_ZONE.to_owned(),
        }
    }
}

/// Why a schedule as entered cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("Enter the time as HH:MM on a 24-hour clock, for example 01:00 or 18:30.")]
    Time,
    #[error(
        "\"{0}\" is not a time zone Roster knows. Use an IANA name such as America/Los_Angeles, Europe/Paris or Australia/Sydney."
    )]
    TimeZone(String),
    #[error("Choose a number of hours between 1 and 24.")]
    Hours,
    #[error("Choose daily, every few hours, or manual only.")]
    Kind,
}

impl Schedule {
    /// Parses the schedule form's fields: `kind` is `daily`, `hours` or `manual`; `time` is
    /// `HH:MM`; `time_zone` an IANA name; `hours` a whole number.
    pub fn parse(
        kind: &str,
        time: &str,
        time_zone: &str,
        hours: &str,
    ) -> Result<Self, ScheduleError> {
        match kind {
            "daily" => {
                let (h, m) = time.trim().split_once(':').ok_or(ScheduleError::Time)?;
                let hour: u8 = h.trim().parse().map_err(|_| ScheduleError::Time)?;
                let minute: u8 = m.trim().parse().map_err(|_| ScheduleError::Time)?;
                if hour > 23 || minute > 59 || m.trim().len() != 2 {
                    return Err(ScheduleError::Time);
                }
                let zone = time_zone.trim();
                let zone = if zone.is_empty() {
                    DEFAULT_TIME_ZONE
                } else {
                    zone
                };
                let tz = TimeZone::get(zone).map_err(|_| ScheduleError::TimeZone(zone.into()))?;
                Ok(Self::Daily {
                    hour,
                    minute,
                    // The canonical spelling of the zone (case as the database has it).
                    time_zone: tz.iana_name().unwrap_or(zone).to_owned(),
                })
            }
            "hours" => match hours.trim().parse::<u8>() {
                Ok(n) if (1..=24).contains(&n) => Ok(Self::EveryHours { hours: n }),
                _ => Err(ScheduleError::Hours),
            },
            "manual" => Ok(Self::Manual),
            _ => Err(ScheduleError::Kind),
        }
    }

    /// The first time strictly after `after` the schedule queues a sync; `None` for manual only
    /// (or a daily schedule whose zone is not known, which `parse` never lets through).
    pub fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        match self {
            Self::Manual => None,
            Self::EveryHours { hours } => after
                .checked_add(jiff::SignedDuration::from_hours(i64::from(*hours)))
                .ok(),
            Self::Daily {
                hour,
                minute,
                time_zone,
            } => {
                let tz = TimeZone::get(time_zone).ok()?;
                let mut date = after.to_zoned(tz.clone()).date();
                // Today's time if it is still ahead, else tomorrow's (a gap or fold never moves a
                // day's time by more than a few hours, so two days are always enough).
                for _ in 0..3 {
                    let at = date
                        .at(i8::try_from(*hour).ok()?, i8::try_from(*minute).ok()?, 0, 0)
                        .to_zoned(tz.clone())
                        .ok()?;
                    if at.timestamp() > after {
                        return Some(at.timestamp());
                    }
                    date = date.tomorrow().ok()?;
                }
                None
            }
        }
    }

    /// In words, for the tenant's page: "Daily at 01:00 (America/Los_Angeles)".
    pub fn describe(&self) -> String {
        match self {
            Self::Daily {
                hour,
                minute,
                time_zone,
            } => format!("Daily at {hour:02}:{minute:02} ({time_zone})"),
            Self::EveryHours { hours: 1 } => "Every hour".to_owned(),
            Self::EveryHours { hours } => format!("Every {hours} hours"),
            Self::Manual => "Manual only (Sync now)".to_owned(),
        }
    }

    /// The daily time as `HH:MM` (for the form), if daily.
    pub fn time_text(&self) -> Option<String> {
        match self {
            Self::Daily { hour, minute, .. } => Some(format!("{hour:02}:{minute:02}")),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn daily(hour: u8, minute: u8, zone: &str) -> Schedule {
        Schedule::Daily {
            hour,
            minute,
            time_zone: zone.into(),
        }
    }

    #[test]
    fn a_time_in_the_spring_gap_runs_just_after_it() {
        // 02:30 does not exist in Los Angeles on 14 March 2027: the run comes at 03:30 PDT.
        let s = daily(2, 30, "America/Los_Angeles");
        assert_eq!(
            s.next_after(at("2027-03-14T08:00:00Z")),
            Some(at("2027-03-14T10:30:00Z"))
        );
        assert_eq!(
            s.next_after(at("2027-03-14T10:30:00Z")),
            Some(at("2027-03-15T09:30:00Z"))
        );
    }

    #[test]
    fn a_time_in_the_autumn_fold_runs_once() {
        // 01:30 happens twice in Los Angeles on 1 November 2026: the first (PDT) is taken, and
        // the next run is the following day's.
        let s = daily(1, 30, "America/Los_Angeles");
        let first = s.next_after(at("2026-11-01T07:00:00Z"));
        assert_eq!(first, Some(at("2026-11-01T08:30:00Z")));
        assert_eq!(
            s.next_after(at("2026-11-01T08:30:00Z")),
            Some(at("2026-11-02T09:30:00Z"))
        );
    }

    #[test]
    fn the_southern_hemisphere_and_every_few_hours_and_manual() {
        // Sydney leaves daylight saving on 4 April 2027: 01:00 AEDT is 14:00 UTC the day before,
        // 01:00 AEST 15:00 UTC.
        let s = daily(1, 0, "Australia/Sydney");
        assert_eq!(
            s.next_after(at("2027-04-02T15:00:00Z")),
            Some(at("2027-04-03T14:00:00Z"))
        );
        assert_eq!(
            s.next_after(at("2027-04-03T14:00:00Z")),
            Some(at("2027-04-04T15:00:00Z"))
        );
        assert_eq!(
            Schedule::EveryHours { hours: 6 }.next_after(at("2026-11-01T23:00:00Z")),
            Some(at("2026-11-02T05:00:00Z"))
        );
        assert_eq!(
            Schedule::Manual.next_after(at("2026-11-01T23:00:00Z")),
            None
        );
    }

    #[test]
    fn the_form_is_checked_and_the_zone_spelled_canonically() {
        assert_eq!(
            Schedule::parse("daily", " 6:05 ", "europe/paris", ""),
            Ok(daily(6, 5, "Europe/Paris"))
        );
        assert_eq!(
            Schedule::parse("daily", "01:00", "", ""),
            Ok(Schedule::default())
        );
        for bad in ["24:00", "1:5", "noon", "12", "-1:00", "10:60"] {
            assert_eq!(
                Schedule::parse("daily", bad, "UTC", ""),
                Err(ScheduleError::Time),
                "{bad}"
            );
        }
        assert_eq!(
            Schedule::parse("daily", "01:00", "Mars/Olympus", ""),
            Err(ScheduleError::TimeZone("Mars/Olympus".into()))
        );
        assert_eq!(
            Schedule::parse("hours", "", "", "4"),
            Ok(Schedule::EveryHours { hours: 4 })
        );
        for bad in ["0", "25", "x", ""] {
            assert_eq!(
                Schedule::parse("hours", "", "", bad),
                Err(ScheduleError::Hours)
            );
        }
        assert_eq!(Schedule::parse("manual", "", "", ""), Ok(Schedule::Manual));
        assert_eq!(
            Schedule::parse("weekly", "", "", ""),
            Err(ScheduleError::Kind)
        );
        assert_eq!(
            daily(1, 0, "America/Los_Angeles").describe(),
            "Daily at 01:00 (America/Los_Angeles)"
        );
    }
}
