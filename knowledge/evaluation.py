"""Scoring: answer quality on question files, retrieval quality on BEIR datasets."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from index.dense import DenseIndex
from index.embedder import Embedder
from index.hybrid import HybridRetriever
from index.lexical import LexicalIndex
from index.text import normalize

from .answering import Answer, answer, format_plain
from .conversation import Context
from .store import KnowledgeBase


class EvaluationError(Exception):
    """A question or dataset file is missing or malformed."""


def read_jsonl(path: Path | str) -> list[dict]:
    rows = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise EvaluationError(f"{path}: cannot read ({e.strerror})") from e
    for n, line in enumerate(lines, start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise EvaluationError(f"{path}, line {n}: not JSON ({e.msg})") from e
    return rows


def _percentile(values: list[float], pct: float) -> float:
    return float(np.percentile(values, pct)) if values else 0.0


def answer_lines(kb: KnowledgeBase, items: list[dict]) -> Iterator[tuple[dict, Answer]]:
    """Answer the lines of a question file in order. Lines with the same ``session`` are one
    conversation: each is answered with the context of the earlier lines of its session;
    lines without ``session`` are independent."""
    contexts: dict[str, Context | None] = {}
    for item in items:
        session = item.get("session")
        context = contexts.get(str(session)) if session is not None else None
        ans = answer(kb, str(item.get("q", "")), province=item.get("province"), context=context)
        if session is not None:
            contexts[str(session)] = ans.context
        yield item, ans


def evaluate_questions(kb: KnowledgeBase, questions: list[dict]) -> dict:
    """Answer accuracy, source@1/@3, abstention precision/recall and latency over ``questions``.

    Lines of one ``session`` are answered as a conversation (see :func:`answer_lines`).
    A question is answered correctly when one alternative of every ``must`` group
    appears in the answer text (case-insensitive), or, for ``abstain`` questions,
    when the engine abstains.
    """
    kb.warm_up()
    answer(kb, "khởi động")  # first call pays one-off costs; not a user's latency
    details, latencies = [], []
    for item, ans in answer_lines(kb, questions):
        latencies.append(ans.latency_ms)
        should_abstain = bool(item.get("abstain"))
        text = normalize(ans.text).lower()
        must_ok = all(any(normalize(alt).lower() in text for alt in group) for group in item.get("must", []))
        correct = ans.abstained if should_abstain else (not ans.abstained and must_ok)
        docs = []
        for s in ans.sources:
            if s.doc not in docs:
                docs.append(s.doc)
        details.append({
            "id": item.get("id"), "q": item["q"], "correct": correct, "abstained": ans.abstained,
            "should_abstain": should_abstain, "doc": item.get("doc"), "sources": docs,
            "source@1": bool(item.get("doc")) and docs[:1] == [item["doc"]],
            "source@3": bool(item.get("doc")) and item["doc"] in docs[:3],
            "answer": format_plain(ans), "latency_ms": round(ans.latency_ms, 1),
            "cat": item.get("cat"), "must": item.get("must", []), "features": ans.features,
        })
    report = _summary(details, latencies)
    categories = sorted({d["cat"] for d in details if d["cat"]})
    report["by_category"] = {cat: _summary([d for d in details if d["cat"] == cat], []) for cat in categories}
    report["details"] = details
    return report


def _summary(details: list[dict], latencies: list[float]) -> dict:
    with_doc = [d for d in details if d["doc"] and not d["should_abstain"]]
    abstained = [d for d in details if d["abstained"]]
    should = [d for d in details if d["should_abstain"]]
    return {
        "questions": len(details),
        "accuracy": sum(d["correct"] for d in details) / max(1, len(details)),
        "source@1": sum(d["source@1"] for d in with_doc) / max(1, len(with_doc)),
        "source@3": sum(d["source@3"] for d in with_doc) / max(1, len(with_doc)),
        "abstain_precision": sum(d["should_abstain"] for d in abstained) / max(1, len(abstained)),
        "abstain_recall": sum(d["abstained"] for d in should) / max(1, len(should)),
        "answerable_abstained": sum(1 for d in abstained if not d["should_abstain"]),
        "abstentions": len(abstained), "abstentions_expected": len(should), "with_source": len(with_doc),
        "latency_p50_ms": round(_percentile(latencies, 50), 1),
        "latency_p95_ms": round(_percentile(latencies, 95), 1),
    }


def _read_beir(folder: Path) -> tuple[dict[str, str], dict[str, str], dict[str, set[str]]]:
    for name in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv"):
        if not (folder / name).exists():
            raise EvaluationError(f"{folder}: missing {name}; a BEIR dataset has corpus.jsonl, queries.jsonl "
                                  "and qrels/test.tsv")
    corpus = {}
    for row in read_jsonl(folder / "corpus.jsonl"):
        corpus[str(row["_id"])] = "\n".join(x for x in (row.get("title", ""), row.get("text", "")) if x)
    queries = {str(r["_id"]): r["text"] for r in read_jsonl(folder / "queries.jsonl")}
    qrels: dict[str, set[str]] = {}
    with open(folder / "qrels" / "test.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if int(row.get("score", 1)) > 0:
                qrels.setdefault(row["query-id"], set()).add(row["corpus-id"])
    return corpus, {q: t for q, t in queries.items() if q in qrels}, qrels


def _metrics(run: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict:
    r1 = r5 = r10 = mrr = ndcg = 0.0
    for qid, ranked in run.items():
        rel = qrels[qid]
        hits = [d in rel for d in ranked[:10]]
        r1 += len(rel & set(ranked[:1])) / len(rel)
        r5 += len(rel & set(ranked[:5])) / len(rel)
        r10 += len(rel & set(ranked[:10])) / len(rel)
        mrr += next((1 / (i + 1) for i, h in enumerate(hits) if h), 0.0)
        dcg = sum(1 / math.log2(i + 2) for i, h in enumerate(hits) if h)
        idcg = sum(1 / math.log2(i + 2) for i in range(min(len(rel), 10)))
        ndcg += dcg / idcg
    n = max(1, len(run))
    return {"Recall@1": r1 / n, "Recall@5": r5 / n, "Recall@10": r10 / n, "MRR@10": mrr / n, "nDCG@10": ndcg / n}


def _corpus_vectors(embedder: Embedder, texts: list[str], progress=None) -> np.ndarray:
    """Passage vectors of a benchmark corpus, cached by model and content: embedding
    2,000 long articles takes minutes, and the corpus does not change between runs."""
    key = hashlib.sha256("\x00".join([embedder.name, *texts]).encode()).hexdigest()[:24]
    cache = embedder.cache_dir / "bench-cache" / f"{key}.npy"
    if cache.exists():
        return np.load(cache, allow_pickle=False)
    vectors = []
    for start in range(0, len(texts), 64):
        vectors.append(embedder.encode_passages(texts[start : start + 64]))
        if progress:
            progress(min(start + 64, len(texts)), len(texts), "embedding")
    out = np.concatenate(vectors) if vectors else np.zeros((0, embedder.dim), dtype=np.float32)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, out, allow_pickle=False)
    return out


def evaluate_retrieval(folder: Path | str, embedder: Embedder, mode: str = "hybrid",
                       run_file: Path | str | None = None,
                       progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Index a BEIR dataset into a temporary store and score retrieval.

    :param mode: "hybrid" (what the bot uses), "lexical" or "dense" (the baselines)
    """
    if mode not in ("hybrid", "lexical", "dense"):
        raise ValueError(f"mode must be hybrid, lexical or dense. Currently, the mode is {mode!r}")
    folder = Path(folder)
    corpus, queries, qrels = _read_beir(folder)
    doc_ids = list(corpus)
    texts = [normalize(corpus[d]) for d in doc_ids]
    with tempfile.TemporaryDirectory(prefix="cdsbot-beir-") as tmp:
        conn = sqlite3.connect(Path(tmp) / "beir.db")
        lexical = LexicalIndex(conn)
        lexical.add(list(range(len(texts))), texts)
        dense = None
        if mode != "lexical":
            dense = DenseIndex(embedder.dim, embedder.name)
            dense.add(list(range(len(texts))), _corpus_vectors(embedder, texts, progress))
        # The hybrid run goes through the bot's own retriever; the other two are its halves alone.
        encode = lambda text: embedder.encode_queries([text])[0]  # noqa: E731
        hybrid = HybridRetriever(lexical.search, dense.search, encode, top_k=100) if dense is not None else None
        run, started = {}, time.perf_counter()
        for qid, qtext in queries.items():
            qtext = normalize(qtext)
            if mode == "hybrid":
                ranked = hybrid.run(qtext).fused
            elif mode == "lexical":
                ranked = lexical.search(qtext, 100)
            else:
                ranked = dense.search(encode(qtext), 100)
            run[qid] = ([doc_ids[i] for i in ranked.ids[:100]], ranked.scores[:100])
        elapsed = time.perf_counter() - started
        conn.close()
    if run_file:
        with open(run_file, "w", encoding="utf-8") as f:
            for qid, (ranked, scores) in run.items():
                for rank, (did, score) in enumerate(zip(ranked, scores), start=1):
                    f.write(f"{qid} Q0 {did} {rank} {score:.6f} cdsbot-{mode}\n")
    result = _metrics({q: r for q, (r, _) in run.items()}, qrels)
    result.update({"mode": mode, "queries": len(run), "documents": len(corpus),
                   "ms_per_query": 1000 * elapsed / max(1, len(run))})
    return result
