//! Background work of the delivery block: e-mail notifications of new messages, and evidence
//! of non-retrieval when a recipient's period runs out.

use crate::service::notifications::{
    self, DELIVERED, PERMANENT_FAILURE, SENDING, TEMPORARY_FAILURE,
};
use crate::service::{messages, Delivery};
use async_trait::async_trait;
use portico_identity::transport::{Email, Mailer};
use portico_store::jobs::JobHandler;
use std::sync::Arc;

fn field(payload: &serde_json::Value, key: &str) -> String {
    payload
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned()
}

/// Sends one notification by e-mail: a link to the message, never its subject or content.
/// The address is read when the job runs.
pub struct NotifyByEmail {
    pub delivery: Delivery,
    pub mailer: Arc<dyn Mailer>,
}

#[async_trait]
impl JobHandler for NotifyByEmail {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let d = &self.delivery;
        let id = field(payload, "notification_id");
        let Some((message_id, personal_id)) = notifications::target(&d.db, &id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        let account = portico_identity::service::accounts::find_by_personal_id(&d.db, &personal_id)
            .await
            .map_err(|e| e.to_string())?;
        let status = |s: &'static str, detail: Option<String>| {
            let db = d.db.clone();
            let id = id.clone();
            let now = d.now();
            async move {
                notifications::set_status(&db, &id, s, detail.as_deref(), now)
                    .await
                    .map_err(|e| e.to_string())
            }
        };
        let Some(account) = account.filter(|a| !a.email.is_empty()) else {
            return status(PERMANENT_FAILURE, Some("no account with an address".into())).await;
        };
        status(SENDING, None).await?;
        let link = format!(
            "{}/mailbox/messages/{message_id}",
            d.base_url.trim_end_matches('/')
        );
        let email = Email {
            to: account.email,
            subject: "Портико: ново съобщение / Portico: a new message".into(),
            body: format!(
                "Имате ново съобщение в пощенската си кутия в Портико. Прочетете го тук:\n{link}\n\n\
                 You have a new message in your Portico mailbox. Read it here:\n{link}\n"
            ),
        };
        match self.mailer.send(&email).await {
            Ok(()) => status(DELIVERED, None).await,
            Err(why) if why.starts_with("recipient:") => status(PERMANENT_FAILURE, Some(why)).await,
            Err(why) => {
                status(TEMPORARY_FAILURE, Some(why.clone())).await?;
                Err(why)
            }
        }
    }
}

/// At a recipient's non-retrieval deadline: evidence that they did not open the message.
pub struct NonHandover {
    pub delivery: Delivery,
}

#[async_trait]
impl JobHandler for NonHandover {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        messages::non_handover(
            &self.delivery,
            &field(payload, "message_id"),
            &field(payload, "mailbox_id"),
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
    }
}

/// Tells a grantee by e-mail that they may now read a message, a thread or a mailbox: a link,
/// never whose mailbox or what it holds. Someone without an account (or address) is told
/// nothing; the grant waits for them like a message does.
pub struct NotifyGrantee {
    pub delivery: Delivery,
    pub mailer: Arc<dyn Mailer>,
}

#[async_trait]
impl JobHandler for NotifyGrantee {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        use crate::service::grants::{self, GrantScope};
        let d = &self.delivery;
        let Some((personal_id, scope, ends_on)) =
            grants::for_notice(d, &field(payload, "grant_id"))
                .await
                .map_err(|e| e.to_string())?
        else {
            return Ok(()); // revoked before it went out
        };
        let Some(account) =
            portico_identity::service::accounts::find_by_personal_id(&d.db, &personal_id)
                .await
                .map_err(|e| e.to_string())?
                .filter(|a| !a.email.is_empty())
        else {
            return Ok(());
        };
        let (bg, en) = match scope {
            GrantScope::Message => ("едно съобщение", "one message"),
            GrantScope::Thread => ("една кореспонденция", "one conversation"),
            GrantScope::Mailbox => ("цяла пощенска кутия", "a whole mailbox"),
        };
        let (until_bg, until_en) = match ends_on {
            Some(day) => {
                let day = day.format("%d.%m.%Y");
                (format!(" до {day} включително"), format!(" until {day}"))
            }
            None => (String::new(), String::new()),
        };
        let link = format!("{}/mailbox#shared", d.base_url.trim_end_matches('/'));
        let email = Email {
            to: account.email,
            subject: "Портико: даден ви е достъп / Portico: you were granted access".into(),
            body: format!(
                "Дадоха ви достъп за четене до {bg} в Портико{until_bg}. Вижте го в „Споделени с вас“:\n{link}\n\n\
                 You were granted access to read {en} in Portico{until_en}. See it under \"Shared with you\":\n{link}\n"
            ),
        };
        self.mailer.send(&email).await
    }
}

