//! Keyset pagination, one convention for every long list.
//!
//! A list is ordered by a normalized sort key and then the row id, both in an index that starts
//! with `workspace_id`; a page is the rows after a [`Cursor`] (the last row of the page before),
//! so the thousandth page costs what the first does, and rows added or removed meanwhile never
//! make a row appear twice or be skipped. Cursors travel in links as opaque text.

use uuid::Uuid;

/// The most rows one page carries, whatever is asked.
pub const MAX_PAGE: usize = 500;

/// The sort key of the row a page ends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// A normalized text key (for example a name folded to lower case).
    Text(String),
    /// A number (for example a time in milliseconds).
    Number(i64),
}

/// Where the next page starts: after the row with this sort key and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub key: SortKey,
    pub id: Uuid,
}

impl Cursor {
    /// The cursor as link-safe text (`n.<number>.<id>` or `t.<hex of the text>.<id>`).
    pub fn encode(&self) -> String {
        match &self.key {
            SortKey::Number(n) => format!("n.{n}.{}", self.id.simple()),
            SortKey::Text(t) => {
                let hex: String = t.bytes().map(|b| format!("{b:02x}")).collect();
                format!("t.{hex}.{}", self.id.simple())
            }
        }
    }

    /// Reads a cursor back; `None` for anything [`Cursor::encode`] did not make.
    pub fn decode(s: &str) -> Option<Self> {
        let mut parts = s.splitn(3, '.');
        let (kind, key, id) = (parts.next()?, parts.next()?, parts.next()?);
        let id = Uuid::try_parse(id).ok()?;
        let key = match kind {
            "n" => SortKey::Number(key.parse().ok()?),
            "t" => {
                if key.len() % 2 != 0 {
                    return None;
                }
                let bytes = (0..key.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(key.get(i..i + 2)?, 16).ok())
                    .collect::<Option<Vec<u8>>>()?;
                SortKey::Text(String::from_utf8(bytes).ok()?)
            }
            _ => return None,
        };
        Some(Self { key, id })
    }

    pub(crate) fn text(&self) -> Option<&str> {
        match &self.key {
            SortKey::Text(t) => Some(t),
            SortKey::Number(_) => None,
        }
    }

    pub(crate) fn number(&self) -> Option<i64> {
        match &self.key {
            SortKey::Number(n) => Some(*n),
            SortKey::Text(_) => None,
        }
    }
}

/// Which page to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<Cursor>,
    pub limit: usize,
}

impl PageRequest {
    /// The first `limit` rows.
    pub fn first(limit: usize) -> Self {
        Self { after: None, limit }
    }

    /// The `limit` rows after `cursor`.
    pub fn after(cursor: Option<Cursor>, limit: usize) -> Self {
        Self {
            after: cursor,
            limit,
        }
    }

    /// Rows asked of the database: one more than the page, to tell whether another page follows.
    pub(crate) fn fetch(&self) -> i64 {
        self.limit.clamp(1, MAX_PAGE) as i64 + 1
    }

    pub(crate) fn after_id(&self) -> Option<Uuid> {
        self.after.as_ref().map(|c| c.id)
    }
}

/// One page of a list, and where the next one starts (`None` on the last page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// Cuts the extra row read by [`PageRequest::fetch`] and takes the cursor from the last kept row.
    pub(crate) fn from_rows(
        mut rows: Vec<T>,
        req: &PageRequest,
        cursor: impl Fn(&T) -> Cursor,
    ) -> Self {
        let limit = req.limit.clamp(1, MAX_PAGE);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more { rows.last().map(cursor) } else { None };
        Self { items: rows, next }
    }

    /// The same page with each item transformed.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            next: self.next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_survive_the_trip_through_a_link_and_reject_garbage() {
        let id = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
        for key in [
            SortKey::Number(-5),
            SortKey::Number(1_700_000_000_000),
            SortKey::Text("bücher & co. gmbh".into()),
            SortKey::Text(String::new()),
        ] {
            let c = Cursor { key, id };
            let text = c.encode();
            assert!(
                text.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '-'),
                "{text}"
            );
            assert_eq!(Cursor::decode(&text), Some(c));
        }
        for bad in [
            "",
            "x.1.abc",
            "n.one.0190",
            "t.abc.00000000000000000000000000000000",
            "t.ff.nope",
            "t.c328.00000000000000000000000000000000",
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_page_knows_whether_another_follows() {
        let req = PageRequest::first(2);
        let cursor = |n: &i64| Cursor {
            key: SortKey::Number(*n),
            id: Uuid::nil(),
        };
        let full = Page::from_rows(vec![1, 2, 3], &req, cursor);
        assert_eq!(full.items, vec![1, 2]);
        assert_eq!(full.next.map(|c| c.key), Some(SortKey::Number(2)));
        let last = Page::from_rows(vec![1, 2], &req, cursor);
        assert_eq!(last.next, None);
        assert_eq!(
            PageRequest::first(0).fetch(),
            2,
            "a page has at least one row"
        );
        assert_eq!(PageRequest::first(10_000).fetch(), MAX_PAGE as i64 + 1);
    }
}
