#include "plugin/app.h"

#include <dct_metadata.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "plugin/cancel.h"
#include "plugin/command.h"
#include "plugin/completion.h"
#include "plugin/declare_command.h"
#include "plugin/error_output.h"
#include "plugin/help.h"
#include "registry/docker_config.h"
#include "registry/http.h"

namespace dct::plugin {
namespace {

// Hidden: prints every command path, one a line, so that the man page generator
// (scripts/make_manpage.py) can ask each command for its own --help.
constexpr const char* kListCommandsWord = "__commands";

std::string short_description() {
  auto j = nlohmann::json::parse(kPluginMetadataJson, nullptr, false);
  return j.is_object() ? j.value("ShortDescription", "") : std::string();
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] != b[j - 1] ? 1 : 0)});
      prev = cur;
    }
  }
  return row[b.size()];
}

// The longest command path that prefixes args; sets `consumed` to its word count.
const Command* find_command(const std::vector<std::string>& args, size_t& consumed) {
  const Command* best = nullptr;
  for (const auto& c : all_commands()) {
    std::vector<std::string> words;
    for (size_t s = 0, e; s <= c.path.size(); s = e + 1) {
      e = c.path.find(' ', s);
      if (e == std::string::npos) e = c.path.size();
      words.push_back(c.path.substr(s, e - s));
    }
    if (words.size() > args.size()) continue;
    if (!std::equal(words.begin(), words.end(), args.begin())) continue;
    if (!best || words.size() > consumed) {
      best = &c;
      consumed = words.size();
    }
  }
  return best;
}

bool is_group(const std::string& word) {
  for (const auto& c : all_commands())
    if (c.path.rfind(word + " ", 0) == 0) return true;
  return false;
}

int unknown_command(const std::string& prefix, const std::string& word, std::ostream& err) {
  std::string suggestion;
  size_t best = 3;
  for (const auto& c : all_commands()) {
    std::string candidate = c.path;
    if (!prefix.empty()) {
      if (candidate.rfind(prefix + " ", 0) != 0) continue;
      candidate = candidate.substr(prefix.size() + 1);
    }
    candidate = candidate.substr(0, candidate.find(' '));
    size_t d = edit_distance(word, candidate);
    if (d < best) {
      best = d;
      suggestion = candidate;
    }
  }
  std::string where = prefix.empty() ? "docker dct" : "docker dct " + prefix;
  err << fmt::format("{}: unknown command: {} {}\n", where, where, word);
  if (!suggestion.empty()) err << fmt::format("\nDid you mean this?\n\t{}\n", suggestion);
  err << fmt::format("\nRun '{} --help' for more information\n", where);
  return kExitUsage;
}

void enable_debug(Context& ctx) {
  ctx.debug = true;
  // Request lines and outcomes only: the hook never sees headers, bodies or tokens.
  registry::Transport::shared().set_debug_hook([](const registry::DebugEvent& ev) {
    std::cerr << fmt::format("DEBUG: {} {} -> {}{} ({:.1f} ms{})\n", ev.method, ev.url, ev.status,
                             ev.error_message.empty() ? "" : " " + std::string(ev.error_message),
                             ev.seconds * 1000, ev.new_connection ? ", new connection" : "");
  });
}

// -D/--debug among a command's own arguments (`docker dct resolve -D IMAGE`), before any "--".
void take_debug_flags(std::vector<std::string>& args, Context& ctx) {
  bool debug = ctx.debug;
  for (auto it = args.begin(); it != args.end() && *it != "--";) {
    if (*it == "-D" || *it == "--debug" || *it == "--debug=true") {
      debug = true;
      it = args.erase(it);
    } else {
      ++it;
    }
  }
  if (debug && !ctx.debug) enable_debug(ctx);
}

