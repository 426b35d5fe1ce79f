#include "plugin/error_output.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ostream>

namespace dct::plugin {

int report_error(const Error& e, std::ostream& err, bool debug,
                 const std::filesystem::path& config_dir) {
  switch (e.kind()) {
    case ErrorKind::security:
      err << "Error: the trust data failed verification and may be the sign of an attack; "
             "nothing was trusted.\n";
      err << e.what() << "\n";
      break;
    default:
      err << e.what() << "\n";
      break;
  }
  if (!e.hint().empty()) {
    std::string hint = e.hint();
    constexpr std::string_view kPlaceholder = "<config dir>";
    if (!config_dir.empty())
      for (auto at = hint.find(kPlaceholder); at != std::string::npos;
           at = hint.find(kPlaceholder, at))
        hint.replace(at, kPlaceholder.size(), config_dir.string());
    err << hint << "\n";
  }
  if (debug) err << fmt::format("(error {})\n", id_of(e.code()));
  return e.kind() == ErrorKind::usage && e.code() != ErrorCode::invalid_reference ? kExitUsage
                                                                                  : kExitFailure;
}

}  // namespace dct::plugin
