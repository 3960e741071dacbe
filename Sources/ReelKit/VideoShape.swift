/// The aspect ratio and resolution names a video's display size maps to, as the remotes name them.
public struct VideoShape: Sendable, Equatable {
    /// "16:9", "9:16", "1:1", …; a reduced ratio when no common one is within 2%.
    public let aspect: String
    /// The shorter side with a "p", as video services say it ("720p" for 1280x720 and for 720x1280).
    public let resolution: String

    static let knownRatios: [(name: String, value: Double)] = [
        ("16:9", 16.0 / 9), ("9:16", 9.0 / 16), ("1:1", 1), ("4:3", 4.0 / 3), ("3:4", 3.0 / 4),
        ("21:9", 21.0 / 9), ("9:21", 9.0 / 21), ("3:2", 3.0 / 2), ("2:3", 2.0 / 3),
    ]

    /// The shape of a `width`×`height` picture; nil when either side is zero.
    public init?(width: Int, height: Int) {
        guard width > 0, height > 0 else { return nil }
        let ratio = Double(width) / Double(height)
        if let known = Self.knownRatios.first(where: { abs($0.value - ratio) / $0.value < 0.02 }) {
            aspect = known.name
        } else {
            let divisor = Self.gcd(width, height)
            aspect = "\(width / divisor):\(height / divisor)"
        }
        resolution = "\(min(width, height))p"
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
