"""`misdelivery-guard check`: the pipeline without sending, for admins and scripts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .cli import cli
from .support import MY_NUMBER_BODY, message, wait_until

pytestmark = pytest.mark.process


# An envelope that overrides the headers' external recipient: both ends internal.
INTERNAL_ENVELOPE = ("--mail-from", "a@example.co.jp", "--rcpt", "b@example.co.jp")


def run(*args, stdin: bytes | None = None, cwd=None):
    return cli("check", *args, input=stdin, cwd=cwd, timeout=60)


def test_clean_message_passes_with_exit_0(tmp_path, config):
    eml = tmp_path / "clean.eml"
    eml.write_bytes(message())
    out = run(str(eml), "--config", config, "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["verdict"] == "pass"
    assert set(report) >= {"verdict", "rules", "findings"}
    assert {
        "code": "recipients.external",
        "count": 1,
        "where": ["envelope"],
        "evidence": ["organisations=1", "client.example"],
    } in report["findings"]


def test_my_number_to_external_holds_with_exit_10(tmp_path, config):
    eml = tmp_path / "held.eml"
    eml.write_bytes(message("年末調整", MY_NUMBER_BODY))
    out = run(str(eml), "--config", config, "--json")
    assert out.returncode == 10
    report = json.loads(out.stdout)
    assert report["verdict"] == "hold"
    rule = next(r for r in report["rules"] if r["id"] == "sensitive-id-external")
    assert set(rule) >= {"id", "action", "mode", "reason"} and rule["mode"] == "enforce"
    assert "123456789018" not in out.stdout.decode()


def test_envelope_from_options_overrides_headers(tmp_path, config):
    eml = tmp_path / "held.eml"
    eml.write_bytes(message("年末調整", MY_NUMBER_BODY))
    out = run(str(eml), "--config", config, "--json", *INTERNAL_ENVELOPE, "--rcpt", "c@sub.example.co.jp")
    assert out.returncode == 0, "internal-only mail passes"
    assert not any(f["code"] == "recipients.external" for f in json.loads(out.stdout)["findings"])


def test_stdin_and_human_output(config):
    out = run("-", "--config", config, stdin=message("年末調整", MY_NUMBER_BODY))
    assert out.returncode == 10
    assert out.stdout.decode().startswith("verdict: hold")


def test_unreadable_file_is_exit_2_with_a_message(tmp_path, config):
    out = run(str(tmp_path / "missing.eml"), "--config", config)
    assert out.returncode == 2
    assert b"cannot read" in out.stderr and out.stdout == b""


def test_bad_config_is_exit_2_naming_the_key(tmp_path):
    bad = tmp_path / "guard.yaml"
    bad.write_text("smtp: {listn: 1}\n")
    eml = tmp_path / "m.eml"
    eml.write_bytes(message())
    out = run(str(eml), "--config", str(bad))
    assert out.returncode == 2
    assert b"unknown key smtp.listn" in out.stderr and str(bad).encode() in out.stderr


def test_usage_error_is_exit_2():
    out = run()
    assert out.returncode == 2


# --- several files: `check FILE...`, `check DIR` (issue 13, item 4) -------------------------

HELD = message("年末調整", MY_NUMBER_BODY)


def folder(tmp_path, **files: bytes):
    """A directory of .eml files (names as given) with a subdirectory holding a held message."""
    path = tmp_path / "mail"
    (path / "sub").mkdir(parents=True)
    (path / "sub" / "deeper.eml").write_bytes(HELD)
    for name, raw in files.items():
        (path / f"{name}.eml").write_bytes(raw)
    return path


def test_several_files_print_a_table_and_exit_with_the_strictest_verdict(tmp_path, config):
    mail = folder(tmp_path, clean=message(), held=HELD)
    out = run(str(mail / "clean.eml"), str(mail / "held.eml"), "--config", config)
    assert out.returncode == 10, out.stderr
    header, clean, held = out.stdout.decode().splitlines()
    assert header.split() == ["file", "verdict", "rules"]
    assert clean.split() == [str(mail / "clean.eml"), "pass", "-"]
    assert held.split() == [str(mail / "held.eml"), "hold", "sensitive-id-external"]
    assert "9018" not in out.stdout.decode() and "5678" not in out.stdout.decode()


def test_a_directory_is_checked_file_by_file_in_name_order_without_its_subdirectories(tmp_path, config):
    mail = folder(tmp_path, b=HELD, a=message(), c=message("x", "no attachment, no number"))
    out = run(str(mail), "--config", config, "--json")
    assert out.returncode == 10, out.stderr
    lines = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [(r["file"], r["verdict"]) for r in lines] == [
        (str(mail / "a.eml"), "pass"),
        (str(mail / "b.eml"), "hold"),
        (str(mail / "c.eml"), "pass"),
    ]
    assert {
        "code": "pii.my_number",
        "count": 1,
        "where": ["body!line 2"],
        "evidence": ["****-****-9018"],
    } in lines[1]["findings"]
    assert set(lines[0]) == {"file", "verdict", "rules", "findings"}
    assert f"{mail / 'sub'}: a directory, not entered".encode() in out.stderr


def test_one_directory_with_one_file_is_a_table_not_the_detail(tmp_path, config):
    mail = tmp_path / "one"
    mail.mkdir()
    (mail / "m.eml").write_bytes(HELD)
    out = run(str(mail), "--config", config)
    assert out.returncode == 10
    assert out.stdout.decode().splitlines()[1].split() == [
        str(mail / "m.eml"),
        "hold",
        "sensitive-id-external",
    ]


def test_envelope_options_apply_to_every_file(tmp_path, config):
    mail = folder(tmp_path, one=HELD, two=HELD)
    out = run(str(mail / "one.eml"), str(mail / "two.eml"), "--config", config, "--json", *INTERNAL_ENVELOPE)
    assert out.returncode == 0, "internal-only mail passes"
    assert [json.loads(line)["verdict"] for line in out.stdout.decode().splitlines()] == ["pass", "pass"]


def test_stdin_among_files(tmp_path, config):
    mail = folder(tmp_path, clean=message())
    out = run(str(mail / "clean.eml"), "-", "--config", config, "--json", stdin=HELD)
    assert out.returncode == 10
    assert [(r["file"], r["verdict"]) for r in map(json.loads, out.stdout.decode().splitlines())] == [
        (str(mail / "clean.eml"), "pass"),
        ("-", "hold"),
    ]


def test_an_unreadable_file_is_reported_on_its_line_and_the_others_checked(tmp_path, config):
    mail = folder(tmp_path, clean=message(), held=HELD)
    missing = str(tmp_path / "missing.eml")
    out = run(missing, str(mail / "clean.eml"), "--config", config)
    assert out.returncode == 2, "not read is not passed"
    _, first, second = out.stdout.decode().splitlines()
    assert first.split() == [missing, "error", "cannot", "read:", "No", "such", "file", "or", "directory"]
    assert second.split()[1] == "pass"
    out = run(missing, str(mail / "held.eml"), "--config", config, "--json")
    assert out.returncode == 10, "a hold is stricter than a file not read"
    assert json.loads(out.stdout.decode().splitlines()[0]) == {
        "file": missing,
        "error": "cannot read: No such file or directory",
    }


def test_an_empty_directory_is_exit_2(tmp_path, config):
    (tmp_path / "empty").mkdir()
    out = run(str(tmp_path / "empty"), "--config", config)
    assert out.returncode == 2 and b"no file to check" in out.stderr and out.stdout == b""


# --- one worker for all files, replaced when it dies; none left behind ----------------------


def big_docx_mail() -> bytes:
    """A real Word table of 300,000 cells: seconds of reading, the worker busy meanwhile."""
    from .test_fail_closed_pipeline import big_table_docx, with_attachment

    return with_attachment(big_table_docx(), "table.docx")


def start(*args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "proxy.cli", "check", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _stat(pid: int) -> list[str] | None:
    """The fields after the command name in /proc/PID/stat (state, ppid, ...); None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def worker_of(pid: int, within: float = 30) -> int:
    """The worker process that `check` (pid) started, as soon as it exists."""

    def child() -> int | None:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[1]) == pid:
                return int(entry.name)
        return None

    return wait_until(child, "check started no worker", timeout=within, interval=0.01)


