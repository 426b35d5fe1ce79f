"""HTTPS proxy in front of one stack server that misbehaves on demand (standard library only).

Usage: fault_proxy.py CERT KEY CA UPSTREAM_PORT MODE_FILE PORT_FILE

MODE_FILE holds one mode, read for every request:
  pass            forward
  down            close the connection without an answer (the server went away)
  down-after:N    forward N more requests, then behave as "down"
  cut             forward, but close the connection halfway through the response body
  cut-after:N     forward N more requests, then behave as "cut"
  lost            forward, then close the connection without passing the answer on
  status:NNN      answer every request with status NNN and a JSON error body (code UNKNOWN)
  status:NNN:MESSAGE
                  the same, with MESSAGE (the rest of the line) as the error's message
  invalid-update:MESSAGE
                  answer every request as notary-server refuses an update: status 400, code
                  INVALID_UPDATE, detail ErrBadTargets with MESSAGE (the rest of the line)
  forge-manifest:FILE
                  forward, but answer every manifest the registry serves (GET .../manifests/...,
                  status 200) with FILE's bytes and a Docker-Content-Digest that matches them
  tamper-trust:ROLE
                  forward, but change one byte (a digit of the expiry) of every file of the
                  notary role ROLE served (current, checksum or version name): a hostile server
A "post-" prefix (post-down, post-lost, post-status:503) applies the fault to uploads (POST)
only and forwards everything else. Error answers have Content-Type
"application/json; charset=utf-8", as notary-server's do.
"""
import hashlib
import http.client
import http.server
import json
import socket
import ssl
import sys
import threading

cert, key, ca, upstream_port, mode_file, port_file = sys.argv[1:7]
upstream = ssl.create_default_context(cafile=ca)
lock = threading.Lock()
passed = {"n": 0, "mode": ""}
DEFAULT_MESSAGE = "fault injected by the test proxy"


def current_mode(command):
    mode = open(mode_file).read().strip()
    if mode.startswith("post-"):
        if command != "POST":
            return "pass"
        mode = mode[len("post-"):]
    with lock:
        if mode != passed["mode"]:
            passed["mode"], passed["n"] = mode, 0
        for prefix in ("down-after:", "cut-after:"):
            if mode.startswith(prefix):
                if passed["n"] < int(mode[len(prefix):]):
                    passed["n"] += 1
                    return "pass"
                return prefix[:-len("-after:")]
    return mode


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_all(self, status, headers, body, cut=False):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self.wfile.write(body)
        self.close_connection = True

    def send_json_error(self, status, err):
        self.send_all(status, [("Content-Type", "application/json; charset=utf-8")],
                      json.dumps({"errors": [err]}).encode())

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        mode = current_mode(self.command)
        if mode == "down":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if mode.startswith("status:"):
            _, status, *message = mode.split(":", 2)
            message = message[0] if message else DEFAULT_MESSAGE
            self.send_json_error(int(status), {"code": "UNKNOWN", "message": message})
            return
        if mode.startswith("invalid-update:"):
            self.send_json_error(400, {"code": "INVALID_UPDATE",
                                       "message": "update to TUF metadata invalid",
                                       "detail": {"Name": "ErrBadTargets",
                                                  "Error": {"Msg": mode[len("invalid-update:"):]}}})
            return
        c = http.client.HTTPSConnection("127.0.0.1", int(upstream_port), context=upstream)
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        hdrs["Host"] = self.headers.get("Host", "")
        c.request(self.command, self.path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        if mode == "lost":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        keep = [(k, v) for k, v in r.getheaders()
                if k.lower() not in ("content-length", "connection", "transfer-encoding")]
        if mode.startswith("forge-manifest:") and "/manifests/" in self.path and r.status == 200:
            data = open(mode[len("forge-manifest:"):], "rb").read()
            keep = [(k, v) for k, v in keep if k.lower() != "docker-content-digest"]
            keep.append(("Docker-Content-Digest", "sha256:" + hashlib.sha256(data).hexdigest()))
        if mode.startswith("tamper-trust:") and r.status == 200 and \
                ("/_trust/tuf/" + mode[len("tamper-trust:"):] + ".") in self.path:
            i = data.find(b'"expires":"') + len(b'"expires":"')
            data = data[:i] + (b"3" if data[i:i + 1] != b"3" else b"4") + data[i + 1:]
        self.send_all(r.status, keep, data, cut=(mode == "cut" and len(data) > 1))

    do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = do_DELETE = handle_any


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(port_file, "w").write(str(srv.server_address[1]))
srv.serve_forever()
