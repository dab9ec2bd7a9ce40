//! Datasets: created as drafts or published by an administration's publishers, updated (each
//! save a new version, kept whole), withdrawn. Anyone sees published datasets; drafts and
//! withdrawn ones only their publishers.

use super::{organisations, publisher, OpenData};
use crate::error::{OpenDataError, Problem};
use crate::model::{Dataset, DatasetInput, DatasetState, FREQUENCIES, LICENCES, THEMES};
use portico_audit::Event;
use portico_core::{new_id, Actor};
use portico_store::{Db, Tx};

/// Names the portal's own pages use under `/data/`, which no dataset may take.
pub const RESERVED_NAMES: &[&str] = &["new", "mine"];

/// Checks a publisher's input; every problem at once.
pub fn validate(input: &DatasetInput) -> Vec<Problem> {
    let mut problems = Vec::new();
    let name = input.name.trim();
    if RESERVED_NAMES.contains(&name) {
        problems.push(Problem::new("name", "name.taken"));
    } else if name.is_empty() {
        problems.push(Problem::new("name", "name.missing"));
    } else if name.len() < 2
        || name.len() > 100
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        problems.push(Problem::new("name", "name.invalid"));
    }
    if input.title_bg.trim().is_empty() {
        problems.push(Problem::new("title_bg", "title_bg.missing"));
    }
    if input.title_en.trim().is_empty() {
        problems.push(Problem::new("title_en", "title_en.missing"));
    }
    if input
        .themes
        .iter()
        .any(|t| !THEMES.iter().any(|(c, _, _)| c == t))
    {
        problems.push(Problem::new("themes", "themes.unknown"));
    }
    if !LICENCES.iter().any(|(id, _, _)| *id == input.licence) {
        problems.push(Problem::new("licence", "licence.unknown"));
    }
    if !FREQUENCIES.contains(&input.frequency.as_str()) {
        problems.push(Problem::new("frequency", "frequency.unknown"));
    }
    let email = input.contact_email.trim();
    if !email.is_empty() && (!email.contains('@') || email.contains(' ')) {
        problems.push(Problem::new("contact_email", "contact_email.invalid"));
    }
    for (field, date) in [
        ("temporal_start", &input.temporal_start),
        ("temporal_end", &input.temporal_end),
    ] {
        if let Some(d) = date.as_deref().filter(|d| !d.is_empty()) {
            if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                problems.push(Problem::new(field, "date.invalid"));
            }
        }
    }
    if input
        .keywords
        .iter()
        .any(|k| k.trim().is_empty() || k.chars().count() > 100)
    {
        problems.push(Problem::new("keywords", "keywords.invalid"));
    }
    problems
}

/// Names beginning `portico-` are the platform's own datasets': taken for anyone else.
fn reserve_platform_names(problems: &mut Vec<Problem>, input: &DatasetInput, owner: &str) {
    if owner != organisations::PLATFORM_ID
        && input.name.starts_with(organisations::PLATFORM_NAME_PREFIX)
        && !problems.iter().any(|p| p.field == "name")
    {
        problems.push(Problem::new("name", "name.taken"));
    }
}

