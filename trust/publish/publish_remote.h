#pragma once
// What publishing needs from the notary server besides reading metadata (trust/tuf/remote.h),
// as an interface: trust/ never opens a socket. The command line wires it to
// registry::NotaryRemote; tests implement it in memory.
#include <string>
#include <vector>

#include "trust/formats/public_key.h"
#include "trust/publish/repo_editor.h"

namespace dct::trust {

class PublishRemote {
 public:
  virtual ~PublishRemote() = default;
  // The public key the server holds for `role` (timestamp, or snapshot when the server manages
  // it); the server makes one on first request. Throws dct::Error.
  virtual PublicKey server_key(const std::string& role) = 0;
  // One atomic upload of the files. Throws dct::Error: publish_conflict when the trust data
  // moved on meanwhile, snapshot_key_not_on_server, network and authorization errors.
  virtual void publish(const std::vector<RepoFile>& files) = 0;
};

}  // namespace dct::trust
