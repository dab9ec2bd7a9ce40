#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("unsupported database URL {0:?}: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("migration {id} was changed after it was applied (checksum {found} ≠ {expected})")]
    MigrationChanged {
        id: String,
        expected: String,
        found: String,
    },
    #[error("blob store error: {0}")]
    Blob(#[from] object_store::Error),
    #[error("blob store URL {0:?} is not valid: {1}")]
    BlobUrl(String, String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// True when the database refused a row because it would break a unique constraint. Callers
    /// turn this into a field error ("already registered") instead of a server error.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }
}
