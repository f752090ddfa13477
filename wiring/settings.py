"""The one place that reads configuration: environment variables ``DVTRACKER_*`` and an
optional TOML file (``dvtracker.toml`` in the project folder, or the file named by
``DVTRACKER_CONFIG``). Everything else receives a ``Settings`` object.

Secrets (SMTP password, document-exchange token, chat tokens) come from the environment or
from Prefect Secret blocks, never from files in the repository.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from models.errors import UserError
from models.validation import describe

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

    # Under var_dir unless set (see _folders_under_var).
    inbox_dir: Path = PROJECT_DIR / "var" / "inbox"
    outbox_dir: Path = PROJECT_DIR / "var" / "outbox"
    exports_dir: Path = PROJECT_DIR / "var" / "exports"
    templates_dir: Path | None = None  # coordinators' overrides of notifications/templates
    max_file_mb: int = 20  # a report file (inbox, submit, HTTP) larger than this is refused unread
    inbox_group: int = 50  # inbox files committed together (each in its own savepoint); 1: one transaction a file
    inbox_group_seconds: float = 2.0  # and committed after this long however many (SQLite's write lock is held)

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
    http_timeout: float = 10.0  # seconds of silence before a request is given up
    http_deadline: float = 120.0  # seconds for one whole request, however slowly its answer comes

    # Prefect. Empty API URL: the embedded local server (127.0.0.1:prefect_port) with its own
    # database under var/prefect/, never the application's database.
    # Prefect's own PREFECT_API_URL is read too: a server named for Prefect is the one dvtracker uses.
    prefect_api_url: str = Field("", validation_alias=AliasChoices(
        "prefect_api_url", "DVTRACKER_PREFECT_API_URL", "PREFECT_API_URL"))
    prefect_port: int = 4200
    prefect_home: Path = PROJECT_DIR / "var" / "prefect"

    # The read-only file server over the exports folder (tasks/file_server.py), on loopback only:
    # the summary links the exported files at files_url.
    files_port: int = Field(4280, ge=0, le=65535)

    @model_validator(mode="before")
    @classmethod
    def _folders_under_var(cls, data: Any) -> Any:
        """The folders not set explicitly live under var_dir, wherever var_dir is."""
        if isinstance(data, dict):
            var = Path(data.get("var_dir") or PROJECT_DIR / "var")
            for key, name in (("inbox_dir", "inbox"), ("outbox_dir", "outbox"), ("exports_dir", "exports"),
                              ("prefect_home", "prefect")):
                if not data.get(key):
                    data[key] = var / name
        return data

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'dvtracker.db'}"
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
    def files_url(self) -> str:
        """Where the file server answers: the exports folder is its root."""
        return f"http://127.0.0.1:{self.files_port}"

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
    """The settings of this process; a setting that cannot be read is one Vietnamese sentence
    naming it (the variable, or the file)."""
    try:
        return Settings()
    except ValidationError as exc:
        where = f"biến môi trường DVTRACKER_… hoặc tệp {_config_file()}"
        raise UserError(f"Cấu hình không hợp lệ ({where}): "
                        + describe(Settings, exc, label=lambda name: f"DVTRACKER_{name.upper()}")) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError, SettingsError) as exc:
        raise UserError(f"Không đọc được tệp cấu hình {_config_file()}: {exc}.") from None
