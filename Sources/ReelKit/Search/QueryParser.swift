import Catalog

/// A parsed query: full-text terms and field conditions under AND, OR and NOT.
indirect enum QueryNode: Equatable {
    /// Words or a phrase, matched in the full-text index (prompt, title, tags).
    case text(String, prefix: Bool)
    /// A field condition, already SQL over the alias `g`.
    case condition(GenerationFilter)
    case and([QueryNode])
    case or([QueryNode])
    case not(QueryNode)
}

/// Recursive descent over the tokens:
///
///     query   = or
///     or      = and { "OR" and }
///     and     = unary { ["AND"] unary }
///     unary   = ("-" | "NOT") unary | "(" or ")" | term
///
/// Field conditions are checked and turned into SQL here, where the column of a bad value is known.
struct QueryParser {
    private let tokens: [QueryToken]
    private var position = 0
    private var depth = 0
    private var terms = 0
    /// Bounds that keep a hostile query from exhausting the stack, SQLite's expression depth (1000) or
    /// FTS5's (256); no person types a query near them. The depth counts each parenthesis, NOT and the
    /// term inside: SQLite's and FTS5's parsers have fixed stacks (100 entries in Debian's SQLite 3.40),
    /// and each level costs a few (`(aspect:portrait OR x (…))` overflowed at 13 levels, 17 NOTs of a
    /// word did: found by scripts/fuzz). 8 leaves room for the statements that embed a filter deepest
    /// (stats, tag --query: 10 overflowed in stats); SearchTests runs the deepest shapes through each.
    static let maximumDepth = 8
    static let maximumTerms = 100
    private let fields: QueryFields
    private let queryLength: Int

    /// Parses `query`; nil for a query with no terms at all (everything matches).
    static func parse(_ query: String, fields: QueryFields) throws(QueryError) -> QueryNode? {
        var parser = QueryParser(tokens: try QueryLexer.tokens(query), fields: fields, queryLength: query.count)
        guard !parser.tokens.isEmpty else { return nil }
        let node = try parser.parseOr()
        if let extra = parser.peek {
            throw QueryError("unexpected \")\"", token: extra.source, column: extra.column, hint: "it closes no \"(\"")
        }
        return node
    }

    private init(tokens: [QueryToken], fields: QueryFields, queryLength: Int) {
        self.tokens = tokens
        self.fields = fields
        self.queryLength = queryLength
    }

    private var peek: QueryToken? { position < tokens.count ? tokens[position] : nil }

    private mutating func parseOr() throws(QueryError) -> QueryNode {
        var alternatives = [try parseAnd()]
        while let token = peek, token.kind == .or {
            position += 1
            guard let next = peek, next.kind != .close, next.kind != .or else {
                throw QueryError("nothing after OR", token: token.source, column: token.column, hint: "write a term after it")
            }
            alternatives.append(try parseAnd())
        }
        return alternatives.count == 1 ? alternatives[0] : .or(alternatives)
    }

    private mutating func parseAnd() throws(QueryError) -> QueryNode {
        var items: [QueryNode] = []
        while let token = peek, token.kind != .close, token.kind != .or {
            if token.kind == .and {
                position += 1
                guard !items.isEmpty, let next = peek, next.kind != .close, next.kind != .or, next.kind != .and else {
                    throw QueryError("AND needs a term on each side", token: token.source, column: token.column)
                }
                continue
            }
            items.append(try parseUnary())
        }
        guard !items.isEmpty else {
            let token = peek ?? tokens[max(0, position - 1)]
            let what = token.kind == .or ? "OR needs a term on each side" : "empty parentheses"
            throw QueryError(what, token: token.source, column: token.column)
        }
        return items.count == 1 ? items[0] : .and(items)
    }

    private mutating func parseUnary() throws(QueryError) -> QueryNode {
        guard let token = peek else {
            throw QueryError("the query ends too soon", token: "", column: queryLength + 1)
        }
        position += 1
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumDepth {
            throw QueryError(
                "nested too deeply (more than \(Self.maximumDepth) parentheses or NOTs)", token: token.source, column: token.column)
        }
        if case .text = token.kind { terms += 1 } else if case .field = token.kind { terms += 1 }
        if terms > Self.maximumTerms {
            throw QueryError(
                "too many terms (more than \(Self.maximumTerms))", token: token.source, column: token.column,
                hint: "a phrase in quotes counts as one")
        }
        switch token.kind {
        case .not:
            guard let next = peek, next.kind != .close, next.kind != .or, next.kind != .and else {
                throw QueryError("nothing to negate", token: token.source, column: token.column, hint: "write a term after it")
            }
            return .not(try parseUnary())
        case .open:
            guard let next = peek, next.kind != .close else {
                throw QueryError("empty parentheses", token: "(", column: token.column)
            }
            let inner = try parseOr()
            guard let close = peek, close.kind == .close else {
                throw QueryError("this parenthesis is never closed", token: "(", column: token.column, hint: "add \")\"")
            }
            position += 1
            return inner
        case .close:
            throw QueryError("unexpected \")\"", token: ")", column: token.column, hint: "it closes no \"(\"")
        case .or, .and:
            throw QueryError("\(token.source) needs a term on each side", token: token.source, column: token.column)
        case .text(let text, let quoted, let prefix):
            guard text.unicodeScalars.contains(where: { $0.properties.isAlphabetic || $0.properties.numericType != nil })
            else {
                throw QueryError(
                    "nothing to search for: no letters or digits", token: token.source, column: token.column,
                    hint: quoted ? nil : "operators are OR, AND, NOT, - and parentheses")
            }
            return .text(text, prefix: prefix)
        case .field(let name, let value):
            return .condition(try fields.condition(name: name, value: value, token: token))
        }
    }
}
