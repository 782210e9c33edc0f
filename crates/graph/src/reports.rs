//! Usage report CSVs (`getOffice365ActiveUserDetail`, `getMailboxUsageDetail`): parsing by header
//! name, cell formats, and detection of concealed (hashed) user names.

use std::collections::HashMap;
use std::fmt;

use jiff::civil::Date;

use crate::time::parse_report_date;

/// The period a usage report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportPeriod {
    /// 7 days.
    D7,
    /// 30 days.
    D30,
    /// 90 days.
    D90,
    /// 180 days.
    D180,
}

impl fmt::Display for ReportPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::D7 => "D7",
            Self::D30 => "D30",
            Self::D90 => "D90",
            Self::D180 => "D180",
        })
    }
}

/// A CSV cell or layout problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CsvError(pub String);

/// Who a report row is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReportUser {
    /// A real user principal name.
    Named(String),
    /// A 32-character hex pseudonym: the tenant conceals names in reports, and the value
    /// cannot be mapped back to a user.
    Concealed(String),
}

impl ReportUser {
    fn from_cell(cell: &str) -> Self {
        let cell = cell.trim();
        if is_concealed_name(cell) {
            Self::Concealed(cell.to_owned())
        } else {
            Self::Named(cell.to_owned())
        }
    }

    /// The user principal name, unless concealed.
    #[must_use]
    pub fn user_principal_name(&self) -> Option<&str> {
        match self {
            Self::Named(upn) => Some(upn),
            Self::Concealed(_) => None,
        }
    }
}

/// True for the pseudonyms used when names are concealed: 32 hex digits, no `@`.
#[must_use]
pub fn is_concealed_name(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A parsed report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report<R> {
    /// The column names as sent (BOM removed).
    pub columns: Vec<String>,
    /// One entry per data row.
    pub rows: Vec<R>,
    /// True when every row's user is a concealed pseudonym (and there is at least one row):
    /// joining this report to `/users` by name is impossible.
    pub names_concealed: bool,
}

/// Per-service columns of the Office 365 active user report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServiceUsage {
    /// `Has <service> License`.
    pub has_license: Option<bool>,
    /// `<service> Last Activity Date`.
    pub last_activity: Option<Date>,
    /// `<service> License Assign Date`.
    pub license_assigned: Option<Date>,
}

/// A row of `getOffice365ActiveUserDetail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office365ActiveUserDetail {
    /// `Report Refresh Date`.
    pub report_refresh_date: Option<Date>,
    /// `User Principal Name` (or its pseudonym).
    pub user: ReportUser,
    /// `Display Name` (also concealed when names are).
    pub display_name: Option<String>,
    /// `Is Deleted`.
    pub is_deleted: Option<bool>,
    /// `Deleted Date`.
    pub deleted_date: Option<Date>,
    /// Exchange columns.
    pub exchange: ServiceUsage,
    /// OneDrive columns.
    pub onedrive: ServiceUsage,
    /// SharePoint columns.
    pub sharepoint: ServiceUsage,
    /// Skype for Business columns.
    pub skype_for_business: ServiceUsage,
    /// Yammer columns.
    pub yammer: ServiceUsage,
    /// Teams columns.
    pub teams: ServiceUsage,
    /// `Assigned Products`, split into product names.
    pub assigned_products: Vec<String>,
}

impl Office365ActiveUserDetail {
    /// The latest activity date across all services.
    #[must_use]
    pub fn last_activity(&self) -> Option<Date> {
        [
            self.exchange,
            self.onedrive,
            self.sharepoint,
            self.skype_for_business,
            self.yammer,
            self.teams,
        ]
        .iter()
        .filter_map(|s| s.last_activity)
        .max()
    }
}

/// A row of `getMailboxUsageDetail`. Columns vary between 15 and 18 over time, so every column
/// but the user is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxUsageDetail {
    /// `Report Refresh Date`.
    pub report_refresh_date: Option<Date>,
    /// `User Principal Name` (or its pseudonym).
    pub user: ReportUser,
    /// `Display Name`.
    pub display_name: Option<String>,
    /// `Is Deleted`.
    pub is_deleted: Option<bool>,
    /// `Deleted Date`.
    pub deleted_date: Option<Date>,
    /// `Created Date`.
    pub created_date: Option<Date>,
    /// `Last Activity Date`.
    pub last_activity_date: Option<Date>,
    /// `Item Count`.
    pub item_count: Option<u64>,
    /// `Storage Used (Byte)`.
    pub storage_used_bytes: Option<u64>,
    /// `Issue Warning Quota (Byte)`.
    pub issue_warning_quota_bytes: Option<u64>,
    /// `Prohibit Send Quota (Byte)`.
    pub prohibit_send_quota_bytes: Option<u64>,
    /// `Prohibit Send/Receive Quota (Byte)`.
    pub prohibit_send_receive_quota_bytes: Option<u64>,
    /// `Deleted Item Count`.
    pub deleted_item_count: Option<u64>,
    /// `Deleted Item Size (Byte)`.
    pub deleted_item_size_bytes: Option<u64>,
    /// `Deleted Item Quota (Byte)` (not in every version of the report).
    pub deleted_item_quota_bytes: Option<u64>,
    /// `Has Archive` (not in every version).
    pub has_archive: Option<bool>,
    /// `Recipient Type` (newer reports only).
    pub recipient_type: Option<String>,
    /// `Report Period` in days.
    pub report_period_days: Option<u32>,
}

