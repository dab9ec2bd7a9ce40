use crate::model::{Account, AccountKind, NewStaff, Registration};
use crate::service::password;
use crate::IdentityError;
use chrono::{DateTime, Utc};
use portico_audit::Event;
use portico_core::clock::{from_millis, to_millis};
use portico_core::FieldError;
use portico_core::{new_id, PersonalId};
use portico_store::{Db, Tx};

/// A registration that passed every check, ready to store.
#[derive(Debug, Clone)]
pub struct ValidRegistration {
    pub personal_id: PersonalId,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub password: String,
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub(crate) fn email_is_plausible(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `+359 888 123 456` → `+359888123456`; `0888123456` → `+359888123456`.
pub fn normalise_phone(phone: &str) -> Option<String> {
    let compact: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let international = if let Some(rest) = compact.strip_prefix("00") {
        format!("+{rest}")
    } else if let Some(national) = compact.strip_prefix('0') {
        format!("+359{national}")
    } else {
        compact
    };
    let digits = international.strip_prefix('+')?;
    (digits.len() >= 8 && digits.len() <= 15 && digits.chars().all(|c| c.is_ascii_digit()))
        .then_some(international)
}

fn check_name(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.push(FieldError::new(field, &format!("{field}.missing")));
    } else if value.chars().count() > 100 {
        errors.push(FieldError::new(field, "name.too_long"));
    }
    value.to_owned()
}

/// Checks every field and reports all problems at once, in the order of the form.
pub fn validate(reg: &Registration) -> Result<ValidRegistration, IdentityError> {
    let mut errors = Vec::new();
    let personal_id = match reg.personal_id.trim() {
        "" => {
            errors.push(FieldError::new("personal_id", "personal_id.missing"));
            None
        }
        value => match PersonalId::parse(&reg.personal_id_kind, value) {
            Ok(id) => Some(id),
            Err(e) => {
                errors.push(FieldError::new("personal_id", e.code()));
                None
            }
        },
    };
    let given_name = check_name("given_name", &reg.given_name, &mut errors);
    let family_name = check_name("family_name", &reg.family_name, &mut errors);
    let email = normalise_email(&reg.email);
    if email.is_empty() {
        errors.push(FieldError::new("email", "email.missing"));
    } else if !email_is_plausible(&email) {
        errors.push(FieldError::new("email", "email.invalid"));
    }
    let phone = match reg.phone.trim() {
        "" => None,
        p => {
            let normalised = normalise_phone(p);
            if normalised.is_none() {
                errors.push(FieldError::new("phone", "phone.invalid"));
            }
            normalised
        }
    };
    if let Some(code) = password::check_strength(&reg.password) {
        errors.push(FieldError::new("password", code));
    } else if reg.password != reg.password_confirm {
        errors.push(FieldError::new("password_confirm", "password.mismatch"));
    }
    match personal_id {
        Some(personal_id) if errors.is_empty() => Ok(ValidRegistration {
            personal_id,
            given_name,
            family_name,
            email,
            phone,
            password: reg.password.clone(),
        }),
        _ => Err(IdentityError::Invalid(errors)),
    }
}

/// Creates a citizen's account. The password must already be hashed: hashing is slow and must
/// not happen while the transaction holds locks.
pub async fn register(
    tx: &mut Tx,
    reg: &ValidRegistration,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<Account, IdentityError> {
    let mut errors = Vec::new();
    if exists(tx, "personal_id", reg.personal_id.value()).await? {
        errors.push(FieldError::new("personal_id", "personal_id.taken"));
    }
    if exists(tx, "email", &reg.email).await? {
        errors.push(FieldError::new("email", "email.taken"));
    }
    if !errors.is_empty() {
        return Err(IdentityError::Invalid(errors));
    }
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, kind, personal_id_kind, personal_id, given_name, family_name, email, phone, password_hash, created_at)
         VALUES ($1, 'citizen', $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(reg.personal_id.kind())
    .bind(reg.personal_id.value())
    .bind(&reg.given_name)
    .bind(&reg.family_name)
    .bind(&reg.email)
    .bind(&reg.phone)
    .bind(password_hash)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await;
    if let Err(e) = inserted {
        // Two registrations raced past the checks above: the database's constraint decides.
        let e = portico_store::StoreError::from(e);
        if e.is_unique_violation() {
            return Err(IdentityError::field("email", "email.taken"));
        }
        return Err(e.into());
    }
    portico_audit::append(tx, Event::new(&id, "identity.registered", &id), now).await?;
    Ok(Account {
        id,
        kind: AccountKind::Citizen,
        personal_id: Some(reg.personal_id.clone()),
        given_name: reg.given_name.clone(),
        family_name: reg.family_name.clone(),
        email: reg.email.clone(),
        phone: reg.phone.clone(),
        created_at: now,
    })
}

async fn exists(tx: &mut Tx, column: &'static str, value: &str) -> Result<bool, IdentityError> {
    // `column` is one of two literals above, never input.
    let sql = format!("SELECT id FROM accounts WHERE {column} = $1");
    let row: Option<(String,)> = sqlx::query_as(&sql)
        .bind(value)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

/// Creates a staff account (no personal identifier needed) and audits who created it.
pub async fn create_staff(
    tx: &mut Tx,
    staff: &NewStaff,
    password_hash: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<String, IdentityError> {
    let email = normalise_email(&staff.email);
    if !email_is_plausible(&email) {
        return Err(IdentityError::field("email", "email.invalid"));
    }
    if exists(tx, "email", &email).await? {
        return Err(IdentityError::field("email", "email.taken"));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO accounts (id, kind, given_name, family_name, email, password_hash, created_at, identity_assurance)
         VALUES ($1, 'staff', $2, $3, $4, $5, $6, 'substantial')",
    )
    .bind(&id)
    .bind(staff.given_name.trim())
    .bind(staff.family_name.trim())
    .bind(&email)
    .bind(password_hash)
    .bind(to_millis(now))
    .execute(&mut **tx)
    .await?;
    portico_audit::append(tx, Event::new(actor, "identity.staff_created", &id), now).await?;
    Ok(id)
}

type AccountRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    i64,
);

/// An account row followed by its password hash.
type AccountRowWithHash = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    i64,
    String,
);

const ACCOUNT_COLUMNS: &str =
    "id, kind, personal_id_kind, personal_id, given_name, family_name, email, phone, created_at";

fn account_from(row: AccountRow) -> Account {
    let (id, kind, pid_kind, pid, given_name, family_name, email, phone, created_at) = row;
    Account {
        id,
        kind: if kind == "staff" {
            AccountKind::Staff
        } else {
            AccountKind::Citizen
        },
        personal_id: match (pid_kind.as_deref(), pid) {
            (Some("lnch"), Some(v)) => Some(PersonalId::Lnch(v)),
            (Some(_), Some(v)) => Some(PersonalId::Egn(v)),
            _ => None,
        },
        given_name,
        family_name,
        email,
        phone,
        created_at: from_millis(created_at),
    }
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Account>, IdentityError> {
    let sql =
        format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1 AND disabled_at IS NULL");
    let row: Option<AccountRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(account_from))
}

/// [`get`] inside a transaction (for a block that needs the account in the middle of its own
/// write, such as a correction of a register applied with the decision that approves it).
pub async fn get_in(tx: &mut Tx, id: &str) -> Result<Option<Account>, IdentityError> {
    let sql =
        format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1 AND disabled_at IS NULL");
    let row: Option<AccountRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(account_from))
}

/// Finds an account by e-mail or personal number, with its password hash, for sign-in.
pub async fn find_for_sign_in(
    db: &Db,
    identifier: &str,
) -> Result<Option<(Account, String)>, IdentityError> {
    let identifier = identifier.trim();
    let column = if identifier.len() == 10 && identifier.chars().all(|c| c.is_ascii_digit()) {
        "personal_id"
    } else {
        "email"
    };
    let value = if column == "email" {
        normalise_email(identifier)
    } else {
        identifier.to_owned()
    };
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS}, password_hash FROM accounts WHERE {column} = $1 AND disabled_at IS NULL"
    );
    let row: Option<AccountRowWithHash> = sqlx::query_as(&sql)
        .bind(value)
        .fetch_optional(db.pool())
        .await?;
    Ok(row
        .map(|(a, b, c, d, e, f, g, h, i, hash)| (account_from((a, b, c, d, e, f, g, h, i)), hash)))
}

