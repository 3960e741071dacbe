import Catalog
import Foundation
import RemoteAPI

/// `reel create`: a new generation on a remote, recorded in the catalog the moment the remote answers, so
/// that `reel sync` follows it to completion and stores its files like any other.
public struct Creator {
    /// A picture given on the command line: a URL passed through, or a local file sent the way the dialect
    /// takes pictures.
    public enum Picture: Sendable, Equatable {
        case url(String)
        case file(String)

        /// `http(s)://…` is a URL; anything else with `://` is refused; the rest is a path.
        public static func parse(_ text: String) throws(ReelError) -> Picture {
            if text.hasPrefix("https://") || text.hasPrefix("http://") { return .url(text) }
            if text.contains("://") || text.hasPrefix("data:") {
                throw ReelError("\(text.prefix(60)): a picture is an http(s) URL or a local file", status: .usage)
            }
            return .file(text)
        }
    }

    /// What the user asked for: the request with pictures still as given, and tags for the new item.
    public struct Order: Sendable {
        public var request: CreateRequest
        public var image: Picture?
        public var endImage: Picture?
        public var tags: [TagName] = []

        public init(request: CreateRequest, image: Picture? = nil, endImage: Picture? = nil) {
            self.request = request
            self.image = image
            self.endImage = endImage
        }
    }

    let library: Library
    let session: RemoteSession

    public init(library: Library, session: RemoteSession) {
        self.library = library
        self.session = session
    }

    /// Checks every option against the dialect (before any upload), sends the pictures, makes the generation
    /// and records it (origin `created`, the remote's first answer as its payload, tags added). Returns its row.
    public func create(_ order: Order) async throws(ReelError) -> GenerationRecord {
        var request = order.request
        // Checked with stand-ins first: a bad option must not cost an upload.
        request.image = try order.image.map { picture throws(ReelError) in try standIn(picture) }
        request.endImage = try order.endImage.map { picture throws(ReelError) in try standIn(picture) }
        do {
            _ = try CreateCall(dialect: session.dialect).body(request)
        } catch {
            throw ReelError(error.description, status: .usage)
        }
        request.image = try await order.image.asyncMap(send)
        request.endImage = try await order.endImage.asyncMap(send)
        let made = try await session.create(request)
        let catalog = library.catalog
        do {
            return try catalog.transaction {
                let now = Timestamp.now()
                var fields = SyncedFields(made)
                // What it extends, when the remote's answer does not say (a proxy's item never does).
                if fields.parentUID == nil, let parent = order.request.extending { fields.parentUID = parent.lowercased() }
                if fields.parentUID != nil { fields.kind = fields.kind ?? "extend" }
                let id = try catalog.upsertFromRemote(
                    uid: made.id.lowercased(), remote: session.remote.name, remoteID: made.id, fields: fields,
                    rawJSON: made.rawJSON, at: now, origin: .created)
                try catalog.want(MediaPlan(keepWatermarked: false).wanted(for: made), generationID: id, at: now)
                if !order.tags.isEmpty { _ = try catalog.addTags(order.tags, to: [id], at: now) }
                try catalog.setRequest(generationID: id, json: try Self.recordedRequest(order, sent: request))
                guard let record = try catalog.generation(id: id) else { throw CatalogError.missing(path: library.root) }
                return record
            }
        } catch {
            throw ReelError(
                "\(session.remote.name) made generation \(made.id), but the catalog could not record it (\(ReelError(error).message)); "
                    + "reel sync will", status: .ioError)
        }
    }

    /// The request as it is kept in the catalog: pictures as the user gave them (a local file by its absolute
    /// path, never the megabytes of a data URL), or the URL a web upload gave.
    static func recordedRequest(_ order: Order, sent: CreateRequest) throws -> String {
        func given(_ picture: Picture?, _ sent: String?) -> String? {
            switch picture {
            case .url(let url)?: url
            case .file(let path)?: sent.flatMap { $0.hasPrefix("data:") ? nil : $0 } ?? URL(fileURLWithPath: path).standardizedFileURL.path
            case nil: nil
            }
        }
        var kept = sent
        kept.image = given(order.image, sent.image)
        kept.endImage = given(order.endImage, sent.endImage)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(kept), as: UTF8.self)
    }

    /// What a picture will be once sent, for checking options: a URL, or what a file becomes.
    private func standIn(_ picture: Picture) throws(ReelError) -> String {
        switch (picture, session.dialect) {
        case (.url(let url), _): return url
        case (.file(let path), .official):
            throw ReelError(
                "\(path): the official API takes picture URLs only; put the picture somewhere public (or upload it to a web remote with reel upload) and give its URL",
                status: .usage)
        case (.file(let path), _):
            _ = try ImageFile(path: path)
            return session.dialect == .proxy ? "data:image/jpeg;base64," : "https://upload.invalid/picture"
        }
    }

    /// A picture as the dialect takes it: web uploads a file first, a proxy gets it inline.
    private func send(_ picture: Picture) async throws(ReelError) -> String {
        switch picture {
        case .url(let url):
            return url
        case .file(let path):
            let image = try ImageFile(path: path)
            if session.dialect == .proxy { return image.dataURL }
            let form = MultipartForm(field: "file", fileName: image.fileName, fileType: image.mimeType, bytes: image.bytes)
            guard let url = try await session.upload(form) else {
                throw ReelError("remote \(session.remote.name) has no way to take a local picture", status: .usage)
            }
            return url
        }
    }
}

extension Optional {
    /// `map` for an async transform that throws `ReelError`.
    func asyncMap<T>(_ transform: (Wrapped) async throws(ReelError) -> T) async throws(ReelError) -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
