import ArgumentParser
import Catalog
import ContentStore
import Foundation
import ReelKit
import RemoteAPI

struct Show: ReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one generation: its fields, tags, media metadata and files.",
        discussion: """
            Example:
              reel show eaf962b3            # any unique prefix of the id, as in git
              reel show eaf962b3 --json
            """)

    @OptionGroup var options: LibraryOptions

    @Argument(help: ArgumentHelp("The generation's id, or a unique prefix of it.", valueName: "id"))
    var id: String

    @Flag(help: "Print JSON.")
    var json = false

    func execute() throws(ReelError) {
        let library = try options.open()
        let generation = try library.resolve(id)
        let catalog = library.catalog
        let (media, video) = try library.mediaJSON(generationID: generation.id)
        let tags: [String]
        do {
            tags = try catalog.tags(generationID: generation.id)
        } catch {
            throw ReelError(error)
        }
        var output = GenerationJSON(summary: GenerationSummary(generation: generation, video: video))
        output.media = media
        output.tags = tags
        output.chain = try ancestors(of: generation, in: catalog)
        do {
            output.request = try catalog.request(generationID: generation.id)
                .flatMap { try? JSONDecoder().decode(CreateRequest.self, from: Data($0.utf8)) }
        } catch {
            throw ReelError(error)
        }
        if json {
            try JSONOutput.print(output)
        } else {
            printText(output)
        }
    }

    /// A request in one line: `9:16 · 10s · 1080p · ray-v2 · loop · image start.jpg`.
    private static func describe(_ r: CreateRequest) -> String {
        let parts: [String?] = [
            r.aspect, r.duration, r.resolution, r.model, r.loop == true ? "loop" : nil,
            r.expandPrompt.map { $0 ? "expand prompt" : "prompt as written" }, r.image.map { "image \($0)" },
            r.endImage.map { "end image \($0)" }, r.extending.map { "extends \($0)" },
        ]
        let text = parts.compactMap { $0 }.joined(separator: " · ")
        return text.isEmpty ? "the remote's defaults" : text
    }

    /// The generations `generation` extends, nearest first (a loop or a missing link ends the walk).
    private func ancestors(of generation: GenerationRecord, in catalog: Catalog) throws(ReelError) -> [String]? {
        var chain: [String] = []
        var next = generation.parentUID
        do {
            while let uid = next, chain.count < 100, !chain.contains(uid), uid != generation.uid {
                chain.append(uid)
                next = try catalog.generation(uid: uid)?.parentUID
            }
        } catch {
            throw ReelError(error)
        }
        return chain.isEmpty ? nil : chain
    }

    private func printText(_ g: GenerationJSON) {
        var fields: [(String, String?)] = [
            ("id", g.id),
            ("from", g.remote.map { "\($0) (\(g.remote_id ?? "?"))" } ?? g.origin),
            ("state", g.raw_state.map { $0 == g.state ? g.state : "\(g.state) (\($0))" } ?? g.state),
            ("created", g.created_at),
            ("prompt", g.prompt.isEmpty ? nil : g.prompt),
            ("title", g.title),
            ("model", g.model),
            ("shape", [g.aspect, g.resolution, g.duration.map { String(format: "%.2f s", $0) }].compactMap { $0 }
                .joined(separator: " · ")),
            ("loop", g.loop.map { $0 ? "yes" : "no" }),
            ("parent", g.parent_id),
            ("chain", (g.chain ?? []).count > 1 ? ([g.id] + (g.chain ?? [])).map { String($0.prefix(8)) }.joined(separator: " ← ") : nil),
            ("failure", g.failure_reason),
            ("liked", g.liked.map { $0 ? "yes" : "no" }),
            ("tags", g.tags.joined(separator: " ")),
            ("asked", g.request.map(Self.describe)),
        ]
        if let remoteID = g.remote_id, g.remote == nil { fields.append(("claims", "remote generation \(remoteID)")) }
        if let missing = g.remote_missing_at {
            fields.append(("missing", "no longer listed by \(g.remote ?? "the remote") since \(missing) (kept here)"))
        }
        for (name, value) in fields {
            guard let value, !value.isEmpty else { continue }
            print(Terminal.dim(name.padding(toLength: 9, withPad: " ", startingAt: 0)) + value)
        }
        for m in g.media ?? [] {
            print("")
            let size = m.size.map { " · " + MediaSummary.byteCount($0) } ?? ""
            let role = m.role == "source_image" && m.ordinal == 1 ? "end_image" : m.role
            print(Terminal.bold(role) + "  " + (m.path ?? m.state) + size)
            if let source = m.source_path { print("  from \(source)") }
            if let url = m.remote_url { print("  url \(url)") }
            if let probe = m.probe {
                for line in MediaSummary.lines(probe) { print("  \(line)") }
            }
        }
    }
}
