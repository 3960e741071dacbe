/// How many terminal columns text takes: East Asian wide and fullwidth characters (Han, kana, Hangul,
/// fullwidth forms, most emoji) take two, combining marks and zero-width characters none.
enum TextWidth {
    static func of(_ character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        if first.properties.generalCategory == .nonspacingMark || first.properties.generalCategory == .format { return 0 }
        if first.value < 0x1100 { return first.value < 0x20 ? 0 : 1 }
        return isWide(first.value) ? 2 : 1
    }

    static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    private static func isWide(_ v: UInt32) -> Bool {
        (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xA960...0xA97F).contains(v) || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v)
            || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v)
            || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v)
    }

    /// `text` cut to `width` columns, with "…" when cut. `invisible` characters (highlight markers) take
    /// no room and are kept.
    static func cut(_ text: String, to width: Int, invisible: Set<Character> = []) -> String {
        guard of(text.filter { !invisible.contains($0) }) > width else { return text }
        var result = ""
        var used = 0
        for character in text {
            if invisible.contains(character) {
                result.append(character)
                continue
            }
            let w = of(character)
            if used + w > width - 1 { break }
            result.append(character)
            used += w
        }
        // A marker that would open on nothing but the ellipsis is dropped.
        while let last = result.last, invisible.contains(last) { result.removeLast() }
        return result + "…"
    }

    /// `text` padded with spaces to `width` columns.
    static func pad(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - of(text)))
    }
}
