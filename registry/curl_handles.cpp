#include "registry/curl_handles.h"

#include <mutex>

#include "base/errors.h"

namespace dct::registry::curl {

void ensure_global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw Error(ErrorCode::internal, "could not initialise libcurl");
    }
  });
}

Easy make_easy() {
  ensure_global_init();
  Easy easy(curl_easy_init());
  if (!easy) throw Error(ErrorCode::internal, "libcurl: could not create a transfer handle");
  return easy;
}

Multi make_multi() {
  ensure_global_init();
  Multi multi(curl_multi_init());
  if (!multi) throw Error(ErrorCode::internal, "libcurl: could not create a multi handle");
  return multi;
}

Share make_share() {
  ensure_global_init();
  Share share(curl_share_init());
  if (!share) throw Error(ErrorCode::internal, "libcurl: could not create a share handle");
  curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  return share;
}

void HeaderList::append(const std::string& line) {
  curl_slist* next = curl_slist_append(list_.get(), line.c_str());
  if (next == nullptr) throw Error(ErrorCode::internal, "libcurl: out of memory building headers");
  // curl_slist_append returns the (unchanged) head once a list exists.
  if (!list_) list_.reset(next);
}

}  // namespace dct::registry::curl
