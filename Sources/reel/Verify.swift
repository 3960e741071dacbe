import ArgumentParser
import ReelKit

struct Verify: ReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rehash every stored file and check that the catalog and the store agree.",
        discussion: """
            Example:
              reel verify

            Reports each problem (a missing file, a file whose bytes changed, a catalog row without its file) \
            on its own line. Exit status 0 only when all is well, 65 when a problem was found.
            """)

    @OptionGroup var options: LibraryOptions

    func execute() throws(ReelError) {
        let library = try options.open()
        let report = try Verifier(library: library).run { done, total in
            Terminal.progress("verifying \(done)/\(total)")
        }
        Terminal.endProgress()
        for problem in report.problems { print(problem.description) }
        let unreferenced = report.unreferenced.isEmpty
            ? "" : "; \(report.unreferenced.count) stored files belong to no item (an interrupted import; harmless)"
        print("\(report.checked) files intact (\(MediaSummary.byteCount(report.bytes)))\(unreferenced)")
        if !report.isClean {
            throw ReelError("\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") found", status: .dataError)
        }
    }
}
