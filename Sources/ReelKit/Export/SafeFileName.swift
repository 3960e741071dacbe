import Foundation

/// Names that are safe on Linux, macOS and Windows: text from anywhere (prompts, tags, model names) made
/// into one path component that every common file system accepts and that cannot name another folder.
///
/// A safe component is NFC, at most ``maxBytes`` bytes of UTF-8, never empty, and has no `/` `\`, no
/// control characters, none of Windows' `< > : " | ? *`, no leading dot (a hidden file, or `..`), no trailing
/// dot or space (Windows drops them) and no Windows device name (`CON`, `con.mp4`, `LPT9 .txt`…).
public enum SafeFileName {
    /// The longest component in UTF-8 bytes: ext4, APFS and (as UTF-16, never more units than UTF-8 bytes) NTFS.
    public static let maxBytes = 255

    /// The longest collision suffix and extension kept whole, in bytes: the stem always keeps at least 126.
    static let maxTailPartBytes = 64

    /// One safe path component from any text. When it must be cut to ``maxBytes``, the stem is cut and a
    /// short extension (`.mp4`: 1–16 ASCII letters and digits after the last dot) is kept.
    /// `".hidden"` → `"hidden"`, `".."` → `"_"`, `"CON"` → `"CON_"`, `"a:b"` → `"a_b"`.
    public static func component(_ text: String) -> String {
        fileName(text, suffix: "")
    }

    /// `stem + suffix + "." + ext` made safe and cut to ``maxBytes`` by cutting the stem only, so the suffix
    /// and the extension survive. Export numbers a collision with `suffix` `" (2)"`, `" (3)"`…; `""` for none.
    /// An empty `ext` gives no dot. An empty stem becomes `"_"`.
    ///
    /// - Parameters:
    ///   - stem: the name before the suffix; sanitised like any text.
    ///   - suffix: short text kept whole after the stem (its spaces are kept; at most 64 bytes are).
    ///   - ext: the extension without its dot, e.g. `"mp4"` (at most 64 bytes are kept).
    public static func fileName(stem: String, suffix: String, ext: String) -> String {
        let ext = cut(stripped(cleaned(ext), leading: true, trailing: true), toBytes: maxTailPartBytes)
        var suffix = cut(cleaned(suffix, trimming: false), toBytes: maxTailPartBytes)
        if ext.isEmpty { suffix = stripped(suffix, leading: false, trailing: true, spacesAtStart: false) }
        let tail = suffix + (ext.isEmpty ? "" : "." + ext)
        // Windows drops dots at the end of a name: only a stem that ends the name loses them (`a..mp4` is valid).
        let stemEnds = tail.isEmpty
        let budget = maxBytes - tail.utf8.count
        var stem = fitted(stripped(cleaned(stem), leading: true, trailing: stemEnds), budget: budget, stemEnds: stemEnds)
        if let device = reservedDeviceName(stem + tail) {
            // `CON` → `CON_`, `con.mp4` → `con_.mp4`: the device name is always the start of the stem.
            stem.insert("_", at: stem.index(stem.startIndex, offsetBy: min(device.count, stem.count)))
            stem = fitted(stem, budget: budget, stemEnds: stemEnds)
        }
        return stem + tail
    }

    /// A whole name (stem and perhaps an extension) with `suffix` inserted before its extension.
    static func fileName(_ name: String, suffix: String) -> String {
        let name = stripped(cleaned(name), leading: true, trailing: true)
        let (stem, ext) = splitExtension(name)
        return fileName(stem: stem, suffix: suffix, ext: ext)
    }

