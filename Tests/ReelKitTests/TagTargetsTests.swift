import Catalog
import Foundation
import ReelKit
import Testing
import TestSupport

/// How `reel tag add|rm TAG… ID…` tells tags from ids.
@Suite struct TagTargetsTests {
    let folder = TemporaryDirectory()
    let library: Library

    init() throws {
        _ = try Library.create(at: folder.file("lib"))
        library = try Library.open(at: folder.file("lib"))
        for uid in ["abc10000-0000", "abc20000-0000", "abcdef01-0000", "abcdef02-0000", "def00000-0000"] {
            try library.catalog.insert(GenerationRecord(uid: uid, origin: .local, state: .completed, firstSeenAt: "t"))
        }
    }

    func split(_ arguments: String...) throws(ReelError) -> (tags: [String], ids: [String]) {
        let targets = try TagTargets.split(arguments, in: library)
        return (targets.tags.map(\.value), targets.generations.map(\.uid))
    }

    func refusal(_ arguments: String...) -> ReelError? {
        do {
            _ = try TagTargets.split(arguments, in: library)
            return nil
        } catch {
            return error
        }
    }

    @Test func theTrailingRunOfUniqueIdsIsTheIds() throws {
        #expect(try split("noir", "def0") == (["noir"], ["def00000-0000"]))
        #expect(try split("Noir", "style:x", "abc1", "abc2") == (["noir", "style:x"], ["abc10000-0000", "abc20000-0000"]))
        #expect(try split("a", "A", "#a", "def0", "def00000") == (["a"], ["def00000-0000"]), "repeats count once")
        // The first argument is always a tag, even one that could be an id prefix.
        #expect(try split("def", "abc1") == (["def"], ["abc10000-0000"]))
        // A short hex word before the ids is a tag: only 6 or more hex characters read as an id.
        #expect(try split("noir", "abc", "def0") == (["noir", "abc"], ["def00000-0000"]))
    }

    @Test func whatIsNeitherATagNorAnIdIsRefusedWithTheReason() throws {
        #expect(refusal("noir")?.status == .usage)
        #expect(refusal("noir")?.message.contains("no generation id given") == true)
        #expect(refusal("def0", "noir")?.message.contains("no generation id given") == true, "ids come last")
        #expect(refusal("noir", "abc")?.message.contains("id abc is ambiguous") == true)
        #expect(refusal("noir", "0123456")?.status == .noInput)
        let unknown = refusal("noir", "abcabc", "def0")
        #expect(unknown?.message == "no generation matches 'abcabc' (to use it as a tag, write #abcabc)")
        #expect(unknown?.status == .noInput)
        #expect(try split("noir", "#abcabc", "def0").tags == ["noir", "abcabc"])
        #expect(refusal("noir", "abcdef", "def0")?.message.contains("ambiguous") == true)
        #expect(refusal("abc10000", "def0")?.message.contains("is a generation id in the place of a tag") == true)
        #expect(refusal("no good", "def0")?.status == .usage)
        #expect(refusal()?.status == .usage)
    }

    @Test func withAQueryEveryArgumentIsATag() throws {
        #expect(try TagTargets.tags(["abc10000", "Noir", "noir"]).map(\.value) == ["abc10000", "noir"])
        #expect(throws: ReelError.self) { try TagTargets.tags([]) }
        #expect(throws: ReelError.self) { try TagTargets.tags(["-x"]) }
    }
}
