import Foundation

/// A `{name}` or `{name:spec}` of a template: which value of the clip, and how it is written.
struct TemplateField: Sendable, Equatable {
    enum Name: String, CaseIterable, Sendable {
        case id, prompt, created, model, aspect, res, dur, state, remote, tags, index, ext
    }

    enum Format: Sendable, Equatable {
        /// Text, perhaps only its first `maxCharacters` Characters (`.60`).
        case text(maxCharacters: Int?)
        /// `created`: a strftime pattern.
        case date(DatePattern)
        /// `index`: zero-padded to `width` digits (`04`).
        case number(zeroPaddedTo: Int?)
        /// `dur`: with `decimals` digits (`.1`), or by default at most one, none for whole seconds.
        case seconds(decimals: Int?)
    }

    let name: Name
    let format: Format

    /// A field with its spec checked; `specColumn` places errors in the template.
    init(name: Name, spec: String?, specColumn: Int) throws(ExportTemplateError) {
        self.name = name
        switch name {
        case .created: format = .date(try Self.datePattern(spec, column: specColumn))
        case .index:
            guard let spec else { format = .number(zeroPaddedTo: nil); break }
            // `04`: a zero, then the width.
            guard spec.hasPrefix("0"), let width = Self.number(spec.dropFirst()), (1...20).contains(width) else {
                throw Self.badSpec(
                    spec, of: name, column: specColumn, hint: "index takes a zero-padded width, e.g. {index:04}")
            }
            format = .number(zeroPaddedTo: width)
        case .dur:
            guard let spec else { format = .seconds(decimals: nil); break }
            guard spec.hasPrefix("."), let decimals = Self.number(spec.dropFirst()), decimals <= 6 else {
                throw Self.badSpec(
                    spec, of: name, column: specColumn, hint: "dur takes .N decimals (0 to 6), e.g. {dur:.1}")
            }
            format = .seconds(decimals: decimals)
        default:
            guard let spec else { format = .text(maxCharacters: nil); break }
            guard spec.hasPrefix("."), let count = Self.number(spec.dropFirst()), count > 0 else {
                throw Self.badSpec(
                    spec, of: name, column: specColumn, hint: "\(name) takes .N (its first N characters), e.g. {\(name):.20}")
            }
            format = .text(maxCharacters: count)
        }
    }

    /// The value for one clip, its characters already safe (it can make no folder); empty when unknown.
    func value(for fields: ExportNameFields, timeZone: TimeZone) -> String {
        let value = SafeFileName.cleaned(rawValue(for: fields, timeZone: timeZone))
        guard case .text(let maxCharacters?) = format else { return value }
        // A cut may end between words: the space it leaves would stand before the next literal.
        return SafeFileName.stripped(String(value.prefix(maxCharacters)), leading: false, trailing: false)
    }

    private func rawValue(for fields: ExportNameFields, timeZone: TimeZone) -> String {
        switch (name, format) {
        case (.created, .date(let pattern)): fields.created.map { pattern.string(from: $0, in: timeZone) } ?? ""
        case (.index, .number(let width)): Self.padded(fields.index, to: width ?? 0)
        case (.dur, .seconds(let decimals)): fields.duration.map { Self.seconds($0, decimals: decimals) } ?? ""
        case (.id, _): fields.id
        case (.prompt, _): fields.prompt
        case (.model, _): fields.model ?? ""
        // `16:9` → `16x9`: Windows refuses `:`, and `16_9` reads worse.
        case (.aspect, _): fields.aspect?.replacingOccurrences(of: ":", with: "x") ?? ""
        case (.res, _): fields.resolution ?? ""
        case (.state, _): fields.state
        case (.remote, _): fields.remote ?? ""
        case (.tags, _): fields.tags.joined(separator: ",")
        case (.ext, _): fields.ext
        case (.created, _), (.index, _), (.dur, _): ""  // init gives these their own formats
        }
    }

    private static func datePattern(_ spec: String?, column: Int) throws(ExportTemplateError) -> DatePattern {
        guard let spec else { return DatePattern.standard }
        let hint = "created takes a strftime pattern, e.g. {created:%Y-%m-%d}"
        if let slash = spec.firstIndex(of: "/") {
            throw ExportTemplateError(
                "a field's value cannot make folders", token: spec, column: column + spec.distance(from: spec.startIndex, to: slash),
                hint: "put / between fields: {created:%Y}/{created:%m}")
        }
        do {
            return try DatePattern(parsing: spec)
        } catch {
            switch error {
            case .noConversion:
                throw ExportTemplateError("this date pattern has no % conversion", token: spec, column: column, hint: hint)
            case .unknownConversion(let text, let offset):
                throw ExportTemplateError(
                    "strftime has no conversion \"\(text)\"", token: text, column: column + offset, hint: hint)
            }
        }
    }

    private static func badSpec(_ spec: String, of name: Name, column: Int, hint: String) -> ExportTemplateError {
        ExportTemplateError("bad spec \"\(spec)\" for \(name)", token: spec, column: column, hint: hint)
    }

    /// Decimal digits only (`Int` would also take `+5`).
    private static func number(_ digits: Substring) -> Int? {
        digits.allSatisfy({ ("0"..."9").contains($0) }) ? Int(digits) : nil
    }

    private static func padded(_ number: Int, to width: Int) -> String {
        let digits = String(number.magnitude)
        let sign = number < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - sign.count - digits.count)) + digits
    }

    /// `5`, `5.2` (at most one decimal by default), or exactly `decimals` of them.
    private static func seconds(_ seconds: Double, decimals: Int?) -> String {
        guard seconds.isFinite else { return "" }
        if let decimals { return String(format: "%.\(decimals)f", seconds) }
        let tenths = (seconds * 10).rounded() / 10
        return String(format: tenths == tenths.rounded() ? "%.0f" : "%.1f", tenths)
    }
}
