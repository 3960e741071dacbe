import Foundation
import ReelKit
import Testing
import TestSupport

/// Export file names: the template language, and names that are safe on Linux, macOS and Windows for any
/// text, real prompts first.
@Suite struct ExportNameTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let tokyo = TimeZone(identifier: "Asia/Tokyo")!
    static let newYork = TimeZone(identifier: "America/New_York")!
    /// 2024-06-20T15:30:05Z: already the 21st in Tokyo.
    static let afternoon = Date(timeIntervalSince1970: 1_718_897_405)
    static func defaultTemplate() throws -> ExportTemplate { try ExportTemplate(ExportTemplate.defaultText) }

    static func clip(_ prompt: String = "a cat", _ configure: (inout ExportNameFields) -> Void = { _ in }) -> ExportNameFields {
        var fields = ExportNameFields(
            id: "1f3a9c2e-7b6d-4e8f-9a0b-1c2d3e4f5a6b", prompt: prompt, created: afternoon, state: "completed")
        configure(&fields)
        return fields
    }

    static func path(_ template: String, _ fields: ExportNameFields, _ zone: TimeZone = utc, suffix: String = "") throws -> String {
        try ExportTemplate(template).relativePath(for: fields, timeZone: zone, suffix: suffix)
    }

    /// What is wrong with a component, by the rules every file system reel writes to needs; empty when fine.
    static func problems(_ component: String) -> [String] {
        var problems: [String] = []
        if component.isEmpty { problems.append("empty") }
        if component.utf8.count > 255 { problems.append("\(component.utf8.count) bytes") }
        if String(decoding: Array(component.utf8), as: UTF8.self) != component { problems.append("not UTF-8") }
        if component != component.precomposedStringWithCanonicalMapping { problems.append("not NFC") }
        for scalar in component.unicodeScalars {
            if "/\\<>:\"|?*".unicodeScalars.contains(scalar) { problems.append("reserved \(scalar)") }
            if scalar.properties.generalCategory == .control || [0x2028, 0x2029].contains(scalar.value) {
                problems.append("control U+\(String(scalar.value, radix: 16))")
            }
            if [0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069].contains(scalar.value) {
                problems.append("direction mark")
            }
        }
        if component.hasPrefix(".") || component.hasPrefix(" ") { problems.append("leading dot or space") }
        if component.hasSuffix(".") || component.hasSuffix(" ") { problems.append("trailing dot or space") }
        let device = component.prefix { $0 != "." }.trimmingCharacters(in: .init(charactersIn: " ")).lowercased()
        if ["con", "prn", "aux", "nul"].contains(device) || device.wholeMatch(of: /(com|lpt)[0-9¹²³]/) != nil {
            problems.append("device name")
        }
        return problems
    }

    static func expectSafe(_ path: String, components count: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) {
        let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        #expect(components.count == count, "\(path)", sourceLocation: sourceLocation)
        for component in components {
            #expect(problems(component) == [], "\(component.debugDescription)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Real prompts

    @Test(arguments: ["en", "zh"])
    func everyCorpusPromptGivesASafeDeterministicName(language: String) throws {
        let prompts = Fixtures.prompts(language)
        #expect(prompts.count == 946, "the corpus's prompts are missing")
        let long = try ExportTemplate("{created:%Y}/{res}/{prompt} {prompt} {prompt} {prompt}.{ext}")
        let defaultTemplate = try Self.defaultTemplate()
        for (offset, prompt) in prompts.enumerated() {
            let fields = Self.clip(prompt) { $0.index = offset + 1; $0.resolution = "720p" }
            let name = defaultTemplate.relativePath(for: fields, timeZone: Self.tokyo)
            Self.expectSafe(name)
            #expect(name.hasPrefix("2024-06-21_") && name.hasSuffix("_1f3a9c2e.mp4"), "\(name)")
            #expect(name == defaultTemplate.relativePath(for: fields, timeZone: Self.tokyo))
            #expect(name == (try ExportTemplate(ExportTemplate.defaultText)).relativePath(for: fields, timeZone: Self.tokyo))
            // Four times the prompt: cut to fit, the extension kept.
            let path = long.relativePath(for: fields, timeZone: Self.tokyo)
            Self.expectSafe(path, components: 3)
            #expect(path.hasPrefix("2024/720p/") && path.hasSuffix(".mp4"), "\(path)")
            Self.expectSafe(long.relativePath(for: fields, timeZone: Self.tokyo, suffix: " (2)"), components: 3)
        }
    }

    /// The names are accepted by a real file system, which keeps them byte for byte.
    @Test func corpusNamesAreCreatedAsGiven() throws {
        let folder = TemporaryDirectory()
        let prompts = Fixtures.prompts("en") + Fixtures.prompts("zh")
        let template = try ExportTemplate("{prompt}_{index:04}.{ext}")
        var names: Set<String> = []
        for (offset, prompt) in prompts.enumerated() {
            let name = template.relativePath(for: Self.clip(prompt) { $0.index = offset + 1 }, timeZone: Self.utc)
            #expect(FileManager.default.createFile(atPath: folder.file(name), contents: nil), "\(name)")
            names.insert(name)
        }
        let listed = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(Set(listed) == names)
        #expect(listed.count == prompts.count)
    }

    // MARK: Values that try to leave DIR or break a file system

    @Test func valuesCannotMakeFoldersOrLeaveDIR() throws {
        let cases = [
            "../../etc/passwd": "_.._etc_passwd.mp4", "..": "_.mp4", ".": "_.mp4", "/abs": "_abs.mp4",
            "a\\b/c": "a_b_c.mp4", ".hidden": "hidden.mp4", "...x": "x.mp4",
        ]
        for (prompt, expected) in cases {
            #expect(try Self.path("{prompt}.{ext}", Self.clip(prompt)) == expected)
        }
        #expect(try Self.path("{created:%Y}/{prompt}/{id:.8}.{ext}", Self.clip("../..")) == "2024/_/1f3a9c2e.mp4")
        #expect(try Self.path("{prompt}", Self.clip("../../etc/passwd")) == "_.._etc_passwd")
        #expect(SafeFileName.component("..") == "_")
        #expect(SafeFileName.component(".") == "_")
        #expect(SafeFileName.component("...") == "_")
        #expect(SafeFileName.component(".hidden") == "hidden")
        #expect(SafeFileName.component("...x") == "x")
        #expect(SafeFileName.component("/abs") == "_abs")
    }

    @Test func windowsDeviceNamesGetAnUnderscore() throws {
        let cases = [
            "CON": "CON_", "con.mp4": "con_.mp4", "nul": "nul_", "LPT9": "LPT9_", "CON .txt": "CON_.txt",
            "Aux.tar.gz": "Aux_.tar.gz", "com1": "com1_", "COM¹": "COM¹_", "prn.": "prn_",
            // Not device names:
            "Console": "Console", "CONNECT.mp4": "CONNECT.mp4", "lpt10": "lpt10", "my con": "my con",
        ]
        for (text, expected) in cases {
            #expect(SafeFileName.component(text) == expected)
        }
        #expect(try Self.path("{prompt}.{ext}", Self.clip("CON")) == "CON_.mp4")
        #expect(try Self.path("{model}/{prompt}", Self.clip("nul") { $0.model = "aux" }) == "aux_/nul_")
        #expect(SafeFileName.fileName(stem: "con", suffix: "", ext: "mp4") == "con_.mp4")
        #expect(SafeFileName.fileName(stem: "con", suffix: " (2)", ext: "mp4") == "con (2).mp4")
    }

    @Test func controlAndReservedCharacters() {
        let cases = [
            "a\nb\tc": "a b c", "a\r\n\r\nb": "a b", "a\0b": "ab", "a\u{2028}b\u{2029}c": "a b c", "a\u{85}b\u{7F}c": "a b c",
            "a \n\t  b": "a b", "  spaced  ": "spaced", "a<b>c:d\"e|f?g*h": "a_b_c_d_e_f_g_h",
            // Direction overrides would show `clip\u{202E}4pm.exe` as `clipexe.mp4`.
            "clip\u{202E}4pm.exe": "clip4pm.exe", "\u{200F}שלום\u{200E} world": "שלום world", "\u{FEFF}bom": "bom",
            "name. . .": "name", "trailing  ": "trailing", "dots...": "dots", "\u{3000}全角\u{3000}space": "全角 space",
        ]
        for (text, expected) in cases {
            #expect(SafeFileName.component(text) == expected, "\(text.debugDescription)")
            #expect(Self.problems(SafeFileName.component(text)) == [])
        }
    }

    @Test func decomposedTextBecomesNFC() throws {
        let decomposed = "Cafe\u{301} cre\u{300}me bru\u{302}le\u{301}e"
        let name = try Self.path("{prompt}.{ext}", Self.clip(decomposed))
        #expect(name == "Café crème brûlée.mp4")
        #expect(name.unicodeScalars.elementsEqual("Caf\u{E9} cr\u{E8}me br\u{FB}l\u{E9}e.mp4".unicodeScalars))
        // A dropped mark between a letter and its accent: they still compose.
        #expect(SafeFileName.component("e\u{200E}\u{301}").unicodeScalars.elementsEqual("\u{E9}".unicodeScalars))
    }

    @Test func emptyPromptAndMissingValues() throws {
        #expect(try Self.defaultTemplate().relativePath(for: Self.clip(""), timeZone: Self.utc) == "2024-06-20__1f3a9c2e.mp4")
        #expect(try Self.path("{prompt}.{ext}", Self.clip(" \n ")) == "_.mp4")
        #expect(try Self.path("{prompt}", Self.clip("")) == "_")
        let unknown = Self.clip { $0.created = nil }
        #expect(try Self.path("{created}|{model}|{aspect}|{res}|{dur}|{remote}|{tags}.{ext}", unknown) == "______.mp4")
        #expect(try Self.path("{model}/{id:.8}.{ext}", unknown) == "_/1f3a9c2e.mp4")
    }

    // MARK: The 255-byte limit

    @Test func longChineseIsCutOnCharactersWithinTheByteLimit() throws {
        let prompt = String(String(repeating: "城市夜景霓虹灯", count: 43).prefix(300))
        #expect(prompt.count == 300)
        let name = try Self.path("{prompt}.{ext}", Self.clip(prompt))
        #expect(name.utf8.count == 253)  // 83 characters of 3 bytes, and ".mp4"; an 84th would make 256
        #expect(name.hasSuffix(".mp4"))
        let stem = String(name.dropLast(4))
        #expect(stem.count == 83 && prompt.hasPrefix(stem))
        // Without an extension the whole 255 bytes are used: 85 characters.
        let component = SafeFileName.component(prompt)
        #expect(component.utf8.count == 255 && component.count == 85 && prompt.hasPrefix(component))
    }

    @Test func emojiSequencesAndFlagsAreNeverSplit() throws {
        let emoji = ["👨‍👩‍👧‍👦", "🏳️‍🌈", "🇯🇵", "👍🏽", "😀", "🧑🏿‍🚀", "🇺🇸"]
        let prompt = (0..<100).map { emoji[$0 % emoji.count] }.joined()
        #expect(prompt.count == 100)
        for suffix in ["", " (2)", " (123)"] {
            let name = try Self.path("{prompt}.{ext}", Self.clip(prompt), suffix: suffix)
            #expect(name.utf8.count <= 255 && name.utf8.count > 255 - 25 - suffix.utf8.count)
            #expect(name.hasSuffix(suffix + ".mp4"))
            let stem = String(name.dropLast(suffix.count + 4))
            #expect(Array(prompt.prefix(stem.count)) == Array(stem))
            #expect(stem.allSatisfy { emoji.contains(String($0)) })
        }
    }

    @Test func combiningMarksStayWithTheirLetter() {
        // 200 letters with two marks each: NFC composes the first, the second stays a separate scalar.
        let text = String(repeating: "a\u{301}\u{316}", count: 200)
        let name = SafeFileName.fileName(stem: text, suffix: " (2)", ext: "mp4")
        #expect(name.utf8.count <= 255 && name.hasSuffix(" (2).mp4"))
        let stem = name.dropLast(8)
        #expect(stem.allSatisfy { $0 == "a\u{301}\u{316}" })  // Character equality is canonical
        #expect(stem.unicodeScalars.last == "\u{316}")
        // One Character larger than a whole name (a letter with 300 marks) cannot be kept.
        let zalgo = "a" + String(repeating: "\u{316}", count: 300)
        #expect(SafeFileName.component(zalgo) == "_")
        #expect(SafeFileName.component(zalgo + " b") == "_")
    }

    // MARK: Collisions

    @Test func collisionSuffixGoesBeforeTheExtensionAndKeepsTheLimit() throws {
        #expect(try Self.path("{prompt}.{ext}", Self.clip(), suffix: " (2)") == "a cat (2).mp4")
        #expect(try Self.path("{prompt}.mov", Self.clip(), suffix: " (3)") == "a cat (3).mov")
        #expect(try Self.path("{prompt}", Self.clip(), suffix: " (2)") == "a cat (2)")
        #expect(try Self.path("{model}/{prompt}.{ext}", Self.clip { $0.model = "ray.2" }, suffix: " (2)") == "ray.2/a cat (2).mp4")
        #expect(try Self.path("{prompt}.{ext}", Self.clip(""), suffix: " (2)") == "_ (2).mp4")
        let long = String(repeating: "a", count: 300)
        for (suffix, ext) in [("", "mp4"), (" (2)", "mp4"), (" (10000)", "webm"), (" (2)", "")] {
            let name = SafeFileName.fileName(stem: long, suffix: suffix, ext: ext)
            let tail = suffix + (ext.isEmpty ? "" : "." + ext)
            #expect(name.utf8.count == 255 && name.hasSuffix(tail) && name == String(repeating: "a", count: 255 - tail.utf8.count) + tail)
            #expect(SafeFileName.component(name) == name)
        }
        let cjk = String(repeating: "夜", count: 300)
        let name = try Self.path("{prompt}.{ext}", Self.clip(cjk), suffix: " (2)")
        #expect(name == String(repeating: "夜", count: 82) + " (2).mp4")  // 246 + 8 bytes; an 83rd would make 257
    }

    // MARK: Fields and specs

    @Test func createdInAFixedZoneCrossingMidnight() throws {
        let clip = Self.clip()
        #expect(try Self.path("{created:%Y-%m-%d}", clip, Self.utc) == "2024-06-20")
        #expect(try Self.path("{created:%Y-%m-%d}", clip, Self.tokyo) == "2024-06-21")
        #expect(try Self.path("{created}", clip, Self.utc) == "2024-06-20T153005")
        #expect(try Self.path("{created}", clip, Self.tokyo) == "2024-06-21T003005")
        #expect(try Self.path("{created:%H%M %z %a %b}", clip, Self.tokyo) == "0030 +0900 Fri Jun")
        #expect(try Self.path("{created:%H%M %z %A}", clip, Self.newYork) == "1130 -0400 Thursday")
        let newYear = Self.clip { $0.created = Date(timeIntervalSince1970: 1_735_671_600) }  // 2024-12-31T19:00Z
        let template = "{created:%Y}/{created:%m}/{created:%d}_{id:.8}.{ext}"
        #expect(try Self.path(template, newYear, Self.utc) == "2024/12/31_1f3a9c2e.mp4")
        #expect(try Self.path(template, newYear, Self.tokyo) == "2025/01/01_1f3a9c2e.mp4")
        #expect(try Self.path("{created:%Y-%m-%d %H%M%S}", Self.clip { $0.created = Date(timeIntervalSince1970: -1.5) }) == "1969-12-31 235958")
        // Colons and slashes that strftime writes are made safe like any value.
        #expect(try Self.path("{created:%T %D}", clip, Self.utc) == "15_30_05 06_20_24")
    }

    @Test func createdIsThreadSafeAndLeavesTheProcessZoneAlone() async throws {
        let template = try ExportTemplate("{created:%Y-%m-%d %H%M %Z}")
        let zones = TimeZone.knownTimeZoneIdentifiers.compactMap(TimeZone.init(identifier:))
        let serial = zones.map { template.relativePath(for: Self.clip(), timeZone: $0) }
        let tzBefore = ProcessInfo.processInfo.environment["TZ"]
        let parallel = await withTaskGroup(of: (Int, String).self) { group in
            for (offset, zone) in zones.enumerated() {
                group.addTask { (offset, template.relativePath(for: Self.clip(), timeZone: zone)) }
            }
            var results = [String](repeating: "", count: zones.count)
            for await (offset, name) in group { results[offset] = name }
            return results
        }
        #expect(parallel == serial)
        #expect(zones.count > 300 && Set(serial).count > 30)
        #expect(ProcessInfo.processInfo.environment["TZ"] == tzBefore)
    }

    @Test func indexDurationTagsAspectAndBraces() throws {
        let clip = Self.clip {
            $0.index = 7
            $0.duration = 5.24
            $0.tags = ["city", "genre:noir", "夜景"]
            $0.aspect = "16:9"
            $0.resolution = "720p"
            $0.model = "ray-2"
            $0.remote = "luma"
        }
        #expect(try Self.path("{index:04}_{index}_{index:01}", clip) == "0007_7_7")
        #expect(try Self.path("{index:02}", Self.clip { $0.index = 123 }) == "123")
        #expect(try Self.path("{dur}s {dur:.0} {dur:.2}", clip) == "5.2s 5 5.24")
        for (seconds, expected) in [(5.0, "5"), (4.96, "5"), (5.26, "5.3"), (12, "12"), (0.04, "0"), (600.5, "600.5")] {
            #expect(try Self.path("{dur}", Self.clip { $0.duration = seconds }) == expected)
        }
        #expect(try Self.path("{tags}", clip) == "city,genre_noir,夜景")
        #expect(try Self.path("{aspect}_{res}_{model:.3}_{remote}_{state}", clip) == "16x9_720p_ray_luma_completed")
        #expect(try Self.path("{{{id:.8}}}.{ext}", clip) == "{1f3a9c2e}.mp4")
        #expect(try Self.path("{{literal}}/{ID:.4}.{ext}", clip) == "{literal}/1f3a.mp4")
        // `.N` counts Characters; a cut between words leaves no space before the next literal.
        #expect(try Self.path("{prompt:.6}_{prompt:.2}", Self.clip("hello world 👨‍👩‍👧‍👦")) == "hello_he")
        #expect(try Self.path("{prompt:.13}", Self.clip("hello world 👨‍👩‍👧‍👦")) == "hello world 👨‍👩‍👧‍👦")
    }

    @Test func aTemplateWithoutFieldsIsAllowed() throws {
        #expect(try Self.path("clip.mp4", Self.clip()) == "clip.mp4")
        #expect(try Self.path("a:b/c?.mp4", Self.clip(), suffix: " (2)") == "a_b/c_ (2).mp4")
    }

    // MARK: Template errors

    @Test(arguments: [
        ("abc_{foo}.mp4", 5, "{foo}", "unknown field \"foo\""),
        ("{}", 1, "{}", "a field without a name"),
        ("{prompt:60}", 9, "60", "bad spec \"60\" for prompt"),
        ("{prompt:.0}", 9, ".0", "bad spec \".0\" for prompt"),
        ("{prompt:}", 9, "", "bad spec \"\" for prompt"),
        ("{index:4}", 8, "4", "bad spec \"4\" for index"),
        ("{dur:.x}", 6, ".x", "bad spec \".x\" for dur"),
        ("{created:%Y-%Q}", 13, "%Q", "strftime has no conversion \"%Q\""),
        ("{created:%}", 10, "%", "strftime has no conversion \"%\""),
        ("{created:%s}", 10, "%s", "strftime has no conversion \"%s\""),
        ("{created:plain}", 10, "plain", "this date pattern has no % conversion"),
        ("{created:%Y/%m}", 12, "%Y/%m", "a field's value cannot make folders"),
        ("{prompt", 1, "{prompt", "this { is never closed"),
        ("x_{id{ext}", 3, "{id", "this { is never closed"),
        ("a}b", 2, "}", "a } that closes no field"),
        ("../x", 1, "..", "\"..\" is not a folder name"),
        ("x/../y", 3, "..", "\"..\" is not a folder name"),
        ("./x", 1, ".", "\".\" is not a folder name"),
        ("/x", 1, "/", "the template is an absolute path"),
        ("a//b", 3, "/", "an empty folder name (//)"),
        ("a/", 2, "/", "the template ends with /"),
        ("a\\b", 2, "\\", "\\ is a folder separator on Windows"),
        ("", 1, "", "the template is empty"),
    ])
    func badTemplates(template: String, column: Int, token: String, message: String) {
        #expect(throws: ExportTemplateError.self) { try ExportTemplate(template) }
        do {
            _ = try ExportTemplate(template)
        } catch {
            #expect(error.column == column)
            #expect(error.token == token)
            #expect(error.message == message)
            #expect(error.hint != nil)
            #expect(error.description.hasPrefix("bad template at column \(column) ") && !error.description.contains("\n"))
        }
    }
}
