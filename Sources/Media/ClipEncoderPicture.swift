#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The pictures and tone ClipEncoder encodes: plain Swift, no libav types. Everything follows from the
// seed and the frame index through integer maths and libm, so the pixels never vary between calls.

/// SplitMix64: tiny and well mixed, so neighbouring seeds (0, 1, 2, …) still look unrelated.
/// The encoder's pictures and the simulator's data both draw from it, so one seed reproduces both.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose whole sequence follows from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

    /// Uniform in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// A colour with components in 0...1.
struct ClipRGB {
    var r: Double, g: Double, b: Double

    /// Hue wraps around 1; saturation and value are clamped to 0...1.
    static func hsv(_ hue: Double, _ saturation: Double, _ value: Double) -> ClipRGB {
        let h = (hue - hue.rounded(.down)) * 6
        let s = min(max(saturation, 0), 1), v = min(max(value, 0), 1)
        let sector = Int(h) % 6
        let f = h - Double(Int(h))
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        switch sector {
        case 0: return ClipRGB(r: v, g: t, b: p)
        case 1: return ClipRGB(r: q, g: v, b: p)
        case 2: return ClipRGB(r: p, g: v, b: t)
        case 3: return ClipRGB(r: p, g: q, b: v)
        case 4: return ClipRGB(r: t, g: p, b: v)
        default: return ClipRGB(r: v, g: p, b: q)
        }
    }

    func mixed(with other: ClipRGB, _ amount: Double) -> ClipRGB {
        ClipRGB(r: r + (other.r - r) * amount, g: g + (other.g - g) * amount, b: b + (other.b - b) * amount)
    }

    static let white = ClipRGB(r: 1, g: 1, b: 1)
    static let nearBlack = ClipRGB(r: 0.08, g: 0.08, b: 0.1)
}

/// One colour as 8-bit Y, Cb, Cr samples.
struct ClipYUV {
    var y: UInt8, u: UInt8, v: UInt8
}

/// How RGB becomes YUV for an encoder.
enum ClipColourMatrix {
    /// Video: BT.709, limited (16–235) range — what players assume for untagged H.264.
    case bt709Limited
    /// JPEG/JFIF: BT.601, full (0–255) range.
    case bt601Full

    func convert(_ c: ClipRGB) -> ClipYUV {
        switch self {
        case .bt709Limited:
            let y = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b
            return ClipYUV(
                y: Self.sample(16 + 219 * y), u: Self.sample(128 + 224 * (c.b - y) / 1.8556),
                v: Self.sample(128 + 224 * (c.r - y) / 1.5748))
        case .bt601Full:
            let y = 0.299 * c.r + 0.587 * c.g + 0.114 * c.b
            return ClipYUV(
                y: Self.sample(255 * y), u: Self.sample(128 + 255 * (c.b - y) / 1.772),
                v: Self.sample(128 + 255 * (c.r - y) / 1.402))
        }
    }

    private static func sample(_ value: Double) -> UInt8 { UInt8(min(max(value.rounded(), 0), 255)) }
}

/// Everything a seed decides: colours, motion and the tone.
struct ClipLook {
    /// Background gradient, top row to bottom row.
    let top: ClipRGB, bottom: ClipRGB
    /// The bar that sweeps across the clip once.
    let bar: ClipRGB
    /// The block that bounces up and down twice.
    let block: ClipRGB
    let barLeftToRight: Bool
    /// Where the block's column sits, 0 (left) to 1 (right).
    let blockColumn: Double
    /// Where in its bounce the block starts, 0..<1.
    let blockPhase: Double
    /// A band across a still image's lower part.
    let band: ClipRGB
    /// A still image's band position and height, as fractions of the height.
    let bandTop: Double, bandHeight: Double
    /// Tone frequency in Hz: one of 24 semitones from 220 Hz.
    let toneFrequency: Double

