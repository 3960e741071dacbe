import Foundation
import Media
import Testing
import TestSupport

/// Every corpus file, probed by `Media` and by `ffprobe`, must agree.
@Suite struct ParityTests {
    @Test(arguments: Fixtures.corpusFiles)
    func matchesFFprobe(file: String) throws {
        let path = Fixtures.corpus(file)
        let oracle = try FFprobe.run(path)
        let ours = Result { () throws(MediaError) in try MediaProbe.probe(path: path) }

        guard oracle.status == 0, let expected = oracle.output, let format = expected.format else {
            // ffprobe could not open it: neither may we.
            if case .success = ours { Issue.record("ffprobe fails on \(file) (exit \(oracle.status)) but probe succeeded") }
            if case .failure(let error) = ours { #expect(!error.message.isEmpty) }
            return
        }
        let expectedStreams = expected.streams ?? []
        if expectedStreams.isEmpty {
            // ffprobe prints an empty stream list; we report that as an error on purpose.
            #expect(throws: MediaError.self) { try ours.get() }
            if case .failure(let error) = ours { #expect(error.kind == .noStreams) }
            return
        }
        let info: MediaInfo
        switch ours {
        case .success(let value): info = value
        case .failure(let error):
            Issue.record("ffprobe opens \(file) but probe threw \(error)")
            return
        }

        // The fields the catalog relies on.
        #expect(info.streams.count == expectedStreams.count)
        try #require(info.streams.count == expectedStreams.count)
        #expect(approximately(info.duration, format.duration.flatMap(Double.init), within: 0.001),
                "format duration \(String(describing: info.duration)) vs ffprobe \(format.duration ?? "N/A")")
        for (s, e) in zip(info.streams, expectedStreams) {
            #expect(s.index == e.index)
            #expect(s.codecType == (e.codec_type ?? "unknown"), "stream \(s.index) codec_type")
            #expect(s.codecName == e.codec_name, "stream \(s.index) codec_name")
            #expect(s.width == e.width, "stream \(s.index) width")
            #expect(s.height == e.height, "stream \(s.index) height")
            #expect(s.rotation == e.side_data_list?.compactMap(\.rotation).first, "stream \(s.index) rotation")
            #expect(s.sampleRate == e.sample_rate.flatMap { Int($0) }, "stream \(s.index) sample_rate")
            #expect(s.channels == e.channels, "stream \(s.index) channels")
        }

        // Everything else MediaInfo carries, compared exactly: it all comes from the same
        // codecpar/stream fields ffprobe prints, so any difference is a bug in the mapping.
        #expect(info.formatName == format.format_name)
        #expect(info.formatLongName == format.format_long_name)
        #expect(approximately(info.startTime, format.start_time.flatMap(Double.init), within: 0.000_001))
        #expect(info.bitRate == format.bit_rate.flatMap { Int64($0) })
        #expect(info.size == format.size.flatMap { Int64($0) })
        #expect(info.tags == (format.tags ?? [:]))
        for (s, e) in zip(info.streams, expectedStreams) {
            let at = "stream \(s.index)"
            #expect(s.profile == e.profile, "\(at) profile")
            #expect(s.pixelFormat == e.pix_fmt, "\(at) pix_fmt")
            #expect(s.sampleAspectRatio == e.sample_aspect_ratio, "\(at) sample_aspect_ratio")
            #expect(s.channelLayout == e.channel_layout, "\(at) channel_layout")
            #expect(s.colorRange == e.color_range, "\(at) color_range")
            #expect(s.colorSpace == e.color_space, "\(at) color_space")
            #expect(s.colorTransfer == e.color_transfer, "\(at) color_transfer")
            #expect(s.colorPrimaries == e.color_primaries, "\(at) color_primaries")
            #expect(s.avgFrameRate == fraction(e.avg_frame_rate), "\(at) avg_frame_rate")
            #expect(s.realFrameRate == fraction(e.r_frame_rate), "\(at) r_frame_rate")
            #expect(s.bitRate == e.bit_rate.flatMap { Int64($0) }, "\(at) bit_rate")
            #expect(s.frameCount == e.nb_frames.flatMap { Int64($0) }, "\(at) nb_frames")
            #expect(approximately(s.duration, e.duration.flatMap(Double.init), within: 0.000_001), "\(at) duration")
            #expect(s.isAttachedPicture == (e.disposition?.attached_pic == 1), "\(at) attached_pic")
            #expect(s.tags == (e.tags ?? [:]), "\(at) tags")
        }
    }
}

/// Both absent, or both present and within `tolerance` (ffprobe prints 6 decimals).
func approximately(_ a: Double?, _ b: Double?, within tolerance: Double) -> Bool {
    switch (a, b) {
    case (nil, nil): true
    case let (a?, b?): abs(a - b) <= tolerance
    default: false
    }
}

/// ffprobe's `"num/den"` as the decimal `Media` reports; `nil` for `0/0` (unknown).
func fraction(_ text: String?) -> Double? {
    guard let parts = text?.split(separator: "/"), parts.count == 2,
        let num = Double(parts[0]), let den = Double(parts[1]), num != 0, den != 0
    else { return nil }
    return num / den
}
