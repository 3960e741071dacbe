import ArgumentParser
import ReelKit

struct Init: ReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a library (a catalog and a content store).",
        discussion: """
            Example:
              reel init                       # at $REEL_LIBRARY or ~/.local/share/reel
              reel init --library ~/clips     # somewhere else

            On a folder that already holds a library, says so and changes nothing.
            """)

    @OptionGroup var options: LibraryOptions

    func execute() throws(ReelError) {
        let path = try options.path()
        switch try Library.create(at: path) {
        case .created: print("created a library at \(path)")
        case .alreadyExists: print("a library already exists at \(path); nothing changed")
        }
    }
}
