// libFuzzer target: the JSON parser (RemoteAPI/JSON), and every reader of the values it returns.
// Built by scripts/fuzz into one module with RemoteAPI's sources, so it reaches the internal parser.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    _ = RemoteErrorMessage.extract(from: data)
    guard let document = try? JSONParser.parse(data) else { return 0 }
    let nodes = document.nodes
    precondition(!nodes.isEmpty, "a parsed document has a root")
    precondition(Int(nodes[0].next) == nodes.count, "the root spans the whole tape")
    for index in nodes.indices {
        let node = nodes[index]
        // The tape's links only go forward and stay inside it; offsets stay inside the bytes.
        precondition(Int(node.next) > index && Int(node.next) <= nodes.count, "next link out of the tape")
        precondition(node.start <= node.end && Int(node.end) <= document.bytes.count, "offsets out of the body")
        let value = JSONValue(document: document, index: index)
        _ = value.snippet
        _ = value.rawText
        _ = value.string
        _ = value.integer
        _ = value.double
        _ = value.bool
        _ = value.isEmptyString
        _ = value.isEmptyContainer
        _ = RemoteTime.read(value)
        // Container reads walk their members: only the first few containers, so the target stays linear.
        guard index < 64 else { continue }
        _ = value.elements.count
        _ = value["id"]?.string
        _ = value["data"]?.kind
        _ = RemoteErrorMessage.message(in: value)
        if value.kind == .object {
            let fields = Fields(value, prefix: "x.")
            _ = try? fields.identifier("id")
            _ = try? fields.integer("width")
            _ = try? fields.seconds("estimate_wait_seconds")
            _ = try? fields.flag("liked")
            _ = try? fields.time("created_at")
            _ = try? fields.duration("duration")
            _ = try? fields.media("video", path: "video.")
        }
    }
    return 0
}
