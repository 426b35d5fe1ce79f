#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "plugin/command.h"
#include "plugin/docker_exec.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/push_output.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"
#include "plugin/sign_args.h"
#include "plugin/sign_flow.h"
#include "plugin/sign_target.h"

namespace dct::plugin {

namespace {

// Runs `docker push`, shows its output as it comes, and returns the digest and size it reported
// for the tag.
std::optional<PushedManifest> docker_push(const Context& ctx, const registry::Reference& ref) {
  PushDigestScanner scanner(ref.tag);
  const int rc = run_docker_reading_output(ctx.invocation, {"push", ref.familiar_str()},
                                           ctx.stdout_is_tty, [&](std::string_view chunk) {
                                             ctx.out->write(chunk.data(), chunk.size());
                                             ctx.out->flush();
                                             scanner.feed(chunk);
                                           });
  if (rc != 0)
    throw Error(ErrorCode::docker_failed,
                fmt::format("docker push {} failed (exit status {}); nothing was signed",
                            ref.familiar_str(), rc));
  return scanner.result();
}

// The manifest docker push reported, as the registry serves it by digest; refused when the
// bytes differ or the tag has moved on to something else since.
registry::Manifest pushed_manifest(RepositoryClient& client, const registry::Reference& ref,
                                   const PushedManifest& pushed) {
  registry::ManifestClient manifests(client.registry_authorizer());
  registry::Manifest m = fetch_expected_manifest(
      manifests, ref, {pushed.digest, pushed.size, "the manifest docker push reported"});
  const auto now = tag_digest_now(manifests, ref);
  if (!now)
    throw Error(ErrorCode::manifest_mismatch,
                fmt::format("the registry no longer has the tag {}:{}, which docker push reported "
                            "as {}: someone removed it, or the registry does not keep what was "
                            "pushed",
                            ref.familiar(), ref.tag, m.digest));
  if (*now != m.digest)
    throw Error(ErrorCode::manifest_mismatch,
                fmt::format("the registry's tag {}:{} points at {}, not at {}, which docker push "
                            "reported: another push to the tag came after this one, or the "
                            "registry is not serving what was pushed",
                            ref.familiar(), ref.tag, *now, m.digest));
  return m;
}

}  // namespace

Command push_command() {
  Command c;
  c.path = "push";
  c.check_args = check_image_tag_args;
  c.usage = "[OPTIONS] IMAGE:TAG";
  c.summary = "Push an image and sign its tag";
  c.description =
      "Push an image with the Docker CLI, then sign the tag for exactly what was pushed.\n"
      "Everything signing needs (the notary server, the repository's trust data, a role and\n"
      "its key and passphrase) is checked before the push. What is signed is the manifest\n"
      "whose digest and size `docker push` reported, fetched from the registry by digest and\n"
      "checked; if the registry's tag points at anything else by then, nothing is signed.\n"
      "If signing fails after the push, the image is pushed but not signed, the command fails\n"
      "and says how to sign it (`docker dct sign IMAGE:TAG@sha256:DIGEST`).";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<SignArgs>();
    SignArgs& flags = *bound;
    add_sign_args(app, flags, "Image reference with a tag");
    return [bound](Context& ctx) {
      SignArgs& args = *bound;
      const auto ref = registry::parse_reference(args.image);
      if (ref.has_digest())
        throw Error(ErrorCode::invalid_reference,
                    fmt::format("\"{}\" has a digest: docker pushes tags", ref.familiar_str()),
                    fmt::format("push {}:{}, or sign a pushed digest with `docker dct sign {}`",
                                ref.familiar(), ref.tag_or_latest(), ref.familiar_str()));
      RepositoryClient client(ctx.session(), ref, registry::kPushPull);
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
      const auto pushed = docker_push(ctx, ref);
      if (!pushed)
        throw Error(ErrorCode::docker_failed,
                    fmt::format("{} was pushed but NOT signed: docker push reported no digest for "
                                "the tag (a line \"{}: digest: sha256:... size: N\"), so what it "
                                "pushed is not known; nothing was signed or staged",
                                ref.familiar_str(), ref.tag),
                    fmt::format("if you know the digest of what was pushed (from the build, or "
                                "`docker image inspect --format '{{{{json .RepoDigests}}}}' {}`), "
                                "sign exactly that: `docker dct sign {}@sha256:<digest>`",
                                ref.familiar_str(), ref.familiar_str()));
      const std::string sign_pushed =
          fmt::format("docker dct sign {}@{}", ref.familiar_str(), pushed->digest);
      try {
        const registry::Manifest manifest = pushed_manifest(client, ref, *pushed);
        *ctx.out << fmt::format("Signing {}:{} ({}, {} bytes)\n", ref.gun(), ref.tag,
                                manifest.digest, manifest.length);
        lock.emplace(lock_repository(ctx, client.trust_dir(), ref.gun()));
        plan.opened.reset();  // the trust data may have moved on during the push
        sign_and_publish(client, keys, plan, manifest, options,
                         [&](const std::string& line) { *ctx.out << line << "\n"; });
      } catch (const Error& e) {
        throw Error(e.code(),
                    fmt::format("{} was pushed but NOT signed: {}", ref.familiar_str(), e.what()),
                    (e.hint().empty() ? "" : e.hint() + "\n") +
                        fmt::format("once the cause is dealt with, sign what this push sent: `{}`",
                                    sign_pushed));
      }
      *ctx.out << fmt::format("Successfully signed {}:{}\n", ref.gun(), ref.tag);
      return 0;
    };
  };
  return c;
}

}  // namespace dct::plugin