/// The header row: column names and where each is.
struct Header {
    columns: Vec<String>,
    index: HashMap<String, usize>,
}

impl Header {
    fn new(record: &csv::StringRecord) -> Self {
        let columns: Vec<String> = record.iter().map(|h| h.trim().to_owned()).collect();
        let index = columns
            .iter()
            .enumerate()
            .map(|(i, name)| (name.to_ascii_lowercase(), i))
            .collect();
        Self { columns, index }
    }

    fn require(&self, column: &str) -> Result<(), CsvError> {
        if self.index.contains_key(&column.to_ascii_lowercase()) {
            Ok(())
        } else {
            Err(CsvError(format!(
                "column {column:?} is missing (columns: {})",
                self.columns.join(", ")
            )))
        }
    }
}

/// Splits a CSV arriving in pieces into whole records, so a report is read as it downloads and
/// never held whole: bytes wait only until the end of the record they belong to (a quoted
/// field may span lines).
#[derive(Default)]
struct Records {
    pending: Vec<u8>,
    /// Bytes of `pending` already scanned for the end of a record.
    scanned: usize,
    quoted: bool,
    started: bool,
    header: Option<Header>,
    /// Data rows seen (the header is row 1).
    rows: usize,
}

impl Records {
    /// Takes `chunk` and hands every record it completes to `each`.
    fn feed(
        &mut self,
        chunk: &[u8],
        each: &mut dyn FnMut(&Row<'_>) -> Result<(), CsvError>,
    ) -> Result<(), CsvError> {
        self.pending.extend_from_slice(chunk);
        if !self.started {
            if self.pending.len() < 3 && b"\xEF\xBB\xBF".starts_with(&self.pending) {
                return Ok(());
            }
            if self.pending.starts_with(b"\xEF\xBB\xBF") {
                self.pending.drain(..3);
            }
            self.started = true;
        }
        let mut end = None;
        for (i, b) in self.pending.iter().enumerate().skip(self.scanned) {
            match b {
                b'"' => self.quoted = !self.quoted,
                b'\n' if !self.quoted => end = Some(i + 1),
                _ => {}
            }
        }
        self.scanned = self.pending.len();
        if let Some(end) = end {
            let whole: Vec<u8> = self.pending.drain(..end).collect();
            self.scanned -= end;
            self.parse(&whole, each)?;
        }
        Ok(())
    }

    /// Reads what is left after the last piece.
    fn finish(
        mut self,
        each: &mut dyn FnMut(&Row<'_>) -> Result<(), CsvError>,
    ) -> Result<(Vec<String>, usize), CsvError> {
        let rest = std::mem::take(&mut self.pending);
        if self.quoted {
            return Err(CsvError(format!(
                "row {}: a quoted field is not closed before the end of the file",
                self.rows + 2
            )));
        }
        self.parse(&rest, each)?;
        let header = self
            .header
            .ok_or_else(|| CsvError("header row unreadable: the file is empty".to_owned()))?;
        Ok((header.columns, self.rows))
    }

    fn parse(
        &mut self,
        bytes: &[u8],
        each: &mut dyn FnMut(&Row<'_>) -> Result<(), CsvError>,
    ) -> Result<(), CsvError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        for record in reader.records() {
            let number = self.rows + 2;
            let record = record.map_err(|e| match &self.header {
                None => CsvError(format!("header row unreadable: {e}")),
                Some(_) => CsvError(format!("row {number}: {e}")),
            })?;
            let Some(header) = &self.header else {
                let header = Header::new(&record);
                header.require(USER_COLUMN)?;
                self.header = Some(header);
                continue;
            };
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            self.rows += 1;
            each(&Row {
                header,
                record: &record,
                number,
            })?;
        }
        Ok(())
    }
}

/// What a report read row by row came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSummary {
    /// The column names as sent (BOM removed).
    pub columns: Vec<String>,
    /// Data rows read.
    pub rows: usize,
    /// True when every row's user is a concealed pseudonym (and there is at least one row).
    pub names_concealed: bool,
}

/// A usage report read as it arrives: give it the bytes in pieces with [`ReportReader::feed`],
/// then [`ReportReader::finish`]; every row is handed over as soon as it is complete.
pub struct ReportReader<R> {
    records: Records,
    parse: fn(&Row<'_>) -> Result<R, CsvError>,
    user_of: fn(&R) -> &ReportUser,
    concealed: usize,
}

impl<R> ReportReader<R> {
    fn new(parse: fn(&Row<'_>) -> Result<R, CsvError>, user_of: fn(&R) -> &ReportUser) -> Self {
        Self {
            records: Records::default(),
            parse,
            user_of,
            concealed: 0,
        }
    }

    fn handler<'a>(
        parse: fn(&Row<'_>) -> Result<R, CsvError>,
        user_of: fn(&R) -> &ReportUser,
        concealed: &'a mut usize,
        each: &'a mut dyn FnMut(R),
    ) -> impl FnMut(&Row<'_>) -> Result<(), CsvError> + 'a {
        move |row| {
            let r = parse(row)?;
            if matches!(user_of(&r), ReportUser::Concealed(_)) {
                *concealed += 1;
            }
            each(r);
            Ok(())
        }
    }

    /// Takes the next piece of the file.
    ///
    /// # Errors
    /// [`CsvError`] for a missing `User Principal Name` column or a malformed cell.
    pub fn feed(&mut self, chunk: &[u8], each: &mut dyn FnMut(R)) -> Result<(), CsvError> {
        let mut handle = Self::handler(self.parse, self.user_of, &mut self.concealed, each);
        self.records.feed(chunk, &mut handle)
    }

    /// Reads the end of the file.
    ///
    /// # Errors
    /// As [`ReportReader::feed`], and for an empty file or an unclosed quote.
    pub fn finish(mut self, each: &mut dyn FnMut(R)) -> Result<ReportSummary, CsvError> {
        let mut concealed = self.concealed;
        let records = std::mem::take(&mut self.records);
        let (columns, rows) = {
            let mut handle = Self::handler(self.parse, self.user_of, &mut concealed, each);
            records.finish(&mut handle)?
        };
        Ok(ReportSummary {
            columns,
            rows,
            names_concealed: rows > 0 && concealed == rows,
        })
    }
}

/// A reader of `getOffice365ActiveUserDetail`.
#[must_use]
pub fn office365_active_user_reader() -> ReportReader<Office365ActiveUserDetail> {
    ReportReader::new(office365_row, |r| &r.user)
}

/// A reader of `getMailboxUsageDetail` (15, 17 or 18 columns).
#[must_use]
pub fn mailbox_usage_reader() -> ReportReader<MailboxUsageDetail> {
    ReportReader::new(mailbox_row, |r| &r.user)
}

/// One data row with its number, for error messages.
pub struct Row<'a> {
    header: &'a Header,
    record: &'a csv::StringRecord,
    number: usize,
}

impl Row<'_> {
    fn text(&self, column: &str) -> Option<&str> {
        let i = *self.header.index.get(&column.to_ascii_lowercase())?;
        let cell = self.record.get(i)?.trim();
        (!cell.is_empty()).then_some(cell)
    }

