#!/usr/bin/python3
# Regenerates go-rules.json: signature verification cases for the rules Go's crypto/x509 and
# notary's verifiers apply (tuf/signed/verifiers.go). Needs Debian's python3-cryptography:
#   /usr/bin/python3 tests/data/keys/make_go_rules.py
# Every case names a key ({keytype, public}), a method, a signature (base64) and whether
# notary 0.7 would accept it over `message`.
import base64, datetime, json, os
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from cryptography.x509.oid import NameOID

MESSAGE = b'{"_type":"Targets","expires":"2030-01-01T00:00:00Z","version":1}'
b64 = lambda b: base64.b64encode(b).decode()
DER, SPKI = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo


def spki(k):
    return k.public_key().public_bytes(DER, SPKI)


def raw_ecdsa(k, size):
    r, s = utils.decode_dss_signature(k.sign(MESSAGE, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def pss(k, salt, msg=MESSAGE):
    return k.sign(msg, padding.PSS(padding.MGF1(hashes.SHA256()), salt), hashes.SHA256())


def cert(k, cn):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime(2020, 1, 1)
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
         .public_key(k.public_key()).serial_number(1).not_valid_before(now)
         .not_valid_after(now + datetime.timedelta(days=36500))
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .sign(k, hashes.SHA256()))
    return c.public_bytes(serialization.Encoding.PEM)


p256, p384, p521, p224 = (ec.generate_private_key(c()) for c in
                          (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1, ec.SECP224R1))
k1 = ec.generate_private_key(ec.SECP256K1())
r2048 = rsa.generate_private_key(65537, 2048)
r1024 = rsa.generate_private_key(65537, 1024)
ed = ed25519.Ed25519PrivateKey.generate()

# The same RSA key with its AlgorithmIdentifier missing the NULL parameters (Go refuses it).
rsa_der = spki(r2048)
with_null = bytes.fromhex("300d06092a864886f70d0101010500")
assert rsa_der[4:4 + len(with_null)] == with_null
inner = bytes.fromhex("300b06092a864886f70d010101") + rsa_der[4 + len(with_null):]
rsa_no_null = b"\x30\x82" + len(inner).to_bytes(2, "big") + inner

keys = {
    "p256": ("ecdsa", spki(p256)),
    "p256-trailing": ("ecdsa", spki(p256) + b"\x00"),
    "p256-cert": ("ecdsa-x509", cert(p256, "example.com/app")),
    "p256-cert-after-key": ("ecdsa-x509",
                            p256.public_key().public_bytes(serialization.Encoding.PEM, SPKI) +
                            cert(p256, "example.com/app")),
    "p384": ("ecdsa", spki(p384)),
    "p521": ("ecdsa", spki(p521)),
    "p224": ("ecdsa", spki(p224)),
    "secp256k1": ("ecdsa", spki(k1)),
    "rsa2048": ("rsa", rsa_der),
    "rsa2048-no-null": ("rsa", rsa_no_null),
    "rsa2048-pem": ("rsa", r2048.public_key().public_bytes(serialization.Encoding.PEM, SPKI)),
    "rsa2048-cert": ("rsa-x509", cert(r2048, "example.com/app")),
    "rsa1024": ("rsa", spki(r1024)),
    "ed25519": ("ed25519", ed.public_key().public_bytes(serialization.Encoding.Raw,
                                                        serialization.PublicFormat.Raw)),
    "ed25519-short": ("ed25519", ed.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)[:31]),
    "unknown": ("dsa", b"opaque"),
}
# The P-256 key with its point in X9.62 compressed form (Go refuses it).
pt = p256.public_key().public_bytes(serialization.Encoding.X962,
                                    serialization.PublicFormat.CompressedPoint)
body = spki(p256)[2:23] + b"\x03" + bytes([len(pt) + 1]) + b"\x00" + pt
keys["p256-compressed"] = ("ecdsa", b"\x30" + bytes([len(body)]) + body)
# Key types that do not match the key inside.
keys["rsa2048-as-ecdsa"] = ("ecdsa", rsa_der)
keys["p256-as-rsa"] = ("rsa", spki(p256))

