import Foundation
import RemoteAPI
import Testing

/// Hand-written payloads for what the simulator does not send: each as a real remote writes it.
@Suite struct FixtureTests {
    let web = DialectDecoder(dialect: .web)
    let proxy = DialectDecoder(dialect: .proxy)
    let official = DialectDecoder(dialect: .official)

    @Test func webItemFromTheDocument() throws {
        let body = #"""
        {"data":{"id":"eaf962b3-f279-4247-9d7d-c27c741e07cb","prompt":"magic girl","state":"completed",
         "created_at":"2024-06-20T06:02:26.278000Z",
         "video":{"url":"https://cdn.example/v/watermarked_video02b0.mp4","width":512,"height":512,"thumbnail":null},
         "liked":null,"estimate_wait_seconds":null}}
        """#
        let item = try web.item(Data(body.utf8))
        #expect(item.id == "eaf962b3-f279-4247-9d7d-c27c741e07cb" && item.prompt == "magic girl")
        #expect(item.state == .completed && item.rawState == "completed")
        #expect(seconds(item.createdAt) == 1_718_863_346.278)
        #expect(item.media == [RemoteMedia(role: .video, url: "https://cdn.example/v/watermarked_video02b0.mp4", width: 512, height: 512)])
        #expect(item.liked == nil && item.estimateWaitSeconds == nil && item.kind == nil)
        #expect(!item.needsUnwatermarkedLinkCall, "the web has no link call")
        // The raw JSON is the item's own bytes, not the envelope, not re-serialised.
        #expect(item.rawJSON.hasPrefix(#"{"id":"eaf962b3"#) && item.rawJSON.contains("\n \"video\":{\"url\""))
    }

    @Test func webCreateAndPagesAndUnknownStates() throws {
        let created = try web.created(Data(#"{"message":"Success","data":[{"id":"n1","prompt":"A kitten in motion","state":"pending","created_at":"2024-06-20T06:02:26Z","video":null,"liked":null,"estimate_wait_seconds":30}]}"#.utf8))
        #expect(created.state == .queued && created.estimateWaitSeconds == 30 && created.media.isEmpty)

        let page = try web.page(Data(#"{"data":[{"id":"a","prompt":"p","state":"moderating","created_at":"2024-06-20T06:02:26Z"},{"id":"b","prompt":"q","state":"processing","created_at":"2024-06-20T06:02:26Z"}]}"#.utf8))
        #expect(!page.isEnd && page.hasMore == nil)
        #expect(page.generations.map(\.state) == [.unknown, .running])
        #expect(page.generations[0].rawState == "moderating")
        #expect(try web.page(Data(#"{"data":[]}"#.utf8)).isEnd)
        #expect(try proxy.page(Data("[]".utf8)).isEnd)
    }

    @Test func proxyStringlyItem() throws {
        let body = #"""
        {"id":"7d3c","prompt":"A neon street","state":"completed","created_at":"2024-07-01T08:15:13.123+00:00",
         "video":{"url":"https://cdn.example/w.mp4","width":"1360","height":"752","thumbnail":"https://cdn.example/vt.jpg","download_url":"https://cdn.example/raw.mp4?X-Amz-Expires=3600"},
         "video_raw":"","liked":"","estimate_wait_seconds":"",
         "thumbnail":{"url":"https://cdn.example/t.jpg","width":"1360","height":"752"},
         "last_frame":{"url":"https://cdn.example/l.jpg","width":"1360","height":"752"},
         "server_id":"srv-3","batch_id":"7d3c0000","queue_state":"",
         "image_url":"https://cdn.example/s.jpg","image_end_url":"https://cdn.example/e.jpg"}
        """#
        let item = try proxy.item(Data(body.utf8))
        #expect(seconds(item.createdAt) == 1_719_821_713.123)
        #expect(item.liked == nil && item.estimateWaitSeconds == nil && item.kind == "image")
        #expect(item.media == [
            RemoteMedia(role: .video, url: "https://cdn.example/w.mp4", width: 1360, height: 752),
            RemoteMedia(role: .videoRaw, url: "https://cdn.example/raw.mp4?X-Amz-Expires=3600", width: 1360, height: 752),
            RemoteMedia(role: .thumbnail, url: "https://cdn.example/t.jpg", width: 1360, height: 752),
            RemoteMedia(role: .lastFrame, url: "https://cdn.example/l.jpg", width: 1360, height: 752),
            RemoteMedia(role: .sourceImage, url: "https://cdn.example/s.jpg"),
            RemoteMedia(role: .sourceImage, url: "https://cdn.example/e.jpg", ordinal: 1),
        ])
        #expect(!item.needsUnwatermarkedLinkCall)
    }

    @Test func proxyEmptyVideosAndMissingLinks() throws {
        // Both empty shapes: no video at all, so there is no link to ask for either.
        for empty in [#"{"url":"","width":0,"height":0,"thumbnail":"","download_url":""}"#, #"{"url":"","width":"","height":"","thumbnail":"","download_url":""}"#] {
            let item = try proxy.item(Data(#"{"id":"x","prompt":"p","state":"processing","created_at":"","video":\#(empty),"video_raw":"","thumbnail":"","last_frame":""}"#.utf8))
            #expect(item.media.isEmpty && item.createdAt == nil && !item.needsUnwatermarkedLinkCall)
        }
        // Completed with a video but no unwatermarked link: ask download_video_url.
        let linkless = try proxy.item(Data(#"{"id":"x","prompt":"p","state":"completed","created_at":"2024-07-01T08:15:13Z","video":{"url":"https://cdn.example/w.mp4","width":0,"height":0,"thumbnail":"https://cdn.example/vt.jpg","download_url":""},"video_raw":null}"#.utf8))
        #expect(linkless.needsUnwatermarkedLinkCall)
        #expect(linkless.media(.video)?.width == nil, "a width of 0 is no width")
        #expect(linkless.media(.thumbnail)?.url == "https://cdn.example/vt.jpg", "video.thumbnail when there is no thumbnail object")
        // Completed before any link: nothing to fetch yet, keep polling.
        let early = try proxy.item(Data(#"{"id":"x","prompt":"p","state":"completed","created_at":"2024-07-01T08:15:13Z","video":{"url":"","width":"","height":""}}"#.utf8))
        #expect(early.bestVideo == nil && !early.needsUnwatermarkedLinkCall)

        #expect(try proxy.unwatermarkedLink(Data(#"{"url":"https://cdn.example/raw.mp4?X-Amz-Expires=3600"}"#.utf8)) == "https://cdn.example/raw.mp4?X-Amz-Expires=3600")
    }

    @Test(arguments: [
        ("\"0001-01-01T00:00:00Z\"", nil),
        ("\"0001-01-01T00:00:00.000000Z\"", nil),
        ("0", nil),
        ("\"\"", nil),
        ("null", nil),
        ("1719819313", 1_719_819_313.0),
        ("1719819313.25", 1_719_819_313.25),
        ("\"1719819313\"", 1_719_819_313.0),
        ("\"1719819313.5\"", 1_719_819_313.5),
        ("1719819313250", 1_719_819_313.25),
        ("\"2024-07-01T07:35:13Z\"", 1_719_819_313.0),
        ("\"2024-07-01T07:35:13+00:00\"", 1_719_819_313.0),
        ("\"2024-07-01T09:35:13+02:00\"", 1_719_819_313.0),
        ("\"2024-07-01T02:35:13-0500\"", 1_719_819_313.0),
        ("\"2024-07-01T07:35:13.5Z\"", 1_719_819_313.5),
        ("\"2024-07-01T07:35:13.250Z\"", 1_719_819_313.25),
        ("\"2024-07-01T07:35:13.250000Z\"", 1_719_819_313.25),
        ("\"2024-07-01T07:35:13.250000000Z\"", 1_719_819_313.25),
        ("\"2024-07-01T07:35:13.2500000001234Z\"", 1_719_819_313.25),
        ("\"2024-07-01 07:35:13\"", 1_719_819_313.0),
        ("\"2024-02-29T00:00:00Z\"", 1_709_164_800.0),
    ] as [(String, Double?)])
    func times(_ json: String, _ expected: Double?) throws {
        let item = try proxy.item(Data(#"{"id":"t","prompt":"","state":"completed","created_at":\#(json)}"#.utf8))
        #expect(seconds(item.createdAt) == expected, "\(json)")
    }

    @Test func officialGenerations() throws {
        let body = #"""
        {"generations":[
         {"id":"g1","generation_type":"video","state":"completed","failure_reason":null,"created_at":"2025-03-01T12:00:00Z",
          "assets":{"video":"https://cdn.example/g1.mp4","image":"https://cdn.example/g1.jpg","progress_video":null},
          "model":"ray-2",
          "request":{"generation_type":"video","prompt":"a fox","aspect_ratio":"16:9","loop":false,"model":"ray-2",
                     "resolution":"720p","duration":"5s","keyframes":{"frame0":{"type":"generation","id":"g0"}},"callback_url":null}},
         {"id":"g2","state":"dreaming","created_at":"2025-03-01T12:00:00.123Z","assets":null,"version":"ray-1-6",
          "request":{"prompt":"back in time","aspect_ratio":"9:16","loop":true,"duration":"9s",
                     "keyframes":{"frame1":{"type":"generation","id":"g1"}}}},
         {"id":"g3","state":"failed","failure_reason":"400: Your image contains content that is not allowed","created_at":"2025-03-01T12:00:00Z",
          "assets":{"video":null,"image":null},"model":"ray-flash-2",
          "request":{"prompt":"two frames","keyframes":{"frame0":{"type":"image","url":"https://cdn.example/a.jpg"},"frame1":{"type":"image","url":"https://cdn.example/b.jpg"}}}},
         {"id":"g4","state":"queued","created_at":"2025-03-01T12:00:00Z","request":{"prompt":"plain","resolution":"1080p","duration":"10s"}}
        ],"count":4,"has_more":false,"limit":4,"offset":0}
        """#
        let page = try official.page(Data(body.utf8))
        #expect(page.isEnd && page.hasMore == false && page.failures.isEmpty)
        let g = page.generations
        #expect(g.map(\.state) == [.completed, .running, .failed, .queued])
        #expect(g[0].kind == "extend" && g[0].parentID == "g0" && g[0].durationSeconds == 5 && g[0].model == "ray-2")
        #expect(g[0].media == [
            RemoteMedia(role: .videoRaw, url: "https://cdn.example/g1.mp4"), RemoteMedia(role: .thumbnail, url: "https://cdn.example/g1.jpg"),
        ])
        #expect(!g[0].needsUnwatermarkedLinkCall)
        #expect(g[1].kind == "extend" && g[1].parentID == "g1", "a frame1 generation is a reverse extension")
        #expect(g[1].model == "ray-1-6" && g[1].loop == true && g[1].durationSeconds == 9 && g[1].aspect == "9:16")
        #expect(g[2].kind == "image" && g[2].failureReason == "400: Your image contains content that is not allowed")
        #expect(g[2].media == [
            RemoteMedia(role: .sourceImage, url: "https://cdn.example/a.jpg"), RemoteMedia(role: .sourceImage, url: "https://cdn.example/b.jpg", ordinal: 1),
        ])
        #expect(g[3].kind == "text" && g[3].resolution == "1080p" && g[3].durationSeconds == 10 && g[3].model == nil)
    }

    @Test func batchTasks() throws {
        let item = #"{"id":"i1","prompt":"waves","state":"processing","created_at":"2024-07-01T07:35:13Z","video":{"url":"","width":"","height":""}}"#
        let body = """
        {"code":"success","message":"","data":[
         {"id":101,"task_id":"i1","platform":"luma","action":"LUMA_VIDEO","status":"IN_PROGRESS","fail_reason":"","progress":"50%","submit_time":1719819313,"start_time":1719819323,"finish_time":0,"data":\(item)},
         {"id":102,"task_id":"i2","status":"NOT_START","fail_reason":"","submit_time":1719819313.5,"start_time":0,"finish_time":0,"data":null},
         {"id":103,"task_id":"i3","status":"UNKNOWN","fail_reason":"","submit_time":"1719819313","data":{"id":"i3","prompt":"x","state":"processing","created_at":"0001-01-01T00:00:00Z"}},
         {"id":104,"task_id":"i4","status":"UNKNOWN","submit_time":0,"data":""},
         {"id":105,"task_id":"i5","status":"FAILURE","fail_reason":"upstream timeout","submit_time":1719819313,"data":{"id":"i5","prompt":"y","state":"processing","created_at":"2024-07-01T07:35:13Z"}},
         {"id":106,"task_id":"i6","status":"SUBMITTED","data":{}},
         {"id":107,"task_id":"i7","status":"SUCCESS","data":{"id":"i7","prompt":"z","state":"completed","created_at":"2024-07-01T07:35:13Z","video":{"url":"https://cdn.example/w.mp4","width":0,"height":0,"thumbnail":"","download_url":""}}}
        ]}
        """
        let tasks = try proxy.tasks(Data(body.utf8)).map { try $0.get() }
        #expect(tasks.map(\.id) == ["i1", "i2", "i3", "i4", "i5", "i6", "i7"])
        #expect(tasks.map(\.state) == [.running, .queued, .running, .unknown, .failed, .queued, .completed])
        // The status word replaces the item's only where the two disagree (or the item has none).
        #expect(tasks.map(\.rawState) == ["processing", "NOT_START", "processing", "UNKNOWN", "FAILURE", "SUBMITTED", "completed"])
        #expect(tasks[0].rawJSON == item && tasks[0].prompt == "waves")
        #expect(seconds(tasks[1].createdAt) == 1_719_819_313.5 && tasks[1].prompt == "" && tasks[1].rawJSON.hasPrefix(#"{"id":102"#))
        #expect(seconds(tasks[2].createdAt) == 1_719_819_313, "the item's unset time falls back to submit_time")
        #expect(tasks[3].createdAt == nil)
        #expect(tasks[4].failureReason == "upstream timeout")
        #expect(tasks[6].needsUnwatermarkedLinkCall)
    }

    @Test func errorMessages() {
        let cases: [(String, String?)] = [
            (#"{"message":"Generation not found"}"#, "Generation not found"),
            (#"{"detail":"Invalid API key is provided"}"#, "Invalid API key is provided"),
            (#"{"detail":{"reason":"Insufficient credits"}}"#, "Insufficient credits"),
            (#"{"detail":[{"loc":["body","prompt"],"msg":"field required","type":"value_error.missing"}]}"#, "field required"),
            (#"{"error":{"message":"Invalid API key","type":"invalid_request_error"}}"#, "Invalid API key"),
            (#"{"error":"quota exceeded"}"#, "quota exceeded"),
            (#"{"code":"fail","message":"  too many\n   ids  "}"#, "too many ids"),
            (#"{"data":[]}"#, nil),
            ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body></body></html>", "502 Bad Gateway"),
            ("upstream connect error\nreset reason: overflow", "upstream connect error"),
            ("<html><body><h1>403 Forbidden</h1></body></html>", "403 Forbidden"),
            ("<?xml version=\"1.0\"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", "Request has expired"),
            ("", nil),
            ("   \n ", nil),
        ]
        for (body, expected) in cases {
            #expect(RemoteErrorMessage.extract(from: Data(body.utf8)) == expected, "\(body)")
        }
        let long = RemoteErrorMessage.extract(from: Data(#"{"message":"\#(String(repeating: "x", count: 5000))"}"#.utf8))
        #expect(long?.count == RemoteErrorMessage.limit + 1 && long?.hasSuffix("…") == true)
    }

    @Test func paths() throws {
        let web = DialectPaths(dialect: .web), proxy = DialectPaths(dialect: .proxy), official = DialectPaths(dialect: .official)
        #expect(web.listPath(offset: 20, limit: 10) == "/api/generations?offset=20&limit=10")
        #expect(proxy.listPath(offset: 0, limit: 50) == "/luma/generations?offset=0&limit=50")
        #expect(official.listPath(offset: -5, limit: 0) == "/dream-machine/v1/generations?limit=1&offset=0")
        #expect(try web.detailPath(id: "eaf962b3-f279") == "/api/generations/eaf962b3-f279")
        #expect(try proxy.detailPath(id: "a/b?c#d e%") == "/luma/generations/a%2Fb%3Fc%23d%20e%25")
        #expect(try official.detailPath(id: "..") == "/dream-machine/v1/generations/%2E%2E")
        #expect(try web.detailPath(id: "猫") == "/api/generations/%E7%8C%AB")
        #expect(throws: RemotePathError.emptyID) { try web.detailPath(id: "") }
        #expect(try proxy.downloadLinkPath(id: "x y") == "/luma/generations/x%20y/download_video_url")
        #expect(try proxy.extendPath(id: "p") == "/luma/generations/p/extend")
        #expect(try web.downloadLinkPath(id: "x") == nil && web.batchPath == nil && official.batchPath == nil)
        #expect(proxy.batchPath == "/luma/tasks")
        #expect(try official.deletePath(id: "g") == "/dream-machine/v1/generations/g")
        #expect([web.createPath, proxy.createPath, official.createPath] == ["/api/generations/create", "/luma/generations", "/dream-machine/v1/generations/video"])
        let body = proxy.batchBody(ids: ["a", "q\"uo\\te\n"])
        #expect(String(decoding: body, as: UTF8.self) == #"{"ids":["a","q\"uo\\te\n"]}"#)
        #expect(try JSONSerialization.jsonObject(with: body) as? [String: [String]] == ["ids": ["a", "q\"uo\\te\n"]])
        #expect(DialectPaths.url(base: "https://api.example.com/v1/", path: "/luma/tasks") == "https://api.example.com/v1/luma/tasks")
    }
}

/// A time as unix seconds rounded to the microsecond, so that comparisons do not hang on the last bit.
func seconds(_ date: Date?) -> Double? {
    date.map { ($0.timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000 }
}
