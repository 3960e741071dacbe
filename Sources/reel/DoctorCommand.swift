import ArgumentParser
import Foundation
import ReelKit

struct DoctorCommand: ReelCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the library's health: the catalog, orphans, permissions, free space.",
        discussion: """
            Runs SQLite's integrity and foreign-key checks, looks for rows and files that belong to nothing, \
            checks that the library folder is yours to write and nobody else's, that the credentials file is \
            private (mode 0600), and that the disk has room (at least 1 GiB and 5% free). Prints one line per \
            finding with what to do. Changes nothing; it does not rehash files (that is reel verify).

            Example:
              reel doctor

            Exit status: 0 when healthy; 65 when the catalog or store has a problem; 77 when a permission is \
            wrong (and nothing worse was found); 74 when the disk is nearly full (and nothing worse was found).
            """)

    @OptionGroup var options: LibraryOptions
    @Flag(help: "Print the report as one JSON object.") var json = false

    func execute() throws(ReelError) {
        let library = try options.open()
        let credentials = try? CredentialsFile.location(environment: ProcessInfo.processInfo.environment)
        let report = try Doctor(library: library, credentialsPath: credentials).run()
        if json {
            try JSONOutput.print(report, pretty: false)
        } else {
            for finding in report.findings { print(finding.description) }
            if report.isHealthy {
                print("healthy: catalog intact, \(report.blobs) files recorded, \(MediaSummary.byteCount(report.freeBytes)) free")
            }
        }
        if let status = report.status {
            let count = report.findings.count
            throw ReelError("\(count) finding\(count == 1 ? "" : "s"); see above for what to do", status: status)
        }
    }
}
