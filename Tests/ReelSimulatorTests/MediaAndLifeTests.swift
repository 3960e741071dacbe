import ContentStore
import Foundation
import Media
import ReelSimulator
import Testing
import TestSupport

@Suite struct SimulatorMediaTests {
    /// Downloads a file to disk so libavformat can read it.
    func probe(_ data: Data, in folder: TemporaryDirectory, name: String) throws -> MediaInfo {
        let path = folder.file(name)
        try data.write(to: URL(fileURLWithPath: path))
        return try MediaProbe.probe(path: path)
    }

    @Test func everyFileIsRealMatchesWhatIsAdvertisedAndTheManifest() async throws {
        let folder = TemporaryDirectory()
        try await withSimulator(count: 12) { sim in
            let manifest = try #require(try await sim.get("/_sim/manifest", key: .some(nil)).object["generations"] as? [[String: Any]])
            #expect(manifest.count == 12)
            let items = try #require(try await sim.get("/api/generations?limit=12").object["data"] as? [[String: Any]])
            var checked = 0
            for (item, entry) in zip(items, manifest) where item["state"] as? String == "completed" && item["video"] is [String: Any] {
                #expect(item["id"] as? String == entry["id"] as? String)
                let video = item["video"] as! [String: Any]
                let id = item["id"] as! String
                let bytes = try await sim.get(video["url"] as! String, key: .some(nil)).body
                let info = try probe(bytes, in: folder, name: "\(id).mp4")
                let stream = try #require(info.firstVideoStream)
                #expect(stream.codecName == "h264")
                #expect(stream.width == video["width"] as? Int && stream.height == video["height"] as? Int)
                let official = try await sim.get("/dream-machine/v1/generations/\(id)")
                let seconds = Double(((official.object["request"] as? [String: Any])?["duration"] as? String ?? "").dropLast()) ?? 0
                #expect(abs((info.duration ?? 0) - seconds) < 0.2, "duration follows the request")

                let files = try #require(entry["media"] as? [[String: Any]])
                let byRole = Dictionary(files.map { ($0["role"] as! String, $0["sha256"] as! String) }, uniquingKeysWith: { a, _ in a })
                #expect(SHA256.hash(Array(bytes)).hex == byRole["video"])
                let rawURL = try #require((official.object["assets"] as? [String: Any])?["video"] as? String)
                let raw = try await sim.get(rawURL, key: .some(nil)).body
                #expect(SHA256.hash(Array(raw)).hex == byRole["video_raw"])
                #expect(raw != bytes, "the watermarked and unwatermarked files differ")
                let thumbnail = try await sim.get("\(sim.base)/cdn/v/\(id)/thumbnail.jpg", key: .some(nil)).body
                #expect(SHA256.hash(Array(thumbnail)).hex == byRole["thumbnail"])
                let thumbInfo = try probe(thumbnail, in: folder, name: "\(id).jpg")
                #expect(thumbInfo.streams.first?.codecName == "mjpeg")
                #expect(thumbInfo.streams.first?.width == stream.width)
                #expect(byRole["last_frame"] != nil && byRole["last_frame"] != byRole["thumbnail"])
                checked += 1
            }
            #expect(checked >= 5)
            let distinct = Set(manifest.flatMap { ($0["media"] as? [[String: Any]] ?? []).compactMap { $0["sha256"] as? String } })
            let all = manifest.flatMap { ($0["media"] as? [[String: Any]] ?? []) }
            #expect(distinct.count == all.count, "every file is distinct")
        }
    }

    @Test func headRangeAndValidators() async throws {
        try await withSimulator(count: 5) { sim in
            let items = try #require(try await sim.get("/api/generations?limit=5").object["data"] as? [[String: Any]])
            let urls = items.compactMap { ($0["video"] as? [String: Any])?["url"] as? String }
            let url = try #require(urls.first)
            let full = try await sim.get(url, key: .some(nil))
            let size = full.body.count
            let etag = try #require(full.header("ETag"))
            #expect(full.status == 200 && full.header("Content-Length") == "\(size)" && full.header("Accept-Ranges") == "bytes")
            #expect(full.header("Content-Type") == "video/mp4")

            let head = try await sim.request("HEAD", url, key: .some(nil))
            #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == "\(size)" && head.header("ETag") == etag)

            let part = try await sim.get(url, key: .some(nil), headers: ["Range": "bytes=100-199"])
            #expect(part.status == 206 && part.body == full.body[100..<200])
            #expect(part.header("Content-Range") == "bytes 100-199/\(size)")
            let tail = try await sim.get(url, key: .some(nil), headers: ["Range": "bytes=-50"])
            #expect(tail.status == 206 && tail.body == full.body.suffix(50))
            let open = try await sim.get(url, key: .some(nil), headers: ["Range": "bytes=\(size - 10)-"])
            #expect(open.status == 206 && open.body.count == 10)
            let beyond = try await sim.get(url, key: .some(nil), headers: ["Range": "bytes=\(size)-"])
            #expect(beyond.status == 416 && beyond.header("Content-Range") == "bytes */\(size)")
            let stale = try await sim.get(url, key: .some(nil), headers: ["Range": "bytes=0-9", "If-Range": "\"other\""])
            #expect(stale.status == 200 && stale.body.count == size, "If-Range with another validator: the whole file")
            let fresh = try await sim.get(url, key: .some(nil), headers: ["Range": "bytes=0-9", "If-Range": etag])
            #expect(fresh.status == 206 && fresh.body.count == 10)
            let cached = try await sim.get(url, key: .some(nil), headers: ["If-None-Match": etag])
            #expect(cached.status == 304)
            #expect(try await sim.get("\(sim.base)/cdn/v/nope/thumbnail.jpg", key: .some(nil)).status == 404)
        }
    }

