#!/usr/bin/env bash
# Regenerates tests/data/keys/files/: private key files written by the real notary 0.7 CLI, the
# docker CLI and openssl (legacy and standard formats), all with the passphrase "key-pass",
# plus expected.json: for each file its key type and TUF key ID, computed here from openssl's
# DER public key (keys/files/*.key of the CLIs are named by their ID already).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$here/files
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"
pass=key-pass

# notary: `key generate -o` (encrypted PKCS#8 + PUBLIC KEY file) and into its key store.
export NOTARY_DELEGATION_PASSPHRASE=$pass NOTARY_TARGETS_PASSPHRASE=$pass
notary -d "$work/notary" key generate ecdsa --role targets/ci -o "$work/ci" >/dev/null
cp "$work/ci-key.pem" "$out/notary-generate-key.pem"
cp "$work/ci.pem" "$out/notary-generate.pem"
notary -d "$work/notary" key generate --role targets/ci2 >/dev/null
for f in "$work"/notary/private/*.key; do cp "$f" "$out/notary-store-$(basename "$f")"; done

# docker: `trust key generate` (no daemon needed).
mkdir -p "$work/docker-config" "$work/pub"
DOCKER_CONFIG=$work/docker-config DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE=$pass \
  docker trust key generate alice --dir "$work/pub" >/dev/null
for f in "$work"/docker-config/trust/private/*.key; do
  cp "$f" "$out/docker-$(basename "$f")"
done
cp "$work/pub/alice.pub" "$out/docker-alice.pub"

# openssl: the legacy PEM formats notary still reads, and standard PKCS#8.
cd "$work"
openssl ecparam -name prime256v1 -genkey -noout -out sec1.pem
cp sec1.pem "$out/legacy-ec.pem"
openssl ec -in sec1.pem -aes256 -passout pass:$pass -out "$out/legacy-ec-aes256.pem" 2>/dev/null
openssl genrsa -traditional -out pkcs1.pem 2048 2>/dev/null
openssl rsa -in pkcs1.pem -traditional -aes256 -passout pass:$pass \
  -out "$out/legacy-rsa-aes256.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$out/pkcs8-p384.pem"
openssl genpkey -algorithm ED25519 -out ed.pem
openssl pkcs8 -topk8 -in ed.pem -v2 aes-256-cbc -passout pass:$pass -out "$out/pkcs8-ed25519-sha256.pem"
openssl pkcs8 -topk8 -in pkcs1.pem -v1 PBE-SHA1-3DES -passout pass:$pass \
  -out "$out/pkcs8-rsa-pbes1.pem"
openssl pkcs8 -topk8 -in sec1.pem -v2 aes-128-cbc -v2prf hmacWithSHA512 -iter 10000 \
  -passout pass:$pass -out "$out/pkcs8-ec-aes128-sha512.pem"

# expected.json: key type and ID of each openssl key, from its DER public key.
{
  for f in legacy-ec legacy-ec-aes256 legacy-rsa-aes256 pkcs8-p384 pkcs8-ed25519-sha256 \
    pkcs8-rsa-pbes1 pkcs8-ec-aes128-sha512; do
    openssl pkey -in "$out/$f.pem" -passin pass:$pass -pubout -outform DER | base64 -w0
    printf ' %s\n' "$f"
  done
} | /usr/bin/python3 -c '
import base64, hashlib, json, sys
out = {}
for line in sys.stdin:
    der_b64, name = line.split()
    der = base64.b64decode(der_b64)
    if b"\x2b\x65\x70" in der[:12]:  # 1.3.101.112: Ed25519, keyval.public is the raw key
        keytype, public = "ed25519", base64.b64encode(der[-32:]).decode()
    elif b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01" in der[:20]:
        keytype, public = "rsa", der_b64
    else:
        keytype, public = "ecdsa", der_b64
    key = {"keytype": keytype, "keyval": {"private": None, "public": public}}
    canonical = json.dumps(key, sort_keys=True, separators=(",", ":")).encode()
    out[name + ".pem"] = {"type": keytype, "id": hashlib.sha256(canonical).hexdigest()}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
' >"$out/expected.json"
echo "key files written to $out"
