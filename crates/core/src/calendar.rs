//! Working days (работни дни) in Bulgaria, for the deadlines of public services.
//!
//! Days off are the official holidays of the Labour Code, art. 154(1), plus the substitute days of
//! art. 154(2): when a fixed holiday falls on a Saturday or a Sunday, the first following working
//! day is a day off too, one for each such holiday. The Easter days are not substituted.
//!
//! Not modelled: the Council of Ministers sometimes moves days by decree (a Friday off between a
//! holiday and the weekend, worked back on a Saturday). Those decisions are configuration, given to
//! a [`WorkingCalendar`] with [`WorkingCalendar::with_extra_day_off`] and
//! [`WorkingCalendar::with_extra_working_day`].

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday,
};
use std::collections::BTreeSet;

/// The fixed official holidays as (month, day), in calendar order.
const FIXED_HOLIDAYS: [(u32, u32); 10] = [
    (1, 1),   // New Year
    (3, 3),   // Liberation Day
    (5, 1),   // Labour Day
    (5, 6),   // St George's Day, Day of the Bulgarian Army
    (5, 24),  // Day of Bulgarian Enlightenment and Culture and of the Slavonic Alphabet
    (9, 6),   // Unification Day
    (9, 22),  // Independence Day
    (12, 24), // Christmas Eve
    (12, 25), // Christmas
    (12, 26), // Christmas
];

/// Orthodox Easter Sunday of `year`, as a Gregorian date.
///
/// Meeus's Julian algorithm gives the date in the Julian calendar; it is then moved to the
/// Gregorian calendar by the difference between the two (13 days for 1900–2099, 14 for 2100–2199).
/// `None` only for years that `chrono` cannot represent.
pub fn orthodox_easter(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(4);
    let b = year.rem_euclid(7);
    let c = year.rem_euclid(19);
    let d = (19 * c + 15) % 30;
    let e = (2 * a + 4 * b - d + 34) % 7;
    let month = (d + e + 114) / 31;
    let day = (d + e + 114) % 31 + 1;
    // Easter is always after February, so the century's leap-day difference already applies.
    let julian_to_gregorian = year.div_euclid(100) - year.div_euclid(400) - 2;
    // A Julian Easter (22 March to 25 April) is also a valid Gregorian month and day.
    let julian =
        NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)?;
    julian.checked_add_signed(TimeDelta::days(julian_to_gregorian.into()))
}

/// Good Friday, Holy Saturday, Easter Sunday and Easter Monday of `year`.
fn easter_days(year: i32) -> Vec<NaiveDate> {
    let Some(easter) = orthodox_easter(year) else {
        return Vec::new();
    };
    [-2, -1, 0, 1]
        .into_iter()
        .filter_map(|offset| easter.checked_add_signed(TimeDelta::days(offset)))
        .collect()
}

fn fixed_holidays(year: i32) -> impl Iterator<Item = NaiveDate> {
    FIXED_HOLIDAYS
        .into_iter()
        .filter_map(move |(month, day)| NaiveDate::from_ymd_opt(year, month, day))
}

pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Whether `date` is an official holiday (art. 154(1)): a fixed holiday or one of the four Easter
/// days. Substitute days off (art. 154(2)) are not holidays; see [`is_day_off`].
pub fn is_public_holiday(date: NaiveDate) -> bool {
    FIXED_HOLIDAYS.contains(&(date.month(), date.day())) || easter_days(date.year()).contains(&date)
}

/// The official holidays of `year`, fixed and Easter.
pub fn public_holidays(year: i32) -> BTreeSet<NaiveDate> {
    fixed_holidays(year).chain(easter_days(year)).collect()
}

/// Every day off in `year` that is not simply a Saturday or Sunday's rest: the official holidays
/// (whatever day of the week they fall on) and the substitute days of art. 154(2).
///
/// A substitute day can fall in the next year (a Christmas holiday on a weekend late in December),
/// so the previous year's holidays are taken into account too.
pub fn days_off(year: i32) -> BTreeSet<NaiveDate> {
    let mut off: BTreeSet<NaiveDate> = (year - 1..=year + 1).flat_map(public_holidays).collect();
    for holiday in (year - 1..=year).flat_map(fixed_holidays) {
        if is_weekend(holiday) {
            let mut day = holiday;
            while let Some(next) = day.succ_opt() {
                day = next;
                if !is_weekend(day) && off.insert(day) {
                    break;
                }
            }
        }
    }
    off.retain(|day| day.year() == year);
    off
}

/// Whether `date` is an official holiday or a substitute day off.
pub fn is_day_off(date: NaiveDate) -> bool {
    days_off(date.year()).contains(&date)
}

