import ArgumentParser
import Catalog
import Foundation
import ReelKit

struct Tag: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, remove, list and rename your own tags.",
        discussion: """
            Tags are case-insensitive (Noir and noir are one tag) and may carry a namespace (style:noir). \
            Search finds them at once. No sync ever changes them.

            Example:
              reel tag add noir style:film eaf962b3 5b1e9a40
              reel tag add keeper --query 'state:completed liked:yes'
              reel tag ls
              reel tag rename film style:film
            """,
        subcommands: [Add.self, Remove.self, List.self, Rename.self])

    struct Add: ReelCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tag generations.",
            discussion: """
                The first argument is a tag; the ids (or unique prefixes) come last. With --query, every argument \
                is a tag and the query picks the generations; on a terminal reel says how many and asks first.

                Example:
                  reel tag add noir eaf962b3                  # one tag, one generation
                  reel tag add noir style:film eaf962b3 5b1e  # two tags, two generations
                  reel tag add '#decade' 5b1e                 # # makes an id-like word a tag
                  reel tag add june --query 'created:2024-06' -y
                """)

        @OptionGroup var options: LibraryOptions
        @OptionGroup var selection: TagSelection

        func execute() throws(ReelError) {
            try selection.apply(.add, library: try options.open())
        }
    }

    struct Remove: ReelCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Remove tags from generations.",
            discussion: """
                As `reel tag add`: tags first, then ids, or --query. A tag left on no generation is deleted.

                Example:
                  reel tag rm draft eaf962b3
                  reel tag rm draft --all -y                  # from every generation
                """)

        @OptionGroup var options: LibraryOptions
        @OptionGroup var selection: TagSelection

        func execute() throws(ReelError) {
            try selection.apply(.remove, library: try options.open())
        }
    }

    struct List: ReelCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List the tags with how many generations carry each.",
            discussion: """
                A table on a terminal; `name<TAB>count` lines otherwise.

                Example:
                  reel tag ls
                  reel tag ls --sort count --json | jq -r '.[0].name'
                """)

        enum Sort: String, ExpressibleByArgument, CaseIterable {
            case name, count
        }

        @OptionGroup var options: LibraryOptions

        @Option(help: "Sort by name or by count (most used first).")
        var sort: Sort = .name

        @Flag(help: "Print a JSON array of {name, count}.")
        var json = false

        func execute() throws(ReelError) {
            let library = try options.open()
            let tags: [TagCount]
            do {
                tags = try library.catalog.tagCounts(order: sort == .name ? .name : .count)
            } catch {
                throw ReelError(error)
            }
            if json {
                try JSONOutput.print(tags.map { TagJSON(name: $0.name, count: $0.count) })
            } else if Terminal.stdoutIsTTY {
                if tags.isEmpty {
                    print("no tags yet; add one with `reel tag add TAG ID…`")
                    return
                }
                let rows = tags.map { [$0.name, String($0.count)] }
                for line in TableLayout.render(header: ["NAME", "COUNT"], rows: rows, width: Terminal.width) {
                    print(line)
                }
            } else {
                for tag in tags { print("\(tag.name)\t\(tag.count)") }
            }
        }
    }

    struct Rename: ReelCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rename a tag; into an existing tag, merge the two.",
            discussion: """
                Example:
                  reel tag rename film style:film
                  reel tag rename favourite keeper            # keeper exists: favourite's generations join it
                """)

        @OptionGroup var options: LibraryOptions
        @Argument(help: "The tag's name.") var old: String
        @Argument(help: "Its new name.") var new: String

        func execute() throws(ReelError) {
            let from = try TagTargets.tagName(old)
            let to = try TagTargets.tagName(new)
            let library = try options.open()
            let renaming: TagRenaming
            do {
                renaming = try library.catalog.renameTag(from, to: to)
            } catch {
                throw ReelError(error)
            }
            if renaming.merged {
                let had = renaming.alreadyTagged > 0 ? ", \(renaming.alreadyTagged) of them had both" : ""
                print("merged \(renaming.oldName) into \(to): \(to) is on \(Plural.generations(renaming.total)) now (\(renaming.generations) from \(renaming.oldName)\(had))")
            } else if renaming.oldName == to.value {
                print("the tag is named \(to) already; nothing changed")
            } else {
                print("renamed \(renaming.oldName) to \(to) (\(Plural.generations(renaming.total)))")
            }
        }
    }
}

