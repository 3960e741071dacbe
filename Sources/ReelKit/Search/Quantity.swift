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
                field == "dur" || components == 0
            else {
                throw value.error("\"\(text)\" is not a \(noun)", hint: "write e.g. \(hint)")
            }
            let decimals = number.firstIndex(of: ".").map { number.distance(from: $0, to: number.endIndex) - 1 } ?? 0
            total += amount * factor
            step = pow(10, -Double(decimals)) * factor
            rest = rest.dropFirst(number.count + unit.count)
            components += 1
        }
        guard components > 0, total <= 1e18 else { throw value.error("\"\(text)\" is not a \(noun)", hint: "write e.g. \(hint)") }
        return Interval(lower: total - step / 2, upper: total + step / 2, exact: total)
    }
}
