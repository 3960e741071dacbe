import Foundation

/// A value inside a `JSONDocument`: cheap to copy, read on demand (nothing is materialised until a
/// decoder asks for it).
struct JSONValue {
    let document: JSONDocument
    let index: Int

    var node: JSONNode { document.nodes[index] }
    var kind: JSONNode.Kind { node.kind }
    var isNull: Bool { kind == .null }

    /// The value's bytes exactly as they came.
    var raw: UnsafeBufferPointer<UInt8> {
        let n = node
        return n.kind == .string ? document.slice(n.start - 1, n.end + 1) : document.slice(n.start, n.end)
    }

    /// The value's JSON text as it came, made valid JSON: invalid UTF-8 repaired to U+FFFD, and raw
    /// control characters inside strings (which the parser accepts) written as `\u00XX` escapes, so that
    /// what is kept as an item's raw payload passes SQLite's `json_valid`.
    var rawText: String {
        let bytes = raw
        var inString = false
        var escaped = false
        var out: [UInt8]?
        for (offset, byte) in bytes.enumerated() {
            if inString && byte < 0x20 {
                if out == nil { out = Array(bytes[..<offset]) }
                let hex = Array("0123456789abcdef".utf8)
                out! += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                escaped = false
                continue
            }
            out?.append(byte)
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = inString
            } else if byte == UInt8(ascii: "\"") {
                inString.toggle()
            }
        }
        return out.map { String(decoding: $0, as: UTF8.self) } ?? String(decoding: bytes, as: UTF8.self)
    }

    /// A short quote of the value for an error message: `"yesterday"`, `true`, `{…}`.
    var snippet: String {
        switch kind {
        case .object: return "an object"
        case .array: return "an array"
        case .tooDeep: return "a value nested too deep to read"
        default:
            let text = OneLine.clean(String(decoding: raw.prefix(80), as: UTF8.self), limit: 60)
            return raw.count > 80 && !text.hasSuffix("…") ? text + "…" : text
        }
    }

    // MARK: Scalars

    /// The string's content, or nil when the value is not a string.
    var string: String? {
        let n = node
        guard n.kind == .string else { return nil }
        let bytes = document.slice(n.start, n.end)
        return n.flag ? JSONText.unescape(bytes) : String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the value is the empty string `""`.
    var isEmptyString: Bool {
        let n = node
        return n.kind == .string && n.start == n.end
    }

    /// A bool value, or nil for any other kind.
    var bool: Bool? { kind == .bool ? node.flag : nil }

    /// A number that is a whole value in `Int`'s range (`5`, `5.0`, `5e2`), or nil.
    var integer: Int? {
        guard kind == .number else { return nil }
        return NumberText.integer(raw)
    }

    /// A number's value (finite), or nil.
    var double: Double? {
        guard kind == .number else { return nil }
        return NumberText.double(raw)
    }

    // MARK: Containers

    /// The member named `key` of an object (the last one when a name repeats, as in JavaScript).
    subscript(key: StaticString) -> JSONValue? {
        let nodes = document.nodes
        let n = nodes[index]
        guard n.kind == .object else { return nil }
        var found: Int?
        var i = index + 1
        let end = Int(n.next)
        while i < end {
            if matches(nodes[i], key) { found = i + 1 }
            i = Int(nodes[i + 1].next)
        }
        return found.map { JSONValue(document: document, index: $0) }
    }

    private func matches(_ keyNode: JSONNode, _ key: StaticString) -> Bool {
        let count = key.utf8CodeUnitCount
        if keyNode.flag {
            return JSONText.unescape(document.slice(keyNode.start, keyNode.end)) == String(describing: key)
        }
        guard Int(keyNode.end - keyNode.start) == count, let base = document.bytes.baseAddress else { return false }
        return memcmp(base + Int(keyNode.start), key.utf8Start, count) == 0
    }

    /// The elements of an array (empty for any other kind).
    var elements: [JSONValue] {
        let nodes = document.nodes
        let n = nodes[index]
        guard n.kind == .array else { return [] }
        var result: [JSONValue] = []
        var i = index + 1
        let end = Int(n.next)
        while i < end {
            result.append(JSONValue(document: document, index: i))
            i = Int(nodes[i].next)
        }
        return result
    }

    /// Where the first container nested too deep to read starts inside this value (a byte offset of
    /// the document), or nil when every part of it was read.
    var tooDeepOffset: Int? {
        let nodes = document.nodes
        for i in index..<Int(nodes[index].next) where nodes[i].kind == .tooDeep { return Int(nodes[i].start) }
        return nil
    }

    /// Whether an object has no members (or an array no elements).
    var isEmptyContainer: Bool {
        let n = node
        return (n.kind == .object || n.kind == .array) && Int(n.next) == index + 1
    }
}

/// Numbers read straight from their JSON (or string) text.
enum NumberText {
    /// A whole number in `Int`'s range, from `12`, `-3`, `12.0` or `1.2e1`; nil otherwise.
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var i = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative || bytes[0] == UInt8(ascii: "+") { i = 1 }
        guard i < bytes.count else { return nil }
        var value = 0
        while i < bytes.count {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (plus, overflow2) = times.addingReportingOverflow(Int(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = plus
            i += 1
        }
        if i == bytes.count { return negative ? -value : value }
        // A fraction or exponent: go through Double and keep only whole values.
        guard let d = double(bytes), d == d.rounded(), abs(d) < 9.2e18 else { return nil }
        return Int(d)
    }

    /// A finite number from its text (JSON's grammar, or a plain decimal inside a string); nil otherwise.
    static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !bytes.isEmpty, bytes.count < 400,
            bytes.allSatisfy({ ($0 &- UInt8(ascii: "0")) < 10 || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: "+") || $0 | 0x20 == UInt8(ascii: "e") })
        else { return nil }
        guard let d = Double(String(decoding: bytes, as: UTF8.self)), d.isFinite else { return nil }
        return d
    }
}
