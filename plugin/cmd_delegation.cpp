#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>
#include <system_error>

#include "plugin/command.h"
#include "plugin/confirm.h"
#include "plugin/delegation_paths.h"
#include "plugin/format/output.h"
#include "plugin/passphrase_prompt.h"
#include "plugin/publish_flow.h"
#include "plugin/publish_now.h"
#include "plugin/repository_lock.h"
#include "plugin/resolve_flow.h"
#include "plugin/table.h"
#include "registry/endpoints.h"
#include "trust/crypto/delegation_keys.h"
#include "trust/publish/changes.h"

namespace dct::plugin {
namespace {

using nlohmann::json;

constexpr const char* kReleases = "targets/releases";

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot read \"{}\": {}", path,
                            std::error_code(errno, std::generic_category()).message()));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Stops mistyped role names before they become a role Docker silently ignores.
void check_role_name(const Context& ctx, const std::string& role, bool force) {
  if (auto near = trust::near_miss_of_releases(role); near && !force)
    throw Error(ErrorCode::invalid_role_name,
                fmt::format("\"{}\" looks like a mistyped {}: Docker and `docker dct pull` trust "
                            "only {} (and targets), so a role by this name would be ignored",
                            role, *near, *near),
                fmt::format("use {}, or add --force if you really mean \"{}\"", *near, role));
  if (!trust::is_valid_delegation_name(role))
    throw Error(ErrorCode::invalid_role_name,
                fmt::format("\"{}\" is not a valid delegation name", role),
                "delegations are named targets/<name> with lower-case letters, digits, - _ and /; "
                "Docker trusts targets/releases");
  if (role != kReleases)
    ctx.warn(
        fmt::format("`docker dct pull` and Docker's content trust only trust tags signed in "
                    "{} or targets; signatures in {} are not used by pulls",
                    kReleases, role));
}

using trust::delegation_change;

std::string join_ids(const std::vector<std::string>& ids, const char* sep = " ") {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : sep) + id;
  return out;
}

std::filesystem::path trust_dir_for(const Context& ctx) { return ctx.session().trust_dir(); }

trust::Changelist changelist_for(const Context& ctx, const registry::Reference& ref) {
  return trust::Changelist::for_repository(trust_dir_for(ctx), ref.gun());
}

// ---- add ----

struct AddArgs {
  std::string image;
  std::string role;
  std::vector<std::string> files;
  std::vector<std::string> paths;
  bool all_paths = false;
  bool publish = false;
  bool force = false;
};

// The paths of `role` as published, or nullopt when the server has no such role (or no trust
// data for the repository at all).
std::optional<std::vector<std::string>> published_paths(const Context& ctx,
                                                        const registry::Reference& ref,
                                                        const std::string& role) {
  RepositoryClient client(ctx.session(), ref);
  try {
    trust::TrustedRepository repo = client.update();
    const std::string parent = trust::parent_role(role);
    if (parent != "targets") client.updater().load_delegation(repo, parent);
    if (auto t = repo.roles.find(parent); t != repo.roles.end())
      for (const auto& d : t->second.delegations)
        if (d.name == role) return d.paths;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::repository_not_found) return std::nullopt;
    rethrow_with_server(e, client.server());
  }
  return std::nullopt;
}

bool staged_with_paths(const trust::Changelist& changelist, const std::string& role) {
  for (const auto& c : changelist.list())
    if (c.type == "delegation" && c.role == role && c.data) {
      const auto data = json::parse(*c.data, nullptr, false);
      if (data.is_object() && data.contains("add_paths") && !data["add_paths"].empty()) return true;
    }
  return false;
}

