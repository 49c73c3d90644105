//! When a call is sent again: idempotency, retryable outcomes, `Retry-After`, and
//! capped exponential backoff with jitter.

use crate::auth::BoxFuture;
use reqwest::header::{HeaderMap, HeaderName, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How a connector (or one call) retries.
///
/// Retried by default: `GET`, `PUT`, `DELETE` (idempotent by RFC 9110), on a
/// connection error, a timeout before any response, `429`, `502`, `503` and `504`.
/// `POST` and `PATCH` are never retried automatically, because the first attempt may
/// have taken effect; a call opts in with
/// [`ActionRequest::idempotent`](crate::ActionRequest::idempotent) or by sending an
/// `Idempotency-Key` header.
///
/// A `Retry-After` (seconds or HTTP-date) is honoured; one longer than
/// [`max_retry_after`](Self::max_retry_after) ends the retries (sending earlier would
/// be refused again), and the last response is returned. Otherwise the delay is
/// capped exponential backoff with full jitter. Attempts and total time are bounded.
///
/// ```
/// use action_core::RetryPolicy;
/// use std::time::Duration;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .backoff(Duration::from_millis(100), Duration::from_secs(5))
///     .max_retry_after(Duration::from_secs(120));
/// assert_eq!(policy.attempts(), 5);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
    max_total: Duration,
    sleep: Option<Sleep>,
}

/// Waits for a delay; replaceable so tests need not wait in real time.
type Sleep = Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>;

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 250 ms to 8 s, `Retry-After` up to 30 s, 60 s in all.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
            max_total: Duration::from_secs(60),
            sleep: None,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// At most this many attempts in all (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Backoff: the first retry waits up to `base`, each later one twice as long,
    /// never more than `max` (the actual wait is drawn at random below that bound).
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    /// The longest `Retry-After` to wait for; a longer one ends the retries.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// No retry starts later than this after the first attempt.
    pub fn max_total(mut self, max: Duration) -> Self {
        self.max_total = max;
        self
    }

    /// Waits with `sleep` instead of `tokio::time::sleep` (tests use it to record
    /// delays without waiting).
    pub fn sleep_with(
        mut self,
        sleep: impl Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync + 'static,
    ) -> Self {
        self.sleep = Some(Arc::new(sleep));
        self
    }

    /// The most attempts a call makes.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay before attempt `attempt + 1` after a retryable outcome, or `None`
    /// when the call should stop: attempts or time used up, or a `Retry-After`
    /// beyond the maximum.
    pub(crate) fn next_delay(
        &self,
        attempt: u32,
        elapsed: Duration,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let delay = match retry_after {
            Some(wait) if wait > self.max_retry_after => return None,
            Some(wait) => wait,
            None => self.backoff_delay(attempt),
        };
        (elapsed + delay <= self.max_total).then_some(delay)
    }

    /// Full jitter: uniform in `[0, min(max, base * 2^(attempt-1))]`.
    fn backoff_delay(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let cap = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(if nanos == 0 {
            0
        } else {
            random() % (nanos + 1)
        })
    }

    pub(crate) async fn sleep(&self, delay: Duration) {
        match &self.sleep {
            Some(sleep) => sleep(delay).await,
            None => tokio::time::sleep(delay).await,
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("max_retry_after", &self.max_retry_after)
            .field("max_total", &self.max_total)
            .finish_non_exhaustive()
    }
}

/// Methods that may be sent twice with the effect of once (RFC 9110 §9.2.2).
pub(crate) fn is_idempotent(method: &Method, headers: &HeaderMap) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    ) || headers.contains_key(IDEMPOTENCY_KEY)
}

/// A constant name: looking up a `&str` would parse it on every call.
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// Statuses that say "try again later".
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// Transport failures before any response: nothing was processed, or the request
/// is idempotent anyway.
pub(crate) fn is_retryable_error(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_timeout() || error.is_request()
}

/// `Retry-After` as a delay: delay-seconds, or an HTTP-date (in the past: zero).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still "a very long time".
        return Some(
            value
                .parse::<u64>()
                .map_or(Duration::MAX, Duration::from_secs),
        );
    }
    let at = parse_http_date(value)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now)))
}

