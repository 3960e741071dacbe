// The generations of scripts/bench-search: prompts recombined from the real corpora, other fields spread
// as a real library's are. Deterministic for a given seed; scripts/bench-search keys its cache of built
// catalogs on this file's digest, so any change here builds them afresh.
import Catalog
import Media  // SplitMix64, the simulator's and the clip encoder's generator
import RemoteAPI

extension SplitMix64 {
    /// A number in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// True with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

struct SearchCorpus {
    let english: [String]
    let chinese: [String]

    /// 18 months of history, from 2024-01-01 to 2025-06-30 (UTC).
    static let start: Int64 = 1_704_067_200
    static let span: Int64 = 547 * 86_400

    static let models = ["ray-2", "ray-flash-2", "ray-1-6", "ray-v3"]
    static let modelWeights = [45, 30, 15, 10]
    static let aspects = ["16:9", "9:16", "1:1", "4:3", "21:9"]
    static let aspectWeights = [45, 25, 15, 10, 5]
    static let resolutions = ["540p", "720p", "1080p"]
    static let resolutionWeights = [20, 50, 30]
    static let failureReasons = [
        "The prompt was flagged by our moderation system",
        "Generation failed due to an internal error, please try again",
        "Failed to process the input image",
    ]

    static func pick(_ values: [String], _ weights: [Int], _ rng: inout SplitMix64) -> String {
        var roll = rng.below(weights.reduce(0, +))
        for (value, weight) in zip(values, weights) {
            if roll < weight { return value }
            roll -= weight
        }
        return values[values.count - 1]
    }

    /// A line of one language, now and then spliced: the first half of one line and the second of another
    /// (by words in English, by characters in Chinese).
    func line(chinese isChinese: Bool, _ rng: inout SplitMix64) -> String {
        let lines = isChinese ? chinese : english
        let first = lines[rng.below(lines.count)]
        guard rng.chance(25) else { return first }
        let second = lines[rng.below(lines.count)]
        if isChinese {
            let a = Array(first), b = Array(second)
            return String(a.prefix(a.count / 2)) + String(b.suffix(b.count - b.count / 2))
        }
        let a = first.split(separator: " "), b = second.split(separator: " ")
        return (a.prefix(a.count / 2) + b.suffix(b.count - b.count / 2)).joined(separator: " ")
    }

    /// One to three lines (20%, 45%, 35%), about 30% of prompts Chinese, one line in twenty from the other language.
    func prompt(_ rng: inout SplitMix64) -> String {
        let isChinese = rng.chance(30)
        let roll = rng.below(20)
        let count = roll < 4 ? 1 : roll < 13 ? 2 : 3
        var text = ""
        var previousChinese = isChinese
        for index in 0..<count {
            let lineChinese = rng.chance(5) ? !isChinese : isChinese
            let part = line(chinese: lineChinese, &rng)
            if index > 0 {
                text += lineChinese && previousChinese ? "，" : (lineChinese || previousChinese ? " " : [", ", ". "][rng.below(2)])
            }
            text += part
            previousChinese = lineChinese
        }
        return text
    }

    /// The `index`th of `count` generations: created in order over the 18 months, give or take two days.
    func record(index: Int, count: Int, _ rng: inout SplitMix64) -> GenerationRecord {
        let base = Self.start + Self.span * Int64(index) / Int64(max(count, 1))
        let created = min(max(base + Int64(rng.below(4 * 86_400)) - 2 * 86_400, Self.start), Self.start + Self.span - 1)
        let createdMillis = created * 1000 + Int64(rng.below(1000))
        let seenMillis = createdMillis + Int64(60_000 + rng.below(600_000))
        let roll = rng.below(100)
        let state: GenerationState = roll < 88 ? .completed : roll < 95 ? .failed : roll < 98 ? .queued : .running
        var g = GenerationRecord(uid: Self.uuid(&rng), origin: .local, state: state, firstSeenAt: Self.timestamp(seenMillis))
        g.prompt = prompt(&rng)
        g.createdAt = Self.timestamp(createdMillis)
        g.model = Self.pick(Self.models, Self.modelWeights, &rng)
        g.aspect = Self.pick(Self.aspects, Self.aspectWeights, &rng)
        g.resolution = Self.pick(Self.resolutions, Self.resolutionWeights, &rng)
        g.durationSeconds = rng.chance(60) ? 5 : 9
        g.loop = rng.chance(10)
        g.kind = rng.chance(80) ? "text" : "image"
        g.liked = rng.chance(12) ? true : nil
        if state == .failed { g.failureReason = Self.failureReasons[rng.below(Self.failureReasons.count)] }
        return g
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// A random version 4 UUID, lowercase.
    static func uuid(_ rng: inout SplitMix64) -> String {
        let high = rng.next(), low = rng.next()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        for i in 0..<32 {
            if i == 8 || i == 12 || i == 16 || i == 20 { bytes.append(UInt8(ascii: "-")) }
            let word = i < 16 ? high : low
            var nibble = Int((word >> UInt64(60 - 4 * (i % 16))) & 0xF)
            if i == 12 { nibble = 4 }
            if i == 16 { nibble = 8 | (nibble & 3) }
            bytes.append(hexDigits[nibble])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// 'YYYY-MM-DDTHH:MM:SS.sssZ' for milliseconds since 1970 (UTC), without Foundation's formatters.
    static func timestamp(_ millis: Int64) -> String {
        let seconds = millis / 1000
        let days = seconds / 86_400
        let secondOfDay = seconds % 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let s = String(value)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(millis % 1000, 3))Z"
    }
}
