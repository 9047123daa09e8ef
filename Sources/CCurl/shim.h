#ifndef KUBECTL_INPLACE_CCURL_SHIM_H
#define KUBECTL_INPLACE_CCURL_SHIM_H

#include <curl/curl.h>

/* libcurl's setopt/getinfo entry points are variadic, which Swift cannot call; these typed
   wrappers give each argument kind its own function. Macros that are not plain literals
   (CURLVERSION_NOW, CURL_GLOBAL_ALL, CURL_WRITEFUNC_PAUSE, ...) are not imported either, so the
   values Swift needs are exposed as functions below. */

/* Callback signatures, named so Swift sees them as @convention(c) function types. */
typedef size_t (*kcurl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*kcurl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                       curl_off_t ultotal, curl_off_t ulnow);
typedef void (*kcurl_lock_callback)(CURL *handle, curl_lock_data data, curl_lock_access access,
                                    void *userptr);
typedef void (*kcurl_unlock_callback)(CURL *handle, curl_lock_data data, void *userptr);

/* ---- curl_easy_setopt ---- */
static inline CURLcode kcurl_easy_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode kcurl_easy_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode kcurl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode kcurl_easy_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode kcurl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode kcurl_easy_setopt_blob(CURL *h, CURLoption o, struct curl_blob *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode kcurl_easy_setopt_share(CURL *h, CURLSH *share) {
    return curl_easy_setopt(h, CURLOPT_SHARE, share);
}
/* CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION, CURLOPT_READFUNCTION */
static inline CURLcode kcurl_easy_setopt_data_callback(CURL *h, CURLoption o, kcurl_data_callback cb) {
    return curl_easy_setopt(h, o, cb);
}
static inline CURLcode kcurl_easy_setopt_xferinfo_callback(CURL *h, kcurl_xferinfo_callback cb) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb);
}

/* ---- curl_easy_getinfo ---- */
static inline CURLcode kcurl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode kcurl_easy_getinfo_double(CURL *h, CURLINFO i, double *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode kcurl_easy_getinfo_string(CURL *h, CURLINFO i, char **v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode kcurl_easy_getinfo_off_t(CURL *h, CURLINFO i, curl_off_t *v) {
    return curl_easy_getinfo(h, i, v);
}

/* ---- curl_share_setopt ---- */
static inline CURLSHcode kcurl_share_setopt_long(CURLSH *s, CURLSHoption o, long v) {
    return curl_share_setopt(s, o, v);
}
static inline CURLSHcode kcurl_share_setopt_pointer(CURLSH *s, CURLSHoption o, void *v) {
    return curl_share_setopt(s, o, v);
}
static inline CURLSHcode kcurl_share_setopt_lock(CURLSH *s, kcurl_lock_callback cb) {
    return curl_share_setopt(s, CURLSHOPT_LOCKFUNC, cb);
}
static inline CURLSHcode kcurl_share_setopt_unlock(CURLSH *s, kcurl_unlock_callback cb) {
    return curl_share_setopt(s, CURLSHOPT_UNLOCKFUNC, cb);
}

/* ---- curl_multi_setopt ---- */
static inline CURLMcode kcurl_multi_setopt_long(CURLM *m, CURLMoption o, long v) {
    return curl_multi_setopt(m, o, v);
}
static inline CURLMcode kcurl_multi_setopt_pointer(CURLM *m, CURLMoption o, void *v) {
    return curl_multi_setopt(m, o, v);
}
static inline CURLMcode kcurl_multi_setopt_socket_callback(CURLM *m, curl_socket_callback cb) {
    return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, cb);
}
static inline CURLMcode kcurl_multi_setopt_timer_callback(CURLM *m, curl_multi_timer_callback cb) {
    return curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, cb);
}

/* ---- values behind macros ---- */
static inline CURLcode kcurl_global_init_all(void) { return curl_global_init(CURL_GLOBAL_ALL); }
static inline curl_version_info_data *kcurl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}
static inline size_t kcurl_writefunc_pause(void) { return CURL_WRITEFUNC_PAUSE; }
static inline size_t kcurl_readfunc_abort(void) { return CURL_READFUNC_ABORT; }
static inline long kcurl_version_num(void) { return LIBCURL_VERSION_NUM; }
static inline curl_socket_t kcurl_socket_timeout(void) { return CURL_SOCKET_TIMEOUT; }

#endif
