"""Every file of ../shared/corpus/attachments and every message of ../shared/corpus/mime is
read without an exception, within the limits and within bounded memory; the encrypted
samples come out encrypted, the zip bombs hit a limit and the rest of the message is read.

The corpus runs in one child process: a reader that aborted the interpreter (calamine does
on allocation failure) or blew the memory up is then a failed test, not a dead test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

# One worker computes the module's results once (make test runs --dist loadgroup).
pytestmark = [pytest.mark.process, pytest.mark.xdist_group("extract_corpus")]

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
BODY = "本文です"
MAX_RSS_MB = 400  # peak resident memory of the whole survey
MAX_SECONDS_PER_FILE = 10

ENCRYPTED = {
    "attachments/calamine/issue_385.xls",
    "attachments/calamine/pass_protected.ods",
    "attachments/calamine/pass_protected.xlsb",
    "attachments/calamine/pass_protected.xlsx",
    "attachments/libarchive/test_read_format_7zip_encryption.7z",
    "attachments/libarchive/test_read_format_7zip_encryption_header.7z",
    "attachments/libarchive/test_read_format_zip_encryption_data.zip",
    "attachments/libarchive/test_read_format_zip_encryption_header.zip",
    "attachments/libarchive/test_read_format_zip_encryption_partially.zip",
    "attachments/libarchive/test_read_format_zip_ppmd8_aes256_streaming.zipx",
    "attachments/libarchive/test_read_format_zip_traditional_encryption_data.zip",
    "attachments/libarchive/test_read_format_zip_winzip_aes128.zip",
    "attachments/libarchive/test_read_format_zip_winzip_aes256.zip",
    "attachments/libarchive/test_read_format_zip_winzip_aes256_large.zip",
    "attachments/libarchive/test_read_format_zip_winzip_aes256_stored.zip",
    "attachments/msoffcrypto-tool/inputs/ecma376standard_password.docx",
    "attachments/msoffcrypto-tool/inputs/example_password.docx",
    "attachments/msoffcrypto-tool/inputs/example_password.xlsx",
    "attachments/msoffcrypto-tool/inputs/rc4cryptoapi_password.doc",
    "attachments/msoffcrypto-tool/inputs/rc4cryptoapi_password.ppt",
    "attachments/msoffcrypto-tool/inputs/rc4cryptoapi_password.xls",
    "attachments/msoffcrypto-tool/inputs/xor_password_123456789012345.xls",
    "mime/rspamd/pdf_encrypted.eml",
}
# The AES coder of this one hides in an LZMA-compressed header, and no 7-Zip reader is
# installed: it is reported unsupported ("unsupported archive"), not encrypted.
NOT_DETECTABLE = {"attachments/libarchive/test_read_format_7zip_encryption_partially.7z"}
BOMBS = {
    "attachments/libarchive/test_read_format_zip_high_compression.zip": "limit: compression ratio > 100",
    "attachments/libarchive/test_read_format_zip_uncompressed_size_off_by_4gib.zip": "limit: uncompressed size > 104857600 bytes",
}


def survey() -> None:
    """Run in the child: one JSON line per file, then the peak memory."""
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    from inspectors.base import Envelope
    from inspectors.message import parse

    envelope = Envelope(mail_from="a@example.co.jp", rcpt_tos=("b@client.example",))
    for path in sorted(
        p for p in CORPUS.glob("*/**/*") if p.is_file() and p.parts[-3:-1] != ("corpus", "licenses")
    ):
        relative = path.relative_to(CORPUS).as_posix()
        if relative.startswith("attachments/"):
            message = MIMEMultipart()
            message.attach(MIMEText(BODY, "plain", "utf-8"))
            part = MIMEApplication(path.read_bytes())
            part.add_header("Content-Disposition", "attachment", filename=path.name)
            message.attach(part)
            raw = message.as_bytes()
        elif relative.startswith("mime/"):
            raw = path.read_bytes()
        else:
            continue
        started = time.process_time()
        try:
            view = parse(raw, envelope)
            record = {
                "texts": {t.where: t.text for t in view.texts},
                "attachments": [a.where for a in view.attachments],
                "problems": [[f.code, f.evidence[0], list(f.where)] for f in view.problems],
            }
        except BaseException as exc:  # the test reports it; parse() must never raise
            record = {"raised": type(exc).__name__}
        record.update(file=relative, seconds=time.process_time() - started)
        print(json.dumps(record, ensure_ascii=False), flush=True)
    status = Path("/proc/self/status").read_text()
    peak = next(line for line in status.splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"peak_kb": int(peak.split()[1])}))


@pytest.fixture(scope="module")
def results():
    if not CORPUS.is_dir():
        pytest.skip(f"no corpus at {CORPUS}")
    out = subprocess.run(
        [sys.executable, "-c", "from tests.test_extract_corpus import survey; survey()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, f"the survey died: {out.stderr[-2000:]}"
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    return {r["file"]: r for r in lines[:-1]}, lines[-1]["peak_kb"]


def test_every_file_and_message_is_read_without_an_exception(results):
    records, _ = results
    expected = {
        p.relative_to(CORPUS).as_posix()
        for folder in ("attachments", "mime")
        for p in (CORPUS / folder).rglob("*")
        if p.is_file()
    }
    assert set(records) == expected and len(expected) > 1400
    assert [f for f, r in records.items() if "raised" in r] == []


def test_within_the_limits(results):
    records, peak_kb = results
    slow = {f: round(r["seconds"], 1) for f, r in records.items() if r["seconds"] > MAX_SECONDS_PER_FILE}
    assert slow == {}
    assert max(sum(len(t) for t in r["texts"].values()) for r in records.values()) <= 5_000_000
    assert peak_kb < MAX_RSS_MB * 1024, f"peak RSS {peak_kb // 1024} MB"


def test_the_rest_of_each_message_is_still_read(results):
    records, _ = results
    lost = [f for f, r in records.items() if f.startswith("attachments/") and r["texts"].get("body") != BODY]
    assert lost == []


def test_encrypted_samples_are_reported_encrypted(results):
    records, _ = results
    encrypted = {f for f, r in records.items() if any(p[0] == "attachment.encrypted" for p in r["problems"])}
    assert encrypted == ENCRYPTED
    for name in NOT_DETECTABLE:
        assert ["attachment.unsupported", "unsupported archive: 7-Zip"] in [
            p[:2] for p in records[name]["problems"]
        ]


def test_zip_bombs_hit_a_limit(results):
    records, _ = results
    for name, reason in BOMBS.items():
        [problem] = records[name]["problems"]
        assert problem[:2] == ["attachment.unscannable", reason]
        assert problem[2][0].startswith(f"attachment:{Path(name).name}")


def test_the_cp932_named_zip_yields_its_japanese_names(results):
    records, _ = results
    record = records["attachments/libarchive/test_read_format_zip_filename_cp932.zip"]
    assert record["attachments"] == [
        "attachment:test_read_format_zip_filename_cp932.zip",
        "attachment:test_read_format_zip_filename_cp932.zip!表だよ/一覧表.txt",
        "attachment:test_read_format_zip_filename_cp932.zip!表だよ/漢字.txt",
    ]


def test_japanese_mobile_mail_decodes(results):
    records, _ = results
    mobile = {f: "".join(r["texts"].values()) for f, r in records.items() if f.startswith("mime/jpmobile/")}
    assert "差出人" in "".join(mobile.values()) and "保育園" in "".join(mobile.values())
    # Only carrier emoji (au's JIS rows 0x75-0x7B, which no codec maps) may stay unread;
    # iphone-mail3.eml carries three U+FFFD in its own UTF-8.
    garbled = {f: text.count("\ufffd") for f, text in mobile.items() if text.count("\ufffd") > 3}
    assert garbled == {}
