#pragma once
// `init --rootkey FILE [--rootcert FILE]`, as notary's: an organisation's offline root key,
// imported (it must be encrypted) and used for a new repository, with its own certificate
// when one is given.
#include <filesystem>
#include <optional>
#include <string>

#include "plugin/signing_keys.h"
#include "trust/crypto/passphrase.h"

namespace dct::plugin {

struct InitRoot {
  std::string key_id;
  std::optional<std::string> certificate;  // PEM, checked against the key and the GUN
};

// Imports the encrypted root key in `key_file` into the store (a key already held is kept)
// and checks `cert_file`, when given: a certificate of that very key, for `gun`, valid now.
// Throws dct::Error(invalid_argument) naming what is wrong; nothing is stored then.
InitRoot import_init_root(SigningKeys& keys, trust::PassphraseRetriever& passphrases,
                          const std::filesystem::path& key_file,
                          const std::optional<std::filesystem::path>& cert_file,
                          const std::string& gun);

}  // namespace dct::plugin
