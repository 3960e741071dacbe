/// What `reel export` does, as its options say.
public struct ExportOptions: Sendable {
    /// How a clip gets into the folder when no tags are embedded.
    public enum Method: String, Sendable, CaseIterable {
        /// A hard link when the folder is on the store's filesystem, else a copy.
        case auto
        /// Always a copy of the bytes.
        case copy
        /// A symbolic link to the stored file.
        case symlink
    }

    /// The one-file listing of an export.
    public enum ManifestFormat: String, Sendable, CaseIterable {
        case csv, jsonl

        /// The manifest's name in the export folder.
        public var fileName: String { "reel-manifest.\(rawValue)" }
    }

    /// The export folder (created when missing).
    public var directory: String
    public var template: ExportTemplate
    public var method: Method = .auto
    /// Write each clip again with container tags (title, description, comment, date, genre…).
    public var embedMetadata = false
    /// With ``embedMetadata``: the thumbnail becomes the MP4's cover art.
    public var embedThumbnail = false
    /// A `.json` beside each clip with every field, the media metadata, the tags and the remote's payload.
    public var sidecar = false
    public var manifest: ManifestFormat?
    /// Remove what reel exported before that no longer matches (or was renamed).
    public var update = false
    /// How many clips are written at once (remuxing is CPU work).
    public var jobs: Int

    public init(directory: String, template: ExportTemplate, jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.directory = directory
        self.template = template
        self.jobs = max(1, jobs)
    }
}

import Foundation
