#include "trust/publish/key_rotation.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace dct::trust {

PublishReport rotate_base_key(PublishService& service, SigningKeys& keys, const std::string& role,
                              ServerKeyRotation* server, const PublishObserver& observer,
                              const std::string& existing_key_id) {
  const std::string& gun = service.target().gun;
  const OpenedRepository opened = service.open_for_edit({});
  if (!opened.editor.can_sign("root", keys))
    throw Error(ErrorCode::no_signing_key,
                fmt::format("the root key of {} is not in this trust dir; only the repository "
                            "owner can rotate its keys",
                            gun));
  const PublicKey new_key = server ? server->rotate_server_key(role)
                            : !existing_key_id.empty()
                                ? keys.get(existing_key_id, role).public_key()
                                : keys.create(role, gun).public_key();
  return service.publish_edit(
      {}, [&](RepoEditor& editor) { editor.rotate_base_key(role, new_key); }, observer);
}

}  // namespace dct::trust
