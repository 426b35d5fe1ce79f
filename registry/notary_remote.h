#pragma once
// One notary repository (GUN) on a notary-server, over HTTPS:
//   <server>/v2/<gun>/_trust/tuf/<name>        metadata (MetadataFetcher)
//   <server>/v2/<gun>/_trust/tuf/<role>.key    server-managed keys (GET get-or-create, POST rotate)
//   POST   <server>/v2/<gun>/_trust/tuf/       atomic multipart publish
//   DELETE <server>/v2/<gun>/_trust/tuf/       delete the repository's trust data
// Auth: token scope repository:<gun>:pull for reads, push,pull for writes, * for admin calls.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "registry/auth.h"
#include "trust/tuf/remote.h"

namespace dct::registry {

inline constexpr std::size_t kMaxMetadataDownload = 100 * kMiB;  // notary's MaxDownloadSize
inline constexpr std::size_t kMaxKeyResponse = 256 * kKiB;
inline constexpr std::size_t kMaxErrorParse = 1 * kKiB;

struct PublishFile {
  std::string role;  // "root", "targets", "targets/releases", "snapshot" (no ".json")
  std::string data;  // the exact envelope bytes
};

class NotaryRemote : public trust::MetadataFetcher {
 public:
  // `auth` is the Authorizer for the notary server (its base URL is the server URL).
  NotaryRemote(std::shared_ptr<Authorizer> auth, std::string gun);

  const std::string& gun() const noexcept { return gun_; }
  const std::string& base_url() const noexcept { return base_; }  // ".../_trust/tuf/"

  // Reads use `pull`; set kPushPull before a write workflow so that reads and writes share one
  // token (and credentials are checked up front).
  void set_read_actions(std::string_view actions) { read_actions_ = actions; }

  // MetadataFetcher. Never throws for network or HTTP failures: 404 -> not_found,
  // 401/403/5xx -> http_error with a clear message, over the cap -> too_large, transfer
  // failures -> network_error. max_size 0 means kMaxMetadataDownload.
  trust::FetchResult fetch(const trust::FetchRequest& request) override;
  std::vector<trust::FetchResult> fetch_all(
      const std::vector<trust::FetchRequest>& requests) override;

  PingResult ping();  // GET <server>/v2/

  // These throw dct::Error (key_not_found / repository_not_found for 404, unauthorized,
  // bad_response with notary's error code and detail, server_error, network errors).
  std::string get_key(std::string_view role);     // JSON {"keytype":..,"keyval":{"public":..}}
  std::string rotate_key(std::string_view role);  // POST: a new server-managed key
  void publish(const std::vector<PublishFile>& files);
  void delete_remote();

 private:
  std::string scope(std::string_view actions) const;
  // Throws when `r` came from a Docker registry rather than a notary server.
  void refuse_registry_answer(const Response& r) const;
  // 400 throws `rejected`; other statuses and transfer failures their own codes.
  [[noreturn]] void fail(const Response& r, const std::string& what, ErrorCode not_found,
                         ErrorCode rejected = ErrorCode::publish_rejected);

  std::shared_ptr<Authorizer> auth_;
  std::string gun_;
  std::string base_;
  std::string read_actions_{kPull};
};

}  // namespace dct::registry