/// Whether `date` is a working day under the law alone: not a Saturday or Sunday, not a day off.
/// Days moved by decree are not known here; use a configured [`WorkingCalendar`] for deadlines.
pub fn is_working_day(date: NaiveDate) -> bool {
    !is_weekend(date) && !is_day_off(date)
}

/// The working-day calendar that deadlines are counted on: Bulgaria's law, plus the days moved by
/// decree, which are configuration (the law does not know them in advance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    extra_days_off: BTreeSet<NaiveDate>,
    extra_working_days: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// Bulgaria's calendar under the Labour Code, with no decrees.
    pub fn bulgaria() -> Self {
        Self {
            extra_days_off: BTreeSet::new(),
            extra_working_days: BTreeSet::new(),
        }
    }

    /// A day declared off by decree. Replaces an earlier `with_extra_working_day` for that date.
    pub fn with_extra_day_off(mut self, date: NaiveDate) -> Self {
        self.extra_working_days.remove(&date);
        self.extra_days_off.insert(date);
        self
    }

    /// A day declared working by decree (usually a Saturday). Replaces an earlier
    /// `with_extra_day_off` for that date.
    pub fn with_extra_working_day(mut self, date: NaiveDate) -> Self {
        self.extra_days_off.remove(&date);
        self.extra_working_days.insert(date);
        self
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.is_working_day_in(date, &mut YearDaysOff::default())
    }

    fn is_working_day_in(&self, date: NaiveDate, cache: &mut YearDaysOff) -> bool {
        if self.extra_working_days.contains(&date) {
            true
        } else if self.extra_days_off.contains(&date) {
            false
        } else {
            !is_weekend(date) && !cache.contains(date)
        }
    }

    /// The deadline `n` working days after `start`: the `n`-th working day after it, not counting
    /// `start` itself. `n = 0` gives `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut cache = YearDaysOff::default();
        let mut day = start;
        let mut counted = 0;
        while counted < n {
            let Some(next) = day.succ_opt() else {
                break; // the end of chrono's range; no deadline is that far
            };
            day = next;
            if self.is_working_day_in(day, &mut cache) {
                counted += 1;
            }
        }
        day
    }

    /// The working days after `a` up to and including `b`; negative when `b` is before `a`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        let (from, to, sign) = if b >= a { (a, b, 1) } else { (b, a, -1) };
        let mut cache = YearDaysOff::default();
        let count = from
            .iter_days()
            .skip(1)
            .take_while(|day| *day <= to)
            .filter(|day| self.is_working_day_in(*day, &mut cache))
            .count();
        sign * i64::try_from(count).unwrap_or(i64::MAX)
    }

    /// The deadline for something submitted at `submitted_at`, `n` working days later, counted
    /// from the date in Sofia (an application sent at 00:30 local time on Saturday counts from
    /// Saturday, even though it is still Friday in UTC).
    pub fn deadline(&self, submitted_at: DateTime<Utc>, n: u32) -> NaiveDate {
        self.add_working_days(sofia_date(submitted_at), n)
    }
}

/// The days off of one year, computed once and reused while walking through consecutive days.
#[derive(Default)]
struct YearDaysOff {
    year: Option<i32>,
    days: BTreeSet<NaiveDate>,
}

impl YearDaysOff {
    fn contains(&mut self, date: NaiveDate) -> bool {
        if self.year != Some(date.year()) {
            self.year = Some(date.year());
            self.days = days_off(date.year());
        }
        self.days.contains(&date)
    }
}

/// The last Sunday of a 31-day month.
fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let last = NaiveDate::from_ymd_opt(year, month, 31)?;
    last.checked_sub_days(Days::new(last.weekday().num_days_from_sunday().into()))
}

/// Whether Sofia is on summer time (EEST, UTC+3) at `at`: from 01:00 UTC on the last Sunday of
/// March to 01:00 UTC on the last Sunday of October, the EU rule in force since 1996.
fn is_sofia_summer_time(at: DateTime<Utc>) -> bool {
    let change = |month| {
        last_sunday(at.year(), month).and_then(|day| {
            NaiveDateTime::new(day, NaiveTime::MIN).checked_add_signed(TimeDelta::hours(1))
        })
    };
    match (change(3), change(10)) {
        (Some(start), Some(end)) => (start..end).contains(&at.naive_utc()),
        _ => false,
    }
}

/// The local date and time in Sofia (EET, UTC+2; EEST, UTC+3 in summer).
pub fn sofia_local(at: DateTime<Utc>) -> NaiveDateTime {
    let hours = if is_sofia_summer_time(at) { 3 } else { 2 };
    at.naive_utc()
        .checked_add_signed(TimeDelta::hours(hours))
        .unwrap_or(at.naive_utc())
}

