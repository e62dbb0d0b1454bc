//! Reading the server's `retry-after-ms` / `retry-after` headers defensively.
//!
//! The values come from whatever answers at `LITELLM_URL` and are untrusted: `inf`,
//! `1e400` (which parses to infinity), `NaN`, negative numbers, dates far in the future or
//! garbage must never panic (`Duration::from_secs_f64` does on a non-finite value) nor make
//! the agent sleep for hours. A value that is not a finite number is ignored (the normal
//! backoff applies); a finite one is clamped to `0..=RETRY_AFTER_CAP`. The caller still
//! gives up when the delay would pass the run's deadline.

use std::time::Duration;

/// The longest delay a server may ask for; longer requests are cut to this.
pub(crate) const RETRY_AFTER_CAP: Duration = Duration::from_secs(3600);

/// The delay the headers ask for, if any is usable.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(delay) = get("retry-after-ms").and_then(|v| seconds(v, 1000.0)) {
        return Some(delay);
    }
    let value = get("retry-after")?;
    if let Some(delay) = seconds(value, 1.0) {
        return Some(delay);
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?;
    let cap = i64::try_from(RETRY_AFTER_CAP.as_secs()).unwrap_or(i64::MAX);
    let secs = when
        .timestamp()
        .as_second()
        .saturating_sub(jiff::Timestamp::now().as_second())
        .clamp(0, cap);
    Some(Duration::from_secs(secs.unsigned_abs()))
}

/// `text` as a number of `1/per_second` units, clamped into `0..=RETRY_AFTER_CAP`; `None`
/// when it is not a finite number.
fn seconds(text: &str, per_second: f64) -> Option<Duration> {
    let value = text.parse::<f64>().ok().filter(|v| v.is_finite())? / per_second;
    let secs = value.clamp(0.0, RETRY_AFTER_CAP.as_secs_f64());
    Duration::try_from_secs_f64(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> reqwest::header::HeaderMap {
        let mut map = reqwest::header::HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(value) = value.parse() {
                map.insert(*name, value);
            }
        }
        map
    }

    #[test]
    fn usable_values_are_read() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "2")])),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "2"), ("retry-after-ms", "150")])),
            Some(Duration::from_millis(150))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after-ms", "-5")])),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn hostile_values_never_panic_and_are_capped() {
        for bad in [
            "inf", "-inf", "infinity", "1e400", "-1e400", "NaN", "nan", "x", "",
        ] {
            for name in ["retry-after-ms", "retry-after"] {
                let got = retry_after(&headers(&[(name, bad)]));
                assert_eq!(got, None, "{name}: {bad}");
            }
        }
        assert_eq!(
            retry_after(&headers(&[("retry-after-ms", "1e300")])),
            Some(RETRY_AFTER_CAP)
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "99999999999")])),
            Some(RETRY_AFTER_CAP)
        );
        // A non-finite ms value falls back to the seconds header.
        assert_eq!(
            retry_after(&headers(&[("retry-after-ms", "inf"), ("retry-after", "1")])),
            Some(Duration::from_secs(1))
        );
        let far = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 365);
        let far = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&far)
            .unwrap_or_default();
        assert_eq!(
            retry_after(&headers(&[("retry-after", &far)])),
            Some(RETRY_AFTER_CAP),
            "{far}"
        );
    }
}
