#include "trust/crypto/key_file.h"

#include <openssl/evp.h>

#include "base/encoding.h"
#include "base/errors.h"
#include "trust/crypto/pkcs8.h"
#include "trust/formats/pem.h"

namespace dct::trust {
namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, ossl::Deleter<EVP_CIPHER_CTX_free>>;

bool is_pkcs8_type(std::string_view type) {
  return type == "ENCRYPTED PRIVATE KEY" || type == "PRIVATE KEY";
}
bool is_legacy_type(std::string_view type) {
  return type == "EC PRIVATE KEY" || type == "RSA PRIVATE KEY" || type == "ED25519 PRIVATE KEY";
}

[[noreturn]] void no_key(const std::string& why) {
  throw Error(ErrorCode::invalid_argument, "no usable private key: " + why);
}

// Go's x509.DecryptPEMBlock: key = MD5-based EVP_BytesToKey(passphrase, first 8 IV bytes),
// CBC decryption, PKCS#7 padding checked.
Secret decrypt_legacy(const PemBlock& block, std::string_view passphrase) {
  const std::string& dek = block.headers.at("DEK-Info");
  const auto comma = dek.find(',');
  if (comma == std::string::npos) no_key("malformed DEK-Info header");
  const EVP_CIPHER* cipher = EVP_get_cipherbyname(dek.substr(0, comma).c_str());
  auto iv = from_hex(std::string_view(dek).substr(comma + 1));
  if (!cipher || EVP_CIPHER_get_mode(cipher) != EVP_CIPH_CBC_MODE)
    no_key("unsupported legacy encryption " + dek.substr(0, comma));
  if (!iv || iv->size() != static_cast<size_t>(EVP_CIPHER_get_iv_length(cipher)) || iv->size() < 8)
    no_key("bad IV in the DEK-Info header");
  Secret key(std::string(static_cast<size_t>(EVP_CIPHER_get_key_length(cipher)), '\0'));
  auto* k = reinterpret_cast<unsigned char*>(key.mutable_str().data());
  const auto* iv_bytes = reinterpret_cast<const unsigned char*>(iv->data());
  if (EVP_BytesToKey(cipher, EVP_md5(), iv_bytes /* its first 8 bytes are the salt */,
                     reinterpret_cast<const unsigned char*>(passphrase.data()),
                     static_cast<int>(passphrase.size()), 1, k, nullptr) <= 0)
    no_key("legacy key derivation failed");
  Secret plain(std::string(block.bytes.size() + 32, '\0'));
  auto* out = reinterpret_cast<unsigned char*>(plain.mutable_str().data());
  int n1 = 0, n2 = 0;
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, k, iv_bytes) != 1)
    no_key("legacy decryption failed");
  if (EVP_DecryptUpdate(ctx.get(), out, &n1,
                        reinterpret_cast<const unsigned char*>(block.bytes.data()),
                        static_cast<int>(block.bytes.size())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + n1, &n2) != 1)
    throw IncorrectPassphrase("incorrect passphrase for the private key");
  plain.mutable_str().resize(static_cast<size_t>(n1 + n2));
  return plain;
}

PrivateKey parse_legacy(std::string_view type, std::string_view der) {
  if (type == "ED25519 PRIVATE KEY") return PrivateKey::from_ed25519_blob(der);
  const int id = type == "RSA PRIVATE KEY" ? EVP_PKEY_RSA : EVP_PKEY_EC;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ossl::PKey key(d2i_PrivateKey(id, nullptr, &p, static_cast<long>(der.size())));
  if (!key) no_key(std::string("unreadable ") + std::string(type));
  return PrivateKey::from_evp(std::move(key));
}

}  // namespace

std::optional<KeyFileInfo> key_file_info(std::string_view pem) {
  auto block = pem_decode(pem);
  if (!block) return std::nullopt;
  WipeOnExit wipe_bytes(block->bytes);
  KeyFileInfo info;
  if (is_pkcs8_type(block->type))
    info.encrypted = is_encrypted_pkcs8(block->bytes);
  else if (is_legacy_type(block->type))
    info.encrypted = block->headers.count("DEK-Info") > 0;
  else
    return std::nullopt;
  info.pem_type = block->type;
  if (auto it = block->headers.find("role"); it != block->headers.end()) info.role = it->second;
  if (auto it = block->headers.find("gun"); it != block->headers.end()) info.gun = it->second;
  return info;
}

std::string_view key_file_gun(std::string_view role, std::string_view gun) {
  return role == "targets" || role == "snapshot" || role == "timestamp" ? gun : std::string_view{};
}

Secret write_key_file(const PrivateKey& key, std::string_view role, std::string_view gun,
                      std::string_view passphrase) {
  PemBlock block;
  if (!role.empty()) block.headers["role"] = std::string(role);
  if (!gun.empty()) block.headers["gun"] = std::string(gun);
  const Secret pkcs8 = notary_pkcs8(key);
  if (passphrase.empty()) {
    block.type = "PRIVATE KEY";
    block.bytes.reserve(pkcs8.size());
    block.bytes.append(pkcs8.view());
  } else {
    block.type = "ENCRYPTED PRIVATE KEY";
    block.bytes = encrypt_pkcs8(pkcs8.view(), passphrase);
  }
  WipeOnExit wipe_bytes(block.bytes);
  return Secret(pem_encode(block));
}

PrivateKey read_key_file(std::string_view pem, std::string_view passphrase) {
  auto block = pem_decode(pem);
  if (!block) no_key("no PEM block");
  WipeOnExit wipe_bytes(block->bytes);
  if (is_pkcs8_type(block->type)) {
    if (is_encrypted_pkcs8(block->bytes)) return decrypt_pkcs8(block->bytes, passphrase);
    return parse_pkcs8(block->bytes);
  }
  if (!is_legacy_type(block->type)) no_key("unsupported PEM type \"" + block->type + "\"");
  if (!block->headers.count("DEK-Info")) return parse_legacy(block->type, block->bytes);
  const Secret der = decrypt_legacy(*block, passphrase);
  try {
    return parse_legacy(block->type, der.view());
  } catch (const Error&) {
    // Padding that happens to check out under a wrong passphrase leaves garbage.
    throw IncorrectPassphrase("incorrect passphrase for the private key");
  }
}

std::string public_key_file(const PublicKey& key, std::string_view role) {
  PemBlock block{"PUBLIC KEY", {{"role", std::string(role)}}, key.public_bytes};
  return pem_encode(block);
}

}  // namespace dct::trust
