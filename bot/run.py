"""Start every configured channel on one event loop; stop them cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal

import aiohttp
from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken

from knowledge.store import KnowledgeBase

from . import server
from .service import Service
from .settings import Settings
from .telegram import build_application, replay_unfinished
from .zalo import ZaloBot, ZaloOA

logger = logging.getLogger(__name__)

STOP_TIMEOUT_S = 8.0  # SIGTERM to exit stays under 10 s


def make_service(settings: Settings, kb: KnowledgeBase) -> Service:
    return Service(kb, admins={"telegram": {str(a) for a in settings.telegram_admins},
                               "zalo": set(settings.zalo_bot_admins), "zalo_oa": set(settings.zalo_oa_admins)},
                   rate_burst=settings.rate_burst, rate_interval=settings.rate_interval_s,
                   context_minutes=settings.context_minutes)


class Runtime:
    """The running bot: the aiohttp server plus Telegram and Zalo (polling or webhook).

    :param poll_timeout: seconds of each getUpdates long poll
    """

    def __init__(self, settings: Settings, service: Service, poll_timeout: float = 10.0):
        self.settings, self.service, self.poll_timeout = settings, service, poll_timeout
        self.telegram = None
        self.zalo_bot: ZaloBot | None = None
        self.zalo_oa: ZaloOA | None = None
        self._http: aiohttp.ClientSession | None = None
        self.webhook = bool(settings.telegram_webhook_url)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.ready = service.kb.dense_loaded  # the model and dense index are loaded

    async def start(self) -> None:
        if self.settings.telegram_enabled:
            self.telegram = build_application(self.settings, self.service, webhook=self.webhook)
        if self.settings.zalo_bot_enabled or self.settings.zalo_oa_enabled:
            self._http = aiohttp.ClientSession()
        if self.settings.zalo_bot_enabled:
            self.zalo_bot = ZaloBot(self.settings, self.service, self._http)
        if self.settings.zalo_oa_enabled:
            self.zalo_oa = ZaloOA(self.settings, self.service, self._http)
        self._runner = web.AppRunner(server.init(self.settings, self.telegram, self.zalo_bot, self.zalo_oa,
                                                 health=self.health))
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        logger.info("server listening on %s:%s", self.settings.host, self.port)
        if self.zalo_oa is not None:
            await self.zalo_oa.resume()
        if self.zalo_bot is not None:
            await self.zalo_bot.resume()
            await self.zalo_bot.start(self.settings.zalo_bot_webhook_url)
        if self.telegram is None:
            return
        await self.telegram.initialize()
        if self.telegram.post_init:  # PTB runs it only inside run_polling()/run_webhook()
            await self.telegram.post_init(self.telegram)
        await self.telegram.start()
        await replay_unfinished(self.telegram, self.service)
        if self.webhook:
            await self.telegram.bot.set_webhook(
                self.settings.telegram_webhook_url, secret_token=self.settings.telegram_webhook_secret,
                allowed_updates=Update.ALL_TYPES)
            logger.info("telegram: webhook mode")
        else:
            await self.telegram.bot.delete_webhook()
            # Offsets are confirmed to Telegram as updates are fetched, so a restart
            # resumes after the last update seen instead of answering it again.
            await self.telegram.updater.start_polling(timeout=self.poll_timeout, allowed_updates=Update.ALL_TYPES)
            logger.info("telegram: long polling")

    async def warm_up(self) -> None:
        """Load the model and the dense index (the server already listens and stores updates)."""
        await asyncio.to_thread(self.service.kb.warm_up)
        self.ready = True
        logger.info("model loaded: answering")

    def health(self) -> dict:
        channels = {}
        if self.telegram is not None:
            polling = not self.webhook
            alive = bool(self.telegram.running and (not polling or (self.telegram.updater and
                                                                    self.telegram.updater.running)))
            channels["telegram"] = {"mode": "polling" if polling else "webhook", "ok": alive}
        if self.zalo_bot is not None:
            channels["zalo_bot"] = self.zalo_bot.health()
        if self.zalo_oa is not None:
            channels["zalo_oa"] = {"mode": "webhook", "ok": True}
        return {"ok": all(c["ok"] for c in channels.values()), "state": "ready" if self.ready else "starting",
                "channels": channels}

    async def stop(self) -> None:
        if self.zalo_bot is not None:
            await self.zalo_bot.stop()
        if self.zalo_oa is not None:
            await self.zalo_oa.drain()
        if self._http is not None:
            await self._http.close()
        if self.telegram is not None:
            if self.telegram.updater and self.telegram.updater.running:
                await self.telegram.updater.stop()
            if self.telegram.running:
                await self.telegram.stop()
            await self.telegram.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()


async def serve(settings: Settings, kb: KnowledgeBase) -> None:
    """Run until SIGINT or SIGTERM."""
    runtime = Runtime(settings, make_service(settings, kb))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await runtime.start()  # listens at once: updates arriving meanwhile wait in the inbox
        warming = asyncio.create_task(runtime.warm_up())
        await stop.wait()
        warming.cancel()
    except InvalidToken as e:
        raise StartupError("Telegram từ chối token (401): kiểm tra CDSBOT_TELEGRAM_TOKEN") from e
    finally:
        try:  # answers in flight get a few seconds; a stop must not hang on a flooded chat
            await asyncio.wait_for(runtime.stop(), STOP_TIMEOUT_S)
        except TimeoutError:
            logger.warning("stopping took over %.0f s; exiting with answers still in flight", STOP_TIMEOUT_S)


class StartupError(Exception):
    """The bot cannot start; the message says why, in one line for the operator."""
