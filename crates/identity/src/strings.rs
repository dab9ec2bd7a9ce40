//! The identity block's words, in Bulgarian and English.

use portico_http::i18n::Entry;

pub const TABLES: &[&[Entry]] = &[STRINGS];

pub const STRINGS: &[Entry] = &[
    // Registration
    ("register_title", "Създаване на профил", "Create an account"),
    ("register_lead", "С профил можете да подавате заявления и да следите напредъка им.", "With an account you can apply for services and follow your applications."),
    ("personal_id_kind_legend", "Какъв документ за самоличност имате?", "Which personal number do you have?"),
    ("personal_id_kind_egn", "ЕГН (български граждани)", "EGN (Bulgarian citizens)"),
    ("personal_id_kind_lnch", "ЛНЧ (чужденци)", "LNCh (foreign residents)"),
    ("personal_id_label", "ЕГН или ЛНЧ", "Personal number (EGN or LNCh)"),
    ("personal_id_hint", "10 цифри, например 7523169263", "10 digits, for example 7523169263"),
    ("given_name_label", "Собствено име", "First name"),
    ("family_name_label", "Фамилно име", "Last name"),
    ("email_label", "Имейл адрес", "Email address"),
    ("email_hint", "Ще го използваме, за да ви изпращаме известия и връзки за вход.", "We will use this to send you notifications and sign-in links."),
    ("phone_label", "Мобилен телефон (по желание)", "Mobile phone (optional)"),
    ("phone_hint", "За кодове за вход по SMS, например 0888 123 456", "For sign-in codes by SMS, for example 0888 123 456"),
    ("password_label", "Парола", "Password"),
    ("password_hint", "Поне 12 знака. Дълга фраза е по-сигурна от кратка сложна дума.", "At least 12 characters. A long phrase is safer than a short complex word."),
    ("password_confirm_label", "Повторете паролата", "Confirm your password"),
    ("register_submit", "Създай профил", "Create account"),
    ("personal_id.missing", "Въведете вашето ЕГН или ЛНЧ", "Enter your personal number"),
    ("personal_id.taken", "Вече има профил с това ЕГН/ЛНЧ — влезте в него", "An account with this personal number already exists — sign in instead"),
    ("given_name.missing", "Въведете собственото си име", "Enter your first name"),
    ("family_name.missing", "Въведете фамилното си име", "Enter your last name"),
    ("name.too_long", "Името трябва да е до 100 знака", "The name must be 100 characters or fewer"),
    ("email.missing", "Въведете имейл адрес", "Enter your email address"),
    ("email.invalid", "Въведете имейл адрес във вида name@example.bg", "Enter an email address in the correct format, like name@example.com"),
    ("email.taken", "Вече има профил с този имейл адрес — влезте в него", "An account with this email address already exists — sign in instead"),
    ("phone.invalid", "Въведете телефонен номер, например 0888 123 456 или +359 888 123 456", "Enter a phone number, like 0888 123 456 or +359 888 123 456"),
    ("password.too_short", "Паролата трябва да е поне 12 знака", "The password must be at least 12 characters"),
    ("password.too_long", "Паролата трябва да е до 256 знака", "The password must be 256 characters or fewer"),
    ("password.mismatch", "Паролите не съвпадат", "The passwords do not match"),
    // Sign-in
    ("login_title", "Вход", "Sign in"),
    ("identifier_label", "Имейл адрес или ЕГН/ЛНЧ", "Email address or personal number"),
    ("login_submit", "Продължи", "Continue"),
    ("login_no_account", "Нямате профил?", "No account yet?"),
    ("login.wrong_credentials", "Имейлът/ЕГН или паролата не са верни", "The email address, personal number or password is not correct"),
    ("login.wrong_credentials_delay", "Твърде много неуспешни опити. Изчакайте и опитайте отново след (секунди):", "Too many failed attempts. Wait and try again in (seconds):"),
    ("second_factor_title", "Потвърдете, че сте вие", "Confirm it is you"),
    ("second_factor_lead", "Въведете втори фактор, за да завършите влизането.", "Give a second factor to finish signing in."),
    ("code_label", "Код от приложението за удостоверяване", "Code from your authenticator app"),
    ("code_hint", "6 цифри. Можете да въведете и резервен код.", "6 digits. You can also enter a recovery code."),
    ("code_submit", "Влез", "Sign in"),
    ("code.wrong", "Кодът не е верен, изтекъл е или вече е използван", "The code is wrong, has expired or has already been used"),
    ("other_factors", "Други начини", "Other ways"),
    ("send_email_link", "Изпрати ми връзка за вход по имейл", "Email me a sign-in link"),
    ("send_sms_code", "Изпрати ми код по SMS", "Text me a code"),
    ("email_sent_title", "Проверете имейла си", "Check your email"),
    ("email_sent_body", "Изпратихме ви връзка за вход. Отворете я в този браузър в следващите 15 минути.", "We have sent you a sign-in link. Open it in this browser within 15 minutes."),
    ("email_link_subject", "Вход в Портико / Sign in to Portico", "Вход в Портико / Sign in to Portico"),
    ("email_link_invalid_title", "Връзката не работи", "This link does not work"),
    ("email_link_invalid_body", "Връзката е изтекла, вече е използвана или е отворена в друг браузър. Започнете влизането отново.", "The link has expired, has been used, or was opened in another browser. Start signing in again."),
    ("sms_sent_title", "Въведете кода от SMS", "Enter the code from the text message"),
    ("sms_code_label", "Код от SMS", "Code from the text message"),
    ("sms_code_hint", "6 цифри. Кодът е валиден 5 минути.", "6 digits. The code works for 5 minutes."),
    ("no_phone", "Нямате въведен телефон в профила.", "Your account has no phone number."),
    ("restart_sign_in", "Започнете влизането отначало", "Start signing in again"),
    // Account
    ("account_title", "Моят профил", "My account"),
    ("account_details", "Данни", "Your details"),
    ("account_name", "Име", "Name"),
    ("account_personal_id", "ЕГН/ЛНЧ", "Personal number"),
    ("account_email", "Имейл", "Email"),
    ("account_phone", "Телефон", "Phone"),
    ("account_security", "Сигурност", "Security"),
    ("totp_status_on", "Приложение за удостоверяване: включено", "Authenticator app: on"),
    ("totp_status_off", "Приложение за удостоверяване: не е настроено", "Authenticator app: not set up"),
    ("totp_set_up", "Настрой приложение за удостоверяване", "Set up an authenticator app"),
    ("totp_remove", "Премахни приложението за удостоверяване", "Remove the authenticator app"),
    ("sessions_active", "Активни сесии", "Active sessions"),
    ("sign_out_everywhere", "Излез от всички устройства", "Sign out everywhere"),
    ("activity_title", "Последни действия с профила", "Recent activity on your account"),
    ("activity_when", "Кога", "When"),
    ("activity_what", "Какво", "What"),
    ("roles_title", "Роли", "Roles"),
    ("staff_hint", "Служебен профил", "Staff account"),
    // TOTP enrolment
    ("totp_title", "Настройте приложение за удостоверяване", "Set up an authenticator app"),
    ("totp_step1", "Отворете приложение за удостоверяване на телефона си (например FreeOTP, Aegis или Google Authenticator) и сканирайте кода.", "Open an authenticator app on your phone (for example FreeOTP, Aegis or Google Authenticator) and scan the code."),
    ("totp_qr_alt", "QR код за приложението за удостоверяване", "QR code for your authenticator app"),
    ("totp_manual", "Ако не можете да сканирате, въведете този ключ:", "If you cannot scan it, enter this key:"),
    ("totp_step2", "Въведете 6-цифрения код, който приложението показва.", "Enter the 6-digit code the app shows."),
    ("totp_submit", "Потвърди", "Confirm"),
    ("totp.already_enrolled", "Вече имате настроено приложение за удостоверяване", "You already have an authenticator app set up"),
    ("totp_skip", "Пропусни засега — ще влизам с връзка по имейл", "Skip for now — I will sign in with an email link"),
    ("recovery_title", "Запазете резервните си кодове", "Save your recovery codes"),
    ("recovery_body", "Ако загубите телефона си, можете да влезете с един от тези кодове. Всеки работи веднъж. Запишете ги и ги пазете на сигурно място — няма да ги покажем отново.", "If you lose your phone you can sign in with one of these codes. Each works once. Write them down and keep them safe — we will not show them again."),
    ("recovery_done", "Записах ги, продължи", "I have saved them, continue"),
    ("totp_enrolled_banner", "Приложението за удостоверяване е настроено.", "Your authenticator app is set up."),
    ("signed_out_everywhere_banner", "Излязохте от всички устройства.", "You have been signed out everywhere."),
    // Audit actions shown to the person
    ("identity.registered", "Създаден профил", "Account created"),
    ("identity.sign_in", "Вход", "Signed in"),
    ("identity.sign_in_failed", "Неуспешен опит за вход", "Failed sign-in attempt"),
    ("identity.second_factor_failed", "Грешен втори фактор", "Wrong second factor"),
    ("identity.totp_enrolled", "Настроено приложение за удостоверяване", "Authenticator app set up"),
    ("identity.totp_removed", "Премахнато приложение за удостоверяване", "Authenticator app removed"),
    ("identity.recovery_codes_generated", "Създадени резервни кодове", "Recovery codes created"),
    ("identity.recovery_code_used", "Използван резервен код", "Recovery code used"),
    ("identity.signed_out_everywhere", "Изход от всички устройства", "Signed out everywhere"),
    ("identity.role_granted", "Дадена роля", "Role granted"),
    ("identity.role_revoked", "Отнета роля", "Role removed"),
    ("identity.staff_created", "Създаден служебен профил", "Staff account created"),
    ("identity.second_factor_sent", "Изпратен код за вход", "Sign-in code sent"),
    // ground (issue 6): role names
    ("role_operator", "Служител", "Operator"),
    ("role_administration_admin", "Администратор на администрацията", "Administration admin"),
    ("role_register_owner", "Собственик на регистър", "Register owner"),
    ("role_platform_admin", "Администратор на платформата", "Platform admin"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_not_in_common() {
        let mut keys: Vec<_> = STRINGS.iter().map(|e| e.0).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate key");
        for key in keys {
            assert!(
                !portico_http::i18n::COMMON.iter().any(|e| e.0 == key),
                "{key} shadows a common string"
            );
        }
    }
}
