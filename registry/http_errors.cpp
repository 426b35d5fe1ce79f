#include "registry/http_errors.h"

#include <nlohmann/json.hpp>
#include <string>

namespace dct::registry {

namespace {

std::string printable(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  if (s.size() > max) out += "...";
  return out;
}

// The code of a gRPC status as Go prints it: "rpc error: code = NotFound desc = ...".
std::string rpc_code_of(std::string_view msg) {
  constexpr std::string_view prefix = "rpc error: code = ";
  if (!msg.starts_with(prefix)) return {};
  msg.remove_prefix(prefix.size());
  return std::string(msg.substr(0, msg.find(' ')));
}

}  // namespace

std::string error_summary(std::string_view body, std::size_t max) {
  const nlohmann::json doc = nlohmann::json::parse(body.substr(0, max), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {};
  auto errors = doc.find("errors");
  if (errors == doc.end() || !errors->is_array()) return {};
  std::string out;
  for (const auto& e : *errors) {
    if (!e.is_object()) continue;
    std::string one;
    if (auto c = e.find("code"); c != e.end() && c->is_string()) one = c->get<std::string>();
    if (auto m = e.find("message");
        m != e.end() && m->is_string() && !m->get<std::string>().empty()) {
      if (!one.empty()) one += ": ";
      one += m->get<std::string>();
    }
    if (auto d = e.find("detail"); d != e.end() && !d->is_null()) {
      const std::string detail = d->is_string() ? d->get<std::string>() : d->dump();
      if (!detail.empty()) one += " (" + detail + ")";
    }
    if (one.empty()) continue;
    if (!out.empty()) out += "; ";
    out += one;
  }
  return printable(out, 300);
}

std::vector<ServerError> server_errors(std::string_view body, std::size_t max) {
  std::vector<ServerError> out;
  const nlohmann::json doc = nlohmann::json::parse(body.substr(0, max), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return out;
  auto errors = doc.find("errors");
  if (errors == doc.end() || !errors->is_array()) return out;
  auto text = [](const nlohmann::json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  for (const auto& e : *errors) {
    if (!e.is_object()) continue;
    ServerError one{text(e, "code"), {}, {}, {}};
    if (auto d = e.find("detail"); d != e.end() && d->is_object()) {
      one.validation = text(*d, "Name");
      one.missing = text(*d, "Missing");
      if (auto inner = d->find("Error"); inner != d->end() && inner->is_object())
        one.rpc_code = rpc_code_of(text(*inner, "Msg"));
    }
    out.push_back(std::move(one));
  }
  return out;
}

ErrorCode publish_rejection(const std::vector<ServerError>& errors, bool snapshot_uploaded) {
  for (const auto& e : errors)
    if (e.code == "VERSION") return ErrorCode::publish_conflict;
  if (!snapshot_uploaded)
    for (const auto& e : errors)
      if (e.code == "INVALID_UPDATE" &&
          ((e.validation == "ErrBadHierarchy" && e.missing == "snapshot") ||
           (e.validation == "ErrValidation" && e.rpc_code == "NotFound")))
        return ErrorCode::snapshot_key_not_on_server;
  return ErrorCode::publish_rejected;
}

Error transfer_error(const Response& r, std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  switch (r.error) {
    case TransferError::timeout:
      return Error(ErrorCode::network_timeout, prefix + "timed out (" + r.error_message + ")",
                   "the server did not answer in time; DCT_HTTP_TIMEOUT=<seconds> changes the "
                   "connect and stall limits");
    case TransferError::tls:
      return Error(ErrorCode::tls_failure, prefix + "TLS failure: " + r.error_message,
                   "put the server's CA certificate in <config dir>/tls/<host:port>/ca.crt");
    case TransferError::too_large:
      return Error(ErrorCode::bad_response, prefix + r.error_message);
    case TransferError::network:
    case TransferError::none:
      break;
  }
  return Error(ErrorCode::network_unreachable, prefix + r.error_message);
}

Error status_error(const Response& r, std::string_view what, ErrorCode not_found) {
  const std::string message =
      std::string(what) + ": server returned HTTP " + std::to_string(r.status);
  if (r.status == 401 || r.status == 403) return Error(ErrorCode::unauthorized, message);
  if (r.status == 404) return Error(not_found, message);
  if (r.status >= 500) return Error(ErrorCode::server_error, message);
  return Error(ErrorCode::bad_response, message);
}

}  // namespace dct::registry
