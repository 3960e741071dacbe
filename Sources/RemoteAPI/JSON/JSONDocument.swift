/// One value of a parsed document, on a flat tape: its kind, where its bytes are, and where its
/// subtree ends. A flat tape costs one allocation per document instead of one per value, which is
/// what keeps a 100,000-item page fast.
struct JSONNode {
    /// `tooDeep`: an array or object nested deeper than `JSONParser.maxDepth`, not read (its bytes only).
    enum Kind: UInt8 { case null, bool, number, string, array, object, tooDeep }

    var kind: Kind
    /// For `bool`, the value; for `string`, whether it holds escapes (and needs the slow decode).
    var flag: Bool
    /// First byte of the value; for strings, the byte after the opening quote.
    var start: UInt32
    /// One past the last byte; for strings, the closing quote.
    var end: UInt32
    /// The index of the node after this value's subtree (the next sibling, or the parent's end).
    var next: UInt32
}

/// A parsed JSON document: the bytes (owned) and the tape of nodes over them. Objects hold their
/// members as alternating key and value nodes.
final class JSONDocument {
    /// Owned: allocated by the parser, freed with the document.
    let bytes: UnsafeMutableBufferPointer<UInt8>
    let nodes: [JSONNode]

    /// A document over `bytes`, which it takes ownership of.
    init(owning bytes: UnsafeMutableBufferPointer<UInt8>, nodes: [JSONNode]) {
        self.bytes = bytes
        self.nodes = nodes
    }

    deinit { bytes.deallocate() }

    /// The top-level value.
    var root: JSONValue { JSONValue(document: self, index: 0) }

    /// The raw bytes of a range.
    func slice(_ start: UInt32, _ end: UInt32) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[Int(start)..<Int(end)])
    }
}
