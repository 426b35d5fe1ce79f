#pragma once
// The program: reads the invocation, sets up cancellation, finds the command, parses its flags
// and runs it, mapping every failure to a message and an exit code.
#include <string>
#include <vector>

namespace dct::plugin {

int run_app(const std::vector<std::string>& argv);

}  // namespace dct::plugin
