//! The demo's open data, generated (not kept as files): for every demo administration a dozen
//! datasets with real-looking CSV and GeoJSON resources (budgets, population, schools and bus
//! stops with coordinates, air quality, procurement, playgrounds, parking zones), and Sofia's 24
//! districts as polygons with their population. Numbers come from a fixed pseudo-random
//! sequence, so every run makes the same data. Seeding goes through the service functions (as
//! the system) and is idempotent: a dataset whose name exists is left alone.

use crate::error::OpenDataError;
use crate::model::{DatasetInput, DatasetState, ResourceInput};
use crate::service::{datasets, own_data, resources, OpenData};
use portico_core::Actor;
use portico_identity::model::Administration;
use std::fmt::Write;

/// A fixed sequence of pseudo-random numbers (a linear congruential generator).
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A number from `low` up to (not including) `high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low).max(1)
    }

    /// A fraction from 0 to 1.
    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

/// Where an administration is (longitude, latitude), roughly.
fn centre(a: &Administration, district: Option<(usize, usize)>) -> (f64, f64) {
    if let Some((col, row)) = district {
        let (w, s, e, n) = SOFIA_BOX;
        return (
            w + (e - w) * (col as f64 + 0.5) / COLS as f64,
            s + (n - s) * (row as f64 + 0.5) / ROWS as f64,
        );
    }
    match a.eik.as_str() {
        "000056814" => (27.4678, 42.5048),
        "000133634" => (25.6172, 43.0757),
        "000776153" => (24.0833, 42.6961),
        _ => (23.3219, 42.6977),
    }
}

const SOFIA_BOX: (f64, f64, f64, f64) = (23.20, 42.62, 23.46, 42.76);
const COLS: usize = 6;
const ROWS: usize = 4;

/// Sofia's districts as a 6 × 4 patchwork of polygons whose shared edges bend the same way (a
/// grid of points twice as fine, the inner ones moved a little), so they tile like the real ones.
fn district_polygons(numbers: &mut Numbers) -> Vec<Vec<(f64, f64)>> {
    let (w, s, e, n) = SOFIA_BOX;
    let (cols, rows) = (COLS * 2, ROWS * 2);
    let mut grid = vec![vec![(0.0, 0.0); rows + 1]; cols + 1];
    for (i, column) in grid.iter_mut().enumerate() {
        for (j, point) in column.iter_mut().enumerate() {
            let x = w + (e - w) * i as f64 / cols as f64;
            let y = s + (n - s) * j as f64 / rows as f64;
            let inner = i > 0 && j > 0 && i < cols && j < rows;
            let (dx, dy) = if inner {
                (
                    (numbers.unit() - 0.5) * (e - w) / cols as f64 * 0.6,
                    (numbers.unit() - 0.5) * (n - s) / rows as f64 * 0.6,
                )
            } else {
                (0.0, 0.0)
            };
            *point = (x + dx, y + dy);
        }
    }
    let mut out = Vec::new();
    for row in (0..ROWS).rev() {
        for col in 0..COLS {
            let (i, j) = (col * 2, row * 2);
            let ring = [
                (i, j),
                (i + 1, j),
                (i + 2, j),
                (i + 2, j + 1),
                (i + 2, j + 2),
                (i + 1, j + 2),
                (i, j + 2),
                (i, j + 1),
                (i, j),
            ];
            out.push(ring.iter().map(|&(a, b)| grid[a][b]).collect());
        }
    }
    out
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn point(x: f64, y: f64, props: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "type": "Feature",
        "properties": props,
        "geometry": { "type": "Point", "coordinates": [(x * 1e5).round() / 1e5, (y * 1e5).round() / 1e5] }
    })
}

fn collection(features: Vec<serde_json::Value>) -> String {
    serde_json::json!({ "type": "FeatureCollection", "features": features }).to_string()
}

struct Planned {
    name: String,
    title_bg: String,
    title_en: String,
    notes_bg: String,
    notes_en: String,
    theme: &'static str,
    keywords: Vec<&'static str>,
    frequency: &'static str,
    licence: &'static str,
    file: String,
    body: String,
}

const BUDGET_LINES: &[&str] = &[
    "Образование",
    "Здравеопазване",
    "Социални дейности",
    "Чистота",
    "Улично осветление",
    "Озеленяване",
    "Пътища и улици",
    "Обществен транспорт",
    "Култура",
    "Спорт",
    "Администрация",
    "Сигурност и обществен ред",
    "Капиталови разходи",
];

const SCHOOL_NAMES: &[&str] = &[
    "Основно училище „Христо Ботев“",
    "Средно училище „Васил Левски“",
    "Профилирана гимназия „Иван Вазов“",
    "Основно училище „Св. Св. Кирил и Методий“",
    "Езикова гимназия „Пейо Яворов“",
    "Професионална гимназия по туризъм",
    "Основно училище „Елин Пелин“",
    "Математическа гимназия „Никола Обрешков“",
];

/// The datasets planned for one administration (`slug` prefixes their names).
fn plan(
    slug: &str,
    bg: &str,
    en: &str,
    at: (f64, f64),
    spread: f64,
    numbers: &mut Numbers,
) -> Vec<Planned> {
    let mut out = Vec::new();
    let scale: u64 = if spread > 0.03 { 10 } else { 1 };
    for year in 2022..=2025 {
        let mut body = String::from("category,planned_eur,spent_eur\n");
        for line in BUDGET_LINES {
            let planned = numbers.between(50_000, 2_000_000) * scale;
            let spent = planned * numbers.between(70, 101) / 100;
            let _ = writeln!(body, "{},{planned},{spent}", csv_cell(line));
        }
        out.push(Planned {
            name: format!("{slug}-budget-{year}"),
            title_bg: format!("Бюджет за {year} г. – {bg}"),
            title_en: format!("Budget for {year} – {en}"),
            notes_bg: format!("Планирани и изразходвани средства по функции, {bg}, {year} г."),
            notes_en: format!("Planned and spent funds by function, {en}, {year}."),
            theme: "ECON",
            keywords: vec!["бюджет", "финанси", "разходи"],
            frequency: "ANNUAL",
            licence: "cc-by-4.0",
            file: format!("budget-{year}.csv"),
            body,
        });
    }
    let mut body = String::from("age_group,men,women\n");
    for a in (0..90).step_by(5) {
        let _ = writeln!(
            body,
            "{a}-{},{},{}",
            a + 4,
            numbers.between(200, 4000) * scale,
            numbers.between(200, 4200) * scale
        );
    }
    out.push(Planned {
        name: format!("{slug}-population-by-age"),
        title_bg: format!("Население по възраст и пол – {bg}"),
        title_en: format!("Population by age and sex – {en}"),
        notes_bg: format!("Постоянно население по петгодишни възрастови групи и пол, {bg}."),
        notes_en: format!("Permanent population by five-year age group and sex, {en}."),
        theme: "SOCI",
        keywords: vec!["население", "демография"],
        frequency: "ANNUAL",
        licence: "cc-zero",
        file: "population-by-age.csv".into(),
        body,
    });
    let mut body = String::from("name,address,students,lat,lon\n");
    for (k, school) in SCHOOL_NAMES.iter().enumerate() {
        let x = at.0 + (numbers.unit() - 0.5) * spread;
        let y = at.1 + (numbers.unit() - 0.5) * spread * 0.7;
        let _ = writeln!(
            body,
            "{},{},{},{y:.5},{x:.5}",
            csv_cell(school),
            csv_cell(&format!(
                "ул. „{}“ № {}",
                ["Шипка", "Раковски", "Гео Милев", "Витоша"][k % 4],
                numbers.between(1, 120)
            )),
            numbers.between(150, 1400)
        );
    }
    out.push(Planned {
        name: format!("{slug}-schools"),
        title_bg: format!("Училища – {bg}"),
        title_en: format!("Schools – {en}"),
        notes_bg: format!("Общински и държавни училища с адрес, брой ученици и координати, {bg}."),
        notes_en: format!(
            "Municipal and state schools with address, students and coordinates, {en}."
        ),
        theme: "EDUC",
        keywords: vec!["училища", "образование"],
        frequency: "ANNUAL",
        licence: "cc-by-4.0",
        file: "schools.csv".into(),
        body,
    });
    let mut features = Vec::new();
    for k in 0..numbers.between(8, 25) {
        features.push(point(
            at.0 + (numbers.unit() - 0.5) * spread,
            at.1 + (numbers.unit() - 0.5) * spread * 0.7,
            {
                let age = ["0-3", "3-12", "6-14"][(k % 3) as usize];
                let area = numbers.between(80, 900);
                serde_json::json!({ "name": format!("Детска площадка {}", k + 1), "age": age, "area_m2": area })
            },
        ));
    }
    out.push(Planned {
        name: format!("{slug}-playgrounds"),
        title_bg: format!("Детски площадки – {bg}"),
        title_en: format!("Playgrounds – {en}"),
        notes_bg: format!("Детските площадки с възрастовата група и площта, {bg}."),
        notes_en: format!("Playgrounds with their age group and area, {en}."),
        theme: "REGI",
        keywords: vec!["площадки", "деца"],
        frequency: "IRREG",
        licence: "odc-odbl",
        file: "playgrounds.geojson".into(),
        body: collection(features),
    });
    for year in [2024, 2025] {
        let mut body = String::from("month,pm10,pm25,no2\n");
        for m in 1..=12 {
            let winter = if !(4..=10).contains(&m) { 20 } else { 0 };
            let _ = writeln!(
                body,
                "{year}-{m:02},{},{},{}",
                numbers.between(12, 40) + winter,
                numbers.between(6, 25) + winter / 2,
                numbers.between(10, 45)
            );
        }
        out.push(Planned {
            name: format!("{slug}-air-quality-{year}"),
            title_bg: format!("Качество на въздуха {year} г. – {bg}"),
            title_en: format!("Air quality {year} – {en}"),
            notes_bg: format!("Средномесечни концентрации на ФПЧ10, ФПЧ2,5 и NO₂ (µg/m³), {bg}."),
            notes_en: format!("Monthly mean concentrations of PM10, PM2.5 and NO₂ (µg/m³), {en}."),
            theme: "ENVI",
            keywords: vec!["въздух", "замърсяване", "околна среда"],
            frequency: "MONTHLY",
            licence: "cc-by-4.0",
            file: format!("air-quality-{year}.csv"),
            body,
        });
    }
    for year in [2024, 2025] {
        let mut body = String::from("contract,supplier,value_eur,signed\n");
        for k in 0..numbers.between(10, 30) {
            let _ = writeln!(
                body,
                "{},{},{},{year}-{:02}-{:02}",
                csv_cell(&format!(
                    "Договор {year}-{:03} за {}",
                    k + 1,
                    [
                        "ремонт на улици",
                        "доставка на храни",
                        "почистване",
                        "озеленяване",
                        "ИТ услуги"
                    ][(k % 5) as usize]
                )),
                csv_cell(
                    [
                        "Строй ЕООД",
                        "Зелено АД",
                        "Инфотех ООД",
                        "Чисто ЕАД",
                        "Храни ООД"
                    ][(k % 5) as usize]
                ),
                numbers.between(5_000, 900_000),
                numbers.between(1, 13),
                numbers.between(1, 29)
            );
        }
        out.push(Planned {
            name: format!("{slug}-procurement-{year}"),
            title_bg: format!("Обществени поръчки {year} г. – {bg}"),
            title_en: format!("Public procurement {year} – {en}"),
            notes_bg: format!("Сключените договори с изпълнител, стойност и дата, {bg}."),
            notes_en: format!("Contracts signed, with supplier, value and date, {en}."),
            theme: "GOVE",
            keywords: vec!["обществени поръчки", "договори"],
            frequency: "QUARTERLY",
            licence: "cc-by-4.0",
            file: format!("procurement-{year}.csv"),
            body,
        });
    }
    let mut body = String::from("stop,lines,lat,lon\n");
    for k in 0..numbers.between(10, 40) {
        let _ = writeln!(
            body,
            "Спирка {},{},{:.5},{:.5}",
            k + 1,
            csv_cell(&format!(
                "{}, {}",
                numbers.between(1, 90),
                numbers.between(1, 90)
            )),
            at.1 + (numbers.unit() - 0.5) * spread * 0.7,
            at.0 + (numbers.unit() - 0.5) * spread
        );
    }
    out.push(Planned {
        name: format!("{slug}-bus-stops"),
        title_bg: format!("Спирки на градския транспорт – {bg}"),
        title_en: format!("Public transport stops – {en}"),
        notes_bg: format!("Спирките с линиите, които спират на тях, и координатите им, {bg}."),
        notes_en: format!("Stops with the lines that call at them and their coordinates, {en}."),
        theme: "TRAN",
        keywords: vec!["транспорт", "спирки"],
        frequency: "MONTHLY",
        licence: "cc-by-4.0",
        file: "bus-stops.csv".into(),
        body,
    });
    out
}

/// Seeds the demo's datasets; the number of datasets created (0 when they all exist).
pub async fn seed(ctx: &OpenData) -> Result<usize, OpenDataError> {
    let system = Actor::System("demo");
    let orgs = portico_identity::service::administrations::list(&ctx.db).await?;
    let mut numbers = Numbers(13);
    let sofia = orgs.iter().find(|a| a.eik.as_str() == "000696327");
    let districts: Vec<&Administration> = match sofia {
        Some(s) => orgs
            .iter()
            .filter(|a| a.parent_id.as_deref() == Some(s.id.as_str()))
            .collect(),
        None => Vec::new(),
    };
    let polygons = district_polygons(&mut numbers);
    let mut created = 0;
    // The platform's own service catalog, published as the platform's organisation; the refresh
    // job is scheduled once, when the dataset is first made.
    let first = datasets::find(&ctx.db, own_data::DATASET).await?.is_none();
    own_data::refresh_service_catalog(ctx).await?;
    if first {
        created += 1;
        own_data::schedule(ctx, own_data::REFRESH_EVERY_SECONDS).await?;
    }
    if let Some(sofia) = sofia {
        let mut features = Vec::new();
        let mut body = String::from("district,population,area_km2\n");
        for (k, (d, ring)) in districts.iter().zip(&polygons).enumerate() {
            let population = numbers.between(25_000, 130_000);
            let area = numbers.between(30, 400) as f64 / 10.0;
            features.push(serde_json::json!({
                "type": "Feature",
                "properties": { "name": d.name_bg, "name_en": d.name_en, "number": k + 1, "population": population },
                "geometry": { "type": "Polygon", "coordinates": [ring.iter().map(|(x, y)| [(x * 1e5).round() / 1e5, (y * 1e5).round() / 1e5]).collect::<Vec<_>>()] }
            }));
            let _ = writeln!(body, "{},{population},{area}", csv_cell(&d.name_bg));
        }
        created += publish(
            ctx,
            &system,
            &sofia.id,
            Planned {
                name: "sofia-districts".into(),
                title_bg: "Райони на Столична община".into(),
                title_en: "Districts of Sofia Municipality".into(),
                notes_bg: "Границите на 24-те района на София (приблизителни) и населението им."
                    .into(),
                notes_en:
                    "The boundaries of Sofia's 24 districts (approximate) and their population."
                        .into(),
                theme: "REGI",
                keywords: vec!["райони", "граници", "население"],
                frequency: "ANNUAL",
                licence: "cc-by-4.0",
                file: "districts.geojson".into(),
                body: collection(features),
            },
            Some(("population.csv", body)),
        )
        .await?;
    }
    for a in &orgs {
        let district = districts
            .iter()
            .position(|d| d.id == a.id)
            .map(|k| (k % COLS, ROWS - 1 - k / COLS));
        let known = matches!(
            a.eik.as_str(),
            "000696327" | "000056814" | "000133634" | "000776153"
        );
        if district.is_none() && !known {
            continue;
        }
        let slug = a.eik.as_str().to_owned();
        let spread = if district.is_some() { 0.03 } else { 0.08 };
        for p in plan(
            &slug,
            &a.name_bg,
            &a.name_en,
            centre(a, district),
            spread,
            &mut numbers,
        ) {
            created += publish(ctx, &system, &a.id, p, None).await?;
        }
    }
    Ok(created)
}

/// Creates one dataset with its file (and a second one), unless its name is taken.
async fn publish(
    ctx: &OpenData,
    actor: &Actor,
    administration_id: &str,
    p: Planned,
    second: Option<(&str, String)>,
) -> Result<usize, OpenDataError> {
    if datasets::find(&ctx.db, &p.name).await?.is_some() {
        return Ok(0);
    }
    let d = datasets::create(
        ctx,
        actor,
        administration_id,
        DatasetInput {
            name: p.name,
            title_bg: p.title_bg,
            title_en: p.title_en,
            notes_bg: p.notes_bg,
            notes_en: p.notes_en,
            themes: vec![p.theme.to_owned()],
            keywords: p.keywords.iter().map(|k| (*k).to_owned()).collect(),
            licence: p.licence.to_owned(),
            contact_name: String::new(),
            contact_email: "opendata@portico.demo".into(),
            temporal_start: None,
            temporal_end: None,
            spatial: None,
            frequency: p.frequency.to_owned(),
            state: Some(DatasetState::Published),
        },
    )
    .await?;
    let files = std::iter::once((p.file, p.body)).chain(second.map(|(f, b)| (f.to_owned(), b)));
    for (file, body) in files {
        resources::add(
            ctx,
            actor,
            &d.id,
            ResourceInput {
                name: file.clone(),
                upload: Some((file, bytes::Bytes::from(body))),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::service::files::{check, Format};

    #[test]
    fn the_planned_files_pass_the_upload_checks() {
        let mut n = Numbers(13);
        let planned = plan("000696327", "София", "Sofia", (23.32, 42.69), 0.08, &mut n);
        assert_eq!(planned.len(), 12);
        for p in &planned {
            let format = Format::detect(None, &p.file).unwrap();
            check(format, p.body.as_bytes()).unwrap_or_else(|e| panic!("{}: {e:?}", p.name));
        }
        let polygons = district_polygons(&mut n);
        assert_eq!(polygons.len(), 24);
        assert!(polygons.iter().all(|r| r.len() == 9 && r[0] == r[8]));
    }
}
