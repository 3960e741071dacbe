import Foundation
@testable import ReelSimulator
import Testing
import TestSupport

@Suite struct WebDialectTests {
    @Test func listPagesNewestFirstToAnEmptyPage() async throws {
        try await withSimulator(count: 25) { sim in
            var ids: [String] = []
            var dates: [String] = []
            var offset = 0
            while true {
                let page = try await sim.get("/api/generations?offset=\(offset)&limit=10")
                #expect(page.status == 200)
                let items = try #require(page.object["data"] as? [[String: Any]])
                if items.isEmpty { break }
                ids += items.compactMap { $0["id"] as? String }
                dates += items.compactMap { $0["created_at"] as? String }
                offset += items.count
            }
            #expect(ids.count == 25 && Set(ids).count == 25)
            #expect(dates == dates.sorted(by: >), "newest first")
            #expect(dates.allSatisfy { hasFractionDigits($0, 6) }, "web sends 6 fractional digits")
            #expect(ids.allSatisfy { UUID(uuidString: $0) != nil })
        }
    }

    @Test func itemsHaveTheDocumentedShapeAndQuirks() async throws {
        try await withSimulator(count: 60) { sim in
            let items = try #require(try await sim.get("/api/generations?limit=60").object["data"] as? [[String: Any]])
            let states = Set(items.compactMap { $0["state"] as? String })
            #expect(states.isSubset(of: ["pending", "processing", "completed", "failed"]))
            #expect(states.contains("completed") && states.contains("failed"))
            let completed = items.filter { $0["state"] as? String == "completed" }
            for item in completed {
                let video = try #require(item["video"] as? [String: Any])
                #expect(video["url"] is String && video["width"] is Int && video["height"] is Int)
                #expect(video.keys.contains("thumbnail"))
            }
            // Older items: only video.thumbnail (a string); later ones: top-level objects too.
            #expect(completed.contains { ($0["video"] as? [String: Any])?["thumbnail"] is String && $0["thumbnail"] == nil })
            #expect(completed.contains { $0["thumbnail"] is [String: Any] && $0["last_frame"] is [String: Any] })
            #expect(completed.contains { $0["video_raw"] is [String: Any] } && completed.contains { $0["video_raw"] is NSNull })
            for item in items where item["state"] as? String != "completed" {
                #expect(item["video"] is NSNull)
            }
            #expect(items.allSatisfy { $0.keys.contains("liked") && $0.keys.contains("estimate_wait_seconds") })
        }
    }

    @Test func detailUsageCreateAndUpload() async throws {
        try await withSimulator { sim in
            let first = try #require((try await sim.get("/api/generations?limit=1").object["data"] as? [[String: Any]])?.first)
            let id = try #require(first["id"] as? String)
            let detail = try await sim.get("/api/generations/\(id)")
            #expect((detail.object["data"] as? [String: Any])?["id"] as? String == id)
            #expect(try await sim.get("/api/generations/00000000-0000-4000-8000-000000000000").status == 404)

            let usage = try #require(try await sim.get("/api/generations/usage").object["data"] as? [String: Any])
            let consumed = try #require(usage["consumed"] as? Int)
            #expect(usage["capacity"] is Int && usage["available"] is Int && usage["subscription"] is [String: Any])
            let plans = try #require(usage["plans"] as? [[String: Any]])
            #expect(plans.contains { $0["yearly_cost_in_cents"] as? Double == 28790.4 })

            // Upload an image, create from it: the array envelope, and the bytes come back from the public URL.
            let image = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            var form = Data("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
            form += image + Data("\r\n--XyZ--\r\n".utf8)
            let uploaded = try await sim.request("POST", "/api/generations/upload", body: form,
                                                 headers: ["Content-Type": "multipart/form-data; boundary=XyZ"])
            #expect(uploaded.status == 200)
            let upload = try #require(uploaded.object["data"] as? [String: Any])
            let publicURL = try #require(upload["public_url"] as? String)
            #expect((upload["presigned_url"] as? String)?.contains("X-Amz-Expires=86400") == true)
            #expect(try await sim.get(publicURL, key: .some(nil)).body == image)

            let created = try await sim.post("/api/generations/create", json: ["prompt": "A kitten in motion", "image": publicURL])
            #expect(created.status == 200)
            #expect(created.object["message"] as? String == "Success")
            let array = try #require(created.object["data"] as? [[String: Any]])
            #expect(array.count == 1 && array[0]["state"] as? String == "pending")
            #expect(array[0]["image_url"] as? String == publicURL)
            let after = try #require(try await sim.get("/api/generations/usage").object["data"] as? [String: Any])
            #expect(after["consumed"] as? Int == consumed + 1)

            let bad = try await sim.post("/api/generations/create", json: ["image": ""])
            #expect(bad.status == 400 && bad.object["message"] as? String == "prompt is required")
        }
    }
}

@Suite struct ProxyDialectTests {
    @Test func bareArraysObjectsAndStringlyQuirks() async throws {
        try await withSimulator(count: 60) { sim in
            let list = try await sim.get("/luma/generations?offset=0&limit=60")
            #expect(list.status == 200)
            let items = list.array
            #expect(items.count == 60)
            #expect(items.allSatisfy { hasFractionDigits($0["created_at"] as? String ?? "", 3) || hasFractionDigits($0["created_at"] as? String ?? "", 0) })
            // Some hosts: "" for null and numbers as strings.
            #expect(items.contains { $0["liked"] as? String == "" })
            #expect(items.contains { (($0["video"] as? [String: Any])?["width"] as? String).flatMap(Int.init) != nil })
            #expect(items.contains { (($0["video"] as? [String: Any])?["width"]) is Int })
            // Completed with an empty download_url sometimes; video.thumbnail a string while thumbnail is an object.
            let completed = items.filter { $0["state"] as? String == "completed" }
            #expect(completed.contains { ($0["video"] as? [String: Any])?["download_url"] as? String == "" })
            #expect(completed.allSatisfy { ($0["video"] as? [String: Any])?["thumbnail"] is String })
            #expect(completed.allSatisfy { $0["thumbnail"] is [String: Any] })
            // Not completed: an empty video object, not null.
            for item in items where item["state"] as? String != "completed" {
                #expect((item["video"] as? [String: Any])?["url"] as? String == "")
            }
            let id = try #require(items.first?["id"] as? String)
            let detail = try await sim.get("/luma/generations/\(id)")
            #expect(detail.object["id"] as? String == id, "detail is the bare item")
        }
    }

