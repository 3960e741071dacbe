// reel-bench: the in-process halves of the benchmarks in scripts/bench-*. Not installed for users.
//
//   reel-bench store FILE LIBRARY   store FILE in LIBRARY's content store, print the digest and seconds
//   reel-bench hash FILE            hash FILE without storing it, print the digest and seconds
import ContentStore
import Foundation

func seconds(_ body: () throws -> String) rethrows {
    let start = DispatchTime.now().uptimeNanoseconds
    let digest = try body()
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print("\(digest) \(String(format: "%.4f", elapsed))")
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
    default:
        FileHandle.standardError.write(Data("usage: reel-bench store FILE LIBRARY | hash FILE\n".utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("reel-bench: \(error)\n".utf8))
    exit(74)
}