/// The date in Sofia at `at`.
pub fn sofia_date(at: DateTime<Utc>) -> NaiveDate {
    sofia_local(at).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn orthodox_easter_dates() {
        assert_eq!(orthodox_easter(2021), Some(date(2021, 5, 2)));
        assert_eq!(orthodox_easter(2023), Some(date(2023, 4, 16)));
        assert_eq!(orthodox_easter(2024), Some(date(2024, 5, 5)));
        assert_eq!(orthodox_easter(2025), Some(date(2025, 4, 20)));
        assert_eq!(orthodox_easter(2026), Some(date(2026, 4, 12)));
    }

    #[test]
    fn easter_days_are_holidays() {
        for day in [
            date(2025, 4, 18),
            date(2025, 4, 19),
            date(2025, 4, 20),
            date(2025, 4, 21),
        ] {
            assert!(is_public_holiday(day), "{day}");
        }
        assert!(!is_public_holiday(date(2025, 4, 17)));
        assert!(!is_public_holiday(date(2025, 4, 22)));
        assert!(!is_working_day(date(2025, 4, 18)));
        assert!(is_working_day(date(2025, 4, 22)));
    }

    #[test]
    fn fixed_holidays_are_holidays() {
        for (m, d) in FIXED_HOLIDAYS {
            assert!(is_public_holiday(date(2025, m, d)));
        }
        assert!(!is_public_holiday(date(2025, 11, 1)));
        assert!(!is_public_holiday(date(2025, 12, 31)));
    }

    #[test]
    fn st_georges_day_on_easter_monday_2024_is_one_day_off() {
        let day = date(2024, 5, 6);
        assert_eq!(orthodox_easter(2024).map(|e| e.succ_opt()), Some(Some(day)));
        assert!(is_public_holiday(day));
        assert!(!is_working_day(day));
        // Two holidays on one weekday give no extra day.
        assert!(is_working_day(date(2024, 5, 7)));
    }

    #[test]
    fn christmas_2022_on_the_weekend_moves_to_27_and_28_december() {
        assert!(is_working_day(date(2022, 12, 23)));
        for d in 24..=28 {
            assert!(!is_working_day(date(2022, 12, d)), "{d} December 2022");
        }
        assert!(!is_public_holiday(date(2022, 12, 27)));
        assert!(is_day_off(date(2022, 12, 27)));
        assert!(is_day_off(date(2022, 12, 28)));
        assert!(is_working_day(date(2022, 12, 29)));
    }

    #[test]
    fn new_year_2023_on_a_sunday_moves_to_2_january() {
        assert!(is_day_off(date(2023, 1, 2)));
        assert!(is_working_day(date(2023, 1, 3)));
    }

    #[test]
    fn liberation_day_2024_on_a_sunday_moves_to_4_march() {
        assert_eq!(date(2024, 3, 3).weekday(), Weekday::Sun);
        assert!(!is_working_day(date(2024, 3, 4)));
        assert!(is_working_day(date(2024, 3, 5)));
    }

    #[test]
    fn labour_day_2021_on_holy_saturday_is_still_substituted() {
        // Easter 2021 was 2 May: Holy Saturday was also 1 May, which is not an Easter day.
        assert!(!is_working_day(date(2021, 5, 3))); // Easter Monday
        assert!(!is_working_day(date(2021, 5, 4))); // for 1 May
        assert!(is_working_day(date(2021, 5, 5)));
        assert!(!is_working_day(date(2021, 5, 6)));
    }

    #[test]
    fn fourteen_working_days_across_christmas() {
        let calendar = WorkingCalendar::bulgaria();
        let start = date(2022, 12, 19); // a Monday
                                        // 20–23 Dec, 29–30 Dec, 3–6 Jan, 9–12 Jan (2 Jan 2023 is off for 1 Jan, a Sunday).
        assert_eq!(calendar.add_working_days(start, 14), date(2023, 1, 12));
        assert_eq!(calendar.add_working_days(start, 0), start);
        assert_eq!(calendar.add_working_days(start, 1), date(2022, 12, 20));
        assert_eq!(
            calendar.add_working_days(date(2022, 12, 23), 1),
            date(2022, 12, 29)
        );
    }

    #[test]
    fn working_days_between_counts_after_a_up_to_b() {
        let calendar = WorkingCalendar::bulgaria();
        let (a, b) = (date(2022, 12, 19), date(2023, 1, 12));
        assert_eq!(calendar.working_days_between(a, b), 14);
        assert_eq!(calendar.working_days_between(b, a), -14);
        assert_eq!(calendar.working_days_between(a, a), 0);
        // A weekend alone holds no working days.
        assert_eq!(
            calendar.working_days_between(date(2025, 6, 13), date(2025, 6, 15)),
            0
        );
    }

    #[test]
    fn adding_and_counting_agree() {
        let calendar = WorkingCalendar::bulgaria();
        let mut start = date(2024, 12, 1);
        while start < date(2025, 2, 1) {
            for n in [0, 1, 5, 14, 30] {
                let end = calendar.add_working_days(start, n);
                assert_eq!(calendar.working_days_between(start, end), i64::from(n));
            }
            start = start.succ_opt().unwrap();
        }
    }

    #[test]
    fn decrees_are_configuration() {
        // Made-up decree: Friday 10 Jan 2025 off, worked back on Saturday 18 Jan 2025.
        let calendar = WorkingCalendar::bulgaria()
            .with_extra_day_off(date(2025, 1, 10))
            .with_extra_working_day(date(2025, 1, 18));
        assert!(!calendar.is_working_day(date(2025, 1, 10)));
        assert!(calendar.is_working_day(date(2025, 1, 18)));
        assert!(calendar.is_working_day(date(2025, 1, 9)));
        assert!(!calendar.is_working_day(date(2025, 1, 19)));
        assert_eq!(
            calendar.working_days_between(date(2025, 1, 6), date(2025, 1, 19)),
            9
        );
        // The last word on a date wins.
        let undone = calendar.with_extra_working_day(date(2025, 1, 10));
        assert!(undone.is_working_day(date(2025, 1, 10)));
    }

    #[test]
    fn sofia_time_follows_the_eu_summer_time_rule() {
        // 2024: summer time from 31 March to 27 October, at 01:00 UTC.
        assert_eq!(
            sofia_local(utc("2024-03-31T00:59:00Z")).to_string(),
            "2024-03-31 02:59:00"
        );
        assert_eq!(
            sofia_local(utc("2024-03-31T01:00:00Z")).to_string(),
            "2024-03-31 04:00:00"
        );
        assert_eq!(
            sofia_local(utc("2024-10-27T00:59:00Z")).to_string(),
            "2024-10-27 03:59:00"
        );
        assert_eq!(
            sofia_local(utc("2024-10-27T01:00:00Z")).to_string(),
            "2024-10-27 03:00:00"
        );
        assert_eq!(sofia_date(utc("2024-06-30T21:30:00Z")), date(2024, 7, 1));
        assert_eq!(sofia_date(utc("2024-12-31T21:30:00Z")), date(2024, 12, 31));
        assert_eq!(sofia_date(utc("2024-12-31T22:30:00Z")), date(2025, 1, 1));
    }

    #[test]
    fn deadline_counts_from_the_date_in_sofia() {
        let calendar = WorkingCalendar::bulgaria();
        // Friday 16 Dec 2022 at 23:30 UTC is already Saturday 17 Dec in Sofia.
        let submitted = utc("2022-12-16T22:30:00Z");
        assert_eq!(calendar.deadline(submitted, 14), date(2023, 1, 11));
        // One hour earlier it is still Friday: the count starts the same Monday, so same result.
        assert_eq!(
            calendar.deadline(utc("2022-12-16T21:30:00Z"), 14),
            date(2023, 1, 11)
        );
        // Thursday evening in UTC, Friday in Sofia: Friday is not counted.
        assert_eq!(
            calendar.deadline(utc("2022-12-15T22:30:00Z"), 1),
            date(2022, 12, 19)
        );
        assert_eq!(
            calendar.deadline(utc("2022-12-15T21:30:00Z"), 1),
            date(2022, 12, 16)
        );
    }

    /// Literal lists, from the Labour Code art. 154 and the calendar the Council of Ministers
    /// publishes each year, not from the functions under test.
    #[test]
    fn the_public_holidays_of_2025_are_the_official_list() {
        let expected: Vec<NaiveDate> = [
            (1, 1),
            (3, 3),
            (4, 18), // Good Friday
            (4, 19), // Holy Saturday
            (4, 20), // Easter
            (4, 21), // Easter Monday
            (5, 1),
            (5, 6),
            (5, 24),
            (9, 6),
            (9, 22),
            (12, 24),
            (12, 25),
            (12, 26),
        ]
        .into_iter()
        .map(|(m, d)| date(2025, m, d))
        .collect();
        assert_eq!(
            public_holidays(2025).into_iter().collect::<Vec<_>>(),
            expected
        );
    }

    #[test]
    fn the_days_off_of_2026_are_the_official_list() {
        let expected: Vec<NaiveDate> = [
            (1, 1),
            (3, 3),
            (4, 10),
            (4, 11),
            (4, 12),
            (4, 13),
            (5, 1),
            (5, 6),
            (5, 24),
            (5, 25), // for 24 May, a Sunday
            (9, 6),
            (9, 7), // for 6 September, a Sunday
            (9, 22),
            (12, 24),
            (12, 25),
            (12, 26),
            (12, 28), // for 26 December, a Saturday
        ]
        .into_iter()
        .map(|(m, d)| date(2026, m, d))
        .collect();
        assert_eq!(days_off(2026).into_iter().collect::<Vec<_>>(), expected);
    }
}
