//! The store's error type: the cases callers act on, and everything else as `Database`.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist, or belongs to another workspace (the two are deliberately indistinguishable).
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write (for example a duplicate e-mail address).
    #[error("already exists")]
    Conflict,
    /// The database URL is not one Roster understands.
    #[error("unsupported database URL {0:?}: use sqlite:PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// A stored value could not be read back (a corrupted or hand-edited row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The lease that background work runs under has passed to someone else (or run out).
    #[error("the job's lease is no longer held")]
    LeaseLost,
    /// The database file could not be created or its permissions set.
    #[error("database file {path}: {source}")]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Any other database error.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            // A reference to a row that is not in the workspace (the database's own check, or on
            // SQLite the triggers that stand in for composite foreign keys): as if it did not exist.
            sqlx::Error::Database(db)
                if db.is_foreign_key_violation()
                    || db.message().starts_with("FOREIGN KEY constraint failed") =>
            {
                StoreError::NotFound
            }
            _ => StoreError::Database(err),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
