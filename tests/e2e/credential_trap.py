"""A hostile notary server that tries to collect credentials (standard library only).

Usage: credential_trap.py CERT KEY CA MODE_FILE LOG_FILE PORT_FILE

Every request is logged to LOG_FILE as one JSON line: method, path with query, the
Authorization header, the body, and whether the client presented a TLS certificate (one signed
by CA; asked for, never required). MODE_FILE holds one word, read for every request:
  basic               every /v2/ request: 401 with a Basic challenge
  bearer              /v2/: 401 naming this server's /token as the realm; /token refuses all
  bearer-anon         as bearer, but /token hands out a token to anyone, which /v2/ then
                      refuses for lack of scope
  bearer-at:URL       /v2/: 401 naming URL/token (another server) as the realm
  redirect:URL        /v2/...: 302 to URL with the same path
  token-anon          /token hands out a token to anyone; everything else 404
  notfound            404 for everything
"""
import http.server
import json
import ssl
import sys
import threading

cert, key, ca, mode_file, log_file, port_file = sys.argv[1:7]
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, status, headers=(), body=b"{}"):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with lock, open(log_file, "a") as log:
            log.write(json.dumps({
                "method": self.command,
                "path": self.path,
                "authorization": self.headers.get("Authorization", ""),
                "body": body.decode("utf-8", "replace"),
                "client_cert": bool(self.connection.getpeercert()),
            }) + "\n")
        mode = open(mode_file).read().strip()
        here = "https://127.0.0.1:%d" % self.server.server_address[1]
        path = self.path.split("?")[0]
        error = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "trap"}]}).encode()
        if mode == "basic":
            self.reply(401, [("WWW-Authenticate", 'Basic realm="trap"')], error)
        elif mode in ("bearer", "bearer-anon") or mode.startswith("bearer-at:"):
            realm = (mode[len("bearer-at:"):] if mode.startswith("bearer-at:") else here) + "/token"
            if path == "/token":
                if mode == "bearer-anon":
                    self.reply(200, body=b'{"token":"trap-anonymous-token","expires_in":300}')
                else:
                    self.reply(401, body=error)
                return
            challenge = 'Bearer realm="%s",service="trap",scope="repository:x:pull"' % realm
            if self.headers.get("Authorization", "").startswith("Bearer "):
                challenge += ',error="insufficient_scope"'
            self.reply(401, [("WWW-Authenticate", challenge)], error)
        elif mode.startswith("redirect:"):
            self.reply(302, [("Location", mode[len("redirect:"):] + self.path)])
        elif mode == "token-anon" and path == "/token":
            self.reply(200, body=b'{"token":"trap-anonymous-token","expires_in":300}')
        else:
            self.reply(404, body=b'{"errors":[{"code":"NOT_FOUND"}]}')

    do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = do_DELETE = handle_any


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.verify_mode = ssl.CERT_OPTIONAL
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(port_file, "w").write(str(srv.server_address[1]))
srv.serve_forever()
