import Foundation

/// Numbers with units as the query language reads them: durations (`5s`, `1.5m`, `1m30s`, `500ms`; a bare
/// number is seconds), sizes (`10MB`, `1.5GB`, `300KiB`; a bare number is bytes; KB/MB/GB are powers of
/// 1000, KiB/MiB/GiB of 1024), pixels (`1080`, `1080px`) and frame rates (`24`, `29.97fps`).
///
/// A value stands for everything that rounds to it: `5s` is [4.5 s, 5.5 s), `5.5s` is [5.45 s, 5.55 s);
/// comparisons (`>5s`) use the exact value.
enum Quantity {
    static let durationUnits: [String: Double] = ["ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600]
    static let sizeUnits: [String: Double] = [
        "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
        "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776,
    ]

    static func parse(_ text: String, as field: String, field value: FieldValue) throws(QueryError) -> Interval<Double> {
        let lower = text.lowercased()
        let (units, noun, hint): ([String: Double], String, String) =
            switch field {
            case "dur": (durationUnits, "duration", "5s, 1.5m, 1m30s or 500ms")
            case "size": (sizeUnits, "size", "800KB, 10MB or 1.5GB")
            case "fps": (["fps": 1], "frame rate", "24 or 29.97")
            default: (["px": 1], "number of pixels", "1080")
            }
        guard let (total, step) = measure(lower, units: units, severalParts: field == "dur") else {
            throw value.error("\"\(text)\" is not a \(noun)", hint: "write e.g. \(hint)")
        }
        return Interval(lower: total - step / 2, upper: total + step / 2, exact: total)
    }

    /// Reads `text` (lowercased) as numbers with units from `units` (a bare number has factor 1): its
    /// value and the step its last digit stands for; nil when it is not one. Only durations are written in
    /// `severalParts` (`1m30s`).
    static func measure(_ lower: String, units: [String: Double], severalParts: Bool) -> (total: Double, step: Double)? {
        var total = 0.0
        var step = 0.0
        var rest = Substring(lower)
        var components = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            let unit = rest.dropFirst(number.count).prefix { $0.isLetter }
            guard let amount = Double(number), number.first != ".", amount.isFinite,
                let factor = unit.isEmpty ? 1 : units[String(unit)],
                !unit.isEmpty || rest.count == number.count,
                severalParts || components == 0
            else { return nil }
            let decimals = number.firstIndex(of: ".").map { number.distance(from: $0, to: number.endIndex) - 1 } ?? 0
            total += amount * factor
            step = pow(10, -Double(decimals)) * factor
            rest = rest.dropFirst(number.count + unit.count)
            components += 1
        }
        guard components > 0, total <= 1e18 else { return nil }
        return (total, step)
    }
}

/// A number of bytes as people write one: `500MB`, `1.5GB` (powers of 1000), `2GiB`, `300KiB` (powers of
/// 1024), or plain bytes (`1048576`); the units the search language's `size:` takes, in any case, with or
/// without a space.
public enum ByteSize {
    /// The whole number of bytes `text` says, rounded down; nil when it is not a size.
    public static func parse(_ text: String) -> Int64? {
        guard let (total, _) = Quantity.measure(text.lowercased().filter { $0 != " " }, units: Quantity.sizeUnits, severalParts: false) else { return nil }
        return Int64(total)
    }

    /// `bytes` in the largest unit (of 1024) that writes it exactly, as `parse` reads it back: "2 GiB",
    /// "500 MB", "1048577 bytes".
    public static func describe(_ bytes: Int64) -> String {
        for (unit, factor) in [("TiB", Int64(1) << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KiB", 1024), ("kB", 1000)]
        where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor) \(unit)"
        }
        return "\(bytes) byte\(bytes == 1 ? "" : "s")"
    }
}
