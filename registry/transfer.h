#pragma once
// One libcurl transfer: the easy-handle options for a Request, and reading its outcome into a
// Response. Internal to registry/ (the Transport drives these through its multi handle).
#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "registry/ca_bundle.h"
#include "registry/curl_handles.h"
#include "registry/http.h"

namespace dct::registry {

// One request in flight: its easy handle and everything libcurl points into.
struct Transfer {
  curl::Easy easy;
  curl::HeaderList header_list;
  std::shared_ptr<const std::string> ca_bundle;  // kept alive while libcurl may read it
  const Request* request = nullptr;
  std::size_t index = 0;
  Response response;
  std::size_t cap = 0;
  bool over_cap = false;
  std::chrono::steady_clock::time_point started;
  char error_buffer[CURL_ERROR_SIZE] = {};
};

// Whether libcurl follows the request's redirects. Requests with a TLS client certificate follow
// them in the Transport instead: libcurl would present the certificate to any host a redirect
// names.
bool libcurl_follows_redirects(const Request& r) noexcept;
inline constexpr int kMaxRedirects = 10;

// Sets every option for *t.request on t.easy (which must be fresh or reset).
// Throws dct::Error: tls_config for unusable TLS files, internal for libcurl refusals.
void configure_transfer(Transfer& t, const TransportOptions& options, CURLSH* share,
                        CaBundleCache& ca_bundles);

// Fills status, new_connection and the error fields of t.response from a finished transfer.
// Returns the number of new connections it made (CURLINFO_NUM_CONNECTS).
long finish_transfer(Transfer& t, CURLcode code);

// The URL with the values of token-, password- and secret-like query parameters masked.
std::string loggable_url(std::string_view url);

}  // namespace dct::registry
