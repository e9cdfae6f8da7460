"""How fast the CLI starts: the CPU time (user + sys) of the commands a newcomer types first.

    python benchmarks/start.py                          # a fresh workspace and map
    python benchmarks/start.py --workspace demo.duckdb --map maison-lumiere.yaml

Each command runs --runs times (5) in a fresh process; its CPU time is read from
``getrusage(RUSAGE_CHILDREN)``, so other processes on the machine barely change it (wall time
would). Shown: every run, the median, and the median over a bare ``python -c pass``.

Target: `parcours --help`, `parcours status` and `parcours validate` each under 0.5 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET = 0.5  # CPU seconds per command


def parcours_command() -> list[str]:
    """The `parcours` script of this interpreter's environment, else `python -m parcours`."""
    script = Path(sys.executable).with_name("parcours")
    return [str(script)] if script.exists() else [sys.executable, "-m", "parcours"]


class Failed(Exception):
    """A measured command exited with an error: its time would mean nothing."""


def cpu_seconds(command: list[str]) -> float:
    """User + sys CPU time of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise Failed(f"exit {done.returncode}: {first}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(command: list[str], runs: int) -> list[float] | str:
    """CPU seconds of each run, or why the command failed."""
    try:
        return [cpu_seconds(command) for _ in range(runs)]
    except Failed as failure:
        return f"failed ({failure})"


def prepare(folder: Path) -> tuple[Path, Path]:
    """A fresh empty workspace and a template map in ``folder``."""
    workspace, journey = folder / "start.duckdb", folder / "journey.yaml"
    subprocess.run(
        [sys.executable, "-c", "import parcours, sys; parcours.open(sys.argv[1]).close()"]
        + [str(workspace)],
        check=True,
    )
    subprocess.run(
        [*parcours_command(), "init", "--out", str(journey)], check=True, stdout=subprocess.DEVNULL
    )
    return workspace, journey


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, help="Workspace for `status` (default: new).")
    parser.add_argument("--map", type=Path, help="Map for `validate` (default: a template).")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        workspace, journey = prepare(Path(folder))
        workspace, journey = args.workspace or workspace, args.map or journey
        cli = parcours_command()
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "parcours --help": [*cli, "--help"],
            "parcours status": [*cli, "status", "--workspace", str(workspace)],
            "parcours validate": [*cli, "validate", str(journey)],
        }
        runs = {name: measure(command, args.runs) for name, command in commands.items()}

    bare = runs["python -c pass"]
    assert isinstance(bare, list), bare
    print(f"{'command':<20}{'median s':>9}{'x python':>10}  target  runs (CPU s)")
    for name, seconds in runs.items():
        if isinstance(seconds, str):
            print(f"{name:<20}{'':>19}  MISSED  {seconds}")
            continue
        median = statistics.median(seconds)
        verdict = "" if name.startswith("python") else ("met" if median < TARGET else "MISSED")
        shown = " ".join(f"{s:.2f}" for s in seconds)
        ratio = median / statistics.median(bare)
        print(f"{name:<20}{median:>9.2f}{ratio:>10.1f}  {verdict:<6}  {shown}")


if __name__ == "__main__":
    main()
