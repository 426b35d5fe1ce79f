#pragma once
// TEST ONLY. An environment for the plugin's lookups, from a map instead of the process's.
#include <map>
#include <optional>
#include <string>

#include "plugin/invocation.h"

namespace dct::test {

inline plugin::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace dct::test