fn search_text(input: &DatasetInput) -> String {
    let mut text = format!(
        "{} {} {} {} {} {}",
        input.name,
        input.title_bg,
        input.title_en,
        input.notes_bg,
        input.notes_en,
        input.keywords.join(" ")
    );
    text = text.to_lowercase();
    format!(
        " {} ",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

fn clean(mut input: DatasetInput) -> DatasetInput {
    input.name = input.name.trim().to_owned();
    input.keywords = input.keywords.iter().map(|k| k.trim().to_owned()).collect();
    input.keywords.sort();
    input.keywords.dedup();
    input.themes.sort();
    input.themes.dedup();
    let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    input.temporal_start = blank(input.temporal_start);
    input.temporal_end = blank(input.temporal_end);
    input.spatial = blank(input.spatial);
    input
}

/// Creates a dataset for `administration_id`, a draft unless the input says published.
pub async fn create(
    ctx: &OpenData,
    actor: &Actor,
    administration_id: &str,
    input: DatasetInput,
) -> Result<Dataset, OpenDataError> {
    publisher::require(actor, administration_id)?;
    let input = clean(input);
    let mut problems = validate(&input);
    reserve_platform_names(&mut problems, &input, administration_id);
    if !problems.is_empty() {
        return Err(OpenDataError::Invalid(problems));
    }
    let mut tx = ctx.db.begin().await?;
    if id_by_name(&mut tx, &input.name).await?.is_some() {
        return Err(OpenDataError::invalid("name", "name.taken"));
    }
    let id = new_id();
    let now = ctx.now_millis();
    let state = input.state.unwrap_or(DatasetState::Draft);
    sqlx::query(
        "INSERT INTO opendata_datasets (id, name, administration_id, state, title_bg, title_en, \
         notes_bg, notes_en, licence, contact_name, contact_email, temporal_start, temporal_end, \
         spatial, frequency, version, search_text, created_by, created_at, modified_at, \
         published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, 1, $16, $17, $18, $18, $19)",
    )
    .bind(&id)
    .bind(&input.name)
    .bind(administration_id)
    .bind(state.as_str())
    .bind(&input.title_bg)
    .bind(&input.title_en)
    .bind(&input.notes_bg)
    .bind(&input.notes_en)
    .bind(&input.licence)
    .bind(&input.contact_name)
    .bind(&input.contact_email)
    .bind(&input.temporal_start)
    .bind(&input.temporal_end)
    .bind(&input.spatial)
    .bind(&input.frequency)
    .bind(search_text(&input))
    .bind(actor.audit_id())
    .bind(now)
    .bind((state == DatasetState::Published).then_some(now))
    .execute(&mut *tx)
    .await?;
    write_terms(&mut tx, &id, &input).await?;
    save_version(&mut tx, &id, 1, &input, actor, now).await?;
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "opendata.dataset_created", &id)
            .in_administration(administration_id)
            .with(serde_json::json!({ "name": input.name, "state": state.as_str() })),
        ctx.clock.now(),
    )
    .await?;
    super::index::touch(&mut tx).await?;
    tx.commit().await?;
    get(&ctx.db, &id).await?.ok_or(OpenDataError::NotFound)
}

