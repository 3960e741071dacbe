import ContentStore
import Dispatch
import Media

/// Makes a thumbnail from a stored video (its first frame, as JPEG) for remotes that offer none.
struct PosterMaker: Sendable {
    let store: ContentStore

    /// Text kept as the thumbnail's `source_path`, so that `reel show` can say where it came from.
    static let sourceNote = "poster frame of the video"

    func make(from videoPath: String) async -> FetchOutcome {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.makeNow(from: videoPath, store: store))
            }
        }
    }

    private static func makeNow(from videoPath: String, store: ContentStore) -> FetchOutcome {
        do {
            let jpeg = try PosterFrame.jpeg(fromVideoAt: videoPath)
            let blob = try store.put(bytes: jpeg)
            let info = try MediaProbe.probe(path: blob.path)
            return .stored(blob, info, sourcePath: sourceNote)
        } catch let error as StoreError {
            return .fatal(ReelError(error))
        } catch {
            return .failed("could not make a thumbnail from the video: \(error)", partial: nil, remoteURL: nil, gone: false)
        }
    }
}
