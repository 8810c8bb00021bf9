"""Office corpus, class `kana` (issue 17): see make.py. Cases are registered with catalogue.case."""

from __future__ import annotations
