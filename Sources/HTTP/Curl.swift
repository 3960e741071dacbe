import CCurl

/// libcurl, as reel links it.
public enum Curl {
    /// The libcurl version string, e.g. "7.88.1".
    public static var libraryVersion: String { String(cString: reel_curl_version_info().pointee.version) }

    /// curl_global_init is not safe to race with itself, and curl_easy_init calls it implicitly when it has
    /// not run: a static let runs it exactly once, before the first handle.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}

/// One easy handle (one transfer). Freed in deinit, before what it points at: the header list it was given.
final class EasyHandle {
    let raw: UnsafeMutableRawPointer
    /// libcurl writes its error sentence here (CURLOPT_ERRORBUFFER).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Owned here so that it outlives the handle that sends it.
    private var headerList: HeaderList?
    /// The first option libcurl refused, reported when the transfer is set up.
    private(set) var setupFailure: CURLcode = CURLE_OK

    init?() {
        guard Curl.initialized, let raw = curl_easy_init() else { return nil }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    private func record(_ code: CURLcode) {
        if setupFailure == CURLE_OK && code != CURLE_OK { setupFailure = code }
    }

    func set(_ option: CURLoption, _ value: Int) { record(reel_curl_setopt_long(raw, option, value)) }
    /// libcurl copies string options, so the Swift string need not outlive the call.
    func set(_ option: CURLoption, _ value: String) { record(reel_curl_setopt_string(raw, option, value)) }
    func set(_ option: CURLoption, offset value: Int64) { record(reel_curl_setopt_off_t(raw, option, curl_off_t(value))) }
    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) { record(reel_curl_setopt_pointer(raw, option, value)) }
    func set(_ option: CURLoption, callback: curl_write_callback) { record(reel_curl_setopt_write_callback(raw, option, callback)) }

    func set(headers list: HeaderList) {
        headerList = list
        set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(list.head))
    }

    func info(long item: CURLINFO) -> Int? {
        var value = 0
        return reel_curl_getinfo_long(raw, item, &value) == CURLE_OK ? value : nil
    }

    func info(offset item: CURLINFO) -> Int64? {
        var value: curl_off_t = 0
        return reel_curl_getinfo_off_t(raw, item, &value) == CURLE_OK ? Int64(value) : nil
    }

    func info(string item: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard reel_curl_getinfo_string(raw, item, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    /// libcurl's sentence for the last failure: the error buffer, or the generic text for the code.
    func errorText(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }
}

/// A `curl_slist` of header lines, freed in deinit.
final class HeaderList {
    private(set) var head: UnsafeMutablePointer<curl_slist>?

    init(_ lines: [String]) {
        for line in lines {
            // curl_slist_append copies the line; on allocation failure it returns nil and keeps the old list.
            if let next = curl_slist_append(head, line) { head = next }
        }
    }

    deinit {
        curl_slist_free_all(head)
    }
}

/// The multi handle: the connection cache and the set of running transfers. Freed in deinit.
final class MultiHandle {
    let raw: UnsafeMutableRawPointer

    init?(maxConnectionsPerHost: Int) {
        guard Curl.initialized, let raw = curl_multi_init() else { return nil }
        self.raw = raw
        _ = reel_curl_multi_setopt_long(raw, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, maxConnectionsPerHost))
    }

    deinit {
        curl_multi_cleanup(raw)
    }
}
