#include "trust/formats/public_key.h"

#include "base/encoding.h"
#include "base/errors.h"
#include "trust/formats/canonical_json.h"
#include "trust/formats/go_base64.h"

namespace dct::trust {

PublicKey PublicKey::from_json(const nlohmann::json& key) {
  auto bad = [](const char* what) {
    return Error(ErrorCode::malformed_metadata, std::string("invalid key: ") + what);
  };
  if (!key.is_object()) throw bad("not an object");
  auto type = key.find("keytype");
  auto val = key.find("keyval");
  if (type == key.end() || !type->is_string()) throw bad("\"keytype\" must be a string");
  if (val == key.end() || !val->is_object()) throw bad("\"keyval\" must be an object");
  auto pub = val->find("public");
  if (pub == val->end() || !pub->is_string()) throw bad("\"public\" must be a base64 string");
  auto bytes = go_base64_decode(pub->get_ref<const std::string&>());
  if (!bytes) throw bad("\"public\" is not valid base64");
  // Like Go, tolerate a "private" member and ignore it (the key ID is computed with null).
  if (auto priv = val->find("private");
      priv != val->end() && !priv->is_null() &&
      !(priv->is_string() && go_base64_decode(priv->get_ref<const std::string&>())))
    throw bad("\"private\" must be null or base64");
  return PublicKey{type->get<std::string>(), std::move(*bytes)};
}

nlohmann::json PublicKey::to_json() const {
  return {{"keytype", type},
          {"keyval", {{"private", nullptr}, {"public", base64_encode(public_bytes)}}}};
}

std::string PublicKey::id() const { return to_hex(sha256(canonical_json(to_json()))); }

std::string normalize_signature_method(std::string_view method) {
  std::string out;
  out.reserve(method.size());
  for (size_t i = 0; i < method.size(); ++i) {
    const char c = method[i];
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (method.substr(i, 3) == "\xE2\x84\xAA") {  // KELVIN SIGN
      out.push_back('k');
      i += 2;
    } else if (method.substr(i, 2) == "\xC4\xB0") {  // LATIN CAPITAL LETTER I WITH DOT ABOVE
      out.push_back('i');
      i += 1;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace dct::trust
