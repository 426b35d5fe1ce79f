#pragma once
// Typed changelist entries: the staged changes the commands make, built in one place in
// notary's change format (trust/publish/changelist.h), so that `notary publish` reads them.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "trust/publish/changelist.h"

namespace dct::trust {

// Signs `tag` in `role` for a manifest of `length` bytes whose sha256 is `sha256` (raw bytes).
Change target_added(const std::string& role, const std::string& tag, std::size_t length,
                    const std::string& sha256);

// Removes the signature of `tag` from `role`.
Change target_removed(const std::string& role, const std::string& tag);

// A delegation change ("create", "update" or "delete") on `role`, with notary's delegation
// document (keys to add or remove, paths, threshold) when the action has one.
Change delegation_change(const std::string& action, const std::string& role,
                         const std::optional<nlohmann::json>& data);

}  // namespace dct::trust