// Keys added without --paths or --all-paths: a role that has paths keeps them; a new role (or
// one with none) gets every path, as `docker trust signer add` gives, so that no role is made
// that can sign no tag.
std::vector<std::string> default_paths(const Context& ctx, const registry::Reference& ref,
                                       const AddArgs& args) {
  if (staged_with_paths(changelist_for(ctx, ref), args.role)) return {};
  std::optional<std::vector<std::string>> existing;
  try {
    existing = published_paths(ctx, ref, args.role);
  } catch (const Error& e) {
    if (e.is_security()) throw;
    const std::string files = join_ids(args.files);
    throw Error(e.code(),
                fmt::format("{}\nwithout --paths or --all-paths, whether {} already has paths "
                            "decides them, and that could not be looked up; nothing was staged",
                            e.what(), args.role),
                fmt::format("say which tags it may sign: `docker dct delegation add {}{} {} {} "
                            "--all-paths` (every tag, as Docker does) or `... --paths PREFIX`",
                            args.publish ? "-p " : "", ref.gun(), args.role, files));
  }
  if (existing && !existing->empty()) return {};
  *ctx.out << fmt::format(
      "No --paths given: {} may sign every tag (\"\" <all paths>), as with `docker trust signer "
      "add`; use --paths to limit it.\n",
      args.role);
  return {""};
}

int run_add(Context& ctx, const AddArgs& args) {
  const auto ref = registry::parse_repository(args.image);
  check_role_name(ctx, args.role, args.force);
  if (args.files.empty() && args.paths.empty() && !args.all_paths)
    throw Error(ErrorCode::invalid_argument,
                "give at least one certificate file, or --paths / --all-paths");
  json keys = json::array();
  std::vector<std::string> ids;
  const auto now = std::chrono::system_clock::now();
  for (const auto& f : args.files) {
    const trust::PublicKey key = trust::delegation_key_from_pem(read_text_file(f), f, now);
    keys.push_back(key.to_json());
    ids.push_back(canonical_key_id(key));
  }
  std::vector<std::string> paths = args.paths;
  if (args.all_paths || std::find(paths.begin(), paths.end(), "") != paths.end()) paths = {""};
  if (paths.empty() && !ids.empty()) paths = default_paths(ctx, ref, args);
  const auto lock = lock_repository(ctx, trust_dir_for(ctx), ref.gun());
  auto changelist = changelist_for(ctx, ref);
  std::vector<std::string> staged;
  try {
    if (!ids.empty())
      staged.push_back(changelist.add(
          delegation_change("create", args.role, json{{"threshold", 1}, {"add_keys", keys}})));
    if (!paths.empty())
      staged.push_back(
          changelist.add(delegation_change("create", args.role, json{{"add_paths", paths}})));
  } catch (const Error& e) {
    throw trust::unstage_after_failure(changelist, staged, e, ref.gun());
  }
  std::string with;
  if (!ids.empty()) with += fmt::format("with keys [{}], ", join_ids(ids));
  if (!paths.empty()) {
    std::vector<std::string> shown;
    for (const auto& p : paths) shown.push_back(p.empty() ? "\"\" <all paths>" : p);
    with += fmt::format("with paths [{}], ", join_ids(shown, ", "));
  }
  *ctx.out << fmt::format(
      "\nAddition of delegation role {} {}to repository \"{}\" staged for next "
      "publish.\n\n",
      args.role, with, ref.gun());
  if (!args.publish) return 0;
  try {
    publish_staged_now(ctx, ref, staged);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::repository_not_found) throw;
    throw Error(e.code(), e.what(),
                fmt::format("initialize it first with `docker dct init {}`, then run this "
                            "command again (`docker dct signer add NAME {} --key FILE` does "
                            "both, as `docker trust signer add` does)",
                            ref.gun(), ref.gun()));
  }
  return 0;
}

// ---- list ----

struct ListArgs {
  std::string image;
  std::string format;
};

struct ListedRole {
  trust::DelegationRole role;
  std::vector<trust::KeyOwner> owners;
};

std::vector<ListedRole> list_roles(const trust::TrustedRepository& repo) {
  std::vector<ListedRole> out;
  for (const auto& [name, t] : repo.roles)
    for (const auto& d : t.delegations) {
      ListedRole l{d, {}};
      for (const auto& id : d.keyids)
        if (auto k = t.delegation_keys.find(id); k != t.delegation_keys.end())
          l.owners.push_back(trust::key_owner(k->second));
        else
          l.owners.push_back({id, "", std::nullopt});
      out.push_back(std::move(l));
    }
  std::sort(out.begin(), out.end(),
            [](const ListedRole& a, const ListedRole& b) { return a.role.name < b.role.name; });
  return out;
}

