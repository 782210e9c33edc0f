//! Usage report CSVs: header-name parsing, BOM, cell formats, concealed names, product lists.

use jiff::civil::date;
use roster_graph::reports::{
    ReportUser, is_concealed_name, parse_mailbox_usage_detail, parse_office365_active_user_detail,
    split_assigned_products,
};

use crate::fixture;

#[test]
fn the_documented_active_user_header_row_parses_to_an_empty_report() {
    let report = parse_office365_active_user_detail(
        fixture!("reports-office365activeuserdetail.csv").as_bytes(),
    )
    .unwrap();
    assert_eq!(report.columns.len(), 24);
    assert!(report.rows.is_empty());
    assert!(!report.names_concealed, "no rows, so nothing is concealed");
}

#[test]
fn the_documented_mailbox_header_row_of_fifteen_columns_parses() {
    let report =
        parse_mailbox_usage_detail(fixture!("reports-mailboxusagedetail.csv").as_bytes()).unwrap();
    assert_eq!(report.columns.len(), 15);
    assert!(report.rows.is_empty());
}

#[test]
fn active_user_rows_with_a_bom_parse_by_header_name() {
    let report = parse_office365_active_user_detail(
        fixture!("reports-office365activeuserdetail-rows-bom.csv").as_bytes(),
    )
    .unwrap();
    assert_eq!(report.columns[0], "Report Refresh Date", "the BOM is gone");
    assert_eq!(report.rows.len(), 3);
    assert!(!report.names_concealed);
    let amara = &report.rows[0];
    assert_eq!(
        amara.user,
        ReportUser::Named("AmaraO@harborlane.example".to_owned())
    );
    assert_eq!(amara.report_refresh_date, Some(date(2024, 5, 5)));
    assert_eq!(amara.exchange.has_license, Some(true));
    assert_eq!(amara.yammer.has_license, Some(false));
    assert_eq!(amara.sharepoint.last_activity, None);
    assert_eq!(amara.last_activity(), Some(date(2024, 5, 5)));
    assert_eq!(
        amara.assigned_products,
        [
            "MICROSOFT 365 BUSINESS PREMIUM",
            "ENTERPRISE MOBILITY + SECURITY E5"
        ]
    );
    let carmen = &report.rows[1];
    assert_eq!(
        carmen.display_name.as_deref(),
        Some("Ruiz, Carmen"),
        "quoted comma"
    );
    let departed = &report.rows[2];
    assert_eq!(departed.is_deleted, Some(true));
    assert_eq!(departed.deleted_date, Some(date(2024, 4, 30)));
    assert!(departed.assigned_products.is_empty());
    insta::assert_debug_snapshot!(report.rows);
}

#[test]
fn concealed_mailbox_rows_are_detected_and_extra_columns_read() {
    let report = parse_mailbox_usage_detail(
        fixture!("reports-mailboxusagedetail-17col-concealed-bom.csv").as_bytes(),
    )
    .unwrap();
    assert_eq!(report.columns.len(), 17);
    assert!(report.names_concealed);
    let first = &report.rows[0];
    assert_eq!(first.user.user_principal_name(), None);
    assert!(matches!(first.user, ReportUser::Concealed(_)));
    assert_eq!(first.storage_used_bytes, Some(2_147_483_648));
    assert_eq!(first.deleted_item_quota_bytes, Some(32_212_254_720));
    assert_eq!(first.has_archive, Some(false));
    assert_eq!(first.report_period_days, Some(7));
    assert_eq!(first.recipient_type, None);
    assert_eq!(report.rows[1].last_activity_date, None);
}

#[test]
fn the_eighteen_column_mailbox_report_reads_the_recipient_type() {
    let report =
        parse_mailbox_usage_detail(fixture!("reports-mailboxusagedetail-18col.csv").as_bytes())
            .unwrap();
    let row = &report.rows[0];
    assert_eq!(row.recipient_type.as_deref(), Some("Shared"));
    assert_eq!(row.report_period_days, Some(30));
    assert_eq!(row.item_count, Some(88_120));
}

#[test]
fn yes_and_no_are_booleans_too() {
    let csv = "User Principal Name,Is Deleted,Has Archive\na@harborlane.example,No,Yes\n";
    let report = parse_mailbox_usage_detail(csv.as_bytes()).unwrap();
    assert_eq!(report.rows[0].is_deleted, Some(false));
    assert_eq!(report.rows[0].has_archive, Some(true));
}

