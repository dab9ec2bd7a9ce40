//! Bulgarian first, English beside it. Each block keeps its own table of strings next to its
//! pages; [`Strings`] looks a key up in the block's table, then in the shell's common one.

pub use portico_core::Lang;

/// One translated string: key, Bulgarian, English.
pub type Entry = (&'static str, &'static str, &'static str);

pub const LANG_COOKIE: &str = "lang";

/// A language together with the tables to look strings up in.
#[derive(Debug, Clone, Copy)]
pub struct Strings {
    pub lang: Lang,
    pub tables: &'static [&'static [Entry]],
}

impl Strings {
    /// The string for `key`; "?" if no table has it (visible in review, never a crash).
    pub fn t(&self, key: &str) -> &'static str {
        self.find(key).unwrap_or_else(|| {
            tracing::warn!(key, "missing translation");
            "?"
        })
    }

    /// The string for `key`, if any table has it.
    pub fn find(&self, key: &str) -> Option<&'static str> {
        self.tables
            .iter()
            .copied()
            .chain(std::iter::once(COMMON))
            .find_map(|table| table.iter().find(|e| e.0 == key))
            .map(|entry| self.lang.pick(entry))
    }
}

/// Strings of the shell itself, used by the layout and error pages of every block.
pub const COMMON: &[Entry] = &[
    ("service_name", "Портико — електронни услуги", "Portico — e-government services"),
    ("skip_link", "Към основното съдържание", "Skip to main content"),
    ("switch_lang", "English", "Български"),
    ("switch_lang_label", "Switch to English", "Превключване на български"),
    ("nav_home", "Начало", "Home"),
    ("nav_sign_in", "Вход", "Sign in"),
    ("nav_register", "Регистрация", "Create an account"),
    ("nav_account", "Моят профил", "My account"),
    ("nav_sign_out", "Изход", "Sign out"),
    ("footer_text", "Портико е платформа с отворен код за електронно управление.", "Portico is an open-source e-government platform."),
    ("error_summary_title", "Има проблем", "There is a problem"),
    ("continue", "Продължи", "Continue"),
    ("error_prefix", "Грешка:", "Error:"),
    ("error_not_found_title", "Страницата не е намерена", "Page not found"),
    ("error_not_found_body", "Ако сте въвели адреса ръчно, проверете дали е изписан правилно.", "If you typed the web address, check it is correct."),
    ("error_forbidden_title", "Нямате достъп до тази страница", "You cannot access this page"),
    ("error_forbidden_body", "Страницата е достъпна само за хора с нужните права.", "This page is only available to people with the right permissions."),
    ("error_csrf_title", "Формулярът е изтекъл", "This form has expired"),
    ("error_csrf_body", "За ваша сигурност формулярът не беше приет. Върнете се, презаредете страницата и опитайте отново. Нищо не е променено.", "For your security the form was not accepted. Go back, reload the page and try again. Nothing was changed."),
    ("error_bad_request_title", "Заявката не може да бъде обработена", "The request could not be processed"),
    ("error_conflict_title", "Някой друг промени това междувременно", "Someone else changed this in the meantime"),
    ("error_rate_limited_title", "Твърде много опити", "Too many attempts"),
    ("error_internal_title", "Съжаляваме, възникна проблем в системата", "Sorry, there is a problem with the service"),
    ("error_internal_body", "Опитайте отново по-късно. Ако се обадите на поддръжката, посочете този номер:", "Try again later. If you contact support, give them this reference:"),
    ("error_unauthorized_title", "Трябва да влезете в профила си", "You need to sign in"),
    ("home_title", "Електронни административни услуги на едно място", "Public services, online, in one place"),
    ("home_lead", "Намерете услуга, подайте заявление и следете напредъка му, без да ходите на гише.", "Find a service, apply and follow your application without visiting an office."),
    ("home_administrations", "Присъединени администрации", "Administrations on Portico"),
    ("personal_id.not_ten_digits", "ЕГН/ЛНЧ трябва да съдържа точно 10 цифри", "The personal number must be exactly 10 digits"),
    ("personal_id.bad_checksum", "Въведеното ЕГН/ЛНЧ не е валидно — проверете цифрите", "This personal number is not valid — check the digits"),
    ("personal_id.bad_birth_date", "Първите шест цифри на ЕГН не са валидна дата на раждане", "The first six digits of the EGN are not a real date of birth"),
    ("eik.wrong_length", "ЕИК/БУЛСТАТ трябва да съдържа 9 или 13 цифри", "The EIK/BULSTAT must be 9 or 13 digits"),
    ("eik.bad_checksum", "Въведеният ЕИК/БУЛСТАТ не е валиден — проверете цифрите", "This EIK/BULSTAT is not valid — check the digits"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_keys_are_unique_and_translated() {
        let mut keys: Vec<_> = COMMON.iter().map(|e| e.0).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate key in COMMON");
        for (key, bg, en) in COMMON {
            assert!(
                !bg.is_empty() && !en.is_empty(),
                "{key} is missing a language"
            );
        }
    }
}
