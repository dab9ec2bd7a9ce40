//! Step-up: a signed-in person confirms an action that matters (submitting, paying, voting,
//! deciding a consent) with their second factor again. One function for every block: it checks
//! the code, throttles failures, records the outcome, and returns a [`StepUp`] that only this
//! module can make, which the block's service function takes as proof.

use crate::service::{throttle, totp};
use crate::IdentityError;
use chrono::{DateTime, Utc};
use portico_store::Db;

/// Proof that a person confirmed `purpose` with their second factor at `at`.
#[derive(Debug, Clone)]
pub struct StepUp {
    account_id: String,
    purpose: String,
    at: DateTime<Utc>,
}

impl StepUp {
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    pub fn purpose(&self) -> &str {
        &self.purpose
    }

    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// True when this proof is the given person's, for the given purpose.
    pub fn confirms(&self, account_id: &str, purpose: &str) -> bool {
        self.account_id == account_id && self.purpose == purpose
    }
}

/// Checks `code` (a current authenticator code) for the account. Runs in its own transaction, so
/// a failure is counted even though the caller's action does not happen; throttled like sign-in
/// codes. A wrong code is [`IdentityError::WrongCode`]; too many are
/// [`IdentityError::RateLimited`].
pub async fn confirm(
    db: &Db,
    account_id: &str,
    code: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<StepUp, IdentityError> {
    let throttle_key = format!("code:{account_id}");
    let mut tx = db.begin().await?;
    throttle::check(&mut tx, &throttle_key, now).await?;
    if !totp::verify(&mut tx, account_id, code, now).await? {
        let delay = throttle::record_failure(&mut tx, &throttle_key, now).await?;
        tx.commit().await?;
        return Err(if delay > 0 {
            IdentityError::RateLimited(delay)
        } else {
            IdentityError::WrongCode
        });
    }
    throttle::reset(&mut tx, &throttle_key).await?;
    tx.commit().await?;
    Ok(StepUp {
        account_id: account_id.to_owned(),
        purpose: purpose.to_owned(),
        at: now,
    })
}

#[cfg(any(test, feature = "test-support"))]
impl StepUp {
    /// For tests of other blocks' rules that need a proof without a second factor.
    pub fn for_tests(account_id: &str, purpose: &str, at: DateTime<Utc>) -> StepUp {
        StepUp {
            account_id: account_id.to_owned(),
            purpose: purpose.to_owned(),
            at,
        }
    }
}
