//! The datastore: a CSV resource loaded into its own table `opendata_ds_<id>` with a column per
//! field (`c0`, `c1` …) of the type detected from its values (int, float or text), plus `_id` (the
//! row's number) and `_full` (the row's [`words`], for `q`). Loaded in batches of multi-row
//! inserts inside the resource's transaction; queried with filters, `q`, sorting, field selection
//! and paging. Column names in SQL are always the generated `c<i>`, never the file's.
//!
//! `q` goes through a word index of `_full`, the one place the two databases differ here: on
//! SQLite an FTS5 table `opendata_ds_<id>_fts` over the table (external content, so the text is
//! not kept twice), on PostgreSQL a generated `tsvector` column `_tsv` (the `simple`
//! configuration: no stemming, no stop words) with a GIN index. Both are given the words already
//! split and lower-cased by [`words`], and both match a query word as the start of a word of the
//! row, so they find the same rows.
//!
//! No statement on a resource's table is kept prepared on its connection (`persistent(false)`):
//! sqlx keeps prepared statements by their text, and the same text means other column types
//! after a publisher corrects a column or a file is replaced. On PostgreSQL a connection that had
//! run the text before bound the new value as the old type ("invalid byte sequence for encoding
//! UTF8: 0x00" for a whole number bound to a text parameter) or met "cached plan must not change
//! result type": a 500 whenever the pool handed out such a connection.

use crate::error::{OpenDataError, Problem};
use portico_store::{Backend, Db, Tx};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Int,
    Float,
    Text,
    /// A calendar date, kept as text `YYYY-MM-DD` (so it sorts) on both databases. Never
    /// detected: a publisher corrects a text column to it.
    Date,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Int => "int",
            FieldType::Float => "float",
            FieldType::Text => "text",
            FieldType::Date => "date",
        }
    }

    /// The type a publisher names (`int`, `float`, `text`, `date`; CKAN's `numeric` is a float).
    pub fn parse(s: &str) -> Option<FieldType> {
        match s.trim() {
            "int" | "integer" => Some(FieldType::Int),
            "float" | "numeric" | "decimal" => Some(FieldType::Float),
            "text" => Some(FieldType::Text),
            "date" => Some(FieldType::Date),
            _ => None,
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, FieldType::Int | FieldType::Float)
    }

    /// True when `value` (as the table holds it, text) can be this type; empty is always fine.
    pub fn fits(self, value: &str) -> bool {
        let v = value.trim();
        v.is_empty()
            || match self {
                FieldType::Int => v.parse::<i64>().is_ok(),
                FieldType::Float => v.parse::<f64>().is_ok_and(f64::is_finite),
                FieldType::Text => true,
                FieldType::Date => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .is_ok_and(|d| d.format("%Y-%m-%d").to_string() == v),
            }
    }

    /// True when a correction to this type takes `value`: as [`FieldType::fits`], and for a date
    /// also `DD.MM.YYYY` (the Bulgarian way), which the correction converts.
    pub fn takes(self, value: &str) -> bool {
        match self {
            FieldType::Date => value.trim().is_empty() || as_date(value).is_some(),
            _ => self.fits(value),
        }
    }

    fn sql(self) -> &'static str {
        match self {
            FieldType::Int => "BIGINT",
            FieldType::Float => "DOUBLE PRECISION",
            FieldType::Text | FieldType::Date => "TEXT",
        }
    }

    fn from_stored(s: &str) -> FieldType {
        match s {
            "int" => FieldType::Int,
            "float" => FieldType::Float,
            "date" => FieldType::Date,
            _ => FieldType::Text,
        }
    }

    /// The narrowest type that holds both.
    fn widen(self, value: &str) -> FieldType {
        let v = value.trim();
        if v.is_empty() {
            return self;
        }
        match self {
            FieldType::Int if v.parse::<i64>().is_ok() => FieldType::Int,
            FieldType::Int | FieldType::Float if v.parse::<f64>().is_ok_and(f64::is_finite) => {
                FieldType::Float
            }
            _ => FieldType::Text,
        }
    }
}

