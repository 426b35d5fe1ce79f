#include "plugin/sign_target.h"

#include <fmt/format.h>

#include "base/errors.h"

namespace dct::plugin {

registry::Manifest fetch_expected_manifest(registry::ManifestClient& manifests,
                                           const registry::Reference& ref,
                                           const ExpectedManifest& expected) {
  const std::string name = fmt::format("{}@{}", ref.familiar(), expected.digest);
  registry::Manifest m;
  try {
    m = manifests.get(ref.path, expected.digest);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::tag_not_found && e.code() != ErrorCode::repository_not_found) throw;
    const bool no_repository = e.code() == ErrorCode::repository_not_found;
    throw Error(e.code(),
                fmt::format("the registry does not serve {} ({}){}", name, expected.named_by,
                            no_repository ? ": it has no such repository" : ""));
  }
  if (expected.size && m.length != *expected.size)
    throw Error(ErrorCode::manifest_mismatch,
                fmt::format("the registry serves {} bytes for {}, but {} bytes were reported ({})",
                            m.length, name, *expected.size, expected.named_by));
  return m;
}

std::optional<std::string> tag_digest_now(registry::ManifestClient& manifests,
                                          const registry::Reference& ref) {
  try {
    return manifests.get(ref.path, ref.tag).digest;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::tag_not_found || e.code() == ErrorCode::repository_not_found)
      return std::nullopt;
    throw;
  }
}

}  // namespace dct::plugin
