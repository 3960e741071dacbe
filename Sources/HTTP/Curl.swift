import CCurl

/// libcurl, as reel links it. The transfer engine arrives with `reel sync`; until then this module only
/// reports the library's version for `reel --version`.
public enum Curl {
    /// The libcurl version string, e.g. "7.88.1".
    public static var libraryVersion: String { String(cString: reel_curl_version_info().pointee.version) }
}
