import Foundation

/// A field that is missing or holds what it cannot: its path in the item and what is wrong.
struct FieldError: Error {
    /// `created_at`, `video.width`, `data.request.duration`.
    let path: String
    /// `is not a time: "yesterday"`.
    let problem: String

    var message: String { "\(path) \(problem)" }
}

/// A file a media field describes; nil fields were absent, `""` or 0.
struct MediaField {
    var url: String
    var width: Int?
    var height: Int?
}

/// The members of one JSON object, read leniently: every representation the dialects use for a value
/// is accepted (`""` and `null` for "none", numbers as strings), and anything else is a `FieldError`
/// that names the field.
struct Fields {
    let object: JSONValue
    /// The path of this object inside the item, with a trailing dot (`""` at the top).
    let prefix: String

    init(_ object: JSONValue, prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    /// The member, or nil when it is absent or `null`.
    func value(_ key: StaticString) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    /// The error for a member of this object, with its path.
    func error(_ key: StaticString, _ problem: String) -> FieldError {
        FieldError(path: prefix + String(describing: key), problem: problem)
    }

    // MARK: Strings

    /// A string; nil when absent or null, and for `""` unless `keepEmpty`.
    func string(_ key: StaticString, keepEmpty: Bool = false) throws(FieldError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.string else { throw error(key, "is not a string: \(value.snippet)") }
        return text.isEmpty && !keepEmpty ? nil : text
    }

    /// The first of several names that holds a string (a field that was renamed over time).
    func firstString(_ keys: StaticString...) throws(FieldError) -> String? {
        for key in keys {
            if let text = try string(key) { return text }
        }
        return nil
    }

    /// An id: a non-empty string, or a whole number written as one.
    func identifier(_ key: StaticString) throws(FieldError) -> String? {
        guard let value = value(key), !value.isEmptyString else { return nil }
        if let text = value.string { return text }
        if let number = value.integer { return String(number) }
        throw error(key, "is not an id: \(value.snippet)")
    }

    /// An id that must be there.
    func requiredIdentifier(_ key: StaticString) throws(FieldError) -> String {
        guard let id = try identifier(key) else { throw error(key, object[key] == nil ? "is missing" : "is empty") }
        return id
    }

    // MARK: Numbers, flags, times

    /// A whole number: a JSON number or a numeric string; nil for absent, `null` or `""`.
    func integer(_ key: StaticString) throws(FieldError) -> Int? {
        guard let value = value(key), !value.isEmptyString else { return nil }
        if let number = value.integer { return number }
        if value.kind == .string, let number = numberInString(value).flatMap(Self.whole) { return number }
        throw error(key, "is not a whole number: \(value.snippet)")
    }

    /// A number of seconds to wait: like `integer`, and a fraction is rounded up.
    func seconds(_ key: StaticString) throws(FieldError) -> Int? {
        guard let value = value(key), !value.isEmptyString else { return nil }
        let number = value.kind == .string ? numberInString(value) : value.double
        guard let number, let whole = Self.whole(number.rounded(.up)) else {
            throw error(key, "is not a number of seconds: \(value.snippet)")
        }
        return whole
    }

    /// A pixel size: like `integer`; 0 (what empty media objects carry) and below read as unknown.
    func dimension(_ key: StaticString) throws(FieldError) -> Int? {
        guard let size = try integer(key) else { return nil }
        return size > 0 ? size : nil
    }

    /// A flag: `true`/`false`, the strings `"true"`/`"false"`, or 0/1; nil for absent, `null` or `""`.
    func flag(_ key: StaticString) throws(FieldError) -> Bool? {
        guard let value = value(key), !value.isEmptyString else { return nil }
        if let flag = value.bool { return flag }
        switch value.kind == .string ? value.string?.lowercased() : value.integer.map(String.init) {
        case "true", "1": return true
        case "false", "0": return false
        default: throw error(key, "is not true or false: \(value.snippet)")
        }
    }

    /// A time (see `RemoteTime`); nil for absent, `null`, `""` and the unset values.
    func time(_ key: StaticString) throws(FieldError) -> Date? {
        guard let value = value(key) else { return nil }
        switch RemoteTime.read(value) {
        case .time(let date): return date
        case .unset: return nil
        case .invalid: throw error(key, "is not a time: \(value.snippet)")
        }
    }

    /// A length in seconds: `"5s"`, `"5"`, `5`, `"7.5 s"`.
    func duration(_ key: StaticString) throws(FieldError) -> Double? {
        guard let value = value(key), !value.isEmptyString else { return nil }
        if let number = value.double, number >= 0 { return number }
        if let text = value.string {
            var number = Substring(text).trimmedSpaces
            if number.last == "s" || number.last == "S" { number = number.dropLast().trimmedSpaces }
            if let seconds = Double(number), seconds.isFinite, seconds >= 0 { return seconds }
        }
        throw error(key, "is not a duration: \(value.snippet)")
    }

    // MARK: Objects

    /// A nested object; nil for absent, `null`, `""` and `{}`.
    func object(_ key: StaticString, path: String) throws(FieldError) -> Fields? {
        guard let value = value(key), !value.isEmptyString, !value.isEmptyContainer || value.kind == .array else { return nil }
        guard value.kind == .object else { throw error(key, "is not an object: \(value.snippet)") }
        return Fields(value, prefix: prefix + path)
    }

    /// A file: `{"url","width","height"}` or a bare URL string. An empty URL (the proxy's empty
    /// `{"url":"","width":0}` or `{"url":"","width":""}`) means no file.
    func media(_ key: StaticString, path: String) throws(FieldError) -> MediaField? {
        guard let value = value(key), !value.isEmptyString else { return nil }
        if let url = value.string { return MediaField(url: url) }
        guard let fields = try object(key, path: path) else { return nil }
        guard let url = try fields.string("url") else { return nil }
        return MediaField(url: url, width: try fields.dimension("width"), height: try fields.dimension("height"))
    }

    // MARK: Helpers

    private func numberInString(_ value: JSONValue) -> Double? {
        let node = value.node
        guard !node.flag else { return value.string.flatMap { Double(Substring($0).trimmedSpaces) } }
        var bytes = value.document.slice(node.start, node.end)
        while let first = bytes.first, first == 0x20 { bytes = UnsafeBufferPointer(rebasing: bytes.dropFirst()) }
        while let last = bytes.last, last == 0x20 { bytes = UnsafeBufferPointer(rebasing: bytes.dropLast()) }
        return NumberText.double(bytes)
    }

    private static func whole(_ number: Double) -> Int? {
        guard number == number.rounded(), abs(number) < 9.2e18 else { return nil }
        return Int(number)
    }
}

extension Substring {
    /// Without leading and trailing whitespace (no Foundation: its trimming is slow on Linux).
    var trimmedSpaces: Substring {
        var text = self
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}
