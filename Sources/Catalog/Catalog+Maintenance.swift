import SQLite

/// How far a whole-library `verify` got (a row of `verify_runs`).
public struct VerifyRunRecord: Sendable, Equatable {
    public var id: Int64
    public var startedAt: String
    /// The last blob checked, in sha256 order; nil before the first.
    public var position: String?
    /// Blobs found intact so far, and their bytes.
    public var checked: Int
    public var bytes: Int64
    /// The per-blob problems found so far, as the JSON array the verifier wrote.
    public var problemsJSON: String
}

/// A media row that uses a blob, with what repair needs to say about it and decide for it.
public struct BlobUser: Sendable, Equatable {
    public var mediaID: Int64
    public var generationUID: String
    public var role: MediaRole
    public var ordinal: Int
    /// The generation's remote; nil for a local import, which no sync can fetch again.
    public var remote: String?
    /// Where the file came from (a local import's original path).
    public var sourcePath: String?
}

/// One row `PRAGMA foreign_key_check` reports: a row naming a parent row that does not exist.
public struct ForeignKeyViolation: Sendable, Equatable {
    public var table: String
    public var rowID: Int64?
    public var parent: String
}

extension Catalog {
    // MARK: Verify runs

    /// The whole-library verify that started and never finished, if any.
    public func unfinishedVerifyRun() throws(CatalogError) -> VerifyRunRecord? {
        try sqlite {
            try db.prepare(
                """
                SELECT id, started_at, position, checked, bytes, problems FROM verify_runs
                WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1
                """
            ).map { row in
                VerifyRunRecord(
                    id: row[0] ?? 0, startedAt: row[1] ?? "", position: row[2], checked: row[3] ?? 0, bytes: row[4] ?? 0,
                    problemsJSON: row[5] ?? "[]")
            }.first
        }
    }

    /// Starts a whole-library verify from the first blob. Earlier runs are forgotten: only the latest matters.
    public func startVerifyRun(at now: String) throws(CatalogError) -> VerifyRunRecord {
        try transaction {
            try db.execute("DELETE FROM verify_runs")
            try db.run("INSERT INTO verify_runs (started_at, updated_at) VALUES (?, ?)", now, now)
        }
        guard let run = try unfinishedVerifyRun() else {
            throw .sqlite(SQLiteError(extendedCode: 1, message: "the verify run just started is not there"))
        }
        return run
    }

    /// Records a verify's progress and the blobs it found intact, in one transaction: after a kill the run
    /// continues from the last position saved, and no blob is marked verified that the position says is unchecked.
    public func saveVerifyProgress(_ run: VerifyRunRecord?, verified: [String], at now: String) throws(CatalogError) {
        try transaction {
            let mark = try cached("UPDATE blobs SET verified_at = ? WHERE sha256 = ?")
            for sha256 in verified {
                try mark.bind([now, sha256])
                try mark.run()
            }
            if let run {
                try db.run(
                    "UPDATE verify_runs SET position = ?, checked = ?, bytes = ?, problems = ?, updated_at = ? WHERE id = ?",
                    run.position, run.checked, run.bytes, run.problemsJSON, now, run.id)
            }
        }
    }

    /// Marks a whole-library verify as done, so that the next one starts from the beginning.
    public func finishVerifyRun(id: Int64, at now: String) throws(CatalogError) {
        try sqlite { try db.run("UPDATE verify_runs SET finished_at = ?, updated_at = ? WHERE id = ?", now, now, id) }
    }

    // MARK: Blobs for maintenance

    /// Blobs recorded at or after `time` (a catalog timestamp), by hash.
    public func blobs(storedSince time: String) throws(CatalogError) -> [BlobRecord] {
        try sqlite {
            let s = try db.prepare("SELECT sha256, size, stored_at, verified_at FROM blobs WHERE stored_at >= ? ORDER BY sha256")
            try s.bind([time])
            return try s.map { BlobRecord(sha256: $0[0] ?? "", size: $0[1] ?? 0, storedAt: $0[2] ?? "", verifiedAt: $0[3]) }
        }
    }

