"""How long `jointcall token` takes, as a user runs it: a new process each time.

    .venv/bin/python bench/token_startup.py [--runs 10]

Prints the median and range of `jointcall token agency` (one role) and of one call issuing 22 roles, and,
for comparison, of a bare `python -c pass` (the interpreter's own start-up on this machine).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

JOINTCALL = Path(sys.executable).with_name("jointcall")
ROLES_22 = ["agency"] + [f"region:R-{i}" for i in range(11)] + [f"consortium:c-{i}" for i in range(10)]


def timed(command: list[str], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (default: 10)")
    runs = parser.parse_args().runs
    for label, command in (
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("jointcall token agency", [str(JOINTCALL), "token", "agency"]),
        ("jointcall token <22 roles>", [str(JOINTCALL), "token", *ROLES_22]),
    ):
        seconds = timed(command, runs)
        print(
            f"{label:<28} median {statistics.median(seconds) * 1000:6.0f} ms "
            f"(min {min(seconds) * 1000:.0f}, max {max(seconds) * 1000:.0f}; {runs} runs)"
        )


if __name__ == "__main__":
    main()
