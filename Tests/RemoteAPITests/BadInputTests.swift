import Foundation
import RemoteAPI
import Testing

/// Input no remote should send, but some will: every case is a clear error or a decode, never a crash.
@Suite struct BadInputTests {
    static let goodProxyItem = #"{"id":"good","prompt":"p","state":"completed","created_at":"2024-07-01T07:35:13Z","video":{"url":"https://cdn.example/w.mp4","width":512,"height":512,"thumbnail":"https://cdn.example/t.jpg","download_url":""},"video_raw":null,"liked":true,"estimate_wait_seconds":null,"thumbnail":{"url":"https://cdn.example/t.jpg","width":512,"height":512},"last_frame":null,"image_url":"https://cdn.example/s.jpg"}"#

    static let goodOfficialItem = #"{"id":"good","state":"completed","failure_reason":null,"created_at":"2025-03-01T12:00:00Z","assets":{"video":"https://cdn.example/g.mp4","image":"https://cdn.example/g.jpg"},"model":"ray-2","request":{"prompt":"p","aspect_ratio":"16:9","loop":false,"resolution":"720p","duration":"5s","keyframes":{"frame0":{"type":"generation","id":"g0"}}}}"#

    @Test func malformedHTMLAndEmptyBodies() {
        let decoder = DialectDecoder(dialect: .web)
        let cases: [(String, RemoteDecodeError.Kind, String)] = [
            ("", .emptyBody, "the remote answered with an empty body, not JSON"),
            (" \r\n\t", .emptyBody, "the remote answered with an empty body, not JSON"),
            ("<!DOCTYPE html><html><body>oops</body></html>", .htmlPage, "the remote answered with an HTML page, not JSON"),
            (#"{"data":[{"id":"a",}]}"#, .malformedJSON, "the body is not valid JSON: expected a member name in quotes at byte 19, found '}'"),
            (#"{"data":[{"id":"a"}"#, .malformedJSON, "the body is not valid JSON: the body ends inside an unclosed array"),
            (#"{"data":[{"id":"#, .malformedJSON, "the body is not valid JSON: the body ends where a value was expected"),
            (#"{"data":["abc]}"#, .malformedJSON, "the body is not valid JSON: the string that starts at byte 9 is not closed"),
            (#"{"data":[] } trailing"#, .malformedJSON, "the body is not valid JSON: expected the end of the body at byte 13, found 't'"),
            (#"{"data":[01]}"#, .malformedJSON, "the body is not valid JSON: expected ',' or ']' at byte 10, found '1'"),
            (#"{"data":[NaN]}"#, .malformedJSON, "the body is not valid JSON: expected a value at byte 9, found 'N'"),
            (#"{"data":["\x"]}"#, .malformedJSON, "the body is not valid JSON: invalid escape sequence in a string"),
            ("null", .unexpectedShape, "expected a list of generations, found null"),
            (#"{"data":null}"#, .unexpectedShape, "expected a list of generations, found an object without one"),
            (#"{"detail":{"reason":"Insufficient credits"}}"#, .remoteError, "the remote answered with an error instead of a list of generations: Insufficient credits"),
        ]
        for (body, kind, message) in cases {
            let error = decodeError { () throws(RemoteDecodeError) in try decoder.page(Data(body.utf8)) }
            #expect(error?.kind == kind, "\(body)")
            #expect(error?.description == message, "\(body)")
        }
    }

    @Test func aTruncatedRealPageIsMalformedAtEveryLength() {
        let page = Data("[\(Self.goodProxyItem),\(Self.goodProxyItem)]".utf8)
        let decoder = DialectDecoder(dialect: .proxy)
        #expect((try? decoder.page(page))?.generations.count == 2)
        for length in 0..<page.count {
            let error = decodeError { () throws(RemoteDecodeError) in try decoder.page(page.prefix(length)) }
            #expect(error?.kind == (length == 0 ? .emptyBody : .malformedJSON), "\(length)")
        }
    }

    /// Each field with a wrong value, one at a time, in the middle of a page: that item fails with a
    /// message naming the field, its neighbours decode.
    @Test(arguments: [
        ("\"id\":\"good\"", "\"id\":true", "id is not an id: true"),
        ("\"id\":\"good\"", "\"id\":\"\"", "id is empty"),
        ("\"id\":\"good\",", "", "id is missing"),
        ("\"prompt\":\"p\"", "\"prompt\":5", "prompt is not a string: 5"),
        ("\"state\":\"completed\"", "\"state\":[]", "state is not a string: an array"),
        ("\"state\":\"completed\"", "\"state\":null", "state is missing"),
        ("\"created_at\":\"2024-07-01T07:35:13Z\"", "\"created_at\":\"yesterday\"", "created_at is not a time: \"yesterday\""),
        ("\"created_at\":\"2024-07-01T07:35:13Z\"", "\"created_at\":\"2024-02-30T07:35:13Z\"", "created_at is not a time: \"2024-02-30T07:35:13Z\""),
        ("\"created_at\":\"2024-07-01T07:35:13Z\"", "\"created_at\":true", "created_at is not a time: true"),
        ("\"created_at\":\"2024-07-01T07:35:13Z\"", "\"created_at\":1e400", "created_at is not a time: 1e400"),
        ("\"video\":{", "\"video\":5,\"x\":{", "video is not an object: 5"),
        ("\"url\":\"https://cdn.example/w.mp4\"", "\"url\":5", "video.url is not a string: 5"),
        ("\"width\":512,\"height\":512,\"thumbnail\":\"https", "\"width\":\"wide\",\"height\":512,\"thumbnail\":\"https", "video.width is not a whole number: \"wide\""),
        ("\"width\":512,\"height\":512,\"thumbnail\":\"https", "\"width\":99999999999999999999,\"height\":512,\"thumbnail\":\"https", "video.width is not a whole number: 99999999999999999999"),
        ("\"height\":512,\"thumbnail\":\"https", "\"height\":1.5,\"thumbnail\":\"https", "video.height is not a whole number: 1.5"),
        ("\"thumbnail\":\"https://cdn.example/t.jpg\",", "\"thumbnail\":{\"url\":1},", "video.thumbnail.url is not a string: 1"),
        ("\"download_url\":\"\"", "\"download_url\":false", "video.download_url is not a string: false"),
        ("\"video_raw\":null", "\"video_raw\":true", "video_raw is not an object: true"),
        ("\"liked\":true", "\"liked\":\"maybe\"", "liked is not true or false: \"maybe\""),
        ("\"estimate_wait_seconds\":null", "\"estimate_wait_seconds\":\"soon\"", "estimate_wait_seconds is not a number of seconds: \"soon\""),
        ("\"thumbnail\":{\"url\":\"https://cdn.example/t.jpg\",\"width\":512", "\"thumbnail\":{\"url\":\"https://cdn.example/t.jpg\",\"width\":[]", "thumbnail.width is not a whole number: an array"),
        ("\"last_frame\":null", "\"last_frame\":7", "last_frame is not an object: 7"),
        ("\"image_url\":\"https://cdn.example/s.jpg\"", "\"image_url\":{}", "image_url is not a string: an object"),
    ] as [(String, String, String)])
    func wrongTypesInProxyItems(_ field: String, _ replacement: String, _ message: String) throws {
        try expectOneBadItem(.proxy, Self.goodProxyItem, field, replacement, message)
    }

    @Test(arguments: [
        ("\"request\":{", "\"request\":\"p\",\"x\":{", "request is not an object: \"p\""),
        ("\"prompt\":\"p\"", "\"prompt\":[\"p\"]", "request.prompt is not a string: an array"),
        ("\"duration\":\"5s\"", "\"duration\":\"long\"", "request.duration is not a duration: \"long\""),
        ("\"loop\":false", "\"loop\":\"sometimes\"", "request.loop is not true or false: \"sometimes\""),
        ("\"assets\":{", "\"assets\":[],\"x\":{", "assets is not an object: an array"),
        ("\"video\":\"https://cdn.example/g.mp4\"", "\"video\":5", "assets.video is not an object: 5"),
        ("\"type\":\"generation\",\"id\":\"g0\"", "\"type\":\"generation\"", "request.keyframes.frame0.id is missing"),
        ("\"type\":\"generation\"", "\"type\":7", "request.keyframes.frame0.type is not a string: 7"),
        ("\"failure_reason\":null", "\"failure_reason\":{\"why\":1}", "failure_reason is not a string: an object"),
        ("\"model\":\"ray-2\"", "\"model\":2", "model is not a string: 2"),
    ] as [(String, String, String)])
    func wrongTypesInOfficialItems(_ field: String, _ replacement: String, _ message: String) throws {
        try expectOneBadItem(.official, Self.goodOfficialItem, field, replacement, message)
    }

    private func expectOneBadItem(_ dialect: Dialect, _ good: String, _ field: String, _ replacement: String, _ message: String) throws {
        #expect(good.components(separatedBy: field).count == 2, "the fixture holds \(field) once")
        let bad = good.replacingOccurrences(of: field, with: replacement)
        let list = "[\(good),\(bad),\(good)]"
        let body = dialect == .official ? #"{"generations":\#(list),"has_more":false}"# : list
        let page = try DialectDecoder(dialect: dialect).page(Data(body.utf8))
        #expect(page.items.count == 3 && page.generations.count == 2)
        let failure = try #require(page.failures.first)
        #expect(failure.kind == .invalidField && failure.itemIndex == 1)
        let id = failure.itemID.map { " (id \($0))" } ?? ""
        #expect(failure.description == "item 1\(id): \(message)")
        // The same item alone, as a detail answer: the same sentence without the position.
        let single = decodeError { () throws(RemoteDecodeError) in try DialectDecoder(dialect: dialect).item(Data(bad.utf8)) }
        #expect(single?.problem == message)
    }

    @Test func wrongTypesInTasks() throws {
        let body = #"{"code":"success","data":[{"task_id":"a","status":5},{"task_id":"b","status":"SUCCESS","data":7},{"task_id":"c","status":"QUEUED","submit_time":"soon"},{"status":"QUEUED"},{"task_id":"d","status":"SUCCESS","data":{"id":"d","state":"completed","video":{"width":"x","url":"u"}}},42]}"#
        let results = try DialectDecoder(dialect: .proxy).tasks(Data(body.utf8))
        let errors = results.compactMap { if case .failure(let e) = $0 { e.description } else { nil } }
        #expect(errors == [
            "item 0 (id a): status is not a string: 5",
            "item 1 (id b): data is not an item: 7",
            "item 2 (id c): submit_time is not a time: \"soon\"",
            "item 3: task_id is missing",
            "item 4 (id d): data.video.width is not a whole number: \"x\"",
            "item 5: the task is not an object: 42",
        ])
    }

    @Test func invalidUTF8() throws {
        // Inside a string: repaired to U+FFFD, the item is kept.
        var body = Data(#"[{"id":"u","prompt":"caf"#.utf8)
        body.append(contentsOf: [0xC3, 0x28, 0xFF, 0xFE])
        body.append(contentsOf: Data(#"!","state":"completed","created_at":"2024-07-01T07:35:13Z"}]"#.utf8))
        let item = try #require(try DialectDecoder(dialect: .proxy).page(body).generations.first)
        #expect(item.prompt == "caf\u{FFFD}(\u{FFFD}\u{FFFD}!")
        #expect(item.rawJSON.contains("caf\u{FFFD}("))
        // Outside strings: not JSON.
        var outside = Data("[".utf8)
        outside.append(0xFF)
        outside.append(contentsOf: Data("]".utf8))
        let error = decodeError { () throws(RemoteDecodeError) in try DialectDecoder(dialect: .proxy).page(outside) }
        #expect(error?.description == "the body is not valid JSON: expected a value at byte 1, found byte 0xFF")
        #expect(RemoteErrorMessage.extract(from: Data([0xFF, 0xFE, 0x41])) == "\u{FFFD}\u{FFFD}A")
    }

    @Test func escapesAndUnicode() throws {
        let body = #"{"\u0069d":"e\u0301","prompt":"\"q\" \\ \/ \n\t 猫 \ud83d\ude00 \ud800 lone","state":"completed","created_at":"2024-07-01T07:35:13Z"}"#
        let item = try DialectDecoder(dialect: .proxy).item(Data(body.utf8))
        #expect(item.id == "e\u{301}")
        #expect(item.prompt == "\"q\" \\ / \n\t 猫 😀 \u{FFFD} lone")
        #expect(item.rawJSON == body)
    }

    @Test func aTenMegabytePromptDecodes() throws {
        let prompt = String(repeating: "a kitten in motion, 小猫 ", count: 10 * 1024 * 1024 / 28)
        let body = #"[{"id":"big","prompt":"\#(prompt)","state":"completed","created_at":"2024-07-01T07:35:13Z"}]"#
        #expect(body.utf8.count > 10_000_000)
        let item = try #require(try DialectDecoder(dialect: .proxy).page(Data(body.utf8)).generations.first)
        #expect(item.prompt == prompt)
        #expect(RemoteErrorMessage.extract(from: Data(#"{"message":"\#(prompt)"}"#.utf8))?.count == RemoteErrorMessage.limit + 1)
    }

    @Test(arguments: ["[", "{\"a\":"])
    func tenThousandLevelsOfNesting(_ opener: String) throws {
        let closer = opener == "[" ? "]" : "}"
        let deep = String(repeating: opener, count: 10_000) + "1" + String(repeating: closer, count: 10_000)
        // Deeper than the limit fails the item that holds it, by name, and the rest of its page reads on.
        let body = #"{"data":[{"id":"x","prompt":"# + deep + #"},{"id":"y","state":"failed","prompt":"fine"}]}"#
        for dialect in Dialect.allCases {
            let page = try DialectDecoder(dialect: dialect).page(Data(body.utf8))
            #expect(page.items.count == 2)
            let failure = try #require(page.failures.first)
            #expect(failure.kind == .tooDeep && failure.itemID == "x")
            #expect(failure.description.hasPrefix("item 0 (id x): the JSON nests deeper than 512 levels (at byte "))
            let single = decodeError { () throws(RemoteDecodeError) in try DialectDecoder(dialect: dialect).item(Data((#"{"id":"x","p":"# + deep + "}").utf8)) }
            #expect(single?.kind == .tooDeep)
            for broken in [String(repeating: opener, count: 10_000), deep + "]"] {
                let error = decodeError { () throws(RemoteDecodeError) in try DialectDecoder(dialect: dialect).page(Data(broken.utf8)) }
                #expect(error?.kind == .malformedJSON)
            }
        }
        #expect(try DialectDecoder(dialect: .proxy).page(Data(body.utf8)).generations.map(\.id) == ["y"])
        _ = RemoteErrorMessage.extract(from: Data(deep.utf8))
        // Just inside the limit decodes (as a wrong type, in one item of the page).
        let inside = #"[{"id":"x","state":"failed","prompt":"# + String(repeating: "[", count: 510) + String(repeating: "]", count: 510) + "}]"
        let page = try? DialectDecoder(dialect: .proxy).page(Data(inside.utf8))
        #expect(page?.failures.first?.description == "item 0 (id x): prompt is not a string: an array")
    }

    /// Seeded random damage to real payloads: whatever comes out, it is a result or a RemoteDecodeError.
    @Test func mutatedPayloadsNeverCrash() {
        var rng = SplitMix(seed: 42)
        let seeds = [
            "[\(Self.goodProxyItem)]", #"{"generations":[\#(Self.goodOfficialItem)],"has_more":true}"#,
            #"{"code":"success","data":[{"task_id":"a","status":"SUCCESS","submit_time":1719819313,"data":\#(Self.goodProxyItem)}]}"#,
        ]
        let alphabet = Array(#"{}[]",:0123456789.-eE"\ntrufalsn \#u{00}"#.utf8) + [0xFF, 0xC3, 0xE2]
        var decoded = 0
        for _ in 0..<3000 {
            var bytes = Array(seeds[Int(rng.next() % UInt64(seeds.count))].utf8)
            for _ in 0...(rng.next() % 4) {
                let position = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[position] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: position)
                }
            }
            let data = Data(bytes)
            for dialect in Dialect.allCases {
                let decoder = DialectDecoder(dialect: dialect)
                if (try? decoder.page(data)) != nil { decoded += 1 }
                _ = try? decoder.item(data)
                _ = try? decoder.tasks(data)
                _ = try? decoder.unwatermarkedLink(data)
            }
            _ = RemoteErrorMessage.extract(from: data)
        }
        #expect(decoded > 0)
    }

    /// 100,000 small items: decodes, and reports how long it took (not asserted: machines differ).
    @Test func aHundredThousandItemPage() throws {
        let count = 100_000
        var body = "["
        body.reserveCapacity(count * 420)
        for index in 0..<count {
            if index > 0 { body += "," }
            body += #"{"id":"\#(index)","prompt":"A kitten in motion \#(index)","state":"completed","created_at":"2024-07-01T07:35:13.\#(index % 1000)Z","video":{"url":"https://cdn.example/\#(index).mp4","width":"1360","height":752,"thumbnail":"https://cdn.example/\#(index).jpg","download_url":""},"liked":"","estimate_wait_seconds":null,"thumbnail":{"url":"https://cdn.example/\#(index)t.jpg","width":1360,"height":752}}"#
        }
        body += "]"
        let data = Data(body.utf8)
        let clock = ContinuousClock()
        var page: RemotePage?
        let elapsed = try clock.measure { page = try DialectDecoder(dialect: .proxy).page(data) }
        let decoded = try #require(page)
        #expect(decoded.items.count == count && decoded.failures.isEmpty)
        #expect(decoded.generations.last?.media.count == 2)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("RemoteAPI: decoded \(count) items (\(data.count / 1_000_000) MB) in \(String(format: "%.3f", seconds)) s, \(Int(Double(count) / seconds)) items/s")
    }
}

/// A small seeded generator, so that the mutations are the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