    /// The rules for the characters of any text put into a name, field values first: NFC; `/` and `\` (which
    /// would make folders) and Windows' reserved `< > : " | ? *` become `_`; NUL is dropped; control characters,
    /// line and paragraph separators become spaces; invisible direction and byte-order marks are dropped (they
    /// can make `clip.exe` look like `clip.mp4`); every run of whitespace becomes one space, trimmed at the ends
    /// unless `trimming` is false.
    static func cleaned(_ text: String, trimming: Bool = true) -> String {
        if let ascii = cleanedASCII(text, trimming: trimming) { return ascii }
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF:
                continue
            case 0x2F, 0x5C, 0x3C, 0x3E, 0x3A, 0x22, 0x7C, 0x3F, 0x2A:  // / \ < > : " | ? *
                if pendingSpace { scalars.append(" ") }
                pendingSpace = false
                scalars.append("_")
            case 0x01...0x1F, 0x7F...0x9F, 0x2028, 0x2029:
                pendingSpace = true
            default:
                // Looking up Unicode properties is most of the cost of a name: ASCII answers directly.
                if scalar.isASCII ? scalar == " " : scalar.properties.isWhitespace {
                    pendingSpace = true
                } else {
                    if pendingSpace { scalars.append(" ") }
                    pendingSpace = false
                    scalars.append(scalar)
                }
            }
        }
        if pendingSpace { scalars.append(" ") }
        // ASCII is NFC already; the Foundation call is most of the cost of a name.
        var result = String(scalars)
        if !result.utf8.allSatisfy({ $0 < 0x80 }) { result = result.precomposedStringWithCanonicalMapping }
        if trimming { result = stripped(result, leading: false, trailing: false) }
        return result
    }

    /// ``cleaned(_:trimming:)`` for text that is all ASCII (most names), byte by byte; nil for any other text.
    private static func cleanedASCII(_ text: String, trimming: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            switch byte {
            case 0x80...: return nil
            case 0: continue
            case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ":"),
                UInt8(ascii: "\""), UInt8(ascii: "|"), UInt8(ascii: "?"), UInt8(ascii: "*"):
                if pendingSpace { bytes.append(0x20) }
                pendingSpace = false
                bytes.append(UInt8(ascii: "_"))
            case 0x01...0x20, 0x7F:
                pendingSpace = true
            default:
                if pendingSpace { bytes.append(0x20) }
                pendingSpace = false
                bytes.append(byte)
            }
        }
        if pendingSpace { bytes.append(0x20) }
        let result = String(decoding: bytes, as: UTF8.self)
        return trimming ? stripped(result, leading: false, trailing: false) : result
    }

    /// `text` without spaces at its end (and at its start unless `spacesAtStart` is false), and without dots at
    /// the start (`leading`) or end (`trailing`).
    static func stripped(_ text: String, leading: Bool, trailing: Bool, spacesAtStart: Bool = true) -> String {
        var scalars = text.unicodeScalars[...]
        while let first = scalars.first, (spacesAtStart && first == " ") || (leading && first == ".") {
            scalars.removeFirst()
        }
        while let last = scalars.last, last == " " || (trailing && last == ".") { scalars.removeLast() }
        return String(scalars)
    }

    /// A stem cut to `budget` bytes, trimmed again where the cut fell, and never empty.
    private static func fitted(_ stem: String, budget: Int, stemEnds: Bool) -> String {
        let stem = stripped(cut(stem, toBytes: budget), leading: true, trailing: stemEnds)
        return stem.isEmpty ? "_" : stem
    }

    /// The longest prefix of whole Characters (grapheme clusters) within `maxBytes` of UTF-8, so that no
    /// accent is parted from its letter and no emoji sequence or flag is split.
    static func cut(_ text: String, toBytes maxBytes: Int) -> String {
        guard text.utf8.count > maxBytes else { return text }
        var bytes = 0
        var end = text.startIndex
        for index in text.indices {
            bytes += text[index].utf8.count
            if bytes > maxBytes { break }
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    /// `"clip.mp4"` → (`"clip"`, `"mp4"`). An extension is 1–16 ASCII letters or digits after the last dot,
    /// with something before the dot; `"a cat. Then"` has none.
    static func splitExtension(_ name: String) -> (stem: String, ext: String) {
        guard let dot = name.unicodeScalars.lastIndex(of: "."), dot != name.unicodeScalars.startIndex else {
            return (name, "")
        }
        let ext = name.unicodeScalars[name.unicodeScalars.index(after: dot)...]
        guard (1...16).contains(ext.count), ext.allSatisfy(isASCIIAlphanumeric) else { return (name, "") }
        return (String(name.unicodeScalars[..<dot]), String(ext))
    }

    private static func isASCIIAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }

    /// Windows' device names, which name a device in any folder, with any extension: `NUL.txt` is NUL.
    private static let deviceNames: Set<String> = {
        var names: Set<String> = ["con", "prn", "aux", "nul", "conin$", "conout$"]
        for digit in ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³"] {
            names.insert("com" + digit)
            names.insert("lpt" + digit)
        }
        return names
    }()

    /// The device name `name` would open on Windows, if any: the text before the first dot, spaces trimmed.
    private static func reservedDeviceName(_ name: String) -> String? {
        let base = name.unicodeScalars.prefix { $0 != "." }
        let device = stripped(String(base), leading: false, trailing: false)
        return deviceNames.contains(device.lowercased()) ? device : nil
    }
}
