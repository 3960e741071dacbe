import SQLite

/// What the catalog already holds of a generation a remote lists: enough to tell whether the
/// remote's copy changed, without reading the whole row.
public struct KnownGeneration: Sendable, Equatable {
    /// The row id.
    public var id: Int64
    /// The remote that owns the row; nil for a local import that claimed the uid.
    public var remote: String?
    /// Where the row came from.
    public var origin: Origin
    /// The canonical fields sync compares, in the order of ``SyncedFields``.
    public var fields: SyncedFields
    /// Whether a full sync found it gone from its remote.
    public var remoteMissing: Bool
    /// `role:ordinal` of every media row it has, stored or not.
    public var mediaKeys: Set<String>
    /// `role:ordinal` of the media rows not stored yet (their links are worth renewing).
    public var unstoredKeys: Set<String>
}

/// The canonical fields a remote decides; an upsert from a remote writes these and nothing the user owns.
public struct SyncedFields: Sendable, Equatable {
    public var prompt: String
    public var state: GenerationState
    public var rawState: String?
    public var createdAt: String?
    public var model: String?
    public var aspect: String?
    public var resolution: String?
    public var durationSeconds: Double?
    public var loop: Bool?
    public var kind: String?
    public var parentUID: String?
    public var failureReason: String?
    public var liked: Bool?

    public init(
        prompt: String, state: GenerationState, rawState: String?, createdAt: String?, model: String?, aspect: String?,
        resolution: String?, durationSeconds: Double?, loop: Bool?, kind: String?, parentUID: String?,
        failureReason: String?, liked: Bool?
    ) {
        self.prompt = prompt
        self.state = state
        self.rawState = rawState
        self.createdAt = createdAt
        self.model = model
        self.aspect = aspect
        self.resolution = resolution
        self.durationSeconds = durationSeconds
        self.loop = loop
        self.kind = kind
        self.parentUID = parentUID
        self.failureReason = failureReason
        self.liked = liked
    }
}

extension SyncedFields {
    /// The canonical fields of a catalog row, to compare with what a remote sends now.
    public init(_ r: GenerationRecord) {
        self.init(
            prompt: r.prompt, state: r.state, rawState: r.rawState, createdAt: r.createdAt, model: r.model, aspect: r.aspect,
            resolution: r.resolution, durationSeconds: r.durationSeconds, loop: r.loop, kind: r.kind, parentUID: r.parentUID,
            failureReason: r.failureReason, liked: r.liked)
    }
}

/// A media row sync still has to fill, with what it needs to fetch it.
public struct PendingMedia: Sendable, Equatable {
    /// The media row.
    public var mediaID: Int64
    /// Its generation's row.
    public var generationID: Int64
    /// The remote's id of the generation (to fetch a fresh link).
    public var remoteID: String
    public var role: MediaRole
    public var ordinal: Int
    /// Nil for a thumbnail made from the video, and for an unwatermarked link still to ask for.
    public var remoteURL: String?
    /// Attempts so far, over all runs.
    public var attempts: Int
    /// An interrupted download's bytes (a file in the store's tmp/), its size and validators.
    public var partialPath: String?
    public var partialSize: Int64?
    public var partialETag: String?
    public var partialLastModified: String?
}

/// A media row a sync wants: the file exists on the remote (or is made from the video).
public struct WantedMedia: Sendable, Equatable {
    public var role: MediaRole
    public var ordinal: Int
    public var remoteURL: String?

    public init(role: MediaRole, ordinal: Int = 0, remoteURL: String?) {
        self.role = role
        self.ordinal = ordinal
        self.remoteURL = remoteURL
    }

    /// The key ``KnownGeneration/mediaKeys`` uses.
    public var key: String { "\(role.rawValue):\(ordinal)" }
}

/// The totals of one sync run, as `sync_runs` keeps them.
public struct SyncRunTotals: Sendable, Equatable {
    public var seen = 0
    public var added = 0
    public var updated = 0
    public var finished = 0
    public var failedItems = 0
    public var downloaded = 0
    public var bytes: Int64 = 0
    /// Failures of any kind (items and files); `failedItems` counts the same in this version.
    public var errors = 0
    public var lastError: String?

    public init() {}
}

