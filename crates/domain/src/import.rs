//! CSV files an MSP brings from its PSA: decoded (UTF-8 with or without a byte-order mark; any
//! other encoding is refused with what to do), split (comma, semicolon or tab, quoted fields with
//! line breaks), and cells made safe for spreadsheets on the way out.

use std::fmt;

/// The most data rows one import takes.
pub const MAX_ROWS: usize = 50_000;

/// The largest file one import takes, in bytes (the upload limit of the server is a little larger,
/// for the form around the file).
pub const MAX_FILE_BYTES: usize = 15 * 1024 * 1024;

/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 100;

/// Why a file cannot be imported at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileProblem {
    Empty,
    TooLarge,
    Utf16,
    NotUtf8 { line: usize },
    NoHeader,
    TooManyRows,
    TooManyColumns,
    Unreadable { line: usize, detail: String },
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::Empty => write!(f, "The file is empty."),
            FileProblem::TooLarge => write!(
                f,
                "The file is larger than {} MB. Split it into several files.",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            FileProblem::Utf16 => write!(
                f,
                "The file is saved as UTF-16 (Excel's \"Unicode Text\"). Save it as \"CSV UTF-8 (Comma delimited)\" and upload it again."
            ),
            FileProblem::NotUtf8 { line } => write!(
                f,
                "Line {line} is not UTF-8 text (the file is probably saved as Windows-1252 or Latin-1). Save it as \"CSV UTF-8 (Comma delimited)\" and upload it again; nothing was imported."
            ),
            FileProblem::NoHeader => write!(
                f,
                "The first line must name the columns (for example: name,domains,website)."
            ),
            FileProblem::TooManyRows => write!(
                f,
                "The file has more than {MAX_ROWS} rows. Split it into several files."
            ),
            FileProblem::TooManyColumns => {
                write!(f, "The file has more than {MAX_COLUMNS} columns.")
            }
            FileProblem::Unreadable { line, detail } => {
                write!(f, "Line {line} cannot be read as CSV: {detail}.")
            }
        }
    }
}

/// A decoded file: its column names and its rows, each with the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub separator: u8,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The line of the file the row starts on (the header is line 1).
    pub line: usize,
    pub cells: Vec<String>,
}

/// The file's bytes as text: UTF-8, with a leading byte-order mark removed.
pub fn decode(bytes: &[u8]) -> Result<&str, FileProblem> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileProblem::TooLarge);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(FileProblem::Utf16);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if text.trim().is_empty() => Err(FileProblem::Empty),
        Ok(text) => Ok(text),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            Err(FileProblem::NotUtf8 { line })
        }
    }
}

/// The separator of the header line: the most frequent of comma, semicolon and tab outside quotes
/// (comma when none is there, a file of one column).
pub fn separator(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|i| (counts[*i], usize::from(*i == 0)))
        .unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Reads a file: decoded, split with its own separator, blank lines skipped, cells trimmed.
