import ContentStore
import Foundation

/// The simulator's CDN addresses, and the presigned links that expire.
struct Links: Sendable {
    /// `http://127.0.0.1:PORT`, as the client addressed the simulator.
    let base: String
    let secret: String
    let ttl: TimeInterval

    func video(_ id: String) -> String { "\(base)/cdn/v/\(id)/watermarked_video.mp4" }
    func thumbnail(_ id: String) -> String { "\(base)/cdn/v/\(id)/thumbnail.jpg" }
    func lastFrame(_ id: String) -> String { "\(base)/cdn/v/\(id)/last_frame.jpg" }
    func upload(_ uploadID: String) -> String { "\(base)/cdn/uploads/\(uploadID)/image_file.jpg" }

    /// A keyframe image: the client's own upload when it sent one, else the simulator's picture.
    func sourceImage(_ g: SimGeneration, end: Bool = false) -> String {
        if let upload = g.upload(serving: end ? .sourceEnd : .source) { return self.upload(upload) }
        return "\(base)/cdn/v/\(g.id)/\(end ? "source_end" : "source").jpg"
    }

    /// Where the CDN serves one of an item's files (the unwatermarked one presigned at `now`).
    func url(_ file: MediaFile, of g: SimGeneration, now: Date) -> String {
        switch file {
        case .watermarked: video(g.id)
        case .raw: raw(g.id, now: now)
        case .thumbnail: thumbnail(g.id)
        case .lastFrame: lastFrame(g.id)
        case .source: sourceImage(g)
        case .sourceEnd: sourceImage(g, end: true)
        }
    }

    /// The unwatermarked file, presigned S3-style, valid for `ttl` from `now`.
    func raw(_ id: String, now: Date) -> String {
        let path = "/cdn/raw/\(id)/video.mp4"
        let date = Self.amzDate(now)
        let expires = Int(ttl)
        return "\(base)\(path)?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=SIMULATOR%2Fus-east-1%2Fs3&X-Amz-Date=\(date)"
            + "&X-Amz-Expires=\(expires)&X-Amz-SignedHeaders=host&X-Amz-Signature=\(signature(path: path, date: date, expires: expires))"
    }

    /// Why a presigned request is refused, or nil when it is valid now.
    func refusal(path: String, query: [String: String], now: Date) -> String? {
        guard let date = query["X-Amz-Date"], let expiresText = query["X-Amz-Expires"], let expires = Int(expiresText),
            let signature = query["X-Amz-Signature"], let signedAt = Self.parseAmzDate(date)
        else { return "Query-string authentication requires the X-Amz-Date, X-Amz-Expires and X-Amz-Signature parameters" }
        guard signature == self.signature(path: path, date: date, expires: expires) else {
            return "The request signature we calculated does not match the signature you provided"
        }
        guard now.timeIntervalSince(signedAt) <= TimeInterval(expires) else { return "Request has expired" }
        return nil
    }

    private func signature(path: String, date: String, expires: Int) -> String {
        SHA256.hash(Array("\(secret)\n\(path)\n\(date)\n\(expires)".utf8)).hex
    }

    static func uploadID(in url: String) -> String? {
        guard let range = url.range(of: "/cdn/uploads/") else { return nil }
        return url[range.upperBound...].split(separator: "/").first.map(String.init)
    }

    private static func amzDate(_ date: Date) -> String {
        let t = UTCTime(date)
        return "\(t.year.padded(4))\(t.month.padded(2))\(t.day.padded(2))T\(t.hour.padded(2))\(t.minute.padded(2))\(t.second.padded(2))Z"
    }

    private static func parseAmzDate(_ text: String) -> Date? {
        let digits = text.filter(\.isNumber).compactMap { Int(String($0)) }
        guard text.count == 16, digits.count == 14 else { return nil }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + digits[$1] } }
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (number(0..<4), number(4..<6), number(6..<8), number(8..<10), number(10..<12), number(12..<14))
        c.timeZone = TimeZone(identifier: "UTC")
        return Calendar(identifier: .gregorian).date(from: c)
    }
}

/// Times as the dialects write them.
enum TimeFormat {
    /// ISO-8601 UTC with `digits` fractional digits (0, 3 or 6).
    static func iso(_ date: Date, digits: Int) -> String {
        let t = UTCTime(date)
        let base = "\(t.year.padded(4))-\(t.month.padded(2))-\(t.day.padded(2))T\(t.hour.padded(2)):\(t.minute.padded(2)):\(t.second.padded(2))"
        guard digits > 0 else { return base + "Z" }
        let scale = digits == 3 ? 1_000.0 : 1_000_000.0
        let fraction = min(Int((t.fraction * scale).rounded(.down)), Int(scale) - 1)
        return base + "." + fraction.padded(digits) + "Z"
    }
}

/// A moment's UTC calendar fields, by integer arithmetic: Foundation's Calendar costs more than
/// the rest of a list page put together.
struct UTCTime {
    let year, month, day, hour, minute, second: Int
    /// The part of the second after `second`, in 0..<1.
    let fraction: Double

    init(_ date: Date) {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        fraction = seconds - whole
        let total = Int(whole)
        var days = total / 86_400
        var rest = total % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        (hour, minute, second) = (rest / 3600, rest % 3600 / 60, rest % 60)
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}

extension Int {
    /// Zero-padded to `width` digits.
    func padded(_ width: Int) -> String { String(self).leftPadded(to: width) }
}
