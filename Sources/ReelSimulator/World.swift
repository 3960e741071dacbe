import ContentStore
import Foundation
import Synchronization

/// What a client asked to create, in the simulator's own terms (each dialect parses its body into this).
struct CreateRequest: Sendable {
    var prompt: String
    var aspect = "16:9"
    var loop = false
    var resolution = "720p"
    var durationSeconds = 5
    var model = 1
    var imageURL: String?
    var endImageURL: String?
    var parentID: String?
}

/// A file a client uploaded.
struct Upload: Sendable {
    let bytes: [UInt8]
    let contentType: String
}

/// Why the world refused a call; routes turn it into each dialect's error body.
enum WorldError: Error, Equatable {
    case notFound
    case rateLimited(retryAfter: Int)
    case invalid(String)
    case notCompleted
}

/// Every generation, upload and counter the simulator holds, shared by all dialects.
final class World: Sendable {
    let configuration: SimulatorConfiguration
    private let state: Mutex<State>

    private struct State {
        /// Ids, newest first: the order every list uses.
        var order: [String]
        var items: [String: SimGeneration]
        /// How often each just-completed item has been shown, to withhold its links for the first polls.
        var polls: [String: Int] = [:]
        var uploads: [String: Upload] = [:]
        var consumed: Int
        var creditCents: Double = 250_000
        var recentCreates: [Date] = []
        var rng: SeededRandom
        var nextTaskNumber: Int
        var requestCounters: [String: UInt64] = [:]
        var stats = SimulatorStats()
        /// Arrivals and deletions made so far when they follow the clock.
        var arrivalsMade = 0
        var deletionsMade = 0
    }