pub fn read(bytes: &[u8]) -> Result<Table, FileProblem> {
    let text = decode(bytes)?;
    let sep = separator(text);
    if let Some(line) = unclosed_quote(text, sep) {
        return Err(FileProblem::Unreadable {
            line,
            detail: "a quoted field is not closed".to_owned(),
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut lines = LineCounter::new(text);
    let mut record = csv::StringRecord::new();
    loop {
        let at = reader.position().byte();
        let more = reader
            .read_record(&mut record)
            .map_err(|e| FileProblem::Unreadable {
                line: lines.at(e.position().map_or(at, csv::Position::byte)),
                detail: match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "not UTF-8".to_owned(),
                    _ => "a quote is not closed".to_owned(),
                },
            })?;
        if !more {
            break;
        }
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if cells.len() > MAX_COLUMNS {
            return Err(FileProblem::TooManyColumns);
        }
        // The record starts after any blank lines the reader skipped.
        let line = lines.first_text_line(at);
        match headers {
            None => headers = Some(cells),
            Some(_) => {
                if rows.len() == MAX_ROWS {
                    return Err(FileProblem::TooManyRows);
                }
                rows.push(Row { line, cells });
            }
        }
    }
    let headers = headers.ok_or(FileProblem::NoHeader)?;
    if headers.iter().all(String::is_empty) {
        return Err(FileProblem::NoHeader);
    }
    Ok(Table {
        separator: sep,
        headers,
        rows,
    })
}

/// The line of a quote that opens a field and is never closed (the csv reader would take the rest
/// of the file as that one field).
fn unclosed_quote(text: &str, sep: u8) -> Option<usize> {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let (mut line, mut opened_on) = (1usize, 1usize);
    for &b in text.as_bytes() {
        if b == b'\n' {
            line += 1;
        }
        state = match state {
            State::FieldStart | State::Unquoted if b == sep || b == b'\n' || b == b'\r' => {
                State::FieldStart
            }
            State::FieldStart if b == b'"' => {
                opened_on = line;
                State::Quoted
            }
            State::FieldStart | State::Unquoted => State::Unquoted,
            State::Quoted if b == b'"' => State::QuoteInQuoted,
            State::Quoted => State::Quoted,
            // A doubled quote is a quote inside the field; anything else closes it.
            State::QuoteInQuoted if b == b'"' => State::Quoted,
            State::QuoteInQuoted if b == sep || b == b'\n' || b == b'\r' => State::FieldStart,
            State::QuoteInQuoted => State::Unquoted,
        };
    }
    (state == State::Quoted).then_some(opened_on)
}

/// Line numbers of byte offsets, for offsets that only grow.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line (from 1) byte `to` is on.
    fn at(&mut self, to: u64) -> usize {
        let to = usize::try_from(to)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        if to >= self.at {
            self.line += self.text[self.at..to]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.at = to;
        }
        self.line
    }

    /// The first line at or after byte `from` that is not blank.
    fn first_text_line(&mut self, from: u64) -> usize {
        let mut i = usize::try_from(from)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while i < self.text.len() && matches!(self.text[i], b'\r' | b'\n') {
            i += 1;
        }
        self.at(i as u64)
    }
}

/// A key for a file's layout: its column names, folded, in order. Files exported the same way
/// share it, so the column mapping chosen once is offered again.
pub fn layout_key(headers: &[String]) -> String {
    headers
        .iter()
        .map(|h| {
            crate::matching::normalize::fold(h)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// A cell as written to a CSV export: one that a spreadsheet would run as a formula (beginning
/// with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with an apostrophe, so it
/// shows as the text it is.
pub fn export_cell(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{value}")),
        _ => std::borrow::Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_a_bom_is_read_and_other_encodings_are_refused_with_the_fix() {
        let plain = read("name,domains\nCafé Müller,cafe.de\n".as_bytes()).unwrap();
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("name,domains\nCafé Müller,cafe.de\n".as_bytes());
        assert_eq!(read(&bom).unwrap(), plain);
        assert_eq!(plain.headers, ["name", "domains"]);
        assert_eq!(plain.rows[0].cells, ["Café Müller", "cafe.de"]);
        // "Café" in Windows-1252 on line 3.
        let latin1 = b"name\nContoso\nCaf\xe9\n";
        assert_eq!(read(latin1), Err(FileProblem::NotUtf8 { line: 3 }));
        assert!(
            FileProblem::NotUtf8 { line: 3 }
                .to_string()
                .contains("CSV UTF-8")
        );
        assert_eq!(read(&[0xFF, 0xFE, b'n', 0]), Err(FileProblem::Utf16));
        assert_eq!(read(b" \n \n"), Err(FileProblem::Empty));
    }

    #[test]
    fn semicolons_quoted_fields_and_embedded_line_breaks_are_read() {
        let t = read(
            "Name;Notes;Website\r\n\"Smith; Sons\";\"two\nlines\";smith.com\r\n\r\nContoso;;\r\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(t.separator, b';');
        assert_eq!(t.rows.len(), 2, "{t:?}");
        assert_eq!(t.rows[0].cells, ["Smith; Sons", "two\nlines", "smith.com"]);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(
            t.rows[1].line, 5,
            "the row after a two-line field and a blank line"
        );
        assert_eq!(separator("a\tb\tc\n"), b'\t');
        assert_eq!(separator("\"a,b\";c\n"), b';');
    }

    #[test]
    fn limits_are_clear_errors() {
        let mut big = String::from("name\n");
        for i in 0..=MAX_ROWS {
            big.push_str(&format!("Org {i}\n"));
        }
        assert_eq!(read(big.as_bytes()), Err(FileProblem::TooManyRows));
        let wide = format!("{}\n", vec!["c"; MAX_COLUMNS + 1].join(","));
        assert_eq!(read(wide.as_bytes()), Err(FileProblem::TooManyColumns));
        let open = read(b"name\nContoso\n\"open quote\nFabrikam\nTailspin\n").unwrap_err();
        assert_eq!(
            open,
            FileProblem::Unreadable {
                line: 3,
                detail: "a quoted field is not closed".into()
            }
        );
        assert!(read(b"name,notes\n\"a \"\"b\"\"\",\"x\ny\"\n").is_ok());
    }

    #[test]
    fn formula_cells_are_escaped_for_spreadsheets_and_others_left_alone() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx"] {
            assert!(export_cell(cell).starts_with('\''), "{cell}");
        }
        assert_eq!(export_cell("Contoso"), "Contoso");
        assert_eq!(export_cell(""), "");
    }

    #[test]
    fn the_layout_key_ignores_case_accents_and_spacing() {
        let a = layout_key(&["Company Name".into(), "Domäin".into()]);
        let b = layout_key(&["company  name".into(), "DOMAIN".into()]);
        assert_eq!(a, b);
        assert_ne!(a, layout_key(&["Domain".into(), "Company Name".into()]));
    }
}
