import Foundation
import RemoteAPI
import Testing

/// The create bodies each dialect's call takes, as API-DIALECTS.md writes them.
@Suite struct CreateCallTests {
    private func body(_ dialect: Dialect, _ configure: (inout CreateRequest) -> Void) throws -> [String: Any] {
        var request = CreateRequest(prompt: "a \"quoted\"\nprompt 城市")
        configure(&request)
        let bytes = try CreateCall(dialect: dialect).body(request)
        return try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
    }

    @Test func webTakesAPromptAndAnImage() throws {
        let web = try body(.web) { $0.image = "https://cdn.example/i.jpg" }
        #expect(web as NSDictionary == ["prompt": "a \"quoted\"\nprompt 城市", "image": "https://cdn.example/i.jpg"] as NSDictionary)
        #expect(try body(.web) { _ in }["image"] as? String == "")
    }

    @Test func proxyTakesEveryOption() throws {
        let proxy = try body(.proxy) {
            $0.aspect = "9:21"; $0.loop = true; $0.expandPrompt = false; $0.duration = "10s"; $0.resolution = "1080p"
            $0.model = "ray-v3"; $0.image = "data:image/png;base64,AAAA"; $0.endImage = "https://e.example/end.jpg"
        }
        #expect(proxy as NSDictionary == [
            "user_prompt": "a \"quoted\"\nprompt 城市", "aspect_ratio": "9:21", "loop": true, "expand_prompt": false,
            "duration": "10s", "resolution": "1080p", "model_name": "ray-v3", "image_url": "data:image/png;base64,AAAA",
            "image_end_url": "https://e.example/end.jpg",
        ] as NSDictionary)
    }

    @Test func officialUsesKeyframesAndExtendsWithAGenerationFrame() throws {
        let official = try body(.official) { $0.image = "https://a.example/s.jpg"; $0.endImage = "https://a.example/e.jpg"; $0.duration = "9s" }
        #expect(official["prompt"] as? String == "a \"quoted\"\nprompt 城市" && official["generation_type"] as? String == "video")
        let frames = official["keyframes"] as? [String: [String: String]]
        #expect(frames == ["frame0": ["type": "image", "url": "https://a.example/s.jpg"], "frame1": ["type": "image", "url": "https://a.example/e.jpg"]])
        let extended = try body(.official) { $0.extending = "f00d" }
        #expect(extended["keyframes"] as? [String: [String: String]] == ["frame0": ["type": "generation", "id": "f00d"]])
    }

    @Test func whatADialectDoesNotTakeIsRefused() {
        let refusals: [(Dialect, (inout CreateRequest) -> Void, String)] = [
            (.web, { $0.extending = "x" }, "web remotes cannot extend"),
            (.web, { $0.loop = true }, "web remotes take no --loop"),
            (.proxy, { $0.aspect = "2:1" }, "--aspect 2:1: proxy remotes take"),
            (.official, { $0.image = "data:image/png;base64,AAAA" }, "official remotes take picture URLs, not inline data"),
            (.official, { $0.extending = "x"; $0.image = "https://a.example/s.jpg" }, "an extension starts from its generation"),
            (.proxy, { $0.image = "file:///etc/passwd" }, "a picture must be an http(s) URL"),
            (.proxy, { $0.prompt = " \n" }, "the prompt is empty"),
        ]
        for (dialect, configure, message) in refusals {
            var request = CreateRequest(prompt: "p")
            configure(&request)
            do {
                _ = try CreateCall(dialect: dialect).body(request)
                Issue.record("\(dialect) took \(request)")
            } catch {
                #expect(error.description.contains(message), "\(dialect): \(error)")
            }
        }
    }
}
