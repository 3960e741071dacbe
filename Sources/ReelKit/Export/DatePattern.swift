import Foundation

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A strftime pattern (`%Y-%m-%d`) for `{created:…}`, formatted in a given time zone.
///
/// The process's `TZ` is never read or changed (no `localtime_r`, no `tzset`): the broken-down time comes
/// from `gmtime_r` of the instant shifted by the zone's offset, with the offset and abbreviation filled in
/// for `%z` and `%Z`. Names come from the C locale (`%A` is `Monday` everywhere), so exports are the same
/// on every machine. Safe to use from any thread.
struct DatePattern: Sendable, Equatable {
    let pattern: String

    /// `{created}` alone: ISO-like, without colons (Windows refuses them).
    static let standard = DatePattern(checked: "%Y-%m-%dT%H%M%S")

    /// Conversions that depend on nothing but the date, the zone and the C locale. Not `%s`: glibc computes
    /// it with `mktime`, in the process's zone. Not `%E`/`%O` forms or widths: nothing a file name needs.
    private static let conversions = Set("aAbBcCdDeFgGhHIjklmMnprRStTuUVwWxXyYzZ%")
    /// Padding flags (glibc and the BSDs): `%-d` is `5`, `%_d` is ` 5`, `%^a` is `MON`.
    private static let flags = Set("-_0^#")

    private init(checked pattern: String) { self.pattern = pattern }

    /// A pattern checked for conversions strftime knows.
    init(parsing pattern: String) throws(Failure) {
        let characters = Array(pattern)
        var index = 0
        var conversionCount = 0
        while index < characters.count {
            defer { index += 1 }
            guard characters[index] == "%" else { continue }
            let start = index
            index += 1
            if index < characters.count, Self.flags.contains(characters[index]) { index += 1 }
            guard index < characters.count, Self.conversions.contains(characters[index]) else {
                let text = String(characters[start..<min(index + 1, characters.count)])
                throw .unknownConversion(text, offset: start)
            }
            if characters[index] != "%" { conversionCount += 1 }
        }
        guard conversionCount > 0 else { throw .noConversion }
        self.pattern = pattern
    }

    /// Why a pattern cannot be used.
    enum Failure: Error, Equatable {
        /// A `%` sequence strftime does not know, at this character offset.
        case unknownConversion(String, offset: Int)
        /// Plain text: every clip would get the same "date".
        case noConversion
    }

    /// The date as the pattern formats it in `timeZone`; empty if the system cannot represent the year.
    func string(from date: Date, in timeZone: TimeZone) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "" }
        var shifted = time_t(seconds) + time_t(offset)
        var parts = tm()
        guard gmtime_r(&shifted, &parts) != nil else { return "" }
        parts.tm_gmtoff = offset
        parts.tm_isdst = timeZone.isDaylightSavingTime(for: date) ? 1 : 0
        // An empty tm_zone would make glibc's %Z fall back to the process's zone.
        let abbreviation = timeZone.abbreviation(for: date).flatMap { $0.isEmpty ? nil : $0 } ?? "GMT"
        return abbreviation.withCString { zone in
            #if canImport(Darwin)
            parts.tm_zone = UnsafeMutablePointer(mutating: zone)
            #else
            parts.tm_zone = zone
            #endif
            return Self.format(pattern, &parts)
        }
    }

    /// strftime in the C locale, growing the buffer while the result does not fit (strftime then returns 0,
    /// as it does for an empty result, hence the bound).
    private static func format(_ pattern: String, _ parts: inout tm) -> String {
        var capacity = 256
        while capacity <= 65_536 {
            var buffer = [CChar](repeating: 0, count: capacity)
            let count = strftime_l(&buffer, capacity, pattern, &parts, cLocale)
            if count > 0 {
                return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity *= 4
        }
        return ""
    }

    /// The C locale for names and formats; only read after creation, which POSIX allows from any thread.
    private nonisolated(unsafe) static let cLocale = newlocale(LC_TIME_MASK | LC_CTYPE_MASK, "C", nil)
}
