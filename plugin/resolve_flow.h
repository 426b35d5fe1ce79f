#pragma once
// Resolving an image reference to the digest its trust data vouches for, as `dct resolve`,
// `dct pull` and `dct inspect` need it.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugin/trust_client.h"
#include "trust/tuf/inspect.h"
#include "trust/tuf/resolve.h"

namespace dct::plugin {

struct Resolution {
  registry::Reference ref;
  trust::ResolvedTag target;
  std::string server_url;
  std::vector<std::string> warnings;

  std::string pinned() const;  // "<gun>@sha256:<hex>"
  nlohmann::ordered_json to_json() const;
};

// Throws dct::Error: invalid_reference for digest-only references, tag_not_found,
// tag_not_trusted, security errors, network errors (with the server and where it came from).
Resolution resolve_image(registry::Session& session, const std::string& image, bool with_signers);

// Adds which notary server was asked, and why that one, to network and not-found errors.
[[noreturn]] void rethrow_with_server(const Error& e, const registry::NotaryServer& server);

struct InspectOutcome {
  std::string name;  // the argument as typed
  trust::InspectReport report;
  std::vector<std::string> warnings;
};
InspectOutcome inspect_image(registry::Session& session, const std::string& image);
nlohmann::ordered_json inspect_json(const std::vector<InspectOutcome>& outcomes);
std::string inspect_pretty(const InspectOutcome& outcome);

}  // namespace dct::plugin
