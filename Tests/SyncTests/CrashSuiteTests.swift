import Foundation
import Media
import Testing
import TestSupport

/// The crash suite: `reel sync` (with media), `reel export --embed-metadata` and `reel import` killed with
/// SIGKILL at random moments, then run again. After each: the library equals the simulator's manifest (or
/// the imported folder), `reel verify` is clean, no temp file is left once the command has run again, and
/// no exported file exists half-written under its final name.
///
/// The moments are drawn from a seed (`REEL_CRASH_SEED`, printed on failure) over the span the command
/// takes when left alone, so they land anywhere from process start to the last write.
@Suite(.serialized) struct CrashSuiteTests {
    private static var seed: UInt64 {
        ProcessInfo.processInfo.environment["REEL_CRASH_SEED"].flatMap { UInt64($0) } ?? 20_261_121
    }

    /// Runs `arguments` once to the end and returns how long it took.
    private func timed(_ fixture: SyncFixture, _ arguments: [String]) async throws -> Duration {
        let started = ContinuousClock.now
        let result = try await fixture.reel(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return ContinuousClock.now - started
    }

    /// Starts `arguments`, kills it with SIGKILL after `delay` (if it is still running) and waits for it.
    /// Returns whether it was killed (false: it had already finished).
    private func kill(_ fixture: SyncFixture, _ arguments: [String], after delay: Duration) async throws -> Bool {
        let process = try fixture.start(arguments)
        try await Task.sleep(for: delay)
        let killed = process.isRunning
        if killed { Foundation.kill(process.processIdentifier, SIGKILL) }
        await fixture.waitForExit(process)
        return killed && process.terminationReason == .uncaughtSignal
    }

    /// Moments drawn over the span the command takes; a moment that falls after the command ended (the
    /// machine got faster) narrows the span, so the rounds keep going until each of them killed it.
    private struct Moments {
        var random: SplitMix64
        var span: Duration

        mutating func next() -> Duration {
            let milliseconds = Double(span.components.seconds) * 1000 + Double(span.components.attoseconds) / 1e15
            return .milliseconds(Int(random.unit() * milliseconds))
        }

        mutating func missed(_ moment: Duration) {
            span = max(.milliseconds(50), moment)
        }
    }

    /// Runs rounds until `count` of them killed the command (at most three times as many rounds):
    /// `prepare`, start the command, kill it at a drawn moment, then `check` (which runs it again).
    private func killRounds(
        _ fixture: SyncFixture, _ arguments: [String], count: Int, span: Duration, seed: UInt64,
        prepare: () throws -> Void, check: (_ round: Int) async throws -> Void
    ) async throws -> Int {
        var moments = Moments(random: SplitMix64(seed: seed), span: span)
        var killed = 0
        var round = 0
        while killed < count && round < 3 * count {
            round += 1
            try prepare()
            let moment = moments.next()
            if try await kill(fixture, arguments, after: moment) { killed += 1 } else { moments.missed(moment) }
            try await check(round)
        }
        #expect(killed == count, "\(killed) of \(round) rounds killed the command (seed \(seed))")
        CrashFigures.record(arguments[0], killed: killed, rounds: round)
        return killed
    }

    /// `reel gc` finds nothing the killed run left: no unrecorded object, no temp file, no unused blob.
    private func expectNothingToCollect(_ fixture: SyncFixture, _ round: Int) async throws {
        let gc = try await fixture.reel(["gc", "--dry-run", "--json"])
        let report = try JSONSerialization.jsonObject(with: gc.stdoutData) as? [String: Any]
        #expect(gc.status == 0 && (report?["removals"] as? [Any])?.isEmpty == true && report?["keptYoung"] as? Int == 0,
                "round \(round): \(gc.stdout)\(gc.stderr)")
    }

