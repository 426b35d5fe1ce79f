#include "plugin/init_root_key.h"

#include <fmt/format.h>

#include <chrono>

#include "base/errors.h"
#include "base/files.h"
#include "trust/crypto/key_file.h"
#include "trust/crypto/x509.h"

namespace dct::plugin {
namespace {

std::string read_small_file(const std::filesystem::path& path, const char* what) {
  auto bytes = read_file_capped(path, 1 << 20);
  if (!bytes)
    throw Error(ErrorCode::io_failure,
                fmt::format("cannot read the {} \"{}\" (missing, unreadable or over 1 MiB)", what,
                            path.string()));
  return *bytes;
}

trust::PrivateKey open_root_key(const std::string& pem, const std::filesystem::path& file,
                                trust::PassphraseRetriever& passphrases) {
  for (int attempt = 0;; ++attempt) {
    const trust::Secret passphrase = passphrases.get(
        trust::PassphraseRequest{file.filename().string(), "root", "", false, attempt});
    try {
      return trust::read_key_file(pem, passphrase.view());
    } catch (const trust::IncorrectPassphrase&) {
      if (attempt >= 2) throw;
    }
  }
}

void check_certificate_of(const std::string& pem, const std::filesystem::path& file,
                          const trust::PrivateKey& key, const std::string& gun) {
  const auto facts = trust::certificate_facts(pem);
  if (!facts)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} is not a PEM certificate", file.string()));
  if (facts->spki_der != key.public_key().public_bytes)
    throw Error(
        ErrorCode::invalid_argument,
        fmt::format("{} is a certificate of another key than the root key given", file.string()),
        "give the certificate made for this root key, or no --rootcert to make one");
  if (!trust::common_name_matches_gun(facts->common_name, gun))
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} is made out to \"{}\", not to {}: notary and docker would refuse "
                            "the root",
                            file.string(), facts->common_name, gun));
  if (auto why = trust::check_root_certificate(*facts, gun, std::chrono::system_clock::now(), true))
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} cannot be a root certificate: {}", file.string(), *why));
}

}  // namespace

InitRoot import_init_root(SigningKeys& keys, trust::PassphraseRetriever& passphrases,
                          const std::filesystem::path& key_file,
                          const std::optional<std::filesystem::path>& cert_file,
                          const std::string& gun) {
  const std::string pem = read_small_file(key_file, "root key");
  const auto info = trust::key_file_info(pem);
  if (!info)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} holds no PEM private key", key_file.string()));
  if (!info->encrypted)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{} is not encrypted: only encrypted root keys may be imported",
                            key_file.string()),
                "encrypt it first, for example with `openssl pkcs8 -topk8 -v2 aes-256-cbc`");
  const trust::PrivateKey key = open_root_key(pem, key_file, passphrases);
  InitRoot out;
  if (cert_file) {
    out.certificate = read_small_file(*cert_file, "root certificate");
    check_certificate_of(*out.certificate, *cert_file, key, gun);
  }
  out.key_id = keys.store().add(key, "root", "", passphrases);
  return out;
}

}  // namespace dct::plugin
