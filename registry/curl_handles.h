#pragma once
// Owners for the libcurl handles the transport uses. Each one frees its handle in the destructor;
// nothing else in the project calls a curl_*_cleanup function. Internal to registry/.
#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>

namespace dct::registry::curl {

// curl_global_init, once per process, before the first handle is made.
void ensure_global_init();

struct EasyDeleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const noexcept { curl_multi_cleanup(h); }
};
struct ShareDeleter {
  void operator()(CURLSH* h) const noexcept { curl_share_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const noexcept { curl_url_cleanup(u); }
};
struct CurlStringDeleter {
  void operator()(char* s) const noexcept { curl_free(s); }
};

using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Multi = std::unique_ptr<CURLM, MultiDeleter>;
using Share = std::unique_ptr<CURLSH, ShareDeleter>;
using Url = std::unique_ptr<CURLU, UrlDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

Easy make_easy();    // throws dct::Error(internal) when libcurl is out of memory
Multi make_multi();  // likewise
Share make_share();  // shares DNS and TLS sessions between the easy handles of one transport

// A header list built from "Name: value" lines.
class HeaderList {
 public:
  void append(const std::string& line);
  curl_slist* get() const noexcept { return list_.get(); }

 private:
  std::unique_ptr<curl_slist, SlistDeleter> list_;
};

}  // namespace dct::registry::curl
