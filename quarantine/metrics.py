"""Prometheus metrics: what the guard did, for /metrics.

One registry per guard (no process-global state): the proxy counts, the web page exposes.
Every sample carries the guard's `instance` label (instance.id) when it has one: several guards
behind one load balancer are told apart on one Prometheus, whichever answered the scrape.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import Metric

from rules.model import Action, Decision

CONTENT_TYPE = CONTENT_TYPE_LATEST


class _Labelled:
    """A registry's samples, each with `instance` added (a collector, for the exposed registry):
    one place for the label rather than a label name on every metric and every call."""

    def __init__(self, inner: CollectorRegistry, instance: str) -> None:
        self.inner = inner
        self.instance = instance

    def collect(self):
        for family in self.inner.collect():
            out = Metric(family.name, family.documentation, family.type, family.unit)
            out.samples = [s._replace(labels={"instance": self.instance, **s.labels}) for s in family.samples]
            yield out


class Metrics:
    def __init__(self, instance: str = "") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.exposed = self.registry
        if instance:
            self.exposed = CollectorRegistry(auto_describe=False)
            self.exposed.register(_Labelled(self.registry, instance))
        self.messages = Counter(
            "mdg_messages", "Inspected messages by verdict", ["verdict"], registry=self.registry
        )
        self.holds = Counter(
            "mdg_holds_by_rule", "Holds by the rule that decided them", ["rule"], registry=self.registry
        )
        self.matches = Counter(
            "mdg_rule_matches", "Rule matches by mode", ["rule", "mode"], registry=self.registry
        )
        self.inspection = Histogram(
            "mdg_inspection_seconds",
            "Time to parse and inspect a message",
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30),
            registry=self.registry,
        )
        self.upstream_errors = Counter(
            "mdg_upstream_errors", "Upstream failures on the pass path", ["kind"], registry=self.registry
        )
        self.pending = Gauge(
            "mdg_pending_outbound", "Released messages and notices waiting to be sent", registry=self.registry
        )
        self.notices_failed = Counter(
            "mdg_notices_failed",
            "Notices given up on (hold notices, approval requests, failure notices): nobody was told",
            registry=self.registry,
        )
        self.undelivered = Gauge(
            "mdg_delivery_failed_holds",
            "Released messages given up on, waiting for an admin to retry (state delivery_failed)",
            registry=self.registry,
        )

    def decided(self, decision: Decision, seconds: float) -> None:
        self.messages.labels(decision.verdict).inc()
        self.inspection.observe(seconds)
        for m in decision.matched:
            self.matches.labels(m.id, m.mode).inc()
        if decision.verdict == Action.HOLD:
            for m in decision.deciding:
                self.holds.labels(m.id).inc()

    def exposition(self, pending: int, undelivered: int = 0) -> bytes:
        self.pending.set(pending)
        self.undelivered.set(undelivered)
        return generate_latest(self.exposed)
