// The library of scripts/bench-export: N completed generations with prompts from the real corpora (as
// bench-search makes them), each with a stored video taken in turn from the given real clips.
import Catalog
import ContentStore
import Foundation
import Media
import ReelKit

enum ExportBench {
    static func fill(library root: String, count: Int, seed: UInt64, english: String, chinese: String, clips: [String]) throws {
        _ = try Library.create(at: root)
        let library = try Library.open(at: root)
        let catalog = library.catalog
        let now = Timestamp.now()
        var blobs: [(BlobRecord, MediaInfoRecord)] = []
        for clip in clips {
            let stored = try library.store.put(file: clip)
            let info = try MediaInfoRecord(blobSHA256: stored.digest.hex, info: try MediaProbe.probe(path: stored.path), probedAt: now)
            blobs.append((BlobRecord(sha256: stored.digest.hex, size: stored.size, storedAt: now), info))
        }
        let corpus = SearchCorpus(english: try SearchBench.readLines(english), chinese: try SearchBench.readLines(chinese))
        var rng = SplitMix64(seed: seed)
        try catalog.transaction {
            for index in 0..<count {
                var g = corpus.record(index: index, count: count, &rng)
                g.state = .completed
                g.failureReason = nil
                let id = try catalog.insert(g)
                try catalog.upsert(MediaRecord(generationID: id, role: .video, state: .pending, updatedAt: now))
                guard let media = try catalog.media(generationID: id).first else { continue }
                let (blob, info) = blobs[index % blobs.count]
                try catalog.store(mediaID: media.id, blob: blob, info: info, at: now)
            }
        }
        print("{\"generations\": \(count), \"clips\": \(blobs.count)}")
    }
}
