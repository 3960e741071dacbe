@_exported import enum RemoteAPI.GenerationState
@_exported import enum RemoteAPI.MediaRole

/// Where a generation came from.
public enum Origin: String, Sendable, Codable {
    /// Mirrored from a remote's history.
    case remote
    /// Imported from a local file.
    case local
    /// Created through reel on a remote.
    case created
}

/// Whether a media file is in the store yet.
public enum MediaState: String, Sendable, Codable {
    case pending, stored, failed, gone
}

/// A row of `generations`.
public struct GenerationRecord: Sendable, Equatable {
    public var id: Int64 = 0
    public var uid: String
    public var remote: String?
    public var remoteID: String?
    public var origin: Origin
    public var prompt: String = ""
    public var state: GenerationState
    public var rawState: String?
    /// ISO-8601 UTC.
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
    /// A name for items without a prompt (a local import's file name).
    public var title: String?
    public var note: String?
    public var firstSeenAt: String
    public var lastSeenAt: String
    public var remoteMissingAt: String?
    public var rawJSON: String?

    public init(uid: String, origin: Origin, state: GenerationState, firstSeenAt: String) {
        self.uid = uid
        self.origin = origin
        self.state = state
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = firstSeenAt
    }

    /// The prompt, or the title when there is no prompt.
    public var displayText: String { prompt.isEmpty ? (title ?? "") : prompt }
}

/// A row of `media`.
public struct MediaRecord: Sendable, Equatable {
    public var id: Int64 = 0
    public var generationID: Int64
    public var role: MediaRole
    public var ordinal: Int = 0
    public var remoteURL: String?
    public var sourcePath: String?
    public var blobSHA256: String?
    public var state: MediaState
    public var attempts: Int = 0
    public var lastError: String?
    public var updatedAt: String

    public init(generationID: Int64, role: MediaRole, state: MediaState, updatedAt: String) {
        self.generationID = generationID
        self.role = role
        self.state = state
        self.updatedAt = updatedAt
    }
}

/// A row of `blobs`.
public struct BlobRecord: Sendable, Equatable {
    public var sha256: String
    public var size: Int64
    public var storedAt: String
    public var verifiedAt: String?

    public init(sha256: String, size: Int64, storedAt: String, verifiedAt: String? = nil) {
        self.sha256 = sha256
        self.size = size
        self.storedAt = storedAt
        self.verifiedAt = verifiedAt
    }
}

/// A row of `media_info`: what libavformat read from a blob.
public struct MediaInfoRecord: Sendable, Equatable {
    public var blobSHA256: String
    public var container: String?
    public var durationSeconds: Double?
    public var bitRate: Int64?
    public var width: Int?
    public var height: Int?
    public var rotation: Int?
    public var fps: Double?
    public var videoCodec: String?
    public var audioCodec: String?
    /// The whole reading, with ffprobe's key names.
    public var probeJSON: String
    public var probedAt: String

    public init(blobSHA256: String, probeJSON: String, probedAt: String) {
        self.blobSHA256 = blobSHA256
        self.probeJSON = probeJSON
        self.probedAt = probedAt
    }
}

/// A row of `remotes`: where a remote lives and which environment variable holds its key (never the key).
public struct RemoteRecord: Sendable, Equatable {
    public var name: String
    public var dialect: String
    public var baseURL: String
    public var keyEnv: String?
    public var hasList: Bool
    public var createdAt: String
    public var lastSyncAt: String?

    public init(name: String, dialect: String, baseURL: String, keyEnv: String?, hasList: Bool = true, createdAt: String) {
        self.name = name
        self.dialect = dialect
        self.baseURL = baseURL
        self.keyEnv = keyEnv
        self.hasList = hasList
        self.createdAt = createdAt
    }
}
