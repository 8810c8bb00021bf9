"""Zip archives: opened recursively, names as Windows writes them, encryption, bombs."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from inspectors.extract.archive import member_name
from inspectors.limits import Limits
from inspectors.message import parse

from .test_message_mime import ENV, codes, mail_with, texts, zipped

LIBARCHIVE = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "attachments" / "libarchive"


def workbook(*rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cp932_named_zip(files: dict[str, bytes]) -> bytes:
    """A zip as Windows Explorer on a Japanese PC writes it: CP932 names, no UTF-8 flag.
    zipfile always writes UTF-8, so ASCII stand-ins of the same length are patched."""
    stand_ins = {name: chr(65 + i) * len(name.encode("cp932")) for i, name in enumerate(files)}
    data = zipped(**{stand_ins[name]: content for name, content in files.items()})
    for name, stand_in in stand_ins.items():
        data = data.replace(stand_in.encode(), name.encode("cp932"))
    return data


def test_archive_members_are_read_recursively_with_nested_where():
    inner = zipped(**{"請求書.csv": "氏名,金額\n髙橋,1000\n".encode("cp932")})
    outer = zipped(
        **{
            "名簿.xlsx": workbook(["氏名", "電話"], ["山田", "090-1234-5678"]),
            "メモ.txt": "社外秘".encode(),
            "過去分.zip": inner,
        }
    )
    view = parse(mail_with(("顧客.zip", outer)), ENV)
    assert [a.where for a in view.attachments] == [
        "attachment:顧客.zip",
        "attachment:顧客.zip!名簿.xlsx",
        "attachment:顧客.zip!メモ.txt",
        "attachment:顧客.zip!過去分.zip",
        "attachment:顧客.zip!過去分.zip!請求書.csv",
    ]
    assert {a.where: a.part for a in view.attachments} == dict.fromkeys(
        (a.where for a in view.attachments), "1.2"
    )
    sheet, csv = view.tables
    assert sheet.where == "attachment:顧客.zip!名簿.xlsx!Sheet"
    assert f"{sheet.where}!{sheet.ref(1, 1)}" == "attachment:顧客.zip!名簿.xlsx!Sheet!B2"
    assert csv.where == "attachment:顧客.zip!過去分.zip!請求書.csv" and csv.rows[1] == ("髙橋", "1000")
    assert texts(view)["attachment:顧客.zip!メモ.txt"] == "社外秘"
    assert not view.problems


def test_cp932_names_without_the_utf8_flag_are_decoded_as_windows_wrote_them():
    data = cp932_named_zip({"顧客名簿①.csv": b"a,b\n", "資料/見積書.txt": b"x"})
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert not any(info.flag_bits & 0x800 for info in archive.infolist())
    assert [member_name(info) for info in archive.infolist()] == ["顧客名簿①.csv", "資料/見積書.txt"]
    view = parse(mail_with(("a.zip", data)), ENV)
    assert [a.filename for a in view.attachments[1:]] == ["顧客名簿①.csv", "資料/見積書.txt"]


@pytest.mark.parametrize(
    "name", ["test_read_format_zip_filename_cp932.zip", "test_read_format_zip_filename_utf8_jp.zip"]
)
def test_corpus_zips_with_japanese_names(name):
    view = parse(mail_with((name, (LIBARCHIVE / name).read_bytes())), ENV)
    assert [a.filename for a in view.attachments[1:]] == ["表だよ/一覧表.txt", "表だよ/漢字.txt"]
    assert texts(view)[f"attachment:{name}!表だよ/漢字.txt"].strip() == "kanji"


def test_info_zip_unicode_path_field():
    view = parse(
        mail_with(("u.zip", (LIBARCHIVE / "test_read_format_zip_7075_utf8_paths.zip").read_bytes())), ENV
    )
    assert view.attachments[1].filename == "File 1.txt"


@pytest.mark.parametrize(
    "name, reason",
    [
        ("test_read_format_zip_traditional_encryption_data.zip", "password-protected zip (ZipCrypto)"),
        ("test_read_format_zip_winzip_aes128.zip", "password-protected zip (AES)"),
        ("test_read_format_zip_winzip_aes256_stored.zip", "password-protected zip (AES)"),
        ("test_read_format_zip_encryption_header.zip", "password-protected zip (encrypted directory)"),
        ("test_read_format_7zip_encryption.7z", "password-protected 7-Zip archive"),
    ],
)
def test_encrypted_archives(name, reason):
    view = parse(mail_with((name, (LIBARCHIVE / name).read_bytes())), ENV)
    assert codes(view) == {"attachment.encrypted": [((f"attachment:{name}",), reason)]}


def test_partly_encrypted_zip_reads_the_rest_and_reports_the_lock():
    name = "test_read_format_zip_encryption_partially.zip"
    view = parse(mail_with((name, (LIBARCHIVE / name).read_bytes())), ENV)
    assert [a.filename for a in view.attachments] == [name, "bar.txt"]
    assert [w for w, _ in codes(view)["attachment.encrypted"]] == [(f"attachment:{name}",)]


@pytest.mark.parametrize(
    "name, reason",
    [
        ("test_read_format_zip_high_compression.zip", "limit: compression ratio > 100"),
        (
            "test_read_format_zip_uncompressed_size_off_by_4gib.zip",
            "limit: uncompressed size > 104857600 bytes",
        ),
    ],
)
def test_corpus_bombs_hit_a_limit_and_the_rest_is_inspected(name, reason):
    raw = mail_with(
        (name, (LIBARCHIVE / name).read_bytes()),
        ("後.csv", "氏名\n山田\n".encode("cp932")),
        body="マイナンバー 123456789018",
    )
    view = parse(raw, ENV)
    [(where, evidence)] = codes(view)["attachment.unscannable"]
    assert evidence == reason and where[0].startswith(f"attachment:{name}")
    assert texts(view)["body"] == "マイナンバー 123456789018"
    assert [t.rows for t in view.tables] == [(("氏名",), ("山田",))]


def test_generated_bomb_stops_early():
    bomb = zipped(**{"zeros.bin": bytes(200 << 20)})
    assert len(bomb) < 300_000
    started = time.process_time()
    view = parse(mail_with(("bomb.zip", bomb)), ENV)
    assert time.process_time() - started < 2
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:bomb.zip",), "limit: uncompressed size > 104857600 bytes")
    ]


@pytest.mark.slow
def test_nested_bomb_like_42_zip_is_bounded():
    layer = zipped(**{"0.bin": bytes(5 << 20)})
    for _depth in range(4):
        layer = zipped(**{f"{i}.zip": layer for i in range(8)})
    started = time.process_time()
    view = parse(mail_with(("42.zip", layer)), ENV)
    assert time.process_time() - started < 10
    reasons = {evidence for _, evidence in codes(view)["attachment.unscannable"]}
    assert reasons == {"limit: compression ratio > 100", "limit: archive members > 1000"}
    assert len(view.attachments) <= 1 + 1000


def test_unpacking_budget_is_per_top_level_attachment():
    # Issue 13: one archive cannot use up the budget of the next one; nested content adds up
    # within its own top-level attachment.
    a, b = zipped(**{"a.bin": os.urandom(600_000)}), zipped(**{"b.bin": os.urandom(600_000)})
    view = parse(mail_with(("a.zip", a), ("b.zip", b)), ENV, Limits(max_uncompressed_bytes=1_000_000))
    assert [a.where for a in view.attachments] == [
        "attachment:a.zip",
        "attachment:a.zip!a.bin",
        "attachment:b.zip",
        "attachment:b.zip!b.bin",
    ]
    assert "attachment.unscannable" not in codes(view)
    # 200 kB + a 450 kB inner zip unpacked by the outer, then its 450 kB member: 1.1 MB.
    nested = zipped(
        **{"outer.bin": os.urandom(200_000), "inner.zip": zipped(**{"d.bin": os.urandom(450_000)})}
    )
    view = parse(mail_with(("c.zip", nested)), ENV, Limits(max_uncompressed_bytes=1_000_000))
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:c.zip!inner.zip",), "limit: uncompressed size > 1000000 bytes")
    ]


def test_member_count_limit_keeps_the_first_members():
    data = zipped(**{f"{i:04d}.txt": b"x" for i in range(12)})
    view = parse(mail_with(("many.zip", data)), ENV, Limits(max_archive_members=10))
    assert len(view.attachments) == 11
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:many.zip",), "limit: archive members > 10")
    ]


def test_depth_limit_inside_archives():
    data = b"deepest"
    for depth in range(4):
        data = zipped(**{f"level{depth}.zip" if depth else "x.txt": data})
    view = parse(mail_with(("top.zip", data)), ENV, Limits(max_depth=3))
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert reason == "limit: nesting depth > 3"
    assert where == ("attachment:top.zip!level3.zip!level2.zip!level1.zip",)


@pytest.mark.parametrize(
    "name, code, reason",
    [
        ("test_read_format_zip_zstd.zipx", "attachment.unscannable", "unsupported compression: method 93"),
        ("test_read_format_zip_malformed1.zip", "attachment.unscannable", "corrupt zip"),
        ("test_read_format_rar5_zip_in_rar.rar", "attachment.unsupported", "unsupported format: RAR archive"),
        (
            "test_read_format_7zip_encryption_partially.7z",
            "attachment.unsupported",
            "unsupported archive: 7-Zip",
        ),
    ],
)
def test_unreadable_archives_are_reported(name, code, reason):
    view = parse(mail_with((name, (LIBARCHIVE / name).read_bytes())), ENV)
    assert reason in {evidence for _, evidence in codes(view)[code]}


def test_a_member_named_like_a_folder_that_carries_data_is_read():
    """Info-ZIP extracts a "folder" entry that has bytes as a file: it is read, not skipped."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("空のフォルダ/", b"")
        archive.writestr(zipfile.ZipInfo("名簿/"), "氏名\tマイナンバー\n山田太郎\t1234 5678 9018\n".encode())
    view = parse(mail_with(("資料.zip", buffer.getvalue())), ENV)
    assert "1234 5678 9018" in "".join(texts(view).values())
    assert [a.where for a in view.attachments] == ["attachment:資料.zip", "attachment:資料.zip!名簿/"]


