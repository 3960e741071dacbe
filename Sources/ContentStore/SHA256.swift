import COpenSSL

/// An incremental SHA-256 through OpenSSL's EVP interface, which picks the fastest code the CPU
/// supports (SHA extensions, AVX2, …). It owns its `EVP_MD_CTX`.
public final class SHA256 {
    private let context: OpaquePointer

    /// Starts a new digest.
    public init() {
        // EVP_MD_CTX_new fails only when memory is exhausted, which Swift treats as fatal anyway.
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new: out of memory") }
        self.context = context
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Adds bytes to the digest.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Adds bytes to the digest.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Finishes the digest. The object must not be used afterwards.
    public func finalize() -> Digest {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &length)
        return Digest(bytes: out)
    }

    /// The digest of a byte buffer in one call.
    public static func hash(_ bytes: [UInt8]) -> Digest {
        let hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The OpenSSL version string, e.g. "OpenSSL 3.0.17 1 Jul 2025".
    public static var libraryVersion: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }
}

/// A SHA-256 digest, shown as 64 lowercase hex digits.
public struct Digest: Sendable, Hashable, CustomStringConvertible {
    /// The 32 bytes of the digest.
    public let bytes: [UInt8]

    /// The lowercase hexadecimal form, as `sha256sum` prints it.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    /// Parses 64 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        let chars = Array(hex.utf8)
        guard chars.count == 64 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let hi = Self.nibble(chars[i]), let lo = Self.nibble(chars[i + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
        }
        self.bytes = bytes
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
