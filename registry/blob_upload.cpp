#include "registry/blob_upload.h"

#include "base/encoding.h"
#include "base/errors.h"
#include "registry/http_errors.h"
#include "registry/reference.h"
#include "registry/url.h"

namespace dct::registry {

namespace {

// Where the registry said the upload continues: absolute, or a reference resolved against the
// registry's URL as libcurl would follow it.
std::string blob_upload_location(const std::string& base_url, const std::string& location) {
  const auto resolved = location.empty() ? std::nullopt : resolve_location(base_url, location);
  const auto target = resolved ? parse_url(*resolved) : std::nullopt;
  const auto base = parse_url(base_url);
  if (!target || !base)
    throw Error(ErrorCode::bad_response,
                "the registry answered a blob upload with an unusable Location \"" +
                    location.substr(0, 100) + "\"");
  // The upload carries the registry's Authorization: it goes nowhere but the registry.
  if (target->scheme != "https" || target->host != base->host ||
      target->port_number != base->port_number)
    throw Error(ErrorCode::bad_response, "the registry sent the blob upload to another host (" +
                                             target->authority().substr(0, 100) +
                                             "); refusing to send it there");
  return *resolved;
}

void check_registry_write(Authorizer& auth, const Response& resp, const std::string& what) {
  if (!resp.completed()) throw transfer_error(resp, what);
  if (resp.status == 401 || resp.status == 403) throw auth.unauthorized_error(resp, what);
  if (resp.status < 200 || resp.status >= 300) {
    const std::string summary = error_summary(resp.body);
    if (!summary.empty())
      throw Error(resp.status >= 500 ? ErrorCode::server_error : ErrorCode::bad_response,
                  what + " failed: " + std::to_string(resp.status) + " " + summary);
    throw status_error(resp, what);
  }
}

}  // namespace

RegistryWriter::RegistryWriter(std::shared_ptr<Authorizer> auth) : auth_(std::move(auth)) {}

std::string RegistryWriter::scope(std::string_view path) const {
  return repository_scope(path, kPushPull);
}

bool RegistryWriter::has_blob(std::string_view path, std::string_view digest) {
  Request r;
  r.method = Method::head;
  r.url = auth_->base_url() + "/v2/" + std::string(path) + "/blobs/" + std::string(digest);
  r.tls = auth_->tls();
  const std::string what = "HEAD " + r.url;
  Response resp = auth_->perform(std::move(r), scope(path));
  if (!resp.completed()) throw transfer_error(resp, what);
  if (resp.status == 404) return false;
  if (resp.status == 401 || resp.status == 403) throw auth_->unauthorized_error(resp, what);
  if (resp.status != 200) throw status_error(resp, what);
  return true;
}

std::string RegistryWriter::upload_blob(std::string_view path, std::string_view data) {
  const std::string digest = "sha256:" + to_hex(sha256(data));
  if (has_blob(path, digest)) return digest;

  Request start;
  start.method = Method::post;
  start.url = auth_->base_url() + "/v2/" + std::string(path) + "/blobs/uploads/";
  start.tls = auth_->tls();
  start.body = Body{"", "application/octet-stream"};
  const std::string what_start = "POST " + start.url;
  Response started = auth_->perform(std::move(start), scope(path));
  check_registry_write(*auth_, started, what_start);
  const std::string location =
      blob_upload_location(auth_->base_url(), started.headers.get("Location").value_or(""));

  Request put;
  put.method = Method::put;
  put.url = append_query(location, {{"digest", digest}});
  put.tls = auth_->tls();
  put.body = Body{std::string(data), "application/octet-stream"};
  const std::string what_put = "PUT blob " + digest + " to " + auth_->base_url();
  Response done = auth_->perform(std::move(put), scope(path));
  check_registry_write(*auth_, done, what_put);
  if (auto reported = done.headers.get("Docker-Content-Digest");
      reported && !reported->empty() && *reported != digest)
    throw Error(ErrorCode::manifest_mismatch,
                "the registry stored blob " + digest + " as " + reported->substr(0, 100));
  return digest;
}

std::string RegistryWriter::put_manifest(std::string_view path, std::string_view tag,
                                         std::string_view media_type, std::string_view body) {
  if (!is_valid_tag(tag))
    throw Error(ErrorCode::invalid_reference, "invalid tag \"" + std::string(tag) + "\"");
  const std::string digest = "sha256:" + to_hex(sha256(body));
  Request r;
  r.method = Method::put;
  r.url = auth_->base_url() + "/v2/" + std::string(path) + "/manifests/" + std::string(tag);
  r.tls = auth_->tls();
  r.body = Body{std::string(body), std::string(media_type)};
  const std::string what = "PUT " + r.url;
  Response resp = auth_->perform(std::move(r), scope(path));
  check_registry_write(*auth_, resp, what);
  if (auto reported = resp.headers.get("Docker-Content-Digest");
      reported && !reported->empty() && *reported != digest)
    throw Error(ErrorCode::manifest_mismatch, "the registry stored the manifest for " +
                                                  std::string(tag) + " as " +
                                                  reported->substr(0, 100) + ", not " + digest);
  return digest;
}

}  // namespace dct::registry
