"""The in-memory recipient history cuts the same snapshot as the inspector's own rule
(RecipientHistory.from_deliveries) over the same deliveries."""

from __future__ import annotations

import pytest

from inspectors.history import RecipientHistory
from quarantine.deliveries import DeliveryHistory

DELIVERIES = [
    ("taro@example.co.jp", "a@x.example"),
    ("hanako@example.co.jp", "b@x.example"),
    ("taro@example.co.jp", "c@y.example"),
    ("jiro@example.co.jp", "d@z.example"),
]
RCPTS = ("a@x.example", "e@x.example", "c@y.example", "q@w.example", "D@Z.example")


@pytest.mark.parametrize("sender", ["taro@example.co.jp", "Hanako@example.co.jp", "new@example.co.jp"])
def test_snapshot_matches_the_inspectors_definition(sender):
    history = DeliveryHistory(engine=None)
    for who, address in DELIVERIES:
        history.delivered(who, [address])
    assert history.snapshot(sender, RCPTS) == RecipientHistory.from_deliveries(sender, RCPTS, DELIVERIES)


def test_snapshot_of_a_new_organisation_is_empty():
    snapshot = DeliveryHistory(engine=None).snapshot("taro@example.co.jp", ("p@new.example",))
    assert not (snapshot.sender_addresses or snapshot.organisation_domains)