/// What `tag add` and `tag rm` select: tags, and ids or a query.
struct TagSelection: ParsableArguments {
    @Argument(help: ArgumentHelp("Tags, then generation ids (or unique prefixes); with --query or --all, only tags.",
                                 valueName: "tag-or-id"))
    var arguments: [String] = []

    // Unconditional: a query may start with a dash (`--query -tag:draft`).
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("The generations a search query matches (the language of `reel search`).", valueName: "query"))
    var query: String?

    @Flag(help: "Every generation (also what an empty --query needs).")
    var all = false

    @Flag(name: [.customShort("y"), .long], help: "Do not ask before changing the generations a query matches.")
    var yes = false

    enum Action { case add, remove }

    func apply(_ action: Action, library: Library) throws(ReelError) {
        let catalog = library.catalog
        let tags: [TagName]
        let change: TagChange
        if query != nil || all {
            tags = try TagTargets.tags(arguments)
            let filter = try selectedFilter()
            let matching: Int
            do { matching = try catalog.count(matching: filter) } catch { throw ReelError(error) }
            if matching == 0 {
                print("no generation matches; nothing changed")
                return
            }
            if !yes && Terminal.stdinIsTTY && Terminal.stderrIsTTY {
                let list = tags.map(\.value).joined(separator: ", ")
                let question = action == .add
                    ? "tag \(Plural.generations(matching)) with \(list)?" : "remove \(list) from \(Plural.generations(matching))?"
                guard Terminal.confirm(question) else { throw ReelError("nothing changed", status: .failure) }
            }
            change = try Self.change(action, tags, catalog: catalog, filter: filter)
        } else {
            let targets = try TagTargets.split(arguments, in: library)
            tags = targets.tags
            change = try Self.change(action, tags, catalog: catalog, filter: Catalog.filter(ids: targets.generations.map(\.id)))
        }
        print(Self.summary(action, tags: tags, change: change))
    }

    private static func change(
        _ action: Action, _ tags: [TagName], catalog: Catalog, filter: GenerationFilter
    ) throws(ReelError) -> TagChange {
        do {
            switch action {
            case .add: return try catalog.addTags(tags, matching: filter, at: Timestamp.now())
            case .remove: return try catalog.removeTags(tags, matching: filter)
            }
        } catch {
            throw ReelError(error)
        }
    }

    /// The filter `--query` / `--all` name.
    private func selectedFilter() throws(ReelError) -> GenerationFilter {
        let text = (query ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            guard all else {
                throw ReelError("an empty --query would select every generation: add --all to mean that", status: .usage)
            }
            return .all
        }
        guard !all else { throw ReelError("give either --query or --all, not both", status: .usage) }
        return try SearchFilter.make(query: text)
    }

    /// "tagged 12 generations with noir (3 already had it)", "removed noir from 4 generations".
    static func summary(_ action: Action, tags: [TagName], change: TagChange) -> String {
        let list = tags.map(\.value).joined(separator: ", ")
        switch action {
        case .add:
            let unchanged = change.selected - change.changedGenerations
            let note = unchanged == 0 ? "" : " (\(unchanged) already had \(tags.count == 1 ? "it" : "them all"))"
            return "tagged \(Plural.generations(change.selected)) with \(list)\(note)"
        case .remove:
            let unknown = change.unknownTags.isEmpty
                ? "" : " (no tag is named \(change.unknownTags.joined(separator: ", ")))"
            return "removed \(list) from \(Plural.generations(change.changedGenerations))\(unknown)"
        }
    }
}

/// A tag in `tag ls --json`.
struct TagJSON: Encodable {
    let name: String
    let count: Int
}

/// Counted nouns.
enum Plural {
    static func generations(_ n: Int) -> String { n == 1 ? "1 generation" : "\(n) generations" }
}