    fn string(&self, column: &str) -> Option<String> {
        self.text(column).map(str::to_owned)
    }

    fn fail(&self, column: &str, message: &str) -> CsvError {
        CsvError(format!("row {}, column {column:?}: {message}", self.number))
    }

    fn date(&self, column: &str) -> Result<Option<Date>, CsvError> {
        match self.text(column) {
            None => Ok(None),
            Some(cell) => parse_report_date(cell).map_err(|e| self.fail(column, &e.to_string())),
        }
    }

    fn boolean(&self, column: &str) -> Result<Option<bool>, CsvError> {
        match self.text(column) {
            None => Ok(None),
            Some(cell) if cell.eq_ignore_ascii_case("true") || cell.eq_ignore_ascii_case("yes") => {
                Ok(Some(true))
            }
            Some(cell) if cell.eq_ignore_ascii_case("false") || cell.eq_ignore_ascii_case("no") => {
                Ok(Some(false))
            }
            Some(cell) => Err(self.fail(column, &format!("{cell:?} is not True/False/Yes/No"))),
        }
    }

    fn number<N: std::str::FromStr>(&self, column: &str) -> Result<Option<N>, CsvError> {
        match self.text(column) {
            None => Ok(None),
            Some(cell) => cell
                .parse::<N>()
                .map(Some)
                .map_err(|_| self.fail(column, &format!("{cell:?} is not a whole number"))),
        }
    }

