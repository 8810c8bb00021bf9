"""The `directory:` section (issue 21): validated once, errors naming the key; the connection is
always encrypted and verified; the password from an environment variable (which is then no
unknown MDG_ override); no section, no directory."""

from __future__ import annotations

import pytest

from proxy.errors import ConfigError
from proxy.settings import load_settings

BASE = (
    "directory:\n"
    "  url: {url}\n"
    "  bind_dn: CN=mdg-sync,OU=Service,DC=example,DC=co,DC=jp\n"
    "  bind_password_env: MDG_DIRECTORY_PASSWORD\n"
    "  people: {{base: 'OU=People,DC=example,DC=co,DC=jp'}}\n"
)
ENV = {"MDG_DIRECTORY_PASSWORD": "s3cret"}


def load(tmp_path, text: str, env=ENV):
    path = tmp_path / "guard.yaml"
    path.write_text(text, "utf-8")
    return load_settings(path, env)


def test_no_section_no_directory(tmp_path):
    assert load(tmp_path, "organization: {internal_domains: [example.co.jp]}\n", {}).ldap is None
    assert load_settings(None, {}).ldap is None  # the embedded default needs no directory


def test_ad_defaults_and_the_password_from_the_environment(tmp_path):
    s = load(tmp_path, BASE.format(url="ldaps://dc1.example.co.jp")).ldap
    assert s is not None and s.ldaps and s.port == 636 and s.host == "dc1.example.co.jp"
    assert s.bind_password == "s3cret" and "s3cret" not in repr(s)
    assert s.attributes["manager"] == "manager" and s.attributes["member_of"] == "memberOf"
    assert "userAccountControl" in s.people.filter and s.groups is None
    assert s.refresh == 900 and s.keep_departed == 30 * 86400
    plain = load(tmp_path, BASE.format(url="ldap://dc1.example.co.jp")).ldap
    assert plain is not None and not plain.ldaps and plain.port == 389  # StartTLS, always


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (BASE.format(url="http://dc1.example.co.jp"), "directory.url"),
        (BASE.format(url="ldaps://dc1.example.co.jp/dc=x?cn"), "directory.url"),
        (BASE.format(url="ldaps://dc1") + "  refresh: 10s\n", "directory.refresh"),
        (BASE.format(url="ldaps://dc1") + "  colour: red\n", "directory.colour"),
        (BASE.format(url="ldaps://dc1") + "  attributes: {mail: 'mail)(x'}\n", "directory.attributes.mail"),
        (BASE.format(url="ldaps://dc1") + "  attributes: {boss: manager}\n", "directory.attributes.boss"),
        (
            BASE.format(url="ldaps://dc1") + "  groups: {base: OU=G, filter: '(cn=x'}\n",
            "directory.groups.filter",
        ),
        (
            BASE.format(url="ldaps://dc1").replace(
                "  people: {base: 'OU=People,DC=example,DC=co,DC=jp'}\n", ""
            ),
            "directory.people.base",
        ),
        ("directory: {bind_dn: x}\n", "directory.url"),
    ],
)
def test_errors_name_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load(tmp_path, text, ENV if "bind_password_env" in text else {})


def test_a_missing_password_variable_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"directory\.bind_password_env.*MDG_DIRECTORY_PASSWORD"):
        load(tmp_path, BASE.format(url="ldaps://dc1"), {})
    with pytest.raises(ConfigError, match="unknown variable MDG_DIRECTORY_PASSWORDX"):
        load(tmp_path, BASE.format(url="ldaps://dc1"), {**ENV, "MDG_DIRECTORY_PASSWORDX": "x"})
