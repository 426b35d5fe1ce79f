#!/usr/bin/python3
"""A TCP proxy on loopback that adds network round-trip time and counts the round trips.

    latency_proxy.py [--rtt MS] [--control PORT] [--ports-file FILE] NAME:LISTEN_PORT:TARGET_PORT...
    latency_proxy.py --self-test

Each NAME:LISTEN_PORT:TARGET_PORT listens on 127.0.0.1:LISTEN_PORT and forwards every connection
to 127.0.0.1:TARGET_PORT (port 0 lets the kernel choose; --ports-file then receives a JSON object
of the ports in use). Only loopback is used, on both sides. Standard library only.

Delay. Each direction of each connection is a FIFO: a chunk read from one side is written to the
other RTT/2 after it was read, so bytes keep their order and bandwidth is not throttled (a large
body costs RTT/2 more, not RTT/2 per chunk). Loopback completes the TCP handshake at once, so the
client's first bytes are also held until one RTT after the connection was accepted, as on a link
where the client can send only after the SYN-ACK came back. TLS passes through untouched. The
event loop's timers (epoll) round up to a millisecond, so a delivery may be up to ~0.5 ms early
or late. At RTT 0 bytes go straight through, which still costs the proxy's hops (up to ~2 ms
per exchange on a loaded 2-core machine).

Counting (per session; a session starts at start-up and at every reset):
  connections   accepted connections, per listener and in total.
  exchanges     request/response alternations: on one connection, a client->server burst (one or
                more chunks the client sends before any answer reached it) followed by a
                server->client answer. Its interval runs from the burst's first byte reaching the
                proxy to the answer's first byte being handed to the client. Only bytes the
                server sent after the burst reached it answer it (a greeting, or the rest of an
                earlier answer still on its way, do not), and a burst after which the client
                closes its side before any answer (a TLS close_notify on exit) is not one.
  handshakes    one per connection, the TCP handshake: from accept to one RTT later.
  round_trips   the sequential round trips: the largest number of these intervals (handshakes
                and exchanges, on all connections and listeners of the session) that happened one
                strictly after the other, each starting no earlier than the previous one ended.
                Requests in flight at the same time on separate connections overlap and count
                once; handshakes of connections opened together count once; requests queued one
                behind the other on one connection count one each. This is the length of the
                longest chain of waits in the session, i.e. how many times the client paid the
                RTT; with a delay well above the client's own pauses (below) it depends neither
                on the RTT set nor on the machine's load.
Caveats: the proxy sees bytes, not requests. A client that keeps sending while it receives (an
upload that outlasts the first bytes of the answer, HTTP/2 WINDOW_UPDATE frames during a
download) makes more alternations than it waits for; HTTP/1.1 request/response traffic, as
notary-server, the registry and the token server speak it, does not. And counting needs a delay:
at RTT 0 a server's unprompted bytes (the TLS 1.3 session ticket sent on the client's Finished)
can reach the client before the client's own next bytes (its request) and split one burst into
two, and nothing overlaps. Count at an RTT well above the client's own pauses (bench.sh counts
its RTT 0 rows at 20 ms).

Control (HTTP on 127.0.0.1:--control, e.g. with curl):
  GET /stats              the session's counts as JSON: rtt_ms, connections, round_trips,
                          exchanges, and per listener the same plus bytes_up/bytes_down
  GET /events             every handshake and exchange of the session (ms since the reset)
  GET /reset              start a new session (connections still open keep reporting to the old)
  GET /rtt?ms=N           set the RTT for connections accepted from now on
"""
import argparse
import asyncio
import json
import os
import socket
import sys
import time
import urllib.parse


class Connection:
    """What one proxied connection did, for the counts."""

    def __init__(self, cid, name, accepted, rtt):
        self.cid, self.name, self.accepted, self.rtt = cid, name, accepted, rtt
        self.open = None  # the unanswered burst: {"start", "sent", "up"}
        self.exchanges = []  # {"start", "end", "up", "down"}
        self.bytes_up = self.bytes_down = 0

    def handshake(self):
        return self.accepted, self.accepted + self.rtt

    def client_data(self, arrival, size):
        self.bytes_up += size
        if self.open is None:
            start = max(arrival, self.accepted + self.rtt)
            self.open = {"start": start, "sent": None, "up": 0}
        self.open["up"] += size

    def delivered_to_server(self, now):
        if self.open is not None and self.open["sent"] is None:
            self.open["sent"] = now

    def client_eof(self):
        self.open = None  # the client did not wait for an answer

    def delivered_to_client(self, arrival, now, size):
        """Server bytes (read by the proxy at `arrival`) handed to the client at `now`;
        size 0 = the server's EOF."""
        self.bytes_down += size
        o = self.open
        if o is not None and o["sent"] is not None and arrival >= o["sent"]:
            self.exchanges.append({"start": o["start"], "end": now, "up": o["up"], "down": 0})
            self.open = None
        if self.exchanges and self.open is None:
            self.exchanges[-1]["down"] += size

    def intervals(self):
        yield ("handshake",) + self.handshake()
        for e in self.exchanges:
            yield "exchange", e["start"], e["end"]