    @Test func syncKilledAtThirtyMomentsLosesNothing() async throws {
        let fixture = try await SyncFixture(dialect: "proxy", count: 24, seed: 5)
        fixture.clock?.advance(by: 3600)
        let manifest = try await fixture.manifest()
        let arguments = ["sync", "--jobs", "2"]
        _ = try await timed(fixture, arguments)  // the simulator makes its clips on first request
        try fixture.resetLibrary()
        let span = try await timed(fixture, arguments)
        _ = try await killRounds(fixture, arguments, count: 30, span: span, seed: Self.seed, prepare: fixture.resetLibrary) { round in
            let again = try await fixture.reel(arguments)
            #expect(again.status == 0, "round \(round) (seed \(Self.seed)): \(again.stderr)")
            try fixture.expectMirrors(manifest)
            let verify = try await fixture.reel(["verify"])
            #expect(verify.status == 0, "round \(round): \(verify.stdout)")
            let left = leftovers(store: fixture.root)
            #expect(left.isEmpty, "round \(round): temp files left after the second sync: \(left)")
            try await expectNothingToCollect(fixture, round)
        }
    }

    @Test func exportKilledAtTenMomentsLeavesNoHalfFile() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 12, seed: 6)
        fixture.clock?.advance(by: 3600)
        try await fixture.sync()
        let out = fixture.folder.file("out")
        let arguments = ["export", "--all", "--to", out, "--embed-metadata", "--embed-thumbnail", "--sidecar", "--copy"]
        let span = try await timed(fixture, arguments)
        let expected = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        _ = try await killRounds(fixture, arguments, count: 10, span: span, seed: Self.seed ^ 1) {
            try? FileManager.default.removeItem(atPath: out)
        } check: { round in
            // Whatever carries a final name is whole: a clip libavformat opens to its full duration, a
            // sidecar that parses.
            for name in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] where !name.hasPrefix(".") {
                let path = out + "/" + name
                if name.hasSuffix(".json") {
                    #expect((try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))) != nil,
                            "round \(round): \(name) is half-written")
                } else {
                    let info = try? MediaProbe.probe(path: path)
                    #expect(info.map { ($0.duration ?? 0) > 0 && $0.hasVideo && !$0.isTruncated } == true, "round \(round): \(name) is half-written")
                }
            }
            let again = try await fixture.reel(arguments)
            #expect(again.status == 0, "round \(round): \(again.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == expected, "round \(round): the same files as an uninterrupted run")
            #expect(leftovers(store: fixture.root, export: out).isEmpty, "round \(round)")
            let third = try await fixture.reel(arguments)
            #expect(third.stdout.hasPrefix("nothing to do"), "round \(round): the rerun finished the job: \(third.stdout)")
        }
    }

    @Test func importKilledAtTenMomentsLosesNothing() async throws {
        let fixture = try await SyncFixture(dialect: "web", count: 0)
        let clips = fixture.folder.file("clips")
        try FileManager.default.createDirectory(atPath: clips, withIntermediateDirectories: true)
        let names = Fixtures.corpusFiles.filter { $0.hasSuffix(".mp4") || $0.hasSuffix(".mov") || $0.hasSuffix(".webm") }.prefix(24)
        for name in names { try FileManager.default.copyItem(atPath: Fixtures.corpus(name), toPath: clips + "/" + name) }
        let arguments = ["import", clips]
        let span = try await timed(fixture, arguments)
        let expected = try #require(try fixture.catalog().scalar(Int.self, "SELECT count(*) FROM generations"))
        #expect(expected > 10, "the corpus gave enough clips: \(expected)")
        _ = try await killRounds(fixture, arguments, count: 10, span: span, seed: Self.seed ^ 2, prepare: fixture.resetLibrary) { round in
            let again = try await fixture.reel(arguments)
            #expect(again.status == 0, "round \(round): \(again.stderr)")
            let db = try fixture.catalog()
            #expect(try db.scalar(Int.self, "SELECT count(*) FROM generations") == expected, "round \(round): every clip once")
            #expect(try db.scalar(Int.self, "SELECT count(*) FROM media WHERE state = 'stored'") ?? 0 >= expected)
            let verify = try await fixture.reel(["verify"])
            #expect(verify.status == 0, "round \(round): \(verify.stdout)")
            #expect(leftovers(store: fixture.root).isEmpty, "round \(round)")
            try await expectNothingToCollect(fixture, round)
        }
    }
}

/// The figures docs/RELIABILITY.md quotes, printed for the record of a run.
enum CrashFigures {
    static func record(_ command: String, killed: Int, rounds: Int) {
        print("crash suite: reel \(command): killed with SIGKILL at \(killed) random moments (\(rounds) rounds), nothing lost")
    }
}
