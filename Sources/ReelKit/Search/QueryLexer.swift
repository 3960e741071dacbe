/// One piece of a query as typed.
struct QueryToken: Equatable {
    enum Kind: Equatable {
        case open, close, or, and, not
        /// A word or "phrase" (quotes removed); `prefix` when a `*` follows it.
        case text(String, quoted: Bool, prefix: Bool)
        /// `name:value`, the value with its quotes removed but its structure (`|`, `..`, `>`) kept.
        case field(name: String, value: String)
    }

    let kind: Kind
    /// The text as typed, for error messages.
    let source: String
    /// 1-based character column.
    let column: Int
}

/// Splits a query into tokens: parentheses, `OR`/`AND`/`NOT`, `-` (negation), words, "phrases",
/// `field:value` (values may be quoted: `model:"ray 2"`) and `#tag`.
struct QueryLexer {
    private let characters: [Character]
    private var index = 0

    init(_ query: String) {
        characters = Array(query)
    }

    static func tokens(_ query: String) throws(QueryError) -> [QueryToken] {
        var lexer = QueryLexer(query)
        var tokens: [QueryToken] = []
        while let token = try lexer.next() { tokens.append(token) }
        return tokens
    }

    private var current: Character? { index < characters.count ? characters[index] : nil }

    private mutating func next() throws(QueryError) -> QueryToken? {
        while let c = current, c.isWhitespace { index += 1 }
        guard let c = current else { return nil }
        let start = index
        let column = start + 1
        switch c {
        case "(":
            index += 1
            return QueryToken(kind: .open, source: "(", column: column)
        case ")":
            index += 1
            return QueryToken(kind: .close, source: ")", column: column)
        case "-" where index + 1 < characters.count && !characters[index + 1].isWhitespace:
            index += 1
            return QueryToken(kind: .not, source: "-", column: column)
        case "\"":
            let phrase = try quoted()
            var prefix = false
            if current == "*" {
                prefix = true
                index += 1
            }
            return QueryToken(kind: .text(phrase, quoted: true, prefix: prefix), source: source(from: start), column: column)
        default:
            return try bare(start: start)
        }
    }

    /// A quoted run starting at the current `"`; `""` inside stands for one quote.
    private mutating func quoted() throws(QueryError) -> String {
        let start = index
        index += 1
        var text = ""
        while let c = current {
            index += 1
            if c == "\"" {
                if current == "\"" {
                    text.append("\"")
                    index += 1
                    continue
                }
                return text
            }
            text.append(c)
        }
        throw QueryError(
            "this quote is never closed", token: String(characters[start...]), column: start + 1,
            hint: "end the phrase with \" (a quote inside a phrase is written \"\")")
    }

    private func source(from start: Int) -> String { String(characters[start..<index]) }

    /// A word, an operator, `#tag` or `field:value`, up to whitespace or a parenthesis. Quoted runs inside
    /// (field values) are kept whole.
    private mutating func bare(start: Int) throws(QueryError) -> QueryToken {
        var text = ""
        var quotedValue = false
        while let c = current, !c.isWhitespace, c != "(", c != ")" {
            if c == "\"" {
                // Only a field value may be quoted inside a word: model:"ray 2".
                guard text.hasSuffix(":") || text.hasSuffix("|") else { break }
                text += try quoted()
                quotedValue = true
                continue
            }
            text.append(c)
            index += 1
        }
        let source = source(from: start)
        let column = start + 1
        if !quotedValue {
            switch text {
            case "OR", "|": return QueryToken(kind: .or, source: source, column: column)
            case "AND", "&": return QueryToken(kind: .and, source: source, column: column)
            case "NOT": return QueryToken(kind: .not, source: source, column: column)
            default: break
            }
        }
        if text.hasPrefix("#"), text.count > 1 {
            return QueryToken(kind: .field(name: "tag", value: String(text.dropFirst())), source: source, column: column)
        }
        if let colon = text.firstIndex(of: ":"), colon != text.startIndex {
            let name = text[..<colon]
            if name.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_") }) {
                return QueryToken(
                    kind: .field(name: name.lowercased(), value: String(text[text.index(after: colon)...])),
                    source: source, column: column)
            }
        }
        if text.hasSuffix("*"), text.count > 1 {
            return QueryToken(kind: .text(String(text.dropLast()), quoted: false, prefix: true), source: source, column: column)
        }
        return QueryToken(kind: .text(text, quoted: false, prefix: false), source: source, column: column)
    }
}