/// A date as a publisher may have written it, as the datastore keeps it (`YYYY-MM-DD`):
/// `YYYY-MM-DD` itself, or `DD.MM.YYYY` with a day and a month of one or two digits and a year
/// of four (`5.1.2024`, `05.01.2024`). Anything else, or a day that does not exist, is none.
pub fn as_date(value: &str) -> Option<String> {
    let v = value.trim();
    if FieldType::Date.fits(v) && !v.is_empty() {
        return Some(v.to_owned());
    }
    let parts: Vec<&str> = v.split('.').collect();
    let [d, m, y] = parts[..] else {
        return None;
    };
    let digits = |s: &str, widths: &[usize]| {
        widths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(d, &[1, 2]) && digits(m, &[1, 2]) && digits(y, &[4])) {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// SQL that rewrites column `c` (text) from `DD.MM.YYYY` to `YYYY-MM-DD`: the four shapes
/// [`as_date`] takes, by the widths of the day and the month. Portable (`LIKE`, `substr`, `||`);
/// every value was checked with [`as_date`] first.
fn dotted_to_iso(table: &str, c: &str) -> String {
    let shape = |d: usize, m: usize| {
        let (dd, mm) = ("_".repeat(d), "_".repeat(m));
        let pad = |n: usize| if n == 1 { "'0' || " } else { "" };
        format!(
            "WHEN {c} LIKE '{dd}.{mm}.____' THEN substr({c}, {y}, 4) || '-' || {pm}substr({c}, {ms}, {m}) \
             || '-' || {pd}substr({c}, 1, {d})",
            y = d + m + 3,
            ms = d + 2,
            pm = pad(m),
            pd = pad(d),
        )
    };
    format!(
        "UPDATE {table} SET {c} = CASE {} {} {} {} ELSE {c} END WHERE {c} LIKE '%.%'",
        shape(2, 2),
        shape(1, 2),
        shape(2, 1),
        shape(1, 1)
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
}

/// The words of a row or of a query, as the word index holds them: runs of letters and digits,
/// lower-cased; everything else separates them.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Makes the word index of a loaded table, unless it is there already (made by an earlier
/// step: SQLite's FTS5 table is made and filled in one transaction, so one that is there is
/// whole). [`describe_fields`] records that the table has it.
async fn index_words(tx: &mut Tx, backend: Backend, table: &str) -> Result<(), OpenDataError> {
    let statements = match backend {
        Backend::Sqlite => {
            let there: Option<(String,)> =
                sqlx::query_as("SELECT name FROM sqlite_master WHERE name = $1")
                    .bind(format!("{table}_fts"))
                    .fetch_optional(&mut **tx)
                    .await?;
            if there.is_some() {
                return Ok(());
            }
            vec![
                format!(
                    "CREATE VIRTUAL TABLE {table}_fts USING fts5(_full, content='{table}', \
                     content_rowid='_id', tokenize='unicode61 remove_diacritics 0')"
                ),
                format!("INSERT INTO {table}_fts ({table}_fts) VALUES ('rebuild')"),
            ]
        }
        Backend::Postgres => vec![format!(
            "CREATE INDEX IF NOT EXISTS {table}_tsv ON {table} USING GIN (_tsv)"
        )],
    };
    for sql in statements {
        sqlx::query(&sql).execute(&mut **tx).await?;
    }
    Ok(())
}

/// True when the resource's table has its word index (one loaded before the index existed has
/// not, until [`word_index`] makes it).
async fn has_word_index(db: &Db, resource_id: &str) -> Result<bool, OpenDataError> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT resource_id FROM opendata_datastore_words WHERE resource_id = $1")
            .bind(resource_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// True when the resource's table has its word index, made now if it was loaded before the
/// index existed (once: the first `q` on it waits for it). If making it fails (another
/// request made it at the same moment, say), `q` reads the table with `LIKE` this time.
async fn word_index(db: &Db, resource_id: &str) -> Result<bool, OpenDataError> {
    if has_word_index(db, resource_id).await? {
        return Ok(true);
    }
    match build_word_index(db, resource_id).await {
        Ok(()) => Ok(true),
        Err(e) => {
            tracing::warn!(resource_id, error = %e, "opendata: the word index was not made");
            has_word_index(db, resource_id).await
        }
    }
}

/// Rows whose words [`build_word_index`] rewrites per statement.
const REWORD_BATCH: i64 = 2_000;

/// Makes the word index of a table loaded before there was one, in one transaction: `_full`
/// (then the row's text, lower-cased) rewritten as [`words`] splits it, so the index finds what
/// a table loaded now finds; then the index itself.
async fn build_word_index(db: &Db, resource_id: &str) -> Result<(), OpenDataError> {
    let name = table(resource_id);
    let mut tx = db.begin().await?;
    let mut last = 0i64;
    loop {
        let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT _id, _full FROM {name} WHERE _id > $1 ORDER BY _id LIMIT {REWORD_BATCH}"
        ))
        .persistent(false)
        .bind(last)
        .fetch_all(&mut *tx)
        .await?;
        let Some((end, _)) = rows.last() else {
            break;
        };
        last = *end;
        for (id, full) in rows {
            let split = words(&full).join(" ");
            if split != full {
                sqlx::query(&format!("UPDATE {name} SET _full = $2 WHERE _id = $1"))
                    .persistent(false)
                    .bind(id)
                    .bind(split)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    if db.backend() == Backend::Postgres {
        sqlx::query(&format!(
            "ALTER TABLE {name} ADD COLUMN {}",
            TSV_COLUMN.trim_start_matches(", ")
        ))
        .execute(&mut *tx)
        .await?;
    }
    index_words(&mut tx, db.backend(), &name).await?;
    sqlx::query("INSERT INTO opendata_datastore_words (resource_id) VALUES ($1)")
        .bind(resource_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

fn table(resource_id: &str) -> String {
    format!(
        "opendata_ds_{}",
        resource_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    )
}

/// A table's columns as a load knows them: the header's names and each column's type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Columns {
    pub names: Vec<String>,
    pub types: Vec<FieldType>,
}

impl Columns {
    /// The columns of a CSV header, each of the narrowest type until a value widens it.
    pub fn of_header(header: &csv::StringRecord) -> Columns {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        Columns {
            types: vec![FieldType::Int; names.len()],
            names,
        }
    }

    /// Widens each column's type to hold the row's value.
    pub fn widen(&mut self, row: &csv::StringRecord) {
        for (t, v) in self.types.iter_mut().zip(row.iter()) {
            *t = t.widen(v);
        }
    }
}

/// Rows in one multi-row insert: under SQLite's parameter limit, at most 1,000.
pub fn batch_rows(columns: &Columns) -> usize {
    (30_000 / (columns.names.len() + 2)).clamp(1, 1000)
}

/// Loads `text` (a checked CSV) into a new table for `resource_id`; the number of rows.
pub async fn load(
    tx: &mut Tx,
    backend: Backend,
    resource_id: &str,
    text: &str,
) -> Result<i64, OpenDataError> {
    let reader = || {
        csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes())
    };
    // First pass: the header and each column's type.
    let mut r = reader();
    let header = r.headers().map_err(|_| {
        OpenDataError::Invalid(vec![Problem::at_line("upload", "upload.csv_broken", 1)])
    })?;
    let mut columns = Columns::of_header(header);
    let mut record = csv::StringRecord::new();
    while r
        .read_record(&mut record)
        .map_err(|_| OpenDataError::invalid("upload", "upload.csv_broken"))?
    {
        columns.widen(&record);
    }
    create_table(tx, backend, resource_id, &columns).await?;
    // Second pass: the rows.
    let batch = batch_rows(&columns);
    let mut r = reader();
    let mut rows: Vec<csv::StringRecord> = Vec::with_capacity(batch);
    let mut n: i64 = 0;
    loop {
        let mut record = csv::StringRecord::new();
        let more = r
            .read_record(&mut record)
            .map_err(|_| OpenDataError::invalid("upload", "upload.csv_broken"))?;
        if more {
            rows.push(record);
        }
        if rows.len() == batch || (!more && !rows.is_empty()) {
            insert_rows(tx, resource_id, &columns.types, n + 1, &rows).await?;
            n += rows.len() as i64;
            rows.clear();
        }
        if !more {
            break;
        }
    }
    describe(tx, backend, resource_id, &columns).await?;
    Ok(n)
}

/// Creates a resource's empty table. It is not queryable until [`describe`]d.
pub async fn create_table(
    tx: &mut Tx,
    backend: Backend,
    resource_id: &str,
    columns: &Columns,
) -> Result<(), OpenDataError> {
    sqlx::query(&create_table_sql(backend, resource_id, columns))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The statement of [`create_table`], for a connection of either database.
pub fn create_table_sql(backend: Backend, resource_id: &str, columns: &Columns) -> String {
    let name = table(resource_id);
    let defs: Vec<String> = columns
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| format!("c{i} {}", t.sql()))
        .collect();
    // PostgreSQL's word index is a column the database keeps from `_full`.
    let tsv = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => TSV_COLUMN,
    };
    format!(
        "CREATE TABLE {name} (_id BIGINT PRIMARY KEY, _full TEXT NOT NULL{tsv}{}{})",
        if defs.is_empty() { "" } else { ", " },
        defs.join(", ")
    )
}

const TSV_COLUMN: &str =
    ", _tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', _full)) STORED";

/// Inserts `rows` into a resource's table, numbered from `first_id`, in multi-row inserts of
/// at most [`batch_rows`].
pub async fn insert_rows(
    tx: &mut Tx,
    resource_id: &str,
    types: &[FieldType],
    first_id: i64,
    rows: &[csv::StringRecord],
) -> Result<(), OpenDataError> {
    let per_row = types.len() + 2;
    let batch = (30_000 / per_row).clamp(1, 1000);
    let head = format!(
        "INSERT INTO {} ({}) VALUES ",
        table(resource_id),
        column_list(types.len())
    );
    let mut n = first_id;
    for chunk in rows.chunks(batch) {
        let mut sql = head.clone();
        let mut p = 0;
        for k in 0..chunk.len() {
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..per_row {
                p += 1;
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${p}"));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql).persistent(false);
        for row in chunk {
            q = q.bind(n).bind(row_words(row));
            n += 1;
            for (t, v) in types.iter().zip(row.iter()) {
                let v = v.trim();
                q = match (t, v.is_empty()) {
                    (FieldType::Int, false) => q.bind(v.parse::<i64>().ok()),
                    (FieldType::Float, false) => q.bind(v.parse::<f64>().ok()),
                    (FieldType::Text | FieldType::Date, _) => q.bind(Some(v.to_owned())),
                    (FieldType::Int, true) => q.bind(None::<i64>),
                    (FieldType::Float, true) => q.bind(None::<f64>),
                };
            }
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// `_id, _full, c0, c1, …`: the columns a row is written to.
fn column_list(n: usize) -> String {
    std::iter::once("_id".to_owned())
        .chain(std::iter::once("_full".to_owned()))
        .chain((0..n).map(|i| format!("c{i}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row's words, as `_full` keeps them.
fn row_words(row: &csv::StringRecord) -> String {
    row.iter().flat_map(words).collect::<Vec<_>>().join(" ")
}

/// The `COPY … FROM STDIN` statement (PostgreSQL's text format) that [`copy_text`]'s rows are
/// for.
pub fn copy_statement(resource_id: &str, columns: usize) -> String {
    format!(
        "COPY {} ({}) FROM STDIN",
        table(resource_id),
        column_list(columns)
    )
}

/// `rows`, numbered from `first_id`, in PostgreSQL's `COPY` text format: a line a row, its
/// values separated by tabs, each as [`insert_rows`] binds it (trimmed; an empty number is
/// NULL, `\N`; an empty text is the empty string), with a backslash, a tab, a newline and a
/// carriage return written `\\`, `\t`, `\n`, `\r`, so a value holding them (or the text
/// `\N`) is read back as it was.
pub fn copy_text(types: &[FieldType], first_id: i64, rows: &[csv::StringRecord]) -> Vec<u8> {
    fn escaped(out: &mut String, v: &str) {
        for c in v.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
    }
    let mut out = String::new();
    for (k, row) in rows.iter().enumerate() {
        out.push_str(&(first_id + k as i64).to_string());
        out.push('\t');
        escaped(&mut out, &row_words(row));
        for (t, v) in types.iter().zip(row.iter()) {
            out.push('\t');
            let v = v.trim();
            match t {
                FieldType::Int => match v.parse::<i64>() {
                    Ok(n) if !v.is_empty() => out.push_str(&n.to_string()),
                    _ => out.push_str("\\N"),
                },
                FieldType::Float => match v.parse::<f64>() {
                    // Rust's shortest form reads back as the same double.
                    Ok(x) if !v.is_empty() && x.is_finite() => out.push_str(&format!("{x:?}")),
                    _ => out.push_str("\\N"),
                },
                FieldType::Text | FieldType::Date => escaped(&mut out, v),
            }
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// Makes a filled table queryable: its columns described, each indexed, and its word index.
pub async fn describe(
    tx: &mut Tx,
    backend: Backend,
    resource_id: &str,
    columns: &Columns,
) -> Result<(), OpenDataError> {
    let name = table(resource_id);
    for i in 0..columns.names.len() {
        index_column(tx, &name, i).await?;
    }
    index_words(tx, backend, &name).await?;
    describe_fields(tx, resource_id, columns).await
}

/// How many index steps a load of `columns` takes after its rows: one per column, then the
/// word index ([`build_index`]).
pub fn index_steps(columns: &Columns) -> i64 {
    columns.names.len() as i64 + 1
}

/// Builds index `k` of a loaded table (of [`index_steps`]): column `k`'s, or last the word
/// index. One that is already there (built by a step before a restart) is left as it is.
pub async fn build_index(
    tx: &mut Tx,
    backend: Backend,
    resource_id: &str,
    columns: &Columns,
    k: i64,
) -> Result<(), OpenDataError> {
    let name = table(resource_id);
    match usize::try_from(k) {
        Ok(i) if i < columns.names.len() => index_column(tx, &name, i).await,
        _ => index_words(tx, backend, &name).await,
    }
}

/// Describes a filled, indexed table: its columns and that it has its word index. From now on
/// `datastore_search` answers from it.
pub async fn describe_fields(
    tx: &mut Tx,
    resource_id: &str,
    columns: &Columns,
) -> Result<(), OpenDataError> {
    sqlx::query("INSERT INTO opendata_datastore_words (resource_id) VALUES ($1)")
        .bind(resource_id)
        .execute(&mut **tx)
        .await?;
    for (i, (h, t)) in columns.names.iter().zip(&columns.types).enumerate() {
        sqlx::query(
            "INSERT INTO opendata_datastore_fields (resource_id, position, name, type) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(resource_id)
        .bind(i as i64)
        .bind(h)
        .bind(t.as_str())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// How many rows a resource's table holds (an error when there is no table).
pub async fn count_rows(db: &Db, resource_id: &str) -> Result<i64, OpenDataError> {
    let sql = format!("SELECT COUNT(*) FROM {}", table(resource_id));
    let row = sqlx::query(&sql)
        .persistent(false)
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get::<i64, _>(0)?)
}

/// Drops the table of a load that did not finish (no description refers to it yet), with the
/// word index an earlier step may have made (SQLite's FTS5 table first).
pub async fn drop_table(tx: &mut Tx, resource_id: &str) -> Result<(), OpenDataError> {
    for sql in drop_table_sql(resource_id) {
        sqlx::query(&sql).execute(&mut **tx).await?;
    }
    Ok(())
}

/// The statements of [`drop_table`], for a connection of either database.
pub fn drop_table_sql(resource_id: &str) -> [String; 2] {
    let name = table(resource_id);
    [
        format!("DROP TABLE IF EXISTS {name}_fts"),
        format!("DROP TABLE IF EXISTS {name}"),
    ]
}

/// The index that serves a filter on, or a sort by, column `i` (with `_id`, the order of ties
/// and of pages). Made after the rows are in, which is faster than keeping it while loading.
async fn index_column(tx: &mut Tx, table: &str, i: usize) -> Result<(), OpenDataError> {
    sqlx::query(&format!(
        "CREATE INDEX IF NOT EXISTS {table}_c{i} ON {table} (c{i}, _id)"
    ))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How many of a column's bad values a correction reports, by row.
const BAD_VALUES_SHOWN: usize = 10;

/// Changes the type of field `field` of a resource's table to `to`, when every value fits it
/// (a date written `DD.MM.YYYY` is converted to `YYYY-MM-DD`); otherwise nothing changes and the
/// answer lists the first rows whose values do not (their `_id`, the CSV's data row number), with
/// how many there are. In the caller's transaction.
pub async fn retype(
    tx: &mut Tx,
    resource_id: &str,
    field: &str,
    to: FieldType,
) -> Result<FieldType, OpenDataError> {
    use futures::TryStreamExt;
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT position, name, type FROM opendata_datastore_fields WHERE resource_id = $1 \
         ORDER BY position",
    )
    .bind(resource_id)
    .fetch_all(&mut **tx)
    .await?;
    if rows.is_empty() {
        return Err(OpenDataError::NotFound);
    }
    let (i, _, from) = rows
        .into_iter()
        .find(|(_, n, _)| n == field)
        .ok_or_else(|| OpenDataError::invalid("field", "datastore.unknown_field"))?;
    let from = FieldType::from_stored(&from);
    if from == to {
        return Ok(from);
    }
    let name = table(resource_id);
    let mut bad = Vec::new();
    let mut bad_count = 0usize;
    {
        let sql = format!(
            "SELECT _id, CAST(c{i} AS TEXT) FROM {name} WHERE c{i} IS NOT NULL ORDER BY _id"
        );
        let mut values = sqlx::query_as::<_, (i64, String)>(&sql)
            .persistent(false)
            .fetch(&mut **tx);
        while let Some((id, v)) = values.try_next().await? {
            if !to.takes(&v) {
                bad_count += 1;
                if bad.len() < BAD_VALUES_SHOWN {
                    bad.push((id, v));
                }
            }
        }
    }
    if bad_count > 0 {
        let mut problems: Vec<Problem> = bad
            .into_iter()
            .map(|(id, v)| Problem::bad_value("field", to.as_str(), id, &v))
            .collect();
        if bad_count > BAD_VALUES_SHOWN {
            problems.push(Problem::more_bad_values(
                "field",
                (bad_count - BAD_VALUES_SHOWN) as i64,
            ));
        }
        return Err(OpenDataError::Invalid(problems));
    }
    if from.sql() != to.sql() {
        // Portable on both databases: a new column filled by CAST, the old one dropped (with its
        // index first, which SQLite requires), the new one renamed into its place.
        let value = if from.sql() == "TEXT" {
            format!("NULLIF(c{i}, '')")
        } else {
            format!("c{i}")
        };
        for sql in [
            format!("DROP INDEX IF EXISTS {name}_c{i}"),
            format!("ALTER TABLE {name} ADD COLUMN c{i}_new {}", to.sql()),
            format!("UPDATE {name} SET c{i}_new = CAST({value} AS {})", to.sql()),
            format!("ALTER TABLE {name} DROP COLUMN c{i}"),
            format!("ALTER TABLE {name} RENAME COLUMN c{i}_new TO c{i}"),
        ] {
            sqlx::query(&sql).execute(&mut **tx).await?;
        }
        index_column(tx, &name, i as usize).await?;
    }
    if to == FieldType::Date {
        sqlx::query(&dotted_to_iso(&name, &format!("c{i}")))
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "UPDATE opendata_datastore_fields SET type = $3 WHERE resource_id = $1 AND position = $2",
    )
    .bind(resource_id)
    .bind(i)
    .bind(to.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(from)
}

/// For each of `ranges` (a numeric field, lowest, highest), the lowest and highest value among the
/// rows inside all of them; none when no row is.
pub async fn bounds(
    db: &Db,
    resource_id: &str,
    ranges: &[(String, f64, f64)],
) -> Result<Vec<Option<(f64, f64)>>, OpenDataError> {
    let all = fields(db, resource_id).await?;
    let mut cols = Vec::new();
    let mut clauses = Vec::new();
    for (k, (field, _, _)) in ranges.iter().enumerate() {
        let i = all
            .iter()
            .position(|f| &f.id == field && f.kind.is_numeric())
            .ok_or_else(|| OpenDataError::invalid("filters", "datastore.bad_filter"))?;
        cols.push(format!(
            "CAST(MIN(c{i}) AS DOUBLE PRECISION), CAST(MAX(c{i}) AS DOUBLE PRECISION)"
        ));
        clauses.push(format!("c{i} BETWEEN ${} AND ${}", 2 * k + 1, 2 * k + 2));
    }
    if cols.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {} FROM {} WHERE {}",
        cols.join(", "),
        table(resource_id),
        clauses.join(" AND ")
    );
    let mut q = sqlx::query(&sql).persistent(false);
    for (_, lo, hi) in ranges {
        q = q.bind(*lo).bind(*hi);
    }
    let row = q.fetch_one(db.pool()).await?;
    (0..ranges.len())
        .map(|k| {
            let lo: Option<f64> = row.try_get(2 * k)?;
            let hi: Option<f64> = row.try_get(2 * k + 1)?;
            Ok(lo.zip(hi))
        })
        .collect()
}

/// Drops a resource's table and its description (before its file is replaced).
pub async fn drop(tx: &mut Tx, resource_id: &str) -> Result<(), OpenDataError> {
    for sql in [
        "DELETE FROM opendata_datastore_fields WHERE resource_id = $1",
        "DELETE FROM opendata_datastore_words WHERE resource_id = $1",
    ] {
        sqlx::query(sql)
            .bind(resource_id)
            .execute(&mut **tx)
            .await?;
    }
    let name = table(resource_id);
    // SQLite's FTS5 table first (PostgreSQL has none: its index goes with the table).
    for sql in [
        format!("DROP TABLE IF EXISTS {name}_fts"),
        format!("DROP TABLE IF EXISTS {name}"),
    ] {
        sqlx::query(&sql).execute(&mut **tx).await?;
    }
    Ok(())
}

/// The columns of a resource's table; empty when it is not in the datastore.
pub async fn fields(db: &Db, resource_id: &str) -> Result<Vec<Field>, OpenDataError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, type FROM opendata_datastore_fields WHERE resource_id = $1 ORDER BY position",
    )
    .bind(resource_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, t)| Field {
            id,
            kind: FieldType::from_stored(&t),
        })
        .collect())
}

/// A `datastore_search` query.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Field name → the values it must equal (any of them).
    pub filters: Vec<(String, Vec<serde_json::Value>)>,
    pub q: Option<String>,
    /// Field name and descending.
    pub sort: Vec<(String, bool)>,
    pub fields: Option<Vec<String>>,
    /// Numeric field, lowest and highest value (both included): the row's must be between.
    pub ranges: Vec<(String, f64, f64)>,
    /// Only the row with this `_id`.
    pub id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Found {
    pub fields: Vec<Field>,
    pub records: Vec<serde_json::Map<String, serde_json::Value>>,
    pub total: i64,
}

/// The largest page `datastore_search` answers.
pub const MAX_LIMIT: i64 = 32_000;

/// Runs a search on a resource's table. Unknown fields are refused naming the field.
pub async fn search(db: &Db, resource_id: &str, s: &Search) -> Result<Found, OpenDataError> {
    let all = fields(db, resource_id).await?;
    if all.is_empty() {
        return Err(OpenDataError::NotFound);
    }
    let index = |name: &str| -> Result<usize, OpenDataError> {
        all.iter()
            .position(|f| f.id == name)
            .ok_or_else(|| OpenDataError::invalid("fields", "datastore.unknown_field"))
    };
    let name = table(resource_id);
    let mut wanted: Vec<usize> = match &s.fields {
        Some(list) if !list.is_empty() => list
            .iter()
            .filter(|f| f.as_str() != "_id")
            .map(|f| index(f))
            .collect::<Result<_, _>>()?,
        _ => (0..all.len()).collect(),
    };
    wanted.dedup();
    let mut clauses = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    for (field, values) in &s.filters {
        let i = index(field)?;
        let mut alts = Vec::new();
        for v in values {
            args.push(Arg::from_json(all[i].kind, v)?);
            alts.push(format!("c{i} = ${}", args.len()));
        }
        if alts.is_empty() {
            continue;
        }
        clauses.push(format!("({})", alts.join(" OR ")));
    }
    for (field, lo, hi) in &s.ranges {
        let i = index(field)?;
        if !all[i].kind.is_numeric() {
            return Err(OpenDataError::invalid("filters", "datastore.bad_filter"));
        }
        args.push(Arg::Float(*lo));
        args.push(Arg::Float(*hi));
        clauses.push(format!(
            "c{i} BETWEEN ${} AND ${}",
            args.len() - 1,
            args.len()
        ));
    }
    if let Some(id) = s.id {
        args.push(Arg::Int(id));
        clauses.push(format!("_id = ${}", args.len()));
    }
    let q = words(s.q.as_deref().unwrap_or_default());
    if !q.is_empty() {
        // Every word of `q` begins a word of the row. The words have only letters and digits, so
        // quoting them in either database's query syntax is safe.
        match (word_index(db, resource_id).await?, db.backend()) {
            (true, Backend::Sqlite) => {
                let query: Vec<String> = q.iter().map(|w| format!("\"{w}\"*")).collect();
                args.push(Arg::Text(query.join(" ")));
                clauses.push(format!(
                    "_id IN (SELECT rowid FROM {name}_fts WHERE {name}_fts MATCH ${})",
                    args.len()
                ));
            }
            (true, Backend::Postgres) => {
                let query: Vec<String> = q.iter().map(|w| format!("'{w}':*")).collect();
                args.push(Arg::Text(query.join(" & ")));
                clauses.push(format!("_tsv @@ to_tsquery('simple', ${})", args.len()));
            }
            (false, _) => {
                for word in &q {
                    args.push(Arg::Text(format!("%{}%", escape_like(word))));
                    clauses.push(format!("_full LIKE ${} ESCAPE '\\'", args.len()));
                }
            }
        }
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    let mut order = Vec::new();
    for (field, desc) in &s.sort {
        if field == "_id" {
            order.push(format!("_id{}", if *desc { " DESC" } else { "" }));
        } else {
            let i = index(field)?;
            order.push(format!("c{i}{}", if *desc { " DESC" } else { "" }));
        }
    }
    order.push("_id".into());
    let count_sql = format!("SELECT COUNT(*) FROM {name}{filter}");
    let mut count = sqlx::query_as::<_, (i64,)>(&count_sql).persistent(false);
    for a in &args {
        count = a.bind_as(count);
    }
    let (total,) = count.fetch_one(db.pool()).await?;
    let cols: Vec<String> = std::iter::once("_id".to_owned())
        .chain(wanted.iter().map(|i| format!("c{i}")))
        .collect();
    let sql = format!(
        "SELECT {} FROM {name}{filter} ORDER BY {} LIMIT {} OFFSET {}",
        cols.join(", "),
        order.join(", "),
        s.limit.clamp(0, MAX_LIMIT),
        s.offset.max(0)
    );
    let mut query = sqlx::query(&sql).persistent(false);
    for a in &args {
        query = a.bind(query);
    }
    let rows = query.fetch_all(db.pool()).await?;
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let mut m = serde_json::Map::new();
        let id: i64 = row.try_get(0)?;
        m.insert("_id".into(), id.into());
        for (k, i) in wanted.iter().enumerate() {
            let value = match all[*i].kind {
                FieldType::Int => row
                    .try_get::<Option<i64>, _>(k + 1)?
                    .map_or(serde_json::Value::Null, Into::into),
                FieldType::Float => row
                    .try_get::<Option<f64>, _>(k + 1)?
                    .map_or(serde_json::Value::Null, Into::into),
                FieldType::Text | FieldType::Date => row
                    .try_get::<Option<String>, _>(k + 1)?
                    .map_or(serde_json::Value::Null, Into::into),
            };
            m.insert(all[*i].id.clone(), value);
        }
        records.push(m);
    }
    let mut out_fields = vec![Field {
        id: "_id".into(),
        kind: FieldType::Int,
    }];
    out_fields.extend(wanted.iter().map(|i| all[*i].clone()));
    Ok(Found {
        fields: out_fields,
        records,
        total,
    })
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

enum Arg {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Arg {
    fn from_json(kind: FieldType, v: &serde_json::Value) -> Result<Arg, OpenDataError> {
        let bad = || OpenDataError::invalid("filters", "datastore.bad_filter");
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return Err(bad()),
        };
        Ok(match kind {
            FieldType::Int => Arg::Int(text.trim().parse().map_err(|_| bad())?),
            FieldType::Float => Arg::Float(text.trim().parse().map_err(|_| bad())?),
            FieldType::Text => Arg::Text(text),
            FieldType::Date if FieldType::Date.fits(&text) => Arg::Text(text.trim().to_owned()),
            FieldType::Date => return Err(bad()),
        })
    }

    fn bind<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        match self {
            Arg::Int(v) => q.bind(*v),
            Arg::Float(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.clone()),
        }
    }

    fn bind_as<'q, O>(
        &self,
        q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        match self {
            Arg::Int(v) => q.bind(*v),
            Arg::Float(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_taken_as_yyyy_mm_dd_or_dd_mm_yyyy() {
        assert_eq!(as_date("2024-01-05").as_deref(), Some("2024-01-05"));
        assert_eq!(as_date("05.01.2024").as_deref(), Some("2024-01-05"));
        assert_eq!(as_date(" 5.1.2024 ").as_deref(), Some("2024-01-05"));
        assert_eq!(as_date("29.02.2024").as_deref(), Some("2024-02-29"));
        for bad in [
            "31.02.2024",
            "05.01.24",
            "05.01.20245",
            "5/1/2024",
            "2024-1-5",
            "x",
            "1.2.3.4",
        ] {
            assert_eq!(as_date(bad), None, "{bad}");
            assert!(!FieldType::Date.takes(bad), "{bad}");
        }
        assert!(FieldType::Date.takes(""));
        // Filters and stored values stay YYYY-MM-DD only.
        assert!(!FieldType::Date.fits("05.01.2024"));
    }

    #[test]
    fn copy_text_escapes_what_copy_would_read_otherwise() {
        let row = csv::StringRecord::from(vec![" 7 ", "", "a\tb\\c\nd\re", "\\N", "", "\\."]);
        let types = [
            FieldType::Int,
            FieldType::Float,
            FieldType::Text,
            FieldType::Text,
            FieldType::Text,
            FieldType::Date,
        ];
        let text = String::from_utf8(copy_text(&types, 41, &[row])).unwrap();
        assert_eq!(
            text,
            "41\t7 a b c d e n\t7\t\\N\ta\\tb\\\\c\\nd\\re\t\\\\N\t\t\\\\.\n"
        );
        assert_eq!(
            copy_statement("ab-1", 2),
            "COPY opendata_ds_ab1 (_id, _full, c0, c1) FROM STDIN"
        );
    }

    #[test]
    fn the_sql_rewrites_each_shape_of_a_dotted_date() {
        let sql = dotted_to_iso("t", "c1");
        assert!(sql.contains(
            "WHEN c1 LIKE '__.__.____' THEN substr(c1, 7, 4) || '-' || substr(c1, 4, 2) || '-' || substr(c1, 1, 2)"
        ), "{sql}");
        assert!(sql.contains(
            "WHEN c1 LIKE '_._.____' THEN substr(c1, 5, 4) || '-' || '0' || substr(c1, 3, 1) || '-' || '0' || substr(c1, 1, 1)"
        ), "{sql}");
    }
}
