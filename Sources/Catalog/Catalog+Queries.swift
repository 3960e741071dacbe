import SQLite

/// A record read from one table: it names its columns in SELECT order and decodes a row of them.
protocol CatalogRow {
    static var columnNames: [String] { get }
    init(row: Row)
}

extension CatalogRow {
    /// The column list for a SELECT, optionally qualified with a table alias.
    static func columns(_ alias: String? = nil) -> String {
        columnNames.map { name in alias.map { "\($0).\(name)" } ?? name }.joined(separator: ", ")
    }
}

extension GenerationRecord: CatalogRow {
    static let columnNames = [
        "id",
        "uid",
        "remote",
        "remote_id",
        "origin",
        "prompt",
        "state",
        "raw_state",
        "created_at",
        "model",
        "aspect",
        "resolution",
        "duration_s",
        "loop",
        "kind",
        "parent_uid",
        "failure_reason",
        "liked",
        "title",
        "note",
        "first_seen_at",
        "last_seen_at",
        "remote_missing_at",
        "raw_json",
    ]

    init(row: Row) {
        self.init(
            uid: row[1] ?? "", origin: Origin(rawValue: row[4] ?? "") ?? .local,
            state: GenerationState(rawValue: row[6] ?? "") ?? .unknown, firstSeenAt: row[20] ?? "")
        id = row[0] ?? 0
        remote = row[2]
        remoteID = row[3]
        prompt = row[5] ?? ""
        rawState = row[7]
        createdAt = row[8]
        model = row[9]
        aspect = row[10]
        resolution = row[11]
        durationSeconds = row[12]
        loop = row[13]
        kind = row[14]
        parentUID = row[15]
        failureReason = row[16]
        liked = row[17]
        title = row[18]
        note = row[19]
        lastSeenAt = row[21] ?? firstSeenAt
        remoteMissingAt = row[22]
        rawJSON = row[23]
    }
}

extension MediaRecord: CatalogRow {
    static let columnNames = [
        "id",
        "generation_id",
        "role",
        "ordinal",
        "remote_url",
        "source_path",
        "blob_sha256",
        "state",
        "attempts",
        "last_error",
        "updated_at",
    ]

    init(row: Row) {
        self.init(
            generationID: row[1] ?? 0, role: MediaRole(rawValue: row[2] ?? "") ?? .video,
            state: MediaState(rawValue: row[7] ?? "") ?? .pending, updatedAt: row[10] ?? "")
        id = row[0] ?? 0
        ordinal = row[3] ?? 0
        remoteURL = row[4]
        sourcePath = row[5]
        blobSHA256 = row[6]
        attempts = row[8] ?? 0
        lastError = row[9]
    }
}

extension MediaInfoRecord: CatalogRow {
    static let columnNames = [
        "blob_sha256",
        "container",
        "duration_s",
        "bit_rate",
        "width",
        "height",
        "rotation",
        "fps",
        "video_codec",
        "audio_codec",
        "probe_json",
        "probed_at",
    ]

    init(row: Row) {
        self.init(blobSHA256: row[0] ?? "", probeJSON: row[10] ?? "{}", probedAt: row[11] ?? "")
        container = row[1]
        durationSeconds = row[2]
        bitRate = row[3]
        width = row[4]
        height = row[5]
        rotation = row[6]
        fps = row[7]
        videoCodec = row[8]
        audioCodec = row[9]
    }
}

/// A generation with what a listing shows of its video.
public struct GenerationSummary: Sendable, Equatable {
    public var generation: GenerationRecord
    /// The stored video's media info, when there is one.
    public var video: MediaInfoRecord?

    public init(generation: GenerationRecord, video: MediaInfoRecord?) {
        self.generation = generation
        self.video = video
    }
}

extension Catalog {
    // MARK: Generations

    /// Inserts a generation and returns its row id.
    @discardableResult
    public func insert(_ g: GenerationRecord) throws(CatalogError) -> Int64 {
        try sqlite {
            let s = try cached("INSERT INTO generations (\(Self.insertColumns)) VALUES (\(Self.insertPlaceholders))")
            try s.bind(Self.insertValues(g))
            try s.run()
            return db.lastInsertRowID
        }
    }

    /// The columns a new generation is written with, in the order of ``insertValues(_:)``.
    static let insertColumns = """
        uid, remote, remote_id, origin, prompt, state, raw_state, created_at, model, aspect, resolution, duration_s, \
        loop, kind, parent_uid, failure_reason, liked, title, note, first_seen_at, last_seen_at, remote_missing_at, raw_json
        """
    static let insertPlaceholders = (1...23).map { "?\($0)" }.joined(separator: ", ")