    fn user(&self) -> ReportUser {
        ReportUser::from_cell(self.text(USER_COLUMN).unwrap_or_default())
    }

    fn service(&self, name: &str) -> Result<ServiceUsage, CsvError> {
        Ok(ServiceUsage {
            has_license: self.boolean(&format!("Has {name} License"))?,
            last_activity: self.date(&format!("{name} Last Activity Date"))?,
            license_assigned: self.date(&format!("{name} License Assign Date"))?,
        })
    }
}

const USER_COLUMN: &str = "User Principal Name";

fn parse_all<R>(bytes: &[u8], reader: ReportReader<R>) -> Result<Report<R>, CsvError> {
    let mut reader = reader;
    let mut rows = Vec::new();
    reader.feed(bytes, &mut |r| rows.push(r))?;
    let summary = reader.finish(&mut |r| rows.push(r))?;
    Ok(Report {
        columns: summary.columns,
        rows,
        names_concealed: summary.names_concealed,
    })
}

/// Parses a `getOffice365ActiveUserDetail` CSV held whole.
///
/// # Errors
/// [`CsvError`] when the `User Principal Name` column is missing or a cell is malformed.
pub fn parse_office365_active_user_detail(
    bytes: &[u8],
) -> Result<Report<Office365ActiveUserDetail>, CsvError> {
    parse_all(bytes, office365_active_user_reader())
}

fn office365_row(row: &Row<'_>) -> Result<Office365ActiveUserDetail, CsvError> {
    Ok(Office365ActiveUserDetail {
        report_refresh_date: row.date("Report Refresh Date")?,
        user: row.user(),
        display_name: row.string("Display Name"),
        is_deleted: row.boolean("Is Deleted")?,
        deleted_date: row.date("Deleted Date")?,
        exchange: row.service("Exchange")?,
        onedrive: row.service("OneDrive")?,
        sharepoint: row.service("SharePoint")?,
        skype_for_business: row.service("Skype For Business")?,
        yammer: row.service("Yammer")?,
        teams: row.service("Teams")?,
        assigned_products: row
            .text("Assigned Products")
            .map(split_assigned_products)
            .unwrap_or_default(),
    })
}

/// Parses a `getMailboxUsageDetail` CSV held whole (15, 17 or 18 columns).
///
/// # Errors
/// [`CsvError`] when the `User Principal Name` column is missing or a cell is malformed.
pub fn parse_mailbox_usage_detail(bytes: &[u8]) -> Result<Report<MailboxUsageDetail>, CsvError> {
    parse_all(bytes, mailbox_usage_reader())
}

fn mailbox_row(row: &Row<'_>) -> Result<MailboxUsageDetail, CsvError> {
    Ok(MailboxUsageDetail {
        report_refresh_date: row.date("Report Refresh Date")?,
        user: row.user(),
        display_name: row.string("Display Name"),
        is_deleted: row.boolean("Is Deleted")?,
        deleted_date: row.date("Deleted Date")?,
        created_date: row.date("Created Date")?,
        last_activity_date: row.date("Last Activity Date")?,
        item_count: row.number("Item Count")?,
        storage_used_bytes: row.number("Storage Used (Byte)")?,
        issue_warning_quota_bytes: row.number("Issue Warning Quota (Byte)")?,
        prohibit_send_quota_bytes: row.number("Prohibit Send Quota (Byte)")?,
        prohibit_send_receive_quota_bytes: row.number("Prohibit Send/Receive Quota (Byte)")?,
        deleted_item_count: row.number("Deleted Item Count")?,
        deleted_item_size_bytes: row.number("Deleted Item Size (Byte)")?,
        deleted_item_quota_bytes: row.number("Deleted Item Quota (Byte)")?,
        has_archive: row.boolean("Has Archive")?,
        recipient_type: row.string("Recipient Type"),
        report_period_days: row.number("Report Period")?,
    })
}

/// Splits `Assigned Products`: names are joined with `+`, but a `+` with a space on both sides
/// belongs to a name ("ENTERPRISE MOBILITY + SECURITY E5").
#[must_use]
pub fn split_assigned_products(cell: &str) -> Vec<String> {
    let chars: Vec<char> = cell.chars().collect();
    let mut products = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let inside_name = i > 0 && chars.get(i - 1) == Some(&' ') && chars.get(i + 1) == Some(&' ');
        if c == '+' && !inside_name {
            products.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    products.push(current);
    products
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}
