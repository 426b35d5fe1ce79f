#pragma once
// Turning failed HTTP exchanges into dct::Error with a fitting code and a readable message.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/errors.h"
#include "registry/http.h"

namespace dct::registry {

// "CODE: message (detail)" from a distribution/notary error body
// ({"errors":[{"code":..,"message":..,"detail":..}]}), reading at most `max` bytes of it;
// empty when the body is not such a document. Several errors are joined with "; ".
std::string error_summary(std::string_view body, std::size_t max = 1024);

// One error of such a body, as typed fields: notary's code ("VERSION", "INVALID_UPDATE", ...);
// for INVALID_UPDATE the validation error's name ("ErrBadHierarchy", "ErrValidation", ...) and
// the role it says is missing; and, when the server passed on a failure of notary-signer, that
// gRPC status code ("NotFound"), from Go's "rpc error: code = <Code> desc = ..." form.
struct ServerError {
  std::string code;
  std::string validation;
  std::string missing;
  std::string rpc_code;
};
std::vector<ServerError> server_errors(std::string_view body, std::size_t max = 1024);

// What a 400 answer to a notary publish means, decided from the error codes and never from
// message text: publish_conflict for VERSION; snapshot_key_not_on_server when the upload had no
// snapshot and the server could not make one (ErrBadHierarchy missing the snapshot, with the
// server's own keys, or notary-signer answering NotFound for the snapshot key);
// publish_rejected otherwise.
ErrorCode publish_rejection(const std::vector<ServerError>& errors, bool snapshot_uploaded);

// For r.error != none: network_unreachable, network_timeout, tls_failure or bad_response
// (too large). `what` says what was attempted, e.g. "GET https://notary.example/v2/".
Error transfer_error(const Response& r, std::string_view what);

// For an unexpected status: 401/403 unauthorized, 404 `not_found`, 5xx server_error,
// anything else bad_response.
Error status_error(const Response& r, std::string_view what,
                   ErrorCode not_found = ErrorCode::repository_not_found);

}  // namespace dct::registry
