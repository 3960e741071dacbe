import Foundation

/// A parsed `--template`: where `reel export` puts each clip, relative to DIR.
///
/// Literal text and `{field}` or `{field:spec}`; `{{` and `}}` are literal braces and a literal `/` makes a
/// folder. Fields: `id prompt created model aspect res dur state remote tags index ext`. Specs: `.N` keeps the
/// first N characters of a text field; `created` takes a strftime pattern (alone: `%Y-%m-%dT%H%M%S`); `index`
/// a zero-padded width (`{index:04}`); `dur` a number of decimals (`{dur:.1}`; alone: `5`, `5.2`). An
/// unknown value is empty text. Every value is made safe before it is inserted (``SafeFileName``: it can make
/// no folder), then every component as a whole; so any clip's path stays inside DIR on Linux, macOS and Windows.
public struct ExportTemplate: Sendable {
    /// `2024-06-20_a cat on a skateboard_1f3a9c2e.mp4`.
    public static let defaultText = "{created:%Y-%m-%d}_{prompt:.60}_{id:.8}.{ext}"

    /// The template as given.
    public let text: String
    private let folders: [[TemplatePiece]]
    /// The file name; without its `.{ext}` when it ends so, which ``extensionField`` then holds.
    private let fileStem: [TemplatePiece]
    /// A file name ending `.{ext}`: its stem is cut to fit, never the extension, even when the stem is empty.
    private let extensionField: TemplateField?

    /// Parses a template, refusing unknown fields, bad specs, unpaired braces and anything that could leave DIR:
    /// a leading `/`, a `.` or `..` component, an empty component (`a//b`) or a `\`.
    public init(_ text: String) throws(ExportTemplateError) {
        self.text = text
        var components = try TemplateParser.components(text)
        var fileName = components.removeLast()
        folders = components
        if case .field(let ext) = fileName.last, ext.name == .ext,
            case .literal(let beforeExt) = fileName.dropLast().last, beforeExt.hasSuffix(".")
        {
            extensionField = ext
            fileName.removeLast(2)
            if beforeExt.count > 1 { fileName.append(.literal(String(beforeExt.dropLast()))) }
        } else {
            extensionField = nil
        }
        fileStem = fileName
    }

    /// The path for `fields`: safe components joined by `/`, the last being the file name.
    ///
    /// For a name that another clip already has, ask again with a `suffix` (`" (2)"`, `" (3)"`…): it goes before
    /// the extension (`clip (2).mp4`) and the stem is cut so the name still fits in 255 bytes.
    ///
    /// - Parameters:
    ///   - timeZone: the zone `{created}` is written in.
    ///   - suffix: text kept whole at the end of the file name's stem; empty for none.
    public func relativePath(for fields: ExportNameFields, timeZone: TimeZone = .current, suffix: String = "") -> String {
        func render(_ pieces: [TemplatePiece]) -> String {
            pieces.map { piece in
                switch piece {
                case .literal(let text): text
                case .field(let field): field.value(for: fields, timeZone: timeZone)
                }
            }.joined()
        }
        let stem = render(fileStem)
        let fileName =
            if let extensionField {
                SafeFileName.fileName(stem: stem, suffix: suffix, ext: extensionField.value(for: fields, timeZone: timeZone))
            } else {
                SafeFileName.fileName(stem, suffix: suffix)
            }
        return (folders.map { SafeFileName.component(render($0)) } + [fileName]).joined(separator: "/")
    }
}
