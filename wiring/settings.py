"""The one place that reads configuration: environment variables ``DVTRACKER_*`` and an
optional TOML file (``dvtracker.toml`` in the project folder, or the file named by
``DVTRACKER_CONFIG``). Everything else receives a ``Settings`` object.

Secrets (SMTP password, document-exchange token, chat tokens) come from the environment or
from Prefect Secret blocks, never from files in the repository.
"""

from __future__ import annotations

import getpass
import os
from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]
TIMEZONE = "Asia/Ho_Chi_Minh"


def _config_file() -> Path:
    return Path(os.environ.get("DVTRACKER_CONFIG", PROJECT_DIR / "dvtracker.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DVTRACKER_", extra="ignore")

    data_dir: Path = PROJECT_DIR / "data"
    var_dir: Path = PROJECT_DIR / "var"  # runtime state: database, inbox, outbox, exports
    database_url: str = ""  # default: SQLite file var/dvtracker.db
    db_connect_timeout: int = 10  # seconds to wait for the PostgreSQL server before giving up
    actor: str = ""  # who the audit log names for changes made by this process

    inbox_dir: Path | None = None
    outbox_dir: Path | None = None
    exports_dir: Path | None = None
    templates_dir: Path | None = None  # coordinators' overrides of notifications/templates
    max_file_mb: int = 20  # a report file (inbox, submit, HTTP) larger than this is refused unread

    # Email. Without smtp_host, reminders are written as .eml files to the outbox.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    smtp_from: str = ""  # "Name <address>"; empty: the collector's department at its contact e-mail (calendar.yaml)
    smtp_timeout: float = 20.0
    coordinator_urls: list[str] = []  # Apprise URLs of the coordinators' own channel

    # Document-exchange service (HTTP pull). Empty base URL: not used.
    http_base_url: str = ""
    http_token: SecretStr = SecretStr("")
    http_page_size: int = 50
    http_timeout: float = 10.0

    # Prefect. Empty API URL: the embedded local server (127.0.0.1:prefect_port) with its own
    # database under var/prefect/, never the application's database.
    prefect_api_url: str = ""
    prefect_port: int = 4200
    prefect_home: Path | None = None

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'dvtracker.db'}"
        self.inbox_dir = self.inbox_dir or self.var_dir / "inbox"
        self.outbox_dir = self.outbox_dir or self.var_dir / "outbox"
        self.exports_dir = self.exports_dir or self.var_dir / "exports"
        self.prefect_home = self.prefect_home or self.var_dir / "prefect"
        if not self.actor:
            try:
                self.actor = f"cli:{getpass.getuser()}"
            except Exception:  # no user name in some containers
                self.actor = "cli"
        return self

    @property
    def prefect_ui_url(self) -> str:
        return (self.prefect_api_url or f"http://127.0.0.1:{self.prefect_port}/api").removesuffix("/api")

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024

    @property
    def roster_dir(self) -> Path:
        return self.data_dir / "roster"

    @property
    def calendar_file(self) -> Path:
        return self.data_dir / "calendar.yaml"

    @property
    def day_overrides_file(self) -> Path:
        return self.data_dir / "calendar" / "day_overrides.csv"

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, _config_file()))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
