"""The collector under load, SIGKILL included: `parcours serve` on a loopback port, N clients.

    python benchmarks/collector.py                       # 20 clients, batches of 100, 30 s
    python benchmarks/collector.py --clients 20 --seconds 60 --kill-after 20
    python benchmarks/collector.py --rate 5200 --kill-after 1000   # 5,000 valid events/s offered

Starts a server over a fresh workspace (a write key made first), then drives a bounded load
with httpx and asyncio: each client sends batches of ``--batch`` events, a share of them
invalid (``--invalid-share``: a timestamp that is not one), and sends a share of its batches
twice (``--retry-share``: a client whose answer got lost). A request that fails (the server
killed, a 5xx, a 503 with Retry-After) is sent again until it is acknowledged. Once,
``--kill-after`` seconds in, the server gets SIGKILL and is started again on the same file.

At the end the server is stopped and the workspace opened directly: the exact count check is
stored events = unique valid acknowledged events, every acknowledged id stored, no id twice.
Printed: accepted events/s (unique valid events acknowledged per second of the run), p50 and
p99 latency of the acknowledged requests, the tries refused with 503 (the spool full) and
those without an answer (the server down), the CPU seconds of the server (per acknowledged
event) and of the clients with the load average, the events/s, latency and server CPU per
event of the first server alone (before the kill: no restart in them), the seconds the
clients had no server, and the check. Targets (issue 10): 5,000
events/s and p99 under 500 ms with 20 clients on 2 cores; zero loss, zero duplicates. Read
them with the CPU line: the clients run on the same cores, and on a machine shared with
other work the server gets what the others leave (its CPU per event is the figure that does
not depend on them). The wall time of the kill includes the start of a new server (imports,
the rules compiled, the spool loaded), during which the clients' tries fail.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(workspace: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "parcours", "serve", "-w", str(workspace), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_up(url: str, limit: float = 180.0) -> None:
    deadline = time.monotonic() + limit
    async with httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(f"{url}/health", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            await asyncio.sleep(0.2)


def batch_of(client: int, number: int, size: int, invalid_share: float, rng: random.Random):
    events, valid = [], []
    for i in range(size):
        event_id = f"c{client}-b{number}-e{i}"
        bad = rng.random() < invalid_share
        events.append(
            {
                "event_id": event_id,
                "ts": "not a date" if bad else "2026-03-01T14:05:00+01:00",
                "customer_id": f"C{client}-{rng.randrange(1000)}",
                "channel": "web",
                "event": "product_view",
                "properties": {"sku": f"SKU-{rng.randrange(500)}"},
            }
        )
        if not bad:
            valid.append(event_id)
    return events, valid


class Run:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.acknowledged: set[str] = set()
        self.requests = 0
        self.failures = 0  # no answer (the server down) or a 5xx
        self.refused = 0  # 503 with Retry-After: the spool is full
        self.server_cpu = 0.0  # CPU seconds of the server processes during the run


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process and of its waited-for children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


async def client_loop(
    index: int,
    http: httpx.AsyncClient,
    url: str,
    args: argparse.Namespace,
    run: Run,
    began: float,
    stop_at: float,
) -> None:
    rng = random.Random(index)
    number = 0
    # With --rate, the clients share a schedule (open loop): this client's batches are due
    # every `interval` seconds, staggered with the others'; a request is timed from when it
    # was due, so a client that fell behind counts its wait (no coordinated omission).
    interval = args.clients * args.batch / args.rate if args.rate else 0.0
    due = began + index * interval / args.clients
    while time.monotonic() < stop_at:
        if interval:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        events, valid = batch_of(index, number, args.batch, args.invalid_share, rng)
        number += 1
        sends = 2 if rng.random() < args.retry_share else 1
        for send in range(sends):
            first_try = True
            while True:  # until acknowledged: a lost answer is sent again
                started = time.monotonic()
                if interval and send == 0 and first_try:
                    started = min(started, due)
                first_try = False
                try:
                    answer = await http.post(f"{url}/v1/events", json={"events": events})
                except httpx.HTTPError:
                    run.failures += 1
                    await asyncio.sleep(0.2)
                    continue
                run.requests += 1
                if answer.status_code == 200:
                    run.latencies.append(time.monotonic() - started)
                    run.acknowledged.update(valid)
                    break
                if answer.status_code == 503:
                    run.refused += 1
                else:
                    run.failures += 1
                await asyncio.sleep(float(answer.headers.get("Retry-After", "0.2")))
        due += interval


async def main(args: argparse.Namespace) -> None:
    import parcours
    from parcours.store import keys

    folder = Path(tempfile.mkdtemp(prefix="parcours-collector-"))
    workspace = folder / "collector.duckdb"
    with parcours.open(workspace, direct=True) as ws:
        token, _ = keys.create_key(ws.con, "write", "benchmark")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start(workspace, port)
    await wait_up(url)
    run = Run()
    # The clients' connections are opened before the run: a client's own start (its TLS
    # context, its first connection) is not the server's latency.
    headers = {"Authorization": f"Bearer {token}"}
    https = [httpx.AsyncClient(timeout=60, headers=headers) for _ in range(args.clients)]
    await asyncio.gather(*(http.get(f"{url}/health") for http in https))
    server_cpu = cpu_seconds(server.pid)
    own_cpu = time.process_time()
    load_before = os.getloadavg()[0]
    began = time.monotonic()
    stop_at = began + args.seconds
    clients = [
        asyncio.create_task(client_loop(i, http, url, args, run, began, stop_at))
        for i, http in enumerate(https)
    ]
    killed_at = down = None
    steady: tuple[int, int, float] | None = None  # before the kill: events, answers, CPU
    if args.kill_after is not None and args.kill_after < args.seconds:
        await asyncio.sleep(args.kill_after)
        run.server_cpu += cpu_seconds(server.pid) - server_cpu
        steady = (len(run.acknowledged), len(run.latencies), run.server_cpu)
        server.send_signal(signal.SIGKILL)
        server.wait()
        killed_at = time.monotonic() - began
        server = start(workspace, port)
        server_cpu = 0.0  # its start and the load of the spool count
        await wait_up(url)
        down = time.monotonic() - began - killed_at
    await asyncio.gather(*clients)
    wall = time.monotonic() - began
    await asyncio.gather(*(http.aclose() for http in https))
    run.server_cpu += cpu_seconds(server.pid) - server_cpu
    own_cpu = time.process_time() - own_cpu
    load_after = os.getloadavg()[0]
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=120)

    with parcours.open(workspace, direct=True) as ws:
        row = ws.con.raw_sql("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone()
        stored = {r[0] for r in ws.con.raw_sql("SELECT event_id FROM events").fetchall()}
    total, distinct = int(row[0]), int(row[1])
    latencies = sorted(run.latencies)
    p50 = statistics.median(latencies) if latencies else float("nan")
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else 0.0
    missing = run.acknowledged - stored
    extra = stored - run.acknowledged
    print(f"clients {args.clients}, batches of {args.batch}, {args.seconds:.0f} s")
    if args.rate:
        print(
            f"  open loop: {args.rate:,.0f} events/s offered (retries on top), each request "
            "timed from when it was due"
        )
    else:
        print("  closed loop: each client sends as soon as its last answer came (the capacity)")
    if killed_at is not None and down is not None:
        print(
            f"  server SIGKILLed at {killed_at:.1f} s; a new one answered {down:.1f} s later "
            "(its start, the rules compiled, the spool loaded)"
        )
    else:
        print("  no kill")
    print(
        f"  requests answered 200: {len(latencies):,}; refused (503): {run.refused:,}; "
        f"failed (no answer, 5xx): {run.failures:,}"
    )
    print(f"  accepted events/s: {len(run.acknowledged) / wall:,.0f}")
    print(f"  latency p50 {1000 * p50:,.0f} ms, p99 {1000 * p99:,.0f} ms")
    events = max(len(run.acknowledged), 1)
    print(
        f"  CPU: server {run.server_cpu:,.1f} s ({1000 * run.server_cpu / events:,.2f} ms per "
        f"event), clients {own_cpu:,.1f} s, over {wall:,.1f} s; load average "
        f"{load_before:.1f} at start, {load_after:.1f} at end ({os.cpu_count()} cores)"
    )
    if steady is not None and killed_at and not steady[0]:
        print(f"  before the kill ({killed_at:.0f} s, one server): no request answered yet")
    elif steady is not None and killed_at:
        # The first server under load alone: what the collector keeps up with, and its CPU
        # per event, without the restart's imports and spool load.
        before = sorted(run.latencies[: steady[1]])
        print(
            f"  before the kill ({killed_at:.0f} s, one server): {steady[0] / killed_at:,.0f} "
            f"events/s, p50 {1000 * statistics.median(before):,.0f} ms, p99 "
            f"{1000 * before[min(len(before) - 1, int(0.99 * len(before)))]:,.0f} ms, server "
            f"CPU {1000 * steady[2] / max(steady[0], 1):,.2f} ms per event"
        )
    ok = total == distinct == len(run.acknowledged) and not missing and not extra
    print(
        f"  count check: stored {total:,} (distinct ids {distinct:,}), unique valid acknowledged "
        f"{len(run.acknowledged):,}, lost {len(missing):,}, unexpected {len(extra):,}: "
        + ("OK" if ok else "FAILED")
    )
    if not args.keep:
        shutil.rmtree(folder)
    else:
        print(f"  workspace kept: {workspace}")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--kill-after", type=float, default=10.0)
    parser.add_argument("--retry-share", type=float, default=0.1)
    parser.add_argument("--invalid-share", type=float, default=0.02)
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="Events per second offered by all clients together, on a schedule (open loop); "
        "0: each client sends as fast as it is answered (closed loop).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the workspace file.")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(main(parser.parse_args()))
