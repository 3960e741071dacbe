import CFFmpeg

/// One YUVJ420P picture in, one baseline JPEG out: the mjpeg encoding behind ``ClipEncoder``'s stills
/// and ``PosterFrame``, kept in one place so both write the same kind of file.
enum StillJPEG {
    /// Encodes the picture `paint` draws into a zeroed `width`×`height` YUVJ420P (BT.601, full range) frame.
    ///
    /// - Parameters:
    ///   - label: Named in errors as their path: the source file, or a placeholder for synthetic pictures.
    ///   - paint: Fills the frame's planes; may throw to abandon the picture.
    /// - Returns: The whole JPEG file. Identical for identical pictures (BITEXACT, fixed quantiser).
    static func encode(
        width: Int, height: Int, label: String, paint: (ClipPlanes) throws(MediaError) -> Void
    ) throws(MediaError) -> [UInt8] {
        let encoder = try ClipCodec(encoder: "mjpeg", label: label)
        let c = encoder.pointer
        c.pointee.width = Int32(width)
        c.pointee.height = Int32(height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        c.pointee.color_range = AVCOL_RANGE_JPEG
        c.pointee.time_base = AVRational(num: 1, den: 1)
        c.pointee.thread_count = 1
        // A fixed quantiser (q 3, visually clean) rather than a bit-rate target; BITEXACT drops the "Lavc" comment.
        c.pointee.flags |= AV_CODEC_FLAG_BITEXACT | AV_CODEC_FLAG_QSCALE
        c.pointee.global_quality = 3 * FF_QP2LAMBDA
        try encoder.open(options: [])

        let frame = try ClipFrame(label: label)
        let f = frame.pointer
        f.pointee.color_range = AVCOL_RANGE_JPEG
        try frame.allocate(width: width, height: height, format: AV_PIX_FMT_YUVJ420P)
        try paint(frame.planes)
        f.pointee.pts = 0
        f.pointee.quality = c.pointee.global_quality

        let packet = try ClipPacket(label: label)
        try encoder.send(f)
        if try !encoder.receive(packet.pointer) {
            try encoder.send(nil)
            guard try encoder.receive(packet.pointer) else { throw specError(label, "the mjpeg encoder produced no picture") }
        }
        guard let data = packet.pointer.pointee.data, packet.pointer.pointee.size > 0 else {
            throw specError(label, "the mjpeg encoder produced an empty picture")
        }
        return Array(UnsafeBufferPointer(start: data, count: Int(packet.pointer.pointee.size)))
    }
}