    /// Blob rows no media row uses (gc removes them).
    public func unusedBlobs() throws(CatalogError) -> [BlobRecord] {
        try sqlite {
            try db.prepare(
                """
                SELECT sha256, size, stored_at, verified_at FROM blobs b
                WHERE NOT EXISTS (SELECT 1 FROM media m WHERE m.blob_sha256 = b.sha256) ORDER BY sha256
                """
            ).map { BlobRecord(sha256: $0[0] ?? "", size: $0[1] ?? 0, storedAt: $0[2] ?? "", verifiedAt: $0[3]) }
        }
    }

    /// The media rows that use a blob.
    public func users(ofBlob sha256: String) throws(CatalogError) -> [BlobUser] {
        try users(where: "m.blob_sha256 = ?", sha256)
    }

    /// One media row, as ``users(ofBlob:)`` describes it.
    public func user(mediaID: Int64) throws(CatalogError) -> BlobUser? {
        try users(where: "m.id = ?", mediaID).first
    }

    private func users(where condition: String, _ parameter: any SQLiteBindable) throws(CatalogError) -> [BlobUser] {
        try sqlite {
            let s = try db.prepare(
                """
                SELECT m.id, g.uid, m.role, m.ordinal, g.remote, m.source_path
                FROM media m JOIN generations g ON g.id = m.generation_id WHERE \(condition) ORDER BY g.uid, m.role, m.ordinal
                """)
            try s.bind([parameter])
            return try s.map { row in
                BlobUser(
                    mediaID: row[0] ?? 0, generationUID: row[1] ?? "", role: MediaRole(rawValue: row[2] ?? "") ?? .video,
                    ordinal: row[3] ?? 0, remote: row[4], sourcePath: row[5])
            }
        }
    }

    /// Lets go of a media row's file: a row of a remote's generation goes back to `pending` (the next sync
    /// downloads it again, from a fresh link); a local import's, which nothing can fetch, becomes `gone`. The
    /// generation row, its tags and the media row itself stay. `reason` becomes the row's last error.
    public func releaseMedia(id: Int64, reason: String, at now: String) throws(CatalogError) {
        try sqlite {
            try db.run(
                """
                UPDATE media SET blob_sha256 = NULL, attempts = 0, last_error = ?, updated_at = ?,
                    state = CASE WHEN (SELECT g.remote FROM generations g WHERE g.id = media.generation_id) IS NULL
                                 THEN 'gone' ELSE 'pending' END
                WHERE id = ?
                """, reason, now, id)
        }
    }

    /// Forgets a blob (and, by cascade, what libavformat read from it). Fails while a media row uses it.
    public func deleteBlob(sha256: String) throws(CatalogError) {
        try sqlite { try db.run("DELETE FROM blobs WHERE sha256 = ?", sha256) }
    }

    /// Forgets an interrupted download's bytes (gc removed the file): the next attempt starts over.
    public func forgetPartial(path: String, at now: String) throws(CatalogError) {
        try sqlite {
            try db.run(
                """
                UPDATE media SET partial_path = NULL, partial_size = NULL, partial_etag = NULL, partial_last_modified = NULL,
                    updated_at = ? WHERE partial_path = ?
                """, now, path)
        }
    }

    // MARK: Health

    /// What `PRAGMA integrity_check` says: `["ok"]` for a sound file, else one line per fault.
    public func integrityCheck() throws(CatalogError) -> [String] {
        try sqlite { try db.prepare("PRAGMA integrity_check").map { $0[0] ?? "" } }
    }

    /// Rows that name a parent row that does not exist (`PRAGMA foreign_key_check`).
    public func foreignKeyViolations() throws(CatalogError) -> [ForeignKeyViolation] {
        try sqlite {
            try db.prepare("PRAGMA foreign_key_check").map { row in
                ForeignKeyViolation(table: row[0] ?? "", rowID: row[1], parent: row[2] ?? "")
            }
        }
    }
}
