import ArgumentParser
import Catalog
import ReelKit

struct List: ReelCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the library's generations, newest first.",
        discussion: """
            Example:
              reel ls                 # a table
              reel ls --limit 20
              reel ls --json | jq -r '.[].id'
            """)

    @OptionGroup var options: LibraryOptions

    @Option(help: "Show at most this many.")
    var limit: Int?

    @Flag(help: "Print a JSON array (the fields of `reel show --json` with tags, without media).")
    var json = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
    }

    func execute() throws(ReelError) {
        let library = try options.open()
        let rows: [GenerationSummary]
        do {
            rows = try library.catalog.summaries(limit: limit ?? -1)
        } catch {
            throw ReelError(error)
        }
        if json {
            let tags: [Int64: [String]]
            do {
                tags = try library.catalog.tags(generationIDs: rows.map(\.generation.id))
            } catch {
                throw ReelError(error)
            }
            try JSONOutput.print(rows.map { row in
                var item = GenerationJSON(summary: row)
                item.tags = tags[row.generation.id] ?? []
                return item
            })
            return
        }
        if rows.isEmpty {
            if Terminal.stdoutIsTTY { print("the library is empty; add clips with `reel import PATH`") }
            return
        }
        let table = rows.map { row -> [String] in
            let g = row.generation
            let duration = (row.video?.durationSeconds ?? g.durationSeconds).map { String(format: "%.1fs", $0) } ?? ""
            let size = row.video.flatMap { v in v.width.flatMap { w in v.height.map { "\(w)x\($0)" } } } ?? ""
            return [String(g.uid.prefix(8)), DateText.short(g.createdAt), g.state.rawValue, duration, size,
                    g.remote ?? g.origin.rawValue, g.displayText]
        }
        let header = ["ID", "CREATED", "STATE", "DUR", "SIZE", "FROM", "PROMPT"]
        for line in TableLayout.render(header: header, rows: table, width: Terminal.width) {
            print(line)
        }
    }
}

/// Text tables: every column as wide as its widest cell, the last one cut to the terminal's width.
enum TableLayout {
    static func render(header: [String], rows: [[String]], width: Int?) -> [String] {
        let all = [header] + rows
        let widths = (0..<header.count).map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.enumerated().map { index, row in
            var line = ""
            for column in 0..<row.count - 1 {
                line += row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0) + "  "
            }
            var last = row[row.count - 1].replacingOccurrences(of: "\n", with: " ")
            if let width, line.count + last.count > width {
                last = String(last.prefix(max(0, width - line.count - 1))) + "…"
            }
            line += last
            return index == 0 ? Terminal.bold(line) : line
        }
    }
}

/// Dates as tables show them.
enum DateText {
    /// "2024-06-20 06:02" from the catalog's ISO-8601 form.
    static func short(_ iso: String?) -> String {
        guard let iso, iso.count >= 16 else { return "" }
        return iso.prefix(10) + " " + iso.dropFirst(11).prefix(5)
    }
}
