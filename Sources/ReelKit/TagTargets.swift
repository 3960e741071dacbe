import Catalog

/// The tags and generations a `reel tag add|rm TAG… ID…` command line names.
///
/// The first argument is always a tag. After it, the trailing run of arguments that each resolve to exactly
/// one generation (an id or a unique prefix of one) are the ids; there must be at least one. Everything before
/// that run is a tag. An argument in a tag's place that looks like an id (6 or more hex digits and dashes) is
/// refused with the reason (no generation matches it, or it is an id in the wrong place), so that a mistyped
/// id never becomes a tag; `#` before it (`#decade`) makes it a tag.
public struct TagTargets {
    /// The tags, without repeats, in the order given.
    public var tags: [TagName]
    /// The generations, without repeats, in the order given.
    public var generations: [GenerationRecord]

    /// Splits `arguments` into tags and the generations they go on.
    public static func split(_ arguments: [String], in library: Library) throws(ReelError) -> TagTargets {
        guard !arguments.isEmpty else {
            throw ReelError("give one or more tags, then one or more generation ids", status: .usage)
        }
        var firstID = arguments.count
        var generations: [GenerationRecord] = []
        while firstID > 1, let generation = try uniqueMatch(arguments[firstID - 1], in: library) {
            generations.insert(generation, at: 0)
            firstID -= 1
        }
        if generations.isEmpty {
            let last = arguments[arguments.count - 1]
            if arguments.count > 1, looksLikeID(last, minimumLength: 1) {
                _ = try library.resolve(last)  // says why it is not one generation (none, or ambiguous)
            }
            throw ReelError(
                "no generation id given: name the tags, then the ids (reel tag add noir eaf962b3)", status: .usage)
        }
        var tags: [TagName] = []
        for argument in arguments[..<firstID] {
            if looksLikeID(argument, minimumLength: 6) { try refuseIDAsTag(argument, in: library) }
            let name = try tagName(argument)
            if !tags.contains(name) { tags.append(name) }
        }
        var seen = Set<Int64>()
        return TagTargets(tags: tags, generations: generations.filter { seen.insert($0.id).inserted })
    }

    /// Tag names alone (with `--query`, every argument is a tag), without repeats.
    public static func tags(_ arguments: [String]) throws(ReelError) -> [TagName] {
        guard !arguments.isEmpty else { throw ReelError("give one or more tags", status: .usage) }
        var tags: [TagName] = []
        for argument in arguments {
            let name = try tagName(argument)
            if !tags.contains(name) { tags.append(name) }
        }
        return tags
    }

    /// A checked tag name, or a usage error that says what is wrong with it.
    public static func tagName(_ text: String) throws(ReelError) -> TagName {
        do {
            return try TagName(text)
        } catch {
            throw ReelError(error)
        }
    }

    /// Hex digits and dashes, at least `minimumLength` characters: what `Library.resolve` accepts.
    static func looksLikeID(_ text: String, minimumLength: Int) -> Bool {
        text.count >= minimumLength && text.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    /// The one generation `text` names, or nil when it names none or several (or is not an id at all).
    private static func uniqueMatch(_ text: String, in library: Library) throws(ReelError) -> GenerationRecord? {
        guard looksLikeID(text, minimumLength: 1) else { return nil }
        do {
            return try library.resolve(text)
        } catch where error.status == .usage || error.status == .noInput {
            return nil
        }
    }

    /// Refuses an id-like argument in a tag's place, with the reason; `#` before it makes it a tag.
    private static func refuseIDAsTag(_ text: String, in library: Library) throws(ReelError) {
        do {
            _ = try library.resolve(text)
        } catch where error.status == .noInput {
            throw ReelError("no generation matches '\(text)' (to use it as a tag, write #\(text))", status: .noInput)
        }
        throw ReelError(
            "'\(text)' is a generation id in the place of a tag: give the tags first, then the ids (or write #\(text) for a tag)",
            status: .usage)
    }
}
