"""A salesperson fixes his held mail in a real browser (issue 18, items 1, 2, 5, 6): a Bcc
mistake, a look-alike domain and a customer list attached, each at 1280 and 390 px. The blue
button is the fix the reason asks for; after it the page says what was done and that the
re-inspection let the mail go; nothing scrolls sideways, long unbroken subjects, addresses and
file names included; every word on the Japanese page is Japanese.

One guard and one browser for the module; screenshots in tests/output/i18-sender-*.png.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest

from .browser import assert_fits, new_page, screenshot
from .support import make_guard, notice_link
from .test_explain_findings import CUSTOMER_CSV

pytestmark = [pytest.mark.browser, pytest.mark.process]

SENDER = "taro@example.co.jp"
ORG = {
    "internal_domains": ["example.co.jp"],
    "clients": [
        {"name": "株式会社エー", "domains": ["a-corp.co.jp"]},
        {"name": "株式会社ビー", "domains": ["b-corp.co.jp"]},
    ],
}
WIDTHS = (1280, 390)
LONG = "あ" * 160  # one unbroken run of characters: it must wrap, not widen the page
LONG_LOCAL = "t" + "1" * 60  # an address as long as a local part may be
SEMINAR = [f"guest{i}@a-corp.co.jp" for i in range(6)] + [f"guest{i}@b-corp.co.jp" for i in range(6)]


@pytest.fixture(scope="module")
def guard(tmp_path_factory, module_upstream):
    running = make_guard(tmp_path_factory.mktemp("guard"), module_upstream.url, organization=ORG).start()
    yield running
    running.stop()


def _mail(to: list[str], subject: str, files: list[tuple[str, bytes]] = ()) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = SENDER, ", ".join(to), subject
    msg.set_content("お世話になっております。資料をお送りします。")
    for name, data in files:
        msg.add_attachment(data, maintype="text", subtype="csv", filename=name)
    return msg.as_bytes(policy=SMTP)


def _held(guard, upstream, to: list[str], raw: bytes) -> str:
    """Sends the message and returns the link of the notice it gets."""
    before = len(upstream.recorder.to(SENDER))
    with guard.smtp() as client:
        client.sendmail(SENDER, to, raw)
    upstream.recorder.wait_for(len(upstream.recorder.messages) + 1)
    notices = upstream.recorder.to(SENDER)
    assert len(notices) == before + 1, "one notice for the hold"
    return notice_link(notices[-1])


def _open(browser, link: str, width: int):
    page = new_page(browser, width, height=900)
    page.goto(link)
    return page.context, page


def _japanese_only(page) -> None:
    from .page_words import english_words, visible_text

    html = page.content()
    assert english_words(html) == [], visible_text(html)


def _walk(
    browser, link: str, width: int, name: str, button: str, said: list[str], click: str = "#primary-fix"
) -> None:
    """`button`: the primary button's words; `click`: the button pressed."""
    context, page = _open(browser, link, width)
    try:
        primary = page.locator("#primary-fix")
        assert primary.inner_text() == button
        assert page.locator("#release").inner_text() == "修正せずにこのまま送信"
        # The action comes before the recipient list, on a phone too.
        heading = page.locator("h2", has_text="宛先").first
        assert primary.bounding_box()["y"] < heading.bounding_box()["y"]
        assert_fits(page, width)
        _japanese_only(page)
        screenshot(page, f"i18-sender-{name}-held-{width}.png")
        page.locator(click).click()
        page.wait_for_load_state()
        outcome = page.locator("#fix-outcome").inner_text()
        for words in said + ["修正後のメールを再検査した結果、問題は見つからなかったため送信しました。"]:
            assert words in outcome, (words, outcome)
        assert page.locator(".state-released").count() == 1
        assert_fits(page, width)
        _japanese_only(page)
        screenshot(page, f"i18-sender-{name}-fixed-{width}.png")
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_bcc_mistake_is_fixed_by_the_primary_button(guard, module_upstream, browser, width):
    link = _held(guard, module_upstream, SEMINAR, _mail(SEMINAR, "セミナーのご案内" + LONG))
    _walk(browser, link, width, "bcc", "Bccに移して送信", ["社外の宛先を To/Cc から Bcc に移しました。"])
    sent = [m for m in module_upstream.recorder.to(SEMINAR[0]) if b"undisclosed-recipients" in m.data]
    assert sent, "delivered with the externals hidden"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_lookalike_domain_is_removed_by_the_primary_button(guard, module_upstream, browser, width):
    typo = f"{LONG_LOCAL}@a-c0rp.co.jp"
    to = [typo, "suzuki@b-corp.co.jp"]
    link = _held(guard, module_upstream, to, _mail(to, "お打ち合わせの件" + LONG))
    context, page = _open(browser, link, width)
    try:  # the directory's client name beside the domain, each recipient's field
        orgs = page.locator(".orgname").all_inner_texts()
        assert any(o.startswith("株式会社ビー (b-corp.co.jp)") for o in orgs), orgs
        assert page.locator(".field-To").count() == 2
    finally:
        context.close()
    _walk(
        browser, link, width, "lookalike", "この宛先を外して送信", ["宛先を外しました (1): t***@a-c0rp.co.jp"]
    )
    assert module_upstream.recorder.to(typo) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_customer_list_is_removed_by_the_primary_button(guard, module_upstream, browser, width):
    name = f"顧客一覧{LONG}.csv"
    to = ["tanaka@a-corp.co.jp"]
    link = _held(guard, module_upstream, to, _mail(to, "資料送付", [(name, CUSTOMER_CSV.encode("utf-8"))]))
    context, page = _open(browser, link, width)
    try:  # a short kind, not a MIME type
        assert "text/csv" not in page.content() and page.locator("td.kind").inner_text() == "CSV"
    finally:
        context.close()
    # issue 19: the links come first; removing the list is the second button
    _walk(
        browser,
        link,
        width,
        "attachment",
        "添付ファイルをダウンロードリンクにして送る",
        ["添付ファイルを外しました (1): 顧***.csv"],
        click="#drop-instead",
    )
