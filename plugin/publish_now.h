#pragma once
// `-p` for commands that stage changes: publish what is staged for a repository right away,
// with the progress lines `notary ... -p` prints.
#include "plugin/command.h"
#include "registry/reference.h"

namespace dct::plugin {

void publish_staged_now(Context& ctx, const registry::Reference& ref);

}  // namespace dct::plugin
