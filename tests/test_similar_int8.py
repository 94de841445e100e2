"""The int8 indexing embedder (pipeline/similar/quantized.py): built offline, close to float32, optional."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.similar.store import StoreConfig
from support import EXAMPLES, REPO_ROOT

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

# Measured 2026-11-24: cosine int8 vs float32 over the 88 example-library chunks min 0.988, mean 0.994
# (588 corpus chunks: min 0.985). The margin allows for other onnxruntime kernels, not for a broken model
# (a model with wrong attention masks or pooling lands far below 0.9).
MIN_COSINE = 0.97
MEAN_COSINE = 0.985

_BUILD_OFFLINE = """
import socket, sys
from pathlib import Path

def refuse(*args, **kwargs):
    raise OSError("network touched during the int8 export")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
from pipeline.similar.quantized import build_quantized
build_quantized(Path(sys.argv[1]))
print(sorted(m for m in ("torch", "transformers") if m in sys.modules))
"""


@pytest.fixture(scope="module")
def built_model(tmp_path_factory) -> Path:
    """One build for the module, in a subprocess with sockets refused and without the HF offline flags
    (the build must set them itself), so torch never loads into the test process."""
    pytest.importorskip("torch")
    target = tmp_path_factory.mktemp("int8") / "minilm.onnx"
    env = {key: value for key, value in os.environ.items() if key not in {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"}}
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_OFFLINE, str(target)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['torch', 'transformers']"  # it really exported, in that process
    return target


def example_chunks() -> list[str]:
    from pipeline.similar.documents import load_document

    return [chunk.text for path in sorted((EXAMPLES / "library").glob("*.md")) for chunk in load_document(path).chunks]


@pytest.mark.slow
def test_offline_build_gives_vectors_close_to_float32(built_model):
    from pipeline.similar.embeddings import default_model
    from pipeline.similar.quantized import QuantizedMiniLM

    texts = example_chunks()
    assert len(texts) > 50
    quantized = QuantizedMiniLM(built_model).embed(texts)
    reference = default_model().embed(texts)
    cosines = (quantized * reference).sum(axis=1)
    assert quantized.shape == reference.shape
    assert abs(float((quantized * quantized).sum(axis=1).min()) - 1.0) < 1e-5
    assert cosines.min() >= MIN_COSINE and cosines.mean() >= MEAN_COSINE, (cosines.min(), cosines.mean())


@pytest.mark.slow
def test_int8_vectors_keep_their_order_whatever_the_batch(built_model):
    """Dynamic quantization scales each activation matrix by the range of its whole batch, so the other
    texts in a batch move a vector a little (measured 0.992 here), never beyond the float32 parity bound."""
    from pipeline.similar.quantized import QuantizedMiniLM

    model = QuantizedMiniLM(built_model)
    # Passages like the chunks we index (a one-word text such as "ok" is the weak case: 0.96-0.97 to float32).
    texts = [
        "Disk full - Impact: the logging volume filled up",
        "Certificate expiry - Timeline: the TLS certificate on the gateway expired and clients failed the handshake",
        "DNS - Root cause: a record was deleted",
    ]
    together = model.embed(texts)
    alone = [model.embed([text])[0] for text in texts]  # no padding at all
    for row, single in zip(together, alone):
        assert float(row @ single) >= MIN_COSINE
    assert model.embed([]).shape == (0, 384)


@pytest.mark.slow
def test_index_uses_the_cached_int8_model_and_float32_queries_find_it(built_model, isolated_home):
    from pipeline.similar.embeddings import default_model
    from pipeline.similar.library import index_paths, similar_to_text
    from pipeline.similar.quantized import QuantizedMiniLM, indexing_model, quantized_path
    from pipeline.similar.store import LibraryStore, StoreConfig

    quantized_path().parent.mkdir(parents=True)
    shutil.copy(built_model, quantized_path())
    assert isinstance(indexing_model(1), QuantizedMiniLM)
    config = StoreConfig(path=isolated_home / "chroma")
    index_paths([EXAMPLES / "library"], config)
    stored = LibraryStore.open(config, create=False).collection.get(limit=3, include=["documents", "embeddings"])
    cosines = (default_model().embed(stored["documents"]) * stored["embeddings"]).sum(axis=1)
    assert cosines.min() >= MIN_COSINE and cosines.max() < 0.9999, cosines  # int8 vectors, not float32 ones
    found = similar_to_text("the TLS certificate expired and clients could not connect", k=3, config=config)
    assert any("cert" in incident.title.lower() for incident in found[:2]), [i.title for i in found]


def test_small_index_without_a_built_model_stays_float32_and_builds_nothing():
    from pipeline.similar.embeddings import MiniLM
    from pipeline.similar.quantized import BUILD_AT_CHUNKS, indexing_model, quantized_path

    assert isinstance(indexing_model(BUILD_AT_CHUNKS - 1), MiniLM)
    assert not quantized_path().exists()


def test_float32_fallbacks_without_onnxruntime_or_when_disabled(monkeypatch, built_model_path_stub):
    from pipeline.similar.embeddings import MiniLM
    from pipeline.similar.quantized import DISABLE_VARIABLE, indexing_model

    monkeypatch.setenv(DISABLE_VARIABLE, "0")
    assert isinstance(indexing_model(10_000), MiniLM)
    monkeypatch.delenv(DISABLE_VARIABLE)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    assert isinstance(indexing_model(10_000), MiniLM)


def test_missing_torch_falls_back_to_float32_without_a_partial_file(monkeypatch):
    from pipeline.similar.embeddings import MiniLM
    from pipeline.similar.quantized import indexing_model, quantized_path

    monkeypatch.setitem(sys.modules, "torch", None)
    assert isinstance(indexing_model(10_000), MiniLM)
    assert not quantized_path().exists()


@pytest.fixture
def built_model_path_stub() -> Path:
    """A file where the built model would be: the fallbacks must win even when one exists."""
    from pipeline.similar.quantized import quantized_path

    quantized_path().parent.mkdir(parents=True)
    quantized_path().write_bytes(b"not a model: loading it would fail the test")
    return quantized_path()


def test_query_process_never_imports_onnxruntime_or_torch(isolated_home):
    from pipeline.similar.library import index_paths

    store = isolated_home / "chroma"
    index_paths([EXAMPLES / "library"], StoreConfig(path=store))
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from pipeline.similar.library import similar_to_text\n"
        "from pipeline.similar.store import StoreConfig\n"
        "found = similar_to_text('disk full on the logging volume', config=StoreConfig(path=Path(sys.argv[1])))\n"
        "print(len(found), sorted(m for m in ('onnxruntime', 'torch') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(store)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split(maxsplit=1)[1].strip() == "[]", done.stdout
