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
    /// Highlight markers in cells (see ``Highlight``): they take no room and become bold on a terminal.
    static let markers: Set<Character> = [Highlight.open, Highlight.close]

    static func render(header: [String], rows: [[String]], width: Int?) -> [String] {
        let all = [header] + rows
        let widths = (0..<header.count).map { column in
            all.map { TextWidth.of($0[column].filter { !markers.contains($0) }) }.max() ?? 0
        }
        return all.enumerated().map { index, row in
            var line = ""
            for column in 0..<row.count - 1 {
                line += TextWidth.pad(row[column], to: widths[column]) + "  "
            }
            var last = row[row.count - 1].replacingOccurrences(of: "\n", with: " ")
            if let width {
                last = TextWidth.cut(last, to: max(1, width - TextWidth.of(line)), invisible: markers)
            }
            line += Highlight.render(last)
            return index == 0 ? Terminal.bold(line) : line
        }
    }
}

/// Matched words in prompts: FTS5's highlight() puts these markers around them.
enum Highlight {
    static let open: Character = "\u{2}"
    static let close: Character = "\u{3}"

    /// Bold on a colour terminal, else just the text.
    static func render(_ text: String) -> String {
        guard text.contains(open) || text.contains(close) else { return text }
        var result = ""
        var inside = false
        for character in text {
            switch character {
            case open:
                inside = true
                if Terminal.colour { result += "\u{1B}[1;33m" }
            case close:
                inside = false
                if Terminal.colour { result += "\u{1B}[0m" }
            default: result.append(character)
            }
        }
        if inside && Terminal.colour { result += "\u{1B}[0m" }
        return result
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
