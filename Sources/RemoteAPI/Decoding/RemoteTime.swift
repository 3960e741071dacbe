import Foundation

/// Times as the remotes send them: ISO-8601 (any number of fractional digits, `Z`, `+00:00`,
/// `+0000` or no offset, which is taken as UTC), unix seconds as a number or a numeric string (int
/// or float; values from 1e11 up are taken as milliseconds), and the "unset" values
/// `0001-01-01T00:00:00Z` (any time in year 1 or before) and `0`, which read as no time at all.
enum RemoteTime {
    /// What a time field held.
    enum Reading: Equatable {
        case time(Date)
        case unset
        case invalid
    }

    /// Reads a JSON value: a string or a number.
    static func read(_ value: JSONValue) -> Reading {
        switch value.kind {
        case .null: return .unset
        case .number: return value.double.map(unix) ?? .invalid
        case .string:
            let node = value.node
            // An escaped time is not worth a fast path.
            if node.flag {
                guard var copy = value.string else { return .invalid }
                return copy.withUTF8 { Self.text(in: $0) }
            }
            return text(in: value.document.slice(node.start, node.end))
        default: return .invalid
        }
    }

    /// Reads a time from text: ISO-8601 or a unix number; blank text is unset.
    static func text(in raw: UnsafeBufferPointer<UInt8>) -> Reading {
        var lower = 0
        var upper = raw.count
        while lower < upper, raw[lower] == 0x20 { lower += 1 }
        while upper > lower, raw[upper - 1] == 0x20 { upper -= 1 }
        let bytes = UnsafeBufferPointer(rebasing: raw[lower..<upper])
        guard !bytes.isEmpty else { return .unset }
        if bytes.count >= 10, bytes[4] == UInt8(ascii: "-") { return iso(bytes) }
        return NumberText.double(bytes).map(unix) ?? .invalid
    }

    /// Unix seconds (or milliseconds, from 1e11 up: no remote dates anything in the year 5138).
    static func unix(_ value: Double) -> Reading {
        if value == 0 { return .unset }
        guard value.isFinite, abs(value) < 1e14 else { return .invalid }
        return .time(Date(timeIntervalSince1970: abs(value) >= 1e11 ? value / 1000 : value))
    }

    /// `YYYY-MM-DD[(T|t| )HH:MM[:SS[(.|,)fraction]][Z|z|±HH[:]MM|±HH]]`.
    static func iso(_ b: UnsafeBufferPointer<UInt8>) -> Reading {
        var i = 0
        func number(_ digits: Int) -> Int? {
            guard i + digits <= b.count else { return nil }
            var value = 0
            for k in 0..<digits {
                let d = b[i + k] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                value = value * 10 + Int(d)
            }
            i += digits
            return value
        }
        func take(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), take(UInt8(ascii: "-")), let month = number(2), take(UInt8(ascii: "-")),
            let day = number(2), (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return .invalid }
        var (hour, minute, second, fraction, offset) = (0, 0, 0, 0.0, 0)
        if i < b.count {
            guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == 0x20 else { return .invalid }
            i += 1
            guard let h = number(2), take(UInt8(ascii: ":")), let m = number(2), h < 24, m < 60 else { return .invalid }
            (hour, minute) = (h, m)
            if take(UInt8(ascii: ":")) {
                guard let s = number(2), s <= 60 else { return .invalid }
                second = s
                if take(UInt8(ascii: ".")) || take(UInt8(ascii: ",")) {
                    var digits = 0
                    var scaled = 0
                    while i < b.count, b[i] &- UInt8(ascii: "0") < 10 {
                        // Nanoseconds are all a Date can hold; further digits are read and dropped.
                        if digits < 9 {
                            scaled = scaled * 10 + Int(b[i] - UInt8(ascii: "0"))
                            digits += 1
                        }
                        i += 1
                    }
                    guard digits > 0 else { return .invalid }
                    var divisor = 1.0
                    for _ in 0..<digits { divisor *= 10 }
                    fraction = Double(scaled) / divisor
                }
            }
            if take(UInt8(ascii: "Z")) || take(UInt8(ascii: "z")) {
            } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = number(2), oh < 24 else { return .invalid }
                _ = take(UInt8(ascii: ":"))
                let om = i < b.count ? number(2) : 0
                guard let om, om < 60 else { return .invalid }
                offset = sign * (oh * 3600 + om * 60)
            }
            guard i == b.count else { return .invalid }
        }
        if year <= 1 { return .unset }
        let seconds = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return .time(Date(timeIntervalSince1970: Double(seconds) + fraction))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil): no Calendar, which costs more than
    /// the rest of an item.
    private static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