#[test]
fn a_malformed_cell_names_its_row_and_column() {
    let csv =
        "User Principal Name,Item Count\na@harborlane.example,12\nb@harborlane.example,many\n";
    let error = parse_mailbox_usage_detail(csv.as_bytes()).unwrap_err();
    assert!(error.0.contains("row 3"), "{}", error.0);
    assert!(error.0.contains("Item Count"), "{}", error.0);
}

#[test]
fn a_report_without_the_user_column_is_rejected() {
    let error = parse_mailbox_usage_detail(b"Display Name,Item Count\nx,1\n").unwrap_err();
    assert!(error.0.contains("User Principal Name"), "{}", error.0);
}

#[test]
fn product_names_containing_a_spaced_plus_stay_whole() {
    assert_eq!(
        split_assigned_products("OFFICE 365 E3+ENTERPRISE MOBILITY + SECURITY E3+POWER BI PRO"),
        [
            "OFFICE 365 E3",
            "ENTERPRISE MOBILITY + SECURITY E3",
            "POWER BI PRO"
        ]
    );
    assert!(split_assigned_products("").is_empty());
}

#[test]
fn pseudonyms_are_thirty_two_hex_digits() {
    assert!(is_concealed_name("3F9A0C1B7E2D4A6F8B5C1D0E9F2A3B4C"));
    assert!(!is_concealed_name("someone@harborlane.example"));
    assert!(!is_concealed_name("3F9A0C1B7E2D4A6F8B5C1D0E9F2A3B4"));
    assert!(!is_concealed_name("3F9A0C1B7E2D4A6F8B5C1D0E9F2A3B4G"));
}

/// Reads `bytes` through a streaming reader in pieces of `size` bytes.
fn in_pieces(
    bytes: &[u8],
    size: usize,
) -> (
    Vec<roster_graph::reports::Office365ActiveUserDetail>,
    roster_graph::reports::ReportSummary,
) {
    let mut reader = roster_graph::reports::office365_active_user_reader();
    let mut rows = Vec::new();
    for piece in bytes.chunks(size) {
        reader.feed(piece, &mut |r| rows.push(r)).unwrap();
    }
    let summary = reader.finish(&mut |r| rows.push(r)).unwrap();
    (rows, summary)
}

#[test]
fn a_report_read_in_pieces_as_it_downloads_gives_the_same_rows() {
    let text = fixture!("reports-office365activeuserdetail-rows-bom.csv");
    let whole = parse_office365_active_user_detail(text.as_bytes()).unwrap();
    // One byte at a time splits the BOM, the header, quoted fields and line ends.
    for size in [1, 2, 7, 64, 100_000] {
        let (rows, summary) = in_pieces(text.as_bytes(), size);
        assert_eq!(rows, whole.rows, "pieces of {size}");
        assert_eq!(summary.columns, whole.columns);
        assert_eq!(summary.rows, whole.rows.len());
        assert_eq!(summary.names_concealed, whole.names_concealed);
    }
    // A quoted display name spanning a line end stays one row.
    let header = "Report Refresh Date,User Principal Name,Display Name\r\n";
    let csv =
        format!("{header}2026-12-01,a@x.example,\"Ann\nLee\"\r\n2026-12-01,b@x.example,Bo\r\n");
    let mut reader = roster_graph::reports::office365_active_user_reader();
    let mut names = Vec::new();
    for piece in csv.as_bytes().chunks(3) {
        reader
            .feed(piece, &mut |r| names.push(r.display_name))
            .unwrap();
    }
    let summary = reader.finish(&mut |r| names.push(r.display_name)).unwrap();
    assert_eq!(summary.rows, 2);
    assert_eq!(names, [Some("Ann\nLee".to_owned()), Some("Bo".to_owned())]);
}

#[test]
fn a_report_cut_inside_a_quoted_field_is_refused() {
    let csv = "Report Refresh Date,User Principal Name,Display Name\n2026-12-01,a@x.example,\"Ann";
    let mut reader = roster_graph::reports::office365_active_user_reader();
    reader.feed(csv.as_bytes(), &mut |_| {}).unwrap();
    let err = reader.finish(&mut |_| {}).unwrap_err();
    assert!(err.0.contains("not closed"), "{err}");
    let mut empty = roster_graph::reports::mailbox_usage_reader();
    empty.feed(b"", &mut |_| {}).unwrap();
    assert!(
        empty.finish(&mut |_| {}).is_err(),
        "an empty file has no header row"
    );
}
