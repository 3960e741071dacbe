import Foundation

/// Why a body is not a JSON document the decoders can read.
enum JSONSyntaxError: Error, Equatable {
    /// Nothing but whitespace.
    case empty
    /// Markup: a web page (the error page of a gateway in front of the API) or an XML error (a
    /// storage host's); its message (title, `<Message>`, first heading) when it has one.
    case markup(xml: Bool, message: String?)
    /// Larger than the tape's 32-bit offsets can address.
    case tooLarge(bytes: Int)
    /// Not JSON: what went wrong, at which byte.
    case malformed(String, offset: Int)
}

/// Parses JSON bytes onto a `JSONDocument` tape, iteratively (an explicit stack, so no input can
/// exhaust the thread's stack) and with a depth limit: a container deeper than `maxDepth` is not read
/// but kept whole as one `.tooDeep` node, so that only the item holding it fails, not its page.
///
/// Strict about structure (RFC 8259 grammar) and lenient about content: a UTF-8 byte order mark is
/// skipped, raw control characters inside strings are accepted, and invalid UTF-8 inside strings is
/// repaired to U+FFFD when the string is read rather than failing the whole page.
struct JSONParser {
    /// Real payloads nest about 6 levels; 512 is what Foundation's JSONDecoder allows.
    static let maxDepth = 512

