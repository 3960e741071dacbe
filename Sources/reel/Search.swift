import ArgumentParser
import Catalog
import ContentStore
import Foundation
import ReelKit

struct Search: ReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find generations by their prompts, tags and fields.",
        discussion: """
            Words and "phrases" search prompts, titles and tags, in any language (Chinese too); neon* is a \
            prefix. Fields: state: tag: (#tag) model: aspect: res: w: h: dur: fps: codec: size: liked: remote: \
            created: has: is:. Values: dur:>5s  h:>=1080  dur:5..10  size:>10MB  created:2024-06  \
            created:-7d..  aspect:9:16|1:1. Combine with -term, NOT, OR and parentheses.

            Examples:
              reel search neon city
              reel search '"neon city" aspect:9:16 dur:>5s liked:yes'
              reel search 赛博朋克 --sort created-
              reel search 'tag:style:* -tag:draft' --json
              reel search city --paths -0 | xargs -0 mpv
              reel search --count state:failed
            """)

    @OptionGroup var options: LibraryOptions

    // Unrecognised dashes are query terms: `reel search neon -tag:draft` negates, as the language says.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The query (its words are joined with spaces).", valueName: "query"))
    var query: [String] = []

    @Option(help: ArgumentHelp(
        "relevance (default with words), created- (default without), created+, dur-, dur+, size-, random.",
        valueName: "order"))
    var sort: String?

    @Option(help: "Show at most this many (default: a screenful on a terminal, all otherwise).")
    var limit: Int?

    @Option(help: "Skip this many first.")
    var offset = 0

    @Flag(help: "Print a JSON array.") var json = false
    @Flag(help: "Print one JSON object per line.") var jsonl = false
    @Flag(help: "Print CSV with a header line.") var csv = false
    @Option(help: ArgumentHelp(
        "Print each result with a template, e.g. '{id}\\t{prompt}' (fields: \(SearchRecord.fieldNames.joined(separator: ", "))).",
        valueName: "template"))
    var format: String?
    @Flag(help: "Print the stored video's path of each result (results without one are left out).") var paths = false
    @Flag(name: [.customShort("0"), .customLong("null")], help: "With --paths: end each path with NUL, not a newline.")
    var null = false
    @Flag(help: "Print only how many generations match.") var count = false

    func validate() throws {
        try QueryArguments.validate(query)
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
        if offset < 0 { throw ValidationError("--offset must be 0 or more") }
        if let sort, SearchSort(rawValue: sort) == nil {
            throw ValidationError("--sort is one of \(SearchSort.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let outputs = [json, jsonl, csv, format != nil, paths, count].filter { $0 }.count
        if outputs > 1 { throw ValidationError("choose one of --json, --jsonl, --csv, --format, --paths, --count") }
        if null && !paths { throw ValidationError("-0 goes with --paths") }
        if let format { _ = try SearchRecord.validate(template: format) }
    }

    func execute() throws(ReelError) {
        let text = query.joined(separator: " ")
        let compiled: SearchQuery
        do {
            compiled = try SearchQuery.compile(text)
        } catch {
            throw ReelError(error)
        }
        let library = try options.open()
        let catalog = library.catalog
        let table = !(json || jsonl || csv || format != nil || paths || count)
        do {
            if count {
                print(try catalog.searchCount(match: compiled.match, filter: compiled.filter))
                return
            }
            let pageSize = limit ?? (table && Terminal.stdoutIsTTY ? Terminal.screenRows : -1)
            let hits = try catalog.search(
                match: compiled.match, filter: compiled.filter, sort: sort.flatMap(SearchSort.init) ?? .relevance,
                limit: pageSize, offset: offset)
            let records = hits.map { SearchRecord(hit: $0, store: library.store) }
            if json {
                try JSONOutput.print(records)
            } else if jsonl {
                for record in records { try JSONOutput.print(record, pretty: false) }
            } else if csv {
                print(SearchRecord.csvHeader)
                for record in records { print(record.csvLine) }
            } else if let format {
                for record in records { print(try SearchRecord.fill(template: format, with: record)) }
            } else if paths {
                for path in records.compactMap(\.path) {
                    FileHandle.standardOutput.write(Data((path + (null ? "\0" : "\n")).utf8))
                }
            } else {
                try printTable(hits, catalog: catalog, match: compiled.match, pageSize: pageSize, filter: compiled.filter)
            }
        } catch let error as ReelError {
            throw error
        } catch {
            throw ReelError(error)
        }
    }

    private func printTable(
        _ hits: [SearchHit], catalog: Catalog, match: String?, pageSize: Int, filter: GenerationFilter
    ) throws {
        guard !hits.isEmpty else {
            if Terminal.stdoutIsTTY { print(offset > 0 ? "no more results" : "nothing matches") }
            return
        }
        var highlighted: [Int64: String] = [:]
        if let match, Terminal.stdoutIsTTY {
            highlighted = try catalog.highlightedPrompts(
                match: match, ids: hits.map(\.summary.generation.id), open: String(Highlight.open),
                close: String(Highlight.close))
        }
        let rows = hits.map { hit -> [String] in
            let g = hit.summary.generation
            let video = hit.summary.video
            let duration = (video?.durationSeconds ?? g.durationSeconds).map { String(format: "%.1fs", $0) } ?? ""
            let size = video.flatMap { v in v.width.flatMap { w in v.height.map { "\(w)x\($0)" } } } ?? g.resolution ?? ""
            let prompt = g.prompt.isEmpty ? g.displayText : (highlighted[g.id] ?? g.displayText)
            return [String(g.uid.prefix(8)), DateText.short(g.createdAt), g.state.rawValue, duration, size,
                    hit.tags.joined(separator: " "), prompt]
        }
        let header = ["ID", "CREATED", "STATE", "DUR", "SIZE", "TAGS", "PROMPT"]
        for line in TableLayout.render(header: header, rows: rows, width: Terminal.width) {
            print(line)
        }
        if Terminal.stdoutIsTTY, pageSize >= 0, hits.count == pageSize {
            let total = try catalog.searchCount(match: match, filter: filter)
            if total > offset + hits.count {
                print(Terminal.dim("\(offset + 1)–\(offset + hits.count) of \(total); --offset \(offset + hits.count) for more, --limit to change"))
            }
        }
    }
}

/// `--format` templates over a ``SearchRecord``'s fields.
extension SearchRecord {
    /// The template's pieces: literal text and field names. `\t`, `\n` and `\\` are escapes; `{{` is a brace.
    static func validate(template: String) throws -> [(literal: String, field: String?)] {
        var pieces: [(String, String?)] = []
        var literal = ""
        var characters = Array(template)[...]
        while let c = characters.popFirst() {
            switch c {
            case "\\":
                switch characters.popFirst() {
                case "t": literal += "\t"
                case "n": literal += "\n"
                case "\\": literal += "\\"
                case let other?: literal += "\\" + String(other)
                case nil: literal += "\\"
                }
            case "{" where characters.first == "{":
                characters.removeFirst()
                literal += "{"
            case "{":
                guard let end = characters.firstIndex(of: "}") else {
                    throw ValidationError("--format: a { is never closed")
                }
                let name = String(characters[..<end])
                guard fieldNames.contains(name) else {
                    throw ValidationError("--format: unknown field {\(name)}; fields are \(fieldNames.joined(separator: ", "))")
                }
                pieces.append((literal, name))
                literal = ""
                characters = characters[characters.index(after: end)...]
            default:
                literal.append(c)
            }
        }
        pieces.append((literal, nil))
        return pieces
    }

    static func fill(template: String, with record: SearchRecord) throws(ReelError) -> String {
        let pieces: [(literal: String, field: String?)]
        do {
            pieces = try validate(template: template)
        } catch {
            throw ReelError("\(error)", status: .usage)
        }
        let fields = record.textFields
        return pieces.map { $0.literal + ($0.field.flatMap { fields[$0] } ?? "") }.joined()
    }
}

extension Terminal {
    /// Rows that fit on the screen under a header and a footer line (at least 10).
    static var screenRows: Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return 20 }
        return max(10, Int(size.ws_row) - 3)
    }
}
