"""The sender's hold page over HTTP (issue 18, items 1, 2 and 6): the primary button posts
the fix the reasons ask for, the page after the fix says what was done and what the
re-inspection found, an empty fix is an error, sending unchanged needs a confirmation the
server checks, and no stored notation or English word shows on the Japanese page."""

from __future__ import annotations

import re

import pytest

from inspectors.base import Envelope
from inspectors.recipients import ExternalRecipients
from proxy.pipeline import inspect_raw
from quarantine.judgement import Judgement
from quarantine.link_names import names_taken
from rules import Action, MessageFacts, decide, load_rules

from .page_words import english_words
from .sender_page import held_on, open_store, serving
from .test_explain_findings import CUSTOMER_CSV
from .test_sender_primary_fix import INSPECTORS, OURS, mail

is_external = ExternalRecipients((OURS,)).is_external
PAGE = "/h/tok-Q1"
TEST_DATA = ("testclient",)  # the TestClient's address, in the history


async def judge(
    raw: bytes, envelope: Envelope, *, sender: str | None = None, links: bool = False
) -> Judgement:
    """The real inspection and the shipped rules, as the guard judges a fixed message."""
    inspection = inspect_raw(raw, envelope, INSPECTORS)
    facts = MessageFacts(mail_from=envelope.mail_from, rcpt_tos=envelope.rcpt_tos)
    also = (Action.LINK_ATTACHMENTS,) if links else ()
    decision = decide(list(inspection.findings), facts, load_rules(), also=also)
    if Action.LINK_ATTACHMENTS in decision.rewrites:  # as proxy/judge.py: on what the links take
        linked = names_taken(raw, inspection.summary.attachments)
        decision = decide(list(inspection.findings), facts, load_rules(), also=also, linked=linked)
    return Judgement(
        findings=inspection.findings, summary=inspection.summary, seconds=0.0, decision=decision, raw=raw
    )


def held(raw: bytes, env: Envelope):
    inspection = inspect_raw(raw, env, INSPECTORS)
    return held_on(raw, env, inspection.findings, inspection.summary)


@pytest.fixture
def page_of(sqlite_url):
    """Serves one held message (raw, envelope) under tok-Q1; yields (client, store)."""
    opened = []

    def serve(raw: bytes, env: Envelope):
        store = open_store(sqlite_url)
        context = serving(store, held(raw, env), OURS, f"guard@{OURS}", judge)
        web = context.__enter__()
        opened.append(context)
        return web, store

    yield serve
    for context in opened:
        context.__exit__(None, None, None)


def form_of(html: str, form_id: str) -> dict[str, list[str]]:
    """The hidden fields of a form, as the browser would post them."""
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)
    assert form, f"no form {form_id}"
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)):
        data.setdefault(name, []).append(value)
    return data


LOOKALIKE = mail(["tanaka@a-c0rp.co.jp", "ito@sample.co.jp"])


def test_the_primary_button_removes_the_lookalike_and_the_page_says_it_was_sent(page_of):
    web, store = page_of(*LOOKALIKE)
    page = web.get(PAGE, headers={"accept-language": "ja"}).text
    assert re.search(r'<button class="release" id="primary-fix">この宛先を外して送信</button>', page)
    assert page.index('id="decide-hold"') < page.index("<h2>宛先"), (
        "the actions come before the recipient list"
    )
    assert '<span class="field field-To">To</span>tanaka@a-c0rp.co.jp' in page
    assert english_words(page, TEST_DATA) == []
    fields = form_of(page, "suggested")
    assert fields == {"csrf": ["c"], "remove": ["tanaka@a-c0rp.co.jp"]}
    r = web.post(f"{PAGE}/fix?lang=ja", data=fields, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}?fixed=1&lang=ja"
    after = web.get(r.headers["location"]).text
    outcome = re.search(r'<section id="fix-outcome".*?</section>', after, re.S).group(0)
    assert "宛先を外しました (1): t***@a-c0rp.co.jp" in outcome
    assert "問題は見つからなかったため送信しました" in outcome and "state-released" in after
    assert english_words(after, TEST_DATA) == []
    detail = [e.detail for e in web.portal.call(store.audit_trail, "Q1") if e.action == "modified"]
    assert detail and "tanaka@" not in detail[0], "the audit row keeps masked samples only"
    # Without the flag the same page is just the message's page: the outcome names nothing.
    assert 'id="fix-outcome"' not in web.get(PAGE).text