    @Test func createExtendDownloadLinkAndTasks() async throws {
        let clock = ManualClock()
        try await withSimulator(clock: clock, configure: { $0.stepSeconds = 1 }) { sim in
            let created = try await sim.post("/luma/generations", json: [
                "user_prompt": "neon city", "aspect_ratio": "9:16", "loop": true, "duration": "5s", "resolution": "720p",
                "model_name": "ray-v2", "expand_prompt": false,
            ])
            #expect(created.status == 201)
            let id = try #require(created.object["id"] as? String)
            let early = try await sim.get("/luma/generations/\(id)/download_video_url")
            #expect(early.status == 400, "no unwatermarked link before completion")
            clock.advance(by: 2)
            let link = try await sim.get("/luma/generations/\(id)/download_video_url")
            #expect(link.status == 200)
            #expect((link.object["url"] as? String)?.contains("X-Amz-Expires=3600") == true)

            let extended = try await sim.post("/luma/generations/\(id)/extend", json: ["user_prompt": "and then it rains"])
            #expect(extended.status == 201)
            let childID = try #require(extended.object["id"] as? String)
            let tasks = try await sim.post("/luma/tasks", json: ["ids": [id, childID]])
            #expect(tasks.object["code"] as? String == "success")
            let data = try #require(tasks.object["data"] as? [[String: Any]])
            #expect(data.map { $0["task_id"] as? String } == [id, childID])
            #expect(data[0]["status"] as? String == "SUCCESS" && data[0]["progress"] as? String == "100%")
            #expect(["SUBMITTED", "QUEUED"].contains(data[1]["status"] as? String ?? ""))
            #expect(data[1]["action"] as? String == "LUMA_EXTEND" && data[1]["finish_time"] as? Int == 0)
            #expect(data[1]["submit_time"] is Int && data[1]["data"] is [String: Any])

            for bad: [String: Any] in [["aspect_ratio": "16:9"], ["user_prompt": "x", "aspect_ratio": "5:4"],
                                       ["user_prompt": "x", "duration": "7s"], ["user_prompt": "x", "model_name": "ray-9"]] {
                let reply = try await sim.post("/luma/generations", json: bad)
                #expect(reply.status == 400, "\(bad)")
                #expect((reply.object["message"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test func hostsWithoutAListAnswer404() async throws {
        try await withSimulator(configure: { $0.proxyList = false }) { sim in
            let reply = try await sim.get("/luma/generations?offset=0&limit=10")
            #expect(reply.status == 404)
        }
    }
}

@Suite struct OfficialDialectTests {
    @Test func listEnvelopeDetailCreateDeleteCredits() async throws {
        try await withSimulator(count: 30) { sim in
            let first = try await sim.get("/dream-machine/v1/generations?limit=20&offset=0")
            #expect(first.object["count"] as? Int == 20 && first.object["has_more"] as? Bool == true)
            #expect(first.object["limit"] as? Int == 20 && first.object["offset"] as? Int == 0)
            let second = try await sim.get("/dream-machine/v1/generations?limit=20&offset=20")
            #expect(second.object["count"] as? Int == 10 && second.object["has_more"] as? Bool == false)
            let gens = (first.object["generations"] as? [[String: Any]] ?? []) + (second.object["generations"] as? [[String: Any]] ?? [])
            #expect(gens.count == 30)
            #expect(gens.allSatisfy { ($0["request"] as? [String: Any])?["prompt"] is String && $0["generation_type"] as? String == "video" })
            #expect(gens.contains { $0["version"] is String } && gens.contains { $0["model"] is String }, "older objects say version")
            #expect(Set(gens.compactMap { $0["state"] as? String }).isSubset(of: ["queued", "dreaming", "completed", "failed"]))
            #expect(gens.filter { $0["state"] as? String == "failed" }.allSatisfy { $0["failure_reason"] is String })
            let completed = try #require(gens.first { $0["state"] as? String == "completed" })
            let assets = try #require(completed["assets"] as? [String: Any])
            #expect(assets["video"] is String && assets["image"] is String)

            let credits = try #require(try await sim.get("/dream-machine/v1/credits").object["credit_balance"] as? Double)
            let created = try await sim.post("/dream-machine/v1/generations/video", json: [
                "prompt": "a fox in snow", "aspect_ratio": "16:9", "model": "ray-2", "resolution": "720p", "duration": "5s",
                "keyframes": ["frame0": ["type": "generation", "id": completed["id"] as! String]],
            ])
            #expect(created.status == 201)
            #expect(created.object["state"] as? String == "queued")
            let request = try #require(created.object["request"] as? [String: Any])
            #expect(((request["keyframes"] as? [String: Any])?["frame0"] as? [String: Any])?["type"] as? String == "generation")
            #expect(try #require(try await sim.get("/dream-machine/v1/credits").object["credit_balance"] as? Double) < credits)

            let id = try #require(created.object["id"] as? String)
            #expect(try await sim.request("DELETE", "/dream-machine/v1/generations/\(id)").status == 204)
            let gone = try await sim.get("/dream-machine/v1/generations/\(id)")
            #expect(gone.status == 404 && gone.object["detail"] as? String == "Generation not found")
            #expect(try await sim.post("/dream-machine/v1/generations", json: ["aspect_ratio": "16:9"]).status == 400)
        }
    }

    @Test func createsPastTheRateLimitGet429WithRetryAfter() async throws {
        let clock = ManualClock()
        try await withSimulator(clock: clock, configure: { $0.stepSeconds = 60 }) { sim in
            var statuses: [Int] = []
            var retryAfter: String?
            for _ in 0..<12 {
                let reply = try await sim.post("/dream-machine/v1/generations", json: ["prompt": "p"])
                statuses.append(reply.status)
                if reply.status == 429 { retryAfter = reply.header("Retry-After") }
            }
            #expect(statuses.prefix(10).allSatisfy { $0 == 201 })
            #expect(statuses.suffix(2) == [429, 429], "at most 10 running")
            #expect(retryAfter.flatMap(Int.init) != nil)
        }
    }
}

@Suite struct AuthTests {
    @Test(arguments: [
        ("/api/generations", #"{"message":"Unauthorized: invalid or missing token"}"#),
        ("/luma/generations/x", #"{"error":{"message":"Invalid API key","type":"invalid_request_error"}}"#),
        ("/dream-machine/v1/credits", #"{"detail":"Invalid API key is provided"}"#),
    ])
    func eachDialectsOwn401(path: String, body: String) async throws {
        try await withSimulator(count: 3) { sim in
            for key: String? in [nil, "wrong"] {
                let reply = try await sim.get(path, key: .some(key))
                #expect(reply.status == 401)
                #expect(String(decoding: reply.body, as: UTF8.self) == body)
            }
        }
    }
}

@Suite struct TimeFormatTests {
    @Test func integerCalendarAgreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var rng = SystemRandomNumberGenerator()
        let fixed: [TimeInterval] = [0, -1, 951_782_400 /* 2000-02-29 */, 4_107_542_399 /* 2100-02-28T23:59:59 */, -2_208_988_800]
        for seconds in fixed + (0..<2000).map({ _ in Double(Int64.random(in: -3_000_000_000...6_000_000_000, using: &rng)) + 0.25 }) {
            let date = Date(timeIntervalSince1970: seconds)
            let ours = TimeFormat.iso(date, digits: 3)
            #expect(ours == formatter.string(from: date), "\(seconds)")
            #expect(hasFractionDigits(TimeFormat.iso(date, digits: 6), 6) && hasFractionDigits(TimeFormat.iso(date, digits: 0), 0))
        }
    }
}
