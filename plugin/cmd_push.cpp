#include <fmt/format.h>

#include <ostream>

#include "plugin/command.h"
#include "plugin/docker_exec.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"
#include "plugin/sign_args.h"
#include "plugin/sign_flow.h"

namespace dct::plugin {

Command push_command() {
  static SignArgs args;
  Command c;
  c.path = "push";
  c.usage = "[OPTIONS] IMAGE:TAG";
  c.summary = "Push an image and sign its tag";
  c.description =
      "Push an image with the Docker CLI, then sign the tag as `docker dct sign` does.\n"
      "Everything signing needs (the notary server, the repository's trust data, a role and\n"
      "its key and passphrase) is checked before the push; if signing still fails after the\n"
      "push, the image is pushed but not signed and the command fails.";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) { add_sign_args(app, args); };
  c.run = [](Context& ctx) {
    const auto ref = registry::parse_reference(args.image);
    RepositoryClient client(ctx.trust, ref, registry::kPushPull);
    PassphrasePrompt passphrases;
    SigningKeys keys(client.trust_dir(), passphrases);
    const SignOptions options = args.options();
    SignPlan plan;
    // Not held during the push itself, which may take long: publishing re-reads the trust data.
    std::optional<trust::RepoLock> lock;
    lock.emplace(lock_repository(ctx, client.trust_dir(), ref.gun()));
    try {
      plan = prepare_sign(client, keys, options);
    } catch (const Error& e) {
      rethrow_with_server(e, client.server());
    }
    lock.reset();
    for (const auto& w : plan.choice.warnings) ctx.warn(w);
    const int rc = run_docker(ctx.invocation, {"push", ref.familiar_str()});
    if (rc != 0)
      throw Error(ErrorCode::docker_failed,
                  fmt::format("docker push {} failed (exit status {}); nothing was signed",
                              ref.familiar_str(), rc));
    try {
      registry::ManifestClient manifests(client.registry_authorizer());
      const registry::Manifest manifest = manifests.get(ref);
      *ctx.out << fmt::format("Signing {}:{} ({}, {} bytes)\n", ref.gun(), ref.tag, manifest.digest,
                              manifest.length);
      lock.emplace(lock_repository(ctx, client.trust_dir(), ref.gun()));
      plan.opened.reset();  // the trust data may have moved on during the push
      sign_and_publish(client, keys, plan, manifest, options,
                       [&](const std::string& line) { *ctx.out << line << "\n"; });
    } catch (const Error& e) {
      throw Error(
          e.code(), fmt::format("{} was pushed but NOT signed: {}", ref.familiar_str(), e.what()),
          e.hint().empty()
              ? fmt::format("fix the cause, then run `docker dct sign {}`", ref.familiar_str())
              : e.hint());
    }
    *ctx.out << fmt::format("Successfully signed {}:{}\n", ref.gun(), ref.tag);
    return 0;
  };
  return c;
}

}  // namespace dct::plugin
