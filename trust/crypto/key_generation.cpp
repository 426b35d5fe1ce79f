#include "trust/crypto/key_generation.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

#include "base/errors.h"

namespace dct::trust {

namespace {

using X509Req = std::unique_ptr<X509_REQ, ossl::Deleter<X509_REQ_free>>;

[[noreturn]] void fail(const std::string& what) {
  throw Error(ErrorCode::internal, fmt::format("OpenSSL could not {}", what));
}

}  // namespace

PrivateKey generate_key(std::string_view type, int rsa_bits) {
  if (type == "ecdsa") return PrivateKey::generate("ecdsa");
  if (type != "rsa")
    throw Error(ErrorCode::invalid_argument,
                fmt::format("unknown key type \"{}\": use ecdsa or rsa", type));
  if (rsa_bits < kMinRsaBits)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("an RSA key of {} bits is too weak: notary accepts {} bits at least",
                            rsa_bits, kMinRsaBits));
  if (rsa_bits > 8192)
    throw Error(
        ErrorCode::invalid_argument,
        fmt::format("an RSA key of {} bits is more than anyone needs (8192 at most)", rsa_bits));
  ossl::PKey key(EVP_RSA_gen(static_cast<unsigned>(rsa_bits)));
  if (!key) fail("generate an RSA key");
  return PrivateKey::from_evp(std::move(key));
}

std::string create_certificate_request(const PrivateKey& key, std::string_view common_name) {
  X509Req req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1) fail("make a certificate request");
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  const std::string cn(common_name);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.data()),
                                 static_cast<int>(cn.size()), -1, 0) != 1)
    fail("set the request's subject");
  if (X509_REQ_set_pubkey(req.get(), key.evp()) != 1) fail("set the request's key");
  if (X509_REQ_sign(req.get(), key.evp(), EVP_sha256()) <= 0) fail("sign the request");
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) fail("encode the request");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

void check_key_strength(const PrivateKey& key, const std::string& label) {
  if (key.type() != "rsa") return;
  const int bits = EVP_PKEY_get_bits(key.evp());
  if (bits < kMinRsaBits)
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: an RSA key of {} bits is too weak; notary and Docker need {} bits "
                            "at least",
                            label, bits, kMinRsaBits));
}

}  // namespace dct::trust