// The first flag `app` does not know, before any "--": named as unknown even when a required
// argument is missing as well (CLI11 would report the missing argument first).
std::optional<std::string> first_unknown_flag(const CLI::App& app,
                                              const std::vector<std::string>& args) {
  bool value_next = false;
  for (const auto& a : args) {
    if (a == "--") break;
    if (value_next) {
      value_next = false;
      continue;
    }
    if (a.size() < 2 || a[0] != '-') continue;
    const bool long_form = a[1] == '-';
    const std::string name = long_form ? a.substr(0, a.find('=')) : a.substr(0, 2);
    const CLI::Option* opt = app.get_option_no_throw(name);
    if (!opt) return name;
    const bool inline_value = long_form ? a.find('=') != std::string::npos : a.size() > 2;
    value_next = opt->get_expected_max() != 0 && !inline_value;
  }
  return std::nullopt;
}

// The arguments split into positionals and flags (with their values), for Command::check_args.
TypedArgs typed_args(const Command& cmd, const CLI::App& app,
                     const std::vector<std::string>& args) {
  TypedArgs out{cmd.path, {}, {}};
  bool value_next = false;
  bool only_positionals = false;
  for (const auto& a : args) {
    if (value_next) {
      out.flags.push_back(a);
      value_next = false;
    } else if (only_positionals || a.size() < 2 || a[0] != '-') {
      out.positionals.push_back(a);
    } else if (a == "--") {
      only_positionals = true;
    } else {
      out.flags.push_back(a);
      const bool long_form = a[1] == '-';
      const std::string name = long_form ? a.substr(0, a.find('=')) : a.substr(0, 2);
      const CLI::Option* opt = app.get_option_no_throw(name);
      const bool inline_value = long_form ? a.find('=') != std::string::npos : a.size() > 2;
      value_next = opt && opt->get_expected_max() != 0 && !inline_value;
    }
  }
  return out;
}

int run_command(const Command& cmd, std::vector<std::string> args, Context& ctx, bool help_only) {
  CLI::App app{cmd.summary, "docker dct " + cmd.path};
  bool help = false;
  Runner run = declare_command(cmd, app, help, ctx.trust);
  if (help_only) {
    *ctx.out << command_help(cmd, app);
    return kExitOk;
  }
  if (cmd.raw_args) {
    ctx.args = std::move(args);
    ctx.help_text = command_help(cmd, app);
    return run(ctx);
  }
  take_debug_flags(args, ctx);
  if (auto unknown = first_unknown_flag(app, args)) {
    *ctx.err << fmt::format("unknown flag: {}\nSee 'docker dct {} --help'.\n\nUsage:  {}\n\n{}\n",
                            *unknown, cmd.path, usage_line(cmd), cmd.summary);
    return kExitUsage;
  }
  if (cmd.check_args && std::find(args.begin(), args.end(), "--help") == args.end() &&
      std::find(args.begin(), args.end(), "-h") == args.end())
    cmd.check_args(typed_args(cmd, app, args));
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    if (help) {
      *ctx.out << command_help(cmd, app);
      return kExitOk;
    }
    std::string msg = e.what();
    if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
      auto extras = app.remaining();
      std::string first = extras.empty() ? std::string() : extras.front();
      if (!first.empty() && first[0] == '-') {
        msg = fmt::format("unknown flag: {}", first.substr(0, first.find('=')));
      } else {
        msg = fmt::format("\"docker dct {}\" accepts no argument \"{}\"", cmd.path, first);
      }
    } else if (dynamic_cast<const CLI::RequiredError*>(&e)) {
      msg = fmt::format("\"docker dct {}\" requires more arguments: {}", cmd.path, e.what());
    }
    *ctx.err << msg << "\n"
             << fmt::format("See 'docker dct {} --help'.\n\nUsage:  {}\n\n{}\n", cmd.path,
                            usage_line(cmd), cmd.summary);
    return kExitUsage;
  }
  if (help) {
    *ctx.out << command_help(cmd, app);
    return kExitOk;
  }
  return run(ctx);
}

}  // namespace

registry::Session& Context::session() const {
  if (!session_) session_ = std::make_unique<registry::Session>(session_options(trust));
  return *session_;
}

