import Foundation
import Media

/// Human-readable lines about a media file, shared by `probe` and `show`.
public enum MediaSummary {
    /// "mov,mp4,m4a,3gp,3g2,mj2 · 10.00 s · 1.6 Mb/s · 1.9 MB", then one line per stream.
    public static func lines(_ info: MediaInfo) -> [String] {
        var head = [info.formatName]
        if let d = info.duration { head.append(String(format: "%.2f s", d)) }
        if let b = info.bitRate { head.append(bitRate(b)) }
        if let s = info.size { head.append(byteCount(s)) }
        var lines = [head.joined(separator: " · ")] + info.streams.map(stream)
        if !info.hasPackets { lines.append("no frames: the file holds only a header") }
        if info.isTruncated, let size = info.size, let end = info.indexedDataEnd {
            lines.append("truncated: the file ends at byte \(size), its media runs to byte \(end)")
        }
        return lines
    }

    /// One stream: "#0 video h264 (High) 1280x720 25 fps yuv420p rotated -90°".
    public static func stream(_ s: StreamInfo) -> String {
        var parts = ["#\(s.index)", s.isAttachedPicture ? "cover" : s.codecType, s.codecName ?? "unknown codec"]
        if let p = s.profile { parts.append("(\(p))") }
        if s.codecType == "video" {
            if let w = s.width, let h = s.height { parts.append("\(w)x\(h)") }
            if let dw = s.displayWidth, let dh = s.displayHeight, s.isRotatedQuarterTurn { parts.append("→ \(dw)x\(dh)") }
            if let sar = s.sampleAspectRatio, sar != "1:1" { parts.append("SAR \(sar)") }
            if let fps = s.avgFrameRate, !s.isAttachedPicture { parts.append(frameRate(fps)) }
            if let pf = s.pixelFormat { parts.append(pf) }
            if let r = s.rotation, r != 0 { parts.append("rotated \(Int(r))°") }
        }
        if s.codecType == "audio" {
            if let rate = s.sampleRate { parts.append("\(rate) Hz") }
            if let layout = s.channelLayout { parts.append(layout) } else if let c = s.channels { parts.append("\(c) ch") }
        }
        if let language = s.language, language != "und" { parts.append("[\(language)]") }
        return parts.joined(separator: " ")
    }

    /// "25 fps", "29.97 fps".
    public static func frameRate(_ fps: Double) -> String {
        fps == fps.rounded() ? "\(Int(fps)) fps" : String(format: "%.2f fps", fps)
    }

    /// "1.6 Mb/s", "128 kb/s".
    public static func bitRate(_ bps: Int64) -> String {
        bps >= 1_000_000 ? String(format: "%.1f Mb/s", Double(bps) / 1e6) : "\(bps / 1000) kb/s"
    }

    /// "1.9 MB", "512 B" (decimal units, as file managers show them).
    public static func byteCount(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
