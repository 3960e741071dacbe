import SQLite

extension RemoteRecord: CatalogRow {
    static let columnNames = ["name", "dialect", "base_url", "key_env", "has_list", "created_at", "last_sync_at"]

    init(row: Row) {
        self.init(
            name: row[0] ?? "", dialect: row[1] ?? "", baseURL: row[2] ?? "", keyEnv: row[3], hasList: row[4] ?? true,
            createdAt: row[5] ?? "")
        lastSyncAt = row[6]
    }
}

extension Catalog {
    /// Adds a remote. Fails with a constraint error when the name is taken.
    public func insert(_ r: RemoteRecord) throws(CatalogError) {
        try sqlite {
            try db.run(
                "INSERT INTO remotes (name, dialect, base_url, key_env, has_list, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                r.name, r.dialect, r.baseURL, r.keyEnv, r.hasList, r.createdAt)
        }
    }

    /// Every remote, by name.
    public func remotes() throws(CatalogError) -> [RemoteRecord] {
        try sqlite { try db.prepare("SELECT \(RemoteRecord.columns()) FROM remotes ORDER BY name").map(RemoteRecord.init(row:)) }
    }

    /// The remote with this name, if any.
    public func remote(named name: String) throws(CatalogError) -> RemoteRecord? {
        try sqlite {
            let s = try db.prepare("SELECT \(RemoteRecord.columns()) FROM remotes WHERE name = ?")
            try s.bind([name])
            return try s.step().map(RemoteRecord.init(row:))
        }
    }

    /// How many generations came from a remote.
    public func generationCount(remote name: String) throws(CatalogError) -> Int {
        try sqlite { try db.scalar(Int.self, "SELECT count(*) FROM generations WHERE remote = ?", name) ?? 0 }
    }

    /// Removes a remote that no generation refers to. Returns false when there was none.
    @discardableResult
    public func deleteRemote(named name: String) throws(CatalogError) -> Bool {
        try sqlite {
            try db.run("DELETE FROM remotes WHERE name = ?", name)
            return db.changes > 0
        }
    }
}