    static func insertValues(_ g: GenerationRecord) -> [any SQLiteBindable] {
        [
            g.uid, g.remote, g.remoteID, g.origin.rawValue, g.prompt, g.state.rawValue, g.rawState, g.createdAt,
            g.model, g.aspect, g.resolution, g.durationSeconds, g.loop, g.kind, g.parentUID, g.failureReason,
            g.liked, g.title, g.note, g.firstSeenAt, g.lastSeenAt, g.remoteMissingAt, g.rawJSON,
        ]
    }

    /// The generation with this row id.
    public func generation(id: Int64) throws(CatalogError) -> GenerationRecord? {
        try sqlite {
            let s = try db.prepare("SELECT \(GenerationRecord.columns()) FROM generations WHERE id = ?")
            try s.bind([id])
            return try s.step().map(GenerationRecord.init(row:))
        }
    }

    /// The generation with exactly this uid, if any.
    public func generation(uid: String) throws(CatalogError) -> GenerationRecord? {
        try sqlite {
            let s = try db.prepare("SELECT \(GenerationRecord.columns()) FROM generations WHERE uid = ?")
            try s.bind([uid])
            return try s.step().map(GenerationRecord.init(row:))
        }
    }

    /// Generations whose uid starts with `prefix` (at most `limit`), for resolving shortened ids.
    ///
    /// A range scan on the uid index: uids are lowercase hex and dashes, so every match sorts between
    /// the prefix and the prefix followed by the highest code point.
    public func generations(uidPrefix prefix: String, limit: Int = 10) throws(CatalogError) -> [GenerationRecord] {
        try sqlite {
            let s = try db.prepare(
                """
                SELECT \(GenerationRecord.columns()) FROM generations
                WHERE uid >= ?1 AND uid < ?1 || char(1114111) ORDER BY uid LIMIT ?2
                """)
            try s.bind([prefix, limit])
            return try s.map(GenerationRecord.init(row:))
        }
    }

    /// Generations newest first, each with its stored video's media info.
    public func summaries(limit: Int = -1, offset: Int = 0) throws(CatalogError) -> [GenerationSummary] {
        try sqlite {
            let s = try db.prepare(
                """
                SELECT \(GenerationRecord.columns("g")),
                       \(MediaInfoRecord.columns("i"))
                FROM generations g
                LEFT JOIN media m ON m.id = (
                    SELECT id FROM media WHERE generation_id = g.id AND role IN ('video_raw', 'video') AND state = 'stored'
                    ORDER BY role = 'video_raw' DESC LIMIT 1)
                LEFT JOIN media_info i ON i.blob_sha256 = m.blob_sha256
                ORDER BY g.created_at DESC NULLS LAST, g.id DESC
                LIMIT ?1 OFFSET ?2
                """)
            try s.bind([limit, offset])
            return try s.map { row in
                let generation = GenerationRecord(row: row)
                let info = MediaInfoRecord(row: row.dropping(GenerationRecord.columnNames.count))
                return GenerationSummary(generation: generation, video: info.blobSHA256.isEmpty ? nil : info)
            }
        }
    }

    /// How many generations the catalog holds.
    public func generationCount() throws(CatalogError) -> Int {
        try sqlite { try db.scalar(Int.self, "SELECT count(*) FROM generations") ?? 0 }
    }

    // MARK: Media

    /// Records a media row; a row already there for the same generation, role and ordinal takes these values.
    public func upsert(_ m: MediaRecord) throws(CatalogError) {
        try sqlite {
            try db.run(
                """
                INSERT INTO media (generation_id, role, ordinal, remote_url, source_path, blob_sha256, state, attempts,
                    last_error, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                ON CONFLICT (generation_id, role, ordinal) DO UPDATE SET
                    remote_url = coalesce(excluded.remote_url, remote_url), source_path = excluded.source_path,
                    blob_sha256 = excluded.blob_sha256, state = excluded.state, attempts = excluded.attempts,
                    last_error = excluded.last_error, updated_at = excluded.updated_at
                """,
                m.generationID, m.role.rawValue, m.ordinal, m.remoteURL, m.sourcePath, m.blobSHA256, m.state.rawValue,
                m.attempts, m.lastError, m.updatedAt)
        }
    }

