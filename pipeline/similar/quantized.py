"""all-MiniLM-L6-v2 with int8 matrix products (onnxruntime), the embedder for indexing.

Why: indexing is ~95% embedding and the float32 forward pass (embeddings.py) tops out near 35-55 chunks/s
on 2 cores; the issue asks for 100. onnxruntime's fused BERT kernels (attention, skip layer norm, bias
GELU) with dynamically quantized int8 weights (per channel) run about 3x faster, and the vectors stay at
cosine >= 0.98 to the float32 ones (tests/test_similar_int8.py), so a float32 query still finds them.

Queries keep the float32 numpy model: `import onnxruntime` and the session would cost a cold `postmortem
similar` time for no gain on one passage. The ONNX file is built offline from the bundled weights, once,
into `models/` in the library home (pipeline/home.py): torch exports it, onnxruntime fuses and
quantizes it. The build costs ~10 s (mostly importing torch), so it only happens for an index call with at
least `BUILD_AT_CHUNKS` new chunks; smaller calls use the built file when it exists, else float32. Without
onnxruntime, onnx or torch, or with `POSTMORTEM_INT8_INDEXING=0`, indexing uses float32.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.similar.embeddings import (
    DIMENSIONS,
    MODEL_NAME,
    length_batches,
    load_tokenizer,
    model_path,
    set_offline_flags,
)

if TYPE_CHECKING:
    import numpy as np

    from pipeline.similar.embedders import Embedder

RECIPE = "int8-v1"  # bump when the export, fusion or quantization settings change: the cached file is rebuilt
BUILD_AT_CHUNKS = 500  # float32 embeds 500 chunks in ~15 s, about what one build costs
_HEADS = 12
_OPSET = 17
_BATCH_TOKENS = 1024  # onnxruntime ran 588 corpus chunks ~10% faster in batches of 1,024 padded word pieces than 4,096
DISABLE_VARIABLE = "POSTMORTEM_INT8_INDEXING"
BUILD_PREFIX = ".int8-build-"  # + "<pid>-<random>": a temp dir inside the models dir, swept when its process is gone


def quantized_path(home: Path | None = None) -> Path:
    """Where the built int8 model is cached (beside the embedded library)."""
    from pipeline.home import library_home

    return (home or library_home()) / "models" / f"{MODEL_NAME}.{RECIPE}.onnx"


class QuantizedMiniLM:
    """Mean-pooled, L2-normalized MiniLM vectors from an int8 ONNX model built by `build_quantized`."""

    def __init__(self, onnx_path: Path, path: Path | None = None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # no warnings on stderr for every CLI run
        self.session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = load_tokenizer(path or model_path())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length 384-float vector per text, in input order."""
        import numpy as np

        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        for batch in length_batches([len(encoding.ids) for encoding in encodings], _BATCH_TOKENS):
            length = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), length), dtype=np.int64)
            mask = np.zeros((len(batch), length), dtype=np.int64)
            for row, i in enumerate(batch):
                ids[row, : len(encodings[i].ids)] = encodings[i].ids
                mask[row, : len(encodings[i].ids)] = 1
            hidden = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[batch] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


def build_quantized(target: Path, source: Path | None = None) -> Path:
    """Export the bundled weights to ONNX (torch, offline), fuse the BERT ops and quantize them to int8.

    Written to a temporary file and renamed, so a concurrent or interrupted build never leaves a partial
    model. Raises ImportError when torch, transformers, onnx or onnxruntime is missing.
    """
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    set_offline_flags()
    transformers_logging.disable_progress_bar()
    bert = AutoModel.from_pretrained(
        str(source or model_path()), attn_implementation="eager", local_files_only=True
    ).eval()

    class LastHidden(torch.nn.Module):
        """Keyword arguments only: BertModel's positional order changes between transformers releases."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale_builds(target.parent)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    example = torch.ones(2, 8, dtype=torch.int64)
    logging.disable(logging.WARNING)  # onnxruntime's quantizer logs advice on the root logger
    try:
        with (
            tempfile.TemporaryDirectory(dir=target.parent, prefix=f"{BUILD_PREFIX}{os.getpid()}-") as tmp,
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")  # torch's tracer warns about shape-dependent branches it handles
            exported, fused, quantized = (Path(tmp) / name for name in ("fp32.onnx", "fused.onnx", "int8.onnx"))
            with torch.no_grad():
                torch.onnx.export(
                    LastHidden(),
                    (example, example, torch.zeros_like(example)),
                    str(exported),
                    input_names=names,
                    output_names=["last_hidden_state"],
                    opset_version=_OPSET,
                    dynamo=False,
                    dynamic_axes={name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]},
                )
            optimizer.optimize_model(
                str(exported), model_type="bert", num_heads=_HEADS, hidden_size=DIMENSIONS, opt_level=1
            ).save_model_to_file(str(fused))
            quantize_dynamic(
                str(fused),
                str(quantized),
                per_channel=True,
                weight_type=QuantType.QInt8,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},  # fused ops have no inferred types
            )
            os.replace(quantized, target)
    finally:
        logging.disable(logging.NOTSET)
    return target


def sweep_stale_builds(models_dir: Path) -> list[Path]:
    """Remove build directories left by a killed build (about 260 MB each); a live build's is kept.

    A build directory is named `.int8-build-<pid>-<random>`: it is stale when that process is gone.
    """
    import shutil

    removed = []
    for leftover in models_dir.glob(f"{BUILD_PREFIX}*"):
        pid = leftover.name[len(BUILD_PREFIX) :].split("-", 1)[0]
        if leftover.is_dir() and not (pid.isdigit() and _process_alive(int(pid))):
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


@lru_cache(maxsize=4)
def _load(onnx_path: Path) -> QuantizedMiniLM:
    return QuantizedMiniLM(onnx_path)


def indexing_model(new_chunks: int) -> Embedder:
    """The embedder for indexing `new_chunks` passages: int8 when built (or worth building now), else float32."""
    from pipeline.similar.embeddings import default_model

    if os.environ.get(DISABLE_VARIABLE, "1").strip().lower() in {"0", "false", "no", "off"}:
        return default_model()
    target = quantized_path()
    if not target.exists() and new_chunks < BUILD_AT_CHUNKS:
        return default_model()
    try:
        if not target.exists():
            build_quantized(target)
        return _load(target)
    except ImportError:  # onnxruntime, onnx, torch or transformers not installed
        return default_model()
