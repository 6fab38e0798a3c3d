"""Typo benchmark: an eval file with one typo put into each question, as people slip when typing
on a phone, answered by the engine on a data directory.

In each question one content word of three letters or more (not a province name, not an
upper-case abbreviation) gets, with equal odds, a different tone mark or its last letter
typed twice; a word whose tone cannot change gets the doubled letter.

    python bench/typos.py ../shared/eval/dev_questions_v2.jsonl --seed 7 [--without-marks]

The data directory is ``$CDSBOT_DATA_DIR`` (built from the bundled corpus when empty).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.text import fold, is_stopword, normalize, tone  # noqa: E402
from knowledge import provinces as gz  # noqa: E402
from knowledge.evaluation import evaluate_questions, read_jsonl  # noqa: E402
from knowledge.store import KnowledgeBase  # noqa: E402

TONES = "\u0300\u0301\u0303\u0309\u0323"  # the five tone marks, to pick another from


def retone(word: str, rng: random.Random) -> str | None:
    """``word`` with another tone mark, or None when it has none."""
    mark = tone(word)
    if not mark:
        return None
    other = rng.choice([t for t in TONES if t != mark])
    return normalize(unicodedata.normalize("NFD", word).replace(mark, other, 1))


def with_typo(question: str, rng: random.Random) -> str:
    spans = gz.mention_spans(question)
    words = [m for m in re.finditer(r"[^\W\d_]{3,}", question)
             if not is_stopword(m.group(0).lower()) and not m.group(0).isupper()
             and not any(a <= m.start() < b for a, b in spans)]
    if not words:
        return question
    m = rng.choice(words)
    word = m.group(0)
    typed = (retone(word, rng) if rng.random() < 0.5 else None) or word + word[-1]
    return question[:m.start()] + typed + question[m.end():]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="an eval file (JSON lines)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--without-marks", action="store_true", help="then fold every question")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    items = []
    for item in read_jsonl(args.file):
        q = with_typo(item["q"], rng)
        items.append(dict(item, q=fold(q) if args.without_marks else q))
    kb = KnowledgeBase()
    kb.ensure_default_corpus()
    result = evaluate_questions(kb, items)
    print(f"seed {args.seed}: accuracy {result['accuracy']:.1%}, source@1 {result['source@1']:.1%}, "
          f"answerable abstained {result['answerable_abstained']}")
    for detail in result["details"]:
        if not detail["correct"]:
            print(f"  miss {detail['id']}: {detail['q']}")


if __name__ == "__main__":
    main()
