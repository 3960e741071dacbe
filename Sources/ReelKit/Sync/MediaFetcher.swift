import Catalog
import ContentStore
import Dispatch
import Foundation
import HTTP
import Media
import RemoteAPI

/// How fetching one file ended.
enum FetchOutcome: Sendable {
    /// In the store, read by libavformat. `sourcePath` says where a made file came from.
    case stored(StoredBlob, MediaInfo, sourcePath: String?)
    /// Not this time: why, the bytes to resume from, the link last used; `gone` when the remote no longer has it.
    case failed(String, partial: PartialDownload?, remoteURL: String?, gone: Bool)
    /// Stopped by the user; the bytes so far are kept for the next run.
    case interrupted(partial: PartialDownload?)
    /// A failure that ends the whole sync: the key was refused, the disk is full.
    case fatal(ReelError)
}

/// Fetches one media file into the store: the download, its retries, fresh links, and the check that
/// libavformat reads what arrived. Holds only `Sendable` parts, so that several run at once.
struct MediaFetcher: Sendable {
    let session: RemoteSession
    let client: HTTPClient
    let store: ContentStore
    let plan: MediaPlan
    let attempts: Int
    let retryPolicy: RetryPolicy
    /// The largest file to accept (`--max-file-size`).
    let maxFileSize: Int64

    /// The statuses a media host answers for a link that expired or was withdrawn.
    static let staleLinkStatuses: Set<Int> = [401, 403, 404, 410]

    func fetch(_ job: PendingMedia) async -> FetchOutcome {
        do {
            return try await download(job)
        } catch {
            switch error.status {
            case .interrupted: return .interrupted(partial: nil)
            case .permission, .ioError: return .fatal(error)
            default: return .failed(error.message, partial: nil, remoteURL: nil, gone: false)
            }
        }
    }

    private func download(_ job: PendingMedia) async throws(ReelError) -> FetchOutcome {
        var url = job.remoteURL
        var partial = job.partialPath.map {
            PartialDownload(path: $0, size: job.partialSize ?? 0, etag: job.partialETag, lastModified: job.partialLastModified)
        }
        // A missing link is asked for; a refused one is asked for again, at most twice in a run.
        var needsFreshLink = url == nil
        var refreshes = 0
        var problem = "no attempt made"
        var retryAfter: String?
        for attempt in 1...max(1, attempts) {
            if attempt > 1 { try await pause(attempt: attempt - 1, retryAfter: retryAfter) }
            retryAfter = nil
            if needsFreshLink {
                needsFreshLink = false
                refreshes += 1
                switch try await freshLink(job) {
                case .link(let fresh): url = fresh
                case .gone: return .failed("the remote no longer has generation \(job.remoteID)", partial: partial, remoteURL: nil, gone: true)
                case .notYet:
                    return .failed("the remote offers no link for the \(Self.name(job)) yet", partial: partial, remoteURL: nil, gone: false)
                }
            }
            guard let link = url else { continue }  // unreachable: a missing link was just asked for
            let result: DownloadResult
            do {
                result = try await client.download(link, into: store, maxBytes: maxFileSize, resumeFrom: partial, keepPartial: true)
                partial = nil
            } catch {
                partial = error.partial
                if error.kind == .cancelled { return .interrupted(partial: partial) }
                if error.kind == .storage { throw ReelError("cannot write into the store: \(error.message)", status: .ioError) }
                if error.kind == .tooLarge {
                    // Announced or grown past the limit: another attempt would bring the same file.
                    let limit = ByteSize.describe(maxFileSize)
                    return .failed(
                        "the \(Self.name(job)) is larger than the limit of \(limit) (--max-file-size); nothing of it was kept",
                        partial: nil, remoteURL: link, gone: false)
                }
                if error.kind == .protocolNotAllowed {
                    return .failed(
                        "the link or a redirect names a scheme other than http or https, which reel does not follow (\(error.message))",
                        partial: nil, remoteURL: link, gone: false)
                }
                problem = "the download broke off: \(error.message)"
                if error.isRetryable { continue }
                return .failed(problem, partial: partial, remoteURL: link, gone: false)
            }
            switch result {
            case .stored(let blob, _):
                switch await Self.read(blob, role: job.role) {
                case .success(let info):
                    return .stored(blob, info, sourcePath: nil)
                case .failure(let error):
                    if blob.isNew { try? store.remove(blob.digest) }
                    problem = error.message
                    continue
                }
            case .refused(let status, let reason, let head, let body):
                problem = Self.describe(status: status, reason: reason, body: body)
                if Self.staleLinkStatuses.contains(status) {
                    guard refreshes < 2 else { return .failed(problem, partial: nil, remoteURL: link, gone: false) }
                    needsFreshLink = true
                    continue
                }
                retryAfter = head[header: "retry-after"]
                if reason != .status || RetryPolicy.isRetryable(status: status) { continue }
                return .failed(problem, partial: nil, remoteURL: link, gone: false)
            }
        }
        return .failed(problem, partial: partial, remoteURL: url, gone: false)
    }

    private enum FreshLink {
        case link(String)
        case gone
        case notYet
    }

    /// Asks the remote for a new link to the file: the unwatermarked-link call where the dialect has one,
    /// else the item again.
    private func freshLink(_ job: PendingMedia) async throws(ReelError) -> FreshLink {
        if job.role == .videoRaw, let link = try await session.unwatermarkedLink(id: job.remoteID), !link.isEmpty {
            return .link(link)
        }
        guard let item = try await session.item(id: job.remoteID) else { return .gone }
        if let link = plan.link(for: job.role, ordinal: job.ordinal, in: item) { return .link(link) }
        if job.role == .videoRaw, item.needsUnwatermarkedLinkCall, let link = try await session.unwatermarkedLink(id: job.remoteID) {
            return .link(link)
        }
        return .notYet
    }

    private func pause(attempt: Int, retryAfter: String?) async throws(ReelError) {
        do { try await Task.sleep(for: retryPolicy.delay(attempt: attempt, retryAfter: retryAfter)) } catch { throw ReelError.interrupted }
    }

    /// Reads a stored file with libavformat, off the cooperative threads: it must be whole media.
    static func read(_ blob: StoredBlob, role: MediaRole) async -> Result<MediaInfo, ReelError> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(ReelError) -> MediaInfo in
                    let subject = "the downloaded \(role.rawValue.replacingOccurrences(of: "_", with: " "))"
                    let info: MediaInfo
                    do throws(MediaError) { info = try MediaProbe.probe(path: blob.path) } catch {
                        throw ReelError("\(subject) is not media libavformat can read (\(error.description))", status: .dataError)
                    }
                    try MediaCheck.requirePlayable(info, subject: subject)
                    return info
                })
            }
        }
    }

    static func name(_ job: PendingMedia) -> String {
        job.role == .sourceImage ? (job.ordinal == 0 ? "source image" : "end image") : job.role.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    static func describe(status: Int, reason: DownloadResult.Reason, body: [UInt8]) -> String {
        switch reason {
        case .html: "the media host sent a web page instead of the file (HTTP \(status))"
        case .empty: "the media host sent an empty body (HTTP \(status))"
        case .unexpectedRange: "the media host answered a resumed download with the wrong range"
        case .status:
            "the media host answered HTTP \(status)" + (RemoteErrorMessage.extract(from: Data(body)).map { ": \($0)" } ?? "")
        }
    }
}
