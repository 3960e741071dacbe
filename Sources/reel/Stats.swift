import ArgumentParser
import Catalog
import Foundation
import ReelKit

struct Stats: ReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count the library's generations: by state, remote, model, aspect and month; duration, store size.",
        discussion: """
            A query (the language of `reel search`) counts only the generations it matches.

            Example:
              reel stats
              reel stats --json | jq .by_month
              reel stats 'tag:keeper'
            """)

    @OptionGroup var options: LibraryOptions

    // As in search: `reel stats -tag:draft` negates, it is no option.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Count only what this search query matches.", valueName: "query"))
    var query: [String] = []

    @Flag(help: "Print a JSON object.")
    var json = false

    func validate() throws {
        try QueryArguments.validate(query)
    }

    func execute() throws(ReelError) {
        let filter = try SearchFilter.make(query: query.joined(separator: " "))
        let library = try options.open()
        let stats: CatalogStats
        do {
            stats = try library.catalog.stats(filter: filter)
        } catch {
            throw ReelError(error)
        }
        if json {
            try Self.printJSON(StatsJSON(stats))
        } else {
            for line in Self.text(stats) { print(line) }
        }
    }

    /// Aligned sections: the totals, then one block per breakdown.
    static func text(_ s: CatalogStats) -> [String] {
        var totals: [(String, String)] = [
            ("generations", Count.text(s.generations)),
            ("with video", Count.text(s.withVideo)),
            ("duration", Count.duration(s.durationSeconds)),
            ("stored", "\(MediaSummary.byteCount(s.storeBytes)) in \(Count.text(s.storedFiles)) file\(s.storedFiles == 1 ? "" : "s")"),
            ("tags", Count.text(s.tags)),
        ]
        let sections: [(String, [StatsBucket])] = [
            ("state", s.byState), ("remote", s.byRemote), ("model", s.byModel), ("aspect", s.byAspect), ("month", s.byMonth),
        ]
        let nameWidth = (totals.map(\.0.count) + sections.flatMap { $0.1.map { $0.name.count + 2 } }).max() ?? 0
        let countWidth = sections.flatMap { $0.1.map { Count.text($0.count).count } }.max() ?? 0
        totals = totals.map { ($0.0.padding(toLength: nameWidth, withPad: " ", startingAt: 0), $0.1) }
        var lines = totals.map { Terminal.dim($0.0) + "  " + $0.1 }
        for (title, buckets) in sections where !buckets.isEmpty {
            lines.append("")
            lines.append(Terminal.bold(title))
            for bucket in buckets {
                let count = Count.text(bucket.count)
                let name = ("  " + bucket.name).padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                lines.append(name + "  " + String(repeating: " ", count: countWidth - count.count) + count)
            }
        }
        return lines
    }

    /// Sorted keys: the output is the same for the same library, and diffs well.
    static func printJSON(_ value: StatsJSON) throws(ReelError) {
        let encoder = JSONOutput.encoder(pretty: true)
        encoder.outputFormatting.insert(.sortedKeys)
        do {
            FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
        } catch {
            throw ReelError("could not write JSON: \(error)", status: .failure)
        }
    }
}

/// `reel stats --json`. Field names are stable: scripts rely on them.
struct StatsJSON: Encodable {
    let generations: Int
    let with_video: Int
    let duration_seconds: Double
    let stored_files: Int
    let store_bytes: Int64
    let tags: Int
    let by_state: [String: Int]
    let by_remote: [String: Int]
    let by_model: [String: Int]
    let by_aspect: [String: Int]
    let by_month: [String: Int]

    init(_ s: CatalogStats) {
        let map = { (buckets: [StatsBucket]) in Dictionary(buckets.map { ($0.name, $0.count) }, uniquingKeysWith: +) }
        generations = s.generations
        with_video = s.withVideo
        duration_seconds = (s.durationSeconds * 1000).rounded() / 1000
        stored_files = s.storedFiles
        store_bytes = s.storeBytes
        tags = s.tags
        by_state = map(s.byState)
        by_remote = map(s.byRemote)
        by_model = map(s.byModel)
        by_aspect = map(s.byAspect)
        by_month = map(s.byMonth)
    }
}

/// Numbers as people read them.
enum Count {
    /// "1,234,567".
    static func text(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (n < 0 ? "-" : "") + grouped
    }

    /// "42.5 s", "3m 05s", "12h 03m 20s".
    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let total = Int(seconds.rounded())
        let h = total / 3600, m = total % 3600 / 60, s = total % 60
        return h > 0 ? "\(Count.text(h))h \(String(format: "%02dm %02ds", m, s))" : String(format: "%dm %02ds", m, s)
    }
}
