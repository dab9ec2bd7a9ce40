//! What a page needs to draw "confirm with your second factor": the code field
//! (`step_up_code.html`, inside the action's own form) and, for people without an authenticator
//! app, the buttons that send them a code (`step_up_send.html`, after that form: forms do not
//! nest). Identity checks the code (`identity::service::step_up`); this is only what is drawn.

/// The facts a page about a step-up shows. Built by the block's route from identity's answers
/// (is an authenticator enrolled, is there a phone), so the shell knows nothing of accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepUpOffer {
    /// The person has an authenticator app: the field asks for its code.
    pub has_totp: bool,
    /// The person has a phone number: a code by SMS is offered as well as by e-mail.
    pub has_phone: bool,
    /// `email` or `sms` right after a code was sent (the page says where to look), else empty.
    pub code_sent: String,
    /// The step-up purpose codes are sent for (`cases.submit`, `cases.consent`, ...).
    pub purpose: String,
    /// The page to come back to after a code is sent: this one.
    pub back: String,
    /// The code typed before, when the page is drawn again (a confirmation page after it).
    pub code: String,
    /// The translated error of the code field, when the last code was refused.
    pub error: Option<&'static str>,
}

impl StepUpOffer {
    /// `code_sent` from a query string, kept only when it names a channel.
    pub fn sent_flag(code_sent: Option<&str>) -> String {
        match code_sent {
            Some(channel @ ("email" | "sms")) => channel.to_owned(),
            _ => String::new(),
        }
    }
}
