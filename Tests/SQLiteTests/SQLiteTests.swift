import Foundation
import SQLite
import Testing
import TestSupport

@Suite struct SQLiteTests {
    let folder = TemporaryDirectory()

    func open() throws -> Connection {
        let db = try Connection(path: folder.file("test.sqlite"))
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, b BLOB, u TEXT UNIQUE)")
        return db
    }

    @Test func typedValuesRoundTrip() throws {
        let db = try open()
        let text = "neon 赛博朋克 café 'quoted' \"double\"; DROP TABLE t; --"
        try db.run(
            "INSERT INTO t (i, r, s, b) VALUES (?, ?, ?, ?)", Int64.max, 3.141592653589793, text, [UInt8]([0, 1, 255]))
        try db.run("INSERT INTO t (i, r, s, b) VALUES (?, ?, ?, ?)", Int64.min, -0.5, "", [UInt8]())
        try db.run("INSERT INTO t (i, r, s, b) VALUES (?, ?, ?, ?)", Int?.none, Double?.none, String?.none, true)

        let rows = try db.prepare("SELECT i, r, s, b FROM t ORDER BY id").map { row in
            (row[0] as Int64?, row[1] as Double?, row[2] as String?, row[3] as [UInt8]?, row.value(at: 3))
        }
        #expect(rows.count == 3)
        #expect(rows[0].0 == Int64.max)
        #expect(rows[0].1 == 3.141592653589793)
        #expect(rows[0].2 == text)
        #expect(rows[0].3 == [0, 1, 255])
        #expect(rows[1].0 == Int64.min)
        #expect(rows[1].2 == "")
        #expect(rows[1].4 == .blob([]), "an empty blob stays a blob, not NULL")
        #expect(rows[2].0 == nil && rows[2].1 == nil && rows[2].2 == nil)
        #expect(rows[2].4 == .integer(1), "Bool binds as 1")
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM t") == 3, "the text was bound, never run as SQL")
    }

    @Test func wrongTypesReadAsNil() throws {
        let db = try open()
        try db.run("INSERT INTO t (s) VALUES (?)", "not a number")
        let row = try #require(try db.prepare("SELECT s, i FROM t").step())
        #expect((row[0] as Int64?) == nil)
        #expect((row[1] as String?) == nil)
    }

    @Test func namedParameters() throws {
        let db = try open()
        let insert = try db.prepare("INSERT INTO t (i, s) VALUES (:number, :name)")
        try insert.bind(named: [":number": 7, ":name": "seven"])
        try insert.run()
        #expect(try db.scalar(String.self, "SELECT s FROM t WHERE i = ?", 7) == "seven")
        #expect(throws: SQLiteError.self) { try insert.bind(named: [":missing": 1]) }
    }

    @Test func parameterCountIsChecked() throws {
        let db = try open()
        let error = #expect(throws: SQLiteError.self) { try db.run("INSERT INTO t (i) VALUES (?)", 1, 2) }
        #expect(error?.message.contains("takes 1 parameters, 2 given") == true)
    }

    @Test func constraintErrorsCarryTheExtendedCode() throws {
        let db = try open()
        try db.run("INSERT INTO t (u) VALUES (?)", "x")
        let error = #expect(throws: SQLiteError.self) { try db.run("INSERT INTO t (u) VALUES (?)", "x") }
        #expect(error?.extendedCode == 2067)  // SQLITE_CONSTRAINT_UNIQUE
        #expect(error?.isConstraintViolation == true)
        #expect(error?.message.contains("UNIQUE constraint failed: t.u") == true)
        #expect(error?.sql == "INSERT INTO t (u) VALUES (?)")
    }

    @Test func syntaxErrorsAreErrorsNotCrashes() throws {
        let db = try open()
        let error = #expect(throws: SQLiteError.self) { _ = try db.prepare("SELEC nonsense") }
        #expect(error?.message.contains("syntax error") == true)
    }

    @Test func transactionCommitsOnSuccess() throws {
        let db = try open()
        try db.transaction { () throws(SQLiteError) in try db.run("INSERT INTO t (i) VALUES (1)") }
        #expect(!db.isInTransaction)
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM t") == 1)
    }

    @Test func transactionRollsBackOnError() throws {
        struct Boom: Error {}
        let db = try open()
        #expect(throws: Boom.self) {
            try db.transaction { () throws in
                try db.run("INSERT INTO t (i) VALUES (1)")
                try db.run("INSERT INTO t (i) VALUES (2)")
                throw Boom()
            }
        }
        #expect(!db.isInTransaction)
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM t") == 0)
        // A failing statement inside rolls back the earlier ones too.
        #expect(throws: SQLiteError.self) {
            try db.transaction { () throws(SQLiteError) in
                try db.run("INSERT INTO t (u) VALUES ('a')")
                try db.run("INSERT INTO t (u) VALUES ('a')")
            }
        }
        #expect(try db.scalar(Int.self, "SELECT count(*) FROM t") == 0)
    }

    @Test func committedDataSurvivesReopening() throws {
        do {
            let db = try open()
            try db.run("INSERT INTO t (s) VALUES (?)", "kept")
        }
        let again = try Connection(path: folder.file("test.sqlite"), mode: .readOnly)
        #expect(try again.scalar(String.self, "SELECT s FROM t") == "kept")
    }

    @Test func aTextFileIsNotADatabase() throws {
        let path = try folder.write("notes.sqlite", String(repeating: "this is not a database\n", count: 100))
        let error = #expect(throws: SQLiteError.self) {
            let db = try Connection(path: path)
            _ = try db.scalar(Int.self, "SELECT count(*) FROM sqlite_schema")
        }
        #expect(error?.isNotADatabase == true)
    }

    @Test func readOnlyOpenOfAMissingFileFails() throws {
        let error = #expect(throws: SQLiteError.self) {
            _ = try Connection(path: folder.file("absent.sqlite"), mode: .readWrite)
        }
        #expect(error?.code == 14)  // SQLITE_CANTOPEN
    }

    @Test func rowsCanBeReadFromAnOffset() throws {
        let db = try open()
        let row = try #require(try db.prepare("SELECT 1, 'a', 2.5").step())
        let shifted = row.dropping(1)
        #expect(shifted.count == 2)
        #expect((shifted[0] as String?) == "a")
        #expect((shifted[1] as Double?) == 2.5)
    }
}
