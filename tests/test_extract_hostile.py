"""Hostile input to today's readers: each case once cost minutes of CPU, gigabytes, a crash
or a silent skip; bounded and reported now."""
from __future__ import annotations

import time

from inspectors.extract.rtf import rtf_text
from inspectors.message import parse

from .test_message_mime import ENV, codes, mail_with, texts


def cpu(call, *args):
    start = time.process_time()
    result = call(*args)
    return result, time.process_time() - start


def test_rtf_that_makes_striprtf_backtrack_is_read_in_linear_time():
    """striprtf's font-table scan and hyperlink rewrite backtracked over the whole line from
    every start: 2 KB of the first took 18 s of CPU, 200 KB of the second 5.6 s."""
    fonts = b"{\\rtf1{\\fonttbl" + b"\\f1\\fcharset0 " * 100 + b"}{\\f1 Taro 090-1234-5678}}"
    unclosed = b"{\\rtf1{\\fonttbl" + b"\\f1 " * 20_000 + b"}"
    fields = b"{\\rtf1 " + b"{\\field{\\*\\fldinst{" * 10_000 + b"}"
    for document in (fonts, unclosed, fields):
        _, seconds = cpu(rtf_text, document)
        assert seconds < 1.0, (document[:30], seconds)
    assert "090-1234-5678" in rtf_text(fonts)
    link = (b'{\\rtf1 {\\field{\\*\\fldinst{HYPERLINK "mailto:taro@example.jp"}}'
            b'{\\fldrslt{Contact}}} us}')
    view = parse(mail_with(("link.rtf", link)), ENV)
    text = texts(view)["attachment:link.rtf"]
    assert "Contact" in text and "mailto:taro@example.jp" in text and not codes(view)
