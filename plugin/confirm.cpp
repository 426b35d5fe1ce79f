#include "plugin/confirm.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "base/errors.h"

namespace dct::plugin {

bool confirm(const Context& ctx, const std::string& question, bool assume_yes) {
  if (assume_yes) return true;
  if (!ctx.stdin_is_tty)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("this needs a confirmation and stdin is not a terminal to ask on:\n{}",
                            question),
                "run it with --yes to confirm");
  *ctx.err << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  answer.erase(0, answer.find_first_not_of(" \t"));
  answer.erase(answer.find_last_not_of(" \t\r") + 1);
  std::transform(answer.begin(), answer.end(), answer.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return answer == "y" || answer == "yes";
}

}  // namespace dct::plugin
