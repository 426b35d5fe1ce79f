// `mirror`: the verified trust data of repositories, published to another notary server so that
// its clients trust the same tags by the same signatures (trust/publish/mirror.h).
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "plugin/command.h"
#include "plugin/expiry_notice.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/resolve_flow.h"
#include "plugin/table.h"
#include "registry/endpoints.h"
#include "registry/url.h"
#include "trust/publish/mirror.h"
#include "trust/tuf/resolve.h"

namespace dct::plugin {
namespace {

struct MirrorArgs {
  std::vector<std::string> images;
  std::string to;
  bool dry_run = false;
  std::string format;
};

struct MirrorOutcome {
  std::string source;
  std::string destination;
  trust::MirrorReport report;
};

std::string mirror_status_name(trust::MirrorReport::Status s) {
  switch (s) {
    case trust::MirrorReport::Status::published:
      return "published";
    case trust::MirrorReport::Status::would_publish:
      return "would publish";
    case trust::MirrorReport::Status::up_to_date:
      return "up to date";
  }
  return "";
}

nlohmann::json mirror_json(const std::vector<MirrorOutcome>& outcomes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : outcomes) {
    const trust::MirrorReport& r = o.report;
    nlohmann::json roles = nlohmann::json::array();
    for (const auto& c : r.carried) roles.push_back({{"role", c.role}, {"version", c.version}});
    nlohmann::json root = nullptr;
    if (r.root_version > 0) {
      nlohmann::json keys = nlohmann::json::array();
      for (const auto& k : r.root_keys)
        keys.push_back({{"role", k.role},
                        {"id", k.id.empty() ? nlohmann::json(nullptr) : nlohmann::json(k.id)},
                        {"origin", k.origin}});
      root = {{"version", r.root_version}, {"keys", std::move(keys)}};
    }
    nlohmann::json snapshot = nullptr;
    if (r.snapshot_version > 0)
      snapshot = {{"version", r.snapshot_version}, {"signer", "here"}};
    else if (r.snapshot_by_server && !r.files.empty())
      snapshot = {{"version", nullptr}, {"signer", "server"}};
    out.push_back({{"repository", r.gun},
                   {"source", o.source},
                   {"destination", o.destination},
                   {"status", mirror_status_name(r.status)},
                   {"root", std::move(root)},
                   {"roles", std::move(roles)},
                   {"snapshot", std::move(snapshot)},
                   {"files", r.files}});
  }
  return out;
}

std::string mirror_text(const MirrorOutcome& o) {
  const trust::MirrorReport& r = o.report;
  if (r.status == trust::MirrorReport::Status::up_to_date)
    return fmt::format("{} is up to date on {}; nothing was published\n", r.gun, o.destination);
  std::string out = fmt::format("{} from {} to {}\n", r.gun, o.source, o.destination);
  std::vector<std::vector<std::string>> rows{{"  FILE", "VERSION", "PUBLISHED AS"}};
  if (r.root_version > 0)
    rows.push_back(
        {"  root", std::to_string(r.root_version), "new version, signed by the root key"});
  for (const auto& c : r.carried)
    rows.push_back({"  " + c.role, std::to_string(c.version), "byte for byte"});
  if (r.snapshot_version > 0)
    rows.push_back({"  snapshot", std::to_string(r.snapshot_version), "signed here"});
  else if (r.snapshot_by_server)
    rows.push_back({"  snapshot", "-", "signed by the new server"});
  rows.push_back({"  timestamp", "-", "signed by the new server"});
  out += render_table(rows, kDockerTable);
  if (r.root_version > 0) {
    out += "Keys of the new root:\n";
    std::vector<std::vector<std::string>> keys{{"  ROLE", "KEY", "FROM"}};
    for (const auto& k : r.root_keys)
      keys.push_back({"  " + k.role, k.id.empty() ? "(made on publish)" : k.id,
                      k.origin == "kept" ? "kept" : "the new server"});
    out += render_table(keys, kDockerTable);
  }
  const std::size_t n = r.files.size();
  const std::string files = n == 1 ? "1 file" : fmt::format("{} files", n);
  if (r.status == trust::MirrorReport::Status::would_publish)
    out += fmt::format("Would publish {} for {} (dry run: nothing was published)\n", files, r.gun);
  else
    out += fmt::format("Published {} for {} to {}\n", files, r.gun, o.destination);
  return out;
}

// The source repository, verified as `resolve` does, with its whole delegation tree.
trust::TrustedRepository mirror_verified_source(Context& ctx, RepositoryClient& client) {
  client.hold_cache_writes();
  auto repo = client.update(trust::resolve_update_options());
  client.updater().load_all(repo);
  client.commit_cache();
  add_expiry_warnings(client, repo);
  for (const auto& w : repo.warnings) ctx.warn(w);
  return repo;
}

MirrorOutcome mirror_one(Context& ctx, registry::Session& destination_session,
                         const registry::Reference& ref, trust::KeyProvider& keys, bool dry_run) {
  RepositoryClient client(ctx.session(), ref);
  const registry::NotaryServer destination = destination_session.notary_server(ref);
  if (destination.url == client.server().url)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} is the notary server of {} already", destination.url, ref.gun()),
                "give --to the URL of another notary server");
  trust::TrustedRepository repo;
  try {
    repo = mirror_verified_source(ctx, client);
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
  NotaryPublishRemote source_keys(client.remote());
  std::unique_ptr<registry::NotaryRemote> remote = destination_session.notary_remote(ref);
  remote->set_read_actions(dry_run ? registry::kPull : registry::kPushPull);
  NotaryPublishRemote writes(*remote);
  trust::MirrorOptions options;
  options.dry_run = dry_run;
  options.now = std::chrono::system_clock::now();
  options.source_snapshot_key = [&] { return source_keys.server_key("snapshot"); };
  try {
    return {client.server().url, destination.url,
            trust::mirror_repository(repo, {*remote, writes}, keys, options)};
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::network) throw;
    throw Error(e.code(),
                fmt::format("notary server {} (from --to): {}", destination.url, e.what()),
                e.code() == ErrorCode::tls_failure
                    ? fmt::format("if the server's certificate is issued by your own CA, put that "
                                  "CA in <config dir>/tls/{}/ca.crt",
                                  registry::url_authority(destination.url))
                    : e.hint());
  }
}

