//! The demo's public consultations: Sofia's draft programme for its green system open for
//! comment, and a draft amendment of its ordinance on public order past its deadline with
//! comments waiting for their answers. Idempotent: a consultation whose slug exists is left
//! alone.

use super::{consultations, Participation};
use crate::error::ParticipationError;
use crate::model::{NewConsultation, Section};
use portico_core::{Actor, Assurance, FixedClock};
use std::sync::Arc;

const DAY: i64 = 24 * 3600 * 1000;
const ACTOR: Actor = Actor::System("demo");

pub const GREEN_PROGRAMME: &str = "green-system-programme";
pub const PUBLIC_ORDER: &str = "public-order-ordinance";

fn section(heading: &str, body: &str) -> Section {
    Section {
        number: 0,
        heading: heading.into(),
        body: body.into(),
    }
}

/// Seeds the two consultations for `administration_id` (Sofia).
pub async fn seed(ctx: &Participation, administration_id: &str) -> Result<(), ParticipationError> {
    let now = ctx.now();
    if consultations::get(ctx, GREEN_PROGRAMME).await.is_err() {
        consultations::open(
            ctx,
            &ACTOR,
            &NewConsultation {
                administration_id: administration_id.into(),
                slug: GREEN_PROGRAMME.into(),
                title_bg: "Проект на Програма за развитие на зелената система на Столична община 2027–2035".into(),
                title_en: "Draft programme for Sofia's green system 2027–2035".into(),
                summary: "Столична община публикува за обществено обсъждане проекта на програма за опазване и развитие на зелените площи.\nМоже да коментирате целия проект или отделен раздел до крайния срок.".into(),
                opens_at: now - 10 * DAY,
                closes_at: now + 20 * DAY,
                sections: vec![
                    section("Цели", "Увеличаване на озеленените площи с 15 на сто до 2035 г.\nЗасаждане на 50 000 дървета по улиците и в парковете."),
                    section("Мерки", "Зелени покриви на общинските сгради.\nНови паркове в Люлин, Надежда и Младост.\nПоливни системи, захранвани с дъждовна вода."),
                    section("Финансиране и отчет", "Годишен бюджет от 12 милиона лева и годишен публичен отчет за изпълнението."),
                ],
            },
        )
        .await?;
    }
    if consultations::get(ctx, PUBLIC_ORDER).await.is_err() {
        // Opened and commented on before its deadline, two days ago.
        let past = Participation {
            clock: Arc::new(FixedClock::new(
                chrono::DateTime::from_timestamp_millis(now - 20 * DAY).unwrap_or_default(),
            )),
            ..ctx.clone()
        };
        let id = consultations::open(
            &past,
            &ACTOR,
            &NewConsultation {
                administration_id: administration_id.into(),
                slug: PUBLIC_ORDER.into(),
                title_bg: "Проект на Наредба за изменение на Наредбата за обществения ред".into(),
                title_en: "Draft amendment of the ordinance on public order".into(),
                summary: "Промени в правилата за шума в жилищните квартали и за ползването на велоалеите.".into(),
                opens_at: now - 32 * DAY,
                closes_at: now - 2 * DAY,
                sections: vec![
                    section("Шум", "Забранява се шумът над 55 dB в жилищните квартали между 23:00 и 7:00 ч."),
                    section("Велоалеи", "Тротинетки се паркират само на обозначените места, извън велоалеите."),
                ],
            },
        )
        .await?;
        for (n, (section, body)) in [
            (
                Some(1),
                "Предлагам забраната да започва в 22:00 ч., както в други европейски столици.",
            ),
            (
                Some(2),
                "Нужни са повече обозначени места за паркиране на тротинетки около метростанциите.",
            ),
            (
                None,
                "Проектът не казва кой ще следи за спазването на правилата.",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let author = Actor::person(&format!("demo-commenter-{n}"), Assurance::Substantial);
            consultations::comment(&past, &author, &id, section, body).await?;
        }
    }
    Ok(())
}
