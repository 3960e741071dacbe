import ArgumentParser
import ReelKit

struct GarbageCollect: AsyncReelCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove stored files no item uses, and temp files a killed process left.",
        discussion: """
            Removes blobs no item refers to (their catalog rows and files), files under objects/ the catalog \
            does not record, temp files in tmp/ untouched for a day, and media rows whose item is gone. Files \
            written in the last day are kept (an import may be about to record them); quarantine/ is never \
            touched. Prints each removal and the bytes freed.

            Example:
              reel gc --dry-run
              reel gc

            Exit status: 0; 75 when a sync holds the library (use --wait).
            """)

    @OptionGroup var options: LibraryOptions
    @Flag(name: .customLong("dry-run"), help: "Print what would be removed; remove nothing.") var dryRun = false
    @Flag(help: "Wait for a running sync to end instead of exiting 75.") var wait = false
    @Flag(help: "Print the report as one JSON object.") var json = false

    func execute() async throws(ReelError) {
        let library = try options.open()
        let report: GCReport
        if dryRun {
            report = try GarbageCollector(dryRunOf: library).run(dryRun: true)
        } else {
            let lock = try await LibraryLock.acquire(libraryRoot: library.root, purpose: "reel gc", wait: wait) { holder in
                Terminal.error("waiting for another sync to finish (\(holder))")
            }
            report = try GarbageCollector(library: library, holding: lock).run(dryRun: false)
        }
        if json {
            try JSONOutput.print(report, pretty: false)
            return
        }
        let verb = dryRun ? "would remove" : "removed"
        for removal in report.removals {
            let size = removal.kind == .orphanMedia ? "" : " (\(MediaSummary.byteCount(removal.size)))"
            print("\(verb) \(removal.kind.rawValue): \(removal.subject)\(size)")
        }
        let files = "\(report.removals.count) item\(report.removals.count == 1 ? "" : "s")"
        let young = report.keptYoung == 0 ? "" : "; kept \(report.keptYoung) file\(report.keptYoung == 1 ? "" : "s") younger than a day"
        print(dryRun
              ? "would remove \(files), freeing \(MediaSummary.byteCount(report.freedBytes))\(young)"
              : "removed \(files), freed \(MediaSummary.byteCount(report.freedBytes))\(young)")
    }
}
