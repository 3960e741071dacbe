import ArgumentParser
import Catalog
import Foundation
import HTTP
import ReelKit
import RemoteAPI

struct Extend: AsyncReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a generation with a new prompt, on the remote that made it.",
        discussion: """
            proxy remotes have an extend call; the official API extends with the generation as the first \
            keyframe; the web API cannot extend (a clear error). The new generation records its parent, and \
            `reel show` lists the chain. Options as for `reel create` (without --image: an extension starts \
            from its generation).

            Examples:
              reel extend 1f2e3d4c "the fox stops and looks back"
              reel extend 1f2e3d4c "then runs on" --wait --tag fox

            Exit status: as `reel create`; 66 when the id matches nothing or a local import.
            """)

    @OptionGroup var options: LibraryOptions
    @Argument(help: ArgumentHelp("The generation to continue (an id or unique prefix).", valueName: "id")) var id: String
    @Argument(help: ArgumentHelp("The prompt (its words are joined with spaces).", valueName: "prompt")) var prompt: [String]
    @Option(help: ArgumentHelp("The last frame: a URL or a local picture.", valueName: "path|url")) var endImage: String?
    @Option(help: ArgumentHelp("The aspect ratio.", valueName: "w:h")) var aspect: String?
    @Option(help: ArgumentHelp("The length, e.g. 5s.", valueName: "duration")) var duration: String?
    @Option(help: ArgumentHelp("e.g. 720p.", valueName: "resolution")) var resolution: String?
    @Option(help: ArgumentHelp("The model, by the remote's name for it.", valueName: "name")) var model: String?
    @Flag(help: "Make the clip loop.") var loop = false
    @Option(name: .customLong("tag"), help: ArgumentHelp("Tag the new generation (repeatable).", valueName: "tag")) var tags: [String] = []
    @Flag(help: "Wait for it to finish, then store it as sync does.") var wait = false

    func execute() async throws(ReelError) {
        var request = CreateRequest(prompt: prompt.joined(separator: " "))
        request.aspect = aspect
        request.duration = duration
        request.resolution = resolution
        request.model = model
        request.loop = loop ? true : nil
        var order = Creator.Order(request: request, endImage: try endImage.map { text throws(ReelError) in try Creator.Picture.parse(text) })
        order.tags = try tags.map { text throws(ReelError) in try TagTargets.tagName(text) }
        try await Interrupts.cancellable { [order, options, id, wait] () async throws(ReelError) in
            let library = try options.open()
            let parent = try library.resolve(id)
            guard let remoteName = parent.remote, let remoteID = parent.remoteID else {
                throw ReelError("\(parent.uid) is a local import: only a remote's generation can be extended", status: .noInput)
            }
            var order = order
            order.request.extending = remoteID
            let record = try Remotes(library: library).named(remoteName)
            let key = try RemoteKey.find(for: record, environment: ProcessInfo.processInfo.environment)
            let client = HTTPClient()
            defer { client.shutdown() }
            let session = try RemoteSession(remote: record, key: key, client: client)
            let made = try await Creator(library: library, session: session).create(order)
            if wait {
                Terminal.error("created \(made.uid) on \(record.name), extending \(parent.uid.prefix(8))")
                try await WaitView.wait(for: made, in: library)
            } else {
                print(made.uid)
            }
        }
    }
}
