"""Client-directory and suppression-list imports: CSV (UTF-8, BOM, CP932) and YAML."""

from __future__ import annotations

import codecs

import pytest

from inspectors.clients import Client
from quarantine.directory_file import DirectoryError, read_clients, read_suppressions

LEDGER = (
    "会社名,略称,ドメイン,住所,担当者\n"
    "株式会社エー,A社;エー社;A Corp,a-corp.co.jp,東京都千代田区,田中\n"
    "\n"
    "# 休眠口座\n"
    '"株式会社ビー","ビー社、B Corp","b-corp.co.jp; B-Corp.COM",大阪府,鈴木\n'
    '"Acme, Inc.","Acme, Inc.|ACME",@acme.example,,\n'
    "株式会社シー,,,,\n"
)
EXPECTED = (
    Client(name="株式会社エー", aliases=("A社", "エー社", "A Corp"), domains=("a-corp.co.jp",)),
    Client(name="株式会社ビー", aliases=("ビー社", "B Corp"), domains=("b-corp.co.jp", "b-corp.com")),
    Client(name="Acme, Inc.", aliases=("Acme, Inc.", "ACME"), domains=("acme.example",)),
    Client(name="株式会社シー"),
)


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: t.encode("cp932"),
        lambda t: t.replace("\n", "\r\n").encode("cp932"),
    ],
    ids=["utf-8", "utf-8-bom", "cp932", "cp932-crlf"],
)
def test_csv_ledger_in_every_excel_encoding(encode):
    assert read_clients(encode(LEDGER), "clients.csv") == EXPECTED


def test_every_list_cell_splits_on_the_same_separators():
    """Aliases and domains alike: ";" (what the export writes), and "；", "、", "|" or a line
    break in the cell; never a comma, which a name may hold."""
    data = (
        "name,aliases,domains\n"
        '"Acme, Inc.","Acme, Inc.;ACME；アクメ、Ａｃｍｅ|acme\nAK","a.example;b.example；c.example、d.example|e.example\nf.example"\n'
    )
    (client,) = read_clients(data.encode(), "c.csv")
    assert client.aliases == ("Acme, Inc.", "ACME", "アクメ", "Ａｃｍｅ", "acme", "AK")
    assert client.domains == tuple(f"{c}.example" for c in "abcdef")


@pytest.mark.parametrize("cell", ["a.example, b.example", "a.example b.example", "a.example，b.example"])
def test_a_comma_or_a_space_between_domains_is_named_as_the_wrong_separator(cell):
    with pytest.raises(DirectoryError) as exc:
        read_clients(f'name,domains\nA,"{cell}"\n'.encode(), "c.csv")
    assert str(exc.value) == f"c.csv:2: domain {cell!r} is not a domain (separate domains with ';')"
    assert exc.value.line == 2 and "複数のドメインは「;」で区切ってください" in exc.value.ja


def test_english_headers_and_idn_domains():
    data = "name,domains\nExample GmbH,bücher.example\n".encode()
    assert read_clients(data, "c.csv") == (Client(name="Example GmbH", domains=("xn--bcher-kva.example",)),)


@pytest.mark.parametrize(
    "csv_text, message",
    [
        (
            "name,domains\nA,a.example\nB,b.example\nC,c.example\nD,d.example\nE,e.example\nF,a_corp\n",
            "clients.csv:7: domain 'a_corp' is not a domain",
        ),
        ("name,domains\nA,localhost\n", "clients.csv:2: domain 'localhost' is not a domain"),
        ("name,domains\nA,a.example\n,b.example\n", "clients.csv:3: the client has no name"),
        (
            "name,domains\n株式会社エー,a.example\n\n株式会社エー,b.example\n",
            "clients.csv:4: client '株式会社エー' is already on line 2",
        ),
        ("住所,電話\n東京,03\n", "clients.csv:1: the first row must name the columns"),
        (
            'name,domains\n"A\nmultiline",x.example\nB,-bad-.example\n',
            "clients.csv:4: domain '-bad-.example'",
        ),
    ],
)
def test_csv_errors_name_the_line(csv_text, message):
    with pytest.raises(DirectoryError) as exc:
        read_clients(csv_text.encode(), "clients.csv")
    assert str(exc.value).startswith(message)


def test_bytes_that_are_neither_utf8_nor_cp932():
    with pytest.raises(DirectoryError, match=r"^c.csv:2: neither UTF-8 nor CP932"):
        read_clients(b"name\n\x81\x7f\xff\n", "c.csv")


YAML = """\
clients:
  - name: 株式会社エー
    aliases: [A社, エー社, A Corp]
    domains: [a-corp.co.jp]
  - name: 株式会社ビー
    aliases: ビー社
    domains:
      - b-corp.co.jp
"""


def test_yaml_in_the_configuration_shape():
    assert read_clients(YAML.encode(), "clients.yaml") == (
        Client(name="株式会社エー", aliases=("A社", "エー社", "A Corp"), domains=("a-corp.co.jp",)),
        Client(name="株式会社ビー", aliases=("ビー社",), domains=("b-corp.co.jp",)),
    )
    organization = "organization:\n  clients:\n" + "\n".join("  " + line for line in YAML.splitlines()[1:])
    assert len(read_clients(organization.encode(), "guard.yaml")) == 2


@pytest.mark.parametrize(
    "yaml_text, message",
    [
        (
            YAML.replace("      - b-corp.co.jp", "      - b_corp"),
            "clients.yaml:8: domain 'b_corp' is not a domain",
        ),
        (YAML.replace("    aliases: ビー社", "    alias: ビー社"), "clients.yaml:5: unknown key 'alias'"),
        ("- just a name\n", "clients.yaml:1: a client must be a mapping"),
        ("clients: [\n", "clients.yaml:2: not valid YAML"),
        ("clients: {name: x}\n", "clients.yaml:1: expected a list under 'clients'"),
    ],
)
def test_yaml_errors_name_the_line(yaml_text, message):
    with pytest.raises(DirectoryError) as exc:
        read_clients(yaml_text.encode(), "clients.yaml")
    assert str(exc.value).startswith(message)


def test_suppression_csv_with_and_without_a_heading():
    data = (
        "メールアドレス,退会日\nFormer.Member@Example.NET,2024-03-31\n@withdrawn.example,\nOptout.example,\n"
    )
    assert read_suppressions(data.encode("cp932"), "suppress.csv") == (
        "former.member@example.net",
        "@withdrawn.example",
        "@optout.example",
    )
    plain = b"a@b.example\n# comment\n\na@b.example\nc@d.example\n"
    assert read_suppressions(plain, "list.txt") == ("a@b.example", "c@d.example")


def test_suppression_yaml_and_errors():
    data = b"suppressed_recipients:\n  - x@example.net\n  - example.org\n"
    assert read_suppressions(data, "s.yml") == ("x@example.net", "@example.org")
    with pytest.raises(DirectoryError, match=r"^s.csv:3: 'bad person@example.net' is not an address"):
        read_suppressions(b"address\nok@example.net\nbad person@example.net\n", "s.csv")
    with pytest.raises(DirectoryError, match=r"^s.yaml:2: domain 'nodot' is not a domain"):
        read_suppressions(b"- x@example.net\n- nodot\n", "s.yaml")
