#include "plugin/publish_now.h"

#include <fmt/format.h>

#include <ostream>

#include "plugin/passphrase_prompt.h"
#include "plugin/publish_flow.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"

namespace dct::plugin {

void publish_staged_now(Context& ctx, const registry::Reference& ref) {
  RepositoryClient client(ctx.session(), ref, registry::kPushPull);
  PassphrasePrompt passphrases;
  SigningKeys keys(client.trust_dir(), passphrases);
  const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
  *ctx.out << fmt::format("Auto-publishing changes to {}\n", ref.gun());
  try {
    publish_changes(client, keys, {}, [&](const std::string& line) { *ctx.out << line << "\n"; });
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
  *ctx.out << fmt::format("Successfully published changes for repository {}\n", ref.gun());
}

}  // namespace dct::plugin
