#pragma once
// Turning errors into what the user sees and the exit code.
#include <filesystem>
#include <iosfwd>

#include "base/errors.h"

namespace dct::plugin {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 125;

// Prints `error` the docker way (no prefix, then a hint line) and returns the exit code.
// Security failures open with a line saying the trust data failed verification.
// `config_dir`, when known, replaces "<config dir>" in hints: messages name real paths.
int report_error(const Error& error, std::ostream& err, bool debug,
                 const std::filesystem::path& config_dir = {});

}  // namespace dct::plugin
