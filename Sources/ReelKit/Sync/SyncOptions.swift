import HTTP

/// How a sync runs: what `reel sync`'s flags say.
public struct SyncOptions: Sendable {
    /// Walk the whole history and mark what the remote no longer lists (`--full`); otherwise stop at the
    /// first full page of known, unchanged, finished items.
    public var full = false
    /// Fetch files (`--no-media` turns it off).
    public var media = true
    /// Transfers at once (`--jobs`).
    public var jobs = 6
    /// Report what would change and write nothing (`--dry-run`).
    public var dryRun = false
    /// Keep the watermarked video too when an unwatermarked one exists (`--keep-watermarked`).
    public var keepWatermarked = false
    /// Attempts per API call and per file before giving up for this run (`--retries` + 1).
    public var attempts = 6
    /// Items asked for per list page (every known remote serves up to 100).
    public var pageSize = 100
    /// The largest file a download may bring (`--max-file-size`); a larger one fails that file, and
    /// nothing of it is kept.
    public var maxFileSize = SyncOptions.defaultMaxFileSize
    /// 2 GiB: a generated clip is tens of megabytes; this only stops a remote that sends without end.
    public static let defaultMaxFileSize: Int64 = 2 << 30
    /// Backoff between attempts.
    public var retryPolicy = RetryPolicy()

    public init() {}
}
