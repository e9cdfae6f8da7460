"""Kept results under load: a page, an API call and a CLI analysis while four slow pages compute.

    python benchmarks/pages_under_load.py                 # a 5,000-person demo, 20 tries each
    python benchmarks/pages_under_load.py --persons 20000 --tries 20
    python benchmarks/pages_under_load.py --collector-rate 5200   # and while the collector works

Simulates the demo retailer into a fresh workspace (``parcours demo --no-serve``), starts
``parcours serve`` on it on a loopback port (as benchmarks/collector.py does), logs in to the
dashboard with a read key, and fills the results store for one page (the funnel's analysis
page), one API call (``POST /v1/analyses/kpis``) and one CLI analysis (``parcours kpis``).
Then it keeps the dashboard's four places for computations busy: pages of analyses that are
not kept yet (each with a start day of its own in its filter, so that none is ever kept),
started again as they finish, with two more waiting for a place. Meanwhile it times, one
after another, ``--tries`` visits of the kept page, API calls and CLI analyses through the
server: the whole command (a new Python process, as a user types it) and the same call made
by ``parcours.open`` in this process (the command without its start).

The same is timed first with no other work (``--baseline`` tries): the machine's own speed,
to read the figures under load against. Printed: p50 and p99 of each, how many answered (the
page: with its result, not with its progress, which would say it waited for a place), how
many slow pages were computing at each measurement (min and mean: the four places were
taken), the CPU seconds of the server and of this script over the measurement, and the load
average (the machine may be shared: read the figures with it). With ``--collector-rate``,
the same again while 20 clients send that many events per second to the collector
(``benchmarks/collector.py``'s clients, open loop, batches of 100), with what the collector
kept up with. The data then moves on at every load (every 5 s): the page reads the result
of a moment ago (the dashboard's ``PARCOURS_DASHBOARD_MAX_AGE``), the API, the CLI and
Python ask for it (``max_age``), and how many answers came from earlier data is printed;
then, under the same load, ``--now-tries`` API kpis on the data of now (each computes), with
what the collector did meanwhile. Target (issue 10): under a second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import httpx

KEPT_PAGE = "/analyses/funnel?lang=en"
# Analyses whose pages take a while on the demo; each slow page asks one of them within its
# own period, so that its result is never kept before.
SLOW_ANALYSES = ("personas", "attribution", "process", "conformance", "channels", "retention")
PLACES = 4  # parcours.web.jobs.LIMIT
IN_FLIGHT = PLACES + 2  # two more waiting for a place
JOB = re.compile(r'data-job="([\w-]+)"')


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parcours(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "parcours", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(call: Callable[[], bool]) -> tuple[float, bool]:
    began = time.perf_counter()
    kept = call()
    return time.perf_counter() - began, kept


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class SlowPages:
    """Keeps :data:`IN_FLIGHT` pages of analyses not kept computing, in a thread of its own;
    counts how many were running at each :meth:`sample`."""

    def __init__(self, url: str, cookies: httpx.Cookies, first_day: date):
        self.client = httpx.Client(base_url=url, cookies=cookies, timeout=600)
        self.first_day = first_day
        self.jobs: list[str] = []
        self.started = 0
        self.running: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._feed, daemon=True)

    def __enter__(self) -> SlowPages:
        self._top_up()
        self._thread.start()
        while self._states().count("running") < PLACES:  # every place taken
            time.sleep(0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.client.close()

    def _states(self) -> list[str]:
        states = []
        for job in self.jobs:
            answer = self.client.get(f"/ui/progress/{job}")
            states.append(answer.json()["state"] if answer.status_code == 200 else "gone")
        return states

    def _top_up(self) -> None:
        states = self._states()
        self.jobs = [
            j for j, s in zip(self.jobs, states, strict=True) if s not in ("done", "gone", "failed")
        ]
        while len(self.jobs) < IN_FLIGHT:
            name = SLOW_ANALYSES[self.started % len(SLOW_ANALYSES)]
            start = self.first_day + timedelta(days=self.started)
            page = self.client.get(f"/analyses/{name}?lang=en&start={start.isoformat()}")
            self.started += 1
            found = JOB.search(page.text)
            if page.status_code == 202 and found:
                self.jobs.append(found.group(1))

    def _feed(self) -> None:
        while not self._stop.wait(0.3):
            self._top_up()

    def sample(self) -> None:
        self.running.append(self._states().count("running"))


class CollectorLoad:
    """``rate`` events per second sent to the collector by 20 clients (those of
    ``benchmarks/collector.py``), in a thread with its own event loop, until the block ends."""

    def __init__(self, url: str, token: str, rate: float):
        sys.path.insert(0, str(Path(__file__).parent))
        import collector  # benchmarks/collector.py, beside this file

        self.driver = collector
        self.url, self.token = url, token
        self.settings = argparse.Namespace(
            clients=20, batch=100, rate=rate, retry_share=0.1, invalid_share=0.02
        )
        self.run = collector.Run()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._send()), daemon=True)
        self.seconds = 0.0

    async def _send(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        https = [httpx.AsyncClient(timeout=60, headers=headers) for _ in range(20)]
        await asyncio.gather(*(http.get(f"{self.url}/health") for http in https))
        began = time.monotonic()
        clients = [
            asyncio.create_task(
                self.driver.client_loop(i, http, self.url, self.settings, self.run, began, 1e12)
            )
            for i, http in enumerate(https)
        ]
        await asyncio.get_running_loop().run_in_executor(None, self._stop.wait)
        for task in clients:
            task.cancel()
        await asyncio.gather(*clients, return_exceptions=True)
        self.seconds = time.monotonic() - began
        await asyncio.gather(*(http.aclose() for http in https))

    def __enter__(self) -> CollectorLoad:
        self._thread.start()
        time.sleep(3.0)  # under way
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def said(self) -> str:
        latencies = self.run.latencies or [float("nan")]
        return (
            f"  the collector meanwhile: {len(self.run.acknowledged) / self.seconds:,.0f} "
            f"acknowledged events/s, p50 {1000 * percentile(latencies, 0.5):.0f} ms, p99 "
            f"{1000 * percentile(latencies, 0.99):.0f} ms, {self.run.refused} refused (503), "
            f"{self.run.failures} failed"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=5000, help="persons of the demo")
    parser.add_argument("--tries", type=int, default=20, help="measurements of each kind")
    parser.add_argument(
        "--baseline", type=int, default=5, help="measurements of each kind before the load"
    )
    parser.add_argument(
        "--now-tries",
        type=int,
        default=5,
        help="with --collector-rate: API analyses on the data of now (each computes)",
    )
    parser.add_argument(
        "--collector-rate",
        type=float,
        default=0.0,
        help="also measure while the collector is sent this many events per second",
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="parcours-pages-"))
    workspace = folder / "demo.duckdb"
    began = time.perf_counter()
    made = parcours(
        "demo", "--persons", str(args.persons), "--no-serve", "-w", str(workspace),
        "--map-out", str(folder / "map.yaml"),
    )  # fmt: skip
    if made.returncode != 0:
        raise SystemExit(f"the demo failed:\n{made.stderr}")
    print(f"demo of {args.persons:,} persons made in {time.perf_counter() - began:.0f} s")

    import parcours as pc
    from parcours.store import keys

    with pc.open(workspace) as ws:
        token, _ = keys.create_key(ws.con, "read", "benchmark")
        args.write_token, _ = keys.create_key(ws.con, "write", "benchmark collector")
        span = ws.journey_table(ws.default_map()).ts.min().to_pyarrow().as_py()
    first_day = span.date()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "parcours", "serve", "-w", str(workspace), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PARCOURS_DASHBOARD_WAIT": "0.2"},
    )
    try:
        run(url, token, workspace, first_day, args, server.pid)
    finally:
        server.terminate()  # its jobs are interrupted; one deep in Python code finishes first
        try:
            server.wait(120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def run(url: str, token: str, workspace: Path, first_day: date, args, server_pid: int) -> None:
    from parcours import remote

    deadline = time.monotonic() + 180
    while remote.find_server(workspace, wait=1.0) is None:
        if time.monotonic() > deadline:
            raise SystemExit("the server did not start")
        time.sleep(0.2)
    client = httpx.Client(base_url=url, timeout=600)
    login = client.post("/login", data={"api_key": token, "next": "/"})
    if login.status_code != 303:
        raise SystemExit(f"login refused: {login.status_code}")
    api = {"Authorization": f"Bearer {token}"}

    # The results store holds them once computed.
    began = time.perf_counter()
    while client.get(KEPT_PAGE).status_code != 200:
        time.sleep(0.5)
    client.post("/v1/analyses/kpis", headers=api).raise_for_status()
    if parcours("kpis", "-w", str(workspace), "--format", "json").returncode != 0:
        raise SystemExit("parcours kpis failed")
    print(f"kept page, API call and CLI analysis computed in {time.perf_counter() - began:.0f} s")

    kinds = calls(client, api, workspace, earlier=False)
    measure(kinds, args.baseline, "with no other work (the baseline)", server_pid)
    load_before = os.getloadavg()[0]
    with SlowPages(url, client.cookies, first_day) as slow:
        measure(kinds, args.tries, "while slow pages computed", server_pid, slow.sample)
    print(
        f"  slow pages: {slow.started} started; computing at each measurement: min "
        f"{min(slow.running)}, mean {statistics.mean(slow.running):.1f} (places: {PLACES}); "
        f"load average {load_before:.1f} before them, {os.getloadavg()[0]:.1f} after"
    )
    if args.collector_rate:
        # The data moves on at every load of the collector (every 5 s): the page reads the
        # result of a moment ago (the dashboard's PARCOURS_DASHBOARD_MAX_AGE), and so do the
        # API, the CLI and Python when asked (max_age); the API asked for the data of now
        # computes every time, for comparison.
        rate = args.collector_rate
        during = calls(client, api, workspace, earlier=True)
        with CollectorLoad(url, args.write_token, rate) as load:
            measure(during, args.tries, f"while the collector was sent {rate:,.0f} events/s",
                    server_pid)  # fmt: skip
        print(load.said())
        print(f"  answered with a result of earlier data (as_of): {dict(EARLIER)}")
        now = {"API kpis, data of now": calls(client, api, workspace, earlier=False)["API kpis"]}
        with CollectorLoad(url, args.write_token, rate) as load:
            measure(now, args.now_tries, f"the data of now, while the collector was sent "
                    f"{rate:,.0f} events/s", server_pid)  # fmt: skip
        print(load.said())


# Per kind of call: how many answers came from a result computed on earlier data.
EARLIER: dict[str, int] = {}
MAX_AGE = 900  # seconds: the dashboard's default


def calls(
    client: httpx.Client, api: dict[str, str], workspace: Path, earlier: bool
) -> dict[str, Callable[[], bool]]:
    """The page, the API's, the CLI's and Python's kpis; ``earlier``: accepting a result of
    earlier data (max_age), each answer that is one counted in :data:`EARLIER`."""
    failures: set[str] = set()
    body = {"max_age": MAX_AGE} if earlier else None
    option = ["--max-age", f"{MAX_AGE}s"] if earlier else []

    def count(kind: str, as_of: bool) -> None:
        if as_of:
            EARLIER[kind] = EARLIER.get(kind, 0) + 1

    def page() -> bool:
        answer = client.get(KEPT_PAGE)
        count("page", 'id="as-of"' in answer.text)
        return answer.status_code == 200 and 'id="progress"' not in answer.text

    def api_call() -> bool:
        answer = client.post("/v1/analyses/kpis", headers=api, json=body)
        count("API", answer.status_code == 200 and answer.json()["as_of"] is not None)
        return answer.status_code == 200

    def cli() -> bool:
        done = parcours("kpis", "-w", str(workspace), "--format", "json", *option)
        if done.returncode != 0:  # said once per kind of failure
            said = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
            if said[0] not in failures:
                failures.add(said[0])
                print(f"  a CLI analysis failed: {said[0]}", flush=True)
            return False
        count("CLI", json.loads(done.stdout)["as_of"] is not None)
        return True

    def remote_call() -> bool:
        with pc_open(workspace) as ws:
            result = ws.analyze("kpis", max_age=MAX_AGE if earlier else None)
            count("parcours.open", result.as_of is not None)
            return result.table is not None

    return {
        "kept page": page,
        "API kpis": api_call,
        "CLI kpis (whole command)": cli,
        "parcours.open + analyze": remote_call,
    }


def measure(
    kinds: dict[str, Callable[[], bool]],
    tries: int,
    title: str,
    server_pid: int,
    between: Callable[[], None] | None = None,
) -> None:
    """Time each kind ``tries`` times, one after another, and print the figures."""
    times: dict[str, list[float]] = {name: [] for name in kinds}
    answered: dict[str, int] = dict.fromkeys(kinds, 0)
    server_cpu, own_cpu, wall = cpu_seconds(server_pid), time.process_time(), time.monotonic()
    for _ in range(tries):
        for name, call in kinds.items():
            seconds, ok = timed(call)
            times[name].append(seconds)
            answered[name] += ok
        if between is not None:
            between()
    server_cpu = cpu_seconds(server_pid) - server_cpu
    own_cpu, wall = time.process_time() - own_cpu, time.monotonic() - wall
    print(f"\n{tries} tries each, {title}:")
    for name, values in times.items():
        print(
            f"  {name:<28} p50 {1000 * percentile(values, 0.5):7.0f} ms   p99 "
            f"{1000 * percentile(values, 0.99):7.0f} ms   answered: {answered[name]}/{tries}"
        )
    print(
        f"  CPU: server {server_cpu:.1f} s, this script {own_cpu:.1f} s (CLI processes apart), "
        f"over {wall:.1f} s; load average now {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)"
    )


def pc_open(workspace: Path):
    import parcours as pc

    return pc.open(workspace)


if __name__ == "__main__":
    main()
