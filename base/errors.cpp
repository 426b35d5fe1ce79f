#include "base/errors.h"

namespace dct {

ErrorKind kind_of(ErrorCode code) {
  switch (static_cast<int>(code) / 100) {
    case 1:
      return ErrorKind::usage;
    case 2:
      return ErrorKind::config;
    case 3:
      return ErrorKind::security;
    case 4:
      return ErrorKind::network;
    case 5:
      return ErrorKind::auth;
    case 6:
      return ErrorKind::not_found;
    case 7:
      return ErrorKind::io;
    default:
      return ErrorKind::internal;
  }
}

std::string_view id_of(ErrorCode code) {
  switch (code) {
#define DCT_ID(name, id) \
  case ErrorCode::name:  \
    return id;
    DCT_ID(invalid_reference, "dct.usage.101")
    DCT_ID(invalid_argument, "dct.usage.102")
    DCT_ID(invalid_role_name, "dct.usage.103")
    DCT_ID(config_invalid, "dct.config.201")
    DCT_ID(tls_config, "dct.config.202")
    DCT_ID(dockerfile_invalid, "dct.config.203")
    DCT_ID(signature_invalid, "dct.security.301")
    DCT_ID(threshold_not_met, "dct.security.302")
    DCT_ID(expired, "dct.security.303")
    DCT_ID(rollback, "dct.security.304")
    DCT_ID(hash_mismatch, "dct.security.305")
    DCT_ID(length_mismatch, "dct.security.306")
    DCT_ID(oversized, "dct.security.307")
    DCT_ID(malformed_metadata, "dct.security.308")
    DCT_ID(wrong_type, "dct.security.309")
    DCT_ID(root_rotation_failed, "dct.security.310")
    DCT_ID(root_certificate_invalid, "dct.security.311")
    DCT_ID(pinning_failed, "dct.security.312")
    DCT_ID(delegation_invalid, "dct.security.313")
    DCT_ID(key_id_mismatch, "dct.security.314")
    DCT_ID(manifest_mismatch, "dct.security.316")
    DCT_ID(network_unreachable, "dct.network.401")
    DCT_ID(network_timeout, "dct.network.402")
    DCT_ID(server_error, "dct.network.403")
    DCT_ID(tls_failure, "dct.network.404")
    DCT_ID(bad_response, "dct.network.405")
    DCT_ID(publish_rejected, "dct.network.406")
    DCT_ID(publish_conflict, "dct.network.407")
    DCT_ID(snapshot_key_not_on_server, "dct.network.408")
    DCT_ID(publish_outcome_unknown, "dct.network.409")
    DCT_ID(unauthorized, "dct.auth.501")
    DCT_ID(credentials_invalid, "dct.auth.502")
    DCT_ID(credential_helper_failed, "dct.auth.503")
    DCT_ID(passphrase_incorrect, "dct.auth.504")
    DCT_ID(passphrase_required, "dct.auth.505")
    DCT_ID(credentials_withheld, "dct.auth.506")
    DCT_ID(repository_not_found, "dct.notfound.601")
    DCT_ID(tag_not_found, "dct.notfound.602")
    DCT_ID(key_not_found, "dct.notfound.603")
    DCT_ID(metadata_not_found, "dct.notfound.604")
    DCT_ID(tag_not_trusted, "dct.notfound.605")
    DCT_ID(no_signing_key, "dct.notfound.606")
    DCT_ID(io_failure, "dct.io.701")
    DCT_ID(docker_failed, "dct.io.702")
    DCT_ID(repository_busy, "dct.io.703")
    DCT_ID(internal, "dct.internal.901")
    DCT_ID(cancelled, "dct.internal.902")
#undef DCT_ID
  }
  return "dct.internal.900";
}

}  // namespace dct
