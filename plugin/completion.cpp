#include "plugin/completion.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "plugin/command.h"
#include "plugin/completion_sources.h"
#include "plugin/declare_command.h"
#include "plugin/help.h"
#include "registry/docker_config.h"
#include "registry/reference.h"
#include "registry/session.h"
#include "trust/crypto/key_store.h"

namespace dct::plugin {
namespace fs = std::filesystem;

// A named namespace: these names stay apart from other files' in a unity build.
namespace completion_impl {

// What a flag's or an argument's value is.
enum class ValueKind { text, image, file, dir, role, key };

struct ValueSlot {
  ValueKind kind = ValueKind::text;
  bool tags = false;                    // an image reference may carry a tag
  const CLI::Option* option = nullptr;  // its description may quote the values it takes
};

std::string completion_lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// The kind a value's name says: "IMAGE[:TAG]", "KEYID|NAME", "trust-dir", "rootcert"...
ValueKind kind_of_name(std::string name) {
  name = completion_lower(name);
  name = name.substr(0, name.find('|'));
  name = name.substr(0, name.find('['));
  name = name.substr(0, name.find('.'));
  if (const auto dash = name.rfind('-'); dash != std::string::npos) name = name.substr(dash + 1);
  static const std::map<std::string, ValueKind> kNames = {
      {"image", ValueKind::image},     {"repository", ValueKind::image},
      {"gun", ValueKind::image},       {"file", ValueKind::file},
      {"keyfile", ValueKind::file},    {"key", ValueKind::file},
      {"rootkey", ValueKind::file},    {"cert", ValueKind::file},
      {"rootcert", ValueKind::file},   {"certificate", ValueKind::file},
      {"output", ValueKind::file},     {"bundle", ValueKind::file},
      {"dockerfile", ValueKind::file}, {"old", ValueKind::file},
      {"new", ValueKind::file},        {"dir", ValueKind::dir},
      {"directory", ValueKind::dir},   {"context", ValueKind::dir},
      {"role", ValueKind::role},       {"keyid", ValueKind::key},
  };
  auto it = kNames.find(name);
  return it == kNames.end() ? ValueKind::text : it->second;
}

bool takes_value(const CLI::Option& opt) { return opt.get_type_size() != 0; }

bool repeatable(const CLI::Option& opt) {
  return opt.get_expected_max() > 1 || opt.get_items_expected_max() > 1;
}

// An argument or a flag's value: named by the argument, else by the flag's type name when that
// is a noun ("FILE", "KEYID|NAME"), else by the flag's long name.
ValueSlot slot_of(const Command& cmd, const CLI::Option& opt) {
  ValueSlot slot;
  slot.option = &opt;
  if (opt.get_positional()) {
    slot.kind = kind_of_name(opt.get_name());
    const std::string& n = opt.get_name();
    slot.tags =
        slot.kind == ValueKind::image && (cmd.usage.find(n + "[:TAG]") != std::string::npos ||
                                          cmd.usage.find(n + ":TAG") != std::string::npos);
    return slot;
  }
  slot.kind = kind_of_name(opt.get_type_name());
  if (slot.kind == ValueKind::text && !opt.get_lnames().empty())
    slot.kind = kind_of_name(opt.get_lnames().front());
  return slot;
}

// For commands that read their own arguments: the first argument the usage names.
ValueSlot raw_args_slot(const Command& cmd) {
  ValueSlot slot;
  size_t depth = 0;
  for (size_t s = 0, e; s < cmd.usage.size(); s = e + 1) {
    e = cmd.usage.find(' ', s);
    if (e == std::string::npos) e = cmd.usage.size();
    const std::string word = cmd.usage.substr(s, e - s);
    if (word.empty()) continue;
    const bool opens = word.front() == '[', closes = word.back() == ']';
    if (depth == 0 && !opens) {
      slot.kind = kind_of_name(word);
      slot.tags = slot.kind == ValueKind::image && word.find(":TAG") != std::string::npos;
      return slot;
    }
    if (opens) ++depth;
    if (closes && depth > 0) --depth;
  }
  return slot;
}

std::string alias_target(const std::string& path) {
  for (const auto& [alias, real] : command_aliases())
    if (alias == path) return real;
  return path;
}

const Command* command_at(const std::string& path) {
  for (const auto& c : all_commands())
    if (c.path == path) return &c;
  return nullptr;
}

bool is_group(const std::string& path) {
  return std::any_of(all_commands().begin(), all_commands().end(),
                     [&](const Command& c) { return starts_with(c.path, path + " "); });
}

bool is_debug_flag(const std::string& w) {
  return w == "-D" || w == "--debug" || w == "--debug=true" || w == "--debug=false";
}

// The words that may follow `group` ("" for the top): commands, groups, and aliases.
Completions subcommands(const std::string& group, const std::string& partial) {
  std::map<std::string, std::string> rows;
  const std::string prefix = group.empty() ? "" : group + " ";
  auto add = [&](const std::string& path, const std::string& summary) {
    if (path.empty() || !starts_with(path, prefix)) return;
    const std::string rest = path.substr(prefix.size());
    const std::string word = rest.substr(0, rest.find(' '));
    if (!starts_with(word, partial) || rows.count(word)) return;
    rows[word] = word == rest ? summary : group_summary(prefix + word);
  };
  for (const auto& c : all_commands()) add(c.path, c.summary);
  for (const auto& [alias, real] : command_aliases())
    if (const Command* c = command_at(real)) add(alias, c->summary);
  Completions out;
  for (const auto& [word, summary] : rows) out.candidates.push_back({word, summary});
  return out;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Where the words typed so far leave a command's flags and arguments.
struct CommandLineState {
  std::set<const CLI::Option*> given;
  const CLI::Option* value_of = nullptr;  // the flag whose value comes next
  std::vector<std::string> arguments;     // positional arguments, in order
  bool flags_ended = false;               // after "--"
  std::optional<fs::path> trust_dir;      // --trust-dir, as typed
};

CommandLineState read_words(const CLI::App& app, const std::vector<std::string>& words) {
  CommandLineState st;
  auto note_value = [&](const CLI::Option* opt, const std::string& value) {
    if (opt->check_lname("trust-dir")) st.trust_dir = fs::path(value);
  };
  for (const auto& w : words) {
    if (st.value_of) {
      note_value(st.value_of, w);
      st.value_of = nullptr;
      continue;
    }
    if (st.flags_ended || w.size() < 2 || w[0] != '-') {
      st.arguments.push_back(w);
      continue;
    }
    if (w == "--") {
      st.flags_ended = true;
      continue;
    }
    if (is_debug_flag(w)) continue;
    if (w[1] == '-') {
      const auto eq = w.find('=');
      const CLI::Option* opt = app.get_option_no_throw(w.substr(0, eq));
      if (!opt) continue;
      st.given.insert(opt);
      if (!takes_value(*opt)) continue;
      if (eq != std::string::npos)
        note_value(opt, w.substr(eq + 1));
      else
        st.value_of = opt;
      continue;
    }
    // -abc: flags in a row; the first that takes a value takes the rest, or the next word.
    for (size_t i = 1; i < w.size(); ++i) {
      const CLI::Option* opt = app.get_option_no_throw(std::string("-") + w[i]);
      if (!opt) break;
      st.given.insert(opt);
      if (!takes_value(*opt)) continue;
      if (i + 1 < w.size())
        note_value(opt, w.substr(i + 1 + (w[i + 1] == '=' ? 1 : 0)));
      else
        st.value_of = opt;
      break;
    }
  }
  return st;
}

Completions flag_names(const CLI::App& app, const CommandLineState& st,
                       const std::string& partial) {
  std::vector<const CLI::Option*> opts;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_positional() || opt->check_lname("help")) continue;
    if (st.given.count(opt) && !repeatable(*opt)) continue;
    if (opt->get_lnames().empty() && opt->get_snames().empty()) continue;
    opts.push_back(opt);
  }
  auto sort_name = [](const CLI::Option* o) {
    return o->get_lnames().empty() ? o->get_snames().front() : o->get_lnames().front();
  };
  std::sort(opts.begin(), opts.end(), [&](const CLI::Option* a, const CLI::Option* b) {
    return sort_name(a) < sort_name(b);
  });
  Completions out;
  for (const CLI::Option* opt : opts) {
    const std::string desc = first_line(opt->get_description());
    for (const auto& l : opt->get_lnames())
      if (starts_with("--" + l, partial)) out.candidates.push_back({"--" + l, desc});
    for (const auto& s : opt->get_snames())
      if (starts_with("-" + s, partial)) out.candidates.push_back({"-" + s, desc});
  }
  return out;
}

// The words a description quotes: `"json" for scripts` offers json.
std::vector<std::string> quoted_words(const std::string& description) {
  std::vector<std::string> words;
  for (size_t open = description.find('"'); open != std::string::npos;) {
    const size_t close = description.find('"', open + 1);
    if (close == std::string::npos) break;
    const std::string w = description.substr(open + 1, close - open - 1);
    const bool word = !w.empty() && std::all_of(w.begin(), w.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '-' || c == '_' || c == '.';
    });
    if (word && std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
    open = description.find('"', close + 1);
  }
  return words;
}

fs::path completion_trust_dir(const fs::path& config_dir, const std::optional<fs::path>& flag) {
  registry::SessionOptions options;
  options.config_dir = config_dir;
  options.trust_dir = flag;
  try {
    registry::Session session(options);
    return session.trust_dir();
  } catch (...) {
    return flag ? *flag : config_dir / "trust";  // an unreadable notary config
  }
}

std::string short_digest(const std::string& digest) {
  return digest.size() > 19 ? digest.substr(0, 19) : digest;
}

Completions image_values(const fs::path& trust_dir, const std::string& partial, bool tags) {
  Completions out;
  const auto repos = cached_repositories(trust_dir);
  auto add_tags = [&](const CachedRepository& repo, const std::string& name) {
    for (const auto& t : cached_tags(trust_dir, repo.gun)) {
      const std::string value = name + ":" + t.tag;
      if (!starts_with(value, partial)) continue;
      std::string desc = t.digest.empty() ? "" : short_digest(t.digest) + " ";
      out.candidates.push_back({value, desc + "signed in " + t.role});
    }
  };
  // NAME:TAG being typed: the tags of NAME. A colon may also be a registry's port
  // ("localhost:50"), so without such a repository the names are matched instead.
  const auto slash = partial.rfind('/');
  const auto colon = partial.find(':', slash == std::string::npos ? 0 : slash);
  if (tags && colon != std::string::npos) {
    const std::string name = partial.substr(0, colon);
    bool known = false;
    for (const auto& r : repos)
      if (r.familiar == name || r.gun == name) {
        add_tags(r, name);
        known = true;
      }
    if (known) return out;
  }
  std::vector<std::pair<const CachedRepository*, std::string>> matching;
  for (const auto& r : repos) {
    if (starts_with(r.familiar, partial))
      matching.emplace_back(&r, r.familiar);
    else if (starts_with(r.gun, partial))
      matching.emplace_back(&r, r.gun);
  }
  for (const auto& [r, name] : matching)
    out.candidates.push_back({name, "repository in the trust cache"});
  // One repository left: its tags too, so that the shell completes up to the name and shows them.
  if (tags && matching.size() == 1) add_tags(*matching.front().first, matching.front().second);
  return out;
}

std::optional<std::string> gun_of(const std::string& image) {
  try {
    return registry::parse_reference(image).gun();
  } catch (...) {
    return std::nullopt;
  }
}

// Base roles the description names; delegations (targets/releases and those cached for the
// repository already typed) when it speaks of delegations; targets and the delegations when it
// says nothing of roles (the roles one signs into).
Completions role_values(const ValueSlot& slot, const fs::path& trust_dir,
                        const std::optional<std::string>& gun, const std::string& partial) {
  static const std::vector<std::string> kNamedRoles = {"root", "targets", "snapshot", "timestamp",
                                                       "targets/releases"};
  static const std::string kReleases = "targets/releases";
  static const std::string kReleasesText = "the delegation docker signs into";
  const std::string desc = slot.option ? completion_lower(slot.option->get_description()) : "";
  std::set<std::string> words;
  for (size_t s = 0, e; s < desc.size(); s = e + 1) {
    e = desc.find_first_of(" ,;:()", s);
    if (e == std::string::npos) e = desc.size();
    words.insert(desc.substr(s, e - s));
  }
  std::map<std::string, std::string> roles;
  for (const auto& r : kNamedRoles)
    if (words.count(r)) roles[r] = r == kReleases ? kReleasesText : "base role";
  const bool none_named = roles.empty();
  const bool delegations = desc.find("delegation") != std::string::npos;
  if (none_named && !delegations) roles["targets"] = "base role";
  if (none_named || delegations) {
    roles.emplace(kReleases, kReleasesText);
    if (gun)
      for (const auto& r : cached_delegations(trust_dir, *gun))
        roles.emplace(r, "delegation of " + *gun);
  }
  Completions out;
  for (const auto& [r, d] : roles)
    if (starts_with(r, partial)) out.candidates.push_back({r, d});
  return out;
}

bool base_role(const std::string& role) {
  return role == "root" || role == "targets" || role == "snapshot" || role == "timestamp";
}

Completions key_values(const fs::path& trust_dir, const std::string& partial) {
  Completions out;
  const auto keys = trust::KeyStore(trust_dir).list();
  std::map<std::string, int> names;
  for (const auto& k : keys)
    if (!base_role(k.role) && k.role.find('/') == std::string::npos) ++names[k.role];
  for (const auto& [name, count] : names)
    if (starts_with(name, partial))
      out.candidates.push_back(
          {name, count == 1 ? "key name" : fmt::format("key name ({} keys)", count)});
  for (const auto& k : keys)
    if (starts_with(k.id, partial))
      out.candidates.push_back(
          {k.id, k.gun.empty() ? k.role + " key" : k.role + " key of " + k.gun});
  return out;
}

Completions values(const ValueSlot& slot, const fs::path& config_dir, const CommandLineState& st,
                   const std::optional<std::string>& image, const std::string& partial) try {
  Completions out;
  switch (slot.kind) {
    case ValueKind::file:
      out.directive = kCompDefault;
      return out;
    case ValueKind::dir:
      out.directive = kCompFilterDirs;
      return out;
    case ValueKind::image:
      return image_values(completion_trust_dir(config_dir, st.trust_dir), partial, slot.tags);
    case ValueKind::role: {
      const std::optional<std::string> gun = image ? gun_of(*image) : std::nullopt;
      return role_values(slot, completion_trust_dir(config_dir, st.trust_dir), gun, partial);
    }
    case ValueKind::key:
      return key_values(completion_trust_dir(config_dir, st.trust_dir), partial);
    case ValueKind::text:
      if (slot.option)
        for (const auto& w : quoted_words(slot.option->get_description()))
          if (starts_with(w, partial)) out.candidates.push_back({w, ""});
      return out;
  }
  return out;
} catch (...) {
  return {};  // an unreadable trust dir: nothing to offer from it
}

// The argument slot the next positional word fills, or nullptr when every slot is full.
const CLI::Option* next_argument(const CLI::App& app, size_t given) {
  for (const CLI::Option* opt : app.get_options()) {
    if (!opt->get_positional()) continue;
    const auto room = static_cast<size_t>(std::max(opt->get_items_expected_max(), 1));
    if (given < room) return opt;
    given -= room;
  }
  return nullptr;
}

Completions complete_command(const Command& cmd, const std::vector<std::string>& words,
                             const std::string& partial, const fs::path& config_dir) {
  CLI::App app{cmd.summary, "docker dct " + cmd.path};
  bool help = false;
  TrustOptions trust;
  declare_command(cmd, app, help, trust);
  const CommandLineState st = read_words(app, words);

  std::optional<std::string> image;  // the first image argument typed, for role names
  if (!cmd.raw_args) {
    size_t index = 0;
    for (const auto& a : st.arguments) {
      const CLI::Option* slot = next_argument(app, index++);
      if (slot && !image && slot_of(cmd, *slot).kind == ValueKind::image) image = a;
    }
  }
  if (st.value_of) return values(slot_of(cmd, *st.value_of), config_dir, st, image, partial);
  if (!st.flags_ended && starts_with(partial, "--") && partial.find('=') != std::string::npos) {
    const auto eq = partial.find('=');
    const CLI::Option* opt = app.get_option_no_throw(partial.substr(0, eq));
    if (!opt || !takes_value(*opt)) return {};
    return values(slot_of(cmd, *opt), config_dir, st, image, partial.substr(eq + 1));
  }
  if (!st.flags_ended && starts_with(partial, "-")) return flag_names(app, st, partial);
  if (cmd.raw_args) {
    // Docker's own flags are not declared here: whether the last word wanted a value (`-f`,
    // `-e`) is not known, so the shell's file completion stays the fallback, and after one of
    // docker's flags it is not narrowed to directories.
    const bool after_docker_flag = !words.empty() && words.back().size() > 1 &&
                                   words.back()[0] == '-' &&
                                   words.back().find('=') == std::string::npos;
    Completions out = values(raw_args_slot(cmd), config_dir, st, image, partial);
    if (out.directive == kCompNoFileComp || after_docker_flag) out.directive = kCompDefault;
    return out;
  }
  const CLI::Option* slot = next_argument(app, st.arguments.size());
  if (!slot) return {};
  return values(slot_of(cmd, *slot), config_dir, st, image, partial);
}

bool printable_line(const std::string& s) {
  return std::none_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

}  // namespace completion_impl

Completions complete_command_line(const std::vector<std::string>& args,
                                  const fs::path& config_dir) {
  std::vector<std::string> words = args;
  const std::string partial = words.empty() ? std::string() : words.back();
  if (!words.empty()) words.pop_back();

  size_t i = 0;
  while (i < words.size() && completion_impl::is_debug_flag(words[i])) ++i;
  const bool help_word = i < words.size() && words[i] == "help";
  if (help_word) ++i;
  std::string group;
  const Command* cmd = nullptr;
  for (; i < words.size() && !cmd; ++i) {
    const std::string path =
        completion_impl::alias_target(group.empty() ? words[i] : group + " " + words[i]);
    if ((cmd = completion_impl::command_at(path))) continue;
    if (!completion_impl::is_group(path)) return {};  // an unknown command: nothing to offer
    group = path;
  }
  if (!cmd) {
    if (completion_impl::starts_with(partial, "-")) {
      if (help_word) return {};
      Completions out;
      if (group.empty()) {
        for (const char* f : {"--debug", "-D"})
          if (completion_impl::starts_with(f, partial))
            out.candidates.push_back(
                {f, "Enable debug mode: requests and their outcomes on stderr"});
      }
      return out;
    }
    return completion_impl::subcommands(group, partial);
  }
  if (help_word) return {};
  words.erase(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(i));
  return completion_impl::complete_command(*cmd, words, partial, config_dir);
}

std::string render_completions(const Completions& completions) {
  std::string out;
  for (const auto& c : completions.candidates) {
    if (c.value.empty() || !completion_impl::printable_line(c.value) ||
        c.value.find(' ') != std::string::npos)
      continue;
    out += c.value;
    if (!c.description.empty() && completion_impl::printable_line(c.description))
      out += "\t" + c.description;
    out += "\n";
  }
  out += fmt::format(":{}\n", completions.directive);
  return out;
}

void print_completions(const std::vector<std::string>& args,
                       const std::optional<fs::path>& config_flag, std::ostream& out) {
  std::string text;
  try {
    text =
        render_completions(complete_command_line(args, registry::docker_config_dir(config_flag)));
  } catch (...) {
    text = fmt::format(":{}\n", kCompError);
  }
  out << text << std::flush;
}

}  // namespace dct::plugin
