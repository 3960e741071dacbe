import Catalog
import Foundation
import SQLite

/// What each `field:value` of the query language means, as SQL over the alias `g`.
///
/// A value stands for everything that rounds to it: `dur:5s` is 4.5 to 5.5 seconds, `dur:5..10` runs to
/// 10.5 s; `created:2024-06` is the whole month, so `created:>2024-06` starts in July and
/// `created:..2024-06` ends with it. Comparisons of numbers use the number itself: `dur:>5s` is more than
/// 5.0 s. Calendar dates are in the local time zone.
struct QueryFields {
    let now: Date
    let calendar: Calendar

    init(now: Date, timeZone: TimeZone) {
        self.now = now
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    static let names = [
        "state", "tag", "model", "aspect", "res", "w", "h", "dur", "fps", "codec", "size", "liked", "remote",
        "created", "has", "is",
    ]

    /// The condition `name:value` stands for; `value` may hold alternatives (`a|b`).
    func condition(name: String, value: String, token: QueryToken) throws(QueryError) -> GenerationFilter {
        let field = FieldValue(name: name, token: token)
        guard Self.names.contains(name) else {
            throw QueryError(
                "unknown field \"\(name)\"", token: token.source, column: token.column,
                hint: "fields are \(Self.names.joined(separator: ", ")); to search for the text, quote it")
        }
        guard !value.isEmpty else {
            throw field.error("\(name): needs a value", hint: "e.g. \(Self.example[name] ?? "\(name):value")")
        }
        let alternatives = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        var conditions: [GenerationFilter] = []
        for alternative in alternatives {
            guard !alternative.isEmpty else { throw field.error("an empty alternative in \"\(value)\"") }
            conditions.append(try condition(field, alternative))
        }
        return .anyOf(conditions)
    }

    static let example = [
        "state": "state:completed", "tag": "tag:noir", "model": "model:ray-2", "aspect": "aspect:9:16",
        "res": "res:720p", "w": "w:>=1280", "h": "h:1080", "dur": "dur:>5s", "fps": "fps:24", "codec": "codec:h264",
        "size": "size:>10MB", "liked": "liked:yes", "remote": "remote:luma", "created": "created:2024-06",
        "has": "has:audio", "is": "is:downloaded",
    ]

    private func condition(_ field: FieldValue, _ value: String) throws(QueryError) -> GenerationFilter {
        let lower = value.lowercased()
        switch field.name {
        case "state":
            guard let state = Self.states[lower] else {
                throw field.error("unknown state \"\(value)\"", hint: "states are queued, running, completed, failed, unknown")
            }
            return GenerationFilter(sql: "g.state = ?", parameters: [.text(state)])
        case "tag":
            // Stored names are NFC and lowercased (TagName); so is what is looked up.
            let typed = value.hasPrefix("#") ? String(value.dropFirst()) : value
            let name = typed.precomposedStringWithCanonicalMapping.lowercased()
            return Self.textMatch(
                "g.id IN (SELECT gt.generation_id FROM generation_tags gt JOIN tags t ON t.id = gt.tag_id WHERE t.name %@)",
                name)
        case "model":
            return Self.textMatch("lower(g.model) %@", lower)
        case "remote":
            if lower == "none" { return GenerationFilter(sql: "g.remote IS NULL") }
            return GenerationFilter(sql: "g.remote = ?", parameters: [.text(value)])
        case "codec":
            let codec = Self.codecAliases[lower] ?? lower
            return GenerationFilter(
                sql: "EXISTS (SELECT 1 FROM media m JOIN media_info i ON i.blob_sha256 = m.blob_sha256 "
                    + "WHERE m.generation_id = g.id AND m.role IN ('video_raw', 'video') AND m.state = 'stored' "
                    + "AND (lower(i.video_codec) = ? OR lower(i.audio_codec) = ?))",
                parameters: [.text(codec), .text(codec)])
        case "liked":
            switch lower {
            case "yes", "true", "1": return GenerationFilter(sql: "g.liked = 1")
            case "no", "false", "0": return GenerationFilter(sql: "coalesce(g.liked, 0) = 0")
            default: throw field.error("liked: is yes or no")
            }
        case "has":
            guard let sql = Self.has[lower] else {
                throw field.error("unknown has:\(value)", hint: "has: video, audio, thumbnail, lastframe, image, tags")
            }
            return GenerationFilter(sql: sql)
        case "is":
            guard let sql = Self.is[lower] else {
                throw field.error("unknown is:\(value)", hint: "is: downloaded, pending, missing, local, remote, created")
            }
            return GenerationFilter(sql: sql)
        case "aspect":
            return try aspect(field, lower)
        case "res":
            return try resolution(field, lower)
        case "w", "h", "dur", "fps", "size":
            let expression = Self.numericExpression[field.name]!
            return try field.compare(expression, value) { text throws(QueryError) in
                try Quantity.parse(text, as: field.name, field: field)
            }
        case "created":
            return try field.compare("g.created_at", value) { text throws(QueryError) in
                try dateInterval(text, field: field)
            }
        default:
            throw field.error("unknown field \"\(field.name)\"")
        }
    }

    static let states: [String: String] = [
        "queued": "queued", "pending": "queued", "running": "running", "processing": "running",
        "dreaming": "running", "completed": "completed", "complete": "completed", "done": "completed",
        "failed": "failed", "error": "failed", "unknown": "unknown",
    ]

    static let codecAliases = ["avc": "h264", "h.264": "h264", "h265": "hevc", "h.265": "hevc"]

    /// The generation's stored video (the unwatermarked one first), and one fact of it.
    static func videoFact(_ expression: String, from table: String = "media_info i ON i.blob_sha256") -> String {
        "(SELECT \(expression) FROM media m JOIN \(table) = m.blob_sha256 WHERE m.generation_id = g.id "
            + "AND m.role IN ('video_raw', 'video') AND m.state = 'stored' ORDER BY m.role = 'video_raw' DESC LIMIT 1)"
    }

    static let storedVideo =
        "EXISTS (SELECT 1 FROM media m WHERE m.generation_id = g.id AND m.role IN ('video_raw', 'video') AND m.state = 'stored')"

    static func stored(_ role: String) -> String {
        "EXISTS (SELECT 1 FROM media m WHERE m.generation_id = g.id AND m.role = '\(role)' AND m.state = 'stored')"
    }

    static let has: [String: String] = [
        "video": storedVideo,
        "audio": "EXISTS (SELECT 1 FROM media m JOIN media_info i ON i.blob_sha256 = m.blob_sha256 WHERE m.generation_id = g.id "
            + "AND m.role IN ('video_raw', 'video') AND m.state = 'stored' AND i.audio_codec IS NOT NULL)",
        "thumbnail": stored("thumbnail"), "lastframe": stored("last_frame"), "last_frame": stored("last_frame"),
        "image": stored("source_image"),
        "tags": "EXISTS (SELECT 1 FROM generation_tags gt WHERE gt.generation_id = g.id)",
    ]

    static let pendingMedia = "EXISTS (SELECT 1 FROM media m WHERE m.generation_id = g.id AND m.state IN ('pending', 'failed'))"

    static let `is`: [String: String] = [
        "downloaded": "(\(storedVideo) AND NOT \(pendingMedia))",
        "pending": pendingMedia,
        "missing": "g.remote_missing_at IS NOT NULL",
        "local": "g.origin = 'local'", "remote": "g.origin = 'remote'", "created": "g.origin = 'created'",
    ]

    /// Width and height as the picture is shown (a 90° rotation swaps them).
    static let displayWidth = "CASE WHEN abs(coalesce(i.rotation, 0)) % 180 = 90 THEN i.height ELSE i.width END"
    static let displayHeight = "CASE WHEN abs(coalesce(i.rotation, 0)) % 180 = 90 THEN i.width ELSE i.height END"

    static let numericExpression = [
        "w": videoFact(displayWidth), "h": videoFact(displayHeight),
        "dur": "coalesce(\(videoFact("i.duration_s")), g.duration_s)", "fps": videoFact("i.fps"),
        "size": videoFact("b.size", from: "blobs b ON b.sha256"),
    ]

    /// Width over height: from the remote's aspect ("16:9"), else from the stored video.
    static let aspectRatio = """
        coalesce(CASE WHEN instr(g.aspect, ':') > 1 THEN CAST(substr(g.aspect, 1, instr(g.aspect, ':') - 1) AS REAL) \
        / nullif(CAST(substr(g.aspect, instr(g.aspect, ':') + 1) AS REAL), 0) END, \
        \(videoFact("CAST(\(displayWidth) AS REAL) / nullif(\(displayHeight), 0)")))
        """

    private func aspect(_ field: FieldValue, _ value: String) throws(QueryError) -> GenerationFilter {
        switch value {
        case "portrait": return GenerationFilter(sql: "\(Self.aspectRatio) < 0.99")
        case "landscape": return GenerationFilter(sql: "\(Self.aspectRatio) > 1.01")
        case "square": return GenerationFilter(sql: "\(Self.aspectRatio) BETWEEN 0.99 AND 1.01")
        default:
            let sides = value.split(separator: ":", omittingEmptySubsequences: false)
            guard sides.count == 2, let w = Double(sides[0]), let h = Double(sides[1]), w > 0, h > 0 else {
                throw field.error("aspect: is a ratio such as 16:9, or portrait, landscape or square")
            }
            // Within 1%: a 1280x720 video is 16:9, and so is the remote's "16:9".
            return GenerationFilter(sql: "abs(\(Self.aspectRatio) / ? - 1) < 0.01", parameters: [.real(w / h)])
        }
    }

    private func resolution(_ field: FieldValue, _ value: String) throws(QueryError) -> GenerationFilter {
        let named = ["4k": 2160, "uhd": 2160, "fhd": 1080, "hd": 720, "sd": 480]
        let digits = value.hasSuffix("p") ? String(value.dropLast()) : value
        guard let lines = named[value] ?? Int(digits), lines > 0 else {
            throw field.error("res: is a height such as 540p, 720p, 1080p or 4k")
        }
        let shortSide = Self.videoFact("min(i.width, i.height)")
        return GenerationFilter(
            sql: "(lower(g.resolution) IN (?, ?) OR (g.resolution IS NULL AND \(shortSide) = ?))",
            parameters: [.text("\(lines)p"), .text(value), .integer(Int64(lines))])
    }

    /// `SQL %@` with `= ?` for a plain name or `LIKE ? ESCAPE '\'` when it holds `*` wildcards.
    static func textMatch(_ template: String, _ value: String) -> GenerationFilter {
        // Scalars, not Characters: `*` or `%` followed by a combining mark is one Character that equals
        // neither, and LIKE reads scalars.
        guard value.unicodeScalars.contains("*") else {
            return GenerationFilter(sql: template.replacingOccurrences(of: "%@", with: "= ?"), parameters: [.text(value)])
        }
        var pattern = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\", "%", "_": pattern.append(contentsOf: ["\\", scalar])
            case "*": pattern.append("%")
            default: pattern.append(scalar)
            }
        }
        return GenerationFilter(
            sql: template.replacingOccurrences(of: "%@", with: "LIKE ? ESCAPE '\\'"), parameters: [.text(String(pattern))])
    }

    // MARK: Dates

    /// The interval a date value stands for: a year, month, day or minute in the local time zone;
    /// `today`, `yesterday`; or an instant (`now`, `-7d`, `-12h`, `-2w`, `-3m` months, `-1y`).
    func dateInterval(_ text: String, field: FieldValue) throws(QueryError) -> Interval<String> {
        let lower = text.lowercased()
        func instant(_ date: Date) -> Interval<String> {
            let t = Timestamp.string(from: date)
            return Interval(lower: t, upper: t, isInstant: true)
        }
        func range(_ start: Date, _ component: Calendar.Component) -> Interval<String> {
            let end = calendar.date(byAdding: component, value: 1, to: start) ?? start
            return Interval(lower: Timestamp.string(from: start), upper: Timestamp.string(from: end))
        }
        switch lower {
        case "now": return instant(now)
        case "today": return range(calendar.startOfDay(for: now), .day)
        case "yesterday":
            return range(calendar.date(byAdding: .day, value: -1, to: calendar.startOfDay(for: now)) ?? now, .day)
        default: break
        }
        if lower.hasPrefix("-") {
            let body = lower.dropFirst()
            let digits = body.prefix { $0.isASCII && $0.isNumber }
            let unit = body.dropFirst(digits.count)
            let units: [Substring: (Calendar.Component, Int)] = [
                "h": (.hour, 1), "d": (.day, 1), "w": (.day, 7), "m": (.month, 1), "mo": (.month, 1), "y": (.year, 1),
            ]
            guard let count = Int(digits), count <= 100_000, let (component, factor) = units[unit],
                let date = calendar.date(byAdding: component, value: -count * factor, to: now)
            else {
                throw field.error(
                    "\"\(text)\" is not a time ago", hint: "write -12h, -7d, -2w, -3m (months) or -1y")
            }
            return instant(date)
        }
        return try calendarDate(text, field: field, range: range)
    }

    private func calendarDate(
        _ text: String, field: FieldValue, range: (Date, Calendar.Component) -> Interval<String>
    ) throws(QueryError) -> Interval<String> {
        let bad = field.error(
            "\"\(text)\" is not a date", hint: "write 2024, 2024-06, 2024-06-01, 2024-06-01T14:30, today or -7d")
        let parts = text.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        let day = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(day.count), day[0].count == 4, day.dropFirst().allSatisfy({ $0.count == 2 }) else { throw bad }
        let numbers = day.compactMap { Int($0) }
        guard numbers.count == day.count else { throw bad }
        var components = DateComponents(year: numbers[0], month: numbers.count > 1 ? numbers[1] : 1, day: numbers.count > 2 ? numbers[2] : 1)
        var unit: Calendar.Component = [.year, .month, .day][numbers.count - 1]
        if parts.count == 2 {
            guard numbers.count == 3 else { throw bad }
            let time = parts[1].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard (2...3).contains(time.count), time.allSatisfy({ $0 != nil }) else { throw bad }
            components.hour = time[0]
            components.minute = time[1]
            components.second = time.count > 2 ? time[2] : nil
            unit = time.count > 2 ? .second : .minute
        }
        guard let date = calendar.date(from: components),
            calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date).day == components.day,
            calendar.component(.month, from: date) == components.month,
            (components.hour ?? 0) < 24, (components.minute ?? 0) < 60, (components.second ?? 0) < 60
        else { throw bad }
        return range(date, unit)
    }
}

