//! Synthetic catalog data for benchmarks: many services with plausible, varied titles, so that
//! search is measured on a catalog of national size rather than on the demo's dozen services.

use anyhow::{anyhow, Result};
use portico_catalog::model::{NewService, Text};
use portico_core::Clock;
use portico_store::Db;

const KINDS: [(&str, &str); 8] = [
    ("Удостоверение за", "Certificate of"),
    ("Разрешение за", "Permit for"),
    ("Регистрация на", "Registration of"),
    ("Декларация за", "Declaration of"),
    ("Справка за", "Statement of"),
    ("Заявление за", "Application for"),
    ("Промяна на", "Change of"),
    ("Издаване на", "Issue of"),
];

const OBJECTS: [(&str, &str); 16] = [
    ("наследници", "heirs"),
    ("строеж", "construction"),
    ("домашен любимец", "a pet"),
    ("търговски обект", "a shop"),
    ("семейно положение", "marital status"),
    ("местни данъци", "local taxes"),
    ("поставяне на реклама", "advertising"),
    ("ползване на тротоар", "pavement use"),
    ("социална помощ", "social assistance"),
    ("детска градина", "kindergarten"),
    ("паркиране", "parking"),
    ("такса смет", "waste fee"),
    ("категоризация на заведение", "restaurant category"),
    ("вписване в регистър", "register entry"),
    ("сеч на дървета", "tree felling"),
    ("водоснабдяване", "water supply"),
];

/// Adds services `bench-0` … `bench-{n-1}` across every administration, skipping those present.
/// Returns how many were added.
pub async fn seed_services(db: &Db, clock: &dyn Clock, n: usize) -> Result<usize> {
    let model = portico_catalog::service::by_slug(db, "address-registration-sofia")
        .await?
        .ok_or_else(|| {
            anyhow!("run `portico demo --seed-only` first: the benchmark data builds on the demo")
        })?;
    let administrations = portico_identity::service::administrations::list(db).await?;
    if administrations.is_empty() {
        return Err(anyhow!("no administrations"));
    }
    let mut added = 0;
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut tx = db.begin().await?;
        for &i in chunk {
            let slug = format!("bench-{i}");
            if portico_catalog::service::by_slug(db, &slug)
                .await?
                .is_some()
            {
                continue;
            }
            let (kind_bg, kind_en) = KINDS[i % KINDS.len()];
            let (object_bg, object_en) = OBJECTS[(i / KINDS.len()) % OBJECTS.len()];
            let administration = &administrations[i % administrations.len()];
            let mut facts = model.facts.clone();
            facts.title = Text::new(
                &format!("{kind_bg} {object_bg} №{i}"),
                &format!("{kind_en} {object_en} no. {i}"),
            );
            facts.description = Text::new(
                &format!("{kind_bg} {object_bg} от {}.", administration.name_bg),
                &format!("{kind_en} {object_en} by {}.", administration.name_en),
            );
            facts.units = Vec::new();
            let new = NewService {
                slug,
                administration_id: administration.id.clone(),
                facts,
                form_key: Some("general-application".into()),
                process_key: "standard".into(),
            };
            portico_catalog::service::create(&mut tx, &new, "system:bench", clock.now()).await?;
            added += 1;
        }
        tx.commit().await?;
    }
    Ok(added)
}
