import ArgumentParser
import Foundation
import HTTP
import ReelKit

extension Remote {
    struct Test: AsyncReelCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a remote is reachable, speaks its dialect and takes the key (one line).",
            discussion: """
                Example:
                  reel remote test luma

                Exit status: 0 when all is well, 77 when the key is refused or missing, 69 when the remote \
                cannot be reached or fails, 65 when it answers in another dialect.
                """)

        @OptionGroup var options: LibraryOptions
        @Argument(help: "The remote's name.") var name: String

        func execute() async throws(ReelError) {
            let library = try options.open()
            let remote = try Remotes(library: library).named(name)
            let key = try RemoteKey.find(for: remote, environment: ProcessInfo.processInfo.environment)
            let client = HTTPClient()
            defer { client.shutdown() }
            let report = try await RemoteCheck(client: client).run(remote, key: key)
            print("ok: \(remote.name) (\(remote.dialect) at \(remote.baseURL)) answered in \(report.milliseconds) ms over HTTP/\(report.httpVersion); key from \(report.keySource)")
        }
    }
}