/// The interval a typed value stands for: `[lower, upper)`. An instant (`-7d`) has lower == upper.
/// A number also has its exact value, which comparisons use: `dur:>5s` is more than 5.0 s, while
/// `dur:5s` is 4.5 to 5.5 s and `created:>2024-06` starts in July.
struct Interval<Bound: SQLiteBindable> {
    var lower: Bound
    var upper: Bound
    var isInstant = false
    var exact: Bound? = nil
}

/// A field's value as typed, for comparisons and error messages.
struct FieldValue {
    let name: String
    let token: QueryToken

    func error(_ message: String, hint: String? = nil) -> QueryError {
        QueryError(message, token: token.source, column: token.column, hint: hint)
    }

    /// `v`, `>v`, `>=v`, `<v`, `<=v`, `a..b`, `a..`, `..b` on `expression`, where each typed value stands for
    /// an interval (see ``QueryFields``).
    func compare<Bound>(
        _ expression: String, _ value: String, parse: (String) throws(QueryError) -> Interval<Bound>
    ) throws(QueryError) -> GenerationFilter {
        func filter(_ sql: String, _ bounds: Bound...) -> GenerationFilter {
            GenerationFilter(sql: sql, parameters: bounds.map(\.sqliteValue))
        }
        if let dots = value.range(of: "..") {
            let from = String(value[..<dots.lowerBound])
            let to = String(value[dots.upperBound...])
            guard !(from.isEmpty && to.isEmpty) else {
                throw error("a range needs at least one end", hint: "e.g. \(QueryFields.example[name] ?? "")..")
            }
            var parts: [GenerationFilter] = []
            if !from.isEmpty { parts.append(filter("\(expression) >= ?", try parse(from).lower)) }
            if !to.isEmpty { parts.append(filter("\(expression) < ?", try parse(to).upper)) }
            return .allOf(parts)
        }
        for (symbol, build) in [
            (">=", { (i: Interval<Bound>) in i.exact.map { filter("\(expression) >= ?", $0) } ?? filter("\(expression) >= ?", i.lower) }),
            ("<=", { (i: Interval<Bound>) in i.exact.map { filter("\(expression) <= ?", $0) } ?? filter("\(expression) < ?", i.upper) }),
            (">", { (i: Interval<Bound>) in i.exact.map { filter("\(expression) > ?", $0) } ?? filter("\(expression) >= ?", i.upper) }),
            ("<", { (i: Interval<Bound>) in i.exact.map { filter("\(expression) < ?", $0) } ?? filter("\(expression) < ?", i.lower) }),
            ("=", { (i: Interval<Bound>) in filter("\(expression) >= ? AND \(expression) < ?", i.lower, i.upper) }),
        ] where value.hasPrefix(symbol) {
            let rest = String(value.dropFirst(symbol.count))
            guard !rest.isEmpty else { throw error("\(symbol) needs a value after it") }
            return build(try parse(rest))
        }
        let interval = try parse(value)
        // An instant alone (`created:-7d`) means since then.
        if interval.isInstant { return filter("\(expression) >= ?", interval.lower) }
        return filter("\(expression) >= ? AND \(expression) < ?", interval.lower, interval.upper)
    }
}
