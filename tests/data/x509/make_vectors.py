#!/usr/bin/python3
# Regenerates the certificates of this directory for the root-certificate rule tests (needs
# Debian's python3-cryptography): /usr/bin/python3 tests/data/x509/make_vectors.py
#   leaf.pem            CN example.com/app, CA:FALSE, 2020-01-01..2120-01-01, ECDSA P-256/SHA-256
#   ca.pem              CN Test CA, CA:TRUE (also appended to bundles)
#   no-bc.pem           no basicConstraints extension at all (not a CA for Go)
#   wildcard.pem        CN example.com/*
#   two-cns.pem         CN first, then CN example.com/app (Go keeps the last)
#   sha1.pem            RSA 2048 signed with SHA-1
#   rsa1024.pem         RSA 1024
#   rsa2048.pem         RSA 2048, SHA-256
#   expired.pem         2000-01-01..2001-01-01
#   future.pem          2090-01-01..2099-01-01
#   ed25519.pem         Ed25519 key
#   secp256k1.pem       a curve Go cannot parse
#   sigalg-mismatch.pem outer signature algorithm says SHA-384, inner SHA-256
#   trailing-der.pem    a zero byte after the certificate's DER
import base64, datetime, os
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

here = os.path.dirname(os.path.abspath(__file__))
D = datetime.datetime


def make(key, cns=("example.com/app",), ca=False, bc=True, start=D(2020, 1, 1),
         end=D(2120, 1, 1), digest=hashes.SHA256()):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn) for cn in cns])
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(start).not_valid_after(end))
    if bc:
        b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    return b.sign(key, digest).public_bytes(serialization.Encoding.DER)


def pem(der):
    body = base64.b64encode(der).decode()
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % lines


def write(name, der):
    with open(os.path.join(here, name), "w") as f:
        f.write(pem(der))


p256 = lambda: ec.generate_private_key(ec.SECP256R1())
leaf = make(p256())
write("leaf.pem", leaf)
write("ca.pem", make(p256(), cns=("Test CA",), ca=True))
write("no-bc.pem", make(p256(), bc=False))
write("wildcard.pem", make(p256(), cns=("example.com/*",)))
write("two-cns.pem", make(p256(), cns=("first", "example.com/app")))
write("sha1.pem", make(rsa.generate_private_key(65537, 2048), digest=hashes.SHA1()))
write("rsa1024.pem", make(rsa.generate_private_key(65537, 1024)))
write("rsa2048.pem", make(rsa.generate_private_key(65537, 2048)))
write("expired.pem", make(p256(), start=D(2000, 1, 1), end=D(2001, 1, 1)))
write("future.pem", make(p256(), start=D(2090, 1, 1), end=D(2099, 1, 1)))
write("ed25519.pem", make(ed25519.Ed25519PrivateKey.generate(), digest=None))
write("secp256k1.pem", make(ec.generate_private_key(ec.SECP256K1())))
# ecdsa-with-SHA256 is 1.2.840.10045.4.3.2; its last occurrence is the outer AlgorithmIdentifier.
sha256_oid = bytes.fromhex("2a8648ce3d040302")
at = leaf.rindex(sha256_oid)
write("sigalg-mismatch.pem", leaf[:at + 7] + b"\x03" + leaf[at + 8:])
write("trailing-der.pem", leaf + b"\x00")