/// Replaces a dataset's metadata (a new version). Its name may change if the new one is free.
pub async fn update(
    ctx: &OpenData,
    actor: &Actor,
    id_or_name: &str,
    input: DatasetInput,
) -> Result<Dataset, OpenDataError> {
    let current = find(&ctx.db, id_or_name)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    publisher::require(actor, &current.administration_id)?;
    let input = clean(input);
    let mut problems = validate(&input);
    reserve_platform_names(&mut problems, &input, &current.administration_id);
    if !problems.is_empty() {
        return Err(OpenDataError::Invalid(problems));
    }
    let mut tx = ctx.db.begin().await?;
    if let Some(other) = id_by_name(&mut tx, &input.name).await? {
        if other != current.id {
            return Err(OpenDataError::invalid("name", "name.taken"));
        }
    }
    let now = ctx.now_millis();
    let state = input.state.unwrap_or(current.state);
    let version = current.version + 1;
    let published_at = match (current.published_at, state) {
        (Some(at), _) => Some(at),
        (None, DatasetState::Published) => Some(now),
        (None, _) => None,
    };
    sqlx::query(
        "UPDATE opendata_datasets SET name = $2, state = $3, title_bg = $4, title_en = $5, \
         notes_bg = $6, notes_en = $7, licence = $8, contact_name = $9, contact_email = $10, \
         temporal_start = $11, temporal_end = $12, spatial = $13, frequency = $14, version = $15, \
         search_text = $16, modified_at = $17, published_at = $18 WHERE id = $1",
    )
    .bind(&current.id)
    .bind(&input.name)
    .bind(state.as_str())
    .bind(&input.title_bg)
    .bind(&input.title_en)
    .bind(&input.notes_bg)
    .bind(&input.notes_en)
    .bind(&input.licence)
    .bind(&input.contact_name)
    .bind(&input.contact_email)
    .bind(&input.temporal_start)
    .bind(&input.temporal_end)
    .bind(&input.spatial)
    .bind(&input.frequency)
    .bind(version)
    .bind(search_text(&input))
    .bind(now)
    .bind(published_at)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM opendata_keywords WHERE dataset_id = $1")
        .bind(&current.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM opendata_themes WHERE dataset_id = $1")
        .bind(&current.id)
        .execute(&mut *tx)
        .await?;
    write_terms(&mut tx, &current.id, &input).await?;
    save_version(&mut tx, &current.id, version, &input, actor, now).await?;
    portico_audit::append(
        &mut tx,
        Event::new(&actor.audit_id(), "opendata.dataset_updated", &current.id)
            .in_administration(&current.administration_id)
            .with(serde_json::json!({ "name": input.name, "state": state.as_str(), "version": version })),
        ctx.clock.now(),
    )
    .await?;
    super::index::touch(&mut tx).await?;
    tx.commit().await?;
    get(&ctx.db, &current.id)
        .await?
        .ok_or(OpenDataError::NotFound)
}

/// Withdraws a dataset: it stays (and its versions), but is no longer listed or shown to anyone
/// but its publishers.
pub async fn withdraw(
    ctx: &OpenData,
    actor: &Actor,
    id_or_name: &str,
) -> Result<(), OpenDataError> {
    let current = find(&ctx.db, id_or_name)
        .await?
        .ok_or(OpenDataError::NotFound)?;
    let mut input = current.input();
    input.state = Some(DatasetState::Withdrawn);
    update(ctx, actor, &current.id, input).await?;
    Ok(())
}

async fn write_terms(tx: &mut Tx, id: &str, input: &DatasetInput) -> Result<(), OpenDataError> {
    for k in &input.keywords {
        sqlx::query("INSERT INTO opendata_keywords (dataset_id, keyword) VALUES ($1, $2)")
            .bind(id)
            .bind(k)
            .execute(&mut **tx)
            .await?;
    }
    for t in &input.themes {
        sqlx::query("INSERT INTO opendata_themes (dataset_id, theme) VALUES ($1, $2)")
            .bind(id)
            .bind(t)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn save_version(
    tx: &mut Tx,
    id: &str,
    version: i64,
    input: &DatasetInput,
    actor: &Actor,
    now: i64,
) -> Result<(), OpenDataError> {
    sqlx::query(
        "INSERT INTO opendata_dataset_versions (dataset_id, version, snapshot, saved_by, saved_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(version)
    .bind(serde_json::to_string(input)?)
    .bind(actor.audit_id())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn id_by_name(tx: &mut Tx, name: &str) -> Result<Option<String>, OpenDataError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM opendata_datasets WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.0))
}

/// A version of a dataset as it was saved: (version, saved_by, saved_at, metadata).
pub async fn versions(
    db: &Db,
    id: &str,
) -> Result<Vec<(i64, String, i64, DatasetInput)>, OpenDataError> {
    let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT version, saved_by, saved_at, snapshot FROM opendata_dataset_versions \
         WHERE dataset_id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(v, by, at, s)| Ok((v, by, at, serde_json::from_str(&s)?)))
        .collect()
}

pub(crate) const COLUMNS: &str =
    "id, name, administration_id, state, title_bg, title_en, notes_bg, \
    notes_en, licence, contact_name, contact_email, temporal_start, temporal_end, spatial, \
    frequency, version, created_at, modified_at, published_at";

#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    id: String,
    name: String,
    administration_id: String,
    state: String,
    title_bg: String,
    title_en: String,
    notes_bg: String,
    notes_en: String,
    licence: String,
    contact_name: String,
    contact_email: String,
    temporal_start: Option<String>,
    temporal_end: Option<String>,
    spatial: Option<String>,
    frequency: String,
    version: i64,
    created_at: i64,
    modified_at: i64,
    published_at: Option<i64>,
}