def test_a_fix_that_leaves_a_reason_says_what_was_done_and_what_still_holds_it(page_of):
    raw, env = mail(
        ["tanaka@a-c0rp.co.jp", "suzuki@b-corp.co.jp"], files=[("顧客一覧.csv", CUSTOMER_CSV.encode())]
    )
    web, _ = page_of(raw, env)
    page = web.get(PAGE).text
    assert "指摘された点を直して送信" in page  # the look-alike and the list: one fix of two parts
    r = web.post(f"{PAGE}/fix", data={"csrf": "c", "remove": "tanaka@a-c0rp.co.jp"})
    assert r.status_code == 200 and r.url.query == b"fixed=1"
    outcome = re.search(r'<section id="fix-outcome".*?</section>', r.text, re.S).group(0)
    assert "宛先を外しました (1)" in outcome
    assert "修正後のメールを再検査した結果、まだ確認が必要です。" in outcome
    assert "state-held" in r.text and "個人情報" in re.search(
        r'<section id="why">.*?</section>', r.text, re.S
    ).group(0)
    assert re.search(r'id="primary-fix">添付ファイルをダウンロードリンクにして送る<', r.text), (
        "the next fix: links"
    )
    assert re.search(r'id="drop-instead">添付を外して送信<', r.text), "or the attachment removed"
    english = web.get(f"{PAGE}?fixed=1", headers={"accept-language": "en"}).text
    assert "Recipients removed (1)" in english and "still needs your review" in english


def test_an_empty_fix_is_an_error_not_a_silent_reload(page_of):
    web, store = page_of(*LOOKALIKE)
    for data in ({"csrf": "c"}, {"csrf": "c", "remove": "nobody@else.example", "drop": "9.9", "bcc": "yes"}):
        r = web.post(f"{PAGE}/fix", data=data, follow_redirects=False)
        assert r.status_code == 400
        assert "修正する項目が選ばれていません" in r.text and '<details class="fix" open>' in r.text
    assert web.portal.call(store.get, "Q1").state == "held"
    assert not [e for e in web.portal.call(store.audit_trail, "Q1") if e.action == "modified"]


def test_sending_unchanged_needs_the_confirmation_on_the_server(page_of):
    web, store = page_of(*LOOKALIKE)
    page = web.get(PAGE).text
    assert re.search(
        r'<button class="secondary" name="action" value="release" id="release">修正せずにこのまま送信<', page
    )
    ack = re.findall(r'name="ack" value="([^"]+)"', page)
    assert ack, "a look-alike domain is on the checklist"
    r = web.post(PAGE, data={"csrf": "c", "action": "release", "ack": ack}, follow_redirects=False)
    assert r.status_code == 400 and "確認欄にチェックしてください" in r.text
    r = web.post(PAGE, data={"csrf": "c", "action": "release", "confirm": "1"}, follow_redirects=False)
    assert r.status_code == 400 and "確認していない項目があります" in r.text, "the checklist still counts"
    assert web.portal.call(store.get, "Q1").state == "held"
    r = web.post(
        PAGE, data={"csrf": "c", "action": "release", "confirm": "1", "ack": ack}, follow_redirects=False
    )
    assert r.status_code == 303 and web.portal.call(store.get, "Q1").state == "released"


def test_the_bcc_hold_offers_bcc_names_who_moves_and_history_reads_in_japanese(page_of):
    to = [f"p{i}@a-corp.co.jp" for i in range(6)] + [f"q{i}@b-corp.co.jp" for i in range(6)]
    web, _store = page_of(*mail(to, subject="セミナーのご案内", bcc=["boss@sample.co.jp"]))
    page = web.get(PAGE).text
    assert re.search(r'id="primary-fix">Bccに移して送信<', page)
    assert form_of(page, "suggested") == {"csrf": ["c"], "bcc": ["1"]}
    assert '<span class="field field-Bcc">Bcc</span>boss@sample.co.jp' in page
    r = web.post(f"{PAGE}/fix", data=form_of(page, "suggested"))
    assert "社外の宛先を To/Cc から Bcc に移しました。" in r.text and "state-released" in r.text
    history = re.search(r'<table id="history">.*?</table>', r.text, re.S).group(0)
    shown = re.sub(r"<[^>]+>", " ", history)
    for notation in ("held", "modified", "released", "sender", "system"):
        assert not re.search(rf"\b{notation}\b", shown), notation
    assert english_words(r.text, TEST_DATA) == []
