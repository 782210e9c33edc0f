//! Bulk writes: many rows per statement, in batches sized for each engine.
//!
//! SQLite allows at most 32,766 bound values per statement and gains little past a few dozen rows
//! per `INSERT`; PostgreSQL (65,535 parameters) keeps gaining up to several hundred. Every bulk
//! write goes through [`Backend::rows_per_statement`] and de-duplicates its keys first with
//! [`last_per_key`]: PostgreSQL refuses an `ON CONFLICT DO UPDATE` that meets the same key twice in
//! one statement, and two rows for one key in one batch would be a bug on either engine.

use crate::db::Backend;
use std::collections::HashMap;
use std::hash::Hash;

impl Backend {
    /// How many rows one multi-row statement carries on this engine.
    pub fn rows_per_statement(self) -> usize {
        match self {
            Backend::Sqlite => 50,
            Backend::Postgres => 500,
        }
    }
}

/// Keeps one row per key, the last one given, in the order the kept rows were given.
pub fn last_per_key<T, K: Hash + Eq>(rows: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut last: HashMap<K, usize> = HashMap::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        last.insert(key(row), i);
    }
    rows.into_iter()
        .enumerate()
        .filter(|(i, row)| last.get(&key(row)) == Some(i))
        .map(|(_, row)| row)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_row_of_a_key_wins_and_order_is_kept() {
        let rows = vec![("a", 1), ("b", 2), ("a", 3), ("c", 4)];
        assert_eq!(
            last_per_key(rows, |r| r.0),
            vec![("b", 2), ("a", 3), ("c", 4)]
        );
    }

    #[test]
    fn batches_fit_each_engine() {
        assert_eq!(Backend::Sqlite.rows_per_statement(), 50);
        assert!(Backend::Postgres.rows_per_statement() >= 500);
    }
}
