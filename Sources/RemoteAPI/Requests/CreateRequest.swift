/// A new generation as the user asks for it, before a dialect's words: `reel create` and `reel extend`.
/// Options left nil are the remote's defaults. Pictures are URLs by now (`http(s)`, or `data:` for proxies).
public struct CreateRequest: Sendable, Equatable, Codable {
    public var prompt: String
    /// The first frame (image-to-video).
    public var image: String?
    /// The last frame.
    public var endImage: String?
    public var aspect: String?
    public var loop: Bool?
    public var expandPrompt: Bool?
    /// `5s`, `9s`, `10s`.
    public var duration: String?
    /// `540p`, `720p`, `1080p`.
    public var resolution: String?
    public var model: String?
    /// The generation this one continues (extend).
    public var extending: String?

    public init(prompt: String) {
        self.prompt = prompt
    }

    private enum CodingKeys: String, CodingKey {
        case prompt, image, aspect, loop, duration, resolution, model, extending
        case endImage = "end_image"
        case expandPrompt = "expand_prompt"
    }
}

/// An option a dialect does not take, said before anything is sent.
public struct CreateRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// What each dialect's create call accepts, and its body.
public struct CreateCall: Sendable {
    public let dialect: Dialect

    public init(dialect: Dialect) {
        self.dialect = dialect
    }

    public static let aspects = ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21"]

    /// The values each option takes in this dialect; nil for an option the dialect does not have.
    public func accepted(_ option: Option) -> [String]? {
        switch (dialect, option) {
        case (.web, _): nil
        case (_, .aspect): Self.aspects
        case (.proxy, .duration): ["5s", "10s"]
        case (.official, .duration): ["5s", "9s"]
        case (.proxy, .resolution): ["720p", "1080p"]
        case (.official, .resolution): ["540p", "720p", "1080p"]
        case (.proxy, .model): ["ray-v1", "ray-v2", "ray-v3"]
        case (.official, .model): ["ray-1-6", "ray-2", "ray-flash-2"]
        case (.proxy, .loop), (.official, .loop), (.proxy, .expandPrompt): []
        case (.official, .expandPrompt): nil
        }
    }

    /// The options with a fixed set of values (and the flags, with none).
    public enum Option: String, Sendable, CaseIterable {
        case aspect, duration, resolution, model, loop
        case expandPrompt = "expand-prompt"
    }

    /// Checks `request` against the dialect and returns the JSON body of its create (or extend) call.
    public func body(_ request: CreateRequest) throws(CreateRequestError) -> [UInt8] {
        guard !request.prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CreateRequestError("the prompt is empty")
        }
        let given: [(Option, String?)] = [
            (.aspect, request.aspect), (.duration, request.duration), (.resolution, request.resolution), (.model, request.model),
            (.loop, request.loop.map { "\($0)" }), (.expandPrompt, request.expandPrompt.map { "\($0)" }),
        ]
        for case let (option, value?) in given {
            guard let values = accepted(option) else {
                throw CreateRequestError("\(dialect.rawValue) remotes take no --\(option.rawValue)\(dialect == .web ? " (only a prompt and --image)" : "")")
            }
            if !values.isEmpty && !values.contains(value) {
                throw CreateRequestError("--\(option.rawValue) \(value): \(dialect.rawValue) remotes take \(values.joined(separator: ", "))")
            }
        }
        for picture in [request.image, request.endImage].compactMap({ $0 }) {
            let isData = picture.hasPrefix("data:")
            guard picture.hasPrefix("https://") || picture.hasPrefix("http://") || (isData && dialect == .proxy) else {
                throw CreateRequestError(isData ? "\(dialect.rawValue) remotes take picture URLs, not inline data" : "a picture must be an http(s) URL: \(picture.prefix(60))")
            }
        }
        var fields: [(String, String)] = []
        func text(_ key: String, _ value: String?) { if let value { fields.append((key, JSONString.quoted(value))) } }
        func flag(_ key: String, _ value: Bool?) { if let value { fields.append((key, value ? "true" : "false")) } }
        switch dialect {
        case .web:
            guard request.endImage == nil else { throw CreateRequestError("web remotes take no --end-image (only a prompt and --image)") }
            guard request.extending == nil else { throw CreateRequestError("web remotes cannot extend a generation: the web API has no extend call") }
            text("prompt", request.prompt)
            text("image", request.image ?? "")
        case .proxy:
            text("user_prompt", request.prompt)
            text("aspect_ratio", request.aspect)
            flag("expand_prompt", request.expandPrompt)
            flag("loop", request.loop)
            text("image_url", request.image)
            text("image_end_url", request.endImage)
            text("duration", request.duration)
            text("resolution", request.resolution)
            text("model_name", request.model)
        case .official:
            if request.extending != nil && request.image != nil {
                throw CreateRequestError("an extension starts from its generation: it takes no --image (use --end-image)")
            }
            text("generation_type", "video")
            text("prompt", request.prompt)
            text("aspect_ratio", request.aspect)
            flag("loop", request.loop)
            text("duration", request.duration)
            text("resolution", request.resolution)
            text("model", request.model)
            var frames: [String] = []
            if let parent = request.extending {
                frames.append("\"frame0\":{\"type\":\"generation\",\"id\":\(JSONString.quoted(parent))}")
            } else if let image = request.image {
                frames.append("\"frame0\":{\"type\":\"image\",\"url\":\(JSONString.quoted(image))}")
            }
            if let end = request.endImage { frames.append("\"frame1\":{\"type\":\"image\",\"url\":\(JSONString.quoted(end))}") }
            if !frames.isEmpty { fields.append(("keyframes", "{" + frames.joined(separator: ",") + "}")) }
        }
        return Array(("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}").utf8)
    }
}

import Foundation