def test_a_file_over_the_time_limit_does_not_stop_the_next_ones(tmp_path):
    config = tmp_path / "guard.yaml"
    config.write_text("organization: {internal_domains: [example.co.jp]}\ninspection: {timeout: 1s}\n")
    mail = folder(tmp_path, a_big=big_docx_mail(), b_held=HELD, c_clean=message())
    out = run(str(mail), "--config", str(config), "--json")
    assert out.returncode == 10, out.stderr[-2000:]
    big, held, clean = map(json.loads, out.stdout.decode().splitlines())
    assert {
        "code": "inspector.error",
        "count": 1,
        "where": ["inspector:parser"],
        "evidence": ["timeout"],
    } in big["findings"]
    assert [r["id"] for r in big["rules"]] == ["inspection-failed"]
    assert [r["id"] for r in held["rules"]] == ["sensitive-id-external"]
    assert clean["verdict"] == "pass"


def test_a_worker_that_dies_is_replaced_and_the_next_files_are_checked(tmp_path, config):
    mail = folder(tmp_path, a_big=big_docx_mail(), b_held=HELD, c_clean=message())
    check = start(str(mail), "--config", config, "--json")
    os.kill(worker_of(check.pid), signal.SIGKILL)  # as the kernel kills a worker that aborts
    stdout, stderr = check.communicate(timeout=120)
    assert check.returncode == 10, stderr[-2000:]
    big, held, clean = map(json.loads, stdout.decode().splitlines())
    assert big["file"] == str(mail / "a_big.eml")
    assert {
        "code": "inspector.error",
        "count": 1,
        "where": ["inspector:pipeline"],
        "evidence": ["worker died"],
    } in big["findings"]
    assert any(f["code"] == "recipients.external" for f in big["findings"]), "envelope facts kept"
    assert [r["id"] for r in held["rules"]] == ["sensitive-id-external"]
    assert clean["verdict"] == "pass"