def _tar(files: dict[str, bytes], mode: str = "w") -> bytes:
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


LIST = "氏名,電話番号\n山田太郎,090-1234-5678\n".encode("cp932")


@pytest.mark.parametrize(
    "mode, name",
    [("w", "export.tar"), ("w:gz", "export.tar.gz"), ("w:bz2", "export.tar.bz2"), ("w:xz", "export.tar.xz")],
)
def test_tar_archives_plain_or_compressed_are_read(mode, name):
    data = _tar({"export/顧客.csv": LIST, "export/readme.txt": b"see the list"}, mode)
    view = parse(mail_with((name, data)), ENV)
    assert [(a.where, a.kind) for a in view.attachments][1:] == [
        (f"attachment:{name}!export/顧客.csv", "csv"),
        (f"attachment:{name}!export/readme.txt", "text"),
    ]
    assert [t.rows for t in view.tables] == [(("氏名", "電話番号"), ("山田太郎", "090-1234-5678"))]
    assert not view.problems


def test_a_gzip_file_keeps_its_original_name_and_a_gzip_bomb_stops_at_the_ratio():
    import gzip

    packed = io.BytesIO()
    with gzip.GzipFile(filename="顧客.csv".encode().decode("latin-1"), fileobj=packed, mode="wb") as stream:
        stream.write(LIST)
    bomb = gzip.compress(b"\x00" * (64 << 20))
    view = parse(mail_with(("list.csv.gz", packed.getvalue()), ("bomb.gz", bomb)), ENV)
    assert view.attachments[1].where == "attachment:list.csv.gz!" + "顧客.csv".encode().decode("latin-1")
    assert len(view.tables) == 1
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:bomb.gz",), "limit: compression ratio > 100")
    ]


