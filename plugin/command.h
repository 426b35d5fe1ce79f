#pragma once
// The command table. Each command lives in its own plugin/cmd_*.cpp file and describes itself
// with a Command: its path ("resolve", "key generate"), usage, help texts, how it declares its
// flags on a CLI11 app, and what it runs. plugin/commands.cpp lists them all.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "plugin/invocation.h"
#include "plugin/swapped_args.h"
#include "plugin/trust_client.h"

namespace dct::trust {
class Bundle;
}

namespace dct::plugin {

struct Context {
  Invocation invocation;
  std::filesystem::path config_dir;
  bool debug = false;
  bool stdin_is_tty = false;
  bool stdout_is_tty = false;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;

  // The trust options every command shares (--server, --trust-dir, the config dir).
  TrustOptions trust;
  // The run's composition root, made from `trust` on first use (after the flags are parsed):
  // the config, the notary server and trust dir, TLS, credentials and one Authorizer per server.
  registry::Session& session() const;
  // The --bundle file, read and parsed on first use; nullptr without --bundle
  // (plugin/bundle_source.cpp).
  const trust::Bundle* bundle() const;

  // For commands that read their own arguments (Command::raw_args): the arguments after the
  // command's name, and its help text.
  std::vector<std::string> args;
  std::string help_text;

  void warn(const std::string& message) const;       // "WARNING: ..." on stderr
  void debug_log(const std::string& message) const;  // only with -D

 private:
  mutable std::unique_ptr<registry::Session> session_;
  mutable std::shared_ptr<const trust::Bundle> bundle_;
};

// What a command runs, its arguments already bound (see Command::setup).
using Runner = std::function<int(Context&)>;

struct Command {
  std::string path;          // "resolve", "key generate"
  std::string usage;         // "[OPTIONS] IMAGE[:TAG]"
  std::string summary;       // one line, for command lists
  std::string description;   // longer help text; summary when empty
  std::string examples;      // shown under "Examples:" when set
  bool trust_flags = false;  // adds --server and --trust-dir
  bool bundle_flag = false;  // adds --bundle (verify from an offline bundle)
  bool raw_args = false;     // the runner parses Context::args itself (flags are only for help)
  // Declares the command's flags and arguments on `app`, bound to values made for this run,
  // and returns what runs with them: nothing a command parses outlives the run.
  std::function<Runner(CLI::App&)> setup;
  // Looks at the arguments as typed before they are parsed, to answer arguments given in the
  // wrong order with the command line meant (plugin/swapped_args.h); throws.
  std::function<void(const TypedArgs&)> check_args;
};

const std::vector<Command>& all_commands();

// Flags shared by every trust command.
void add_trust_flags(CLI::App& app, TrustOptions& options);
// --bundle FILE, for commands that resolve tags (plugin/bundle_source.cpp).
void add_bundle_flag(CLI::App& app, TrustOptions& options);

}  // namespace dct::plugin
