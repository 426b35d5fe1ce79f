#pragma once
// What the trust core needs from the network, as an interface: the verifier never opens a
// socket. registry/notary_remote implements it over HTTPS; tests implement it in memory.
#include <cstddef>
#include <string>
#include <vector>

#include "trust/errors.h"

namespace dct::trust {

struct FetchResult {
  enum class Status {
    ok,             // body holds the bytes (never more than max_size)
    not_found,      // HTTP 404
    too_large,      // Content-Length or body exceeded max_size; reading stopped at the cap
    network_error,  // connect/TLS/timeout/truncated transfer; `error` says which
    http_error,     // any other HTTP status (401, 5xx...): `http_status`, `error`
  };
  Status status = Status::network_error;
  int http_status = 0;
  std::string body;
  std::string error;  // human readable detail for non-ok results
  // For network_error: which kind (unreachable, timeout, TLS failure).
  ErrorCode network_code = ErrorCode::network_unreachable;
  // For a refused authorization (401/403, or a token server's refusal): which error, and what
  // to do about it when the transport knows (empty: log in).
  ErrorCode auth_code = ErrorCode::unauthorized;
  std::string hint;
  bool ok() const { return status == Status::ok; }
};

struct FetchRequest {
  std::string name;  // file name relative to the repository's trust base, e.g. "timestamp.json",
                     // "snapshot.<sha256 hex>.json", "targets/releases.<hex>.json", "2.root.json"
  std::size_t max_size = 0;
};

class MetadataFetcher {
 public:
  virtual ~MetadataFetcher() = default;
  virtual FetchResult fetch(const FetchRequest& request) = 0;
  // Fetch several files; implementations may run them concurrently over one connection pool.
  // The result vector is in request order.
  virtual std::vector<FetchResult> fetch_all(const std::vector<FetchRequest>& requests) {
    std::vector<FetchResult> out;
    out.reserve(requests.size());
    for (const auto& r : requests) out.push_back(fetch(r));
    return out;
  }
};

}  // namespace dct::trust
