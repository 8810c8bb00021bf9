"""Issue 12 (items 2-5) through the relay: each message that broke part of the extraction
and used to be answered `250 … queued` is held, and nothing of it reaches the recipient."""

from __future__ import annotations

import re

from . import test_extract_fail_closed as broken
from .test_message_mime import mail_with

_EOL = re.compile(rb"\r\n|\n|\r")


def as_sent(raw: bytes) -> bytes:
    data = _EOL.sub(b"\r\n", raw)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def test_messages_that_broke_extraction_are_held(guard, upstream):
    far = broken.far_cell_workbook("single-quotes")
    cases = {
        "encoded-word subject": broken.multipart(
            "Content-Type: text/plain\r\n\r\nhello", broken.LATER, subject="=?UTF-8?Q?見積?="
        ),
        "charset=idna": broken.multipart("Content-Type: text/plain; charset=idna\r\n\r\ncafé", broken.LATER),
        "1000 multiparts": broken.multipart(broken.nested_multiparts(1000), broken.LATER),
        "message/global": broken.multipart(f"Content-Type: message/global\r\n\r\n{broken.ENCLOSED}"),
        "message/partial": broken.multipart(
            "Content-Type: message/partial; id=x; number=2; total=2\r\n\r\nrest"
        ),
        "utf-16 csv": mail_with(("顧客.csv", broken.CSV_TEXT.encode("utf-16-le")), body="名簿です。"),
        "xlsx far cell": mail_with(("a.xlsx", far), body=broken.MY_NUMBER),
        "xls panic": mail_with(("a.xls", broken.mutated_xls()), body=broken.MY_NUMBER),
    }
    replies = {}
    with guard.smtp() as client:
        client.ehlo()
        for name, raw in cases.items():
            client.mail("taro@example.co.jp")
            client.rcpt("partner@client.example")
            replies[name] = client.data(as_sent(raw))
    assert {
        name: code for name, (code, text) in replies.items() if not (code == 250 and b"Held" in text)
    } == {}
    notices = upstream.recorder.wait_for(len(cases))
    assert all(n.rcpt_tos == ["taro@example.co.jp"] for n in notices), "only notices go out"
    assert guard.proc.poll() is None
