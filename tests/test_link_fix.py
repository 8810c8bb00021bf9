"""The hold page's fix "send the attachments as download links" (issue 19, 脱PPAP): offered
first for a hold whose reasons only the attachments carry, posted with CSRF, judged again
with link_attachments; the bytes stay, the stored decision says how they are delivered."""

from __future__ import annotations

import re
from dataclasses import replace

from inspectors.base import Envelope
from quarantine.fix_outcome import read, write
from quarantine.judgement import Judgement
from quarantine.sender_fix import suggest
from rules import Action
from rules.model import LinkTerms

from .page_words import english_words
from .sender_page import serving
from .support import CORPUS
from .test_explain_findings import CUSTOMER_CSV
from .test_sender_fix_feedback import PAGE, TEST_DATA, form_of, held, judge, page_of  # noqa: F401
from .test_sender_primary_fix import OURS, is_external, mail

ENCRYPTED_ZIP = (
    CORPUS / "attachments" / "libarchive" / "test_read_format_zip_traditional_encryption_data.zip"
).read_bytes()
PPAP = mail(
    ["tanaka@a-corp.co.jp", "ito@sample.co.jp"], subject="お見積書", files=[("見積書.zip", ENCRYPTED_ZIP)]
)


def test_ppap_offers_the_links_first_and_dropping_second():
    raw, env = PPAP
    record = held(raw, env)
    assert record.decision.action == Action.HOLD
    fix = suggest(record.decision, env.rcpt_tos, record.summary.attachments, is_external)
    assert fix is not None and fix.links_primary and fix.label == "fix.primary.links"
    assert [name for name, _ in fix.drop] == ["見積書.zip"] and fix.drop_label == "fix.primary.drop"


def test_links_are_offered_only_with_attachments_and_someone_outside():
    inside = mail(["ito@sample.co.jp"], files=[("顧客一覧.csv", CUSTOMER_CSV.encode())])
    record = held(*inside)
    assert suggest(record.decision, inside[1].rcpt_tos, record.summary.attachments, is_external) is None
    plain = mail(["tanaka@a-c0rp.co.jp", "ito@sample.co.jp"])  # a look-alike, no attachment
    record = held(*plain)
    fix = suggest(record.decision, plain[1].rcpt_tos, record.summary.attachments, is_external)
    assert fix is not None and not fix.links and fix.label == "fix.primary.remove"
    ppap = held(*PPAP)
    ruled = replace(ppap.decision, rewrites=(Action.LINK_ATTACHMENTS,), links=LinkTerms())
    fix = suggest(ruled, PPAP[1].rcpt_tos, ppap.summary.attachments, is_external)
    assert fix is not None and not fix.links and fix.label == "fix.primary.drop"  # a rule links already


def test_the_fix_records_links_in_its_audit_detail():
    detail = write([], [], False, "pass", links=True)
    assert detail.endswith(" links=1") and read(detail).links
    assert not read(write([], ["a.zip"], False, "pass")).links


def test_a_ppap_hold_posted_with_links_is_released_with_link_terms(page_of):  # noqa: F811
    web, store = page_of(*PPAP)
    page = web.get(PAGE, headers={"accept-language": "ja"}).text
    assert re.search(
        r'<button class="release" id="primary-fix">添付ファイルをダウンロードリンクにして送る</button>', page
    )
    assert re.search(r'<button class="secondary" id="drop-instead">添付を外して送信</button>', page)
    assert "確認コード" in page and "7日間" in page
    assert english_words(page, TEST_DATA) == []
    fields = form_of(page, "suggested")
    assert fields == {"csrf": ["c"], "links": ["1"]}
    before = web.portal.call(store.raw_of, "Q1")

    forged = web.post(f"{PAGE}/fix", data={"csrf": "forged", "links": "1"}, follow_redirects=False)
    assert forged.status_code == 403 and web.portal.call(store.get, "Q1").state == "held"
    missing = web.post(f"{PAGE}/fix", data={"links": "1"}, follow_redirects=False)
    assert missing.status_code == 403 and web.portal.call(store.get, "Q1").state == "held"

    r = web.post(f"{PAGE}/fix?lang=ja", data=fields, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}?fixed=1&lang=ja"
    record = web.portal.call(store.get, "Q1")
    assert record.state == "released"
    assert record.decision.rewrites == (Action.LINK_ATTACHMENTS,)
    assert record.decision.links == LinkTerms()
    stored = record.decision.to_dict()
    assert stored["rewrites"] == ["link_attachments"] and stored["links"]["max_downloads"] == 5
    assert web.portal.call(store.raw_of, "Q1") == before, "the bytes keep their attachments"
    detail = [e.detail for e in web.portal.call(store.audit_trail, "Q1") if e.action == "modified"]
    assert detail and "links=1" in detail[0] and "見積書" not in detail[0]

    after = web.get(r.headers["location"]).text
    outcome = re.search(r'<section id="fix-outcome".*?</section>', after, re.S).group(0)
    assert "添付ファイルをダウンロードリンクにして送りました" in outcome
    assert english_words(after, TEST_DATA) == []
    english = web.get(f"{PAGE}?fixed=1", headers={"accept-language": "en"}).text
    assert "The attachments were sent as download links" in english


