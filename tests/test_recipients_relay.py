"""Issue 5's findings through the running guard: the directory from the configuration and
from `clients import` / `suppress import`, the history kept from real deliveries."""

from __future__ import annotations

import quopri
import time

import httpx

from .cli import cli
from .support import LINK, message, wait_until

ORG = {
    "internal_domains": ["example.co.jp"],
    "names": ["株式会社サンプル"],
    "clients": [
        {"name": "株式会社エー", "aliases": ["エー社"], "domains": ["a-corp.co.jp"]},
        {"name": "株式会社ビー", "aliases": ["ビー社"], "domains": ["b-corp.co.jp"]},
    ],
    "suppressed_recipients": ["former@member.example"],
}


def _send(guard, rcpts, raw, sender="taro@example.co.jp") -> tuple[int, bytes]:
    with guard.smtp() as client:
        client.ehlo()
        client.mail(sender)
        for r in rcpts:
            client.rcpt(r)
        return client.data(raw)


def _page(upstream, n: int) -> str:
    notice = upstream.recorder.wait_for(n)[n - 1]
    return httpx.get(
        LINK.search(quopri.decodestring(notice.data)).group(0).decode(), headers={"Accept-Language": "en"}
    ).text


def test_client_named_in_the_subject_is_not_the_one_mailed(guard_factory, upstream):
    guard = guard_factory(organization=ORG).start()
    code, text = _send(
        guard, ["tanaka@a-corp.co.jp"], message("株式会社ビー御中 お見積書", to="tanaka@a-corp.co.jp")
    )
    assert code == 250 and b"Held" in text
    page = _page(upstream, 1)
    assert "another client&#39;s name" in page or "another client's name" in page
    assert 'value="ack"' not in page and 'name="ack"' in page  # the checklist is there
    code, _ = _send(
        guard, ["tanaka@a-corp.co.jp"], message("株式会社エー御中 お見積書", to="tanaka@a-corp.co.jp")
    )
    assert code == 250 and upstream.recorder.wait_for(2)[1].rcpt_tos == ["tanaka@a-corp.co.jp"]


def test_lookalike_and_suppressed_recipients_are_held(guard_factory, upstream):
    guard = guard_factory(organization=ORG).start()
    code, text = _send(guard, ["tanaka@a-c0rp.co.jp"], message("ご連絡"))
    assert code == 250 and b"Held" in text
    assert "a-corp.co.jp" in _page(upstream, 1)
    code, text = _send(guard, ["former@member.example"], message("ニュースレター"))
    assert code == 250 and b"Held" in text


def test_visible_external_of_many_organisations_is_held(guard_factory, upstream):
    guard = guard_factory(organization=ORG).start()
    rcpts = [f"user{i}@org{i % 5}.example" for i in range(12)]
    code, text = _send(guard, rcpts, message("セミナーのご案内", to=", ".join(rcpts)))
    assert code == 250 and b"Held" in text
    code, text = _send(guard, rcpts, message("セミナーのご案内", to="taro@example.co.jp"))  # Bcc: fine
    assert code == 250 and b"queued as" in text


def test_imported_directory_reaches_the_running_guard(guard_factory, upstream, tmp_path):
    guard = guard_factory(organization={"internal_domains": ["example.co.jp"]}).start()
    assert _send(guard, ["x@c-corp.co.jp"], message("株式会社シー御中 請求書"))[0] == 250
    csv = tmp_path / "clients.csv"
    csv.write_text("name,domains\n株式会社シー,c-corp.co.jp\n株式会社ディー,d-corp.co.jp\n", "utf-8")
    out = cli("clients", "import", str(csv), "--config", str(guard.config_path), text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    wait_until(  # the guard polls the directory and rebuilds its inspectors
        lambda: b"Held" in _send(guard, ["x@d-corp.co.jp"], message("株式会社シー御中 請求書"))[1],
        "the imported directory never reached the inspectors",
        timeout=20,
        interval=1,
    )
    # The inspectors are swapped before the line is logged: a loaded machine can serve the
    # message in between.
    wait_until(lambda: "event=directory_reloaded" in guard.log, "the reload was never logged", timeout=10)


def test_first_time_recipient_is_learned_from_deliveries(guard_factory, upstream):
    guard = guard_factory(organization=ORG).start()
    _send(guard, ["p@newco.example"], message("1"))
    time.sleep(2)  # the history is written in batches, about every second
    _send(guard, ["p@newco.example"], message("2"))
    assert guard.stop() == 0
    log = guard.log
    lines = [ln for ln in log.splitlines() if "findings=" in ln and "reply=250" in ln]
    assert "recipients.first_time" in lines[0] and "recipients.first_time" not in lines[1]
