#pragma once
// A minimal DER writer for the few fixed structures notary writes itself (PKCS#8 layouts), so
// their bytes are exactly notary's rather than whatever a general encoder prefers.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace dct::trust::der {

// Each result is allocated once, at its final size: callers keep secret content in Secret
// objects, and no reallocation leaves a stray copy behind.
std::string tlv(unsigned char tag, std::string_view content);
std::string concat(std::initializer_list<std::string_view> parts);
inline std::string sequence(std::string_view content) { return tlv(0x30, content); }
inline std::string octet_string(std::string_view content) { return tlv(0x04, content); }
std::string integer(std::uint64_t value);

// Object identifiers, already encoded (tag and length included).
inline constexpr std::string_view kOidEcPublicKey{"\x06\x07\x2a\x86\x48\xce\x3d\x02\x01", 9};
inline constexpr std::string_view kOidRsaEncryption{"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01",
                                                    11};
// 1.3.6.1.4.1.11591.15.1: the Ed25519 OID notary uses in PKCS#8 (not RFC 8410's).
inline constexpr std::string_view kOidNotaryEd25519{"\x06\x09\x2b\x06\x01\x04\x01\xda\x47\x0f\x01",
                                                    11};
inline constexpr std::string_view kOidPbes2{"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0d", 11};
inline constexpr std::string_view kOidPbkdf2{"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0c", 11};
inline constexpr std::string_view kOidAes256Cbc{"\x06\x09\x60\x86\x48\x01\x65\x03\x04\x01\x2a", 11};

}  // namespace dct::trust::der
