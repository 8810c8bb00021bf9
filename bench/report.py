"""The results file a benchmark writes: its figures, the machine they were measured on and when,
as JSON under bench/results/ (committed, so that a later run can be compared with it)."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path


def write(path: Path, figures: dict) -> None:
    """Writes `figures` to `path`, followed by "machine" and "when"."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                **figures,
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                },
                "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
