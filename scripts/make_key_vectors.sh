#!/usr/bin/env bash
# Regenerates tests/data/keys/: signatures made by openssl over a fixed message, for the
# verification known-answer tests (RSA-PSS salt 32, RSA PKCS#1 v1.5, Ed25519, ECDSA P-256 and
# P-384 in DER, which the tests convert to notary's raw r||s).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$here/tests/data/keys
mkdir -p "$out"
cd "$out"
printf 'The quick brown fox jumps over the lazy dog.' >message.txt
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
openssl pkey -in rsa.key -pubout -outform DER -out rsa.pub.der
openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
  -sigopt rsa_mgf1_md:sha256 -sign rsa.key -out rsa-pss.sig message.txt
openssl dgst -sha256 -sign rsa.key -out rsa-pkcs1.sig message.txt
openssl req -new -x509 -key rsa.key -subj /CN=rsa-cert -days 3650 -out rsa.crt 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed25519.key 2>/dev/null
openssl pkey -in ed25519.key -pubout -outform DER | tail -c 32 >ed25519.pub.raw
openssl pkeyutl -sign -inkey ed25519.key -rawin -in message.txt -out ed25519.sig
for curve in P-256 P-384; do
  c=$(tr 'A-Z-' 'a-z_' <<<"$curve")
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:$curve -out "$c.key" 2>/dev/null
  openssl pkey -in "$c.key" -pubout -outform DER -out "$c.pub.der"
  openssl dgst -sha256 -sign "$c.key" -out "$c.der.sig" message.txt
  openssl req -new -x509 -key "$c.key" -subj "/CN=$c-cert" -days 3650 -out "$c.crt" 2>/dev/null
done
rm -f ./*.key
echo "vectors written to $out"