/// Seconds since the Unix epoch of an HTTP-date in any of the three formats RFC 9110
/// §5.6.7 requires recipients to accept: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37
/// GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6
/// 08:49:37 1994`).
pub(crate) fn parse_http_date(text: &str) -> Option<u64> {
    let normalized = text.replace([',', '-'], " ");
    let tokens: Vec<&str> = normalized.split_whitespace().collect();
    let (day, month, year, time) = match tokens.as_slice() {
        [_, day, month, year, time, "GMT"] => (*day, *month, *year, *time),
        [_, month, day, time, year] => (*day, *month, *year, *time),
        _ => return None,
    };
    let day: u64 = day.parse().ok()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u64 + 1;
    let mut year: u64 = year.parse().ok()?;
    if year < 100 {
        // RFC 850's two-digit years: the nearest century that is not the future.
        year += if year < 70 { 2000 } else { 1900 };
    }
    let mut clock = time.split(':').map(|part| part.parse::<u64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
        || !(1970..=9999).contains(&year)
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Days since 1970-01-01 of a Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A fast, non-cryptographic random number for jitter (xorshift64*).
fn random() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let step = |mut x: u64| {
        if x == 0 {
            x = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64)
                | 1;
        }
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x
    };
    // Compare-and-swap, so concurrent calls never draw the same jitter.
    let previous = STATE
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |x| Some(step(x)))
        .unwrap_or_default();
    step(previous).wrapping_mul(0x2545_F491_4F6C_DD1D)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn http_dates_parse_in_all_three_formats() {
        let expected = Some(784_111_777);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), expected);
        assert_eq!(
            parse_http_date("Thu, 03 Dec 2026 12:34:56 GMT"),
            Some(1_796_301_296)
        );
        assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("06 Nov 1994"), None);
        assert_eq!(parse_http_date("Sun, 32 Nov 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        assert_eq!(
            retry_after(&headers),
            Some(Duration::ZERO),
            "a past date: now"
        );
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Fri, 01 Jan 2100 00:00:00 GMT"),
        );
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let wait = retry_after(&headers).unwrap().as_secs();
        assert!(
            (4_102_444_799 - now..=4_102_444_800 - now).contains(&wait),
            "{wait}"
        );
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("99999999999999999999"),
        );
        assert_eq!(
            retry_after(&headers),
            Some(Duration::MAX),
            "longer than any maximum"
        );
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Sun, 06 Nov 1000000000000 08:49:37 GMT"),
        );
        assert_eq!(retry_after(&headers), None, "no overflow");
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn delays_follow_the_policy() {
        let policy = RetryPolicy::default()
            .max_attempts(4)
            .backoff(Duration::from_millis(100), Duration::from_millis(250))
            .max_retry_after(Duration::from_secs(10))
            .max_total(Duration::from_secs(20));
        for _ in 0..200 {
            let first = policy.next_delay(1, Duration::ZERO, None).unwrap();
            assert!(first <= Duration::from_millis(100));
            let third = policy.next_delay(3, Duration::ZERO, None).unwrap();
            assert!(third <= Duration::from_millis(250), "capped: {third:?}");
        }
        assert_eq!(
            policy.next_delay(4, Duration::ZERO, None),
            None,
            "attempts used up"
        );
        let wait = Some(Duration::from_secs(3));
        assert_eq!(
            policy.next_delay(1, Duration::ZERO, wait),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            policy.next_delay(1, Duration::from_secs(18), wait),
            None,
            "out of time"
        );
        assert_eq!(
            policy.next_delay(1, Duration::ZERO, Some(Duration::from_secs(11))),
            None
        );
        assert_eq!(
            RetryPolicy::none().next_delay(1, Duration::ZERO, None),
            None
        );
    }

    #[test]
    fn only_idempotent_methods_or_keyed_requests_retry() {
        let none = HeaderMap::new();
        assert!(is_idempotent(&Method::GET, &none));
        assert!(is_idempotent(&Method::PUT, &none));
        assert!(is_idempotent(&Method::DELETE, &none));
        assert!(!is_idempotent(&Method::POST, &none));
        assert!(!is_idempotent(&Method::PATCH, &none));
        let mut keyed = HeaderMap::new();
        keyed.insert("idempotency-key", HeaderValue::from_static("k-1"));
        assert!(is_idempotent(&Method::POST, &keyed));
    }
}
