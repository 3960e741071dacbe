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
            Shows the state, the time waited and the remote's estimate on one live line. Several ids are \
            watched together (one batch call per round where the remote has one), and each remote is synced \
            once when its generations are done. A completed generation's files are stored by a sync of its \
            remote (the same code as `reel sync`); a failed one prints the remote's reason. Ctrl-C stops \
            waiting and keeps everything: a later `reel sync` or `reel wait` finishes the job.

            Examples:
              reel wait 1f2e3d4c
              reel wait 1f2e3d4c 9a8b7c6d 55aa0e12
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
            var generations: [GenerationRecord] = []
            for id in ids {
                let generation = try library.resolve(id)
                if !generations.contains(where: { $0.id == generation.id }) { generations.append(generation) }
            }
            try await WaitView.wait(for: generations, in: library)
        }
    }
}

/// Waits for generations with a live line, then stores them; shared by `reel wait`, `create --wait` and
/// `extend --wait`.
enum WaitView {
    /// Waits for every generation (grouped by remote), stores what completed, and throws when one did not
    /// complete and get stored: its own error for a single generation, else a summary after a line for each.
    static func wait(for generations: [GenerationRecord], in library: Library) async throws(ReelError) {
        var byRemote: [(remote: String, generations: [GenerationRecord])] = []
        for generation in generations {
            guard let remote = generation.remote, generation.remoteID != nil else {
                throw ReelError("\(generation.uid) is a local import: there is nothing to wait for", status: .noInput)
            }
            if let index = byRemote.firstIndex(where: { $0.remote == remote }) {
                byRemote[index].generations.append(generation)
            } else {
                byRemote.append((remote, [generation]))
            }
        }
        var failures: [ReelError] = []
        for group in byRemote {
            let record = try Remotes(library: library).named(group.remote)
            do throws(ReelError) {
                failures += try await RemoteAccess.with(record) { session, client throws(ReelError) in
                    try await wait(for: group.generations, on: Waiter(library: library, session: session, client: client), library)
                }
            } catch {
                if error.status == .interrupted || generations.count == 1 { throw error }
                failures.append(error)
            }
        }
        if failures.count == 1 && generations.count == 1 { throw failures[0] }
        for failure in failures { Terminal.error(failure.message) }
        if let worst = failures.first {
            throw ReelError("\(failures.count) of \(generations.count) generations did not complete", status: worst.status)
        }
    }

    /// Waits for one remote's generations, syncs it once, and returns an error for each that did not end stored.
    private static func wait(for generations: [GenerationRecord], on waiter: Waiter, _ library: Library) async throws(ReelError)
        -> [ReelError]
    {
        let remote = waiter.session.remote.name
        let line = LiveLine(ids: generations.compactMap(\.remoteID))
        let outcome = try await waiter.waitUntilFinal(generations.compactMap(\.remoteID)) { line.update($0) }
        Terminal.endProgress()
        let summary = try await waiter.store()  // failures and their reasons are recorded too, as sync records them
        Terminal.endProgress()
        var failures: [ReelError] = []
        for generation in generations {
            let remoteID = generation.remoteID ?? ""
            let short = generation.uid.prefix(8)
            guard let final = outcome.final[remoteID] else {
                failures.append(ReelError("remote \(remote) has no generation \(remoteID) any more", status: .noInput))
                continue
            }
            if final.state == .failed {
                failures.append(ReelError(
                    "generation \(short) failed on \(remote): \(final.failureReason ?? "the remote gave no reason")", status: .failure))
                continue
            }
            let stored: String?
            do {
                stored = try library.catalog.storedVideoSHA(generationID: generation.id)
            } catch {
                throw ReelError(error)
            }
            if stored == nil {
                failures.append(ReelError(
                    "generation \(short) completed, but its video is not stored yet (\(summary.failed) failed); reel sync retries it",
                    status: .failure))
            } else {
                print("\(generation.uid)\tcompleted and stored")
            }
        }
        return failures
    }

    /// The live line on a terminal (every generation's state, the time waited, the nearest estimate), or a
    /// line per change of state elsewhere.
    private final class LiveLine {
        private let ids: [String]
        private var latest: [String: Waiter.Status] = [:]

        init(ids: [String]) {
            self.ids = ids
        }

        func update(_ status: Waiter.Status) {
            let previous = latest[status.id]?.state
            latest[status.id] = status
            if Terminal.stderrIsTTY {
                Terminal.progress(ids.count == 1 ? WaitView.describe(status) : summary(elapsed: status.elapsed))
            } else if status.state != previous {
                Terminal.error(WaitView.describe(status))
            }
        }

        private func summary(elapsed: Duration) -> String {
            let states = ids.compactMap { latest[$0] }.map { "\($0.id.prefix(8)) \($0.rawState ?? $0.state.rawValue)" }
            var line = "\(WaitView.clock(elapsed)) waited: " + states.joined(separator: ", ")
            if let estimate = latest.values.filter({ !$0.state.isFinal }).compactMap(\.estimate).min() {
                line += "; about \(estimate) s left"
            }
            return line
        }
    }

    static func describe(_ status: Waiter.Status) -> String {
        var line = "\(status.id.prefix(8)): \(status.rawState ?? status.state.rawValue), \(clock(status.elapsed)) waited"
        if let estimate = status.estimate { line += ", about \(estimate) s left" }
        return line
    }

    static func clock(_ elapsed: Duration) -> String {
        let seconds = Int(elapsed.components.seconds)
        return "\(seconds / 60):\(String(format: "%02d", seconds % 60))"
    }
}
