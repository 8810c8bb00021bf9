"""Mail with a PPAP zip and a PDF, and reading what the guard delivered of it (issue 19's
attachment links): the tests of the delivery, of SIGKILL and of the browser flow share them."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import re
import sqlite3
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

from .pdf_file import pdf_file
from .support import CORPUS

SENDER = "taro@example.co.jp"
EXTERNAL = ("p1@client.example", "p2@other.example")
INTERNAL = "hanako@example.co.jp"
ZIP = (
    CORPUS / "attachments" / "libarchive" / "test_read_format_zip_traditional_encryption_data.zip"
).read_bytes()
PDF = pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
FILES = {"見積書.zip": ZIP, "仕様書.pdf": PDF}
TOKEN = re.compile(r"https?://[^\s\"<>]+/d/([A-Za-z0-9_\-]{20,})")
LINKS_RULES = """
rules:
  - id: attachments-as-links
    when: {recipients: external}
    action: link_attachments
    link_expiry: 2d
    link_max_downloads: 3
"""


def ppap_mail(subject: str = "お見積りの件") -> bytes:
    """A mail client's message: text and HTML alternatives, a password zip and a PDF, CRLF."""
    message = MIMEMultipart("mixed")
    message["From"], message["Subject"] = SENDER, subject
    message["To"] = ", ".join((*EXTERNAL, INTERNAL))
    message["Message-ID"] = "<ppap-1@example.co.jp>"
    body = MIMEMultipart("alternative")
    body.attach(MIMEText("お世話になっております。\n資料をお送りします。\n", "plain", "utf-8"))
    body.attach(MIMEText("<html><body><p>資料をお送りします。</p></body></html>", "html", "utf-8"))
    message.attach(body)
    for name, data in FILES.items():
        part = MIMEApplication(data, "zip" if name.endswith(".zip") else "pdf")
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        message.attach(part)
    return message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def bodies(raw: bytes) -> dict[str, str]:
    """content type -> the decoded text of each body part; attachment file names as "files"."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    out: dict[str, str] = {"files": ""}
    for part in parsed.walk():
        if part.is_multipart():
            continue
        if part.get_filename():
            out["files"] += part.get_filename() + "\n"
        else:
            out[part.get_content_type()] = out.get(part.get_content_type(), "") + part.get_content()
    return out


def token_in(raw: bytes) -> str:
    """The one /d/ token a copy carries, the same in its text and its HTML part."""
    parts = bodies(raw)
    found = {m.group(1) for text in (parts["text/plain"], parts["text/html"]) for m in TOKEN.finditer(text)}
    assert len(found) == 1, found
    assert set(TOKEN.findall(parts["text/plain"])) == set(TOKEN.findall(parts["text/html"]))
    return found.pop()


def stored_files(db: Path) -> dict[str, tuple[str, str]]:
    """name -> (sha256 of the stored bytes, the sha256 column) of every shared file."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name, data, sha256 FROM share_files").fetchall()
    return {name: (hashlib.sha256(data).hexdigest(), digest) for name, data, digest in rows}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def by_token(db: Path, token: str):
    """Shares.by_token over the guard's own database file (WAL: beside the running guard)."""
    from quarantine.store import Store

    async def look():
        store = await Store.open(f"sqlite+aiosqlite:///{db}")
        try:
            import time

            return await store.shares.by_token(token, time.time())
        finally:
            await store.close()

    return asyncio.run(look())
