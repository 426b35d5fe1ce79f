#include "registry/transfer.h"

#include "base/errors.h"
#include "registry/headers.h"

namespace dct::registry {

std::string loggable_url(std::string_view url) {
  const auto q = url.find('?');
  if (q == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, q + 1));
  std::string_view query = url.substr(q + 1);
  bool first = true;
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (!first) out += '&';
    first = false;
    const auto eq = pair.find('=');
    const std::string name = to_lower(pair.substr(0, eq));
    const bool secret = name.find("token") != std::string::npos ||
                        name.find("password") != std::string::npos ||
                        name.find("secret") != std::string::npos || name == "code";
    if (secret && eq != std::string_view::npos) {
      out += pair.substr(0, eq);
      out += "=***";
    } else {
      out += pair;
    }
  }
  return out;
}

namespace {

TransferError classify(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return TransferError::timeout;
    case CURLE_FILESIZE_EXCEEDED:
      return TransferError::too_large;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CLIENTCERT:
      return TransferError::tls;
    default:
      return TransferError::network;
  }
}

extern "C" size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string& body = t->response.body;
  if (body.size() + n > t->cap) {
    body.append(data, t->cap - body.size());
    t->over_cap = true;
    return 0;  // stops the transfer with CURLE_WRITE_ERROR
  }
  body.append(data, n);
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

extern "C" size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
    // A new response (after a redirect or an interim 1xx): start over.
    t->response.headers.clear();
    return n;
  }
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    return n;  // obsolete line folding: ignored
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;
  t->response.headers.add(std::string(trim(line.substr(0, colon))),
                          std::string(trim(line.substr(colon + 1))));
  return n;
}

template <typename T>
void set(CURL* easy, CURLoption option, T value) {
  if (curl_easy_setopt(easy, option, value) != CURLE_OK) {
    throw Error(ErrorCode::internal, "libcurl rejected an option");
  }
}

}  // namespace

bool libcurl_follows_redirects(const Request& r) noexcept {
  return r.follow_redirects && (r.method == Method::get || r.method == Method::head) &&
         r.tls.client_cert.empty() && r.tls.client_key.empty();
}

