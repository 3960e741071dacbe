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
    @OptionGroup var generation: GenerationOptions

    func execute() async throws(ReelError) {
        let order = try generation.order(prompt: prompt)
        let wait = generation.wait
        try await Interrupts.cancellable { [order, options, id, wait] () async throws(ReelError) in
            let library = try options.open()
            let parent = try library.resolve(id)
            guard let remoteName = parent.remote, let remoteID = parent.remoteID else {
                throw ReelError("\(parent.uid) is a local import: only a remote's generation can be extended", status: .noInput)
            }
            var order = order
            order.request.extending = remoteID
            let record = try Remotes(library: library).named(remoteName)
            let made = try await RemoteAccess.with(record) { session, _ throws(ReelError) in
                try await Creator(library: library, session: session).create(order)
            }
            if wait {
                Terminal.error("created \(made.uid) on \(record.name), extending \(parent.uid.prefix(8))")
                try await WaitView.wait(for: [made], in: library)
            } else {
                print(made.uid)
            }
        }
    }
}