void Context::warn(const std::string& message) const { *err << "WARNING: " << message << "\n"; }

void Context::debug_log(const std::string& message) const {
  if (debug) *err << "DEBUG: " << message << "\n";
}

int run_app(const std::vector<std::string>& argv) {
  Context ctx;
  ctx.out = &std::cout;
  ctx.err = &std::cerr;
  try {
    auto env = process_env();
    Invocation inv = parse_invocation(argv, env);
    if (inv.mode == Invocation::Mode::metadata) {
      std::cout << kPluginMetadataJson << "\n";
      return kExitOk;
    }
    ctx.invocation = inv;
    ctx.debug = inv.debug;
    ctx.stdin_is_tty = ::isatty(STDIN_FILENO) == 1;
    ctx.stdout_is_tty = ::isatty(STDOUT_FILENO) == 1;
    if (inv.complete_form) {
      print_completions(inv.args, inv.config_dir, std::cout);
      return kExitOk;
    }
    if (inv.mode == Invocation::Mode::standalone && !inv.args.empty() &&
        inv.args[0] == "__complete") {  // `docker-dct __complete WORD...`, as cobra programs
      print_completions({inv.args.begin() + 1, inv.args.end()}, inv.config_dir, std::cout);
      return kExitOk;
    }
    if (ctx.debug) enable_debug(ctx);
    ctx.config_dir = registry::docker_config_dir(inv.config_dir);
    ctx.trust.docker_config_dir = ctx.config_dir;

    std::vector<std::string> args = inv.args;
    bool help_only = inv.help_form;
    if (!args.empty() && args[0] == "help") {
      help_only = true;
      args.erase(args.begin());
    }
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
      std::cout << root_help(short_description(), inv.mode == Invocation::Mode::standalone);
      return kExitOk;
    }
    if (args[0] == "--version") args[0] = "version";
    if (args[0] == kListCommandsWord) {
      for (const auto& c : all_commands()) std::cout << c.path << "\n";
      return kExitOk;
    }
    if (!help_only) start_cancellation(env("DOCKER_CLI_PLUGIN_SOCKET"), ctx.debug);

    for (const auto& [alias, real] : command_aliases()) {
      const auto space = alias.find(' ');
      if (args.size() >= 2 && args[0] == alias.substr(0, space) &&
          args[1] == alias.substr(space + 1)) {
        args[1] = real.substr(real.find(' ') + 1);
        break;
      }
    }
    size_t consumed = 0;
    const Command* cmd = find_command(args, consumed);
    if (!cmd) {
      if (is_group(args[0])) {
        if (args.size() == 1 || args[1] == "--help" || args[1] == "-h" || help_only) {
          std::cout << group_help(args[0]);
          return kExitOk;
        }
        return unknown_command(args[0], args[1], std::cerr);
      }
      if (args[0].size() > 1 && args[0][0] == '-') {
        std::cerr << fmt::format("unknown flag: {}\nSee 'docker dct --help'.\n", args[0]);
        return kExitUsage;
      }
      return unknown_command("", args[0], std::cerr);
    }
    args.erase(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(consumed));
    return run_command(*cmd, std::move(args), ctx, help_only);
  } catch (const Error& e) {
    return report_error(e, std::cerr, ctx.debug, ctx.config_dir);
  } catch (const std::filesystem::filesystem_error& e) {
    // A file or directory the command could not use (a file where a directory goes, no
    // permission): a local disk problem, named with its path.
    const std::string path = e.path1().empty() ? std::string() : e.path1().string();
    return report_error(
        Error(ErrorCode::io_failure,
              path.empty() ? fmt::format("a file operation failed: {}", e.code().message())
                           : fmt::format("cannot use \"{}\": {}", path, e.code().message()),
              "check the path and its permissions (and --trust-dir / --config)"),
        std::cerr, ctx.debug, ctx.config_dir);
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace dct::plugin
