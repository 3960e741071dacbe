#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCurl

/// How long to wait before trying again: exponential backoff with full jitter, capped, and the server's
/// `Retry-After` when it sent one. This layer never retries by itself; the sync engine asks.
public struct RetryPolicy: Sendable {
    /// The ceiling of the first retry's delay; it doubles with each attempt.
    public var base: Duration
    /// The highest ceiling backoff reaches.
    public var cap: Duration
    /// The longest `Retry-After` honoured; a server asking for more gets this (the caller may give up instead).
    public var maxRetryAfter: Duration

    /// A policy; the defaults suit API calls and media downloads alike.
    public init(base: Duration = .milliseconds(500), cap: Duration = .seconds(30), maxRetryAfter: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
        self.maxRetryAfter = maxRetryAfter
    }

    /// The statuses worth retrying: timeouts, rate limits and passing server trouble.
    public static func isRetryable(status: Int) -> Bool {
        [408, 425, 429, 500, 502, 503, 504].contains(status)
    }

    /// The wait before retry number `attempt` (1 after the first failure).
    ///
    /// Without `Retry-After`: a uniformly random time between zero and `min(cap, base × 2^(attempt−1))`
    /// ("full jitter", so that many clients failing together do not retry together). With it: the time it
    /// names (seconds or an HTTP date), at most `maxRetryAfter`, plus up to `base` of jitter.
    public func delay(attempt: Int, retryAfter: String? = nil) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(attempt: attempt, retryAfter: retryAfter, now: Int64(time(nil)), using: &generator)
    }

    /// `delay(attempt:retryAfter:)` at a given time (seconds since 1970) with a given source of randomness.
    public func delay(
        attempt: Int, retryAfter: String?, now: Int64, using generator: inout some RandomNumberGenerator
    ) -> Duration {
        if let retryAfter, let seconds = Self.retryAfterSeconds(retryAfter, now: now) {
            let asked = min(Duration.seconds(seconds), maxRetryAfter)
            return asked + Self.jitter(upTo: base, &generator)
        }
        // base × 2^(attempt−1), computed in floating point so that a large attempt cannot overflow.
        let exponent = Double(min(max(attempt, 1) - 1, 62))
        let ceiling = min(Double(Self.nanoseconds(base)) * pow(2, exponent), Double(Self.nanoseconds(cap)))
        return Self.jitter(upTo: .nanoseconds(Int64(ceiling)), &generator)
    }

    private static func jitter(upTo ceiling: Duration, _ generator: inout some RandomNumberGenerator) -> Duration {
        let nanoseconds = max(0, Self.nanoseconds(ceiling))
        return .nanoseconds(nanoseconds == 0 ? 0 : Int64.random(in: 0...nanoseconds, using: &generator))
    }

    /// A `Retry-After` value in seconds from `now`: a number of seconds, or an HTTP date (a past date is 0).
    /// Nil when it is neither.
    public static func retryAfterSeconds(_ value: String, now: Int64) -> Int64? {
        let text = Substring(value).trimmingSpaces()
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            return Int64(text) ?? Int64.max
        }
        // curl_getdate reads all three date forms RFC 9110 allows.
        let date = curl_getdate(text, nil)
        guard date != -1 else { return nil }
        return max(0, Int64(date) - now)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : whole &+ attoseconds / 1_000_000_000
    }
}
