//! Invitations to an administration's staff. An administration admin (or a platform admin)
//! invites a person by e-mail to a role, optionally in one unit; the e-mail carries a link that
//! works once and expires after [`LIFETIME_DAYS`]. Only the token's SHA-256 is stored. Opening
//! the link, the person chooses a password (a new staff account) and is then asked to set up a
//! second factor; someone who already has an account signs in first and the role is added to it.

use crate::model::{NewStaff, Role};
use crate::service::{accounts, administrations, random_token, roles, sha256_hex};
use crate::transport::{Email, EMAIL_JOB};
use crate::IdentityError;
use chrono::{DateTime, Duration, Utc};
use portico_audit::Event;
use portico_core::clock::{from_millis, to_millis};
use portico_core::{new_id, Actor};
use portico_store::jobs::{enqueue, NewJob, CODES_QUEUE};
use portico_store::{Db, Tx};

/// How long an invitation link works.
pub const LIFETIME_DAYS: i64 = 7;

/// The roles an administration's own admin may hand out. Platform admins and register owners
/// are made by the platform's operators (`portico admin`), never by invitation.
pub const INVITABLE: [Role; 4] = [
    Role::Operator,
    Role::AdministrationAdmin,
    Role::IdentityVerifier,
    Role::DataPublisher,
];

/// Whether this actor may manage the administration's units, staff and invitations: a platform
/// admin, or an administration admin of this very administration (not of its parent or a
/// sibling).
pub fn may_administer(actor: &Actor, administration_id: &str) -> bool {
    actor.is_platform_admin() || actor.has_role(administration_id, Role::AdministrationAdmin)
}

/// An invitation as its administration's admins see it (never its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub administration_id: String,
    pub unit_id: Option<String>,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl Invitation {
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.used_at.is_none() && self.expires_at > now
    }
}

pub struct NewInvitation<'a> {
    pub email: &'a str,
    pub administration_id: &'a str,
    pub unit_id: Option<&'a str>,
    pub role: Role,
}

/// Records an invitation and queues its e-mail in the same transaction; returns the
/// invitation and the link's token (the only time it exists in clear). Wake the job worker
/// after committing.
pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    new: &NewInvitation<'_>,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<(Invitation, String), IdentityError> {
    if !may_administer(actor, new.administration_id) {
        return Err(IdentityError::NotFound);
    }
    let administration = administrations::get_in(tx, new.administration_id)
        .await?
        .ok_or(IdentityError::UnknownAdministration)?;
    let email = accounts::normalise_email(new.email);
    if email.is_empty() {
        return Err(IdentityError::field("email", "email.missing"));
    }
    if !accounts::email_is_plausible(&email) {
        return Err(IdentityError::field("email", "email.invalid"));
    }
    if !INVITABLE.contains(&new.role) {
        return Err(IdentityError::field("role", "invitation.role_invalid"));
    }
    if let Some(unit) = new.unit_id {
        let in_admin: Option<(String,)> =
            sqlx::query_as("SELECT id FROM units WHERE id = $1 AND administration_id = $2")
                .bind(unit)
                .bind(new.administration_id)
                .fetch_optional(&mut **tx)
                .await?;
        if in_admin.is_none() {
            return Err(IdentityError::field("unit", "invitation.unit_unknown"));
        }
    }
    let token = random_token(32);
    let id = new_id();
    let expires_at = now + Duration::days(LIFETIME_DAYS);
    sqlx::query(
        "INSERT INTO invitations (id, token_hash, email, administration_id, unit_id, role, invited_by, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(sha256_hex(&token))
    .bind(&email)
    .bind(new.administration_id)
    .bind(new.unit_id)
    .bind(new.role.as_str())
    .bind(actor.audit_id())
    .bind(to_millis(expires_at))
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    let link = format!("{}/invitations/{token}", base_url.trim_end_matches('/'));
    let message = serde_json::to_value(Email {
        to: email.clone(),
        subject: format!(
            "Покана за Портико: {} / Invitation to Portico: {}",
            administration.name_bg, administration.name_en
        ),
        body: format!(
            "Здравейте!\n\nПоканени сте да работите в Портико за {bg}. Отворете връзката, за да изберете парола и втори фактор. \
             Връзката работи веднъж и до {days} дни.\n\n{link}\n\n\
             Hello,\n\nYou are invited to work on Portico for {en}. Open the link to choose a password and a second factor. \
             It works once, for {days} days.\n\n{link}\n\n\
             Ако не очаквате тази покана, не правете нищо. / If you did not expect it, do nothing.\n",
            bg = administration.name_bg,
            en = administration.name_en,
            days = LIFETIME_DAYS,
        ),
    })
    .map_err(|e| IdentityError::Internal(e.to_string()))?;
    enqueue(
        tx,
        NewJob::now(EMAIL_JOB, message, now).on(CODES_QUEUE),
        now,
    )
    .await?;
    let event = Event::new(&actor.audit_id(), "identity.invitation_sent", &id)
        .in_administration(new.administration_id)
        .with(serde_json::json!({ "role": new.role.as_str(), "unit_id": new.unit_id }));
    portico_audit::append(tx, event, now).await?;
    Ok((
        Invitation {
            id,
            email,
            administration_id: new.administration_id.to_owned(),
            unit_id: new.unit_id.map(str::to_owned),
            role: new.role,
            expires_at,
            used_at: None,
        },
        token,
    ))
}

type InvitationRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
);

const COLUMNS: &str = "id, email, administration_id, unit_id, role, expires_at, used_at";

fn from_row(row: InvitationRow) -> Result<Invitation, IdentityError> {
    let (id, email, administration_id, unit_id, role, expires_at, used_at) = row;
    Ok(Invitation {
        id,
        email,
        administration_id,
        unit_id,
        role: role
            .parse()
            .map_err(|e: portico_core::actor::UnknownRole| {
                IdentityError::Internal(e.to_string())
            })?,
        expires_at: from_millis(expires_at),
        used_at: used_at.map(from_millis),
    })
}

/// The open invitation for a link's token; `WrongCode` when it is unknown, used or expired
/// (the page says the same for all three).
pub async fn open(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Invitation, IdentityError> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE token_hash = $1");
    let row: Option<InvitationRow> = sqlx::query_as(&sql)
        .bind(sha256_hex(token))
        .fetch_optional(db.pool())
        .await?;
    match row.map(from_row).transpose()? {
        Some(i) if i.is_open(now) => Ok(i),
        _ => Err(IdentityError::WrongCode),
    }
}

/// Uses the invitation: marks it used (only if still open: a second use, even a parallel one,
/// finds nothing to mark), grants its role and audits. Returns the invitation.
async fn claim(
    tx: &mut Tx,
    token: &str,
    account_id: &str,
    now: DateTime<Utc>,
) -> Result<Invitation, IdentityError> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE token_hash = $1");
    let row: Option<InvitationRow> = sqlx::query_as(&sql)
        .bind(sha256_hex(token))
        .fetch_optional(&mut **tx)
        .await?;
    let invitation = match row.map(from_row).transpose()? {
        Some(i) if i.is_open(now) => i,
        _ => return Err(IdentityError::WrongCode),
    };
    let marked = sqlx::query(
        "UPDATE invitations SET used_at = $1, account_id = $2 WHERE id = $3 AND used_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(account_id)
    .bind(&invitation.id)
    .execute(&mut **tx)
    .await?;
    if marked.rows_affected() != 1 {
        return Err(IdentityError::WrongCode);
    }
    roles::grant(
        tx,
        account_id,
        &invitation.administration_id,
        invitation.unit_id.as_deref(),
        invitation.role,
        account_id,
        now,
    )
    .await?;
    let event = Event::new(account_id, "identity.invitation_accepted", &invitation.id)
        .in_administration(&invitation.administration_id)
        .with(serde_json::json!({ "role": invitation.role.as_str() }));
    portico_audit::append(tx, event, now).await?;
    Ok(invitation)
}

/// Accepts an invitation with a new staff account (the password already hashed, outside the
/// transaction). Returns the new account's id.
pub async fn accept_new(
    tx: &mut Tx,
    token: &str,
    staff: &NewStaff,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<String, IdentityError> {
    let invitation = claim_check(tx, token, now).await?;
    let staff = NewStaff {
        email: invitation.email.clone(),
        ..staff.clone()
    };
    let account_id = accounts::create_staff(tx, &staff, password_hash, "invitation", now).await?;
    claim(tx, token, &account_id, now).await?;
    Ok(account_id)
}

/// Accepts an invitation for someone signed in with the invited e-mail address.
pub async fn accept_existing(
    tx: &mut Tx,
    token: &str,
    account_id: &str,
    account_email: &str,
    now: DateTime<Utc>,
) -> Result<Invitation, IdentityError> {
    let invitation = claim_check(tx, token, now).await?;
    if accounts::normalise_email(account_email) != invitation.email {
        return Err(IdentityError::WrongCode);
    }
    claim(tx, token, account_id, now).await
}

async fn claim_check(
    tx: &mut Tx,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Invitation, IdentityError> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE token_hash = $1");
    let row: Option<InvitationRow> = sqlx::query_as(&sql)
        .bind(sha256_hex(token))
        .fetch_optional(&mut **tx)
        .await?;
    match row.map(from_row).transpose()? {
        Some(i) if i.is_open(now) => Ok(i),
        _ => Err(IdentityError::WrongCode),
    }
}

/// The administration's invitations, newest first, for those who may administer it.
pub async fn list(
    db: &Db,
    actor: &Actor,
    administration_id: &str,
) -> Result<Vec<Invitation>, IdentityError> {
    if !may_administer(actor, administration_id) {
        return Err(IdentityError::NotFound);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations WHERE administration_id = $1 ORDER BY created_at DESC, id"
    );
    let rows: Vec<InvitationRow> = sqlx::query_as(&sql)
        .bind(administration_id)
        .fetch_all(db.pool())
        .await?;
    rows.into_iter().map(from_row).collect()
}
