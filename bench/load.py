"""Load benchmark: N simulated users ask questions through the local fake Telegram and
Zalo OA servers, over real HTTP on 127.0.0.1, against the real engine and bundled corpus.

Prints throughput, reply latency (p50/p95/p99), how fast the Zalo OA webhook acknowledges
events while answers are being computed (p95, max), CPU use and peak memory, and counts
lost, duplicated and crossed replies (a crossed reply is one whose text is not the
answer to the question that user asked).

    python bench/load.py --users 50 --questions 1000

Users wait 1-3 s between questions, as people do (and as the per-user rate limit,
one question per 2 s after a burst, expects). 30 % of each user's questions after the first
are follow-ups ("còn năm 2030 thì sao?"), answered with the context of that user's chat.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.run import Runtime, make_service  # noqa: E402
from bot.settings import Settings  # noqa: E402
from index.text import fold  # noqa: E402
from knowledge.answering import answer  # noqa: E402
from knowledge.store import KnowledgeBase, default_data_dir  # noqa: E402
from tests.fake_telegram import FakeTelegram  # noqa: E402
from tests.fake_zalo import FakeZalo  # noqa: E402

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_questions.jsonl"


# Follow-ups people type after a question; 30 % of the questions after a user's first are one.
# ("cụ thể hơn" is not among them: the conversation core answers it with more passages, like
# /them, which has no single expected text to check a reply against.)
FOLLOW_UPS = ["còn năm 2030 thì sao?", "ai ký văn bản đó?", "văn bản đó do cơ quan nào ban hành?",
              "thế còn Sóc Trăng?"]
FOLLOW_UP_SHARE = 0.3


def _questions(path: Path, n: int, rng: random.Random) -> list[str]:
    base = [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for _ in range(n):
        q = rng.choice(base)
        out.append(fold(q) if rng.random() < 0.3 else q)  # some typed without diacritics
    return out


def _conversation(kb: KnowledgeBase, questions: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """One user's questions, some replaced by follow-ups, each with the answer it must get
    (the engine is deterministic given the chat's previous answer)."""
    out, context = [], None
    for i, q in enumerate(questions):
        if i and rng.random() < FOLLOW_UP_SHARE:
            q = rng.choice(FOLLOW_UPS)
        ans = answer(kb, q, context=context)
        context = ans.context
        out.append((q, ans.text))
    return out


async def _user(platform: str, uid, conversation: list[tuple[str, str]], fake_tg: FakeTelegram,
                fake_zalo: FakeZalo, url: str, answers: set[str], results: dict, rng: random.Random) -> None:
    for q, expected in conversation:
        await asyncio.sleep(rng.uniform(1.0, 3.0))
        started = time.perf_counter()
        if platform == "telegram":
            before = len(fake_tg.sent(uid))
            await fake_tg.send_text(uid, q)
            try:
                await fake_tg.wait_sent(uid, before + 1, timeout=30)
            except AssertionError:
                results["lost"] += 1
                continue
            reply = fake_tg.sent(uid)[before]["text"]
            want = html.escape(expected)
        else:
            before = len(fake_zalo.oa_messages(uid))
            await fake_zalo.post_oa_event(url, fake_zalo.oa_event(uid, q))
            results["ack"].append(time.perf_counter() - started)
            try:
                await fake_zalo.wait(lambda: len(fake_zalo.oa_messages(uid)) > before, timeout=30)
            except AssertionError:
                results["lost"] += 1
                continue
            reply = fake_zalo.oa_messages(uid)[before]["text"]
            want = expected
        results["latency"].append(time.perf_counter() - started)
        if "hỏi hơi nhanh" in reply:
            results["rate_limited"] += 1
        elif want[:60] not in reply and any(
                (html.escape(other) if platform == "telegram" else other)[:60] in reply
                for other in answers if other != expected):
            results["crossed"] += 1  # another question's answer reached this user
    results["done"] += 1


async def run(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    kb = KnowledgeBase(args.data_dir)
    kb.ensure_default_corpus()
    kb.warm_up()
    questions = _questions(DEV, args.questions, rng)
    # What each question must be answered with: the engine is deterministic. Computed on a
    # second instance, so the served one starts with an empty query-vector cache.
    oracle = KnowledgeBase(args.data_dir)
    conversations = [_conversation(oracle, questions[i :: args.users], random.Random(args.seed * 1000 + i))
                     for i in range(args.users)]
    oracle.close()
    answers = {text for conversation in conversations for _, text in conversation}
    follow_ups = sum(q in FOLLOW_UPS for conversation in conversations for q, _ in conversation)

    fake_tg, fake_zalo = FakeTelegram(), FakeZalo()
    await fake_tg.start()
    await fake_zalo.start()
    tmp = tempfile.mkdtemp(prefix="cdsbot-bench-")
    settings = Settings(
        data_dir=Path(tmp), host="127.0.0.1", port=0, rate_burst=5, rate_interval_s=2.0,
        telegram_token=fake_tg.token, telegram_base_url=fake_tg.base_url,
        zalo_oa_app_id=fake_zalo.app_id, zalo_oa_app_secret=fake_zalo.app_secret,
        zalo_oa_secret_key=fake_zalo.oa_secret_key, zalo_oa_access_token=fake_zalo.access_token,
        zalo_oa_refresh_token=fake_zalo.refresh_token, zalo_oa_base_url=fake_zalo.base_url,
        zalo_oauth_base_url=fake_zalo.base_url)
    runtime = Runtime(settings, make_service(settings, kb), poll_timeout=1)
    await runtime.start()
    url = f"http://127.0.0.1:{runtime.port}/zalo/oa/webhook"

    results = {"latency": [], "ack": [], "lost": 0, "crossed": 0, "rate_limited": 0, "done": 0}
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    await asyncio.gather(*(
        _user("telegram" if i % 2 == 0 else "zalo", 50_000 + i if i % 2 == 0 else f"zu{i}", conversation,
              fake_tg, fake_zalo, url, answers, results, random.Random(args.seed + i))
        for i, conversation in enumerate(conversations)))
    wall = time.perf_counter() - started
    await asyncio.sleep(2)  # anything arriving late counts as a duplicate
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    sent_tg = sum(len(fake_tg.sent(50_000 + i)) for i in range(0, args.users, 2))
    sent_zalo = sum(len(fake_zalo.oa_messages(f"zu{i}")) for i in range(1, args.users, 2))
    await runtime.stop()
    await fake_tg.stop()
    await fake_zalo.stop()
    kb.close()

    lat = sorted(results["latency"])
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [0] * 99
    replies = sent_tg + sent_zalo
    return {
        "users": args.users, "questions": len(questions), "follow_ups": follow_ups, "answered": len(lat),
        "lost": results["lost"], "duplicated": max(0, replies - len(lat) - results["lost"]) if replies > len(lat) else 0,
        "crossed": results["crossed"], "rate_limited_replies": results["rate_limited"], "wall_s": round(wall, 1),
        "throughput_qps": round(len(lat) / wall, 2),
        "latency_p50_ms": round(q[49] * 1000), "latency_p95_ms": round(q[94] * 1000),
        "latency_p99_ms": round(q[98] * 1000),
        "webhook_ack_p95_ms": round(statistics.quantiles(results["ack"], n=100)[94] * 1000)
        if len(results["ack"]) >= 2 else None,
        "webhook_ack_max_ms": round(max(results["ack"]) * 1000) if results["ack"] else None,
        "cpu_percent_of_one_core": round(100 * ((cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)) / wall),
        "peak_rss_mb": round(cpu1.ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.users < 1 or args.questions < args.users:
        parser.error("need at least one user and at least one question per user")
    report = asyncio.run(run(args))
    for key, value in report.items():
        print(f"{key:<26} {value}")


if __name__ == "__main__":
    main()
