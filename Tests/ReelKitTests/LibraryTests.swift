import Catalog
import Foundation
import ReelKit
import Testing
import TestSupport

@Suite struct LibraryLocationTests {
    @Test func optionBeatsEnvironmentBeatsXDGBeatsHome() throws {
        let env = ["REEL_LIBRARY": "/env/lib", "XDG_DATA_HOME": "/xdg", "HOME": "/home/u"]
        #expect(try LibraryLocation.resolve(option: "/opt/lib", environment: env) == "/opt/lib")
        #expect(try LibraryLocation.resolve(option: nil, environment: env) == "/env/lib")
        #expect(try LibraryLocation.resolve(option: nil, environment: ["XDG_DATA_HOME": "/xdg", "HOME": "/home/u"]) == "/xdg/reel")
        #expect(try LibraryLocation.resolve(option: nil, environment: ["HOME": "/home/u"]) == "/home/u/.local/share/reel")
        // XDG: a relative XDG_DATA_HOME is invalid and ignored.
        #expect(try LibraryLocation.resolve(option: nil, environment: ["XDG_DATA_HOME": "rel", "HOME": "/h"]) == "/h/.local/share/reel")
        #expect(throws: ReelError.self) { try LibraryLocation.resolve(option: nil, environment: [:]) }
    }
}

@Suite struct LibraryTests {
    let folder = TemporaryDirectory()

    @Test func createThenCreateAgainChangesNothing() throws {
        let root = folder.file("lib")
        #expect(try Library.create(at: root) == .created)
        for entry in ["catalog.sqlite", "objects", "tmp"] {
            #expect(FileManager.default.fileExists(atPath: "\(root)/\(entry)"))
        }
        let library = try Library.open(at: root)
        var g = GenerationRecord(uid: "0123", origin: .local, state: .completed, firstSeenAt: "t")
        g.title = "kept"
        try library.catalog.insert(g)
        #expect(try Library.create(at: root) == .alreadyExists)
        #expect(try Library.open(at: root).catalog.generationCount() == 1)
    }

    @Test func createMakesMissingParents() throws {
        #expect(try Library.create(at: folder.file("a/b/c/lib")) == .created)
    }

    @Test func aFileWhereTheLibraryShouldBeIsRefused() throws {
        let path = try folder.write("lib", "a file")
        for attempt in [{ _ = try Library.create(at: path) }, { _ = try Library.open(at: path) }] {
            let error = #expect(throws: ReelError.self) { try attempt() }
            #expect(error?.status == .ioError)
            #expect(error?.message == "\(path) is a file, not a library folder")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a file")
    }

    @Test func anUnwritableFolderIsAnIOErrorAndLeavesNothing() throws {
        let parent = folder.file("readonly")
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try TemporaryDirectory.makeUnwritable(parent)
        let error = #expect(throws: ReelError.self) { _ = try Library.create(at: parent + "/lib") }
        #expect(error?.status == .ioError)
        #expect(error?.message.hasPrefix("cannot create the library folder \(parent)/lib") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }

    @Test func aLibraryInAFolderThatBecameReadOnlyCannotBeOpenedForWriting() throws {
        let root = folder.file("lib")
        _ = try Library.create(at: root)
        // A clean close leaves no -wal or -shm file, so opening must create them: it cannot.
        try TemporaryDirectory.makeUnwritable(root)
        let error = #expect(throws: ReelError.self) { _ = try Library.open(at: root) }
        #expect(error?.status == .ioError)
    }

    @Test func noLibraryIsNoInput() throws {
        let error = #expect(throws: ReelError.self) { _ = try Library.open(at: folder.file("nothing")) }
        #expect(error?.status == .noInput)
        #expect(error?.message.contains("reel init") == true)
        #expect(!FileManager.default.fileExists(atPath: folder.file("nothing")), "opening creates nothing")
    }

    @Test func aCatalogThatIsNotSQLiteIsBadData() throws {
        let root = folder.file("lib")
        try folder.write("lib/catalog.sqlite", String(repeating: "garbage ", count: 1000))
        let error = #expect(throws: ReelError.self) { _ = try Library.open(at: root) }
        #expect(error?.status == .dataError)
        #expect(error?.message == "\(root)/catalog.sqlite is not a reel catalog (not an SQLite database)")
        let again = #expect(throws: ReelError.self) { _ = try Library.create(at: root) }
        #expect(again?.status == .dataError, "init does not call a broken catalog a library")
    }

    @Test func idsResolveByUniquePrefix() throws {
        let root = folder.file("lib")
        _ = try Library.create(at: root)
        let library = try Library.open(at: root)
        for uid in ["eaf962b3-f279-4247-9d7d-c27c741e07cb", "eaf9aaaa-0000-4000-8000-000000000000", "b0000000-0000-4000-8000-000000000000"] {
            try library.catalog.insert(GenerationRecord(uid: uid, origin: .local, state: .completed, firstSeenAt: "t"))
        }
        #expect(try library.resolve("b").uid.hasPrefix("b000"))
        #expect(try library.resolve("EAF962").uid == "eaf962b3-f279-4247-9d7d-c27c741e07cb")
        let ambiguous = #expect(throws: ReelError.self) { try library.resolve("eaf9") }
        #expect(ambiguous?.status == .usage)
        #expect(ambiguous?.message.contains("eaf962b3") == true && ambiguous?.message.contains("eaf9aaaa") == true)
        #expect(#expect(throws: ReelError.self) { try library.resolve("c") }?.status == .noInput)
        #expect(#expect(throws: ReelError.self) { try library.resolve("x' OR 1=1 --") }?.status == .usage)
        #expect(#expect(throws: ReelError.self) { try library.resolve("") }?.status == .usage)
    }
}

@Suite struct VideoShapeTests {
    @Test(arguments: [
        (1920, 1080, "16:9", "1080p"), (1080, 1920, "9:16", "1080p"), (1280, 720, "16:9", "720p"),
        (642, 642, "1:1", "642p"), (640, 480, "4:3", "480p"), (2560, 1080, "21:9", "1080p"),
        (426, 240, "16:9", "240p"), (500, 100, "5:1", "100p"),
    ])
    func shapes(width: Int, height: Int, aspect: String, resolution: String) throws {
        let shape = try #require(VideoShape(width: width, height: height))
        #expect(shape.aspect == aspect)
        #expect(shape.resolution == resolution)
    }

    @Test func zeroSidesHaveNoShape() {
        #expect(VideoShape(width: 0, height: 720) == nil)
    }
}
