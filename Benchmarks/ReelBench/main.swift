// reel-bench: the in-process halves of the benchmarks in scripts/bench-*. Not installed for users.
//
//   reel-bench store FILE LIBRARY   store FILE in LIBRARY's content store, print the digest and seconds
//   reel-bench hash FILE            hash FILE without storing it, print the digest and seconds
//   reel-bench search-build CATALOG N SEED EN ZH   build a catalog of N generations from the prompt corpora
//   reel-bench search-sizes CATALOG                the full-text index's size against the prompt text
//   reel-bench search CATALOG QUERIES REPS          time each query of QUERIES (class<TAB>query per line)
//   reel-bench search-plan CATALOG QUERY            SQLite's plan for a query's id step
//   reel-bench search-sql CATALOG REPS SQL [TEXT…]  time any SQL, with reel's tokenizer registered
//   reel-bench export-fill LIBRARY N SEED EN ZH CLIP…  a library of N completed generations over real clips
//   (the search commands run the SQL in $REEL_BENCH_SQL, if set, right after opening the catalog: for
//   experiments such as REEL_BENCH_SQL="PRAGMA mmap_size = 1000000000".)
import Catalog
import ContentStore
import Foundation

func seconds(_ body: () throws -> String) rethrows {
    let start = DispatchTime.now().uptimeNanoseconds
    let digest = try body()
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print("\(digest) \(String(format: "%.4f", elapsed))")
}

struct Usage: Error {
    static let text = """
        usage: reel-bench store FILE LIBRARY | hash FILE
               reel-bench search-build CATALOG N SEED EN ZH | search-sizes CATALOG
               reel-bench search CATALOG QUERIES REPS | search-plan CATALOG QUERY
               reel-bench search-sql CATALOG REPS SQL [TEXT…]
               reel-bench export-fill LIBRARY N SEED EN ZH CLIP…

        """
}

let arguments = CommandLine.arguments
do {
    switch (arguments.count, arguments.dropFirst().first) {
    case (4, "store"):
        let store = ContentStore(root: arguments[3])
        try store.create()
        try seconds { try store.put(file: arguments[2]).digest.hex }
    case (3, "hash"):
        try seconds { try ContentStore.hash(file: arguments[2]).hex }
    case (7, "search-build"):
        guard let count = Int(arguments[3]), let seed = UInt64(arguments[4]) else { throw Usage() }
        try SearchBench.build(catalogPath: arguments[2], count: count, seed: seed, english: arguments[5], chinese: arguments[6])
    case (3, "search-sizes"):
        let catalog = try Catalog.open(path: arguments[2])
        print(SearchBench.json(try SearchBench.sizes(catalog)))
    case (5, "search"):
        guard let repetitions = Int(arguments[4]) else { throw Usage() }
        try SearchBench.search(catalogPath: arguments[2], queriesPath: arguments[3], repetitions: repetitions)
    case (5..., "search-sql"):
        guard let repetitions = Int(arguments[3]) else { throw Usage() }
        try SearchBench.sql(
            catalogPath: arguments[2], repetitions: repetitions, sql: arguments[4], parameters: Array(arguments.dropFirst(5)))
    case (8..., "export-fill"):
        guard let count = Int(arguments[3]), let seed = UInt64(arguments[4]) else { throw Usage() }
        try ExportBench.fill(
            library: arguments[2], count: count, seed: seed, english: arguments[5], chinese: arguments[6],
            clips: Array(arguments.dropFirst(7)))
    case (4, "search-plan"):
        try SearchBench.plan(catalogPath: arguments[2], text: arguments[3])
    default:
        throw Usage()
    }
} catch is Usage {
    FileHandle.standardError.write(Data(Usage.text.utf8))
    exit(64)
} catch {
    FileHandle.standardError.write(Data("reel-bench: \(error)\n".utf8))
    exit(74)
}
