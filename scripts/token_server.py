#!/usr/bin/python3
"""A Docker-Hub-style token server for the local test stack (HTTPS, ES256 JWTs).

GET  /token?service=S&scope=T:NAME:ACTIONS[&scope=...]   optional Basic auth
POST /token  grant_type=password|refresh_token           form body (docker login, identity tokens)
GET  /healthz

Policy: valid credentials get the actions they ask for; no credentials get pull only; bad
credentials get 401. Refresh tokens live in memory.
"""
import base64
import hashlib
import json
import os
import secrets
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

CONF = json.load(open(sys.argv[1]))
KEY = open(CONF["key"], "rb").read()
CERT = x509.load_pem_x509_certificate(open(CONF["cert"], "rb").read())
REFRESH = {}


def libtrust_kid(cert):
    der = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(b32[i:i + 4] for i in range(0, 48, 4))


KID = libtrust_kid(CERT)


def parse_scope(scope):
    # repository:localhost:5000/test/app:push,pull -> split on the first and last ':'
    first, last = scope.find(":"), scope.rfind(":")
    if first < 0 or first == last:
        return None
    return {"type": scope[:first], "name": scope[first + 1:last],
            "actions": [a for a in scope[last + 1:].split(",") if a]}


def grant(scopes, user):
    access = []
    for s in scopes:
        p = parse_scope(s)
        if not p:
            continue
        if user is None:
            p["actions"] = [a for a in p["actions"] if a == "pull"]
        access.append(p)
    return access


def issue(service, access, user):
    now = int(time.time())
    claims = {"iss": CONF["issuer"], "sub": user or "", "aud": service, "exp": now + 300,
              "nbf": now - 10, "iat": now, "jti": secrets.token_hex(8), "access": access}
    token = jwt.encode(claims, KEY, algorithm="ES256", headers={"kid": KID})
    sys.stderr.write(f"issued sub={user!r} aud={service!r} access={json.dumps(access)}\n")
    return token


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path.split("?")[0]))

    def reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def basic_user(self):
        """None = anonymous; False = bad credentials; else the user name."""
        h = self.headers.get("Authorization", "")
        if not h.lower().startswith("basic "):
            return None
        try:
            user, _, pw = base64.b64decode(h[6:]).decode().partition(":")
        except Exception:
            return False
        return user if (user, pw) == (CONF["user"], CONF["password"]) else False

    def do_GET(self):
        u = urlparse(self.path)
        if u.path == "/healthz":
            return self.reply(200, {})
        if u.path != "/token":
            return self.reply(404, {"error": "not found"})
        q = parse_qs(u.query)
        user = self.basic_user()
        if user is False:
            return self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]},
                              [("WWW-Authenticate", 'Basic realm="local-token"')])
        service = q.get("service", [""])[0]
        token = issue(service, grant(q.get("scope", []), user), user)
        body = {"token": token, "access_token": token, "expires_in": 300,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if q.get("offline_token", [""])[0] == "true" and user:
            rt = secrets.token_urlsafe(24)
            REFRESH[rt] = user
            body["refresh_token"] = rt
        self.reply(200, body)

    def do_POST(self):
        u = urlparse(self.path)
        if u.path != "/token":
            return self.reply(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        grant_type = form.get("grant_type", [""])[0]
        service = form.get("service", [""])[0]
        scopes = " ".join(form.get("scope", [])).split()
        if grant_type == "password":
            if (form.get("username", [""])[0], form.get("password", [""])[0]) != (CONF["user"], CONF["password"]):
                return self.reply(401, {"error": "invalid_grant"})
            user = CONF["user"]
        elif grant_type == "refresh_token":
            user = REFRESH.get(form.get("refresh_token", [""])[0])
            if not user:
                return self.reply(401, {"error": "invalid_grant"})
        else:
            return self.reply(400, {"error": "unsupported_grant_type"})
        rt = secrets.token_urlsafe(24)
        REFRESH[rt] = user
        token = issue(service, grant(scopes, user), user)
        self.reply(200, {"access_token": token, "refresh_token": rt, "expires_in": 300,
                         "scope": " ".join(scopes)})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(CONF["port"])), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CONF["tls_cert"], CONF["tls_key"])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(CONF["pid_file"], "w") as f:
        f.write(str(os.getpid()))
    server.serve_forever()


if __name__ == "__main__":
    main()