/// POSTs one webhook event, signed; an error (no answer, or not 2xx) leaves the job to the
/// queue's retries with backoff. The endpoint's address is checked again at every delivery,
/// after DNS resolution, by the resolver the client connects through (`destinations`), so a
/// name rebound to an internal address is refused; no redirects, no proxies.
pub struct DeliverWebhook {
    pub delivery: Delivery,
    /// `None` when the client could not be made: every delivery then fails (and is retried)
    /// rather than going out without the guarded resolver.
    http: Option<reqwest::Client>,
}

impl DeliverWebhook {
    pub fn new(delivery: Delivery) -> DeliverWebhook {
        let resolver = crate::service::destinations::GuardedResolver {
            allow_private: delivery.policy.webhooks_allow_private,
        };
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .build()
            .ok();
        DeliverWebhook { delivery, http }
    }
}

#[async_trait]
impl JobHandler for DeliverWebhook {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        use crate::service::webhooks;
        let d = &self.delivery;
        let id = field(payload, "event_id");
        let Some((url, body, secret)) = webhooks::pending(d, &d.keys, &id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(()); // delivered already, or its endpoint was removed
        };
        // The scheme and an IP literal (which no resolver sees) are checked here; a name, by
        // the resolver as the client connects.
        let allow_private = d.policy.webhooks_allow_private;
        let refused = match url::Url::parse(&url) {
            Ok(parsed) => crate::service::destinations::check_static(&parsed, allow_private).err(),
            Err(_) => Some(crate::service::destinations::Refused::Malformed),
        };
        if let Some(refused) = refused {
            let why = refused.to_string();
            webhooks::record_attempt(d, &id, Some(&why))
                .await
                .map_err(|e| e.to_string())?;
            return Err(why);
        }
        let Some(http) = &self.http else {
            return Err("the webhook HTTP client could not be made".into());
        };
        let signature = webhooks::sign(&secret, d.now().timestamp(), &body);
        let outcome = http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(webhooks::SIGNATURE_HEADER, signature)
            .header("Portico-Event-Id", &id)
            .body(body)
            .send()
            .await;
        let error = match outcome {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => Some(format!("the endpoint answered {}", r.status())),
            Err(e) => Some(match refusal(&e) {
                Some(refused) => refused,
                None => format!("no answer from the endpoint: {e}"),
            }),
        };
        webhooks::record_attempt(d, &id, error.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        match error {
            None => Ok(()),
            Some(why) => Err(why),
        }
    }
}

/// The destination check's refusal inside a client error, if that is what stopped it.
fn refusal(e: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(refused) = s.downcast_ref::<crate::service::destinations::Refused>() {
            return Some(refused.to_string());
        }
        source = s.source();
    }
    None
}

/// Sends one notification by SMS: a link to the message, never its subject or content. The
/// phone is read when the job runs; an account without one is a permanent failure.
pub struct NotifyBySms {
    pub delivery: Delivery,
    pub sms: Arc<dyn portico_identity::transport::SmsGateway>,
}

#[async_trait]
impl JobHandler for NotifyBySms {
    async fn run(&self, payload: &serde_json::Value) -> Result<(), String> {
        let d = &self.delivery;
        let id = field(payload, "notification_id");
        let Some((message_id, personal_id)) = notifications::target(&d.db, &id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        let status = |s: &'static str, detail: Option<String>| {
            let db = d.db.clone();
            let id = id.clone();
            let now = d.now();
            async move {
                notifications::set_status(&db, &id, s, detail.as_deref(), now)
                    .await
                    .map_err(|e| e.to_string())
            }
        };
        let phone = portico_identity::service::accounts::find_by_personal_id(&d.db, &personal_id)
            .await
            .map_err(|e| e.to_string())?
            .and_then(|a| a.phone)
            .filter(|p| !p.trim().is_empty());
        let Some(phone) = phone else {
            return status(PERMANENT_FAILURE, Some("no account with a phone".into())).await;
        };
        status(SENDING, None).await?;
        let link = format!(
            "{}/mailbox/messages/{message_id}",
            d.base_url.trim_end_matches('/')
        );
        let sms = portico_identity::transport::Sms {
            to: phone,
            text: format!("Портико: ново съобщение в пощенската ви кутия / a new message: {link}"),
        };
        match self.sms.send(&sms).await {
            Ok(()) => status(DELIVERED, None).await,
            Err(why) if why.starts_with("recipient:") => status(PERMANENT_FAILURE, Some(why)).await,
            Err(why) => {
                status(TEMPORARY_FAILURE, Some(why.clone())).await?;
                Err(why)
            }
        }
    }
}
