#pragma once
// `key rotate IMAGE root`: a new root key (or one already held), its certificate, and a new
// root signed by the current and the new root keys, published at once.
#include <string>

#include "plugin/command.h"
#include "registry/reference.h"

namespace dct::plugin {

struct RootRotation {
  std::string key;  // KEYID|NAME of a root key already held; empty: make a new one
  bool yes = false;
};

int rotate_root(Context& ctx, const registry::Reference& ref, const RootRotation& options);

}  // namespace dct::plugin
