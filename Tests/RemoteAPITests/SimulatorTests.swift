import Foundation
import ReelSimulator
import RemoteAPI
import Testing

/// Every dialect as the simulator serves it, quirks included, checked against its manifest.
@Suite struct SimulatorTests {
    @Test(arguments: Dialect.allCases)
    func listsAndDetailsMatchTheManifest(dialect: Dialect) async throws {
        try await LiveSimulator.with { sim in
            let manifest = try await sim.manifest(dialect)
            #expect(manifest.count >= 60)
            let items = try await sim.list(dialect)
            #expect(items.count == manifest.count)
            #expect(Set(items.map(\.id)) == Set(manifest.keys))
            #expect(items.map(\.dialect).allSatisfy { $0 == dialect })

            for item in items {
                let entry = try #require(manifest[item.id])
                #expect(item.prompt == entry.prompt, "\(item.id)")
                #expect(item.state.rawValue == entry.state, "\(item.id): \(item.rawState)")
                #expect(item.state != .unknown && !item.rawState.isEmpty)
                // Proxy and official times may carry no fraction: within the second, never later.
                let created = try #require(item.createdAt)
                let expected = try #require(entry.createdAt)
                #expect(created <= expected.addingTimeInterval(0.001) && expected.timeIntervalSince(created) < 1, "\(item.id)")
                // Every file the item names is one the dialect exposes for it.
                #expect(Set(item.media.map(\.role.rawValue)).isSubset(of: entry.roles), "\(item.id): \(item.media)")
                if entry.state == "completed" {
                    let video = try #require(item.bestVideo, "\(item.id) is completed but has no video")
                    #expect(video.url.hasPrefix(sim.base + "/cdn/"))
                    #expect(item.media(dialect == .official ? .videoRaw : .video) != nil)
                    // Some legacy web items have no thumbnail at all: the client makes a poster frame.
                    #expect((item.media(.thumbnail) != nil) == entry.roles.contains("thumbnail"), "\(item.id)")
                } else {
                    #expect(item.bestVideo == nil)
                }
                if entry.state == "failed", dialect == .official { #expect(item.failureReason?.isEmpty == false) }
                #expect(item.media.filter { $0.role == .sourceImage }.count == entry.sourceImages, "\(item.id)")
                #expect(item.rawJSON.hasPrefix("{") && item.rawJSON.hasSuffix("}"))
            }

            // Details: the same item, byte for byte (the clock stands still, so links agree).
            let paths = DialectPaths(dialect: dialect)
            let decoder = DialectDecoder(dialect: dialect)
            for item in items {
                let reply = try await sim.get(try paths.detailPath(id: item.id))
                #expect(reply.status == 200)
                #expect(try decoder.item(reply.body) == item)
            }
        }
    }

    @Test func everyStateAndQuirkAppearsAndDecodes() async throws {
        try await LiveSimulator.with { sim in
            let web = try await sim.list(.web)
            let proxy = try await sim.list(.proxy)
            let official = try await sim.list(.official)
            for items in [web, proxy, official] {
                #expect(Set(items.map(\.state)).isSuperset(of: [.completed, .failed, .running]))
            }

            // web: legacy items (video.thumbnail only, or no thumbnail at all: see below) and later ones
            // (top-level media, some with video_raw).
            let webDone = web.filter { $0.state == .completed }
            let legacy = webDone.filter { !$0.rawJSON.contains("\"last_frame\"") }
            #expect(!legacy.isEmpty && legacy.allSatisfy { $0.media(.videoRaw) == nil && $0.media(.lastFrame) == nil })
            #expect(webDone.contains { $0.media(.lastFrame)?.width != nil && $0.media(.videoRaw) != nil })
            #expect(webDone.contains { $0.media(.lastFrame) != nil && $0.media(.videoRaw) == nil })
            #expect(web.contains { $0.liked == true } && web.contains { $0.liked == false } && web.contains { $0.liked == nil })
            #expect(web.filter { $0.state == .running }.allSatisfy { $0.estimateWaitSeconds != nil })

            // proxy: stringly items ("" for null, numbers as strings) and plain ones, both complete.
            let proxyDone = proxy.filter { $0.state == .completed }
            let stringly = proxyDone.filter { $0.rawJSON.contains("\"width\":\"") }
            let plain = proxyDone.filter { $0.rawJSON.contains("\"width\":") && !$0.rawJSON.contains("\"width\":\"") }
            #expect(!stringly.isEmpty && !plain.isEmpty)
            for item in stringly + plain {
                let video = try #require(item.media(.video))
                #expect(video.width != nil && video.height != nil)
                #expect(item.media(.thumbnail)?.width != nil, "the top-level thumbnail object wins over video.thumbnail")
            }
            #expect(proxy.contains { $0.rawJSON.contains("\"liked\":\"\"") && $0.liked == nil })
            // Not yet completed: empty video objects are no video at all.
            #expect(proxy.filter { $0.state != .completed }.allSatisfy { $0.media.allSatisfy { $0.role == .sourceImage } })

            // official: `version` on older objects, settings from `request`, extensions from keyframes.
            #expect(official.contains { $0.rawJSON.contains("\"version\":") && $0.model != nil })
            #expect(official.allSatisfy { $0.model != nil && $0.aspect != nil && $0.resolution != nil && $0.loop != nil })
            #expect(official.allSatisfy { [5.0, 10.0].contains($0.durationSeconds) })
            let ids = Set(official.map(\.id))
            let extensions = official.filter { $0.kind == "extend" }
            #expect(!extensions.isEmpty && extensions.allSatisfy { $0.parentID.map(ids.contains) == true })
            #expect(official.contains { $0.kind == "image" && $0.media(.sourceImage) != nil })
            #expect(official.contains { $0.kind == "text" })
            #expect(official.filter { $0.state == .completed }.allSatisfy { $0.media(.video) == nil && $0.media(.videoRaw) != nil })
        }
    }

    /// Kept apart from the test above: Swift 6.3 can give a closure in a `#expect` expansion the same
    /// symbol as another closure of that function (a silent miscompile), and adding closures there did.
    @Test func someLegacyWebItemsHaveNoThumbnailAtAll() async throws {
        try await LiveSimulator.with { sim in
            let legacy = try await sim.list(.web).filter { $0.state == .completed && !$0.rawJSON.contains("\"last_frame\"") }
            let withThumbnail = legacy.filter { $0.media(.thumbnail) != nil }.count
            #expect(withThumbnail > 0 && withThumbnail < legacy.count, "\(withThumbnail) of \(legacy.count)")
        }
    }

    @Test func proxyUnwatermarkedLinksAndBatchTasks() async throws {
        try await LiveSimulator.with { sim in
            let manifest = try await sim.manifest()
            let proxy = try await sim.list(.proxy)
            let paths = DialectPaths(dialect: .proxy)
            let decoder = DialectDecoder(dialect: .proxy)

            // Completed with an empty download_url: ask for the link.
            let linkless = proxy.filter(\.needsUnwatermarkedLinkCall)
            #expect(!linkless.isEmpty)
            for item in linkless {
                let reply = try await sim.get(try #require(try paths.downloadLinkPath(id: item.id)))
                #expect(reply.status == 200)
                let link = try decoder.unwatermarkedLink(reply.body)
                #expect(link.hasPrefix(sim.base + "/cdn/raw/\(item.id)/") && link.contains("X-Amz-Expires="))
            }
            // A storage host's refusal is XML: its <Message> is the message.
            let link = try decoder.unwatermarkedLink(try await sim.get(try #require(try paths.downloadLinkPath(id: linkless[0].id))).body)
            let refused = try await sim.get(link.replacingOccurrences(of: "X-Amz-Signature=", with: "X-Amz-Signature=0"), authorized: false)
            #expect(refused.status == 403)
            #expect(RemoteErrorMessage.extract(from: refused.body) == "The request signature we calculated does not match the signature you provided")
            let error = decodeError { () throws(RemoteDecodeError) in try decoder.item(refused.body) }
            #expect(error?.kind == .htmlPage)
            #expect(error?.description == "the remote answered with an XML document, not JSON (\"The request signature we calculated does not match the signature you provided\")")
            #expect(proxy.filter { $0.state == .completed && !$0.needsUnwatermarkedLinkCall }.allSatisfy { $0.media(.videoRaw) != nil })

            // Not completed: 400 with a message.
            if let running = proxy.first(where: { $0.state == .running }) {
                let reply = try await sim.get(try #require(try paths.downloadLinkPath(id: running.id)))
                #expect(reply.status == 400)
                #expect(RemoteErrorMessage.extract(from: reply.body) == "Generation is not completed yet")
            }

            // The batch call: one Task per id, states as the manifest says, the items inside as the list has them.
            let ids = proxy.map(\.id)
            let reply = try await sim.call("POST", try #require(paths.batchPath), body: paths.batchBody(ids: ids))
            #expect(reply.status == 200)
            let tasks = try decoder.tasks(reply.body)
            #expect(tasks.count == ids.count)
            let byID = Dictionary(uniqueKeysWithValues: proxy.map { ($0.id, $0) })
            for result in tasks {
                let task = try result.get()
                #expect(task.state.rawValue == manifest[task.id]?.state)
                let listed = try #require(byID[task.id])
                #expect(task.rawState == listed.rawState, "status and item agree: the item's word, as the list gives it")
                #expect(task.prompt == listed.prompt && task.media == listed.media && task.createdAt == listed.createdAt)
                #expect(task.rawJSON == listed.rawJSON)
                if task.state == .failed { #expect(task.failureReason?.isEmpty == false) }
            }
        }
    }

    @Test func createOnEveryDialect() async throws {
        try await LiveSimulator.with(count: 10) { sim in
            let bodies: [(Dialect, String)] = [
                (.web, #"{"prompt":"A kitten in motion","image":""}"#),
                (.proxy, #"{"user_prompt":"A kitten in motion","aspect_ratio":"9:16","loop":true,"duration":"10s","resolution":"1080p","model_name":"ray-v3"}"#),
                (.official, #"{"prompt":"A kitten in motion","aspect_ratio":"21:9","loop":false,"model":"ray-flash-2","duration":"9s","resolution":"1080p"}"#),
            ]
            for (dialect, body) in bodies {
                let paths = DialectPaths(dialect: dialect)
                let reply = try await sim.call("POST", paths.createPath, body: Data(body.utf8))
                #expect([200, 201].contains(reply.status), "\(dialect): \(String(decoding: reply.body, as: UTF8.self))")
                let created = try DialectDecoder(dialect: dialect).created(reply.body)
                #expect(created.prompt == "A kitten in motion" && created.state == .queued)
                #expect(created.createdAt == LiveSimulator.epoch.addingTimeInterval(3))
                #expect(created.bestVideo == nil)
                if dialect == .official {
                    #expect(created.aspect == "21:9" && created.loop == false && created.model == "ray-flash-2")
                    #expect(created.durationSeconds == 10 && created.resolution == "1080p" && created.kind == "text")
                }
                if dialect == .proxy { #expect(created.estimateWaitSeconds == 4) }
            }
            // An official extension names its parent through a frame0 generation keyframe.
            let parent = try #require(try await sim.list(.official).first { $0.state == .completed })
            let extend = #"{"prompt":"go on","keyframes":{"frame0":{"type":"generation","id":"\#(parent.id)"}}}"#
            let reply = try await sim.call("POST", DialectPaths(dialect: .official).createPath, body: Data(extend.utf8))
            let created = try DialectDecoder(dialect: .official).created(reply.body)
            #expect(created.kind == "extend" && created.parentID == parent.id)
        }
    }

    @Test func errorBodiesOfEveryDialect() async throws {
        try await LiveSimulator.with(count: 5) { sim in
            let expected: [Dialect: String] = [
                .web: "Unauthorized: invalid or missing token", .proxy: "Invalid API key", .official: "Invalid API key is provided",
            ]
            for dialect in Dialect.allCases {
                let paths = DialectPaths(dialect: dialect)
                let missing = try await sim.get(try paths.detailPath(id: "00000000-0000-4000-8000-000000000000"))
                #expect(missing.status == 404)
                #expect(RemoteErrorMessage.extract(from: missing.body) == "Generation not found")
                #expect(throws: RemoteDecodeError.self) { try DialectDecoder(dialect: dialect).item(missing.body) }

                let refused = try await sim.get(paths.listPath(offset: 0, limit: 5), authorized: false)
                #expect(refused.status == 401)
                #expect(RemoteErrorMessage.extract(from: refused.body) == expected[dialect])
                // An error body where a page was expected is an error that quotes it, not an empty page.
                let error = decodeError { () throws(RemoteDecodeError) in try DialectDecoder(dialect: dialect).page(refused.body) }
                #expect(error?.kind == .remoteError)
                #expect(error?.description == "the remote answered with an error instead of a list of generations: \(expected[dialect]!)")
            }
        }
    }

    @Test func gatewayHTMLPagesAreTheirOwnError() async throws {
        try await LiveSimulator.with(count: 5, faults: "html=1") { sim in
            for dialect in Dialect.allCases {
                let reply = try await sim.get(DialectPaths(dialect: dialect).listPath(offset: 0, limit: 5))
                #expect(reply.status == 200)
                let error = decodeError { () throws(RemoteDecodeError) in try DialectDecoder(dialect: dialect).page(reply.body) }
                #expect(error?.kind == .htmlPage)
                #expect(error?.description == "the remote answered with an HTML page, not JSON (\"502 Bad Gateway\")")
                #expect(RemoteErrorMessage.extract(from: reply.body) == "502 Bad Gateway")
            }
        }
    }
}