    @Test func presignedLinksExpireAndRefuseTampering() async throws {
        let clock = ManualClock()
        try await withSimulator(count: 10, clock: clock, configure: { $0.linkTTL = 2 }) { sim in
            let gens = try #require(try await sim.get("/dream-machine/v1/generations?limit=10").object["generations"] as? [[String: Any]])
            let links = gens.compactMap { ($0["assets"] as? [String: Any])?["video"] as? String }
            let link = try #require(links.first)
            #expect(link.contains("X-Amz-Expires=2") && link.contains("X-Amz-Signature="))
            #expect(try await sim.get(link, key: .some(nil)).status == 200)
            let tampered = link.replacingOccurrences(of: "X-Amz-Expires=2", with: "X-Amz-Expires=99999")
            let refused = try await sim.get(tampered, key: .some(nil))
            #expect(refused.status == 403 && String(decoding: refused.body, as: UTF8.self).contains("<Code>AccessDenied</Code>"))
            clock.advance(by: 3)
            let expired = try await sim.get(link, key: .some(nil))
            #expect(expired.status == 403)
            #expect(String(decoding: expired.body, as: UTF8.self).contains("Request has expired"))
            // A fresh fetch of the item gives a fresh link that works again.
            let again = try await sim.get("/dream-machine/v1/generations/\(gens[0]["id"] as! String)")
            if let fresh = (again.object["assets"] as? [String: Any])?["video"] as? String {
                #expect(try await sim.get(fresh, key: .some(nil)).status == 200)
            }
            let stats = try await sim.get("/_sim/stats", key: .some(nil)).object
            #expect(stats["media_requests_with_authorization"] as? Int == 0)
        }
    }
}

@Suite struct LifeTests {
    @Test func createdItemsMoveThroughTheStatesAndLinksArriveAfterAFewPolls() async throws {
        let clock = ManualClock()
        try await withSimulator(clock: clock, configure: { $0.stepSeconds = 10 }) { sim in
            let created = try await sim.post("/api/generations/create", json: ["prompt": "a paper boat"])
            let id = try #require((created.object["data"] as? [[String: Any]])?.first?["id"] as? String)
            func poll() async throws -> (state: String?, video: Bool, wait: Int?) {
                let item = try #require(try await sim.get("/api/generations/\(id)").object["data"] as? [String: Any])
                return (item["state"] as? String, item["video"] is [String: Any], item["estimate_wait_seconds"] as? Int)
            }
            let queued = try await poll()
            #expect(queued.state == "pending" && !queued.video && queued.wait == 20)
            clock.advance(by: 10)
            let running = try await poll()
            #expect(running.state == "processing" && running.wait == 10)
            clock.advance(by: 10)
            // Completed, but the first two showings have no files yet, as the real service does.
            let showings = [try await poll(), try await poll(), try await poll()]
            #expect(showings.map(\.state) == ["completed", "completed", "completed"])
            #expect(showings.map(\.video) == [false, false, true])
            #expect(showings[2].wait == nil)
            // The batch endpoint reports the same life in its own words.
            let task = try await sim.post("/luma/tasks", json: ["ids": [id]])
            let data = try #require((task.object["data"] as? [[String: Any]])?.first)
            #expect(data["status"] as? String == "SUCCESS" && (data["finish_time"] as? Int ?? 0) > 0)
        }
    }

    @Test func promptsThatAskToFailFailWithAReason() async throws {
        let clock = ManualClock()
        try await withSimulator(clock: clock, configure: { $0.stepSeconds = 2 }) { sim in
            let created = try await sim.post("/dream-machine/v1/generations", json: ["prompt": "please fail"])
            let id = try #require(created.object["id"] as? String)
            clock.advance(by: 4)
            let gen = try await sim.get("/dream-machine/v1/generations/\(id)").object
            #expect(gen["state"] as? String == "failed" && gen["failure_reason"] is String)
        }
    }