    /// Parses `data`. Throws for empty bodies, HTML pages and anything that is not one JSON value.
    static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONDocument {
        guard data.count < Int(UInt32.max) else { throw .tooLarge(bytes: data.count) }
        // A copy the document owns: values are read from it long after `data`'s buffer is gone.
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, data.count))
        data.copyBytes(to: bytes, count: data.count)
        var scanner = Scanner(bytes: UnsafeBufferPointer(rebasing: bytes[0..<data.count]))
        scanner.nodes.reserveCapacity(max(16, data.count / 24))
        do {
            try scanner.run()
        } catch {
            bytes.deallocate()
            throw error
        }
        return JSONDocument(owning: bytes, nodes: scanner.nodes)
    }

    private struct Scanner {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0
        var nodes: [JSONNode] = []
        /// Open containers, innermost last.
        var stack: [Int] = []

        init(bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

        mutating func run() throws(JSONSyntaxError) {
            if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
            skipSpace()
            guard i < b.count else { throw .empty }
            if b[i] == UInt8(ascii: "<") { throw MarkupMessage.error(for: UnsafeBufferPointer(rebasing: b[i...])) }
            value: while true {
                guard i < b.count else { throw malformed("the body ends where a value was expected") }
                var opened = false
                switch b[i] {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isObject = b[i] == UInt8(ascii: "{")
                    if stack.count >= JSONParser.maxDepth {
                        try skipTooDeep()
                        break
                    }
                    stack.append(nodes.count)
                    append(isObject ? .object : .array, start: i, end: i)
                    i += 1
                    skipSpace()
                    if i < b.count, b[i] == UInt8(ascii: isObject ? "}" : "]") {
                        i += 1
                        close()
                    } else if isObject {
                        try key()
                        opened = true
                    } else {
                        opened = true
                    }
                case UInt8(ascii: "\""): try string()
                case UInt8(ascii: "t"): try literal("true", .bool, flag: true)
                case UInt8(ascii: "f"): try literal("false", .bool, flag: false)
                case UInt8(ascii: "n"): try literal("null", .null, flag: false)
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
                default: throw unexpected("a value")
                }
                if opened { continue value }
                // After a value: a separator, the end of the enclosing container, or the end of input.
                while let top = stack.last {
                    skipSpace()
                    guard i < b.count else { throw malformed("the body ends inside an unclosed \(nodes[top].kind == .object ? "object" : "array")") }
                    let isObject = nodes[top].kind == .object
                    if b[i] == UInt8(ascii: ",") {
                        i += 1
                        skipSpace()
                        if isObject { try key() }
                        continue value
                    }
                    guard b[i] == UInt8(ascii: isObject ? "}" : "]") else {
                        throw unexpected(isObject ? "',' or '}'" : "',' or ']'")
                    }
                    i += 1
                    close()
                }
                break
            }
            skipSpace()
            guard i == b.count else { throw unexpected("the end of the body") }
        }

        private mutating func append(_ kind: JSONNode.Kind, start: Int, end: Int, flag: Bool = false) {
            nodes.append(JSONNode(kind: kind, flag: flag, start: UInt32(start), end: UInt32(end), next: UInt32(nodes.count + 1)))
        }

        /// Passes over the container that starts at `i` (strings, brackets; nothing else checked) and
        /// appends it as one `.tooDeep` node.
        private mutating func skipTooDeep() throws(JSONSyntaxError) {
            let start = i
            var depth = 0
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""):
                    i += 1
                    while i < b.count && b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
                case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        append(.tooDeep, start: start, end: i)
                        return
                    }
                default: break
                }
                i += 1
            }
            throw .malformed("the body ends inside a container nested deeper than \(JSONParser.maxDepth) levels", offset: start)
        }

        /// Ends the innermost container; `i` is just past its closing bracket.
        private mutating func close() {
            let top = stack.removeLast()
            nodes[top].end = UInt32(i)
            nodes[top].next = UInt32(nodes.count)
        }

        private mutating func key() throws(JSONSyntaxError) {
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw unexpected("a member name in quotes") }
            try string()
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw unexpected("':'") }
            i += 1
            skipSpace()
        }

        private mutating func string() throws(JSONSyntaxError) {
            let opening = i
            i += 1
            let start = i
            var escaped = false
            // memchr is vectorised: strings are most of a payload's bytes (a 10 MB prompt, say).
            while let base = b.baseAddress, i < b.count, let quote = memchr(base + i, Int32(UInt8(ascii: "\"")), b.count - i) {
                let end = base.distance(to: quote.assumingMemoryBound(to: UInt8.self))
                guard let backslash = memchr(base + i, Int32(UInt8(ascii: "\\")), end - i) else {
                    i = end
                    break
                }
                escaped = true
                i = base.distance(to: backslash.assumingMemoryBound(to: UInt8.self))
                try escape()
            }
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw .malformed("the string that starts at byte \(opening) is not closed", offset: opening) }
            append(.string, start: start, end: i, flag: escaped)
            i += 1
        }

        /// Checks one escape sequence (`i` at the backslash) and moves past it.
        private mutating func escape() throws(JSONSyntaxError) {
            guard i + 1 < b.count else { throw malformed("the body ends inside a string") }
            switch b[i + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                i += 2
            case UInt8(ascii: "u"):
                guard i + 5 < b.count, (2...5).allSatisfy({ JSONText.hexValue(b[i + $0]) != nil }) else {
                    throw malformed("\\u must be followed by 4 hex digits")
                }
                i += 6
            default:
                throw malformed("invalid escape sequence in a string")
            }
        }

        private mutating func literal(_ word: StaticString, _ kind: JSONNode.Kind, flag: Bool) throws(JSONSyntaxError) {
            let count = word.utf8CodeUnitCount
            guard i + count <= b.count, let base = b.baseAddress, memcmp(base + i, word.utf8Start, count) == 0 else {
                throw unexpected("a value")
            }
            append(kind, start: i, end: i + count, flag: flag)
            i += count
        }

        private mutating func number() throws(JSONSyntaxError) {
            let start = i
            if b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, isDigit(b[i]) else { throw malformed("a number needs digits") }
            if b[i] == UInt8(ascii: "0") {
                i += 1
            } else {
                while i < b.count, isDigit(b[i]) { i += 1 }
            }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                guard i < b.count, isDigit(b[i]) else { throw malformed("a number needs digits after its decimal point") }
                while i < b.count, isDigit(b[i]) { i += 1 }
            }
            if i < b.count, b[i] | 0x20 == UInt8(ascii: "e") {
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                guard i < b.count, isDigit(b[i]) else { throw malformed("a number needs digits in its exponent") }
                while i < b.count, isDigit(b[i]) { i += 1 }
            }
            append(.number, start: start, end: i)
        }

        private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

        private mutating func skipSpace() {
            while i < b.count {
                switch b[i] {
                case 0x20, 0x0A, 0x0D, 0x09: i += 1
                default: return
                }
            }
        }

        private func malformed(_ what: String) -> JSONSyntaxError { .malformed(what, offset: i) }

        private func unexpected(_ expected: String) -> JSONSyntaxError {
            guard i < b.count else { return .malformed("the body ends where \(expected) was expected", offset: i) }
            return .malformed("expected \(expected) at byte \(i), found \(JSONText.describe(byte: b[i]))", offset: i)
        }
    }
}

/// What a markup body says, for the error that reports it: an HTML page's `<title>` (or first
/// `<h1>`), an XML error's `<Message>` (S3 and its kind).
enum MarkupMessage {
    static func error(for bytes: UnsafeBufferPointer<UInt8>) -> JSONSyntaxError {
        // Only the head matters; a title further in is not worth a scan of a large page.
        let text = String(decoding: bytes.prefix(8192), as: UTF8.self)
        let message = ["title", "Message", "h1"].lazy.compactMap { element(named: $0, in: text) }.first
        return .markup(xml: text.hasPrefix("<?xml"), message: message)
    }

    private static func element(named name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>", options: .caseInsensitive),
            let close = text.range(of: "</\(name)>", options: .caseInsensitive, range: open.upperBound..<text.endIndex)
        else { return nil }
        let content = OneLine.clean(String(text[open.upperBound..<close.lowerBound]), limit: 200)
        return content.isEmpty ? nil : content
    }
}
