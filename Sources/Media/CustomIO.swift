import CFFmpeg

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an AVIOContext reads from, writes to and seeks in, when it is not a path libavformat opens itself
/// (memory for the clip encoder, a descriptor this process created for the remuxer).
protocol CustomIOEndpoint: AnyObject {
    /// Fills up to `size` bytes; AVERROR_EOF at the end, a negative AVERROR on failure.
    func read(_ target: UnsafeMutablePointer<UInt8>, _ size: Int) -> Int32
    /// Takes all `size` bytes; a negative AVERROR on failure.
    func write(_ source: UnsafePointer<UInt8>, _ size: Int) -> Int32
    /// `lseek` semantics, plus AVSEEK_SIZE (the size).
    func seek(_ offset: Int64, _ whence: Int32) -> Int64
}

extension CustomIOEndpoint {
    func read(_ target: UnsafeMutablePointer<UInt8>, _ size: Int) -> Int32 { reel_averror(ENOSYS) }
    func write(_ source: UnsafePointer<UInt8>, _ size: Int) -> Int32 { reel_averror(ENOSYS) }
}

/// Sole owner of one AVIOContext whose callbacks go to an endpoint. The context's `opaque` points here,
/// unretained; the endpoint owns this object, which refers back to it unowned.
final class CustomIO {
    let context: UnsafeMutablePointer<AVIOContext>
    private unowned let endpoint: any CustomIOEndpoint

    init?(endpoint: any CustomIOEndpoint, bufferSize: Int32, writable: Bool) {
        guard let buffer = av_malloc(Int(bufferSize)) else { return nil }
        self.endpoint = endpoint
        // The context needs the opaque before self exists; it is set right after.
        guard let context = avio_alloc_context(
            buffer.assumingMemoryBound(to: UInt8.self), bufferSize, writable ? 1 : 0, nil,
            writable ? nil : customIORead, writable ? customIOWrite : nil, customIOSeek)
        else {
            av_free(buffer)
            return nil
        }
        self.context = context
        context.pointee.opaque = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        // The context may have swapped in a buffer of its own; free whichever it holds now.
        av_free(context.pointee.buffer)
        var context: UnsafeMutablePointer<AVIOContext>? = context
        avio_context_free(&context)
    }

    private static func endpoint(_ opaque: UnsafeMutableRawPointer) -> any CustomIOEndpoint {
        Unmanaged<CustomIO>.fromOpaque(opaque).takeUnretainedValue().endpoint
    }

    // The AVIOContext callbacks are C function pointers: free functions that find their endpoint through opaque.
    fileprivate static func read(_ opaque: UnsafeMutableRawPointer?, _ target: UnsafeMutablePointer<UInt8>?, _ size: Int32) -> Int32 {
        guard let opaque, let target, size >= 0 else { return reel_averror(EINVAL) }
        return endpoint(opaque).read(target, Int(size))
    }

    fileprivate static func write(_ opaque: UnsafeMutableRawPointer?, _ source: UnsafeMutablePointer<UInt8>?, _ size: Int32) -> Int32 {
        guard let opaque, let source, size >= 0 else { return reel_averror(EINVAL) }
        return endpoint(opaque).write(source, Int(size))
    }

    fileprivate static func seek(_ opaque: UnsafeMutableRawPointer?, _ offset: Int64, _ whence: Int32) -> Int64 {
        guard let opaque else { return Int64(reel_averror(EINVAL)) }
        return endpoint(opaque).seek(offset, whence)
    }
}

private func customIORead(_ opaque: UnsafeMutableRawPointer?, _ target: UnsafeMutablePointer<UInt8>?, _ size: Int32) -> Int32 {
    CustomIO.read(opaque, target, size)
}

private func customIOWrite(_ opaque: UnsafeMutableRawPointer?, _ source: UnsafeMutablePointer<UInt8>?, _ size: Int32) -> Int32 {
    CustomIO.write(opaque, source, size)
}

private func customIOSeek(_ opaque: UnsafeMutableRawPointer?, _ offset: Int64, _ whence: Int32) -> Int64 {
    CustomIO.seek(opaque, offset, whence)
}
