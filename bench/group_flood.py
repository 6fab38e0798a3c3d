"""Group-flood benchmark: one supergroup floods the bot while private users keep asking.

300 mentions of the bot arrive at once in one group; meanwhile 10 other users each ask one
private question a second. Everything goes through the local fake Telegram over real HTTP on
127.0.0.1, against the real engine and the bundled corpus. Prints the private questions'
latency (p50/p95, target p95 < 2 s), how many group questions were answered (per minute) or
dropped, and how long stopping the bot takes with the flood still queued (the SIGTERM path,
target < 10 s).

    python bench/group_flood.py [--mentions 300] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.run import STOP_TIMEOUT_S, Runtime, make_service  # noqa: E402
from bot.settings import Settings  # noqa: E402
from knowledge.store import KnowledgeBase, default_data_dir  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402

GROUP = -100_777
QUESTIONS = ["GRDP là gì?", "Dịch vụ công trực tuyến toàn trình là gì?", "Chữ ký số là gì?",
             "Sóc Trăng muốn bao nhiêu phần trăm dân số có tài khoản thanh toán điện tử?"]


async def _private_user(fake: FakeTelegram, uid: int, seconds: float, latencies: list[float], lost: list[int]):
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        before = len(fake.sent(uid))
        await fake.send_text(uid, QUESTIONS[n % len(QUESTIONS)])
        try:
            await fake.wait_sent(uid, before + 1, timeout=30)
            latencies.append(time.perf_counter() - started)
        except AssertionError:
            lost.append(uid)
        n += 1
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))


async def run(args: argparse.Namespace) -> dict:
    kb = KnowledgeBase(args.data_dir)
    kb.ensure_default_corpus()
    kb.warm_up()
    fake = FakeTelegram()
    await fake.start()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="cdsbot-flood-")), host="127.0.0.1", port=0,
                        telegram_token=fake.token, telegram_base_url=fake.base_url, rate_burst=5, rate_interval_s=1.0)
    runtime = Runtime(settings, make_service(settings, kb), poll_timeout=1)
    await runtime.start()
    for i in range(args.mentions):  # the flood: many members mention the bot at once
        await fake.send_text(60_000 + i % 150, f"@cds_test_bot {QUESTIONS[i % len(QUESTIONS)]}",
                             chat_id=GROUP, chat_type="supergroup")
    latencies: list[float] = []
    lost: list[int] = []
    started = time.perf_counter()
    await asyncio.gather(*(_private_user(fake, 70_000 + u, args.seconds, latencies, lost) for u in range(10)))
    wall = time.perf_counter() - started
    group_answers = len(fake.sent(GROUP))
    stop_started = time.perf_counter()
    try:
        await asyncio.wait_for(runtime.stop(), STOP_TIMEOUT_S)
    except TimeoutError:
        pass
    stop_s = time.perf_counter() - stop_started
    await fake.stop()
    kb.close()
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0.0] * 99
    return {
        "group_mentions": args.mentions, "private_questions": len(latencies) + len(lost),
        "private_lost": len(lost), "private_p50_ms": round(q[49] * 1000), "private_p95_ms": round(q[94] * 1000),
        "group_answers": group_answers, "group_answers_per_min": round(group_answers / wall * 60, 1),
        "group_dropped_or_pending": args.mentions - group_answers, "wall_s": round(wall, 1),
        "stop_s": round(stop_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    args = parser.parse_args()
    for key, value in asyncio.run(run(args)).items():
        print(f"{key:<26} {value}")


if __name__ == "__main__":
    main()
