import ArgumentParser
import Catalog
import Foundation
import HTTP
import ReelKit
import RemoteAPI

struct Wait: AsyncReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Wait for generations to finish on their remote, then store them as sync does.",
        discussion: """
            Shows the state, the time waited and the remote's estimate on one live line. A completed \
            generation's files are stored by a sync of its remote (the same code as `reel sync`); a failed one \
            prints the remote's reason. Ctrl-C stops waiting and keeps everything: a later `reel sync` or \
            `reel wait` finishes the job.

            Examples:
              reel wait 1f2e3d4c
              reel create "a fox in the snow" --wait      # the same, right after creating

            Exit status: 0 when every generation completed and was stored; 1 when one failed; 66 for an id \
            that matches nothing (or a local import); 69 when the remote cannot be reached; 130 when \
            interrupted.
            """)

    @OptionGroup var options: LibraryOptions
    @Argument(help: ArgumentHelp("Generation ids (or unique prefixes).", valueName: "id")) var ids: [String]

    func execute() async throws(ReelError) {
        try await Interrupts.cancellable { [options, ids] () async throws(ReelError) in
            let library = try options.open()
            var worst: ReelError?
            for id in ids {
                let generation = try library.resolve(id)
                do throws(ReelError) {
                    try await WaitView.wait(for: generation, in: library)
                } catch {
                    if error.status == .interrupted { throw error }
                    Terminal.error(error.message)
                    worst = error
                }
            }
            if let worst { throw ReelError(ids.count == 1 ? worst.message : "not every generation completed", status: worst.status) }
        }
    }
}

/// Waits for one generation with a live line, then stores it; shared by `reel wait` and `create --wait`.
enum WaitView {
    static func wait(for generation: GenerationRecord, in library: Library) async throws(ReelError) {
        guard let remoteName = generation.remote, let remoteID = generation.remoteID else {
            throw ReelError("\(generation.uid) is a local import: there is nothing to wait for", status: .noInput)
        }
        let record = try Remotes(library: library).named(remoteName)
        let key = try RemoteKey.find(for: record, environment: ProcessInfo.processInfo.environment)
        let client = HTTPClient()
        defer { client.shutdown() }
        let session = try RemoteSession(remote: record, key: key, client: client)
        let waiter = Waiter(library: library, session: session, client: client)
        var lastState: GenerationState?
        let final = try await waiter.waitUntilFinal(remoteID) { status in
            let line = describe(status)
            if Terminal.stderrIsTTY {
                Terminal.progress(line)
            } else if status.state != lastState {
                Terminal.error(line)
            }
            lastState = status.state
        }
        Terminal.endProgress()
        if final.state == .failed {
            _ = try? await waiter.store()  // the failure and its reason go into the catalog, as sync records them
            throw ReelError(
                "generation \(generation.uid.prefix(8)) failed on \(record.name): \(final.failureReason ?? "the remote gave no reason")",
                status: .failure)
        }
        let summary = try await waiter.store()
        Terminal.endProgress()
        let stored: String?
        do {
            stored = try library.catalog.storedVideoSHA(generationID: generation.id)
        } catch {
            throw ReelError(error)
        }
        if stored == nil {
            throw ReelError(
                "generation \(generation.uid.prefix(8)) completed, but its video is not stored yet (\(summary.failed) failed); reel sync retries it",
                status: .failure)
        }
        print("\(generation.uid)\tcompleted and stored")
    }

    static func describe(_ status: Waiter.Status) -> String {
        let seconds = Int(status.elapsed.components.seconds)
        var line = "\(status.id.prefix(8)): \(status.rawState ?? status.state.rawValue), \(seconds / 60):\(String(format: "%02d", seconds % 60)) waited"
        if let estimate = status.estimate { line += ", about \(estimate) s left" }
        return line
    }
}
