import Media
import Testing
import TestSupport

/// `probe` holds no shared state, so concurrent calls must agree with sequential ones.
@Suite struct ConcurrencyTests {
    @Test func concurrentProbesMatchSequential() async throws {
        // Spread over the corpus, including files that fail to open.
        let stride = max(1, Fixtures.corpusFiles.count / 20)
        let files = Array(Swift.stride(from: 0, to: Fixtures.corpusFiles.count, by: stride).map { Fixtures.corpusFiles[$0] }.prefix(20))
        try #require(files.count == 20)
        let paths = files.map { Fixtures.corpus($0) }
        let sequential = paths.map { path in Result { () throws(MediaError) in try MediaProbe.probe(path: path) } }

        // Each file three times, all at once, to make overlapping calls likely.
        let concurrent = await withTaskGroup(of: (Int, Result<MediaInfo, MediaError>).self) { group in
            for round in 0..<3 {
                for (i, path) in paths.enumerated() {
                    group.addTask { (i + round * paths.count, Result { () throws(MediaError) in try MediaProbe.probe(path: path) }) }
                }
            }
            var results = [Result<MediaInfo, MediaError>?](repeating: nil, count: paths.count * 3)
            for await (slot, result) in group { results[slot] = result }
            return results
        }
        for (slot, result) in concurrent.enumerated() {
            #expect(result == sequential[slot % paths.count], "\(files[slot % paths.count])")
        }
        #expect(sequential.contains { (try? $0.get()) != nil })
    }
}
