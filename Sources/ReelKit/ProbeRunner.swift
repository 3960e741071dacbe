import Dispatch
import Media
import Synchronization

/// Probes many files at once, one per core, keeping the results in the order of the paths.
public enum ProbeRunner {
    public static func probe(_ paths: [String]) -> [Result<MediaInfo, MediaError>] {
        let results = Mutex([Result<MediaInfo, MediaError>?](repeating: nil, count: paths.count))
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let result = Result { () throws(MediaError) in try MediaProbe.probe(path: paths[index]) }
            results.withLock { $0[index] = result }
        }
        return results.withLock { $0.map { $0! } }
    }
}
