"""Building Apprise URLs from settings, secrets in chat URLs, printable addresses."""

from datetime import date

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from pydantic import SecretStr

from models.clock import vn_moment
from notifications.channels import MissingSecret, check_chat_url, display_address, expand_secrets, smtp_send
from notifications.outbox import build_message, message_bytes
from tests.reminder_servers import free_port
from wiring.settings import Settings


def test_smtp_sends_the_bytes_as_built_with_the_credentials(tmp_path):
    """E-mail leaves as ``notifications.outbox`` built it, byte for byte, after logging in with
    the configured user and password (from the environment, never a file)."""
    logins, received = [], []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"p@ss/w:rd?&")

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        settings = Settings(var_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_user="cttn@bnv.example.invalid",
                            smtp_password=SecretStr("p@ss/w:rd?&"), smtp_timeout=5)
        message = build_message(sender=("Vụ Công tác thanh niên", "cttn@bnv.example.invalid"),
                                to=[("Sở Nội vụ tỉnh An Giang", "snv@angiang.example.invalid")], subject="Nhắc hạn",
                                body="Kính gửi: Ủy ban nhân dân tỉnh An Giang\n", key="k", at=vn_moment(date(2024, 6, 4), 8))
        data = message_bytes(message)
        assert smtp_send(settings, data, "cttn@bnv.example.invalid", "snv@angiang.example.invalid") is None
        assert logins == [(b"cttn@bnv.example.invalid", b"p@ss/w:rd?&")]
        assert received == [("cttn@bnv.example.invalid", ["snv@angiang.example.invalid"], data)]
    finally:
        controller.stop()


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
