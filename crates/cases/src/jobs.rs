//! Background work of the cases block.

use crate::service::notifications::EMAIL_NOTIFICATION_JOB;
use async_trait::async_trait;
use portico_identity::transport::{Email, Mailer};
use portico_store::jobs::JobHandler;
use portico_store::Db;
use std::sync::Arc;

/// Sends a notification by e-mail. The address is read when the job runs, so a person who
/// changed their e-mail in the meantime gets it at the new one.
pub struct NotifyByEmail {
    pub db: Db,
    pub mailer: Arc<dyn Mailer>,
    pub base_url: String,
}

#[async_trait]
impl JobHandler for NotifyByEmail {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let field = |k: &str| {
            payload
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned()
        };
        let account = portico_identity::service::accounts::get(&self.db, &field("account_id"))
            .await
            .map_err(|e| e.to_string())?;
        // An account closed since: nothing to send, and nothing to retry.
        let Some(account) = account else {
            return Ok(());
        };
        let email = Email {
            to: account.email,
            subject: "Портико: промяна по заявление / Portico: application update".into(),
            body: format!(
                "{}\n\n{}\n\n{}/applications\n",
                field("text_bg"),
                field("text_en"),
                self.base_url.trim_end_matches('/')
            ),
        };
        self.mailer.send(&email).await
    }

    /// An account lookup and one message to the relay.
    fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(30)
    }
}

pub const JOB_KIND: &str = EMAIL_NOTIFICATION_JOB;