def test_links_for_a_message_without_attachments_is_no_fix(page_of):  # noqa: F811
    web, store = page_of(*mail(["tanaka@a-c0rp.co.jp", "ito@sample.co.jp"]))
    r = web.post(f"{PAGE}/fix", data={"csrf": "c", "links": "1"}, follow_redirects=False)
    assert r.status_code == 400 and "修正する項目が選ばれていません" in r.text
    assert web.portal.call(store.get, "Q1").state == "held"


def test_the_links_fix_of_a_finished_hold_is_refused(page_of):  # noqa: F811
    web, store = page_of(*PPAP)
    web.portal.call(lambda: store.decide_hold("Q1", "cancelled", actor="sender", client_addr=None))
    r = web.post(f"{PAGE}/fix", data={"csrf": "c", "links": "1"}, follow_redirects=False)
    assert r.status_code == 400 and web.portal.call(store.get, "Q1").state == "cancelled"
    assert not [e for e in web.portal.call(store.audit_trail, "Q1") if e.action == "modified"]


def test_a_hold_acted_on_while_it_was_judged_is_not_replaced(sqlite_url):
    from .sender_page import open_store

    raw, env = PPAP
    store = open_store(sqlite_url)

    async def meanwhile(
        raw: bytes, envelope: Envelope, *, sender: str | None = None, links: bool = False
    ) -> Judgement:
        await store.decide_hold("Q1", "cancelled", actor="sender", client_addr=None)  # another tab
        return await judge(raw, envelope, sender=sender, links=links)

    with serving(store, held(raw, env), OURS, f"guard@{OURS}", meanwhile) as web:
        r = web.post(f"{PAGE}/fix", data={"csrf": "c", "links": "1"}, follow_redirects=False)
        assert r.status_code == 400 and "state-cancelled" in r.text
        record = web.portal.call(store.get, "Q1")
        assert record.state == "cancelled" and record.decision.links is None
        assert not [e for e in web.portal.call(store.audit_trail, "Q1") if e.action == "modified"]


# Client B's quote in an attachment, to client A: a link would take it to the wrong client too.
WRONG_CLIENT = mail(
    ["tanaka@a-corp.co.jp"],
    subject="お見積書",
    files=[("見積書.txt", "株式会社ビー 御中\n御見積書\n".encode())],
)


def test_another_client_s_document_is_dropped_first_and_links_do_not_release_it(page_of):  # noqa: F811
    raw, env = WRONG_CLIENT
    record = held(raw, env)
    fix = suggest(record.decision, env.rcpt_tos, record.summary.attachments, is_external)
    assert fix is not None and fix.links and not fix.links_answer
    assert not fix.links_primary and fix.label == "fix.primary.drop"

    web, store = page_of(raw, env)
    page = web.get(PAGE, headers={"accept-language": "ja"}).text
    assert re.search(r'<button class="release" id="primary-fix">添付を外して送信</button>', page)
    assert form_of(page, "suggested") == {"csrf": ["c"], "drop": ["1.2"]}
    assert 'id="links-option"' in page  # still offered, second
    assert english_words(page, TEST_DATA) == []
    # Sent as links anyway: judged again, it stays held for the other client's name.
    r = web.post(f"{PAGE}/fix", data={"csrf": "c", "links": "1"}, follow_redirects=False)
    assert r.status_code == 303
    after = web.portal.call(store.get, "Q1")
    assert after.state == "held" and after.decision.rewrites == (Action.LINK_ATTACHMENTS,)
    assert "client-mismatch" in [m.id for m in after.decision.deciding]
