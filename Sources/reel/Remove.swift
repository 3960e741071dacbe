import ArgumentParser
import Catalog
import Foundation
import HTTP
import ReelKit

struct Remove: AsyncReelCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Delete a generation on its remote (--remote) and/or from the library (--purge).",
        discussion: """
            --remote deletes it on the remote (the official API's delete call; web and proxy remotes have \
            none); the library keeps its copy, marked as no longer on the remote, unless --purge is given too. \
            --purge removes it from the library (its files stay in the store until `reel gc`). On a terminal \
            reel says what will go and asks; -y skips the question, and is needed when nobody can answer.

            Examples:
              reel rm 1f2e3d4c --remote            # gone from the remote, kept here
              reel rm 1f2e3d4c --remote --purge -y

            Exit status: 0; 64 without --remote or --purge, or without -y off a terminal; 66 for an id that \
            matches nothing; 69 when the remote has no delete call or cannot be reached; 77 when it refuses \
            the key.
            """)

    @OptionGroup var options: LibraryOptions
    @Argument(help: ArgumentHelp("The generation (an id or unique prefix).", valueName: "id")) var id: String
    @Flag(help: "Delete it on its remote.") var remote = false
    @Flag(help: "Remove it from the library.") var purge = false
    @Flag(name: .short, help: "Do not ask.") var yes = false

    func validate() throws {
        if !remote && !purge { throw ValidationError("say what to delete: --remote (on the remote), --purge (from the library), or both") }
    }

    func execute() async throws(ReelError) {
        try await Interrupts.cancellable { [options, id, remote, purge, yes] () async throws(ReelError) in
            let library = try options.open()
            let generation = try library.resolve(id)
            let places = [remote ? "from remote \(generation.remote ?? "-")" : nil, purge ? "from the library" : nil]
                .compactMap { $0 }.joined(separator: " and ")
            let excerpt = generation.displayText.prefix(50)
            if !yes {
                guard Terminal.stdinIsTTY else { throw ReelError("add -y to delete without being asked", status: .usage) }
                guard Terminal.confirm("delete \(generation.uid.prefix(8)) (\"\(excerpt)\") \(places)?") else {
                    throw ReelError("nothing deleted", status: .failure)
                }
            }
            if remote {
                guard let remoteName = generation.remote, let remoteID = generation.remoteID else {
                    throw ReelError("\(generation.uid) is a local import: it is on no remote", status: .noInput)
                }
                let record = try Remotes(library: library).named(remoteName)
                let deleted = try await RemoteAccess.with(record) { session, _ throws(ReelError) in try await session.delete(id: remoteID) }
                guard deleted else {
                    throw ReelError("remote \(record.name) (\(record.dialect)) has no delete call; nothing deleted", status: .unavailable)
                }
                do {
                    try library.catalog.markRemoteMissing(ids: [generation.id], at: Timestamp.now())
                } catch {
                    throw ReelError(error)
                }
            }
            if purge {
                do {
                    try library.catalog.deleteGeneration(id: generation.id)
                } catch {
                    throw ReelError(error)
                }
            }
            print("deleted \(generation.uid) \(places)")
        }
    }
}