extension Catalog {
    // MARK: Generations from a remote

    /// What the catalog holds of these uids (at most a page's worth; one query).
    public func known(uids: [String]) throws(CatalogError) -> [String: KnownGeneration] {
        guard !uids.isEmpty else { return [:] }
        return try sqlite {
            let placeholders = Array(repeating: "?", count: uids.count).joined(separator: ",")
            let s = try db.prepare(
                """
                SELECT \(GenerationRecord.columns("g")),
                       (SELECT group_concat(m.role || ':' || m.ordinal, ' ') FROM media m WHERE m.generation_id = g.id),
                       (SELECT group_concat(m.role || ':' || m.ordinal, ' ') FROM media m
                        WHERE m.generation_id = g.id AND m.state <> 'stored')
                FROM generations g WHERE g.uid IN (\(placeholders))
                """)
            try s.bind(uids)
            var result: [String: KnownGeneration] = [:]
            let keys = { (text: String?) in Set((text ?? "").split(separator: " ").map(String.init)) }
            while let row = try s.step() {
                let record = GenerationRecord(row: row)
                let media = row.dropping(GenerationRecord.columnNames.count)
                result[record.uid] = KnownGeneration(
                    id: record.id, remote: record.remote, origin: record.origin, fields: SyncedFields(record),
                    remoteMissing: record.remoteMissingAt != nil, mediaKeys: keys(media[0]), unstoredKeys: keys(media[1]))
            }
            return result
        }
    }

    /// Writes a remote's view of a generation: inserts it, or updates the canonical fields of the row with
    /// its uid, leaving tags, title and note as they are. A local import that claimed the uid becomes the
    /// remote's item; a row another remote owns keeps its owner. Returns the row id.
    @discardableResult
    public func upsertFromRemote(
        uid: String, remote: String, remoteID: String, fields f: SyncedFields, rawJSON: String, at now: String,
        origin: Origin = .remote
    ) throws(CatalogError) -> Int64 {
        try sqlite {
            let s = try cached(
                """
                INSERT INTO generations (uid, remote, remote_id, origin, prompt, state, raw_state, created_at, model,
                    aspect, resolution, duration_s, loop, kind, parent_uid, failure_reason, liked, first_seen_at,
                    last_seen_at, raw_json)
                VALUES (?1, ?2, ?3, ?19, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17, ?18)
                ON CONFLICT (uid) DO UPDATE SET
                    remote = coalesce(remote, excluded.remote),
                    remote_id = CASE WHEN remote IS NULL THEN excluded.remote_id ELSE remote_id END,
                    origin = CASE WHEN origin = 'local' THEN 'remote' ELSE origin END,
                    prompt = excluded.prompt, state = excluded.state, raw_state = excluded.raw_state,
                    created_at = coalesce(excluded.created_at, created_at), model = excluded.model,
                    aspect = excluded.aspect, resolution = excluded.resolution, duration_s = excluded.duration_s,
                    loop = excluded.loop, kind = coalesce(excluded.kind, CASE WHEN kind = 'local' THEN NULL ELSE kind END),
                    parent_uid = excluded.parent_uid, failure_reason = excluded.failure_reason, liked = excluded.liked,
                    last_seen_at = excluded.last_seen_at, remote_missing_at = NULL, raw_json = excluded.raw_json
                RETURNING id
                """)
            try s.bind([
                uid, remote, remoteID, f.prompt, f.state.rawValue, f.rawState, f.createdAt, f.model, f.aspect, f.resolution,
                f.durationSeconds, f.loop, f.kind, f.parentUID, f.failureReason, f.liked, now, rawJSON, origin.rawValue,
            ] as [any SQLiteBindable])
            let id: Int64 = try s.step()?[0] ?? 0
            try s.run()
            return id
        }
    }

    /// Notes that a remote still lists these generations.
    public func markSeen(ids: [Int64], at now: String) throws(CatalogError) {
        guard !ids.isEmpty else { return }
        try sqlite {
            let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let s = try db.prepare(
                "UPDATE generations SET last_seen_at = ?, remote_missing_at = NULL WHERE id IN (\(placeholders))")
            try s.bind([now] + ids.map { $0 as any SQLiteBindable })
            try s.run()
        }
    }

