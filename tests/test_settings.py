"""Configuration: the DESIGN.md keys as written, defaults, env overrides, errors naming the key."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from proxy.errors import ConfigError
from proxy.settings import load_settings

DESIGN_EXAMPLE = """
organization:
  internal_domains: [example.co.jp]
  clients:
    - name: 株式会社エー
      aliases: [A社, エー社, A Corp]
      domains: [a-corp.co.jp]
  suppressed_recipients: [former.member@example.net]
smtp:
  listen: 127.0.0.1:2525
  trusted_networks: [127.0.0.0/8, "::1"]
web:
  listen: 127.0.0.1:8025
  public_url: http://127.0.0.1:8025
upstream: smtp+starttls://user:pass@smtp.example.co.jp:587
storage: sqlite:///var/guard.db
rules: [rules/local.yaml]
"""


def test_design_example_loads_as_written(tmp_path):
    path = tmp_path / "guard.yaml"
    path.write_text(DESIGN_EXAMPLE, "utf-8")
    s = load_settings(path, {})
    assert s.internal_domains == ("example.co.jp",)
    assert s.clients[0].name == "株式会社エー" and s.clients[0].domains == ("a-corp.co.jp",)
    assert s.suppressed_recipients == ("former.member@example.net",)
    assert (s.smtp_listen.host, s.smtp_listen.port) == ("127.0.0.1", 2525)
    assert ipaddress.ip_network("::1/128") in s.trusted_networks
    assert s.upstream.scheme == "smtp+starttls" and s.upstream.port == 587
    assert s.upstream.username == "user" and s.upstream.password == "pass"
    assert "pass" not in repr(s.upstream)
    assert s.storage == f"sqlite+aiosqlite:///{tmp_path / 'var/guard.db'}"  # relative to the file
    assert s.rules == (tmp_path / "rules/local.yaml",)


def test_embedded_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(None, {})
    assert s.source == "embedded defaults"
    assert (s.smtp_listen.port, s.web_listen.port) == (2525, 8025)
    assert s.upstream.scheme == "maildir" and s.upstream.path == tmp_path / "var/outbox"
    assert s.storage.endswith(str(tmp_path / "var/guard.db"))
    assert s.max_message_size == 25 * 1024 * 1024 and s.max_recipients == 1000
    assert s.inspection_timeout == 30 and s.hold_expiry == 3 * 86400
    assert s.trusted_proxies == () and s.page_grace == 86400


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(
        None,
        {
            "MDG_UPSTREAM": "smtps://mx.example.net",
            "MDG_SMTP_TRUSTED_NETWORKS": "[10.0.0.0/8]",
            "MDG_STORAGE": "postgresql://g:p@db/guard",
            "MDG_ORGANIZATION_INTERNAL_DOMAINS": "[a.example]",
            "MDG_WEB_TRUSTED_PROXIES": "[192.0.2.10, '2001:db8::/64']",
            "MDG_QUARANTINE_PAGE_GRACE": "2h",
        },
    )
    assert s.upstream.scheme == "smtps" and s.upstream.port == 465
    assert s.trusted_networks == (ipaddress.ip_network("10.0.0.0/8"),)
    assert s.storage == "postgresql+asyncpg://g:p@db/guard"
    assert s.internal_domains == ("a.example",)
    assert s.trusted_proxies == (ipaddress.ip_network("192.0.2.10/32"), ipaddress.ip_network("2001:db8::/64"))
    assert s.page_grace == 7200


@pytest.mark.parametrize(
    "text, env, message",
    [
        ("smtp: {listen: nowhere}", {}, "smtp.listen: expected HOST:PORT; got 'nowhere'"),
        ("colour: red", {}, "unknown key colour"),
        ("web: {port: 1}", {}, "unknown key web.port"),
        ("upstream: ftp://x", {}, "upstream: expected smtp://"),
        ("storage: mysql://x", {}, "storage: must be sqlite:///PATH or postgresql://"),
        ("smtp: {trusted_networks: [not-a-net]}", {}, "smtp.trusted_networks: not a network: 'not-a-net'"),
        (
            "web: {trusted_proxies: [proxy.example]}",
            {},
            "web.trusted_proxies: not a network: 'proxy.example'",
        ),
        ("web: {trusted_proxies: 10.0.0.1}", {}, "web.trusted_proxies: must be a list of text"),
        ("quarantine: {page_grace: forever}", {}, "quarantine.page_grace: expected a duration"),
        ("smtp: {max_recipients: 0}", {}, "smtp.max_recipients: must be a whole number above 0"),
        ("inspection: {timeout: soon}", {}, "inspection.timeout: expected a duration"),
        ("smtp: {tls_cert: a.pem}", {}, "smtp.tls_cert and smtp.tls_key: give both or neither"),
        ("organization: {clients: [{name: A, phone: 1}]}", {}, "organization.clients[0]: must be a mapping"),
        (
            "organization: {internal_domains: example.co.jp}",
            {},
            "organization.internal_domains: must be a list",
        ),
        ("", {"MDG_SMTP_LISTN": "x"}, "environment: unknown variable MDG_SMTP_LISTN"),
        ("smtp: [1]", {}, "smtp: must be a mapping"),
        ("inspection: {timeout: 0}", {}, "inspection.timeout: must be longer than 0"),
        ("inspection: {timeout: .nan}", {}, "inspection.timeout: must be a finite number"),
        ("inspection: {timeout: .inf}", {}, "inspection.timeout: must be a finite number"),
        ("quarantine: {hold_expiry: 36501d}", {}, "quarantine.hold_expiry: must be at most 36500d"),
        ("smtp: {users_file: [a]}", {}, "smtp.users_file: must be non-empty text"),
        ("inspection: {limits: {max_zip: 3}}", {}, "unknown key inspection.limits.max_zip"),
        (
            "inspection: {worker_memory: 100MiB}",
            {},
            "inspection.worker_memory: must be a size of at least 256MiB",
        ),
        (
            "inspection: {worker_memory: lots}",
            {},
            "inspection.worker_memory: must be a size of at least 256MiB",
        ),
        (
            "inspection: {limits: {max_pdf_pages: 0}}",
            {},
            "inspection.limits.max_pdf_pages: must be a number above 0",
        ),
        (
            "organization: {groups: {sales: {members: [taro]}}}",
            {},
            "organization.groups.sales.members: 'taro' is not",
        ),
        (
            "organization: {groups: {sales: {approvers: ['@x.jp']}}}",
            {},
            "organization.groups.sales.approvers: '@x.jp' is not",
        ),
        (
            "organization: {groups: {sales: {boss: [a@b]}}}",
            {},
            "organization.groups.sales: must be a mapping",
        ),
        ("smtp: {session_timeout: 60s}", {}, "smtp.session_timeout: 60s must be at least twice"),
        ("web: {timezone: Mars/Olympus}", {}, "web.timezone: not a time zone name (IANA, e.g. Asia/Tokyo)"),
        ("web: {timezone: ../../etc/passwd}", {}, "web.timezone: not a time zone name"),
        ("web: {timezone: 9}", {}, "web.timezone: must be non-empty text"),
        ("quarantine: {notice_name: ''}", {}, "quarantine.notice_name: must be non-empty text"),
        (
            'quarantine: {notice_name: "a\\nBcc: x@evil.example"}',
            {},
            "quarantine.notice_name: must be one line",
        ),
    ],
)
def test_errors_name_file_and_key(tmp_path, text, env, message):
    path = tmp_path / "guard.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(path, env)
    assert message in str(err.value)
    assert (str(path) if not env else "environment:") in str(err.value)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(Path(tmp_path / "nope.yaml"), {})


def _with_sales(tmp_path, members: str):
    """Settings with one group, sales, of `members` (YAML), approved by bucho and kacho."""
    path = tmp_path / "guard.yaml"
    path.write_text(
        f"organization:\n  groups:\n    sales:\n      members: [{members}]\n"
        "      approvers: [bucho@example.co.jp, kacho@example.co.jp]\n"
    )
    return load_settings(path, {})


def test_groups_and_approvers(tmp_path):
    from proxy.settings import approvers_for, rule_groups

    s = _with_sales(tmp_path, "'@sales.example.co.jp', Taro@Example.co.jp")
    assert rule_groups(s) == {"sales": ("@sales.example.co.jp", "taro@example.co.jp")}
    assert approvers_for(s, "hanako@tokyo.sales.example.co.jp") == (
        "bucho@example.co.jp",
        "kacho@example.co.jp",
    )
    assert approvers_for(s, "TARO@example.co.jp") == ("bucho@example.co.jp", "kacho@example.co.jp")
    assert approvers_for(s, "jiro@example.co.jp") == ()


def test_approvers_never_include_the_sender(tmp_path):
    """Issue 11, item 7: nobody approves his own mail."""
    from proxy.settings import approvers_for

    s = _with_sales(tmp_path, "'@example.co.jp'")
    admins = ("Root@example.co.jp", "bucho@example.co.jp")
    assert approvers_for(s, "taro@example.co.jp", admins) == ("bucho@example.co.jp", "kacho@example.co.jp")
    assert approvers_for(s, "BUCHO@example.co.jp", admins) == ("kacho@example.co.jp",)
    assert approvers_for(s, "someone@else.example", admins) == ("root@example.co.jp", "bucho@example.co.jp")
    assert approvers_for(s, "Root@else.example", ("root@else.example",)) == ()
    # other spellings of the same mailbox (a trusted MTA lets a user send as his +detail)
    for spelling in ("bucho+x@example.co.jp", '"bucho"@example.co.jp', "bucho@EXAMPLE.co.jp."):
        assert approvers_for(s, spelling, admins) == ("kacho@example.co.jp",), spelling
    assert approvers_for(s, "root+me@else.example", ("root@else.example",)) == ()


def test_inspection_limits(tmp_path):
    path = tmp_path / "guard.yaml"
    path.write_text("inspection: {limits: {max_archive_members: 50, cpu_seconds_per_attachment: 2.5}}\n")
    s = load_settings(path, {})
    assert s.limits.max_archive_members == 50 and s.limits.cpu_seconds_per_attachment == 2.5
    assert s.limits.max_pdf_pages == 500


def test_a_removed_limit_key_keeps_starting_with_a_warning_naming_it(tmp_path, caplog):
    # Issue 13 removed the per-message text budget: an older configuration still loads.
    path = tmp_path / "guard.yaml"
    path.write_text("inspection: {limits: {max_text_chars: 3000000, max_pdf_pages: 40}}\n")
    with caplog.at_level("WARNING", logger="guard.settings"):
        s = load_settings(path, {})
    assert s.limits.max_pdf_pages == 40 and not hasattr(s.limits, "max_text_chars")
    [record] = [r for r in caplog.records if r.name == "guard.settings"]
    assert "key=inspection.limits.max_text_chars" in record.getMessage()
    assert "action=ignored" in record.getMessage()


def test_inspection_worker_memory(tmp_path):
    path = tmp_path / "guard.yaml"
    path.write_text("inspection: {workers: 1}\n")
    assert load_settings(path, {}).inspection_worker_memory == 2 << 30
    path.write_text("inspection: {worker_memory: 512MiB}\n")
    assert load_settings(path, {}).inspection_worker_memory == 512 << 20
    path.write_text("inspection: {worker_memory: 1073741824}\n")
    assert load_settings(path, {}).inspection_worker_memory == 1 << 30


def test_timezone_and_notice_name(tmp_path, monkeypatch):
    """web.timezone: an IANA name, or the machine's own zone (None) when not set;
    quarantine.notice_name: the notices' From: name, Japanese by default."""
    monkeypatch.chdir(tmp_path)
    default = load_settings(None, {})
    assert default.timezone is None and default.notice_name == "誤送信防止システム"
    path = tmp_path / "guard.yaml"
    path.write_text("web: {timezone: Asia/Tokyo}\nquarantine: {notice_name: 営業部 送信確認}\n", "utf-8")
    configured = load_settings(path, {})
    assert configured.timezone == ZoneInfo("Asia/Tokyo") and configured.notice_name == "営業部 送信確認"
    assert load_settings(None, {"MDG_WEB_TIMEZONE": "UTC"}).timezone == ZoneInfo("UTC")
    with pytest.raises(ConfigError, match=r"web\.timezone: not a time zone name"):
        load_settings(None, {"MDG_WEB_TIMEZONE": "Tokyo"})
