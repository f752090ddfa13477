"""Building Apprise URLs from settings, secrets in chat URLs, printable addresses."""

from email.header import decode_header, make_header

import apprise
import pytest
from pydantic import SecretStr

from notifications.channels import MissingSecret, check_chat_url, display_address, expand_secrets, smtp_url
from wiring.settings import Settings


def test_smtp_url_carries_credentials_and_mode(tmp_path):
    settings = Settings(var_dir=tmp_path, smtp_host="smtp.example.invalid", smtp_port=587, smtp_user="cttn@bnv.example.invalid",
                        smtp_password=SecretStr("p@ss/w:rd?&"), smtp_starttls=True,
                        smtp_from="Vụ Công tác thanh niên <cttn@bnv.example.invalid>", smtp_timeout=7)
    server = apprise.Apprise.instantiate(smtp_url(settings, "snv@angiang.example.invalid", "Bộ Nội vụ"))
    assert (server.user, server.password, server.smtp_host, server.port) == (
        "cttn@bnv.example.invalid", "p@ss/w:rd?&", "smtp.example.invalid", 587)
    assert (server.secure_mode, server.socket_connect_timeout) == ("starttls", 7.0)
    assert server.targets == [(False, "snv@angiang.example.invalid")]
    assert server.from_addr[1] == "cttn@bnv.example.invalid"
    assert str(make_header(decode_header(server.from_addr[0]))) == "Vụ Công tác thanh niên"
    settings.smtp_port, settings.smtp_starttls = 465, False
    assert apprise.Apprise.instantiate(smtp_url(settings, "a@b.example.invalid", "x")).secure_mode == "ssl"
    settings.smtp_port, settings.smtp_user = 25, ""
    plain = apprise.Apprise.instantiate(smtp_url(settings, "a@b.example.invalid", "x"))
    assert (plain.secure_mode, plain.user, plain.password) == ("insecure", None, None)


def test_secrets_are_read_only_from_the_dvtracker_secret_prefix(monkeypatch):
    monkeypatch.setenv("DVTRACKER_SECRET_BOT", "123456789:ABCdefGHIjklMNOpqrSTUvwxYZ123456789")
    monkeypatch.setenv("HOME_TOKEN", "not-for-you")
    assert expand_secrets("tgram://${BOT}/-100123") == "tgram://123456789:ABCdefGHIjklMNOpqrSTUvwxYZ123456789/-100123"
    with pytest.raises(MissingSecret, match="DVTRACKER_SECRET_HOME_TOKEN"):
        expand_secrets("json://evil.example.invalid/${HOME_TOKEN}")


@pytest.mark.parametrize("url, problem", [
    ("json://127.0.0.1:8080/hook", None),
    ("tgram://${BOT}/-100123", None),
    ("nope://${BOT}/x", "không hỗ trợ loại địa chỉ 'nope://'"),
    ("mailto://a@b.example.invalid", "phải ghi ở kênh email"),
    ("chat.example.invalid/hook", "không phải địa chỉ Apprise"),
    ("tgram://short", "Apprise không dùng được"),
])
def test_chat_urls_are_checked_at_import(url, problem):
    result = check_chat_url(url)
    assert result is None if problem is None else problem in result


def test_printed_addresses_hide_credentials():
    assert display_address("a@b.example.invalid") == "a@b.example.invalid"
    assert display_address("tgram://123456789:ABCdefGHIjklMNOpqrSTUvwxYZ123456789/-100123") == "tgram://1...9/-100123/"
    assert "secret" not in display_address("json://user:secret@127.0.0.1/hook")
    assert display_address("tgram://${BOT}/-100123") == "tgram://${BOT}/-100123"