int run_mirror(Context& ctx, const MirrorArgs& args) {
  if (!args.format.empty() && args.format != "json")
    throw Error(ErrorCode::invalid_argument,
                fmt::format("unknown format \"{}\": use --format json", args.format));
  std::vector<registry::Reference> refs;
  for (const auto& image : args.images) refs.push_back(registry::parse_repository(image));
  TrustOptions to = ctx.trust;
  to.server = args.to;
  registry::Session destination_session(session_options(to));
  PassphrasePrompt passphrases;
  trust::SigningKeys keys(ctx.session().trust_dir(), passphrases);
  std::vector<MirrorOutcome> outcomes;
  for (const auto& ref : refs) {
    outcomes.push_back(mirror_one(ctx, destination_session, ref, keys, args.dry_run));
    if (args.format != "json") *ctx.out << mirror_text(outcomes.back()) << std::flush;
  }
  if (args.format == "json") *ctx.out << mirror_json(outcomes).dump(4) << "\n";
  return 0;
}

}  // namespace

Command mirror_command() {
  Command c;
  c.path = "mirror";
  c.usage = "[OPTIONS] IMAGE [IMAGE...] --to URL";
  c.summary = "Publish verified trust data to another notary server";
  c.description =
      "Verify the trust data of each repository on its notary server, as `docker dct resolve`\n"
      "does, then publish it to the notary server at URL so that clients pointed there (dct,\n"
      "notary, docker trust) trust the same tags by the same signatures.\n\n"
      "targets and every delegation are published byte for byte: their keys do not change.\n"
      "The root gets the new server's timestamp key (and its snapshot key when the server\n"
      "signs snapshots) in a new version signed by the root key, which must be in the trust\n"
      "dir (`docker dct key import`). A snapshot whose key is in the trust dir is signed again\n"
      "here. Nothing is published when any of the trust data fails verification.\n\n"
      "Running it again publishes only what changed since; --dry-run lists what would be\n"
      "published and changes nothing.";
  c.examples =
      "  docker dct mirror registry.example.com/team/app --to https://notary.new.example.com\n"
      "  docker dct mirror --dry-run registry.example.com/team/app --to "
      "https://notary.new.example.com\n"
      "  docker dct resolve --server https://notary.new.example.com "
      "registry.example.com/team/app:1.4\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<MirrorArgs>();
    MirrorArgs& a = *bound;
    app.add_option("IMAGE", a.images, "Repositories to mirror")->required();
    app.add_option("--to", a.to, "URL of the notary server to publish to")
        ->required()
        ->type_name("URL");
    app.add_flag("--dry-run", a.dry_run, "List what would be published; publish nothing");
    app.add_option("--format", a.format, "Output format: \"json\" for one object per repository")
        ->type_name("string");
    return [bound](Context& ctx) { return run_mirror(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
