#include <curl/curl.h>
#include <dct_version.h>
#include <fmt/format.h>
#include <openssl/crypto.h>

#include <memory>
#include <ostream>

#include "plugin/command.h"

namespace dct::plugin {

Command version_command() {
  Command c;
  c.path = "version";
  c.summary = "Show the docker-dct version information";

  c.setup = [](CLI::App& app) -> Runner {
    (void)app;
    return [](Context& ctx) {
      *ctx.out << fmt::format("docker-dct version v{}\n", DCT_VERSION);
      *ctx.out << fmt::format(" OpenSSL:  {}\n", OpenSSL_version(OPENSSL_VERSION));
      *ctx.out << fmt::format(" libcurl:  {}\n", curl_version_info(CURLVERSION_NOW)->version);
      return 0;
    };
  };
  return c;
}

}  // namespace dct::plugin