def test_a_truncated_gzip_and_a_sparse_tar_member_are_reported():
    sparse = bytearray(_tar({"hole.bin": b"x" * 10}, "w:"))
    sparse[156:157] = b"S"  # GNU sparse type flag, and the header's checksum again
    sparse[148:156] = b" " * 8
    sparse[148:156] = b"%06o\0 " % sum(sparse[:512])
    view = parse(
        mail_with(("cut.gz", _tar({"a.txt": b"a" * 5000}, "w:gz")[:60]), ("s.tar", bytes(sparse))), ENV
    )
    found = {w: reason for ws, reason in codes(view).get("attachment.unscannable", []) for w in ws}
    assert found["attachment:cut.gz"].startswith("corrupt compressed file")
    assert found["attachment:s.tar!hole.bin"] == "unsupported: sparse tar member"


def test_a_member_whose_deflate_stream_is_corrupt_is_reported_and_the_next_is_read():
    """zipfile lets zlib.error through for a damaged deflate stream: that member, not the zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("壊れ.txt", "顧客 " * 2000)
        archive.writestr("名簿.csv", "氏名,電話番号\n山田太郎,090-1234-5678\n")
    data = bytearray(buffer.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start : start + 4] = bytes(b ^ 0x55 for b in data[start : start + 4])
    view = parse(mail_with(("資料.zip", bytes(data))), ENV)
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert where == ("attachment:資料.zip!壊れ.txt",) and reason.startswith("corrupt member")
    assert [t.rows for t in view.tables] == [(("氏名", "電話番号"), ("山田太郎", "090-1234-5678"))]
