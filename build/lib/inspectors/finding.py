"""A Finding: what an inspector reports about a message (DESIGN.md, the seams). Codes and
counts, where it was found, and masked evidence only: never raw personal data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Finding:
    code: str  # dotted area.kind, e.g. "pii.my_number"
    count: int  # distinct values (or records) found
    where: tuple[str, ...] = ()  # "body", "attachment:顧客.xlsx!Sheet1!D2:D120", "header:To"
    evidence: tuple[str, ...] = ()  # masked samples only, never raw personal data

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "count": self.count,
            "where": list(self.where),
            "evidence": list(self.evidence),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            code=data["code"],
            count=int(data["count"]),
            where=tuple(data.get("where", ())),
            evidence=tuple(data.get("evidence", ())),
        )
