import ArgumentParser
import Foundation
import Media
import ReelKit

struct Probe: ReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read media metadata from files, in-process (ffprobe's fields, much faster).",
        discussion: """
            Example:
              reel probe clip.mp4
              reel probe --json *.mp4 | jq '.[].streams[0].codec_name'

            --json prints an array with one object per file, --jsonl one object per line, with ffprobe's key \
            names: {"path", "format": {...}, "streams": [...]}. A file that cannot be read becomes \
            {"path", "error"}; the others are still probed, and the exit status is 65.
            """)

    // Accepted so that `alias reel='reel --library DIR'` works with every command; probe reads no library.
    @OptionGroup var options: LibraryOptions

    @Argument(help: ArgumentHelp("Media files.", valueName: "file"))
    var files: [String]

    @Flag(help: "Print a JSON array.")
    var json = false

    @Flag(help: "Print one JSON object per line.")
    var jsonl = false

    func validate() throws {
        if json && jsonl { throw ValidationError("choose one of --json and --jsonl") }
    }

    func execute() throws(ReelError) {
        let results = ProbeRunner.probe(files)
        let entries = zip(files, results).map { ProbeEntry(path: $0, result: $1) }
        if json {
            try JSONOutput.print(entries)
        } else if jsonl {
            for entry in entries { try JSONOutput.print(entry, pretty: false) }
        } else {
            for entry in entries { printSummary(entry) }
        }
        let failures = entries.filter { $0.error != nil }.count
        if failures > 0 {
            throw ReelError("\(failures) of \(entries.count) files could not be probed", status: .dataError)
        }
    }

    private func printSummary(_ entry: ProbeEntry) {
        if let error = entry.error {
            Terminal.error(error)
            return
        }
        guard let info = entry.info else { return }
        let lines = MediaSummary.lines(info)
        print("\(Terminal.bold(entry.path)): \(lines[0])")
        for line in lines.dropFirst() { print("  \(line)") }
    }
}

/// One file in probe's JSON: ffprobe's shape with the path added, or the path and an error.
struct ProbeEntry: Encodable {
    let path: String
    let info: MediaInfo?
    let error: String?

    init(path: String, result: Result<MediaInfo, MediaError>) {
        self.path = path
        switch result {
        case .success(let info):
            self.info = info
            self.error = nil
        case .failure(let error):
            self.info = nil
            self.error = error.description
        }
    }

    private enum CodingKeys: String, CodingKey { case path, error }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encodeIfPresent(error, forKey: .error)
        // MediaInfo adds "format" and "streams" beside "path" in the same object.
        try info?.encode(to: encoder)
    }
}
