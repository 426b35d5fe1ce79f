#pragma once
// `-p` for commands that stage changes: publish what is staged for a repository right away,
// with the progress lines `notary ... -p` prints. `own_changes`, the change files the command
// staged, are taken back out when that fails: a failed command leaves nothing staged.
#include <string>
#include <vector>

#include "plugin/command.h"
#include "registry/reference.h"

namespace dct::plugin {

void publish_staged_now(Context& ctx, const registry::Reference& ref,
                        const std::vector<std::string>& own_changes);

}  // namespace dct::plugin