pub(crate) fn from_row(r: Row) -> Dataset {
    Dataset {
        id: r.id,
        name: r.name,
        administration_id: r.administration_id,
        state: DatasetState::from_stored(&r.state),
        title_bg: r.title_bg,
        title_en: r.title_en,
        notes_bg: r.notes_bg,
        notes_en: r.notes_en,
        licence: r.licence,
        contact_name: r.contact_name,
        contact_email: r.contact_email,
        temporal_start: r.temporal_start,
        temporal_end: r.temporal_end,
        spatial: r.spatial,
        frequency: r.frequency,
        version: r.version,
        created_at: r.created_at,
        modified_at: r.modified_at,
        published_at: r.published_at,
        themes: Vec::new(),
        keywords: Vec::new(),
        resources: Vec::new(),
    }
}

/// Fills in keywords, themes and resources.
pub(crate) async fn complete(db: &Db, mut d: Dataset) -> Result<Dataset, OpenDataError> {
    let kw: Vec<(String,)> = sqlx::query_as(
        "SELECT keyword FROM opendata_keywords WHERE dataset_id = $1 ORDER BY keyword",
    )
    .bind(&d.id)
    .fetch_all(db.pool())
    .await?;
    d.keywords = kw.into_iter().map(|r| r.0).collect();
    let th: Vec<(String,)> =
        sqlx::query_as("SELECT theme FROM opendata_themes WHERE dataset_id = $1 ORDER BY theme")
            .bind(&d.id)
            .fetch_all(db.pool())
            .await?;
    d.themes = th.into_iter().map(|r| r.0).collect();
    d.resources = super::resources::of_dataset(db, &d.id).await?;
    Ok(d)
}

/// A dataset by id, whatever its state.
pub async fn get(db: &Db, id: &str) -> Result<Option<Dataset>, OpenDataError> {
    find(db, id).await
}

/// A dataset by id or name, whatever its state (callers check who may see it).
pub async fn find(db: &Db, id_or_name: &str) -> Result<Option<Dataset>, OpenDataError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM opendata_datasets WHERE id = $1 OR name = $1"
    ))
    .bind(id_or_name)
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(r) => Ok(Some(complete(db, from_row(r)).await?)),
        None => Ok(None),
    }
}

/// A dataset `actor` may see: published ones for anyone, the others for their publishers.
pub async fn visible(
    db: &Db,
    actor: Option<&Actor>,
    id_or_name: &str,
) -> Result<Dataset, OpenDataError> {
    let d = find(db, id_or_name).await?.ok_or(OpenDataError::NotFound)?;
    if d.state == DatasetState::Published
        || actor.is_some_and(|a| publisher::may_publish(a, &d.administration_id))
    {
        Ok(d)
    } else {
        Err(OpenDataError::NotFound)
    }
}

/// The names of published datasets, in name order, for a page of `limit` from `offset`.
pub async fn published_names(
    db: &Db,
    limit: i64,
    offset: i64,
) -> Result<Vec<String>, OpenDataError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM opendata_datasets WHERE state = 'published' ORDER BY name \
         LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Published keywords with how many datasets carry each.
pub async fn keywords(db: &Db) -> Result<Vec<(String, i64)>, OpenDataError> {
    Ok(sqlx::query_as(
        "SELECT k.keyword, COUNT(*) FROM opendata_keywords k JOIN opendata_datasets d \
         ON d.id = k.dataset_id WHERE d.state = 'published' GROUP BY k.keyword ORDER BY k.keyword",
    )
    .fetch_all(db.pool())
    .await?)
}

/// The datasets of `administration_ids` in every state (for their publishers' list), the most
/// recently changed first, without their resources.
pub async fn of_administrations(
    db: &Db,
    administration_ids: &[String],
) -> Result<Vec<Dataset>, OpenDataError> {
    let mut out = Vec::new();
    for id in administration_ids {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM opendata_datasets WHERE administration_id = $1 \
             ORDER BY modified_at DESC, name LIMIT 500"
        ))
        .bind(id)
        .fetch_all(db.pool())
        .await?;
        out.extend(rows.into_iter().map(from_row));
    }
    out.sort_by(|a, b| b.modified_at.cmp(&a.modified_at).then(a.name.cmp(&b.name)));
    Ok(out)
}
