#ifndef REEL_CCURL_SHIM_H
#define REEL_CCURL_SHIM_H
#include <curl/curl.h>

/// curl_easy_setopt and curl_easy_getinfo are variadic; Swift calls these typed shims instead.
static inline CURLcode reel_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode reel_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode reel_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode reel_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode reel_curl_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
/// CURLVERSION_NOW is a macro naming the newest version-info layout this header knows.
static inline curl_version_info_data *reel_curl_version_info(void) { return curl_version_info(CURLVERSION_NOW); }
/// curl_off_t options and infos (sizes, offsets): 64 bits even where `long` is 32.
static inline CURLcode reel_curl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode reel_curl_getinfo_off_t(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
/// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION take callbacks of this one signature.
static inline CURLcode reel_curl_setopt_write_callback(CURL *h, CURLoption o, curl_write_callback f) { return curl_easy_setopt(h, o, f); }
/// curl_multi_setopt is variadic too.
static inline CURLMcode reel_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
/// CURLAUTH_BEARER is a macro with a cast, which Swift does not import.
static inline long reel_curlauth_bearer(void) { return (long)CURLAUTH_BEARER; }
#endif
