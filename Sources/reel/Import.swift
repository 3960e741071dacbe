import ArgumentParser
import ReelKit

struct Import: ReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add local video files (or every video under a folder) to the library.",
        discussion: """
            Example:
              reel import ~/Downloads/luma_eaf962b3-f279-4247-9d7d-c27c741e07cb.mp4
              reel import ~/Downloads           # every video under it, recursively

            Each file is copied into the store, probed and catalogued. A file name holding a generation id \
            (a UUID) keeps it, so that the generation, when a remote later sends it, becomes the same item. \
            Files that are not video are reported and skipped; importing a file again changes nothing.
            Exit status: 0 when every named file was imported or already there; 66 when a named file is \
            missing, 65 when one is not video, 74 when one cannot be read (files found in folders only warn).
            """)

    @OptionGroup var options: LibraryOptions

    @Argument(help: ArgumentHelp("Video files or folders.", valueName: "path"))
    var paths: [String]

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func execute() throws(ReelError) {
        let library = try options.open()
        var imported = 0, present = 0, skipped = 0
        var namedFailures: [ReelError] = []
        Importer(library: library).run(paths: paths) { event in
            Terminal.endProgress()
            switch event.outcome {
            case .imported(let uid):
                imported += 1
                if !quiet { print("imported  \(uid.prefix(8))  \(event.path)") }
            case .attached(let uid):
                imported += 1
                if !quiet { print("attached  \(uid.prefix(8))  \(event.path)") }
            case .alreadyPresent(let uid):
                present += 1
                if !quiet { print("present   \(uid.prefix(8))  \(event.path)") }
            case .skipped(let error):
                skipped += 1
                Terminal.error("skipped \(error.message)")
                if event.wasNamed { namedFailures.append(error) }
            }
            Terminal.progress("\(imported + present + skipped) files…")
        }
        Terminal.endProgress()
        if !quiet {
            print("\(imported) imported, \(present) already in the library, \(skipped) skipped")
        }
        if let first = namedFailures.first {
            let count = namedFailures.count
            throw ReelError("\(count) named file\(count == 1 ? "" : "s") could not be imported", status: first.status)
        }
    }
}