def longest_chain(intervals):
    """The most intervals that follow one another without overlapping (greedy by end time)."""
    n, last = 0, float("-inf")
    for start, end in sorted(intervals, key=lambda i: i[1]):
        if start >= last:
            n, last = n + 1, end
    return n


class Session:
    def __init__(self, started):
        self.started = started
        self.connections = []

    def counts(self, conns):
        spans = [(s, e) for c in conns for _, s, e in c.intervals()]
        return {"connections": len(conns), "round_trips": longest_chain(spans),
                "exchanges": sum(len(c.exchanges) for c in conns),
                "bytes_up": sum(c.bytes_up for c in conns),
                "bytes_down": sum(c.bytes_down for c in conns)}

    def stats(self, names, rtt):
        out = {"rtt_ms": rtt * 1000}
        out.update(self.counts(self.connections))
        out["listeners"] = {n: self.counts([c for c in self.connections if c.name == n])
                            for n in names}
        return out

    def events(self):
        ms = lambda t: round((t - self.started) * 1000, 2)
        rows = []
        for c in self.connections:
            s, e = c.handshake()
            rows.append({"conn": c.cid, "listener": c.name, "kind": "handshake",
                         "start_ms": ms(s), "end_ms": ms(e)})
            for x in c.exchanges:
                rows.append({"conn": c.cid, "listener": c.name, "kind": "exchange",
                             "start_ms": ms(x["start"]), "end_ms": ms(x["end"]),
                             "bytes_up": x["up"], "bytes_down": x["down"]})
        return sorted(rows, key=lambda r: (r["start_ms"], r["conn"]))


def nodelay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Proxy:
    def __init__(self, rtt_ms=0.0):
        self.loop = asyncio.get_running_loop()
        self.rtt = rtt_ms / 1000
        self.session = Session(self.loop.time())
        self.names = []
        self.next_id = 0
        self.servers = []
        self.ports = {}

    async def listen(self, name, port, target):
        server = await asyncio.start_server(
            lambda r, w: self.handle(name, target, r, w), "127.0.0.1", port)
        self.servers.append(server)
        self.names.append(name)
        self.ports[name] = server.sockets[0].getsockname()[1]
        return self.ports[name]

    async def control(self, port):
        server = await asyncio.start_server(self.control_request, "127.0.0.1", port)
        self.servers.append(server)
        self.ports["control"] = server.sockets[0].getsockname()[1]
        return self.ports["control"]

    def reset(self):
        self.session = Session(self.loop.time())

    def stats(self):
        return self.session.stats(self.names, self.rtt)

    async def handle(self, name, target, creader, cwriter):
        now = self.loop.time()
        self.next_id += 1
        conn = Connection(self.next_id, name, now, self.rtt)
        self.session.connections.append(conn)
        nodelay(cwriter)
        try:
            sreader, swriter = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            cwriter.close()
            return
        nodelay(swriter)
        half = conn.rtt / 2
        hold_until = conn.accepted + conn.rtt  # the emulated TCP handshake

        async def read(reader):
            try:
                return await reader.read(1 << 16)
            except (ConnectionError, OSError):
                return b""

        async def deliver(writer, data):
            """Passes data (b"" = EOF) on; False once this direction is finished."""
            try:
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return False
                writer.write(data)
                await writer.drain()
                return True
            except (ConnectionError, OSError):
                return False

        async def direct(reader, writer, arrived, delivered, earliest):
            # RTT 0: straight through, with no queue or task switch to add latency.
            while True:
                data = await read(reader)
                now = self.loop.time()
                arrived(now, data)
                delivered(now, now, len(data))
                if not await deliver(writer, data):
                    return

        async def delayed(reader, writer, arrived, delivered, earliest):
            queue = asyncio.Queue()

            async def take_in():
                while True:
                    data = await read(reader)
                    now = self.loop.time()
                    arrived(now, data)
                    queue.put_nowait((max(now, earliest) + half, now, data))
                    if not data:
                        return

            async def give_out():
                while True:
                    due, arrival, data = await queue.get()
                    # epoll's timeout rounds up to whole milliseconds: aim half a one early.
                    wait = due - self.loop.time() - 0.0005
                    if wait > 0:
                        await asyncio.sleep(wait)
                    delivered(arrival, self.loop.time(), len(data))
                    if not await deliver(writer, data):
                        return

            await asyncio.gather(take_in(), give_out())

        def client_arrived(now, data):
            if data:
                conn.client_data(now, len(data))
            else:
                conn.client_eof()

        forward = delayed if half > 0 else direct
        tasks = [
            forward(creader, swriter, client_arrived,
                    lambda arrival, now, n: conn.delivered_to_server(now), hold_until),
            forward(sreader, cwriter, lambda now, data: None, conn.delivered_to_client, 0),
        ]
        try:
            await asyncio.gather(*tasks)
        finally:
            for w in (cwriter, swriter):
                w.close()

    async def control_request(self, reader, writer):
        try:
            line = (await reader.readline()).decode("latin-1").split()
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            url = urllib.parse.urlparse(line[1] if len(line) > 1 else "/")
            query = urllib.parse.parse_qs(url.query)
            status, body = 200, None
            if url.path == "/stats":
                body = self.stats()
            elif url.path == "/events":
                body = self.session.events()
            elif url.path == "/reset":
                self.reset()
                body = {"reset": True}
            elif url.path == "/rtt" and query.get("ms"):
                self.rtt = float(query["ms"][0]) / 1000
                body = {"rtt_ms": self.rtt * 1000}
            else:
                status, body = 404, {"error": "use /stats, /events, /reset or /rtt?ms=N"}
            data = (json.dumps(body) + "\n").encode()
            writer.write(f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                         "Connection: close\r\n\r\n".encode() + data)
            await writer.drain()
        except (ConnectionError, ValueError):
            pass
        finally:
            writer.close()


