#pragma once
// The error catalogue. Every failure the user can see has a stable id (E.g. "dct.security.301")
// so scripts and documentation can refer to it. Kinds decide the exit message style and
// whether a failure may ever be retried: security failures never are.
#include <stdexcept>
#include <string>
#include <string_view>

namespace dct {

enum class ErrorKind {
  usage,      // bad command line or argument; exit 125 for flags, 1 otherwise
  config,     // unreadable or invalid configuration
  network,    // could not reach a server, timeouts, 5xx
  auth,       // 401/403, bad credentials, credential helper failure
  not_found,  // repository, tag or key does not exist
  security,   // trust data failed verification: possible attack
  io,         // local disk problems
  internal,   // a bug
};

enum class ErrorCode {
  // usage (1xx)
  invalid_reference = 101,
  invalid_argument = 102,
  invalid_role_name = 103,
  // config (2xx)
  config_invalid = 201,
  tls_config = 202,
  dockerfile_invalid = 203,  // docker would read it otherwise, or dct cannot pin a reference
  // security (3xx)
  signature_invalid = 301,
  threshold_not_met = 302,
  expired = 303,
  rollback = 304,
  hash_mismatch = 305,
  length_mismatch = 306,
  oversized = 307,
  malformed_metadata = 308,
  wrong_type = 309,
  root_rotation_failed = 310,
  root_certificate_invalid = 311,
  pinning_failed = 312,
  delegation_invalid = 313,
  key_id_mismatch = 314,
  manifest_mismatch = 316,
  // network (4xx)
  network_unreachable = 401,
  network_timeout = 402,
  server_error = 403,
  tls_failure = 404,
  bad_response = 405,
  publish_rejected = 406,  // the server refused the upload (400), for another reason than below
  publish_conflict = 407,  // notary's VERSION: the server holds a newer version of a role
  snapshot_key_not_on_server = 408,  // no snapshot uploaded and the server holds no snapshot key
  publish_outcome_unknown = 409,  // the connection broke during an upload: the server may have it
  // auth (5xx)
  unauthorized = 501,
  credentials_invalid = 502,
  credential_helper_failed = 503,
  passphrase_incorrect = 504,  // a private key did not open with the passphrase given
  passphrase_required = 505,   // a key needs a passphrase and there is no way to ask for one
  credentials_withheld = 506,  // a server asked for credentials at a host they are not sent to
  // not found (6xx)
  repository_not_found = 601,
  tag_not_found = 602,
  key_not_found = 603,
  metadata_not_found = 604,
  tag_not_trusted = 605,  // signed only in a delegation that pulls do not trust
  no_signing_key = 606,   // none of a role's keys is held locally
  // io (7xx)
  io_failure = 701,
  docker_failed = 702,    // the Docker CLI run for us (push) failed
  repository_busy = 703,  // another process holds the repository's trust data lock
  // internal (9xx)
  internal = 901,
  cancelled = 902,
};

ErrorKind kind_of(ErrorCode code);
std::string_view id_of(ErrorCode code);  // "dct.security.301"

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message, std::string hint = {})
      : std::runtime_error(std::move(message)), code_(code), hint_(std::move(hint)) {}
  ErrorCode code() const noexcept { return code_; }
  ErrorKind kind() const noexcept { return kind_of(code_); }
  const std::string& hint() const noexcept { return hint_; }
  bool is_security() const noexcept { return kind() == ErrorKind::security; }

 private:
  ErrorCode code_;
  std::string hint_;
};

}  // namespace dct
