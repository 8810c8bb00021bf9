"""Mail as a mail client writes it, for the extraction tests and the benchmarks: a text body
with files attached, and zip archives of named members."""

from __future__ import annotations

import io
import zipfile
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

BODY = "お世話になっております。\n資料をお送りします。"


def mail_with(
    *attachments: tuple[str, bytes],
    body: str = BODY,
    subject: str = "資料送付",
    sender: str = "a@example.co.jp",
    to: str = "b@client.example",
) -> bytes:
    """A message as a mail client writes it: a text body and the files as attachments."""
    message = MIMEMultipart()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.attach(MIMEText(body, "plain", "utf-8"))
    for name, data in attachments:
        part = MIMEApplication(data)
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        message.attach(part)
    return message.as_bytes()


def zipped(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()