    /// Records the files a generation should have. A row already stored keeps its file; any other takes the
    /// newer link (nil keeps the old one).
    public func want(_ media: [WantedMedia], generationID: Int64, at now: String) throws(CatalogError) {
        try sqlite {
            let s = try cached(
                """
                INSERT INTO media (generation_id, role, ordinal, remote_url, state, updated_at)
                VALUES (?1, ?2, ?3, ?4, 'pending', ?5)
                ON CONFLICT (generation_id, role, ordinal) DO UPDATE SET
                    remote_url = coalesce(excluded.remote_url, remote_url),
                    state = CASE WHEN state = 'gone' THEN 'pending' ELSE state END,
                    updated_at = CASE WHEN state = 'stored' THEN updated_at ELSE excluded.updated_at END
                """)
            for m in media {
                try s.bind([generationID, m.role.rawValue, m.ordinal, m.remoteURL, now] as [any SQLiteBindable])
                try s.run()
            }
        }
    }

    /// Media rows of a remote's generations that are not stored yet, newest generation first, videos before
    /// the stills made from them. Source images are fetched whatever the state; other files once completed.
    public func pendingMedia(remote: String) throws(CatalogError) -> [PendingMedia] {
        try sqlite {
            let s = try db.prepare(
                """
                SELECT m.id, m.generation_id, g.remote_id, m.role, m.ordinal, m.remote_url, m.attempts,
                       m.partial_path, m.partial_size, m.partial_etag, m.partial_last_modified
                FROM media m JOIN generations g ON g.id = m.generation_id
                WHERE m.state IN ('pending', 'failed') AND g.remote = ?1 AND g.remote_id IS NOT NULL
                  AND (g.state = 'completed' OR m.role = 'source_image')
                ORDER BY g.created_at DESC, g.id DESC,
                         CASE m.role WHEN 'video_raw' THEN 0 WHEN 'video' THEN 1 ELSE 2 END, m.ordinal
                """)
            try s.bind([remote])
            return try s.map { row in
                PendingMedia(
                    mediaID: row[0] ?? 0, generationID: row[1] ?? 0, remoteID: row[2] ?? "",
                    role: MediaRole(rawValue: row[3] ?? "") ?? .video, ordinal: row[4] ?? 0, remoteURL: row[5],
                    attempts: row[6] ?? 0, partialPath: row[7], partialSize: row[8], partialETag: row[9],
                    partialLastModified: row[10])
            }
        }
    }

    /// Fills a media row with a stored blob and what libavformat read from it. Run it inside a
    /// transaction: the three writes belong together.
    public func store(mediaID: Int64, blob: BlobRecord, info: MediaInfoRecord?, sourcePath: String? = nil, at now: String) throws(CatalogError) {
        try insertBlob(blob)
        if let info { try upsert(info) }
        try sqlite {
            let s = try cached(
                """
                UPDATE media SET blob_sha256 = ?1, state = 'stored', attempts = attempts + 1, last_error = NULL,
                    source_path = coalesce(?2, source_path), partial_path = NULL, partial_size = NULL,
                    partial_etag = NULL, partial_last_modified = NULL, updated_at = ?3
                WHERE id = ?4
                """)
            try s.bind([blob.sha256, sourcePath, now, mediaID] as [any SQLiteBindable])
            try s.run()
        }
    }

    /// Notes a failed attempt at a media row, with the bytes to resume from (or none), or that the remote no
    /// longer has the file (`gone`).
    public func mediaFailed(
        mediaID: Int64, error: String, gone: Bool = false, partial: (path: String, size: Int64, etag: String?, lastModified: String?)?,
        remoteURL: String? = nil, at now: String
    ) throws(CatalogError) {
        try sqlite {
            try db.run(
                """
                UPDATE media SET state = ?, attempts = attempts + 1, last_error = ?, remote_url = coalesce(?, remote_url),
                    partial_path = ?, partial_size = ?, partial_etag = ?, partial_last_modified = ?, updated_at = ?
                WHERE id = ?
                """, gone ? "gone" : "failed", error, remoteURL, partial?.path, partial?.size, partial?.etag,
                partial?.lastModified, now, mediaID)
        }
    }

