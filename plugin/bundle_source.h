#pragma once
// Offline bundles on the command line: --bundle FILE, read once per run.
#include <filesystem>
#include <memory>

#include "registry/session.h"
#include "trust/tuf/bundle.h"

namespace dct::plugin {

// Throws dct::Error(io_failure) when the file cannot be read, malformed_metadata when it is not
// a bundle.
std::shared_ptr<const trust::Bundle> read_bundle(const std::filesystem::path& file);

// The repository `gun` of `bundle`; throws repository_not_found naming the bundle otherwise.
const trust::BundleRepository& bundle_repository(const trust::Bundle& bundle,
                                                 const std::string& gun);

// Checks the whole of `gun`'s trust data in the bundle (trust::verify_bundle_repository) against
// the trust dir's root, before a command uses it; returns that repository.
const trust::BundleRepository& verified_bundle_repository(registry::Session& session,
                                                          const trust::Bundle& bundle,
                                                          const std::string& gun);

}  // namespace dct::plugin
