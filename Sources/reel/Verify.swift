import ArgumentParser
import ReelKit

struct Verify: AsyncReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rehash stored files and check that the catalog and the store agree; --repair fixes what it can.",
        discussion: """
            Example:
              reel verify
              reel verify --sample 50
              reel verify --since -7d --json
              reel verify --repair && reel sync

            Reports each problem (a missing file, a file whose bytes or length changed, a catalog row without its \
            file, a stray file) on its own line. A whole verify that is interrupted (Ctrl-C, kill) continues where \
            it stopped the next time; --restart starts it over.

            --repair moves damaged files to quarantine/ in the library (it never deletes them), makes the catalog \
            forget them and marks the items that used them for download, so the next `reel sync` fetches them \
            again; a local import is put back from its original file when that is unchanged. Each action is \
            printed on its own line. It takes the library's sync lock.

            Exit status: 0 when all is well; 65 when a problem was found (repaired or not); 64 for a bad option; \
            75 when --repair finds a sync running (use --wait); 130 interrupted.
            """)

    @OptionGroup var options: LibraryOptions
    @Option(help: ArgumentHelp("Rehash this many files picked at random instead of all of them.", valueName: "n"))
    var sample: Int?
    // Unconditional: `-7d` is a value here, not an option.
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Only files stored since this date: 2024-06-01, 2024-06, 2024-06-01T14:30, today, -7d, or 2024-06-01T14:30:00Z.",
        valueName: "date"))
    var since: String?
    @Flag(help: "Start a whole verify from the beginning, even when an earlier one was interrupted.") var restart = false
    @Flag(help: "Quarantine damaged files and mark their items for download again.") var repair = false
    @Flag(help: "With --repair: wait for a running sync to end instead of exiting 75.") var wait = false
    @Flag(help: "Print the report as one JSON object.") var json = false

    func validate() throws {
        if let sample, sample < 1 { throw ValidationError("--sample must be at least 1") }
        if sample != nil && since != nil { throw ValidationError("--sample and --since cannot be used together") }
        if restart && (sample != nil || since != nil) { throw ValidationError("--restart is for a whole verify (without --sample or --since)") }
        if wait && !repair { throw ValidationError("--wait goes with --repair") }
    }

    func execute() async throws(ReelError) {
        try await Interrupts.cancellable { [self] () async throws(ReelError) in try await verify() }
    }

    private func verify() async throws(ReelError) {
        let library = try options.open()
        let scope: VerifyScope =
            if let sample { .sample(sample) } else if let since { .since(try DateArgument.start(of: since)) } else { .all(restart: restart) }
        let lock: LibraryLock? = repair ? try await LibraryLock.acquire(
            libraryRoot: library.root, purpose: "reel verify --repair", wait: wait
        ) { holder in Terminal.error("waiting for another sync to finish (\(holder))") } : nil
        defer { _ = lock }
        var report: VerifyReport
        do throws(ReelError) {
            report = try Verifier(library: library).run(scope: scope, progress: { done, total in
                Terminal.progress("verifying \(done)/\(total)")
            })
        } catch {
            Terminal.endProgress()
            throw error
        }
        Terminal.endProgress()
        if let lock { report.repairs = try Repairer(library: library, holding: lock).repair(report.problems) }
        if json {
            try JSONOutput.print(report, pretty: false)
        } else {
            for problem in report.problems { print(problem.description) }
            for action in report.repairs { print(action.description) }
            print(Self.summary(report))
        }
        guard report.isClean else {
            let count = "\(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") found"
            let next = report.repairs.contains { $0.kind == .refetch } ? "; run reel sync to fetch the marked files again" : ""
            throw ReelError(count + next, status: .dataError)
        }
    }

    private static func summary(_ report: VerifyReport) -> String {
        var line = "\(report.checked) files intact (\(MediaSummary.byteCount(report.bytes)))"
        if report.resumed > 0 { line += "; continued an interrupted verify, \(report.resumed) files were checked before" }
        if !report.unreferenced.isEmpty {
            line += "; \(report.unreferenced.count) stored files belong to no item (an interrupted import; reel gc removes them)"
        }
        return line
    }
}
