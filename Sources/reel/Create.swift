import ArgumentParser
import Catalog
import Foundation
import HTTP
import ReelKit
import RemoteAPI

struct Create: AsyncReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a new generation on a remote; it is in the library at once, and sync fetches its video.",
        discussion: """
            Every option is checked against what the remote's dialect accepts before anything is sent. \
            --image and --end-image take a URL or a local picture: web remotes get the file uploaded first, \
            proxies get it inline (a data URL), and the official API takes URLs only.

            web remotes take a prompt and --image only. proxy: --aspect 16:9|9:16|1:1|4:3|3:4|21:9|9:21, \
            --duration 5s|10s, --resolution 720p|1080p, --model ray-v1|ray-v2|ray-v3, --loop, \
            --expand-prompt. official: --aspect (as proxy), --duration 5s|9s, --resolution 540p|720p|1080p, \
            --model ray-1-6|ray-2|ray-flash-2, --loop.

            Prints the new generation's id. It is recorded as the remote first describes it (queued); \
            `reel sync` follows it and stores its files when it completes; with --wait, reel waits for it \
            (state, time waited and the remote's estimate on one live line) and stores it right away.

            Examples:
              reel create "a red fox running through snow, slow motion" --remote luma --aspect 9:16
              reel create "the same fox, at night" --image fox.jpg --tag fox
              reel create "a kitten" --remote web --json

            Exit status: 0; 64 for an option the remote does not take; 65 when the remote refuses the \
            prompt (its own message is shown); 66 for a missing picture; 69 when the remote fails or cannot \
            be reached; 77 when it refuses the key.
            """)

    @OptionGroup var options: LibraryOptions
    @Argument(help: ArgumentHelp("The prompt (its words are joined with spaces).", valueName: "prompt")) var prompt: [String]
    @Option(help: ArgumentHelp("The remote (default: the only one).", valueName: "name")) var remote: String?
    @Option(help: ArgumentHelp("The first frame: a URL or a local picture.", valueName: "path|url")) var image: String?
    @OptionGroup var generation: GenerationOptions
    @Flag(help: "Print the new generation as JSON.") var json = false

    func execute() async throws(ReelError) {
        var order = try generation.order(prompt: prompt)
        order.image = try image.map { text throws(ReelError) in try Creator.Picture.parse(text) }
        let wait = generation.wait
        // One interruptible task for all of it: the id is printed as soon as the remote answers, so a wait
        // that is interrupted still leaves the user with it (and reel sync finishes the job).
        let (made, record) = try await Interrupts.cancellable { [order, options, remote, wait, json] () async throws(ReelError) in
            let library = try options.open()
            let record = try RemoteChoice.one(named: remote, in: library, for: "create on")
            let made = try await RemoteAccess.with(record) { session, _ throws(ReelError) in
                try await Creator(library: library, session: session).create(order)
            }
            if wait {
                if !json { Terminal.error("created \(made.uid) on \(record.name)") }
                try await WaitView.wait(for: [made], in: library)
            }
            return (made, record)
        }
        if wait { return }
        if json {
            var output = GenerationJSON(summary: GenerationSummary(generation: made, video: nil))
            output.tags = order.tags.map(\.value).sorted()
            try JSONOutput.print(output)
        } else {
            print(made.uid)
            if Terminal.stderrIsTTY {
                Terminal.error("created on \(record.name): \(made.state.rawValue); reel sync stores it when it completes")
            }
        }
    }
}

/// What `create` and `extend` both take: the options of the new generation, its tags, and `--wait`.
struct GenerationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The last frame: a URL or a local picture.", valueName: "path|url")) var endImage: String?
    @Option(help: ArgumentHelp("The aspect ratio.", valueName: "w:h")) var aspect: String?
    @Option(help: ArgumentHelp("The length, e.g. 5s.", valueName: "duration")) var duration: String?
    @Option(help: ArgumentHelp("e.g. 720p.", valueName: "resolution")) var resolution: String?
    @Option(help: ArgumentHelp("The model, by the remote's name for it.", valueName: "name")) var model: String?
    @Flag(help: "Make the clip loop.") var loop = false
    @Flag(inversion: .prefixedNo, help: "Let the remote rewrite the prompt (proxy).") var expandPrompt: Bool?
    @Option(name: .customLong("tag"), help: ArgumentHelp("Tag the new generation (repeatable).", valueName: "tag")) var tags: [String] = []
    @Flag(help: "Wait for it to finish (a live line), then store it as sync does.") var wait = false

    /// The order for `prompt` (its words joined with spaces) with these options.
    func order(prompt: [String]) throws(ReelError) -> Creator.Order {
        var request = CreateRequest(prompt: prompt.joined(separator: " "))
        request.aspect = aspect
        request.duration = duration
        request.resolution = resolution
        request.model = model
        request.loop = loop ? true : nil
        request.expandPrompt = expandPrompt
        var order = Creator.Order(request: request, endImage: try endImage.map { text throws(ReelError) in try Creator.Picture.parse(text) })
        order.tags = try tags.map { text throws(ReelError) in try TagTargets.tagName(text) }
        return order
    }
}

/// The remote a command acts on: the one named, or the only one there is.
enum RemoteChoice {
    static func one(named name: String?, in library: Library, for purpose: String) throws(ReelError) -> RemoteRecord {
        let remotes = Remotes(library: library)
        if let name { return try remotes.named(name) }
        let all = try remotes.list()
        guard all.count == 1 else {
            throw ReelError(
                all.isEmpty ? "no remote to \(purpose); add one with `reel remote add`"
                    : "several remotes (\(all.map(\.name).joined(separator: ", "))): name the one to \(purpose) with --remote",
                status: .usage)
        }
        return all[0]
    }
}
