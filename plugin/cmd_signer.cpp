// `signer add` and `signer remove`, as `docker trust signer add/remove` do: a signer NAME is the
// role targets/NAME plus its keys in targets/releases, added or removed in one publish.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <regex>
#include <set>

#include "base/files.h"
#include "plugin/command.h"
#include "plugin/confirm.h"
#include "plugin/error_output.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/publish_flow.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"
#include "registry/endpoints.h"
#include "trust/crypto/delegation_keys.h"

namespace dct::plugin {
namespace {

using nlohmann::json;

constexpr const char* kSignerReleases = "targets/releases";

void check_signer_name(const std::string& name) {
  static const std::regex kValid("^[a-z0-9][a-z0-9_-]*$");
  if (!std::regex_match(name, kValid))
    throw Error(ErrorCode::invalid_argument,
                fmt::format("signer name \"{}\" must start with lowercase alphanumeric characters "
                            "and can include \"-\" or \"_\" after the first character",
                            name));
  if (name == "releases")
    throw Error(ErrorCode::invalid_argument,
                "releases is a reserved keyword, use a different signer name",
                "targets/releases is where every signer's key goes; name the signer after the "
                "person or system that signs");
}

std::vector<trust::PublicKey> read_signer_keys(const std::vector<std::string>& files) {
  if (files.empty())
    throw Error(ErrorCode::invalid_argument,
                "path to a public key must be provided using the `--key` flag",
                "give the signer's PEM public key (`docker dct key generate NAME` writes "
                "NAME.pub) or certificate: --key NAME.pub");
  std::vector<trust::PublicKey> keys;
  const auto now = std::chrono::system_clock::now();
  for (const auto& f : files) {
    auto bytes = read_file_capped(f, 1 << 20);
    if (!bytes)
      throw Error(ErrorCode::io_failure,
                  fmt::format("unable to read public key from file \"{}\" (missing, unreadable "
                              "or over 1 MiB)",
                              f));
    keys.push_back(trust::delegation_key_from_pem(*bytes, f, now));
  }
  return keys;
}

trust::Change signer_change(const std::string& action, const std::string& role,
                            std::optional<json> data) {
  trust::Change c;
  c.action = action;
  c.role = role;
  c.type = "delegation";
  if (data) c.data = data->dump();
  return c;
}

// Progress from the publish: warnings to stderr, the rest only with -D.
Progress signer_progress(const Context& ctx) {
  return [&ctx](const std::string& line) {
    if (line.rfind("WARNING: ", 0) == 0)
      *ctx.err << line << "\n";
    else
      ctx.debug_log(line);
  };
}

// Adding or removing a signer edits the delegations of targets: its key is needed.
[[noreturn]] void rethrow_signer_error(const Error& e, const std::string& gun) {
  if (e.code() == ErrorCode::no_signing_key && e.hint().empty())
    throw Error(e.code(), e.what(),
                fmt::format("signers are added and removed with the targets key of {}: run this "
                            "where the repository was initialized, or import that key with "
                            "`docker dct key import FILE --role targets --gun {}`",
                            gun, gun));
  throw;
}

// Stages `changes` and publishes; a failed publish takes them back out of the changelist, so
// that a failed command leaves nothing staged (changes staged earlier stay).
void publish_signer_changes(Context& ctx, RepositoryClient& client, SigningKeys& keys,
                            const std::vector<trust::Change>& changes, OpenedRepository opened) {
  auto changelist = trust::Changelist::for_repository(client.trust_dir(), client.gun());
  std::vector<std::string> staged;
  try {
    for (const auto& c : changes) staged.push_back(changelist.add(c));
  } catch (const Error& e) {
    throw trust::unstage_after_failure(changelist, staged, e, client.gun());
  }
  try {
    publish_changes(client, keys, {}, signer_progress(ctx), std::move(opened), staged);
  } catch (const Error& e) {
    rethrow_signer_error(e, client.gun());
  }
}

// ---- add ----

struct SignerAddArgs {
  std::string name;
  std::vector<std::string> repos;
  std::vector<std::string> key_files;
};

void add_signer_to(Context& ctx, const std::string& name, const std::string& repo,
                   const std::vector<trust::PublicKey>& signer_keys) {
  const auto ref = registry::parse_repository(repo);
  RepositoryClient client(ctx.session(), ref, registry::kPushPull);
  PassphrasePrompt passphrases;
  SigningKeys keys(client.trust_dir(), passphrases);
  const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
  try {
    std::optional<OpenedRepository> opened;
    try {
      opened = open_for_edit(client, keys, {});
    } catch (const Error& e) {
      if (e.code() != ErrorCode::repository_not_found) throw;
      // As Docker: a new repository with the snapshot key on the server, so that signers
      // can publish without it.
      *ctx.out << fmt::format("Initializing signed repository for {}...\n", repo) << std::flush;
      EditOptions init;
      init.init_if_missing = true;
      init.server_managed_snapshot = true;
      opened = open_for_edit(client, keys, init);
      *ctx.out << fmt::format("Successfully initialized \"{}\"\n", repo);
    }
    for (const auto& w : opened->warnings) ctx.warn(w);
    json key_list = json::array();
    for (const auto& k : signer_keys) key_list.push_back(k.to_json());
    const json data{{"threshold", 1}, {"add_keys", key_list}, {"add_paths", {""}}};
    publish_signer_changes(ctx, client, keys,
                           {signer_change("create", "targets/" + name, data),
                            signer_change("create", kSignerReleases, data)},
                           std::move(*opened));
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
}

int run_signer_add(Context& ctx, const SignerAddArgs& args) {
  check_signer_name(args.name);
  const auto signer_keys = read_signer_keys(args.key_files);
  std::vector<std::string> failed;
  for (const auto& repo : args.repos) {
    *ctx.out << fmt::format("Adding signer \"{}\" to {}...\n", args.name, repo) << std::flush;
    try {
      add_signer_to(ctx, args.name, repo, signer_keys);
      *ctx.out << fmt::format("Successfully added signer: {} to {}\n\n", args.name, repo);
    } catch (const Error& e) {
      if (args.repos.size() == 1) throw;
      report_error(e, *ctx.err, ctx.debug);
      *ctx.err << "\n";
      failed.push_back(repo);
    }
  }
  if (failed.empty()) return kExitOk;
  std::string list;
  for (const auto& r : failed) list += (list.empty() ? "" : ", ") + r;
  *ctx.err << fmt::format("failed to add signer to: {}\n", list);
  return kExitFailure;
}

// ---- remove ----

struct SignerRemoveArgs {
  std::string name;
  std::vector<std::string> repos;
  bool force = false;
};

// What taking the keys out of targets/releases does to its tags, for the question.
std::string releases_tags_losing_trust(const trust::RepoEditor& editor) {
  const trust::EditableTargets* releases = editor.role(kSignerReleases);
  if (!releases || releases->targets.empty())
    return fmt::format("\n{} signs no tags.", kSignerReleases);
  const trust::EditableTargets* base = editor.role("targets");
  std::string out = fmt::format("\nTags signed in {}:", kSignerReleases);
  for (const auto& [tag, meta] : releases->targets) {
    std::string after = "no longer trusted";
    if (base && base->targets.count(tag))
      after = base->targets.at(tag).to_json() == meta.to_json()
                  ? "still trusted through targets (same digest)"
                  : "falls back to the older targets signature (a different digest)";
    out += fmt::format("\n  {}  {}", tag, after);
  }
  return out;
}

// Returns false when the user declined.
bool remove_signer_from(Context& ctx, const SignerRemoveArgs& args, const std::string& repo) {
  const auto ref = registry::parse_repository(repo);
  const std::string role = "targets/" + args.name;
  RepositoryClient client(ctx.session(), ref, registry::kPushPull);
  PassphrasePrompt passphrases;
  SigningKeys keys(client.trust_dir(), passphrases);
  const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
  try {
    EditOptions options;
    options.all_roles = true;
    OpenedRepository opened = open_for_edit(client, keys, options);
    for (const auto& w : opened.warnings) ctx.warn(w);
    const trust::RepoEditor& editor = opened.editor;
    if (!editor.has_role(role))
      throw Error(ErrorCode::metadata_not_found,
                  fmt::format("no signer {} for repository {}", args.name, repo),
                  fmt::format("`docker dct delegation list {}` shows its signers", repo));
    // Keys another signer also holds stay in targets/releases: that signer still signs.
    std::set<std::string> shared;
    for (const auto& d : editor.delegations_of("targets"))
      if (d.name != role && d.name != kSignerReleases)
        for (const auto& id : editor.signers(d.name).canonical_ids()) shared.insert(id);
    std::vector<std::string> signer_ids;
    for (const auto& id : editor.signers(role).canonical_ids())
      if (!shared.count(id)) signer_ids.push_back(id);
    std::vector<trust::Change> changes;
    if (editor.has_role(kSignerReleases)) {
      const trust::RoleSigners releases = editor.signers(kSignerReleases);
      std::set<std::string> left;
      for (const auto& id : releases.canonical_ids())
        if (std::find(signer_ids.begin(), signer_ids.end(), id) == signer_ids.end())
          left.insert(id);
      if (left.empty()) {
        const std::string question = fmt::format(
            "The signer \"{}\" holds the last key of {} in {}, so removing it removes {} "
            "too.{}\nRemove {} from {}?",
            args.name, kSignerReleases, repo, kSignerReleases, releases_tags_losing_trust(editor),
            args.name, repo);
        if (!args.force && !ctx.stdin_is_tty)
          throw Error(ErrorCode::invalid_argument,
                      fmt::format("this needs a confirmation and stdin is not a terminal to ask "
                                  "on:\n{}",
                                  question),
                      "run it with -f (--force) to confirm");
        if (!confirm(ctx, question, args.force)) return false;
        changes.push_back(signer_change("delete", kSignerReleases, std::nullopt));
      } else {
        if (static_cast<int>(left.size()) < releases.threshold)
          ctx.warn(
              fmt::format("{} keeps {} key(s), fewer than its threshold of {}: its tags "
                          "are not trusted until more keys are added",
                          kSignerReleases, left.size(), releases.threshold));
        if (!signer_ids.empty())
          changes.push_back(
              signer_change("update", kSignerReleases, json{{"remove_keys", signer_ids}}));
      }
    }
    changes.push_back(signer_change("delete", role, std::nullopt));
    publish_signer_changes(ctx, client, keys, changes, std::move(opened));
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
  return true;
}

int run_signer_remove(Context& ctx, const SignerRemoveArgs& args) {
  if (args.name == "releases")
    throw Error(ErrorCode::invalid_argument, "releases is a reserved keyword and cannot be removed",
                "remove the keys of targets/releases with `docker dct delegation remove IMAGE "
                "targets/releases KEYID...`");
  check_signer_name(args.name);
  std::vector<std::string> failed;
  bool declined = false;
  for (const auto& repo : args.repos) {
    *ctx.out << fmt::format("Removing signer \"{}\" from {}...\n", args.name, repo) << std::flush;
    try {
      if (remove_signer_from(ctx, args, repo)) {
        *ctx.out << fmt::format("Successfully removed {} from {}\n\n", args.name, repo);
      } else {
        *ctx.out << fmt::format("Nothing was changed in {}\n\n", repo);
        declined = true;
      }
    } catch (const Error& e) {
      if (args.repos.size() == 1) throw;
      report_error(e, *ctx.err, ctx.debug);
      *ctx.err << "\n";
      failed.push_back(repo);
    }
  }
  if (!failed.empty()) {
    std::string list;
    for (const auto& r : failed) list += (list.empty() ? "" : ", ") + r;
    *ctx.err << fmt::format("error removing signer from: {}\n", list);
  }
  return failed.empty() && !declined ? kExitOk : kExitFailure;
}

}  // namespace

Command signer_add_command() {
  Command c;
  c.path = "signer add";
  c.check_args = check_signer_args;
  c.usage = "[OPTIONS] NAME REPOSITORY [REPOSITORY...]";
  c.summary = "Add a signer";
  c.description =
      "Add a signer to repositories, as `docker trust signer add` does: the keys given with\n"
      "--key (PEM public keys or certificates) become the role targets/NAME and join\n"
      "targets/releases, both for every tag, and the change is published. A repository that\n"
      "has no trust data yet is initialized first, with the snapshot key on the notary\n"
      "server so that signers can publish.";
  c.examples =
      "  docker dct key generate alice --dir ~/keys\n"
      "  docker dct signer add --key ~/keys/alice.pub alice registry.example.com/team/app\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<SignerAddArgs>();
    SignerAddArgs& args = *bound;
    app.add_option("NAME", args.name, "Signer name")->required();
    app.add_option("REPOSITORY", args.repos, "Repositories")->required();
    app.add_option("--key", args.key_files, "Path to the signer's public key file")
        ->type_name("list")
        ->allow_extra_args(false);
    return [bound](Context& ctx) { return run_signer_add(ctx, *bound); };
  };
  return c;
}

Command signer_remove_command() {
  Command c;
  c.path = "signer remove";
  c.check_args = check_signer_args;
  c.usage = "[OPTIONS] NAME REPOSITORY [REPOSITORY...]";
  c.summary = "Remove a signer";
  c.description =
      "Remove a signer from repositories, as `docker trust signer remove` does: the role\n"
      "targets/NAME goes and its keys leave targets/releases, in one publish. When those\n"
      "are the last keys of targets/releases, the role goes too: the tags it signed are\n"
      "listed and you are asked first (-f for scripts).";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<SignerRemoveArgs>();
    SignerRemoveArgs& args = *bound;
    app.add_option("NAME", args.name, "Signer name")->required();
    app.add_option("REPOSITORY", args.repos, "Repositories")->required();
    app.add_flag("-f,--force", args.force,
                 "Do not prompt for confirmation before removing the most recent signer");
    return [bound](Context& ctx) { return run_signer_remove(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
