"""What the harness keeps of a `check`-style report (shared by both paths; no heavy imports)."""
from __future__ import annotations


def summary(out: dict, seconds: float) -> dict:
    """The parts of a `check`-style report the harness classifies by; no evidence (it could
    hold the canary's digits)."""
    findings = out["findings"]
    return {"verdict": out["verdict"], "rules": [r["id"] for r in out["rules"]],
            "codes": sorted({f["code"] for f in findings}),
            "errors": sorted({" ".join(f["where"] + f["evidence"]) for f in findings
                              if f["code"] in ("inspector.error", "attachment.unscannable")}),
            "canary_found": any(f["code"] == "pii.my_number" for f in findings),
            "seconds": round(seconds, 3)}