/// The account registered with this personal number, if any: how a co-applicant named by EGN is
/// reached.
pub async fn find_by_personal_id(
    db: &Db,
    personal_id: &str,
) -> Result<Option<Account>, IdentityError> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE personal_id = $1 AND disabled_at IS NULL"
    );
    let row: Option<AccountRow> = sqlx::query_as(&sql)
        .bind(personal_id.trim())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(account_from))
}

/// The account's phone number when it was verified by a code sent to it (`/account/contact`):
/// the only number sign-in, step-up and other codes are sent to. A number given at registration
/// and never confirmed is `None`, so a code never goes to a stranger's phone.
pub async fn verified_phone(db: &Db, id: &str) -> Result<Option<String>, IdentityError> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT phone FROM accounts WHERE id = $1 AND disabled_at IS NULL AND phone_verified_at IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|(phone,)| phone))
}

/// Finds an account by e-mail, for administrative commands.
pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<Account>, IdentityError> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1");
    let row: Option<AccountRow> = sqlx::query_as(&sql)
        .bind(normalise_email(email))
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(account_from))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn good() -> Registration {
        Registration {
            personal_id_kind: "egn".into(),
            personal_id: "7523169263".into(),
            given_name: "Иван".into(),
            family_name: "Петров".into(),
            email: " Ivan@Example.BG ".into(),
            phone: "0888 123 456".into(),
            password: "a long enough password".into(),
            password_confirm: "a long enough password".into(),
        }
    }

    #[test]
    fn a_good_registration_is_normalised() {
        let v = validate(&good()).unwrap();
        assert_eq!(v.email, "ivan@example.bg");
        assert_eq!(v.phone.as_deref(), Some("+359888123456"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let reg = Registration {
            personal_id: "7523169264".into(),
            email: "not-an-email".into(),
            password_confirm: "different".into(),
            given_name: " ".into(),
            ..good()
        };
        let Err(IdentityError::Invalid(errors)) = validate(&reg) else {
            panic!("expected errors")
        };
        let codes: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("personal_id", "personal_id.bad_checksum"),
                ("given_name", "given_name.missing"),
                ("email", "email.invalid"),
                ("password_confirm", "password.mismatch"),
            ]
        );
    }

    #[test]
    fn phones() {
        assert_eq!(
            normalise_phone("+359 88 812 3456").as_deref(),
            Some("+359888123456")
        );
        assert_eq!(
            normalise_phone("00359888123456").as_deref(),
            Some("+359888123456")
        );
        assert_eq!(normalise_phone("12ab"), None);
    }
}