def test_a_killed_check_leaves_no_worker_behind(tmp_path):
    # The worker is forked from `check`: it must not keep `check`'s end of their socket
    # open, or it would never see `check` go and would wait for a next file for ever.
    config = tmp_path / "guard.yaml"
    config.write_text("organization: {internal_domains: [example.co.jp]}\ninspection: {timeout: 2s}\n")
    mail = folder(tmp_path, a_big=big_docx_mail())
    check = start(str(mail), "--config", str(config))
    worker = worker_of(check.pid)
    with check:  # closes its pipes, then waits for it
        check.kill()
    deadline = time.monotonic() + 30
    while (fields := _stat(worker)) and fields[0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.1)
    if fields and fields[0] != "Z":
        os.kill(worker, signal.SIGKILL)  # not left to the next test
    assert not fields or fields[0] == "Z", "the worker outlived check"


# --- a hostile directory: names, sizes (issue 13 red team) ---------------------------------


def test_hostile_file_and_attachment_names_are_printed_escaped_and_never_crash(tmp_path, config):
    """A name's escape sequences reached the terminal as they were; a name that is not UTF-8
    stopped check with a traceback when its output was strict UTF-8 (PYTHONIOENCODING, or a
    locale such as ja_JP.UTF-8), and made its JSON line invalid UTF-8."""
    from .test_message_mime import mail_with

    mail = tmp_path / "mail"
    mail.mkdir()
    named = mail_with(("\x1b]0;owned\x07\u202egpj.docx", b"PK\x03\x04 not a package"))
    (mail / "\x1b[2Jclear.eml").write_bytes(named)
    (mail / os.fsdecode(b"\xff\xfe.eml")).write_bytes(HELD)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    for mode, args in (
        ("table", (str(mail),)),
        ("json", (str(mail), "--json")),
        ("detail", (str(mail / "\x1b[2Jclear.eml"),)),
    ):
        out = cli("check", *args, "--config", config, timeout=60, env=env)
        assert out.returncode == 10 and b"Traceback" not in out.stderr, out.stderr
        assert b"\x1b" not in out.stdout + out.stderr and b"\xe2\x80\xae" not in out.stdout
        lines = out.stdout.decode("utf-8").splitlines()  # strict: valid UTF-8
        if mode == "json":
            names = [os.fsencode(json.loads(line)["file"]) for line in lines]
            assert names == [
                os.fsencode(str(mail)) + b"/\x1b[2Jclear.eml",
                os.fsencode(str(mail)) + b"/\xff\xfe.eml",
            ]
        elif mode == "table":
            assert [line.split()[0] for line in lines[1:]] == [
                f"{mail}/\\x1b[2Jclear.eml",
                f"{mail}/\\xff\\xfe.eml",
            ]
        else:
            assert "attachment:\\x1b]0;owned\\x07\\u202egpj.docx" in out.stdout.decode()


def test_a_file_larger_than_the_relay_accepts_is_not_read_whole(tmp_path):
    """A 1 GB file was read whole and sent to the worker: 75 s, 11 GB, a worker dead of
    MemoryError; /dev/zero never ended."""
    config = tmp_path / "guard.yaml"
    config.write_text("organization: {internal_domains: [example.co.jp]}\nsmtp: {max_message_size: 2000}\n")
    big = tmp_path / "big.eml"
    big.write_bytes(message("件名", "本文 " * 2000))
    out = run(str(big), "/dev/zero", "--config", str(config))
    assert out.returncode == 2, out.stderr
    assert [line.split(None, 2)[1:] for line in out.stdout.decode().splitlines()[1:]] == [
        ["error", "cannot read: larger than smtp.max_message_size (2000 bytes)"]
    ] * 2


def test_a_listed_file_replaced_by_a_fifo_is_not_waited_for(tmp_path):
    """An entry listed as a regular file and then replaced by a FIFO (a hostile folder
    shared with others) kept check waiting for ever on its read."""
    import threading

    from proxy.check_command import read, sources

    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "a.eml").write_bytes(message())
    [source] = sources([str(folder)])
    (folder / "a.eml").unlink()
    os.mkfifo(folder / "a.eml")
    outcome = []

    def attempt():
        try:
            read(source, 1 << 20)
        except OSError as exc:
            outcome.append(exc.strerror)

    reader = threading.Thread(target=attempt, daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # free the reader stuck in open()
        os.close(os.open(folder / "a.eml", os.O_WRONLY | os.O_NONBLOCK))
    assert outcome == ["not a regular file"]
