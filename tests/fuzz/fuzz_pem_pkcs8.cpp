// Key and certificate input: PEM blocks, private key files, PKCS#8 (plain and encrypted),
// certificates and public keys. The input is read as PEM text, and as DER both whole and for
// every PEM block it holds. Refusals are dct::Error (or an empty result), nothing else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/errors.h"
#include "fuzz_check.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/pkcs8.h"
#include "trust/crypto/pkix.h"
#include "trust/crypto/x509.h"
#include "trust/formats/pem.h"

namespace {

// The passphrase of the key files under tests/data/keys, so their seeds decrypt.
constexpr std::string_view kPassphrase = "key-pass";

void try_der(std::string_view der) {
  (void)dct::trust::parse_certificate(der);
  (void)dct::trust::parse_pkix_public_key(der);
  try {
    const auto key = dct::trust::parse_pkcs8(der);
    (void)key.id();
    (void)key.private_der();
  } catch (const dct::Error&) {
  }
  if (dct::trust::is_encrypted_pkcs8(der)) {
    try {
      (void)dct::trust::decrypt_pkcs8(der, kPassphrase);
    } catch (const dct::Error&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try_der(text);

  std::string_view rest = text;
  for (int blocks = 0; blocks < 8; ++blocks) {
    std::string_view after;
    const auto block = dct::trust::pem_decode(rest, &after);
    if (!block) break;
    FUZZ_CHECK(after.size() < rest.size());
    try_der(block->bytes);
    // What we write we read back.
    const auto again = dct::trust::pem_decode(dct::trust::pem_encode(*block));
    if (again) FUZZ_CHECK(again->bytes == block->bytes);
    rest = after;
  }

  (void)dct::trust::key_file_info(text);
  try {
    (void)dct::trust::read_key_file(text, kPassphrase);
  } catch (const dct::Error&) {
  }
  if (const auto facts = dct::trust::certificate_facts(text)) {
    FUZZ_CHECK(facts->chain_length >= 1);
    (void)dct::trust::check_root_certificate(*facts, "docker.io/library/fuzz", facts->not_before,
                                             true);
  }
  return 0;
}
