import ArgumentParser
import Foundation
import ReelKit

struct Track: ReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add generation ids for a remote to follow (hosts without a list).",
        discussion: """
            Some proxy hosts cannot list a history: reel can only follow the generations it created there and the \
            ids you give it. The next `reel sync` fetches each tracked item, and keeps asking until it finishes.

            Example:
              reel track hk 0f8c3b7e-1d2a-4c55-9e1b-2f6a7d9c0b13 5b1e…
              reel sync hk
            """)

    @OptionGroup var options: LibraryOptions
    @Argument(help: "The remote the ids belong to.") var remote: String
    @Argument(help: "Generation ids, as the remote gives them.") var ids: [String]

    func validate() throws {
        guard !ids.isEmpty else { throw ValidationError("give at least one generation id") }
    }

    func execute() throws(ReelError) {
        let library = try options.open()
        let record = try Remotes(library: library).named(remote)
        let added = try Remotes(library: library).track(ids: ids, on: record)
        let already = Set(ids).count - added
        print("\(record.name): tracking \(added) new id\(added == 1 ? "" : "s")\(already > 0 ? " (\(already) already known)" : ""); `reel sync \(record.name)` fetches them")
    }
}
