#!/usr/bin/python3
"""Checks sigstore (cosign) signatures in a registry, written from cosign's signature
specification and apart from dct's signer: only the registry HTTP API and /usr/bin/openssl.

cosign_verify.py REGISTRY REPO DIGEST PUBLIC_KEY_PEM [DOCKER_REFERENCE]

Fetches REPO:sha256-<hex>.sig, and for each simple-signing layer checks the payload blob against
the layer's digest and size, the base64 DER ECDSA signature in the layer's
dev.cosignproject.cosign/signature annotation against the public key (SHA-256), and that the
payload is a cosign container image signature for DIGEST (and DOCKER_REFERENCE when given).
Prints one JSON object: {"layers": N, "verified": K, "optional": [...], "problems": [...]}.
Exit 0 when at least one signature verifies, 1 when none does, 2 on usage or transport errors.
Auth from the environment as scripts/push_image.py: STACK_AUTH, STACK_USER, STACK_PASS,
STACK_CA, STACK_TOKEN_REALM.
"""
import base64
import hashlib
import json
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

PAYLOAD_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
SIG_ANNOTATION = "dev.cosignproject.cosign/signature"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"

if len(sys.argv) not in (5, 6):
    print(__doc__, file=sys.stderr)
    sys.exit(2)
registry, repo, digest, pubkey = sys.argv[1:5]
reference = sys.argv[5] if len(sys.argv) == 6 else None
if not digest.startswith("sha256:") or len(digest) != 71:
    print(f"not a sha256 digest: {digest}", file=sys.stderr)
    sys.exit(2)

ctx = ssl.create_default_context(cafile=os.environ["STACK_CA"])
auth = os.environ.get("STACK_AUTH", "none")
user, password = os.environ.get("STACK_USER", ""), os.environ.get("STACK_PASS", "")
basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
header = None
if auth == "basic":
    header = basic
elif auth == "token":
    realm = os.environ["STACK_TOKEN_REALM"]
    q = urllib.parse.urlencode({"service": "local-registry", "scope": f"repository:{repo}:pull"})
    req = urllib.request.Request(f"{realm}?{q}", headers={"Authorization": basic})
    header = "Bearer " + json.load(urllib.request.urlopen(req, context=ctx))["token"]


def get(path, accept=None):
    req = urllib.request.Request(f"https://{registry}/v2/{repo}/{path}")
    if header:
        req.add_header("Authorization", header)
    if accept:
        req.add_header("Accept", accept)
    with urllib.request.urlopen(req, context=ctx) as r:
        return r.read()


def openssl_verifies(payload, signature):
    with tempfile.TemporaryDirectory() as d:
        p, s = os.path.join(d, "payload"), os.path.join(d, "sig")
        with open(p, "wb") as f:
            f.write(payload)
        with open(s, "wb") as f:
            f.write(signature)
        r = subprocess.run(["/usr/bin/openssl", "dgst", "-sha256", "-verify", pubkey,
                            "-signature", s, p], capture_output=True)
        return r.returncode == 0


sig_tag = digest.replace(":", "-") + ".sig"
result = {"layers": 0, "verified": 0, "optional": [], "problems": []}
try:
    manifest = json.loads(get(f"manifests/{sig_tag}", OCI_MANIFEST))
except urllib.error.HTTPError as e:
    if e.code != 404:
        raise
    result["problems"].append(f"no signature manifest {sig_tag}")
    print(json.dumps(result))
    sys.exit(1)

if manifest.get("mediaType", OCI_MANIFEST) != OCI_MANIFEST or manifest.get("schemaVersion") != 2:
    result["problems"].append("the signature manifest is not an OCI image manifest")
layers = manifest.get("layers") or []
result["layers"] = len(layers)
for i, layer in enumerate(layers):
    if layer.get("mediaType") != PAYLOAD_TYPE:
        result["problems"].append(f"layer {i}: media type {layer.get('mediaType')}")
        continue
    try:
        payload = get(f"blobs/{layer['digest']}")
    except urllib.error.HTTPError as e:
        result["problems"].append(f"layer {i}: payload blob {e.code}")
        continue
    if "sha256:" + hashlib.sha256(payload).hexdigest() != layer["digest"] or \
            len(payload) != layer.get("size"):
        result["problems"].append(f"layer {i}: payload does not match its digest or size")
        continue
    try:
        signature = base64.b64decode(
            (layer.get("annotations") or {}).get(SIG_ANNOTATION, ""), validate=True)
    except ValueError:
        result["problems"].append(f"layer {i}: signature is not base64")
        continue
    if not signature or not openssl_verifies(payload, signature):
        result["problems"].append(f"layer {i}: signature does not verify")
        continue
    doc = json.loads(payload)
    critical = doc.get("critical", {})
    if critical.get("type") != "cosign container image signature":
        result["problems"].append(f"layer {i}: payload type {critical.get('type')}")
        continue
    if critical.get("image", {}).get("docker-manifest-digest") != digest:
        result["problems"].append(f"layer {i}: payload is for another digest")
        continue
    if reference and critical.get("identity", {}).get("docker-reference") != reference:
        result["problems"].append(f"layer {i}: payload is for another repository")
        continue
    result["verified"] += 1
    result["optional"].append(doc.get("optional"))

print(json.dumps(result))
sys.exit(0 if result["verified"] else 1)
