#pragma once
// The repository lock as commands take it: before staging or publishing changes to a GUN.
// While another process holds it, one line on stderr, then a wait of DCT_LOCK_TIMEOUT seconds
// (60 by default) before giving up with dct.io.703.
#include <filesystem>
#include <string>

#include "plugin/command.h"
#include "trust/publish/repo_lock.h"

namespace dct::plugin {

trust::RepoLock lock_repository(const Context& ctx, const std::filesystem::path& trust_dir,
                                const std::string& gun);

}  // namespace dct::plugin
