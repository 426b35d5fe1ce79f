#include "plugin/publish_now.h"

#include <fmt/format.h>

#include <optional>
#include <ostream>

#include "plugin/passphrase_prompt.h"
#include "plugin/publish_flow.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"

namespace dct::plugin {

void publish_staged_now(Context& ctx, const registry::Reference& ref,
                        const std::vector<std::string>& own_changes) {
  // Failures before the publish starts (the server's address, the trust dir) take the
  // command's changes back out here; the publish does that itself.
  bool publishing = false;
  try {
    RepositoryClient client(ctx.session(), ref, registry::kPushPull);
    PassphrasePrompt passphrases;
    SigningKeys keys(client.trust_dir(), passphrases);
    const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
    *ctx.out << fmt::format("Auto-publishing changes to {}\n", ref.gun());
    try {
      publishing = true;
      publish_changes(
          client, keys, {}, [&](const std::string& line) { *ctx.out << line << "\n"; },
          std::nullopt, own_changes);
    } catch (const Error& e) {
      rethrow_with_server(e, client.server());
    }
  } catch (const Error& e) {
    if (publishing || own_changes.empty()) throw;
    std::optional<trust::Changelist> changelist;
    try {
      changelist = trust::Changelist::for_repository(ctx.session().trust_dir(), ref.gun());
    } catch (const Error&) {
      throw e;  // no trust dir, so nothing was staged either
    }
    throw trust::unstage_after_failure(*changelist, own_changes, e, ref.gun());
  }
  *ctx.out << fmt::format("Successfully published changes for repository {}\n", ref.gun());
}

}  // namespace dct::plugin
