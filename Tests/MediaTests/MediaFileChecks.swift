import Foundation
import Media
import Testing
import TestSupport

// Checks on encoded files, shared by the suites that make them (ClipEncoder's clips and stills, posters).

/// Writes `bytes` into `folder` as `name`; returns the file's path.
func writeFile(_ bytes: [UInt8], as name: String, in folder: TemporaryDirectory) throws -> String {
    let path = folder.file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// Writes `bytes` into `folder` as `name` and probes the file.
func probe(_ bytes: [UInt8], as name: String, in folder: TemporaryDirectory) throws -> MediaInfo {
    try MediaProbe.probe(path: writeFile(bytes, as: name, in: folder))
}

/// The four-character types of an MP4's top-level boxes and the offset each starts at, in file order.
func topLevelBoxOffsets(_ bytes: [UInt8]) -> [(type: String, offset: Int)] {
    var boxes: [(type: String, offset: Int)] = []
    var offset = 0
    while offset + 8 <= bytes.count {
        var size = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        boxes.append((String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self), offset))
        if size == 1, offset + 16 <= bytes.count {  // 64-bit size follows the type
            size = bytes[offset + 8..<offset + 16].reduce(0) { $0 << 8 | Int($1) }
        }
        guard size >= 8 else { break }
        offset += size
    }
    return boxes
}

/// The four-character types of an MP4's top-level boxes, in file order.
func topLevelBoxes(_ bytes: [UInt8]) -> [String] { topLevelBoxOffsets(bytes).map(\.type) }

/// SOI first, EOI last, a baseline frame header (SOF0), no progressive one (SOF2), no version comment.
func expectBaselineJPEG(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
    try #require(bytes.count > 4, sourceLocation: sourceLocation)
    #expect(bytes.prefix(2) == [0xFF, 0xD8], sourceLocation: sourceLocation)
    #expect(bytes.suffix(2) == [0xFF, 0xD9], sourceLocation: sourceLocation)
    let markers = Set(zip(bytes, bytes.dropFirst()).filter { $0.0 == 0xFF }.map(\.1))
    #expect(markers.contains(0xC0), sourceLocation: sourceLocation)
    #expect(!markers.contains(0xC2), sourceLocation: sourceLocation)
    // BITEXACT leaves out the "Lavc…" comment naming the encoder's version.
    let lavc = Array("Lavc".utf8)
    #expect(!bytes.indices.contains { bytes[$0...].starts(with: lavc) }, sourceLocation: sourceLocation)
}
