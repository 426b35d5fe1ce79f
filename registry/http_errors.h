#pragma once
// Turning failed HTTP exchanges into dct::Error with a fitting code and a readable message.
#include <cstddef>
#include <string>
#include <string_view>

#include "base/errors.h"
#include "registry/http.h"

namespace dct::registry {

// "CODE: message (detail)" from a distribution/notary error body
// ({"errors":[{"code":..,"message":..,"detail":..}]}), reading at most `max` bytes of it;
// empty when the body is not such a document. Several errors are joined with "; ".
std::string error_summary(std::string_view body, std::size_t max = 1024);

// For r.error != none: network_unreachable, network_timeout, tls_failure or bad_response
// (too large). `what` says what was attempted, e.g. "GET https://notary.example/v2/".
Error transfer_error(const Response& r, std::string_view what);

// For an unexpected status: 401/403 unauthorized, 404 `not_found`, 5xx server_error,
// anything else bad_response.
Error status_error(const Response& r, std::string_view what,
                   ErrorCode not_found = ErrorCode::repository_not_found);

}  // namespace dct::registry