    init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        let count = configuration.count
        var items: [String: SimGeneration] = [:]
        items.reserveCapacity(count)
        var order: [String] = []
        order.reserveCapacity(count)
        for index in 0..<count {
            let generation = SampleData.generation(index: index, count: count, configuration: configuration)
            items[generation.id] = generation
            order.append(generation.id)
        }
        let monthAgo = configuration.epoch.addingTimeInterval(-30 * 86_400)
        let consumed = min(100, order.prefix { items[$0]!.createdAt > monthAgo }.count)
        state = Mutex(State(
            order: order, items: items, consumed: consumed,
            rng: SeededRandom(seed: configuration.seed, stream: 0xC0FFEE), nextTaskNumber: 100 + count))
    }

    var step: TimeInterval { configuration.stepSeconds }

    // MARK: Reading

    /// A page of the history, newest first.
    /// A list page. With `churnPerListPage`, the list first changes as if time had passed.
    func page(offset: Int, limit: Int) -> [SimGeneration] {
        for _ in 0..<configuration.churnPerListPage.new { addArrival(now: configuration.now()) }
        for _ in 0..<configuration.churnPerListPage.deleted { removeRandom() }
        return state.withLock { s in
            guard offset < s.order.count, limit > 0 else { return [] }
            return s.order[offset..<min(s.order.count, offset + limit)].compactMap { s.items[$0] }
        }
    }

    func generation(_ id: String) -> SimGeneration? {
        state.withLock { $0.items[id] }
    }

    /// Every generation that exists now, newest first.
    func all() -> [SimGeneration] {
        state.withLock { s in s.order.compactMap { s.items[$0] } }
    }

    /// Whether this showing of an item must leave its links out: a real service reports `completed`
    /// a little before the files are ready. Counts the showing.
    func withholdsLinks(_ generation: SimGeneration, now: Date) -> Bool {
        guard generation.lifeStart != nil, generation.stage(at: now, step: step) == .completed else { return false }
        return state.withLock { s in
            let shown = s.polls[generation.id, default: 0]
            s.polls[generation.id] = shown + 1
            return shown < configuration.linklessPolls
        }
    }

    // MARK: Changing

    /// Makes a new generation from a client's request; it starts queued and moves on by itself.
    func create(_ request: CreateRequest, now: Date, enforceLimits: Bool) throws(WorldError) -> SimGeneration {
        try state.withLock { (s) throws(WorldError) -> SimGeneration in
            if let parent = request.parentID {
                guard let parentItem = s.items[parent] else { throw .invalid("parent generation \(parent) not found") }
                guard parentItem.stage(at: now, step: step) == .completed else {
                    throw .invalid("parent generation \(parent) is not completed")
                }
            }
            // Moderation answers at once on every dialect (a prompt with "fail" fails later instead).
            if request.prompt.localizedCaseInsensitiveContains("nsfw") { throw .invalid(SampleData.moderationRefusal) }
            if enforceLimits {
                s.recentCreates.removeAll { now.timeIntervalSince($0) > 60 }
                let running = s.items.values.filter { $0.createdThroughAPI && $0.stage(at: now, step: step) != $0.outcome }
                if s.recentCreates.count >= 20 || running.count >= 10 {
                    throw .rateLimited(retryAfter: max(1, Int(step.rounded(.up))))
                }
            }
            s.recentCreates.append(now)
            var generation = SampleData.makeGeneration(
                id: s.rng.uuid(), prompt: request.prompt, created: now,
                outcome: request.prompt.localizedCaseInsensitiveContains("fail") ? .failed : .completed,
                rng: &s.rng, taskNumber: s.nextTaskNumber)
            s.nextTaskNumber += 1
            generation.lifeStart = now
            generation.createdThroughAPI = true
            generation.aspect = request.aspect
            generation.loop = request.loop
            generation.resolution = request.resolution
            generation.durationSeconds = request.durationSeconds
            generation.model = request.model
            generation.parentID = request.parentID
            generation.kind = request.parentID != nil ? .extend : (request.imageURL != nil ? .image : .text)
            generation.hasSourceImage = request.imageURL != nil
            generation.hasEndImage = request.endImageURL != nil
            generation.sourceUploadID = request.imageURL.flatMap(Links.uploadID(in:))
            generation.endUploadID = request.endImageURL.flatMap(Links.uploadID(in:))
            if generation.outcome == .failed { generation.failureReason = SampleData.failureReasons[0] }
            s.items[generation.id] = generation
            s.order.insert(generation.id, at: 0)
            s.consumed += 1
            s.creditCents -= Double(generation.durationSeconds * (generation.resolution == "1080p" ? 16 : 8))
            return generation
        }
    }

    /// Removes a generation (the official delete). Returns false when there was none.
    @discardableResult
    func delete(_ id: String) -> Bool {
        state.withLock { s in
            guard s.items.removeValue(forKey: id) != nil else { return false }
            s.order.removeAll { $0 == id }
            return true
        }
    }

    /// `--new-every`: a new finished item appears at the head of the list.
    func addArrival(now: Date) {
        state.withLock { s in
            let prompts = configuration.prompts.isEmpty ? SampleData.prompts : configuration.prompts
            let prompt = SampleData.pick(prompts, &s.rng)
            var generation = SampleData.makeGeneration(
                id: s.rng.uuid(), prompt: prompt, created: now, outcome: .completed, rng: &s.rng,
                taskNumber: s.nextTaskNumber)
            generation.kind = generation.hasSourceImage ? .image : .text
            s.nextTaskNumber += 1
            s.items[generation.id] = generation
            s.order.insert(generation.id, at: 0)
        }
    }

    /// With `lifeFollowsClock`: the arrivals and deletions due by `now` since the world began.
    func live(until now: Date) {
        guard configuration.lifeFollowsClock else { return }
        let elapsed = now.timeIntervalSince(configuration.epoch)
        // How many periods have ended (with slack for Date arithmetic: 0.8 s later can be 0.79999995 s).
        let due = { (every: TimeInterval) in Int((elapsed / every + 1e-6).rounded(.down)) }
        let (arrivals, deletions) = state.withLock { s -> (Int, Int) in
            let arrivals = configuration.newEvery.map { max(0, due($0) - s.arrivalsMade) } ?? 0
            let deletions = configuration.deleteEvery.map { max(0, due($0) - s.deletionsMade) } ?? 0
            s.arrivalsMade += arrivals
            s.deletionsMade += deletions
            return (arrivals, deletions)
        }
        for _ in 0..<arrivals { addArrival(now: now) }
        for _ in 0..<deletions { removeRandom() }
    }

    /// `--delete-every`: a random item vanishes.
    func removeRandom() {
        state.withLock { s in
            guard !s.order.isEmpty else { return }
            let id = s.order.remove(at: Int(s.rng.next() % UInt64(s.order.count)))
            s.items[id] = nil
        }
    }

    // MARK: Uploads, usage, credits

    func storeUpload(_ bytes: [UInt8], contentType: String) -> String {
        state.withLock { s in
            let id = s.rng.uuid()
            s.uploads[id] = Upload(bytes: bytes, contentType: contentType)
            return id
        }
    }

    func upload(_ id: String) -> Upload? {
        state.withLock { $0.uploads[id] }
    }

    var usage: (consumed: Int, capacity: Int) {
        state.withLock { ($0.consumed, 150) }
    }

    var creditCents: Double {
        state.withLock { $0.creditCents }
    }

    // MARK: Faults and statistics

    /// The fault for this request, if any: a draw from the seed and the path's own request count, so the
    /// same sequence of requests to a path meets the same faults whatever other requests interleave.
    func fault(for path: String) -> Fault? {
        guard !configuration.faults.isEmpty else { return nil }
        let count = state.withLock { s -> UInt64 in
            let n = s.requestCounters[path, default: 0]
            s.requestCounters[path] = n + 1
            return n
        }
        let hash = SHA256()
        hash.update(Array(path.utf8))
        let digest = hash.finalize().bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var rng = SeededRandom(seed: configuration.seed ^ digest, stream: count)
        let fault = configuration.faults.fault(forDraw: rng.unit())
        if let fault { state.withLock { $0.stats.faults[fault.rawValue, default: 0] += 1 } }
        return fault
    }

    func record(_ update: (inout SimulatorStats) -> Void) {
        state.withLock { update(&$0.stats) }
    }

    var stats: SimulatorStats { state.withLock { $0.stats } }
}

/// Counters a test can read at `/_sim/stats`.
struct SimulatorStats: Sendable {
    var requests = 0
    var mediaRequests = 0
    /// Media requests that carried an Authorization header: a client leaking its API key to the CDN.
    var mediaRequestsWithAuthorization = 0
    var faults: [String: Int] = [:]
    /// API calls by route, e.g. `POST /luma/tasks`.
    var calls: [String: Int] = [:]

    var json: JSON {
        .object([
            ("requests", .int(Int64(requests))),
            ("media_requests", .int(Int64(mediaRequests))),
            ("media_requests_with_authorization", .int(Int64(mediaRequestsWithAuthorization))),
            ("faults", Self.counts(faults)),
            ("calls", Self.counts(calls)),
        ])
    }

    private static func counts(_ counts: [String: Int]) -> JSON {
        .object(counts.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })
    }
}
