"""Issue 12, short fuzzing run: no message carrying a canary may pass, hang or crash.

Every structural case of the issue (tests/fuzz/structural.py, at half size where size
costs) is its own test, through the relay's pipeline and through `misdelivery-guard check`,
so that which classes are closed shows case by case. Then 100 seeded mutations of the shared
corpus go through the relay's pipeline as one test. The long run is `python -m tests.fuzz`
(README, "Fuzzing"). The last tests check the harness itself: that it can see an escape,
a crash, a hang and the memory limit at all.
"""

from __future__ import annotations

import sys

import pytest

from .fuzz.blocks import Case
from .fuzz.mutations import CORPUS, mutations
from .fuzz.outcome import GOOD, Outcome
from .fuzz.runner import CheckRunner, Limits, RelayRunner, write_config
from .fuzz.structural import CONTROLS, LONG_ONLY, NO_CANARY, STRUCTURAL, build

pytestmark = pytest.mark.process

SCALE = 0.5
LIMITS = Limits(inspection_timeout=2.0, memory_mb=2_048)
SEED, MUTATIONS = 12, 100
SHORT = [name for name in STRUCTURAL if name not in LONG_ONLY]


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return write_config(tmp_path_factory.mktemp("fuzz"), LIMITS)


@pytest.fixture(scope="module")
def relay(config):
    with RelayRunner(config, LIMITS) as runner:
        yield runner


def describe(o: Outcome) -> str:
    return (
        f"{o.case} via {o.path}: {o.status} after {o.seconds:.1f}s; rules={list(o.rules)} "
        f"errors={list(o.errors)} canary_found={o.canary_found} {o.detail}"
    )


@pytest.mark.parametrize("name", SHORT)
def test_structural_case_is_held_by_the_relay(relay, name):
    outcome = relay.run(build(name, SCALE))
    assert outcome.status in GOOD, describe(outcome)


@pytest.mark.parametrize("name", SHORT)
def test_structural_case_is_held_by_check(config, name):
    outcome = CheckRunner(config, LIMITS).run(build(name, SCALE))
    assert outcome.status in GOOD, describe(outcome)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not checked out next to the repository")
def test_mutated_corpus_attachments_are_held(relay):
    bad = [o for o in map(relay.run, mutations(MUTATIONS, SEED)) if o.bad]
    assert not bad, f"{len(bad)} of {MUTATIONS} (seed {SEED}):\n" + "\n".join(map(describe, bad))


# --- the harness itself ------------------------------------------------------------------


@pytest.mark.parametrize("name", CONTROLS)
def test_canary_is_found_where_the_cases_put_it(relay, name):
    """Harmless messages of the cases' shapes are held for the canary itself: a case that
    passes is a hole in inspection, not a canary the detectors cannot see."""
    outcome = relay.run(Case(name, "control", "", CONTROLS[name]()))
    assert outcome.status == "held" and outcome.canary_found, describe(outcome)


def test_a_message_without_canary_is_reported_as_passed(relay):
    outcome = relay.run(Case("no-canary", "control", "", NO_CANARY))
    assert outcome.status == "PASSED" and outcome.bad, describe(outcome)


def _stand_in(tmp_path, body: str) -> RelayRunner:
    """A child that says ready and then does `body` with the first message."""
    script = (
        "import sys, json; print(json.dumps({'ready': True}), flush=True); "
        f"sys.stdin.buffer.read(4); {body}"
    )
    limits = Limits(inspection_timeout=1.0, wall=2.0, memory_mb=512)
    return RelayRunner(tmp_path / "unused.yaml", limits, command=[sys.executable, "-c", script])


@pytest.mark.parametrize(
    "body, status, detail",
    [
        ("import os; os.abort()", "crash", "signal SIGABRT"),
        ("import time; time.sleep(60)", "timeout", "no verdict after 2s"),
        ("x = bytearray(1 << 30)", "exception", "MemoryError"),  # over the 512 MB limit
    ],
)
def test_harness_reports_crash_hang_and_memory_limit(tmp_path, body, status, detail):
    with _stand_in(tmp_path, body) as runner:
        outcome = runner.run(Case("stand-in", "control", "", NO_CANARY))
    assert outcome.status == status and outcome.bad, describe(outcome)
    assert detail in outcome.detail
