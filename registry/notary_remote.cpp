#include "registry/notary_remote.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "registry/http_errors.h"
#include "registry/multipart.h"

namespace dct::registry {

namespace {

using trust::FetchRequest;
using trust::FetchResult;

// Metadata names come partly from signed-but-untrusted input (delegation names): refuse
// anything that could leave the repository's directory or change the URL's meaning.
bool is_safe_name(std::string_view name) {
  if (name.empty() || name.size() > 1024 || name.front() == '/' || name.back() == '/') {
    return false;
  }
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '?' || c == '#' || c == '%' || c == '\\') return false;
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto slash = name.find('/', start);
    const std::string_view seg = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

FetchResult from_error(const Error& e) {
  FetchResult out;
  if (e.kind() == ErrorKind::auth) {
    out.status = FetchResult::Status::http_error;
    out.http_status = 401;
    out.auth_code = e.code();
    out.hint = e.hint();
  } else if (e.kind() == ErrorKind::network) {
    out.status = FetchResult::Status::network_error;
    out.network_code = e.code();
  } else {
    out.status = FetchResult::Status::http_error;
  }
  out.error = e.what();
  return out;
}

}  // namespace

NotaryRemote::NotaryRemote(std::shared_ptr<Authorizer> auth, std::string gun)
    : auth_(std::move(auth)), gun_(std::move(gun)) {
  base_ = auth_->base_url() + "/v2/" + gun_ + "/_trust/tuf/";
}

std::string NotaryRemote::scope(std::string_view actions) const {
  return repository_scope(gun_, actions);
}

FetchResult NotaryRemote::fetch(const FetchRequest& request) {
  return std::move(fetch_all({request}).front());
}

std::vector<FetchResult> NotaryRemote::fetch_all(const std::vector<FetchRequest>& requests) {
  std::vector<FetchResult> out(requests.size());
  std::vector<Request> wire;
  std::vector<std::size_t> index;  // wire position -> request position
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (!is_safe_name(requests[i].name)) {
      out[i].status = FetchResult::Status::http_error;
      out[i].http_status = 400;
      out[i].error =
          "refusing to fetch the unsafe metadata name \"" + requests[i].name.substr(0, 100) + "\"";
      continue;
    }
    Request r;
    r.url = base_ + requests[i].name;
    r.tls = auth_->tls();
    r.max_body = requests[i].max_size == 0 ? kMaxMetadataDownload : requests[i].max_size;
    wire.push_back(std::move(r));
    index.push_back(i);
  }
  if (wire.empty()) return out;

  std::vector<std::string> urls;
  for (const auto& r : wire) urls.push_back(r.url);
  std::vector<Response> got;
  try {
    got = auth_->perform_all(std::move(wire), scope(read_actions_));
  } catch (const Error& e) {
    for (std::size_t i : index) out[i] = from_error(e);
    return out;
  }

  for (const Response& resp : got) refuse_registry_answer(resp);
  for (std::size_t k = 0; k < got.size(); ++k) {
    Response& resp = got[k];
    FetchResult& res = out[index[k]];
    const std::string what = "GET " + urls[k];
    res.http_status = resp.status;
    const bool have_status =
        resp.status != 0 && (resp.completed() || resp.error == TransferError::too_large);
    if (have_status && resp.status == 404) {
      res.status = FetchResult::Status::not_found;
      res.error = what + ": not found on the trust server";
    } else if (resp.error == TransferError::too_large &&
               (resp.status == 0 || (resp.status >= 200 && resp.status < 300))) {
      res.status = FetchResult::Status::too_large;
      res.error = what + ": " + resp.error_message;
    } else if (!have_status) {
      res.status = FetchResult::Status::network_error;
      const Error err = transfer_error(resp, what);
      res.error = err.what();
      res.network_code = err.code();
    } else if (resp.status == 200) {
      res.status = FetchResult::Status::ok;
      res.body = std::move(resp.body);
    } else if (resp.status == 401 || resp.status == 403) {
      res.status = FetchResult::Status::http_error;
      const Error err = auth_->unauthorized_error(resp, what);
      res.error = err.what();
      res.auth_code = err.code();
      res.hint = err.hint();
    } else {
      res.status = FetchResult::Status::http_error;
      std::string msg = what + ": trust server returned HTTP " + std::to_string(resp.status);
      if (const auto s = error_summary(resp.body, kMaxErrorParse); !s.empty())
        msg += " (" + s + ")";
      res.error = std::move(msg);
    }
  }
  return out;
}

