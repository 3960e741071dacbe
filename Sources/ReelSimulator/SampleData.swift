import Foundation

/// The seeded history a simulator starts with, and the choices new items draw from.
enum SampleData {
    static let aspects = ["16:9", "16:9", "16:9", "16:9", "9:16", "9:16", "1:1", "1:1", "4:3", "3:4", "21:9", "9:21"]
    /// What create answers (400) for a prompt containing "nsfw".
    static let moderationRefusal = "Your prompt was flagged by our moderation system and cannot be generated"
    static let failureReasons = [
        "The prompt was flagged by our moderation system",
        "Generation failed due to an internal error, please try again",
        "400: Your image contains content that is not allowed",
        "Failed to process the input image",
    ]

    /// Built-in prompts, English and Chinese, used unless `--prompts FILE` gives others.
    static let prompts = [
        "A neon-lit city street at night in the rain, cinematic, slow dolly forward",
        "A kitten in motion chasing a ball of yarn across a wooden floor",
        "magic girl",
        "Aerial shot of waves crashing on black volcanic rocks at sunrise",
        "An astronaut riding a horse on the surface of Mars, dust swirling",
        "Close-up of a hummingbird drinking from a red flower, slow motion",
        "A vintage car driving along a coastal road, golden hour",
        "Timelapse of clouds rolling over snowy mountain peaks",
        "A cyberpunk samurai walking through a crowded night market",
        "Steam rising from a cup of coffee on a rainy windowsill",
        "A paper boat floating down a gutter stream after the rain",
        "Koi fish swimming in a pond, top-down view, ripples",
        "A robot painting a portrait in a sunlit studio",
        "Lanterns floating up into the night sky over a lake",
        "A fox running through a snowy forest, tracking shot",
        "赛博朋克城市的夜景，霓虹灯闪烁，雨中街道",
        "一只小猫在草地上追逐蝴蝶",
        "古风少女在竹林中舞剑，慢镜头",
        "长城上的日出，航拍镜头缓缓推进",
        "熊猫在竹林里吃竹子，特写",
        "海浪拍打礁石，夕阳西下",
        "一位老人在公园里打太极拳，清晨薄雾",
        "未来城市中飞行的汽车穿梭于高楼之间",
        "樱花飘落的街道，行人撑着伞走过",
        "宇航员在月球表面行走，地球在背景中升起",
        "水墨画风格的山水，云雾缭绕",
        "一杯热茶冒着热气，窗外下着雪",
        "龙在云层中穿梭，电影感",
        "夜晚的江南水乡，灯笼倒映在水面上",
        "小女孩在海边放风筝，逆光",
    ]

    /// Generation `index` of `count`, newest first: everything about it follows from the seed.
    static func generation(index: Int, count: Int, configuration: SimulatorConfiguration) -> SimGeneration {
        var rng = SeededRandom(seed: configuration.seed, stream: UInt64(index) + 1)
        let span: TimeInterval = 18 * 30.44 * 86_400
        // Evenly spread over the span with jitter inside each slot, so the order is newest first by construction.
        let age = span * (Double(index) + rng.unit()) / Double(max(count, 1))
        let created = configuration.epoch.addingTimeInterval(-age)
        let roll = rng.unit()
        let outcome: SimGeneration.Stage = roll < 0.07 ? .failed : .completed
        // A few of the newest are still in progress at start; they finish over the first steps.
        let moving = index < max(1, count / 20) && roll > 0.5
        var generation = makeGeneration(
            id: id(index: index, seed: configuration.seed), prompt: pick(configuration.prompts.isEmpty ? prompts : configuration.prompts, &rng),
            created: created, outcome: outcome, rng: &rng, taskNumber: 100 + index)
        if moving { generation.lifeStart = configuration.epoch }
        if rng.chance(0.1), index + 1 < count {
            generation.kind = .extend
            // An extend starts from its parent's last frame, not from an image.
            generation.hasSourceImage = false
            generation.hasEndImage = false
            // The parent is an older item.
            let parentIndex = index + 1 + Int(rng.next() % UInt64(min(20, count - index - 1)))
            generation.parentID = id(index: parentIndex, seed: configuration.seed)
        }
        return generation
    }

    /// The id of seeded item `index`: its own stream, so any item can name another (an extend, its parent).
    static func id(index: Int, seed: UInt64) -> String {
        var rng = SeededRandom(seed: seed, stream: (1 << 40) | UInt64(index))
        return rng.uuid()
    }

    /// A new item with random choices (a seeded one, or one `--new-every` adds).
    static func makeGeneration(
        id: String, prompt: String, created: Date, outcome: SimGeneration.Stage, rng: inout SeededRandom, taskNumber: Int
    ) -> SimGeneration {
        let image = rng.chance(0.2)
        return SimGeneration(
            id: id, prompt: prompt, createdAt: created, lifeStart: nil, outcome: outcome,
            failureReason: outcome == .failed ? pick(failureReasons, &rng) : nil,
            aspect: pick(aspects, &rng), resolution: rng.chance(0.7) ? "720p" : "1080p",
            durationSeconds: rng.chance(0.8) ? 5 : 10, loop: rng.chance(0.1), model: Int(rng.next() % 3),
            kind: image ? .image : .text, parentID: nil, hasSourceImage: image, hasEndImage: image && rng.chance(0.3),
            liked: rng.chance(0.5) ? nil : rng.chance(0.4), hasAudio: rng.chance(0.3), mediaSeed: rng.next(),
            taskNumber: taskNumber,
            quirks: .init(
                stringlyProxy: rng.chance(0.5), emptyDownloadURL: rng.chance(0.2), legacyWeb: rng.chance(0.4),
                webHasRaw: rng.chance(0.5), officialVersionField: rng.chance(0.3), fractionDigits: rng.chance(0.7) ? 3 : 0))
    }

    static func pick<T>(_ items: [T], _ rng: inout SeededRandom) -> T {
        items[Int(rng.next() % UInt64(items.count))]
    }
}
