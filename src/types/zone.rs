//! Time zones named by column types, and the one conversion of a wall time to UTC.
//!
//! The tz database is bundled (jiff), so a value decodes the same on every machine, and
//! each zone's POSIX rule is applied past the end of its transition table: ClickHouse's
//! DateTime runs to 2106 and DateTime64 to 2299, long after the last listed transition.

use jiff::tz::{AmbiguousOffset, TimeZone};

/// A named zone, checked once per column.
#[derive(Clone, Debug)]
pub struct Zone(TimeZone);

impl Zone {
    pub fn named(name: &str) -> Result<Zone, String> {
        TimeZone::get(name)
            .map(Zone)
            .map_err(|_| format!("unknown time zone '{name}'"))
    }

    /// The UTC offset, in seconds, of wall time `local` (seconds since 1970-01-01 00:00 on
    /// the wall clock). In a repeated hour the earlier instant wins; in a skipped one the
    /// offset before the gap applies (as ClickHouse reads such text).
    pub fn offset_of_wall_time(&self, local: i64) -> Result<i64, &'static str> {
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let out_of_range = "date-time out of range";
        let year = i16::try_from(y).map_err(|_| out_of_range)?;
        let wall = jiff::civil::DateTime::new(
            year,
            m as i8,
            d as i8,
            (secs / 3600) as i8,
            (secs / 60 % 60) as i8,
            (secs % 60) as i8,
            0,
        )
        .map_err(|_| out_of_range)?;
        let offset = match self.0.to_ambiguous_timestamp(wall).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset,
            AmbiguousOffset::Gap { before, .. } | AmbiguousOffset::Fold { before, .. } => before,
        };
        Ok(i64::from(offset.seconds()))
    }
}

/// (year, month, day) of a day number counted from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::values::days_from_civil;

    fn wall(y: i64, mo: u32, d: u32, h: i64, mi: i64) -> i64 {
        days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60
    }

    #[test]
    fn daylight_saving_applies_past_the_transition_tables() {
        let ams = Zone::named("Europe/Amsterdam").unwrap();
        for year in [2024, 2099, 2100, 2103, 2299] {
            assert_eq!(
                ams.offset_of_wall_time(wall(year, 6, 6, 1, 27)),
                Ok(7200),
                "{year}"
            );
            assert_eq!(
                ams.offset_of_wall_time(wall(year, 1, 6, 1, 27)),
                Ok(3600),
                "{year}"
            );
        }
        let sydney = Zone::named("Australia/Sydney").unwrap();
        assert_eq!(
            sydney.offset_of_wall_time(wall(2250, 1, 1, 12, 0)),
            Ok(11 * 3600)
        );
        assert_eq!(
            sydney.offset_of_wall_time(wall(2250, 7, 1, 12, 0)),
            Ok(10 * 3600)
        );
    }

    #[test]
    fn folds_take_the_earlier_instant_and_gaps_the_offset_before() {
        let ny = Zone::named("America/New_York").unwrap();
        assert_eq!(
            ny.offset_of_wall_time(wall(2024, 11, 3, 1, 30)),
            Ok(-4 * 3600)
        );
        assert_eq!(
            ny.offset_of_wall_time(wall(2024, 3, 10, 2, 30)),
            Ok(-5 * 3600)
        );
        let monrovia = Zone::named("Africa/Monrovia").unwrap();
        assert_eq!(
            monrovia.offset_of_wall_time(wall(1960, 6, 6, 1, 27)),
            Ok(-2670)
        );
    }

    #[test]
    fn civil_days_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert!(Zone::named("Mars/Olympus").is_err());
    }
}
