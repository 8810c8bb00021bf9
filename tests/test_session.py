"""GuardSMTP parses MAIL/RCPT addresses exactly as aiosmtpd does (it only drops a hot spot)."""
from __future__ import annotations

import asyncio

import pytest
from aiosmtpd.smtp import SMTP

from proxy.session import GuardSMTP

CASES = ["<taro@example.co.jp>", "<taro@example.co.jp> SIZE=1000 BODY=8BITMIME", "taro@example.co.jp",
         "", "<>", "<broken", "<" + "x" * 80 + "@example.co.jp>", '<"quoted local"@example.co.jp>',
         "<日本語@例え.jp>", "<a@[127.0.0.1]>", "  <spaced@example.co.jp>"]


@pytest.mark.parametrize("arg", CASES)
def test_same_address_parsing_as_aiosmtpd(arg):
    async def both():
        class Handler:
            pass
        return GuardSMTP(Handler())._getaddr(arg), SMTP(Handler())._getaddr(arg)
    ours, theirs = asyncio.run(both())
    assert ours == theirs