void configure_transfer(Transfer& t, const TransportOptions& options, CURLSH* share,
                        CaBundleCache& ca_bundles) {
  const Request& r = *t.request;
  CURL* e = t.easy.get();
  set(e, CURLOPT_PRIVATE, static_cast<void*>(&t));
  set(e, CURLOPT_SHARE, share);
  set(e, CURLOPT_NOSIGNAL, 1L);
  set(e, CURLOPT_URL, r.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0
  set(e, CURLOPT_PROTOCOLS_STR, "https");
  set(e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
  set(e, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTPS));
  set(e, CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTPS));
#endif
  set(e, CURLOPT_ERRORBUFFER, t.error_buffer);
  set(e, CURLOPT_USERAGENT,
      options.user_agent.empty() ? default_user_agent().c_str() : options.user_agent.c_str());
  if (options.http2) {
    // No CURLOPT_PIPEWAIT: waiting to learn whether the first connection multiplexes costs an
    // HTTP/1.1 server (notary-server) two round trips before the parallel connections open.
    set(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  } else {
    set(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  }

  // TLS: verification stays on (libcurl's default); only the trust store and client pair vary.
  set(e, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  t.ca_bundle = ca_bundles.bundle_for(r.tls);
  const bool exclusive = r.tls.roots == TlsOptions::Roots::exclusive;
  static const auto system_dir = system_ca_dir();
  if (exclusive || system_dir) {
    // Never the whole system bundle file: system roots come lazily from the hashed directory.
    set(e, CURLOPT_CAINFO, static_cast<char*>(nullptr));
    set(e, CURLOPT_CAPATH, exclusive ? static_cast<const char*>(nullptr) : system_dir->c_str());
  }
  if (t.ca_bundle) {
    curl_blob blob{};
    blob.data = const_cast<char*>(t.ca_bundle->data());
    blob.len = t.ca_bundle->size();
    blob.flags = CURL_BLOB_NOCOPY;
    set(e, CURLOPT_CAINFO_BLOB, &blob);
  } else if (exclusive) {
    throw Error(ErrorCode::tls_config, "no CA certificate given for an exclusive trust store");
  }
  if (!r.tls.client_cert.empty() || !r.tls.client_key.empty()) {
    if (r.tls.client_cert.empty() || r.tls.client_key.empty()) {
      throw Error(ErrorCode::tls_config, "a TLS client certificate needs both a cert and a key");
    }
    set(e, CURLOPT_SSLCERTTYPE, "PEM");
    set(e, CURLOPT_SSLCERT, r.tls.client_cert.c_str());
    set(e, CURLOPT_SSLKEY, r.tls.client_key.c_str());
  }

  const Timeouts timeouts = r.timeouts.value_or(options.timeouts);
  set(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts.connect.count()));
  set(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  set(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(timeouts.low_speed.count()));
  set(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts.total.count()));

  switch (r.method) {
    case Method::get:
      set(e, CURLOPT_HTTPGET, 1L);
      break;
    case Method::head:
      set(e, CURLOPT_NOBODY, 1L);
      break;
    case Method::post:
      set(e, CURLOPT_POST, 1L);
      break;
    case Method::put:
    case Method::delete_:
      set(e, CURLOPT_CUSTOMREQUEST, std::string(method_name(r.method)).c_str());
      break;
  }
  if (r.body) {
    if (r.method == Method::get || r.method == Method::head) {
      throw Error(ErrorCode::internal, "a GET or HEAD request can't carry a body");
    }
    set(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body->data.size()));
    set(e, CURLOPT_POSTFIELDS, r.body->data.data());
    if (!r.body->content_type.empty()) {
      t.header_list.append("Content-Type: " + r.body->content_type);
    }
  } else if (r.method == Method::post || r.method == Method::put) {
    set(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
    set(e, CURLOPT_POSTFIELDS, "");
  }
  set(e, CURLOPT_FOLLOWLOCATION, libcurl_follows_redirects(r) ? 1L : 0L);
  set(e, CURLOPT_MAXREDIRS, static_cast<long>(kMaxRedirects));

  t.header_list.append("Expect:");  // no 100-continue round trip before bodies
  for (const auto& h : r.headers.fields()) {
    if (iequals(h.name, "Content-Type") && r.body && !r.body->content_type.empty()) continue;
    t.header_list.append(h.name + ": " + h.value);
  }
  set(e, CURLOPT_HTTPHEADER, t.header_list.get());

  t.cap = r.max_body;
  if (r.method != Method::head) {
    set(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(r.max_body));
  }
  set(e, CURLOPT_WRITEFUNCTION, &on_body);
  set(e, CURLOPT_WRITEDATA, static_cast<void*>(&t));
  set(e, CURLOPT_HEADERFUNCTION, &on_header);
  set(e, CURLOPT_HEADERDATA, static_cast<void*>(&t));
}

long finish_transfer(Transfer& t, CURLcode code) {
  CURL* e = t.easy.get();
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  t.response.status = static_cast<int>(status);
  long connects = 0;
  curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
  t.response.new_connection = connects > 0;

  if (code != CURLE_OK) {
    Response& r = t.response;
    const std::string detail = t.error_buffer[0] != '\0' ? std::string(t.error_buffer)
                                                         : std::string(curl_easy_strerror(code));
    if (t.over_cap || code == CURLE_FILESIZE_EXCEEDED) {
      r.error = TransferError::too_large;
      r.error_message = "response body larger than " + std::to_string(t.cap) + " bytes";
      r.body.clear();
    } else if (code == CURLE_PARTIAL_FILE) {
      r.error = TransferError::network;
      r.error_message = "truncated response: " + detail;
    } else {
      r.error = classify(code);
      // With TLS 1.3 a rejected client certificate shows up as an alert on the first read.
      if ((code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR) &&
          detail.find("SSL routines") != std::string::npos) {
        r.error = TransferError::tls;
      }
      r.error_message = detail;
    }
  }
  return connects;
}

}  // namespace dct::registry