    /// The partial downloads media rows hold (files under the store's tmp/ that a sync will resume).
    public func partialDownloadPaths() throws(CatalogError) -> Set<String> {
        try sqlite { Set(try db.prepare("SELECT partial_path FROM media WHERE partial_path IS NOT NULL").map { $0[0] ?? "" }) }
    }

    /// Removes a generation's media row (a local import's copy that a download showed to be the same file).
    public func deleteMedia(id: Int64) throws(CatalogError) {
        try sqlite { try db.run("DELETE FROM media WHERE id = ?", id) }
    }

    /// The remote ids of a remote's generations that are not finished, or finished without a video link
    /// yet (a remote may say `completed` a few polls before its files are ready).
    public func unfinishedRemoteIDs(remote: String) throws(CatalogError) -> [(remoteID: String, state: GenerationState)] {
        try sqlite {
            let s = try db.prepare(
                """
                SELECT g.remote_id, g.state FROM generations g
                WHERE g.remote = ?1 AND g.remote_id IS NOT NULL AND g.remote_missing_at IS NULL
                  AND (g.state NOT IN ('completed', 'failed')
                       OR (g.state = 'completed' AND NOT EXISTS (
                           SELECT 1 FROM media m WHERE m.generation_id = g.id AND m.role IN ('video', 'video_raw'))))
                ORDER BY g.created_at DESC
                """)
            try s.bind([remote])
            return try s.map { ($0[0] ?? "", GenerationState(rawValue: $0[1] ?? "") ?? .unknown) }
        }
    }

    /// Every remote id a remote's generations have, with the row ids.
    public func remoteIDs(remote: String) throws(CatalogError) -> [(id: Int64, remoteID: String, missing: Bool)] {
        try sqlite {
            let s = try db.prepare(
                "SELECT id, remote_id, remote_missing_at IS NOT NULL FROM generations WHERE remote = ? AND remote_id IS NOT NULL")
            try s.bind([remote])
            return try s.map { ($0[0] ?? 0, $0[1] ?? "", $0[2] ?? false) }
        }
    }

    /// Marks generations as no longer listed by their remote; everything local is kept.
    public func markRemoteMissing(ids: [Int64], at now: String) throws(CatalogError) {
        try transaction {
            let s = try db.prepare("UPDATE generations SET remote_missing_at = ? WHERE id = ? AND remote_missing_at IS NULL")
            for id in ids {
                try s.bind([now, id] as [any SQLiteBindable])
                try s.run()
            }
        }
    }

    /// Adds ids for a remote to refresh (a host without a list); ids already known are left alone.
    /// Returns how many were new.
    public func track(remoteIDs: [String], remote: String, at now: String) throws(CatalogError) -> Int {
        try transaction {
            var added = 0
            let s = try db.prepare(
                """
                INSERT INTO generations (uid, remote, remote_id, origin, state, first_seen_at, last_seen_at)
                VALUES (lower(?1), ?2, ?1, 'remote', 'unknown', ?3, ?3) ON CONFLICT DO NOTHING
                """)
            for id in remoteIDs {
                try s.bind([id, remote, now])
                try s.run()
                added += db.changes
            }
            return added
        }
    }

    // MARK: Sync runs

    /// Starts a run record; runs of this remote left `running` by a killed process become `interrupted`.
    public func startSyncRun(remote: String, full: Bool, pid: Int32, at now: String) throws(CatalogError) -> Int64 {
        try transaction {
            try db.run(
                "UPDATE sync_runs SET status = 'interrupted', finished_at = coalesce(finished_at, ?) WHERE remote = ? AND status = 'running'",
                now, remote)
            try db.run(
                "INSERT INTO sync_runs (remote, started_at, full, pid) VALUES (?, ?, ?, ?)", remote, now, full, Int64(pid))
            return db.lastInsertRowID
        }
    }

