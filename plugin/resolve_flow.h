#pragma once
// Resolving an image reference to the digest its trust data vouches for, as `dct resolve`,
// `dct pull` and `dct inspect` need it.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugin/trust_client.h"
#include "trust/tuf/bundle.h"
#include "trust/tuf/inspect.h"
#include "trust/tuf/resolve.h"

namespace dct::plugin {

struct Resolution {
  registry::Reference ref;
  trust::ResolvedTag target;
  std::string server_url;
  std::string bundle;  // the bundle file verified from, instead of the server
  std::vector<std::string> warnings;
  std::vector<std::string> indexed_roles;  // read through their verified index (for -D)

  std::string pinned() const;  // "<gun>@sha256:<hex>"
  nlohmann::ordered_json to_json() const;
};

// Throws dct::Error: invalid_reference for digest-only references, tag_not_found,
// tag_not_trusted, security errors, network errors (with the server and where it came from).
// With `bundle`, the trust data comes from it and no notary server is asked.
Resolution resolve_image(registry::Session& session, const std::string& image, bool with_signers,
                         const trust::Bundle* bundle = nullptr);

// Adds which notary server was asked, and why that one, to network and not-found errors.
[[noreturn]] void rethrow_with_server(const Error& e, const registry::NotaryServer& server);
// The same for trust data read from a bundle: not-found errors name the bundle.
[[noreturn]] void rethrow_with_bundle(const Error& e, const trust::Bundle& bundle);

struct InspectOutcome {
  std::string name;  // the argument as typed
  trust::InspectReport report;
  std::vector<std::string> warnings;
};
InspectOutcome inspect_image(registry::Session& session, const std::string& image);
nlohmann::ordered_json inspect_json(const std::vector<InspectOutcome>& outcomes);
std::string inspect_pretty(const InspectOutcome& outcome);

}  // namespace dct::plugin