    init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        // Golden-ratio steps spread the hues of consecutive seeds (1, 2, 3, …) as far apart as they go;
        // the random nudge keeps seeds that happen to land close from sharing a palette exactly.
        let hue = Double(seed % 1_000_003) * 0.618_033_988_749_895 + 0.05 * random.unit()
        top = .hsv(hue, 0.45 + 0.35 * random.unit(), 0.8 + 0.15 * random.unit())
        bottom = .hsv(hue + 0.05 + 0.2 * random.unit(), 0.85, 0.2 + 0.25 * random.unit())
        bar = .hsv(hue + 0.45 + 0.1 * random.unit(), 0.9, 1)
        block = .hsv(hue + 0.2 + 0.6 * random.unit(), 0.75, 0.95)
        barLeftToRight = random.next() & 1 == 0
        blockColumn = random.unit()
        blockPhase = random.unit()
        band = .hsv(hue + 0.3 + 0.4 * random.unit(), 0.6, 0.45)
        bandTop = 0.55 + 0.2 * random.unit()
        bandHeight = 0.1 + 0.15 * random.unit()
        toneFrequency = 220 * pow(2, Double(random.below(24)) / 12)
    }
}

/// The planes of one writable 4:2:0 picture (the encoder's frame buffers).
struct ClipPlanes {
    var y: UnsafeMutablePointer<UInt8>, yStride: Int
    var u: UnsafeMutablePointer<UInt8>, uStride: Int
    var v: UnsafeMutablePointer<UInt8>, vStride: Int
    var width: Int, height: Int

    var chromaHeight: Int { (height + 1) / 2 }
}

/// Paints clip frames and still images into ``ClipPlanes``.
///
/// Every shape is a run of `memset`s over whole rows: cheap even in a debug build, and the background
/// covers each row's full stride so no padding byte an encoder might read is left unset.
struct ClipPainter {
    private let look: ClipLook
    private let watermark: Bool
    // The gradient, one entry per luma row and per chroma row, worked out once per clip.
    private let rowY: [UInt8], rowU: [UInt8], rowV: [UInt8]
    private let bar: ClipYUV, block: ClipYUV, band: ClipYUV, white: ClipYUV, dark: ClipYUV

    init(width: Int, height: Int, look: ClipLook, matrix: ClipColourMatrix, watermark: Bool) {
        self.look = look
        self.watermark = watermark
        let lastRow = Double(max(height - 1, 1))
        rowY = (0..<height).map { matrix.convert(look.top.mixed(with: look.bottom, Double($0) / lastRow)).y }
        let chroma = (0..<(height + 1) / 2).map { matrix.convert(look.top.mixed(with: look.bottom, Double(2 * $0) / lastRow)) }
        rowU = chroma.map(\.u)
        rowV = chroma.map(\.v)
        bar = matrix.convert(look.bar)
        block = matrix.convert(look.block)
        band = matrix.convert(look.band)
        white = matrix.convert(.white)
        dark = matrix.convert(.nearBlack)
    }

    /// Frame `index` of `count`: the bar sweeps edge to edge over the clip, so the first and last frames differ.
    func paintFrame(_ index: Int, of count: Int, into planes: ClipPlanes) {
        paintBackground(planes)
        let (w, h) = (planes.width, planes.height)
        let progress = count > 1 ? Double(index) / Double(count - 1) : 0

        let barWidth = even(max(2, w / 10))
        let along = look.barLeftToRight ? progress : 1 - progress
        let barX = even(Int((along * Double(w - barWidth)).rounded()))
        fill(planes, x: barX, y: 0, width: barWidth, height: h, bar)

        // Two bounces over the clip, a triangle wave from the seed's phase.
        let side = even(max(4, min(w, h) / 4))
        let phase = (2 * progress + look.blockPhase).truncatingRemainder(dividingBy: 1)
        let bounce = phase < 0.5 ? 2 * phase : 2 - 2 * phase
        let blockX = even(Int(look.blockColumn * Double(w - side)))
        let blockY = even(Int((bounce * Double(h - side)).rounded()))
        fill(planes, x: blockX, y: blockY, width: side, height: side, block)

        if watermark { paintWatermark(planes) }
    }

