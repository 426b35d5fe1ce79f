#include "registry/manifest.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/errors.h"
#include "registry/http_errors.h"
#include "registry/url.h"

namespace dct::registry {

namespace {

constexpr std::string_view kSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
constexpr std::string_view kSchema1 = "application/vnd.docker.distribution.manifest.v1+json";

std::string accept_header() {
  return std::string(kMediaTypeDockerManifest) + ", " + std::string(kMediaTypeDockerManifestList) +
         ", " + std::string(kMediaTypeOciManifest) + ", " + std::string(kMediaTypeOciIndex);
}

std::string media_type_of(const Response& r) {
  std::string ct = r.headers.get("Content-Type").value_or("");
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  return to_lower(ct);
}

bool is_signable(std::string_view mt) {
  return mt == kMediaTypeDockerManifest || mt == kMediaTypeDockerManifestList ||
         mt == kMediaTypeOciManifest || mt == kMediaTypeOciIndex;
}

// The digest of `body` in the algorithm of `reference` ("sha256:..." / "sha512:..."), or
// nullopt for algorithms we can't compute.
std::optional<std::string> digest_like(std::string_view reference, std::string_view body) {
  if (reference.rfind("sha256:", 0) == 0) return "sha256:" + to_hex(sha256(body));
  if (reference.rfind("sha512:", 0) == 0) return "sha512:" + to_hex(sha512(body));
  return std::nullopt;
}

}  // namespace

ManifestClient::ManifestClient(std::shared_ptr<Authorizer> auth) : auth_(std::move(auth)) {}

Manifest ManifestClient::get(const Reference& ref) {
  return get(ref.path, ref.has_digest() ? ref.digest : ref.tag_or_latest());
}

Manifest ManifestClient::get(std::string_view path, std::string_view tag_or_digest) {
  const bool by_digest = tag_or_digest.find(':') != std::string_view::npos;
  if (by_digest ? !is_valid_digest(tag_or_digest) : !is_valid_tag(tag_or_digest)) {
    throw Error(ErrorCode::invalid_reference,
                "invalid tag or digest \"" + std::string(tag_or_digest.substr(0, 140)) + "\"");
  }
  const std::string name = url_authority(auth_->base_url()) + "/" + std::string(path) +
                           (by_digest ? "@" : ":") + std::string(tag_or_digest);
  Request r;
  r.url =
      auth_->base_url() + "/v2/" + std::string(path) + "/manifests/" + std::string(tag_or_digest);
  r.tls = auth_->tls();
  r.max_body = kMaxManifestSize;
  r.headers.add("Accept", accept_header());
  const std::string what = "GET " + r.url;
  Response resp = auth_->perform(std::move(r), repository_scope(path, kPull));

  if (resp.error == TransferError::too_large && resp.status >= 200 && resp.status < 300) {
    throw Error(ErrorCode::bad_response,
                "the manifest of " + name + " is larger than 4 MiB; refusing to read it");
  }
  if (!resp.completed()) throw transfer_error(resp, what);
  if (resp.status == 401 || resp.status == 403) throw auth_->unauthorized_error(resp, what);
  if (resp.status == 404) {
    const std::string summary = error_summary(resp.body);
    const bool no_repo = summary.find("NAME_UNKNOWN") != std::string::npos;
    throw Error(no_repo ? ErrorCode::repository_not_found : ErrorCode::tag_not_found,
                (no_repo ? "repository not found: " : "manifest not found: ") + name +
                    (summary.empty() ? "" : " (" + summary + ")"));
  }
  if (resp.status != 200) throw status_error(resp, what);

  Manifest m;
  m.body = std::move(resp.body);
  m.length = m.body.size();
  m.sha256 = sha256(m.body);
  m.digest = "sha256:" + to_hex(m.sha256);

  // The registry's claim about the digest must match what we received.
  if (auto header = resp.headers.get("Docker-Content-Digest"); header && !header->empty()) {
    auto ours = digest_like(*header, m.body);
    if (!ours) {
      throw Error(ErrorCode::bad_response, "the registry reports an unsupported digest for " +
                                               name + ": " + header->substr(0, 100));
    }
    if (*ours != *header) {
      throw Error(ErrorCode::manifest_mismatch, "the registry's Docker-Content-Digest for " + name +
                                                    " (" + header->substr(0, 140) +
                                                    ") does not match the manifest it sent (" +
                                                    *ours + ")");
    }
  }
  if (by_digest) {
    auto ours = digest_like(tag_or_digest, m.body);
    if (!ours || *ours != tag_or_digest) {
      throw Error(ErrorCode::manifest_mismatch,
                  "the registry sent a manifest for " + name + " whose digest is " + m.digest);
    }
  }

  std::string mt = media_type_of(resp);
  if (mt.empty() || mt == "application/json" || mt == "text/plain" ||
      mt == "application/octet-stream") {
    const auto doc = nlohmann::json::parse(m.body, nullptr, false);
    if (doc.is_object()) {
      if (auto it = doc.find("mediaType"); it != doc.end() && it->is_string()) {
        mt = it->get<std::string>();
      } else if (auto sv = doc.find("schemaVersion"); sv != doc.end() && *sv == 1) {
        mt = std::string(kSchema1);
      }
    }
  }
  if (mt == kSchema1Signed || mt == kSchema1) {
    throw Error(ErrorCode::bad_response,
                name + " is a schema 1 manifest (" + mt + "), which can't be signed",
                "push the image again with a current docker or buildx to get a schema 2 / OCI "
                "manifest");
  }
  if (!is_signable(mt)) {
    throw Error(ErrorCode::bad_response,
                "unsupported manifest media type \"" + mt.substr(0, 100) + "\" for " + name);
  }
  m.media_type = std::move(mt);
  return m;
}

}  // namespace dct::registry