async def serve(args):
    proxy = Proxy(args.rtt)
    for spec in args.forward:
        name, port, target = spec.split(":")
        await proxy.listen(name, int(port), int(target))
    if args.control is not None:
        await proxy.control(args.control)
    if args.ports_file:
        with open(args.ports_file + ".tmp", "w") as f:
            json.dump(proxy.ports, f)
        os.replace(args.ports_file + ".tmp", args.ports_file)
    await asyncio.gather(*(s.serve_forever() for s in proxy.servers))


# ---- self-test: an echo server behind the proxy, driven in known patterns ----

async def echo_server(greeting=b""):
    """Echoes; first says `greeting` as soon as a client connects."""
    async def echo(reader, writer):
        nodelay(writer)
        writer.write(greeting)
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
        writer.close()
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def greeted(port):
    reader, writer = c = await client(port)
    writer.write(b"q")
    got = b""
    while len(got) < 7:
        got += await reader.read(100)
    assert got == b"hello q", got  # the greeting, then the echo
    await close(c)


async def client(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    nodelay(writer)
    return reader, writer


async def ask(conn, payload=b"ping"):
    reader, writer = conn
    writer.write(payload)
    await writer.drain()
    got = b""
    while len(got) < len(payload):
        chunk = await reader.read(1 << 16)
        if not chunk:
            break
        got += chunk
    return got


async def close(conn):
    conn[1].close()
    await conn[1].wait_closed()


async def sequential(port, n):
    c = await client(port)
    for i in range(n):
        assert await ask(c, b"q%d" % i) == b"q%d" % i
    await close(c)


async def concurrent(port, conns, each):
    await asyncio.gather(*(sequential(port, each) for _ in range(conns)))


async def one_after_another(port, conns):
    for _ in range(conns):
        await sequential(port, 1)


async def split_burst(port):
    reader, writer = c = await client(port)
    writer.write(b"first half, ")
    await writer.drain()
    await asyncio.sleep(0.005)
    writer.write(b"second half")  # sent before any answer arrived: the same burst
    got = b""
    while len(got) < 23:
        got += await reader.read(100)
    assert got == b"first half, second half", got
    await close(c)


async def fire_and_forget(port):
    c = await client(port)
    c[1].write(b"bye")
    await c[1].drain()
    await close(c)


async def bulk(port, payload):
    size = len(payload)
    c = await client(port)
    reader, writer = c
    writer.write(payload)
    await writer.drain()
    got = bytearray()
    while len(got) < size:
        chunk = await reader.read(1 << 16)
        if not chunk:
            break
        got += chunk
    assert bytes(got) == payload, "bytes lost or reordered"
    await close(c)


async def self_test():
    server, echo_port = await echo_server()
    greeter, greeting_port = await echo_server(greeting=b"hello ")
    proxy = Proxy()
    port = await proxy.listen("echo", 0, echo_port)
    greeted_port = await proxy.listen("greeting", 0, greeting_port)
    ctl = await proxy.control(0)
    failures = 0

    async def case(label, rtt_ms, run, connections, round_trips, exchanges, timed=True):
        nonlocal failures
        proxy.rtt = rtt_ms / 1000
        proxy.reset()
        t0 = time.monotonic()
        await run()
        elapsed = (time.monotonic() - t0) * 1000
        await asyncio.sleep(0.05)  # let the proxy see the closes
        s = proxy.stats()
        got = (s["connections"], s["round_trips"], s["exchanges"])
        want = (connections, round_trips, exchanges)
        ok = got == want
        timing = ""
        if rtt_ms and timed and ok:
            # Every counted round trip costs one RTT (less would mean the delay is missing);
            # more than two RTTs on top plus slack would mean it is charged per chunk.
            least, most = round_trips * rtt_ms, (round_trips + 2) * rtt_ms + 150
            ok = least * 0.95 <= elapsed <= most
            timing = f", {elapsed:.0f} ms (expected {least}-{most})"
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {label}: connections/round trips/exchanges "
              f"{got[0]}/{got[1]}/{got[2]}, expected {want[0]}/{want[1]}/{want[2]}{timing}")

    for rtt in (40, 0):
        await case(f"rtt {rtt}: one connection, 3 requests one after another", rtt,
                   lambda: sequential(port, 3), 1, 4, 3)
        await case(f"rtt {rtt}: two connections one after another, one request each", rtt,
                   lambda: one_after_another(port, 2), 2, 4, 2)
        await case(f"rtt {rtt}: data sent, connection closed without waiting", rtt,
                   lambda: fire_and_forget(port), 1, 1, 0, timed=False)
    # These need a delay: at RTT 0 the echo answers before the next write or connection starts.
    await case("rtt 40: one request sent in two writes 5 ms apart", 40,
               lambda: split_burst(port), 1, 2, 1)
    # The greeting is on its way before the request reaches the server: not its answer (as a
    # TLS session ticket is not the answer to the request sent with the client's Finished).
    await case("rtt 40: a greeting already in flight does not answer the request", 40,
               lambda: greeted(port=greeted_port), 1, 2, 1)
    await case("rtt 40: 3 connections at once, one request each", 40,
               lambda: concurrent(port, 3, 1), 3, 2, 3)
    await case("rtt 40: 2 connections at once, 3 requests each", 40,
               lambda: concurrent(port, 2, 3), 2, 4, 6)
    # 4 MiB sent in one go and echoed: intact, in order, and about two RTTs (handshake and
    # one exchange), not one per chunk. The upload outlasts the first echoed bytes, so the
    # client keeps sending while it receives: more exchanges than waits (the caveat above).
    payload = bytes(range(251)) * ((4 << 20) // 251)
    t0 = time.monotonic()
    await bulk(echo_port, payload)
    direct = (time.monotonic() - t0) * 1000
    proxy.rtt = 0.04
    proxy.reset()
    t0 = time.monotonic()
    await bulk(port, payload)
    elapsed = (time.monotonic() - t0) * 1000
    most = 3 * direct + 2 * 40 + 150
    ok = elapsed <= most
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} rtt 40: 4 MiB echoed intact in {elapsed:.0f} ms "
          f"(at most {most:.0f}: {direct:.0f} ms without the proxy; "
          f"{proxy.stats()['exchanges']} exchanges)")

    # The control port, as bench.sh uses it.
    async def get(path):
        r, w = await asyncio.open_connection("127.0.0.1", ctl)
        w.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = await r.read()
        w.close()
        return json.loads(data.split(b"\r\n\r\n", 1)[1])
    await get("/rtt?ms=30")
    await get("/reset")
    await sequential(port, 2)
    await asyncio.sleep(0.05)
    s = await get("/stats")
    ok = (s["rtt_ms"], s["connections"], s["round_trips"], s["listeners"]["echo"]["exchanges"]) \
        == (30, 1, 3, 2) and len(await get("/events")) == 3
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} control port: /rtt, /reset, /stats, /events")
    server.close()
    greeter.close()
    return failures


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("forward", nargs="*", help="NAME:LISTEN_PORT:TARGET_PORT")
    p.add_argument("--rtt", type=float, default=0.0, help="round-trip time to add, ms")
    p.add_argument("--control", type=int, help="control port (HTTP; 0 = any)")
    p.add_argument("--ports-file", help="write the ports in use here (JSON)")
    p.add_argument("--self-test", action="store_true")
    args = p.parse_args()
    if args.self_test:
        failures = asyncio.run(self_test())
        print("self-test:", "FAILED" if failures else "passed")
        sys.exit(1 if failures else 0)
    if not args.forward:
        p.error("give at least one NAME:LISTEN_PORT:TARGET_PORT")
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