    /// A generation's media rows, by role.
    public func media(generationID: Int64) throws(CatalogError) -> [MediaRecord] {
        try sqlite {
            let s = try db.prepare("SELECT \(MediaRecord.columns()) FROM media WHERE generation_id = ? ORDER BY role, ordinal")
            try s.bind([generationID])
            return try s.map(MediaRecord.init(row:))
        }
    }

    /// The generation whose `role` media is this blob, if any.
    public func generation(holding sha256: String, role: MediaRole) throws(CatalogError) -> GenerationRecord? {
        try sqlite {
            let s = try db.prepare(
                """
                SELECT \(GenerationRecord.columns()) FROM generations WHERE id = (
                    SELECT generation_id FROM media WHERE blob_sha256 = ? AND role = ? LIMIT 1)
                """)
            try s.bind([sha256, role.rawValue])
            return try s.step().map(GenerationRecord.init(row:))
        }
    }

    /// Media rows that claim to be stored but name no blob, or name a blob the catalog lacks.
    public func mediaWithoutBlob() throws(CatalogError) -> [MediaRecord] {
        try sqlite {
            try db.prepare(
                """
                SELECT \(MediaRecord.columns()) FROM media m
                WHERE m.state = 'stored' AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = m.blob_sha256)
                """
            ).map(MediaRecord.init(row:))
        }
    }

    // MARK: Blobs

    /// Records a blob; a blob already recorded is left as it is.
    public func insertBlob(_ b: BlobRecord) throws(CatalogError) {
        try sqlite {
            let s = try cached(
                "INSERT INTO blobs (sha256, size, stored_at, verified_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING")
            try s.bind([b.sha256, b.size, b.storedAt, b.verifiedAt] as [any SQLiteBindable])
            try s.run()
        }
    }

    /// The blob with this hash, if the catalog records it.
    public func blob(sha256: String) throws(CatalogError) -> BlobRecord? {
        try blobs(where: "WHERE sha256 = ?", sha256).first
    }

    /// Every blob the catalog records, by hash.
    public func blobs() throws(CatalogError) -> [BlobRecord] {
        try blobs(where: "")
    }

    private func blobs(where clause: String, _ parameters: any SQLiteBindable...) throws(CatalogError) -> [BlobRecord] {
        try sqlite {
            let s = try db.prepare("SELECT sha256, size, stored_at, verified_at FROM blobs \(clause) ORDER BY sha256")
            try s.bind(parameters)
            return try s.map { row in
                BlobRecord(sha256: row[0] ?? "", size: row[1] ?? 0, storedAt: row[2] ?? "", verifiedAt: row[3])
            }
        }
    }


    /// Notes that a blob was rehashed and found intact.
    public func markVerified(sha256: String, at time: String) throws(CatalogError) {
        try sqlite { try db.run("UPDATE blobs SET verified_at = ? WHERE sha256 = ?", time, sha256) }
    }

    // MARK: Media info

    /// Stores (or replaces) what libavformat read from a blob.
    public func upsert(_ i: MediaInfoRecord) throws(CatalogError) {
        try sqlite {
            let s = try cached(
                """
                INSERT INTO media_info (blob_sha256, container, duration_s, bit_rate, width, height, rotation, fps,
                    video_codec, audio_codec, probe_json, probed_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                ON CONFLICT (blob_sha256) DO UPDATE SET
                    container = excluded.container, duration_s = excluded.duration_s, bit_rate = excluded.bit_rate,
                    width = excluded.width, height = excluded.height, rotation = excluded.rotation, fps = excluded.fps,
                    video_codec = excluded.video_codec, audio_codec = excluded.audio_codec,
                    probe_json = excluded.probe_json, probed_at = excluded.probed_at
                """)
            try s.bind([
                i.blobSHA256, i.container, i.durationSeconds, i.bitRate, i.width, i.height, i.rotation, i.fps,
                i.videoCodec, i.audioCodec, i.probeJSON, i.probedAt,
            ] as [any SQLiteBindable])
            try s.run()
        }
    }

    /// What libavformat read from a blob, if it was probed.
    public func mediaInfo(sha256: String) throws(CatalogError) -> MediaInfoRecord? {
        try sqlite {
            let s = try db.prepare("SELECT \(MediaInfoRecord.columns()) FROM media_info WHERE blob_sha256 = ?")
            try s.bind([sha256])
            return try s.step().map(MediaInfoRecord.init(row:))
        }
    }
}