    /// A still picture: the gradient, a band across the lower part and a block.
    func paintStill(into planes: ClipPlanes) {
        paintBackground(planes)
        let (w, h) = (planes.width, planes.height)
        let bandY = even(Int(look.bandTop * Double(h)))
        fill(planes, x: 0, y: bandY, width: w, height: max(2, even(Int(look.bandHeight * Double(h)))), band)
        let side = even(max(4, min(w, h) / 3))
        let blockX = even(Int(look.blockColumn * Double(w - side)))
        let blockY = even(Int(look.blockPhase * Double(max(0, bandY - side))))
        fill(planes, x: blockX, y: blockY, width: side, height: side, block)
    }

    /// A white square with a dark border in the bottom-right corner.
    private func paintWatermark(_ planes: ClipPlanes) {
        let short = min(planes.width, planes.height)
        let side = even(max(8, short / 5))
        let margin = even(max(2, short / 16))
        let border = even(max(2, side / 6))
        let x = planes.width - margin - side, y = planes.height - margin - side
        fill(planes, x: x, y: y, width: side, height: side, dark)
        fill(planes, x: x + border, y: y + border, width: side - 2 * border, height: side - 2 * border, white)
    }

    private func paintBackground(_ planes: ClipPlanes) {
        for row in 0..<planes.height {
            memset(planes.y + row * planes.yStride, Int32(rowY[row]), planes.yStride)
        }
        for row in 0..<planes.chromaHeight {
            memset(planes.u + row * planes.uStride, Int32(rowU[row]), planes.uStride)
            memset(planes.v + row * planes.vStride, Int32(rowV[row]), planes.vStride)
        }
    }

    /// Fills a rectangle given in luma pixels, clipped to the picture; chroma covers the matching 2×2 cells.
    private func fill(_ planes: ClipPlanes, x: Int, y: Int, width: Int, height: Int, _ colour: ClipYUV) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(planes.width, x + width), y1 = min(planes.height, y + height)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            memset(planes.y + row * planes.yStride + x0, Int32(colour.y), x1 - x0)
        }
        let cx0 = x0 / 2, cx1 = (x1 + 1) / 2
        for row in (y0 / 2)..<((y1 + 1) / 2) {
            memset(planes.u + row * planes.uStride + cx0, Int32(colour.u), cx1 - cx0)
            memset(planes.v + row * planes.vStride + cx0, Int32(colour.v), cx1 - cx0)
        }
    }

    /// Shapes start on even pixels so each covers whole chroma samples.
    private func even(_ value: Int) -> Int { value & ~1 }
}

/// A sine tone with short fades at both ends, so the clip starts and stops without a click.
struct ClipTone {
    let frequency: Double
    let sampleRate: Int
    /// Length of the whole tone in samples.
    let totalSamples: Int

    /// Writes samples `start..<start + count` as 32-bit floats.
    func render(into output: UnsafeMutablePointer<Float>, start: Int, count: Int) {
        guard count > 0 else { return }
        let amplitude = 0.3
        let step = 2 * Double.pi * frequency / Double(sampleRate)
        // sin(a + step) = 2cos(step)·sin(a) − sin(a − step): two multiplies a sample instead of a libm call,
        // which matters in debug builds. Each call starts again from exact values, so no error builds up.
        let twoCos = 2 * cos(step)
        var previous = sin(step * Double(start - 1)), current = sin(step * Double(start))
        for i in 0..<count {
            output[i] = Float(amplitude * current)
            (previous, current) = (current, twoCos * current - previous)
        }
        // 10 ms fades at both ends, so the clip starts and stops without a click.
        let fade = max(1, sampleRate / 100)
        let end = start + count
        let headEnd = max(start, min(end, fade)), tailStart = min(end, max(start, totalSamples - fade))
        for n in Array(start..<headEnd) + Array(tailStart..<end) {
            output[n - start] *= Float(max(0, min(n, totalSamples - 1 - n))) / Float(fade)
        }
    }
}