    /// Writes a run's totals so far; `status` other than running closes it.
    public func updateSyncRun(id: Int64, totals t: SyncRunTotals, status: String, at now: String) throws(CatalogError) {
        try sqlite {
            try db.run(
                """
                UPDATE sync_runs SET seen = ?, added = ?, updated = ?, finished_items = ?, failed_items = ?, downloaded = ?,
                    bytes = ?, errors = ?, last_error = ?, status = ?,
                    finished_at = CASE WHEN ? = 'running' THEN NULL ELSE ? END
                WHERE id = ?
                """, t.seen, t.added, t.updated, t.finished, t.failedItems, t.downloaded, t.bytes, t.errors, t.lastError,
                status, status, now, id)
            if status == "finished" {
                try db.run(
                    "UPDATE remotes SET last_sync_at = ? WHERE name = (SELECT remote FROM sync_runs WHERE id = ?)", now, id)
            }
        }
    }

    /// The runs of a remote (or of all), newest first.
    public func syncRuns(remote: String? = nil, limit: Int = 20) throws(CatalogError) -> [(remote: String, status: String, startedAt: String, totals: SyncRunTotals)] {
        try sqlite {
            let s = try db.prepare(
                """
                SELECT remote, status, started_at, seen, added, updated, finished_items, failed_items, downloaded, bytes,
                       errors, last_error
                FROM sync_runs WHERE ?1 IS NULL OR remote = ?1 ORDER BY id DESC LIMIT ?2
                """)
            try s.bind([remote, limit] as [any SQLiteBindable])
            return try s.map { row in
                var t = SyncRunTotals()
                t.seen = row[3] ?? 0
                t.added = row[4] ?? 0
                t.updated = row[5] ?? 0
                t.finished = row[6] ?? 0
                t.failedItems = row[7] ?? 0
                t.downloaded = row[8] ?? 0
                t.bytes = row[9] ?? 0
                t.errors = row[10] ?? 0
                t.lastError = row[11]
                return (row[0] ?? "", row[1] ?? "", row[2] ?? "", t)
            }
        }
    }
}

extension Catalog {
    /// The blob of a generation's stored video (the unwatermarked one when both are there).
    public func storedVideoSHA(generationID: Int64) throws(CatalogError) -> String? {
        try sqlite {
            try db.scalar(
                String.self,
                """
                SELECT blob_sha256 FROM media WHERE generation_id = ? AND role IN ('video_raw', 'video') AND state = 'stored'
                ORDER BY role = 'video_raw' DESC LIMIT 1
                """, generationID)
        }
    }

    /// Removes a generation's imported video row when a download turned out to be the same file: one item,
    /// one copy, under the role the remote gave it.
    public func dropImportedDuplicate(of sha256: String, generationID: Int64, keeping mediaID: Int64) throws(CatalogError) {
        try sqlite {
            let s = try cached(
                """
                DELETE FROM media WHERE generation_id = ?1 AND id <> ?2 AND blob_sha256 = ?3 AND source_path IS NOT NULL
                  AND role IN ('video', 'video_raw')
                """)
            try s.bind([generationID, mediaID, sha256] as [any SQLiteBindable])
            try s.run()
        }
    }
}

extension Catalog {
    /// Removes a generation from the catalog with its media rows and tag links (its files stay in the store
    /// until gc). The links go first, explicitly: cascaded from the generation, their full-text triggers would
    /// run after the row the index reads is gone.
    public func deleteGeneration(id: Int64) throws(CatalogError) {
        try transaction {
            for sql in [
                "DELETE FROM generation_tags WHERE generation_id = ?", "DELETE FROM media WHERE generation_id = ?",
                "DELETE FROM generations WHERE id = ?",
            ] {
                let s = try db.prepare(sql)
                try s.bind([id] as [any SQLiteBindable])
                try s.run()
            }
        }
    }
}

extension Catalog {
    /// Keeps what the user asked for when reel made a generation (JSON of reel's canonical request).
    public func setRequest(generationID: Int64, json: String) throws(CatalogError) {
        try sqlite {
            let s = try db.prepare("UPDATE generations SET request_json = ? WHERE id = ?")
            try s.bind([json, generationID] as [any SQLiteBindable])
            try s.run()
        }
    }

    /// The request reel made a generation with, when it made it.
    public func request(generationID: Int64) throws(CatalogError) -> String? {
        try sqlite {
            let s = try db.prepare("SELECT request_json FROM generations WHERE id = ?")
            try s.bind([generationID] as [any SQLiteBindable])
            return try s.step()?[0]
        }
    }
}
