//! Tolerant parsing of Microsoft's date and time strings.

use jiff::Timestamp;
use roster_graph::time::{parse_report_date, parse_timestamp};

fn parsed(text: &str) -> Option<Timestamp> {
    parse_timestamp(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn at(text: &str) -> Option<Timestamp> {
    Some(text.parse().unwrap())
}

#[test]
fn timestamps_with_zero_to_nine_fraction_digits_parse() {
    assert_eq!(parsed("2023-03-13T19:15:41Z"), at("2023-03-13T19:15:41Z"));
    assert_eq!(
        parsed("2023-03-13T19:15:41.6Z"),
        at("2023-03-13T19:15:41.600Z")
    );
    assert_eq!(
        parsed("2023-03-13T19:15:41.6195833Z")
            .unwrap()
            .subsec_nanosecond(),
        619_583_300
    );
    assert_eq!(
        parsed("2023-03-13T19:15:41.123456789Z")
            .unwrap()
            .subsec_nanosecond(),
        123_456_789
    );
}

#[test]
fn more_than_nine_fraction_digits_are_truncated() {
    assert_eq!(
        parsed("2023-03-13T19:15:41.12345678912Z")
            .unwrap()
            .subsec_nanosecond(),
        123_456_789
    );
}

#[test]
fn offsets_are_converted_to_utc() {
    assert_eq!(
        parsed("2016-12-31T23:58:46.7156189-08:00"),
        at("2017-01-01T07:58:46.7156189Z")
    );
    assert_eq!(
        parsed("2024-01-01T10:00:00+05:30"),
        at("2024-01-01T04:30:00Z")
    );
}

#[test]
fn a_missing_offset_means_utc() {
    assert_eq!(parsed("2025-02-13T10:17:05"), at("2025-02-13T10:17:05Z"));
}

#[test]
fn a_space_between_date_and_time_is_accepted() {
    assert_eq!(parsed("2016-01-09 02:02:12Z"), at("2016-01-09T02:02:12Z"));
}

#[test]
fn empty_strings_and_the_year_one_sentinel_mean_never() {
    assert_eq!(parsed(""), None);
    assert_eq!(parsed("   "), None);
    assert_eq!(parsed("0001-01-01T00:00:00Z"), None);
    assert_eq!(parsed("0001-01-01T00:00:00"), None);
}

#[test]
fn a_bare_date_is_midnight_utc() {
    assert_eq!(parsed("2024-05-05"), at("2024-05-05T00:00:00Z"));
}

#[test]
fn placeholders_and_garbage_are_errors() {
    for bad in [
        "<date>",
        "date-time",
        "YYYY-MM-DD HH:MM:SSZ",
        "2024-13-01T00:00:00Z",
        "yesterday",
    ] {
        let error = parse_timestamp(bad).unwrap_err();
        assert_eq!(error.input, bad);
    }
}

#[test]
fn report_dates_are_plain_dates_and_empty_cells_have_none() {
    assert_eq!(
        parse_report_date("2024-05-04").unwrap(),
        Some(jiff::civil::date(2024, 5, 4))
    );
    assert_eq!(parse_report_date("").unwrap(), None);
    assert!(parse_report_date("04/05/2024").is_err());
}