    @Test func arrivalsAndDeletionsShiftTheList() async throws {
        let clock = ManualClock()
        try await withSimulator(count: 40, clock: clock, configure: { $0.newEvery = 0.1; $0.deleteEvery = 0.15 }) { sim in
            let beforeItems = try #require(try await sim.get("/api/generations?limit=100").object["data"] as? [[String: Any]])
            let before = beforeItems.compactMap { $0["id"] as? String }
            clock.advance(by: 0.8)  // 8 arrivals, 5 deletions on the simulator's clock
            let afterItems = try #require(try await sim.get("/api/generations?limit=100").object["data"] as? [[String: Any]])
            let after = afterItems.compactMap { $0["id"] as? String }
            #expect(!Set(after).subtracting(before).isEmpty, "new items arrived")
            #expect(!Set(before).subtracting(after).isEmpty, "items vanished")
            #expect(!before.contains(after[0]), "arrivals come first")
            #expect(after.count == before.count + 8 - 5, "exactly what the clock made due: \(after.count)")
        }
    }
}

@Suite struct DeterminismTests {
    func firstPage(seed: UInt64) async throws -> [[String: Any]] {
        var page: [[String: Any]] = []
        try await withSimulator(count: 20, seed: seed) { sim in
            page = try #require(try await sim.get("/dream-machine/v1/generations?limit=20").object["generations"] as? [[String: Any]])
        }
        return page
    }

    @Test func theSameSeedGivesTheSameDataAndBytes() async throws {
        // Dates follow the clock (the past 18 months); everything else follows the seed.
        var manifests: [[String]] = []
        for _ in 0..<2 {
            try await withSimulator(count: 6, seed: 42) { sim in
                let entries = try await sim.get("/_sim/manifest", key: .some(nil)).object["generations"] as? [[String: Any]] ?? []
                manifests.append(entries.map { entry in
                    let media = (entry["media"] as? [[String: Any]] ?? []).map { "\($0["role"]!) \($0["sha256"]!) \($0["size"]!)" }
                    return "\(entry["id"]!) \(entry["state"]!) \(entry["prompt"]!) \(media)"
                })
            }
        }
        #expect(manifests[0].count == 6)
        #expect(manifests[0] == manifests[1])
        let a = try await firstPage(seed: 3).map { $0["id"] as? String }
        let b = try await firstPage(seed: 3).map { $0["id"] as? String }
        let c = try await firstPage(seed: 4).map { $0["id"] as? String }
        #expect(a == b && a != c)
    }

    @Test func dataIsMixedAndSpansEighteenMonths() async throws {
        try await withSimulator(count: 300, seed: 11) { sim in
            let gens = try #require(try await sim.get("/dream-machine/v1/generations?limit=100&offset=0").object["generations"] as? [[String: Any]])
                + (try await sim.get("/dream-machine/v1/generations?limit=100&offset=100").object["generations"] as? [[String: Any]] ?? [])
                + (try await sim.get("/dream-machine/v1/generations?limit=100&offset=200").object["generations"] as? [[String: Any]] ?? [])
            #expect(gens.count == 300)
            let prompts = gens.compactMap { ($0["request"] as? [String: Any])?["prompt"] as? String }
            #expect(prompts.contains { $0.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }, "Chinese prompts")
            #expect(prompts.contains { $0.allSatisfy(\.isASCII) }, "English prompts")
            let requests = gens.compactMap { $0["request"] as? [String: Any] }
            #expect(Set(requests.compactMap { $0["aspect_ratio"] as? String }).count >= 5)
            #expect(Set(requests.compactMap { $0["duration"] as? String }) == ["5s", "10s"])
            #expect(requests.contains { $0["loop"] as? Bool == true })
            let keyframes = requests.compactMap { $0["keyframes"] as? [String: Any] }
            #expect(keyframes.contains { ($0["frame0"] as? [String: Any])?["type"] as? String == "generation" }, "extends")
            #expect(keyframes.contains { ($0["frame0"] as? [String: Any])?["type"] as? String == "image" }, "image-to-video")
            let ids = Set(gens.compactMap { $0["id"] as? String })
            let parents = keyframes.compactMap { ($0["frame0"] as? [String: Any])?["id"] as? String }
            #expect(parents.allSatisfy(ids.contains), "every extend's parent exists")
            let dates = gens.compactMap { $0["created_at"] as? String }.compactMap { ISO8601DateFormatter.lenient.date(from: $0) }
            let span = (dates.max() ?? Date()).timeIntervalSince(dates.min() ?? Date())
            #expect(span > 16 * 30 * 86_400 && span < 19 * 30 * 86_400)
            let states = Set(gens.compactMap { $0["state"] as? String })
            #expect(states.isSuperset(of: ["completed", "failed"]))
        }
    }
}

extension ISO8601DateFormatter {
    /// Parses 0 or 3 fractional digits.
    static var lenient: ISO8601DateFormatterWrapper { ISO8601DateFormatterWrapper() }
}

struct ISO8601DateFormatterWrapper {
    func date(from text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text) ?? plain.date(from: text)
    }
}
