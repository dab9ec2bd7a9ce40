//! Bulgarian first, English beside it. Each block keeps its own table of strings next to its
//! pages; [`Strings`] looks a key up in the block's table, then in the shell's common one.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Bg,
    En,
}

/// One translated string: key, Bulgarian, English.
pub type Entry = (&'static str, &'static str, &'static str);

pub const LANG_COOKIE: &str = "lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Bg => "bg",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "bg" => Some(Lang::Bg),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Bg => Lang::En,
            Lang::En => Lang::Bg,
        }
    }

    pub fn pick(self, entry: &Entry) -> &'static str {
        match self {
            Lang::Bg => entry.1,
            Lang::En => entry.2,
        }
    }
}

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
    // components (issue 7)
    ("nav_label", "Основна навигация", "Main navigation"),
    ("nav_applications", "Моите заявления", "My applications"),
    ("nav_consents", "Искания за съгласие", "Requests for my consent"),
    ("nav_office", "Работна опашка", "Work queue"),
    ("nav_console", "Администриране", "Console"),
    ("back_link", "Назад", "Back"),
    ("switch_lang_native", "Български", "English"),
    ("status_draft", "Чернова", "Draft"),
    ("status_waiting", "Очаква вашия отговор", "Waiting for you"),
    ("status_progress", "В процес на разглеждане", "In progress"),
    ("status_decided", "Решено", "Decided"),
    ("status_refused", "Отказано", "Refused"),
    ("count_limit", "Можете да въведете до {n} знака", "You can enter up to {n} characters"),
    ("count_remaining", "Остават ви {n} знака", "You have {n} characters remaining"),
    ("count_over", "Имате {n} знака в повече", "You have {n} characters too many"),
    ("pagination_label", "Страници с резултати", "Pages of results"),
    ("pagination_previous", "Предишна", "Previous"),
    ("pagination_next", "Следваща", "Next"),
    ("date_day_label", "Ден", "Day"),
    ("date_month_label", "Месец", "Month"),
    ("date_year_label", "Година", "Year"),
    ("design_title", "Компоненти на Портико", "Portico's components"),
    ("design_lead", "Всички страници на Портико се изграждат от тези компоненти, по образец на GOV.UK Design System. Всеки е показан на български и на английски.", "Every page of Portico is built from these components, after the GOV.UK Design System. Each one is shown in Bulgarian and in English."),
    ("design_contents", "Съдържание", "Contents"),
    ("design_header", "Заглавна лента и навигация", "Header and navigation"),
    ("design_header_body", "Заглавната лента показва връзки към работата на влезлия човек: заявленията и исканията за съгласие на гражданина, работната опашка на служителя, администрирането за администратора. Който не е влязъл, вижда вход и регистрация.", "The header links to the signed-in person's work: a citizen's applications and consent requests, an operator's work queue, an administrator's console. Someone signed out sees sign in and create an account."),
    ("design_back_link", "Връзка назад", "Back link"),
    ("design_buttons", "Бутони", "Buttons"),
    ("design_tags", "Етикети за състояние", "Status tags"),
    ("design_summary_list", "Обобщен списък", "Summary list"),
    ("design_task_list", "Списък със задачи", "Task list"),
    ("design_timeline", "Хронология", "Timeline"),
    ("design_notification", "Известие", "Notification banner"),
    ("design_error_summary", "Обобщение на грешките", "Error summary"),
    ("design_error_summary_body", "След неуспешно изпращане на формуляр фокусът отива на обобщението (с малък скрипт; без него страницата работи същото).", "After a form fails to send, focus moves to the summary (a small script; without it the page works the same)."),
    ("design_radios", "Радио бутони", "Radios"),
    ("design_radios_body", "Полетата, свързани с избран отговор, се показват и без JavaScript.", "Questions that belong to a chosen answer appear, with or without JavaScript."),
    ("design_checkboxes", "Отметки", "Checkboxes"),
    ("design_date_input", "Дата", "Date input"),
    ("design_file_upload", "Прикачване на файл", "File upload"),
    ("design_character_count", "Брояч на знаци", "Character count"),
    ("design_table", "Таблица", "Table"),
    ("design_table_body", "На тесен екран всеки ред се подрежда в колона, с името на всяка клетка, за да не се превърта настрани.", "On a narrow screen each row stacks, with each cell's column name, so nothing scrolls sideways."),
    ("design_pagination", "Страниране", "Pagination"),
    ("design_sample_save_draft", "Запазване като чернова", "Save as draft"),
    ("design_sample_delete", "Изтриване на черновата", "Delete the draft"),
    ("design_sample_start", "Започнете", "Start now"),
    ("design_sample_name", "Име", "Name"),
    ("design_sample_name_value", "Иван Петров", "Ivan Petrov"),
    ("design_sample_address", "Адрес", "Address"),
    ("design_sample_address_value", "ул. Шипка 6, София", "6 Shipka St, Sofia"),
    ("design_sample_change", "Промяна", "Change"),
    ("design_sample_task_1", "Адресна регистрация", "Address registration"),
    ("design_sample_task_2", "Удостоверение за наследници", "Certificate of heirs"),
    ("design_sample_task_3", "Прикачване на документи", "Attach documents"),
    ("design_sample_submitted", "Подадено", "Submitted"),
    ("design_sample_note", "Служител започна разглеждането.", "An officer started the review."),
    ("design_sample_important", "Важно", "Important"),
    ("design_sample_notice", "Имате едно искане за съгласие.", "You have one request for your consent."),
    ("design_sample_success", "Готово", "Done"),
    ("design_sample_done", "Заявлението е подадено.", "Your application has been sent."),
    ("design_sample_date_error", "Датата на раждане трябва да е в миналото", "The date of birth must be in the past"),
    ("design_sample_contact", "Как да се свържем с вас?", "How should we contact you?"),
    ("design_sample_by_email", "По имейл", "By email"),
    ("design_sample_by_post", "По пощата", "By post"),
    ("design_sample_by_post_hint", "Отнема до 5 работни дни", "Takes up to 5 working days"),
    ("design_sample_by_sms", "С SMS", "By text message"),
    ("design_sample_email_address", "Имейл адрес", "Email address"),
    ("design_sample_phone", "Мобилен телефон", "Mobile phone number"),
    ("design_sample_notify", "Как да ви известяваме?", "How should we notify you?"),
    ("design_sample_dob", "Дата на раждане", "Date of birth"),
    ("design_sample_dob_hint", "Например 27 3 1985", "For example, 27 3 1985"),
    ("design_sample_upload", "Договор за наем", "Rental contract"),
    ("design_sample_upload_hint", "PDF, JPG или PNG, до 10 MB", "PDF, JPG or PNG, up to 10 MB"),
    ("design_sample_details", "Опишете проблема", "Describe the problem"),
    ("design_sample_number", "Номер", "Number"),
    ("design_sample_service", "Услуга", "Service"),
    ("design_sample_status", "Състояние", "Status"),
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