int run_list(Context& ctx, const ListArgs& args) {
  const auto output = format::OutputFormat::parse(args.format);
  const auto ref = registry::parse_repository(args.image);
  RepositoryClient client(ctx.session(), ref);
  std::vector<ListedRole> roles;
  try {
    trust::TrustedRepository repo = client.update();
    client.updater().load_all(repo);
    for (const auto& w : repo.warnings) ctx.warn(w);
    roles = list_roles(repo);
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
  if (!output.human()) {
    using ojson = nlohmann::ordered_json;
    ojson out = ojson::array();
    for (const auto& r : roles) {
      ojson keys = ojson::array();
      for (const auto& o : r.owners)
        keys.push_back(
            {{"id", o.canonical_id},
             {"certificate", o.common_name.empty() ? ojson() : ojson(o.common_name)},
             {"expires", o.expires ? ojson(trust::format_rfc3339_nano(*o.expires)) : ojson()}});
      out.push_back({{"role", r.role.name},
                     {"paths", r.role.paths},
                     {"threshold", r.role.threshold},
                     {"keys", keys}});
    }
    *ctx.out << output.render(out);
    return 0;
  }
  if (roles.empty()) {
    *ctx.out << "\nNo delegations present in this repository.\n\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{
      {"ROLE", "PATHS", "KEY IDS", "THRESHOLD", "SIGNER", "CERTIFICATE EXPIRES"},
      {"----", "-----", "-------", "---------", "------", "-------------------"}};
  for (const auto& r : roles) {
    std::vector<std::string> paths = r.role.paths;
    std::sort(paths.begin(), paths.end());
    for (auto& p : paths)
      if (p.empty()) p = "\"\" <all paths>";
    const std::size_t n = std::max<std::size_t>({1, paths.size(), r.owners.size()});
    for (std::size_t i = 0; i < n; ++i) {
      const trust::KeyOwner* o = i < r.owners.size() ? &r.owners[i] : nullptr;
      rows.push_back({i == 0 ? r.role.name : "", i < paths.size() ? paths[i] : "",
                      o ? o->canonical_id : "", i == 0 ? std::to_string(r.role.threshold) : "",
                      o ? o->common_name : "",
                      o && o->expires ? trust::format_human(*o->expires) : ""});
    }
  }
  *ctx.out << "\n" << render_table(rows, kNotaryTable) << "\n";
  return 0;
}

// ---- remove ----

struct RemoveArgs {
  std::string image;
  std::string role;
  std::vector<std::string> keys;
  std::vector<std::string> paths;
  bool all_paths = false;
  bool yes = false;
  bool publish = false;
};

// What removing `role` takes away: its tags, and for each whether targets still signs it.
std::string effect_of_removal(const trust::RepoEditor& editor, const std::string& role) {
  const trust::EditableTargets* t = editor.role(role);
  if (!t || t->targets.empty()) return fmt::format("\n{} signs no tags.", role);
  const trust::EditableTargets* base = editor.role("targets");
  std::string out = fmt::format("\nTags signed in {}:", role);
  for (const auto& [tag, meta] : t->targets) {
    std::string after = "no longer trusted";
    if (role == kReleases && base && base->targets.count(tag))
      after = base->targets.at(tag).to_json() == meta.to_json()
                  ? "still trusted through targets (same digest)"
                  : "falls back to the older targets signature (a different digest)";
    else if (role != kReleases)
      after = "not used by pulls anyway";
    out += fmt::format("\n  {}  {}", tag, after);
  }
  return out;
}

int run_remove(Context& ctx, const RemoveArgs& args) {
  const auto ref = registry::parse_repository(args.image);
  if (!trust::is_valid_delegation_name(args.role))
    throw Error(ErrorCode::invalid_role_name,
                fmt::format("\"{}\" is not a valid delegation name", args.role));
  RepositoryClient client(ctx.session(), ref, registry::kPushPull);
  PassphrasePrompt passphrases;
  SigningKeys keys(client.trust_dir(), passphrases);
  const auto lock = lock_repository(ctx, client.trust_dir(), ref.gun());
  EditOptions options;
  options.all_roles = true;
  trust::Change change;
  std::string question;
  std::string done;
  bool assume_yes = args.yes;
  try {
    OpenedRepository opened = open_for_edit(client, keys, options);
    const trust::RepoEditor& editor = opened.editor;
    if (!editor.has_role(args.role))
      throw Error(ErrorCode::invalid_role_name,
                  fmt::format("{} has no role {}", ref.gun(), args.role),
                  fmt::format("`docker dct delegation list {}` shows its roles", ref.gun()));
    std::vector<trust::KeyOwner> owners;
    for (const auto& [id, key] : editor.signers(args.role).keys)
      owners.push_back(trust::key_owner(key));
    std::vector<std::string> remove_ids;
    for (const auto& k : args.keys) {
      auto id = trust::match_key(k, owners, args.role);
      if (std::find(remove_ids.begin(), remove_ids.end(), id) == remove_ids.end())
        remove_ids.push_back(id);
    }
    const bool paths_too = !args.paths.empty() || args.all_paths;
    const bool whole_role = args.keys.empty() ? !paths_too : remove_ids.size() >= owners.size();
    if (!whole_role && paths_too) {
      const PathRemoval plan =
          plan_path_removal(editor, args.role, args.paths, args.all_paths, remove_ids);
      if (plan.leaves_nothing && !args.all_paths && !ctx.stdin_is_tty)
        throw Error(ErrorCode::invalid_argument,
                    fmt::format("removing these paths leaves {} with no paths, so it could sign "
                                "no tag; refused without a terminal to ask on, even with --yes",
                                args.role),
                    "add --all-paths to remove every path on purpose, or leave out --paths to "
                    "remove the whole role");
      // Only an answer at the terminal leaves a role with no paths, not a blanket --yes.
      if (plan.leaves_nothing && !args.all_paths) assume_yes = false;
      change = plan.change;
      question = path_removal_question(plan, args.role, ref.gun());
      done = fmt::format(
          "Removal of paths [{}] {}from delegation role {} of repository \"{}\" staged for next "
          "publish.",
          args.all_paths ? "\"\" <all paths>" : join_ids(plan.removed, ", "),
          remove_ids.empty() ? "" : fmt::format("and keys [{}] ", join_ids(remove_ids)), args.role,
          ref.gun());
    } else if (whole_role) {
      change = delegation_change("delete", args.role, std::nullopt);
      question = fmt::format("{} {} from {}?{}",
                             args.keys.empty() ? "Remove the role"
                                               : "This removes the last key, so the role goes "
                                                 "too. Remove",
                             args.role, ref.gun(), effect_of_removal(editor, args.role));
      done = fmt::format(
          "Removal of delegation role {} (all keys and paths) from repository "
          "\"{}\" staged for next publish.",
          args.role, ref.gun());
    } else {
      change = delegation_change("update", args.role, json{{"remove_keys", remove_ids}});
      std::string who;
      for (const auto& id : remove_ids)
        for (const auto& o : owners)
          if (o.canonical_id == id)
            who += fmt::format("\n  {}{}", id,
                               o.common_name.empty() ? "" : " (" + o.common_name + ")");
      question = fmt::format("Remove these keys from {} of {}?{}", args.role, ref.gun(), who);
      done = fmt::format(
          "Removal of keys [{}] from delegation role {} of repository \"{}\" staged "
          "for next publish.",
          join_ids(remove_ids), args.role, ref.gun());
    }
  } catch (const Error& e) {
    rethrow_with_server(e, client.server());
  }
  if (!confirm(ctx, question, assume_yes)) {
    *ctx.out << "Nothing was changed\n";
    return 1;
  }
  const std::string staged =
      trust::Changelist::for_repository(client.trust_dir(), ref.gun()).add(change);
  *ctx.out << "\n" << done << "\n\n";
  if (args.publish) publish_staged_now(ctx, ref, {staged});
  return 0;
}

}  // namespace

