#include "trust/crypto/x509.h"

#include <fmt/format.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <vector>

#include "base/ossl.h"
#include "trust/crypto/pkix.h"
#include "trust/formats/pem.h"
#include "trust/formats/time.h"

namespace dct::trust {
namespace {

using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;
using BasicConstraints = std::unique_ptr<BASIC_CONSTRAINTS, ossl::Deleter<BASIC_CONSTRAINTS_free>>;

std::optional<TimePoint> to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return from_unix_seconds(static_cast<long long>(timegm(&tm)));
}

bool is_ca(X509* cert) {
  int critical = 0;
  BasicConstraints bc(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert, NID_basic_constraints, &critical, nullptr)));
  return bc && bc->ca;
}

std::string last_common_name(X509* cert) {
  std::string cn;
  X509_NAME* subject = X509_get_subject_name(cert);
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) {
    unsigned char* raw = nullptr;
    const int len =
        ASN1_STRING_to_UTF8(&raw, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
    ossl::OsslBytes utf8(raw);
    if (len >= 0) cn.assign(reinterpret_cast<char*>(utf8.get()), static_cast<size_t>(len));
  }
  return cn;
}

// Go's x509.SignatureAlgorithm values SHA1WithRSA, DSAWithSHA1 and ECDSAWithSHA1.
bool sha1_signature(X509* cert) {
  switch (X509_get_signature_nid(cert)) {
    case NID_sha1WithRSAEncryption:
    case NID_sha1WithRSA:
    case NID_dsaWithSHA1:
    case NID_ecdsa_with_SHA1:
      return true;
    default:
      return false;
  }
}

std::optional<CertificateFacts> facts_of(X509* cert) {
  CertificateFacts f;
  f.common_name = last_common_name(cert);
  auto nb = to_time_point(X509_get0_notBefore(cert));
  auto na = to_time_point(X509_get0_notAfter(cert));
  if (!nb || !na) return std::nullopt;
  f.not_before = *nb;
  f.not_after = *na;
  f.is_ca = is_ca(cert);
  f.sha1_signature = sha1_signature(cert);
  if (EVP_PKEY* key = X509_get0_pubkey(cert)) {
    switch (EVP_PKEY_get_base_id(key)) {
      case EVP_PKEY_EC:
        f.key_type = "ecdsa";
        break;
      case EVP_PKEY_RSA:
        f.key_type = "rsa";
        break;
      case EVP_PKEY_ED25519:
        f.key_type = "ed25519";
        break;
      default:
        f.key_type = OBJ_nid2sn(EVP_PKEY_get_base_id(key));
        break;
    }
    f.key_bits = EVP_PKEY_get_bits(key);
    auto spki = marshal_pkix_public_key(key);
    if (!spki) return std::nullopt;
    f.spki_der = std::move(*spki);
  }
  return f;
}

std::string format_time(TimePoint t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace

std::optional<CertificateFacts> certificate_facts(std::string_view pem_bundle) {
  std::vector<ossl::X509Ptr> certs;
  std::string_view rest = pem_bundle;
  while (auto block = pem_decode(rest, &rest)) {
    if (block->type != "CERTIFICATE") return std::nullopt;
    auto cert = parse_certificate(block->bytes);
    if (!cert) return std::nullopt;
    certs.push_back(std::move(cert));
  }
  if (certs.empty()) return std::nullopt;
  auto facts = facts_of(certs.front().get());
  if (!facts) return std::nullopt;
  facts->chain_length = certs.size();
  for (const auto& c : certs) facts->leaf_count += is_ca(c.get()) ? 0 : 1;
  return facts;
}

bool common_name_matches_gun(std::string_view common_name, std::string_view gun) {
  if (!common_name.empty() && common_name.back() == '*') {
    const auto end = common_name.find_last_not_of('*');
    const auto prefix = common_name.substr(0, end == std::string_view::npos ? 0 : end + 1);
    return gun.substr(0, prefix.size()) == prefix;
  }
  return common_name == gun;
}

std::optional<std::string> check_certificate(const CertificateFacts& f, TimePoint now,
                                             bool check_expiry) {
  if (f.not_before > f.not_after) return "its validity period is inverted";
  if (f.sha1_signature) return "it is signed with SHA-1";
  if (f.key_type == "rsa" && f.key_bits < 2048)
    return fmt::format("its RSA key has {} bits, fewer than 2048", f.key_bits);
  if (check_expiry) {
    if (f.not_before > now + 24h)
      return fmt::format("it is not valid before {}", format_time(f.not_before));
    if (now > f.not_after) return fmt::format("it expired on {}", format_time(f.not_after));
  }
  return std::nullopt;
}

std::optional<std::string> check_root_certificate(const CertificateFacts& f, std::string_view gun,
                                                  TimePoint now, bool check_expiry) {
  if (f.leaf_count != 1)
    return fmt::format("its certificate bundle holds {} non-CA certificates, not exactly one",
                       f.leaf_count);
  if (f.is_ca) return "its first certificate is a CA certificate";
  if (!common_name_matches_gun(f.common_name, gun))
    return fmt::format("its certificate is for \"{}\", not \"{}\"", f.common_name, gun);
  return check_certificate(f, now, check_expiry);
}

bool expires_within_six_months(const CertificateFacts& f, TimePoint now) {
  using namespace std::chrono;
  const auto day = floor<days>(now);
  const year_month_day ymd{day};
  const auto later = sys_days{ymd + months{6}} + (now - day);
  return f.not_after < later;
}

}  // namespace dct::trust
