#pragma once
// The key store a signing command opens, with the command line's passphrase prompt: the type
// lives in trust/publish (see trust/publish/signing_keys.h).
#include "trust/publish/signing_keys.h"

namespace dct::plugin {

using trust::SigningKeys;

}  // namespace dct::plugin
