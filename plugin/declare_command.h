#pragma once
// A command's CLI11 declarations as a run makes them, for the run itself (plugin/app.cpp) and
// for whatever reads the declarations without running (shell completion).
#include <CLI/CLI.hpp>

#include "plugin/command.h"

namespace dct::plugin {

// Declares `command`'s flags and arguments on `app` as a run sees them: -h/--help (bound to
// `help`), the shared trust and bundle flags (bound to `trust`), the command's own, each
// repeatable flag taking one value per use. Returns what runs with them.
Runner declare_command(const Command& command, CLI::App& app, bool& help, TrustOptions& trust);

}  // namespace dct::plugin
