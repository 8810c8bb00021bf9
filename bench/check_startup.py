"""`misdelivery-guard check` at the speed of a linter (issue 13, item 4).

Target: `check` of a short message (bench/data.py's tiny.eml, to an external recipient) in
under 0.25 s wall, the whole process. Measured in one run, interleaved (A B A B ...), medians:
- check of tiny.eml, against the bare interpreter (`python -c pass`: what no change to the
  guard can remove) and against the target;
- one `check DIR` of 20 short messages, against 20 `check FILE` runs of the same files.

Run from the repository root:  .venv/bin/python bench/check_startup.py [RUNS]
Bytecode is written once (an installed copy has it); PYTHONDONTWRITEBYTECODE is ignored.
Prints the figures and writes bench/results/check_startup.json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.data import TINY_BODY, message  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "check_startup.json"
TARGET_S = 0.25
FOLDER_FILES = 20
RCPT = "client@client.example"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def check(*args: str) -> list[str]:
    return [sys.executable, "-m", "proxy.cli", "check", *args, "--rcpt", RCPT]


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode not in (0, 10, 20):
        raise SystemExit(f"{' '.join(command)}: exit {done.returncode}\n{done.stderr.decode()[-2000:]}")
    return time.perf_counter() - started


def interleaved(a, b, runs: int) -> tuple[float, float, float]:
    """Medians of a and b, and of a/b pair by pair (a drift of the machine's speed cancels)."""
    a(), b()  # warm-up: bytecode written, files in the page cache
    pairs = [(a(), b()) for _ in range(runs)]
    return (
        statistics.median(p[0] for p in pairs),
        statistics.median(p[1] for p in pairs),
        statistics.median(p[0] / p[1] for p in pairs),
    )


def main(runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "mail"
        folder.mkdir()
        for i in range(FOLDER_FILES):
            (folder / f"{i:02d}.eml").write_bytes(message([], body=f"{TINY_BODY}({i})\n"))
        tiny = str(folder / "00.eml")
        start, bare, over_bare = interleaved(
            lambda: wall(check(tiny)), lambda: wall([sys.executable, "-c", "pass"]), runs
        )
        files = sorted(str(p) for p in folder.iterdir())
        batch, singles, over_singles = interleaved(
            lambda: wall(check(str(folder))), lambda: sum(wall(check(f)) for f in files), max(3, runs // 3)
        )
    return {
        "check_tiny_s": round(start, 4),
        "target_s": TARGET_S,
        "check_tiny_over_target": round(start / TARGET_S, 3),
        "python_pass_s": round(bare, 4),
        "check_tiny_over_python_pass": round(over_bare, 2),
        "folder_files": FOLDER_FILES,
        "check_dir_s": round(batch, 4),
        "check_each_file_s": round(singles, 4),
        "check_dir_over_check_each_file": round(over_singles, 3),
        "runs": runs,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    figures = main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
    print(
        f"check tiny.eml: {figures['check_tiny_s']:.3f} s wall (target < {TARGET_S} s: "
        f"{figures['check_tiny_over_target']:.2f} of it); python -c pass {figures['python_pass_s']:.3f} s "
        f"(check = {figures['check_tiny_over_python_pass']:.1f}x)"
    )
    print(
        f"check DIR of {FOLDER_FILES} files: {figures['check_dir_s']:.3f} s; {FOLDER_FILES} x check FILE: "
        f"{figures['check_each_file_s']:.3f} s (ratio {figures['check_dir_over_check_each_file']:.3f})"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
