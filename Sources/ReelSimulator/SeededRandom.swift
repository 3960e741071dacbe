import Media

/// The simulator's random source: SplitMix64 (shared with the clip encoder) split into independent
/// streams. The simulator's data, media and faults all derive from it, so one seed reproduces a whole run.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// A generator for one purpose, independent of the others drawn from the same seed.
    init(seed: UInt64, stream: UInt64) {
        generator = SplitMix64(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        _ = generator.next()
    }

    mutating func next() -> UInt64 { generator.next() }

    /// A uniform value in 0..<1.
    mutating func unit() -> Double { generator.unit() }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A version-4 UUID string, lowercase.
    mutating func uuid() -> String {
        var bytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: next()) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let h = Array(hex)
        return [h[0..<8], h[8..<12], h[12..<16], h[16..<20], h[20..<32]].map { String($0) }.joined(separator: "-")
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
