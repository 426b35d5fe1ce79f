#!/usr/bin/env bash
# Regenerates tests/data/notary-repo-{ecdsa,rsa}/: metadata published with the real notary 0.7
# client to a throwaway notary-server + notary-signer (memory storage, loopback, ports 17899 and
# 14443), with the private key files the client wrote. The key tests check signatures, key IDs
# and canonical IDs against these bytes; the private key tests decrypt the key files.
#
#   notary-repo-ecdsa  default ecdsa root; targets with '<>&', U+2028 and non-ASCII in their
#                      names and with custom data; delegation targets/releases with an RSA
#                      certificate key (signs rsapss); root rotated once (2.root.json is signed by
#                      the old and the new root key).
#   notary-repo-rsa    root key imported from an RSA 2048 key: rsa-x509 root, rsapss signature.
#
# Passphrases: root keys "root-pass", all other keys "repo-pass".
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cd "$work"
mkdir tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls/ca.key \
  -out tls/ca.crt -days 2 -subj /CN=fixture-ca 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls/server.key \
  -out tls/server.csr -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' \
  >tls/ext.cnf
openssl x509 -req -in tls/server.csr -CA tls/ca.crt -CAkey tls/ca.key -CAcreateserial -days 2 \
  -extfile tls/ext.cnf -out tls/server.crt 2>/dev/null
cat >signer.json <<EOF
{"server": {"grpc_addr": "127.0.0.1:17899", "tls_cert_file": "$work/tls/server.crt",
            "tls_key_file": "$work/tls/server.key", "client_ca_file": "$work/tls/ca.crt"},
 "logging": {"level": "error"}, "storage": {"backend": "memory", "default_alias": "a"}}
EOF
cat >server.json <<EOF
{"server": {"http_addr": "127.0.0.1:14443", "tls_cert_file": "$work/tls/server.crt",
            "tls_key_file": "$work/tls/server.key"},
 "trust_service": {"type": "remote", "hostname": "127.0.0.1", "port": "17899",
                   "key_algorithm": "ecdsa", "tls_ca_file": "$work/tls/ca.crt",
                   "tls_client_cert": "$work/tls/server.crt", "tls_client_key": "$work/tls/server.key"},
 "storage": {"backend": "memory"}, "logging": {"level": "error"}}
EOF
NOTARY_SIGNER_A=unused notary-signer -config signer.json >signer.log 2>&1 &
pids+=($!)
sleep 1
notary-server -config server.json >server.log 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  curl -sf --cacert tls/ca.crt https://127.0.0.1:14443/_notary_server/health >/dev/null && break
  sleep 0.2
done

export NOTARY_ROOT_PASSPHRASE=root-pass NOTARY_TARGETS_PASSPHRASE=repo-pass \
  NOTARY_SNAPSHOT_PASSPHRASE=repo-pass NOTARY_DELEGATION_PASSPHRASE=repo-pass

# notary_for <name>: a client with its own trust dir.
notary_for() {
  cat >"client-$1.json" <<EOF
{"trust_dir": "$work/trust-$1",
 "remote_server": {"url": "https://127.0.0.1:14443", "root_ca": "$work/tls/ca.crt"}}
EOF
}
fetch() {  # fetch <gun> <role file> <dest>
  mkdir -p "$(dirname "$3")"
  curl -sf --cacert tls/ca.crt "https://127.0.0.1:14443/v2/$1/_trust/tuf/$2" -o "$3"
}
save() {  # save <name> <gun> <files...>
  local out=$here/notary-repo-$1
  rm -rf "$out"
  mkdir -p "$out/private"
  printf '%s\n' "$2" >"$out/gun"
  for f in "${@:3}"; do fetch "$2" "$f" "$out/$f"; done
  cp "$work/trust-$1"/private/*.key "$out/private/"
}

printf 'hello' >file1
printf 'released' >file2
printf '{"a":"x","b":[true,null,-3]}' >custom.json  # must already be canonical (notary-protocol.md 2.3)

# --- ecdsa: default keys, delegation with an RSA certificate, rotated root -----------------------
notary_for ecdsa
n=(notary -c client-ecdsa.json)
gun=example.com/crypto/ecdsa
"${n[@]}" init "$gun"
"${n[@]}" add "$gun" $'tag<1>&\u2028\u00e9' file1
"${n[@]}" add "$gun" v1 file1 --custom custom.json
"${n[@]}" publish "$gun"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out releaser.key 2>/dev/null
openssl req -new -x509 -sha256 -key releaser.key -subj /CN=releaser -days 3650 \
  -out "$here/notary-repo-releaser.crt" 2>/dev/null
"${n[@]}" delegation add "$gun" targets/releases "$here/notary-repo-releaser.crt" --all-paths
"${n[@]}" key import releaser.key --role targets/releases </dev/null
"${n[@]}" add "$gun" v2 file2 --roles targets/releases
"${n[@]}" publish "$gun"
echo yes | "${n[@]}" key rotate "$gun" root
save ecdsa "$gun" 1.root.json root.json targets.json snapshot.json timestamp.json \
  targets/releases.json
mv "$here/notary-repo-releaser.crt" "$here/notary-repo-ecdsa/releaser.crt"

# --- rsa: root key imported from an RSA key --------------------------------------------------------
notary_for rsa
n=(notary -c client-rsa.json)
gun=example.com/crypto/rsa
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa-root.key 2>/dev/null
# notary imports only encrypted root keys, and decrypts PBES2 with HMAC-SHA1 only.
openssl pkcs8 -topk8 -in rsa-root.key -v2 aes-256-cbc -v2prf hmacWithSHA1 -iter 2048 \
  -passout pass:root-pass -out rsa-root-enc.key
"${n[@]}" init "$gun" --rootkey rsa-root-enc.key </dev/null
"${n[@]}" add "$gun" v1 file1
"${n[@]}" publish "$gun"
save rsa "$gun" root.json targets.json snapshot.json timestamp.json

echo "fixtures written to $here/notary-repo-{ecdsa,rsa}"
