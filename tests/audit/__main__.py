"""``make audit``: hostile inputs against a live server, then one table of what held.

Starts Daphne on 127.0.0.1 with a fresh SQLite database (``AUDIT_ADDRESS=127.0.0.1:PORT``
audits a server already running on this machine instead; any other host is refused)
and runs a bounded set of attacks from the issue on bounds: oversized and malformed
messages, the largest legal pictures, a ShiViz import flood then saves, an import
flood over HTTP, a socket flood, a client that never reads, and the practice form.
Meanwhile a second client asks for one cheap frame every 50 ms and records the worst
wait. Every attack has a count and a time limit; the whole run stops after
``AUDIT_SECONDS`` (default 240).

The table: per attack, the second client's worst wait while it ran; then inputs tried, error replies (refusals the protocol sends), 5xx answers and
"server failed" frames, the second client's worst latency, the server's peak memory
(VmHWM), and the bytes an anonymous client got stored. Exit status 1 when a bound did
not hold: a 5xx, a dropped socket where an error frame was due, a frame over 1 MiB,
or more stored than the limits allow.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.labs.rawws import RawSocket
from tests.servers import ROOT, free_port, reachable

MIB = 1024 * 1024
DAPHNE = [sys.executable, "-m", "daphne", "-b", "127.0.0.1"]
DEADLINE = time.monotonic() + float(os.environ.get("AUDIT_SECONDS", "240"))


class Tally:
    def __init__(self) -> None:
        self.rows: list[tuple[str, int, int, int, str]] = []
        self.latency: list[float] = []  # the second client's worst wait during each row
        self.failures: list[str] = []

    def add(self, name: str, tried: int, errors: int, fivexx: int, note: str) -> None:
        self.rows.append((name, tried, errors, fivexx, note))
        print(f"  {name}: {tried} tried, {errors} refused, {fivexx} 5xx; {note}", flush=True)

    def fail(self, why: str) -> None:
        self.failures.append(why)
        print(f"  BOUND NOT HELD: {why}", flush=True)


class Observer(threading.Thread):
    """The second client: one cheap request every 50 ms, the worst wait kept."""

    def __init__(self, address: str) -> None:
        super().__init__(daemon=True)
        self.sock = RawSocket(address, "/ws/labs/vector-clocks/")
        self.sock.recv_json()
        self.sock.recv_json()
        self.worst = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.monotonic()
            try:
                self.sock.send_text('{"action":"pause"}')
                while self.sock.recv_json()["type"] != "frame":
                    pass
            except (OSError, ConnectionError):
                self.worst = float("inf")
                return
            self.worst = max(self.worst, time.monotonic() - start)
            time.sleep(0.05)


def peak_memory(pid: int | None) -> str:
    if pid is None:
        return "n/a"
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return f"{int(line.split()[1]) / 1024:.0f} MB"
    return "n/a"


def receive_until(sock: RawSocket, want: str, seconds: float = 60) -> dict[str, Any]:
    sock.sock.settimeout(seconds)
    while True:
        message = sock.recv_json()
        if message["type"] in (want, "error"):
            return message


def largest_message(sock: RawSocket) -> Callable[[], int]:
    """Wrap ``sock.recv`` to remember the largest websocket message it read."""
    seen = [0]
    recv = sock.recv

    def counting() -> tuple[int, bytes]:
        opcode, payload = recv()
        seen[0] = max(seen[0], len(payload))
        return opcode, payload

    sock.recv = counting  # type: ignore[method-assign]
    return lambda: seen[0]


# -- the attacks ----------------------------------------------------------------------


def oversized_and_malformed(address: str, tally: Tally) -> None:
    sock = RawSocket(address, "/ws/labs/consistent-hashing/")
    sock.recv_json(), sock.recv_json()
    inputs = ['{"action":"step","pad":"' + "x" * (3 * MIB) + '"}', "not json", "[]", "{}"]
    inputs += ['{"action":"nope"}', '{"action":"seek","step":-1}', '{"action":"add_keys"}']
    inputs += ["[" * 100_000, '{"action":"step","a":' + "1" * 5000 + "}"]
    errors = failed = 0
    for text in inputs:
        sock.send_text(text)
        try:
            reply = receive_until(sock, "frame", 30)
        except (OSError, ConnectionError):
            tally.fail(f"socket dropped after a {len(text)}-byte bad message")
            return
        errors += reply["type"] == "error"
        failed += "server failed" in reply.get("message", "")
        time.sleep(0.06)
    if errors != len(inputs):
        tally.fail(f"only {errors} of {len(inputs)} bad messages got an error frame")
    tally.add("bad and oversized messages", len(inputs), errors, failed, "socket kept open")
    sock.close()


def largest_pictures(address: str, tally: Tally) -> None:
    cases = [
        ("consistent-hashing", {"nodes": 64, "vnodes": 256, "keys": 100_000, "replication": 7}, []),
        ("small-world", {"n": 2000, "k": 50, "p": 0.2}, [{"action": "rewire_all"}]),
    ]
    worst = 0
    for slug, params, moves in cases:
        sock = RawSocket(address, f"/ws/labs/{slug}/")
        biggest = largest_message(sock)
        sock.recv_json(), sock.recv_json()
        sock.send_text(json.dumps({"action": "set_params", "params": params}))
        frame = receive_until(sock, "frame", 120)
        for move in moves:
            sock.send_text(json.dumps(move))
            frame = receive_until(sock, "frame", 120)
        if frame["type"] != "frame":
            tally.fail(f"{slug} at its largest: {frame}")
        worst = max(worst, biggest())
        sock.close()
    if worst > MIB:
        tally.fail(f"a websocket message of {worst} bytes (over 1 MiB)")
    tally.add("largest legal pictures", len(cases), 0, 0, f"largest message {worst:,} bytes")


def shiviz_flood_then_save(address: str, tally: Tally) -> None:
    from algorithms.shiviz import GOVECTOR_REGEX

    body = "".join(f'h{i % 20} {{"h{i % 20}":{i // 20 + 1}}}\n{"e" * 40}\n' for i in range(1000))
    log = GOVECTOR_REGEX + "\n\n" + body[: 60_000 - len(GOVECTOR_REGEX)]
    log = log[: log.rfind("\n", 0, len(log) - 1) + 1]
    log = log[: log.rfind("\n", 0, len(log) - 1) + 1] if log.count("\n") % 2 else log
    sock = RawSocket(address, "/ws/labs/vector-clocks/")
    sock.recv_json(), sock.recv_json()
    tried = errors = 0
    for _ in range(600):
        if time.monotonic() > DEADLINE:
            break
        tried += 1
        sock.send_text(json.dumps({"action": "import_shiviz", "text": log}))
        reply = receive_until(sock, "frame", 60)
        if reply["type"] == "error":
            errors += 1
            if reply.get("field") == "recording":
                break
        time.sleep(0.06)
    saves = 0
    for _ in range(60):
        tried += 1
        sock.send_text('{"action":"save","title":"flood"}')
        reply = receive_until(sock, "saved", 30)
        if reply["type"] == "error":
            errors += 1
            break
        saves += 1
        time.sleep(0.06)
    tally.add("ShiViz imports, then saves", tried, errors, 0, f"{saves} saves stored")
    sock.close()


def http_import_flood(address: str, tally: Tally) -> None:
    data = {"lab": "vector-clocks", "params": {}, "seed": 1, "length": 1}
    data["commands"] = [[0, {"action": "local", "process": "P1"}]]
    payload = json.dumps(data).encode()
    boundary = "auditboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.json"\r\n'
            f"Content-Type: application/json\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    tried = errors = fivexx = 0
    for _ in range(60):
        tried += 1
        request = urllib.request.Request(
            f"http://{address}/replays/import/",
            data=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Accept": "application/json",
            },
        )
        try:
            urllib.request.urlopen(request, timeout=30).read()
        except urllib.error.HTTPError as err:
            errors += 400 <= err.code < 500
            fivexx += err.code >= 500
            if err.code == 429:
                break
    if fivexx:
        tally.fail(f"{fivexx} imports answered 5xx")
    tally.add("HTTP imports", tried, errors, fivexx, "refused past the save rate")


def socket_flood(address: str, tally: Tally) -> None:
    held: list[RawSocket] = []
    refused = 0
    for _ in range(40):
        sock = RawSocket(address, "/ws/labs/small-world/")
        first = sock.recv_json()
        if first["type"] == "error":
            refused += 1
            sock.close()
            continue
        sock.recv_json()
        held.append(sock)
    for sock in held:
        sock.close()
    if not refused:
        tally.fail("40 sockets from one client were all accepted")
    tally.add("sockets from one client", 40, refused, 0, f"{len(held)} held at once")


def reader_that_never_reads(address: str, tally: Tally) -> None:
    sock = RawSocket(address, "/ws/labs/consistent-hashing/", rcvbuf=4096)
    sock.recv_json(), sock.recv_json()
    tried = 0
    for vnodes in (256, 255) * 6:
        if time.monotonic() > DEADLINE:
            break
        tried += 1
        try:
            params = {"nodes": 64, "vnodes": vnodes, "keys": 0}
            sock.send_text(json.dumps({"action": "set_params", "params": params}))
        except OSError:
            break
        time.sleep(1.0)
    sock.sock.settimeout(20)
    closed = False
    try:
        for _ in range(100_000):
            sock.recv_json()
    except ConnectionError:
        closed = True
    except OSError:
        closed = False
    if not closed:
        tally.fail("a client that never reads was still being sent frames")
    tally.add("a client that never reads", tried, 0, 0, "closed" if closed else "NOT closed")
    sock.close()


def practice_form(address: str, tally: Tally) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"http://{address}/exercises/ch-join-basics/"
    page = opener.open(url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    tried = fivexx = 0
    for moved in range(40):
        if token is None or time.monotonic() > DEADLINE:
            break
        tried += 1
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "a-ch-join-basics-moved": str(moved),
            "a-ch-join-basics-owner": "A",
        }
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode(form).encode(), headers={"Referer": url}
        )
        try:
            opener.open(request, timeout=30).read()
        except urllib.error.HTTPError as err:
            fivexx += err.code >= 500
    tally.add("practice form posts", tried, 0, fivexx, "feedback rows counted below")


# -- the run ----------------------------------------------------------------------------


def stored_bytes(db: Path | None) -> tuple[int, int]:
    """(rows, bytes of their recordings and captions) of replays not shipped as samples."""
    if db is None:
        return 0, 0
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(commands) + LENGTH(params) + "
            "LENGTH(captions) + LENGTH(title)), 0) FROM labs_replay WHERE source != 'sample'"
        ).fetchone()
    return int(rows[0]), int(rows[1])


def main() -> int:
    given = os.environ.get("AUDIT_ADDRESS")
    server: subprocess.Popen[bytes] | None = None
    db: Path | None = None
    if given:
        host = given.split(":")[0]
        if host not in ("127.0.0.1", "localhost"):
            print(f"AUDIT_ADDRESS must be on this machine (127.0.0.1), got {host}")
            return 2
        address = given
    else:
        tmp = Path(tempfile.mkdtemp(prefix="paperlabs-audit-"))
        db = tmp / "audit.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{db}",
            "DJANGO_SETTINGS_MODULE": "labs.settings",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        env.pop("REDIS_URL", None)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        port = free_port()
        address = f"127.0.0.1:{port}"
        server = subprocess.Popen(
            [*DAPHNE, "-p", str(port), "labs.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while not reachable("127.0.0.1", port, timeout=0.5):
            if server.poll() is not None or time.monotonic() > deadline:
                print("daphne did not start")
                return 2
            time.sleep(0.1)
    # Warm up first (each lab's first socket computes what the process then caches), so
    # the second client's waits measure the attacks, not the start.
    for slug in ("consistent-hashing", "vector-clocks", "small-world"):
        warm = RawSocket(address, f"/ws/labs/{slug}/")
        warm.recv_json(), warm.recv_json()
        warm.close()
    tally = Tally()
    observer = Observer(address)
    observer.start()
    try:
        for attack in (
            oversized_and_malformed,
            largest_pictures,
            shiviz_flood_then_save,
            http_import_flood,
            socket_flood,
            reader_that_never_reads,
            practice_form,
        ):
            if time.monotonic() > DEADLINE:
                tally.fail(f"out of time before {attack.__name__}")
                break
            print(f"== {attack.__name__} ==", flush=True)
            observer.worst, worst = 0.0, observer.worst
            try:
                attack(address, tally)
            except Exception as err:  # an attack that breaks is a finding, not a crash
                tally.fail(f"{attack.__name__}: {type(err).__name__}: {err}")
            tally.latency += [observer.worst] * (len(tally.rows) - len(tally.latency))
            observer.worst = max(worst, observer.worst)
        observer.stop.set()
        observer.join(timeout=5)
        rows, stored = stored_bytes(db)
        memory = peak_memory(server.pid if server else None)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    print()
    print(f"{'attack':<30} {'inputs':>7} {'errors':>7} {'5xx':>5} {'wait':>8}  note")
    for (name, tried, errors, fivexx, note), wait in zip(tally.rows, tally.latency, strict=True):
        print(f"{name:<30} {tried:>7} {errors:>7} {fivexx:>5} {wait * 1000:>5.0f} ms  {note}")
    total = sum(r[1] for r in tally.rows)
    print()
    print(f"inputs tried                       {total}")
    print(f"error replies                      {sum(r[2] for r in tally.rows)}")
    print(f"5xx and server failures            {sum(r[3] for r in tally.rows)}")
    print(f"worst latency, second client       {observer.worst * 1000:.0f} ms")
    print(f"peak server memory (VmHWM)         {memory}")
    print(f"stored by an anonymous client      {stored:,} bytes in {rows} replays")
    from labs import settings as limits

    allowed = limits.PAPERLABS_SAVES_PER_HOUR * limits.PAPERLABS_MAX_RECORDING_BYTES
    if db is not None and stored > allowed:
        tally.fail(f"{stored} bytes stored, over {allowed} (saves per hour x recording size)")
    if observer.worst == float("inf"):
        tally.fail("the second client lost its socket")
    if tally.failures:
        print("\nBounds that did not hold:\n  " + "\n  ".join(tally.failures))
        return 1
    print("\nEvery bound held.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
