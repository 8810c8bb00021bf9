"""What happened to a case, and the words the harness uses for it.

held / rejected: good. PASSED: the message went out with its canary (the point of the
harness). timeout: no verdict within the harness's wall time. crash: a signal or an exit
status without a verdict. exception: a traceback escaped. No heavy imports: the child
process uses `summary` too.
"""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .blocks import Case

GOOD = ("held", "rejected")
BAD = ("PASSED", "timeout", "crash", "exception")
_TAIL = 2_000


@dataclass(frozen=True)
class Outcome:
    case: str
    issue_class: str
    canary: str
    path: str
    status: str
    seconds: float
    rules: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    canary_found: bool = False
    detail: str = ""
    bad: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bad", self.status in BAD)


def summary(out: dict, seconds: float) -> dict:
    """The parts of a `check`-style report the harness classifies by; no evidence (it could
    hold the canary's digits)."""
    findings = out["findings"]
    return {
        "verdict": out["verdict"],
        "rules": [r["id"] for r in out["rules"]],
        "codes": sorted({f["code"] for f in findings}),
        "errors": sorted(
            {
                " ".join(f["where"] + f["evidence"])
                for f in findings
                if f["code"] in ("inspector.error", "attachment.unscannable")
            }
        ),
        "canary_found": any(f["code"] == "pii.my_number" for f in findings),
        "seconds": round(seconds, 3),
    }


def ended(process: subprocess.Popen, stderr: str) -> tuple[str, str]:
    """(status, detail) of a child that ended without a verdict."""
    code = process.returncode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return "crash", f"signal {name}; {excerpt(stderr)}"
    if "Traceback (most recent call last)" in stderr:
        return "exception", f"exit {code}; {excerpt(stderr)}"
    return "crash", f"exit {code}; {excerpt(stderr)}"


def excerpt(text: str) -> str:
    """Its start (a panic's message, an abort's reason) and its end (a traceback's last
    lines): a Rust backtrace in between can run to pages."""
    text = text.strip()
    if len(text) <= _TAIL:
        return text
    return f"{text[: _TAIL // 2]} [...] {text[-_TAIL // 2 :]}"


def no_verdict(case: Case, path: str, status: str, seconds: float, detail: str) -> Outcome:
    """A case that ended without a verdict (exception, crash, timeout): `detail` says how."""
    return Outcome(
        case.name, case.issue_class, case.canary, path, status, seconds, detail=joined(case.detail, detail)
    )


def outcome_of(case: Case, path: str, answer: dict, seconds: float) -> Outcome:
    if "exception" in answer:
        return no_verdict(case, path, "exception", seconds, excerpt(answer["exception"]))
    status = {"pass": "PASSED", "hold": "held", "reject": "rejected"}[answer["verdict"]]
    return Outcome(
        case.name,
        case.issue_class,
        case.canary,
        path,
        status,
        seconds,
        rules=tuple(answer["rules"]),
        codes=tuple(answer["codes"]),
        errors=tuple(answer["errors"]),
        canary_found=answer["canary_found"],
        **_of(case),
    )


def _of(case: Case) -> dict:
    return {"detail": case.detail} if case.detail else {}


def joined(*details: str) -> str:
    return "; ".join(d for d in details if d)