Command delegation_add_command() {
  Command c;
  c.path = "delegation add";
  c.check_args = check_delegation_args;
  c.usage = "[OPTIONS] IMAGE ROLE CERT...";
  c.summary = "Add collaborators' keys to a delegation role";
  c.description =
      "Add the keys of collaborators' certificates (or PEM public keys) to a delegation role,\n"
      "creating the role if needed. Docker and `docker dct pull` trust targets/releases: a\n"
      "name close to it is refused (unless --force), any other name gets a warning. Without\n"
      "--paths or --all-paths, a new role may sign every tag (as `docker trust signer add`\n"
      "makes it) and a role that has paths keeps them. The change is staged for\n"
      "`docker dct publish` unless -p is given; a failed -p leaves nothing of it staged.";
  c.examples =
      "  docker dct delegation add -p registry.example.com/team/app targets/releases "
      "--all-paths jeff.crt\n";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<AddArgs>();
    AddArgs& args = *bound;
    app.add_option("IMAGE", args.image, "Repository (image name or GUN)")->required();
    app.add_option("ROLE", args.role, "Delegation role, normally targets/releases")->required();
    app.add_option("CERT", args.files, "Certificate or public key files");
    auto* all = app.add_flag("--all-paths", args.all_paths, "The role may sign every tag");
    app.add_option("--paths", args.paths, "Tag prefixes the role may sign (comma separated)")
        ->delimiter(',')
        ->excludes(all);
    app.add_flag("-p,--publish", args.publish, "Publish right away");
    app.add_flag("--force", args.force, "Accept a role name close to targets/releases");
    return [bound](Context& ctx) { return run_add(ctx, *bound); };
  };
  return c;
}

