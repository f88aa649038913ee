//! Rate specs (SEMANTICS-tokens §5): `<count>/<unit>`, e.g. `10/hour`. Enforcement lives in the
//! engine; this module only parses and compares.

use crate::error::{Error, ErrorCode, Result};

/// A parsed rate spec: at most `count` calls per `window_seconds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RateSpec {
    /// Calls allowed per window (0 always denies).
    pub count: u32,
    /// The window length in seconds (1, 60, 3600 or 86400).
    pub window_seconds: u32,
}

impl RateSpec {
    /// Parses a rate spec; `INVALID_RATE_SPEC` for anything outside the grammar.
    pub fn parse(spec: &str) -> Result<RateSpec> {
        let bad = || {
            Error::new(
                ErrorCode::InvalidRateSpec,
                format!(
                    "invalid rate spec {:?}: expected <count>/<unit>",
                    truncate(spec)
                ),
            )
        };
        let (count, unit) = spec.split_once('/').ok_or_else(bad)?;
        let cb = count.as_bytes();
        if cb.is_empty()
            || cb.len() > 9
            || !cb.iter().all(u8::is_ascii_digit)
            || (cb.len() > 1 && cb[0] == b'0')
        {
            return Err(bad());
        }
        let count: u32 = count.parse().map_err(|_| bad())?;
        let window_seconds = match unit {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hr" | "hour" => 3600,
            "d" | "day" => 86400,
            _ => return Err(bad()),
        };
        Ok(RateSpec {
            count,
            window_seconds,
        })
    }

    /// The window in milliseconds (the engine's unit).
    pub fn window_ms(&self) -> u64 {
        self.window_seconds as u64 * 1000
    }

    /// True iff `self` allows strictly more calls per unit of time than `other`.
    pub fn is_looser_than(&self, other: &RateSpec) -> bool {
        (self.count as u64) * (other.window_seconds as u64)
            > (other.count as u64) * (self.window_seconds as u64)
    }
}

impl std::str::FromStr for RateSpec {
    type Err = Error;
    fn from_str(s: &str) -> Result<RateSpec> {
        RateSpec::parse(s)
    }
}

pub(crate) fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parse() {
        assert_eq!(
            RateSpec::parse("10/hour").unwrap(),
            RateSpec {
                count: 10,
                window_seconds: 3600
            }
        );
        assert_eq!(RateSpec::parse("0/s").unwrap().count, 0);
        assert_eq!(RateSpec::parse("999999999/d").unwrap().count, 999_999_999);
        for bad in [
            "",
            "/h",
            "10/",
            "+1/h",
            "01/h",
            "1/hours",
            "1/H",
            " 1/h",
            "1 /h",
            "1/ h",
            "1000000000/h",
            "-1/h",
            "1/h/h",
        ] {
            assert_eq!(
                RateSpec::parse(bad).unwrap_err().code(),
                ErrorCode::InvalidRateSpec,
                "{bad}"
            );
        }
        assert!(RateSpec::parse("2/s")
            .unwrap()
            .is_looser_than(&RateSpec::parse("100/min").unwrap()));
    }
}
