/// Literal text or a field, in one path component of a template.
enum TemplatePiece: Sendable, Equatable {
    case literal(String)
    case field(TemplateField)
}

/// Splits a template into path components of literal text and fields (`{{` and `}}` are literal braces),
/// and refuses what could place a file outside DIR: a leading `/`, a component of dots (`..`, `.`), an empty
/// component (`a//b`, a trailing `/`) and any `\` (a separator on Windows). Only a literal `/` makes folders.
struct TemplateParser {
    private let characters: [Character]
    private var index = 0

    private init(_ text: String) {
        characters = Array(text)
    }

    static func components(_ text: String) throws(ExportTemplateError) -> [[TemplatePiece]] {
        var parser = TemplateParser(text)
        return try parser.components()
    }

    private static let outsideDIR = "a template names files inside DIR"

    private mutating func components() throws(ExportTemplateError) -> [[TemplatePiece]] {
        guard !characters.isEmpty else {
            throw ExportTemplateError(
                "the template is empty", token: "", column: 1, hint: "e.g. \(ExportTemplate.defaultText)")
        }
        if let backslash = characters.firstIndex(of: "\\") {
            throw ExportTemplateError(
                "\\ is a folder separator on Windows", token: "\\", column: backslash + 1, hint: "use / to make folders")
        }
        if characters[0] == "/" {
            throw ExportTemplateError(
                "the template is an absolute path", token: "/", column: 1, hint: "\(Self.outsideDIR): remove the leading /")
        }
        var components: [[TemplatePiece]] = []
        var pieces: [TemplatePiece] = []
        var literal = ""
        var componentStart = 0
        func endLiteral() {
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
        }
        while index < characters.count {
            let c = characters[index]
            switch c {
            case "{" where next == "{", "}" where next == "}":
                literal.append(c)
                index += 2
            case "{":
                endLiteral()
                pieces.append(.field(try field()))
            case "}":
                throw ExportTemplateError(
                    "a } that closes no field", token: "}", column: index + 1, hint: "write }} for a literal }")
            case "/":
                endLiteral()
                try check(pieces, start: componentStart)
                components.append(pieces)
                pieces = []
                index += 1
                componentStart = index
            default:
                literal.append(c)
                index += 1
            }
        }
        endLiteral()
        try check(pieces, start: componentStart)
        components.append(pieces)
        return components
    }

    private var next: Character? { index + 1 < characters.count ? characters[index + 1] : nil }

    /// Refuses a component that is empty or only dots; it runs from `start` to the current index.
    private func check(_ pieces: [TemplatePiece], start: Int) throws(ExportTemplateError) {
        if pieces.isEmpty {
            // The `/` after the empty component, or the last one before the end.
            let slash = index < characters.count ? index : start - 1
            throw ExportTemplateError(
                index < characters.count ? "an empty folder name (//)" : "the template ends with /",
                token: "/", column: slash + 1, hint: "the last part of the template names the file")
        }
        let text = String(characters[start..<index])
        if pieces.allSatisfy({ if case .literal = $0 { true } else { false } }),
            text.allSatisfy({ $0 == "." || $0 == " " })
        {
            throw ExportTemplateError(
                "\"\(text)\" is not a folder name", token: text, column: start + 1, hint: "\(Self.outsideDIR): remove it")
        }
    }

    /// The field whose `{` is at the current index: `{name}` or `{name:spec}`; the index moves past its `}`.
    private mutating func field() throws(ExportTemplateError) -> TemplateField {
        let start = index
        guard let close = characters[(start + 1)...].firstIndex(where: { $0 == "}" || $0 == "{" }), characters[close] == "}"
        else {
            let end = characters[(start + 1)...].firstIndex(of: "{") ?? characters.count
            throw ExportTemplateError(
                "this { is never closed", token: String(characters[start..<end]), column: start + 1,
                hint: "end the field with }, or write {{ for a literal {")
        }
        index = close + 1
        let body = characters[(start + 1)..<close]
        let colon = body.firstIndex(of: ":")
        let nameText = String(body[..<(colon ?? close)])
        guard let name = TemplateField.Name(rawValue: nameText.lowercased()) else {
            throw ExportTemplateError(
                nameText.isEmpty ? "a field without a name" : "unknown field \"\(nameText)\"",
                token: String(characters[start...close]), column: start + 1,
                hint: "fields: " + TemplateField.Name.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let spec = colon.map { String(body[($0 + 1)...]) }
        return try TemplateField(name: name, spec: spec, specColumn: (colon ?? close) + 2)
    }
}