sig_p256 = raw_ecdsa(p256, 32)
sig_rsa = pss(r2048, 32)
sig_pkcs1 = r2048.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256())
flip = lambda s: s[:10] + bytes([s[10] ^ 1]) + s[11:]
cases = [
    ("p256", "ecdsa", sig_p256, True, "raw r||s"),
    ("p256", "ECDSA", sig_p256, True, "method is case-insensitive"),
    ("p256", "ecdsa", p256.sign(MESSAGE, ec.ECDSA(hashes.SHA256())), False, "DER is refused"),
    ("p256", "ecdsa", flip(sig_p256), False, "flipped bit"),
    ("p256", "ecdsa", sig_p256[:-1], False, "one byte short"),
    ("p256", "ecdsa", sig_p256 + b"\x00", False, "one byte long"),
    ("p256", "ecdsa", bytes(32) + sig_p256[32:], False, "r = 0"),
    ("p256", "rsapss", sig_p256, False, "method of another key type"),
    ("p256-compressed", "ecdsa", sig_p256, False, "Go refuses compressed points"),
    ("p256-trailing", "ecdsa", sig_p256, False, "Go refuses trailing data after the key"),
    ("p256-cert", "ecdsa", sig_p256, True, "certificate key"),
    ("p256-cert-after-key", "ecdsa", sig_p256, False, "Go reads only the first PEM block"),
    ("p384", "ecdsa", raw_ecdsa(p384, 48), True, "P-384 still uses SHA-256"),
    ("p521", "ecdsa", raw_ecdsa(p521, 66), True, "P-521: 66-byte halves"),
    ("p224", "ecdsa", raw_ecdsa(p224, 28), True, "P-224: digest truncated"),
    ("secp256k1", "ecdsa", raw_ecdsa(k1, 32), False, "Go knows only the NIST curves"),
    ("rsa2048", "rsapss", sig_rsa, True, "PSS, salt 32"),
    ("rsa2048", "RSAPSS", sig_rsa, True, "method is case-insensitive"),
    ("rsa2048", "rsapss", pss(r2048, 20), False, "PSS, salt 20"),
    ("rsa2048", "rsapss", pss(r2048, 32, MESSAGE + b" "), False, "other message"),
    ("rsa2048", "rsapss", sig_pkcs1, False, "PKCS#1 v1.5 signature as rsapss"),
    ("rsa2048", "rsapss", b"\x00" + sig_rsa, False, "longer than the modulus"),
    ("rsa2048", "rsapkcs1v15", sig_pkcs1, True, "PKCS#1 v1.5"),
    ("rsa2048", "rsap\u212acs1v15", sig_pkcs1, True, "Go's ToLower maps KELVIN SIGN to k"),
    ("rsa2048", "rsapkcs1v15", sig_rsa, False, "PSS signature as rsapkcs1v15"),
    ("rsa2048", "ecdsa", sig_rsa, False, "method of another key type"),
    ("rsa2048", "pycrypto-pkcs#1 pss", sig_rsa, False, "pycrypto wants PEM public bytes"),
    ("rsa2048-no-null", "rsapss", sig_rsa, False, "Go wants NULL RSA parameters"),
    ("rsa2048-pem", "pycrypto-pkcs#1 pss", sig_rsa, True, "PyCrypto-style PEM key"),
    ("rsa2048-pem", "rsapss", sig_rsa, False, "rsapss wants DER public bytes"),
    ("rsa2048-cert", "rsapss", sig_rsa, True, "certificate key"),
    ("rsa2048-cert", "rsapkcs1v15", sig_pkcs1, True, "certificate key"),
    ("rsa2048-cert", "pycrypto-pkcs#1 pss", sig_rsa, False, "pycrypto only for rsa keys"),
    ("rsa2048-as-ecdsa", "ecdsa", sig_rsa, False, "key type does not match the key"),
    ("p256-as-rsa", "rsapss", sig_p256, False, "key type does not match the key"),
    ("rsa1024", "rsapss", pss(r1024, 32), False, "RSA under 2048 bits"),
    ("ed25519", "eddsa", ed.sign(MESSAGE), True, "Ed25519"),
    ("ed25519", "EdDSA", ed.sign(MESSAGE), True, "method is case-insensitive"),
    ("ed25519", "eddsa", flip(ed.sign(MESSAGE)), False, "flipped bit"),
    ("ed25519", "eddsa", ed.sign(MESSAGE)[:63], False, "short signature"),
    ("ed25519-short", "eddsa", ed.sign(MESSAGE), False, "31-byte key"),
    ("unknown", "dsa", b"sig", False, "unknown key types verify nothing"),
    ("p256", "none", sig_p256, False, "unknown method"),
]
# Signatures are stored once and referred to by index.
sigs = []
for c in cases:
    if b64(c[2]) not in sigs:
        sigs.append(b64(c[2]))
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "go-rules.json"), "w") as f:
    w = lambda v: json.dumps(v, ensure_ascii=False)
    f.write('{"message": %s,\n "keys": {\n' % w(MESSAGE.decode()))
    f.write(",\n".join('  %s: {"keytype": %s, "public": %s}' % (w(n), w(t), w(b64(p)))
                       for n, (t, p) in keys.items()))
    f.write('},\n "sigs": [\n' + ",\n".join("  " + w(x) for x in sigs) + '],\n "cases": [\n')
    f.write(",\n".join('  {"key": %s, "method": %s, "sig": %d, "valid": %s, "why": %s}' % (
        w(k), w(m), sigs.index(b64(s)), w(v), w(why)) for k, m, s, v, why in cases))
    f.write("]}\n")
