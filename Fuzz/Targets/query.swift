// libFuzzer target: the search language (ReelKit/Search), as `reel search` compiles what is typed, and
// the SQL it compiles to: a query the parser accepts must run on a catalog (a query SQLite refuses
// would be an internal error instead of the parser's message naming the bad token).
// Built by scripts/fuzz against ReelKit and Catalog as built in .build-fuzz.
import Catalog
import Foundation
import ReelKit

/// An empty catalog with the real schema, made once per process.
nonisolated(unsafe) let catalog: Catalog = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reel-fuzz-query-\(getpid())")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("reel-fuzz-query-\(getpid())")) }
    return try! Catalog.open(path: folder.appendingPathComponent("catalog.sqlite").path, create: true)
}()

/// A fixed clock and zone, so that a crash replays.
let now = Date(timeIntervalSince1970: 1_718_863_346)
let utc = TimeZone(identifier: "UTC")!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuery(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let text = start.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: count), as: UTF8.self) } ?? ""
    let query: SearchQuery
    do {
        query = try SearchQuery.compile(text, now: now, timeZone: utc)
    } catch {
        _ = "\(error)"
        return 0
    }
    do {
        _ = try catalog.searchCount(match: query.match, filter: query.filter)
        _ = try catalog.searchCount(match: nil, filter: query.asFilter)
    } catch {
        fatalError("the query \(String(reflecting: text)) compiled to SQL the catalog refuses: \(error)")
    }
    return 0
}
