#!/usr/bin/python3
"""Pushes a tiny deterministic image to the local registry, no daemon needed.

push_image.py REGISTRY REPO TAG TYPE OUT_JSON  (TYPE: docker | oci | oci-index)
Auth from the environment: STACK_AUTH (none|basic|token), STACK_USER, STACK_PASS, STACK_CA.
Prints "REF MEDIATYPE DIGEST SIZE" and writes the same as JSON to OUT_JSON.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import ssl
import sys
import tarfile
import urllib.error
import urllib.parse
import urllib.request

registry, repo, tag, kind, out = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=os.environ["STACK_CA"])
auth = os.environ.get("STACK_AUTH", "none")
user, password = os.environ.get("STACK_USER", ""), os.environ.get("STACK_PASS", "")
basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
header = None


def request(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if header:
        req.add_header("Authorization", header)
    return urllib.request.urlopen(req, context=ctx)


if auth == "basic":
    header = basic
elif auth == "token":
    realm = os.environ["STACK_TOKEN_REALM"]
    q = urllib.parse.urlencode({"service": "local-registry", "scope": f"repository:{repo}:pull,push"})
    req = urllib.request.Request(f"{realm}?{q}", headers={"Authorization": basic})
    header = "Bearer " + json.load(urllib.request.urlopen(req, context=ctx))["token"]

base = f"https://{registry}/v2/{repo}"


def put_blob(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    try:
        request("HEAD", f"{base}/blobs/{digest}")
        return digest
    except urllib.error.HTTPError as e:
        if e.code != 404:
            raise
    loc = request("POST", f"{base}/blobs/uploads/").headers["Location"]
    if loc.startswith("/"):
        loc = f"https://{registry}{loc}"
    sep = "&" if "?" in loc else "?"
    request("PUT", f"{loc}{sep}digest={urllib.parse.quote(digest)}", data,
            {"Content-Type": "application/octet-stream"})
    return digest


def layer():
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as t:
        content = f"hello from {registry}/{repo}:{tag}\n".encode()
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime, info.uid, info.gid, info.mode = len(content), 0, 0, 0, 0o644
        t.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0)


def manifest(oci):
    lay = layer()
    diff = "sha256:" + hashlib.sha256(gzip.decompress(lay)).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Cmd": ["/hello.txt"]},
                         "rootfs": {"type": "layers", "diff_ids": [diff]}},
                        sort_keys=True).encode()
    cdig, ldig = put_blob(config), put_blob(lay)
    mt = "application/vnd.oci.image.manifest.v1+json" if oci else \
        "application/vnd.docker.distribution.manifest.v2+json"
    body = {"schemaVersion": 2, "mediaType": mt,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json" if oci else
                       "application/vnd.docker.container.image.v1+json",
                       "size": len(config), "digest": cdig},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip" if oci else
                        "application/vnd.docker.image.rootfs.diff.tar.gzip",
                        "size": len(lay), "digest": ldig}]}
    return mt, json.dumps(body, indent=3).encode()


def put_manifest(ref, mt, body):
    r = request("PUT", f"{base}/manifests/{ref}", body, {"Content-Type": mt})
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    served = r.headers.get("Docker-Content-Digest")
    if served and served != digest:
        sys.exit(f"registry digest {served} differs from {digest}")
    return digest


if kind == "oci-index":
    cmt, child = manifest(True)
    cdig = put_manifest("sha256:" + hashlib.sha256(child).hexdigest(), cmt, child)
    mt = "application/vnd.oci.image.index.v1+json"
    body = json.dumps({"schemaVersion": 2, "mediaType": mt, "manifests": [
        {"mediaType": cmt, "size": len(child), "digest": cdig,
         "platform": {"architecture": "amd64", "os": "linux"}}]}, indent=3).encode()
else:
    mt, body = manifest(kind == "oci")
digest = put_manifest(tag, mt, body)
result = {"ref": f"{registry}/{repo}:{tag}", "mediaType": mt, "digest": digest, "size": len(body)}
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump(result, f)
print(f"{result['ref']} {mt} {digest} {len(body)}")
