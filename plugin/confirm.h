#pragma once
// Yes/no questions before destructive changes. --yes answers for scripts; without a terminal
// and without --yes the command stops rather than guess.
#include <string>

#include "plugin/command.h"

namespace dct::plugin {

// True when the user answered y or yes (any case). Throws dct::Error(invalid_argument) when
// stdin is not a terminal and `assume_yes` is false.
bool confirm(const Context& ctx, const std::string& question, bool assume_yes);

}  // namespace dct::plugin
