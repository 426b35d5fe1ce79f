#pragma once
// Rotating a base role's key (targets, snapshot or timestamp): before a new key is made
// anywhere, the trust data must verify and the root key must be here; the new key is made here
// or by the notary server, and the re-signed root (and targets, for the targets key) published.
#include <string>

#include "trust/formats/public_key.h"
#include "trust/publish/publish_service.h"

namespace dct::trust {

// The server's side of a rotation, for keys the server holds.
class ServerKeyRotation {
 public:
  virtual ~ServerKeyRotation() = default;
  // A new key the server makes and holds for `role`. Throws dct::Error.
  virtual PublicKey rotate_server_key(const std::string& role) = 0;
};

// `server` null: the new key is `existing_key_id` of the store when given, else made and stored
// here. Throws no_signing_key when the root key is not held.
PublishReport rotate_base_key(PublishService& service, SigningKeys& keys, const std::string& role,
                              ServerKeyRotation* server, const PublishObserver& observer,
                              const std::string& existing_key_id = {});

}  // namespace dct::trust
