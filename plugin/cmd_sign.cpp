#include <fmt/format.h>

#include <exception>
#include <future>
#include <memory>
#include <ostream>

#include "base/encoding.h"
#include "plugin/command.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"
#include "plugin/sign_args.h"
#include "plugin/sign_flow.h"
#include "plugin/sign_target.h"
#include "registry/manifest.h"

namespace dct::plugin {

namespace {

// IMAGE:TAG@DIGEST: the bytes of that digest, and a warning when the tag points elsewhere
// (added to `warnings`: this runs beside other work, the caller says them).
registry::Manifest manifest_for_digest(std::vector<std::string>& warnings,
                                       registry::ManifestClient& manifests,
                                       const registry::Reference& ref) {
  registry::Manifest m;
  try {
    m = fetch_expected_manifest(manifests, ref, {ref.digest, std::nullopt, "the digest given"});
  } catch (const Error& e) {
    if (e.code() != ErrorCode::tag_not_found && e.code() != ErrorCode::repository_not_found) throw;
    throw Error(e.code(), fmt::format("{}; nothing was signed", e.what()),
                "check the digest: only a manifest the registry serves is signed");
  }
  try {
    const auto now = tag_digest_now(manifests, ref);
    if (!now)
      warnings.push_back(
          fmt::format("the registry has no tag {} for {}; signing it for {} as asked", ref.tag,
                      ref.familiar(), m.digest));
    else if (*now != m.digest)
      warnings.push_back(
          fmt::format("the registry's tag {}:{} points at {}; signing it for {} as asked",
                      ref.familiar(), ref.tag, *now, m.digest));
  } catch (const Error& e) {
    if (e.code() == ErrorCode::cancelled) throw;
    warnings.push_back(
        fmt::format("cannot tell what the registry's tag {}:{} points at ({}); signing it "
                    "for {} as asked",
                    ref.familiar(), ref.tag, e.what(), m.digest));
  }
  return m;
}

}  // namespace

Command sign_command() {
  Command c;
  c.path = "sign";
  c.check_args = check_image_tag_args;
  c.usage = "[OPTIONS] IMAGE:TAG[@DIGEST]";
  c.summary = "Sign the image a registry holds for a tag";
  c.description =
      "Sign the image a registry holds for a tag, and publish the signature to the notary\n"
      "server. What is signed is the sha256 and length of the manifest bytes the registry\n"
      "serves for the tag (image manifest or multi-platform index); no Docker daemon is needed.\n\n"
      "IMAGE:TAG@sha256:DIGEST signs the tag for exactly that digest, such as the one a build\n"
      "reported: the registry must serve a manifest with that digest (fetched by digest and\n"
      "checked), or nothing is signed. If the tag points at another image in the registry, a\n"
      "warning says so; the signature is still for the digest given.\n\n"
      "The tag is signed into targets/releases when the repository has that delegation (one of\n"
      "its keys must be in the trust dir), else with the repository's targets key. Roles made\n"
      "by `docker trust signer add` whose key is held here are signed too. A repository without\n"
      "trust data is initialized first: root, targets and snapshot keys are made here (the\n"
      "snapshot key goes to the server with --server-managed-snapshot).";
  c.examples =
      "  docker dct sign registry.example.com/team/app:1.4\n"
      "  docker dct sign registry.example.com/team/app:1.4@sha256:<digest of the build>\n"
      "  docker dct sign --role targets/releases registry.example.com/team/app:1.4\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<SignArgs>();
    SignArgs& flags = *bound;
    add_sign_args(app, flags, "Image reference with a tag, and optionally the digest to sign");
    return [bound](Context& ctx) {
      SignArgs& args = *bound;
      const auto ref = registry::parse_reference(args.image);
      check_sign_reference(ref);
      RepositoryClient client(ctx.session(), ref, registry::kPushPull);
      PassphrasePrompt passphrases;
      SigningKeys keys(client.trust_dir(), passphrases);
      const SignOptions options = args.options();
      // The manifest is fetched while the trust data is brought up to date (the two servers'
      // round trips overlap), but its answer comes first: nothing is initialized, and no key
      // made or unlocked, for a tag the registry does not have.
      registry::ManifestClient manifests(client.registry_authorizer());
      std::vector<std::string> warnings;
      auto fetching = std::async(std::launch::async, [&] {
        return ref.has_digest() ? manifest_for_digest(warnings, manifests, ref)
                                : manifests.get(ref);
      });
      const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
      std::optional<OpenedRepository> opened;
      std::exception_ptr opening_failed;
      try {
        opened = open_for_signing(client, keys, options);
      } catch (...) {
        opening_failed = std::current_exception();
      }
      const registry::Manifest manifest = fetching.get();
      for (const auto& w : warnings) ctx.warn(w);
      SignPlan plan;
      try {
        if (opening_failed) std::rethrow_exception(opening_failed);
        plan = prepare_sign(client, keys, options, std::move(opened));
      } catch (const Error& e) {
        rethrow_with_server(e, client.server());
      }
      for (const auto& w : plan.choice.warnings) ctx.warn(w);
      std::string roles;
      for (const auto& r : plan.choice.roles) roles += (roles.empty() ? "" : ", ") + r;
      *ctx.out << fmt::format("Signing {}:{} ({}, {} bytes) into {}\n", ref.gun(), ref.tag,
                              manifest.digest, manifest.length, roles);
      if (plan.new_repository)
        *ctx.out << fmt::format("Initializing trust data for {}\n", ref.gun());
      PublishReport report;
      try {
        report = sign_and_publish(client, keys, plan, manifest, options,
                                  [&](const std::string& line) { *ctx.out << line << "\n"; });
      } catch (const Error& e) {
        rethrow_with_server(e, client.server());
      }
      if (report.files.empty())
        *ctx.out << fmt::format("{}:{} was already signed for this digest; nothing changed\n",
                                ref.gun(), ref.tag);
      else
        *ctx.out << fmt::format("Successfully signed {}:{}\n", ref.gun(), ref.tag);
      return 0;
    };
  };
  return c;
}

}  // namespace dct::plugin
