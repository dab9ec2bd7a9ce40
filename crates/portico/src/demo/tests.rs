#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;
use std::collections::{HashMap, HashSet};

fn administrations() -> Vec<DemoAdministration> {
    parse(ADMINISTRATIONS).unwrap_or_else(|e| panic!("{e:#}"))
}

fn accounts() -> Vec<DemoAccount> {
    parse(ACCOUNTS).unwrap_or_else(|e| panic!("{e:#}"))
}

/// EIK → the unit codes of every demo administration, districts included.
fn units_by_eik() -> HashMap<String, HashSet<String>> {
    let mut units = HashMap::new();
    for a in administrations() {
        for (n, d) in a.districts.iter().enumerate() {
            let eik = branch_eik(&a.eik, n + 1).unwrap().to_string();
            let codes = a.district_units.iter().map(|u| u.code.clone()).collect();
            assert!(
                units.insert(eik, codes).is_none(),
                "district {} twice",
                d.code
            );
        }
        let codes = a
            .units
            .iter()
            .chain(&a.districts)
            .map(|u| u.code.clone())
            .collect();
        assert!(
            units.insert(a.eik.clone(), codes).is_none(),
            "EIK {} twice",
            a.eik
        );
    }
    units
}

#[test]
fn the_administrations_file_parses_with_valid_eiks_and_unique_unit_codes() {
    let listed = administrations();
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[0].eik, SOFIA_EIK);
    assert_eq!(listed[0].districts.len(), 24, "Sofia's 24 districts");
    for a in &listed {
        assert_eq!(
            eik(&a.eik).unwrap().as_str(),
            a.eik,
            "{}",
            ADMINISTRATIONS.0
        );
        let mut codes = HashSet::new();
        for u in a.units.iter().chain(&a.districts) {
            assert!(
                codes.insert(&u.code),
                "{}: unit {} twice",
                ADMINISTRATIONS.0,
                u.code
            );
            assert!(!u.name.bg.is_empty() && !u.name.en.is_empty(), "{}", u.code);
        }
    }
}

#[test]
fn every_role_names_a_known_role_administration_and_unit() {
    let units = units_by_eik();
    let listed = accounts();
    assert_eq!(listed.len(), 7);
    for a in &listed {
        assert!(
            a.citizen.is_some() == a.roles.is_empty(),
            "{}: staff have roles, citizens none",
            a.email
        );
        for r in &a.roles {
            role(&r.role).unwrap();
            let codes = units.get(&r.administration_eik).unwrap_or_else(|| {
                panic!(
                    "{}: {} is no demo administration",
                    a.email, r.administration_eik
                )
            });
            if let Some(unit) = &r.unit {
                assert!(codes.contains(unit), "{}: no unit {unit}", a.email);
            }
        }
        if let Some(c) = &a.citizen {
            let egn = portico_core::personal_id::synthetic_egn(c.born, c.egn_serial);
            assert!(
                portico_core::PersonalId::parse_egn(&egn).is_ok(),
                "{}: EGN {egn}",
                a.email
            );
        }
    }
}

#[test]
fn a_bad_file_is_refused_with_its_name() {
    let e = parse::<Vec<DemoAccount>>(("demo/accounts.json", "[{\"email\": 1}]")).unwrap_err();
    assert!(format!("{e:#}").contains("demo/accounts.json"), "{e:#}");
    let typo = ACCOUNTS.1.replacen("\"shown_as\"", "\"shown_az\"", 1);
    let e = parse::<Vec<DemoAccount>>(("demo/accounts.json", &typo)).unwrap_err();
    assert!(format!("{e:#}").contains("shown_az"), "{e:#}");
    assert!(role("superuser").is_err());
}

/// The catalog's demo services and adoptions are given to these administrations and units.
#[test]
fn the_catalogs_demo_data_fits_these_administrations() {
    let units = units_by_eik();
    let catalog = portico_catalog::demo::load().unwrap();
    let unit_codes = |eik: &str, what: &str| {
        units
            .get(eik)
            .unwrap_or_else(|| panic!("{what}: {eik} is no demo administration"))
    };
    for adoption in &catalog.adoptions {
        let what = format!("adoption {:?}", adoption.overrides.slug);
        let codes = unit_codes(&adoption.administration_eik, &what);
        for unit in adoption.overrides.units.iter().flatten() {
            assert!(codes.contains(unit), "{what}: no unit {unit}");
        }
    }
    for service in &catalog.services {
        let codes = unit_codes(&service.administration_eik, &service.slug);
        for unit in &service.facts.units {
            assert!(codes.contains(unit), "{}: no unit {unit}", service.slug);
        }
    }
}