PingResult NotaryRemote::ping() { return auth_->ping(); }

// A Docker registry marks every answer with this header; notary-server never sends it. Without
// a notary server configured, the server defaults to the registry's host: say so at once rather
// than read its 404s as "no trust data yet" and start initializing a repository.
void NotaryRemote::refuse_registry_answer(const Response& r) const {
  if (!r.headers.has("Docker-Distribution-Api-Version")) return;
  throw Error(ErrorCode::config_invalid,
              fmt::format("{} is the registry, not a notary server: set "
                          "DOCKER_CONTENT_TRUST_SERVER or --server",
                          auth_->base_url()),
              "the notary server's URL can also be set as remote_server.url in the notary "
              "client config (~/.notary/config.json)");
}

void NotaryRemote::fail(const Response& r, const std::string& what, ErrorCode not_found,
                        ErrorCode rejected) {
  refuse_registry_answer(r);
  const bool have_status = r.status != 0 && (r.completed() || r.error == TransferError::too_large);
  if (!have_status) throw transfer_error(r, what);
  if (r.status == 401 || r.status == 403) throw auth_->unauthorized_error(r, what);
  std::string message;
  if (r.status == 404) {
    message = what + ": not found on the trust server";
    throw Error(not_found, message);
  }
  message = what + ": trust server " + (r.status == 400 ? "rejected the operation" : "failed") +
            " (HTTP " + std::to_string(r.status) + ")";
  if (const auto s = error_summary(r.body, kMaxErrorParse); !s.empty()) message += ": " + s;
  if (r.status >= 500) throw Error(ErrorCode::server_error, message);
  throw Error(r.status == 400 ? rejected : ErrorCode::bad_response, message);
}

namespace {

void require_key_json(const std::string& body, const std::string& what) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keytype") ||
      !doc.contains("keyval")) {
    throw Error(ErrorCode::bad_response, what + ": the trust server's answer is not a public key");
  }
}

}  // namespace

std::string NotaryRemote::get_key(std::string_view role) {
  Request r;
  r.url = base_ + std::string(role) + ".key";
  r.tls = auth_->tls();
  r.max_body = kMaxKeyResponse;
  const std::string what = "GET " + r.url;
  Response resp = auth_->perform(std::move(r), scope(kPushPull));
  if (!resp.ok() || resp.status != 200) fail(resp, what, ErrorCode::key_not_found);
  require_key_json(resp.body, what);
  return std::move(resp.body);
}

std::string NotaryRemote::rotate_key(std::string_view role) {
  Request r;
  r.method = Method::post;
  r.url = base_ + std::string(role) + ".key";
  r.tls = auth_->tls();
  r.max_body = kMaxKeyResponse;
  const std::string what = "POST " + r.url;
  Response resp = auth_->perform(std::move(r), scope(kAll));
  if (!resp.ok() || resp.status != 200) fail(resp, what, ErrorCode::key_not_found);
  require_key_json(resp.body, what);
  return std::move(resp.body);
}

void NotaryRemote::publish(const std::vector<PublishFile>& files) {
  std::vector<FormPart> parts;
  parts.reserve(files.size());
  for (const auto& f : files) {
    parts.push_back(FormPart{"files", f.role, "application/octet-stream", f.data});
  }
  Request r;
  r.method = Method::post;
  r.url = base_;
  r.tls = auth_->tls();
  r.body = multipart_form(parts);
  r.max_body = 64 * kKiB;
  const std::string what = "publishing " + gun_ + " to " + auth_->base_url();
  Response resp = auth_->perform(std::move(r), scope(kPushPull));
  if (!resp.ok()) {
    const bool with_snapshot = std::any_of(
        files.begin(), files.end(), [](const PublishFile& f) { return f.role == "snapshot"; });
    fail(resp, what, ErrorCode::repository_not_found,
         publish_rejection(server_errors(resp.body, kMaxErrorParse), with_snapshot));
  }
}

void NotaryRemote::delete_remote() {
  Request r;
  r.method = Method::delete_;
  r.url = base_;
  r.tls = auth_->tls();
  r.max_body = 64 * kKiB;
  const std::string what = "deleting " + gun_ + " from " + auth_->base_url();
  Response resp = auth_->perform(std::move(r), scope(kAll));
  if (!resp.ok()) fail(resp, what, ErrorCode::repository_not_found);
}

}  // namespace dct::registry
