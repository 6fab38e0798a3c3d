"""Time to the first answer on an empty data directory: model materialisation, indexing the
bundled corpus (from the shipped vectors) and one question, as a new user's first command.

    python bench/first_answer.py [--runs 2]

Each run is a fresh ``cdsbot ask`` process on a new, empty data directory; wall time and
peak memory come from the process itself (``/usr/bin/time``-style, via ``resource``).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

QUESTION = "Dịch vụ công trực tuyến toàn trình là gì?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--cdsbot", default=shutil.which("cdsbot") or ".venv/bin/cdsbot")
    args = parser.parse_args()
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="cdsbot-first-") as data:
            started = time.perf_counter()
            out = subprocess.run([args.cdsbot, "--data-dir", data, "ask", QUESTION], capture_output=True, text=True,
                                 env={**os.environ, "CDSBOT_DATA_DIR": data})
            wall = time.perf_counter() - started
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            first = out.stdout.strip().splitlines()[0] if out.stdout.strip() else out.stderr.strip()[-300:]
            print(f"run {run}: {wall:.1f} s, peak RSS so far {rss:.0f} MB, exit {out.returncode}: {first[:100]}")


if __name__ == "__main__":
    main()
