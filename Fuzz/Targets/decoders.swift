// libFuzzer target: the three dialects' decoders (RemoteAPI/Decoding), as reel calls them on what a
// remote answers. The first byte picks the dialect and the call; the rest is the body.
// Built by scripts/fuzz into one module with RemoteAPI's sources.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoders(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let selector = start.load(as: UInt8.self)
    let body = Data(bytes: start + 1, count: count - 1)
    let decoder = DialectDecoder(dialect: Dialect.allCases[Int(selector) % 3])
    func use(_ generation: RemoteGeneration) {
        _ = generation.rawJSON.utf8.count
        _ = generation.bestVideo
        _ = generation.needsUnwatermarkedLinkCall
    }
    // Errors are read too: their messages quote the body.
    func use(_ results: [Result<RemoteGeneration, RemoteDecodeError>]) {
        for result in results {
            switch result {
            case .success(let generation): use(generation)
            case .failure(let error): _ = "\(error)"
            }
        }
    }
    do throws(RemoteDecodeError) {
        switch (selector / 3) % 7 {
        case 0:
            let page = try decoder.page(body)
            use(page.items)
            _ = page.isEnd
        case 1: use(try decoder.item(body))
        case 2: use(try decoder.created(body))
        case 3: use(try decoder.tasks(body))
        case 4: _ = try decoder.unwatermarkedLink(body)
        case 5: _ = try decoder.usage(body)
        default: _ = try decoder.uploaded(body)
        }
    } catch {
        _ = "\(error)"
    }
    return 0
}
