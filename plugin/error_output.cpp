#include "plugin/error_output.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ostream>

namespace dct::plugin {

int report_error(const Error& e, std::ostream& err, bool debug) {
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
  if (!e.hint().empty()) err << e.hint() << "\n";
  if (debug) err << fmt::format("(error {})\n", id_of(e.code()));
  return e.kind() == ErrorKind::usage && e.code() != ErrorCode::invalid_reference ? kExitUsage
                                                                                  : kExitFailure;
}

}  // namespace dct::plugin
