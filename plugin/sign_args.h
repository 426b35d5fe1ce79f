#pragma once
// The arguments `dct sign` and `dct push` share, and their flags.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "plugin/sign_flow.h"

namespace dct::plugin {

struct SignArgs {
  std::string image;
  std::vector<std::string> roles;
  bool server_managed_snapshot = false;

  SignOptions options() const { return SignOptions{roles, server_managed_snapshot}; }
};

inline void add_sign_args(CLI::App& app, SignArgs& args, const std::string& image_help) {
  app.add_option("IMAGE", args.image, image_help)->required();
  app.add_option("--role", args.roles, "Sign into this role instead (repeatable)")
      ->type_name("string");
  app.add_flag("--server-managed-snapshot", args.server_managed_snapshot,
               "For a new repository: let the notary server hold the snapshot key");
}

}  // namespace dct::plugin