Command delegation_list_command() {
  Command c;
  c.path = "delegation list";
  c.check_args = check_image_args;
  c.usage = "[OPTIONS] IMAGE";
  c.summary = "List the delegation roles of a repository and their keys";
  c.description =
      "List the delegation roles of a repository as `notary delegation list` does (the same\n"
      "key IDs), with the name on each key's certificate and when that certificate expires.";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<ListArgs>();
    ListArgs& args = *bound;
    app.add_option("IMAGE", args.image, "Repository (image name or GUN)")->required();
    app.add_option("--format", args.format,
                   format::format_flag_help("role, paths, threshold and keys of each role"))
        ->type_name("string");
    return [bound](Context& ctx) { return run_list(ctx, *bound); };
  };
  return c;
}

Command delegation_remove_command() {
  Command c;
  c.path = "delegation remove";
  c.check_args = check_delegation_args;
  c.usage = "[OPTIONS] IMAGE ROLE [KEYID...]";
  c.summary = "Remove keys or paths from a delegation role, or the whole role";
  c.description =
      "Remove keys from a delegation role. Key IDs may be unique prefixes or the name on the\n"
      "key's certificate. Removing the last key removes the role, as Docker's documentation\n"
      "describes; without key IDs the whole role goes. Both list the tags that stop being\n"
      "trusted and ask first (--yes for scripts). --paths removes only those paths (and\n"
      "--all-paths every path, on purpose): a role left with no paths signs nothing, so that\n"
      "needs --all-paths or an answer at the terminal. Staged unless -p is given.";
  c.trust_flags = true;
  c.setup = [](CLI::App& app) -> Runner {
    auto bound = std::make_shared<RemoveArgs>();
    RemoveArgs& args = *bound;
    app.add_option("IMAGE", args.image, "Repository (image name or GUN)")->required();
    app.add_option("ROLE", args.role, "Delegation role")->required();
    app.add_option("KEYID", args.keys, "Key IDs, ID prefixes or certificate names");
    auto* all = app.add_flag("--all-paths", args.all_paths, "Remove every path of the role");
    app.add_option("--paths", args.paths, "Paths to remove (comma separated)")
        ->delimiter(',')
        ->excludes(all);
    app.add_flag("-y,--yes", args.yes, "Do not ask for confirmation");
    app.add_flag("-p,--publish", args.publish, "Publish right away");
    return [bound](Context& ctx) { return run_remove(ctx, *bound); };
  };
  return c;
}

}  // namespace dct::plugin
