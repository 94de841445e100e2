"""Similar past incidents: chunking, metadata, the Chroma store (embedded and server), queries, CLI."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.errors import ConfigError, InputError
from pipeline.models import Draft, Facts
from pipeline.similar import library
from pipeline.similar import store as store_module
from pipeline.similar.documents import MAX_CHUNK_WORDS, chunk_section, load_document
from pipeline.similar.embeddings import MiniLM
from pipeline.similar.library import (
    EXAMPLE_COLLECTION,
    EXAMPLE_LIBRARY,
    ensure_example_library,
    example_config,
    index_paths,
    similar_for_draft,
    similar_to_draft,
    similar_to_incident,
    similar_to_text,
)
from pipeline.similar.store import LibraryMissingError, LibraryStore, StoreConfig
from pipeline.similar.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[1]
CHECKOUT = ROOT / "examples" / "checkout-api"
CHROMA = Path(sys.executable).with_name("chroma")
CERT_FILE = "2024-02-10-internal-gateway-tls-certificate-expiry.md"
POOL_FILE = "2024-03-02-checkout-api-connection-pool-exhaustion.md"
SMALL_LIBRARY = [POOL_FILE, CERT_FILE, "2023-06-07-auth-service-dns-record-deleted.md"]


@pytest.fixture(autouse=True)
def no_server_env(monkeypatch):
    monkeypatch.delenv("POSTMORTEM_CHROMA_URL", raising=False)
    monkeypatch.delenv("POSTMORTEM_CHROMA_TOKEN", raising=False)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Any Python-level connection beyond this machine fails the test (the test server is on 127.0.0.1)."""
    connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network access attempted: {address}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="module", autouse=True)
def embeddings_computed_once():
    """One model for the module, and each distinct text embedded once: the libraries here repeat a lot.

    Tests of the embedder itself call `MiniLM.embed` unbound, so they bypass this cache.
    """
    import numpy as np

    from pipeline.similar.embeddings import MiniLM, default_model

    model = default_model()
    cache: dict[str, np.ndarray] = {}

    def embed(texts):
        missing = [text for text in dict.fromkeys(texts) if text not in cache]
        cache.update(zip(missing, MiniLM.embed(model, missing)))
        return np.stack([cache[text] for text in texts]) if texts else MiniLM.embed(model, texts)

    model.embed = embed
    yield
    del model.embed


@pytest.fixture(scope="session")
def example_store(tmp_path_factory) -> StoreConfig:
    """The whole example library, indexed once per session into an embedded store."""
    config = StoreConfig(path=tmp_path_factory.mktemp("example-library") / "chroma")
    index_paths([EXAMPLE_LIBRARY], config)
    return config


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on loopback and a free port; stopped by its process id."""
    if not CHROMA.exists():
        pytest.skip("chroma binary not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("wb")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma run did not start: {(data / 'server.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(params=["embedded", "server"])
def store_config(request, tmp_path) -> StoreConfig:
    """A fresh, empty library on each backend (a unique collection on the shared server)."""
    if request.param == "embedded":
        return StoreConfig(path=tmp_path / "chroma")
    url = request.getfixturevalue("chroma_server")
    return StoreConfig(url=url, collection=f"test-{uuid.uuid4().hex[:12]}")


def small_library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    for name in SMALL_LIBRARY:
        shutil.copy(EXAMPLE_LIBRARY / name, folder / name)
    return folder


# ---------------------------------------------------------------- chunking and metadata


def test_long_sections_are_cut_into_chunks_of_at_most_150_words(tmp_path):
    sentence = "The connection pool on the primary database was exhausted while traffic grew. "
    path = tmp_path / "long.md"
    path.write_text(f"# Pool exhaustion\n\n## Timeline\n\n{sentence * 60}\n\n## Action Items\n\n- Add PgBouncer.\n")
    document = load_document(path)
    sections = [chunk.section for chunk in document.chunks]
    assert len(document.chunks) >= 4
    assert all(len(chunk.text.split()) <= MAX_CHUNK_WORDS for chunk in document.chunks)
    assert sections.count("Timeline") >= 3 and sections[-1] == "Action Items"
    assert all(chunk.text.startswith("Pool exhaustion - ") for chunk in document.chunks)
    assert document.chunks[-1].passage == "- Add PgBouncer."


def test_text_without_punctuation_or_headings_is_still_cut_by_words():
    passages = chunk_section("Notes", "Overview", " ".join(f"word{i}" for i in range(1000)))
    assert len(passages) == 7
    assert max(len(p.split()) for p in passages) <= MAX_CHUNK_WORDS
    assert "word999" in passages[-1]


def test_metadata_of_our_layout():
    document = load_document(EXAMPLE_LIBRARY / CERT_FILE)
    assert document.incident_id == "PM-2024-004"
    assert document.title.startswith("Expired TLS certificate on the internal gateway")
    assert document.date == date(2024, 2, 10)
    assert document.severity == "SEV-2"
    assert document.services == ["internal-gateway", "search-api"]
    assert "certificate-expiry" in document.triggers
    assert "missing-expiry-tracking" in document.factors
    assert {chunk.section for chunk in document.chunks} >= {"Summary", "Contributing Factors", "Action Items"}
    assert not any("**Date:**" in chunk.text for chunk in document.chunks)


def test_metadata_of_a_human_layout_with_front_matter_and_no_headings(tmp_path):
    path = tmp_path / "2021-07-01-queue.md"
    path.write_text(
        "source: example.org/notes\nlicense: CC0\n\n---\ntitle: Queue stuck after upgrade\ndate: 2021-07-03\n---\n"
        "The worker queue stopped draining after the broker upgrade. Messages piled up for two hours.\n"
    )
    document = load_document(path)
    assert document.title == "Queue stuck after upgrade"
    assert document.date == date(2021, 7, 3)  # front matter wins over the file name
    assert document.incident_id == "2021-07-01-queue"
    assert "example.org" not in " ".join(chunk.text for chunk in document.chunks)
    assert "migration" in document.triggers


def _draft(**fields) -> Draft:
    empty = dict(
        executive_summary=[],
        impact=[],
        timeline=[],
        went_well=[],
        went_wrong=[],
        contributing_factors=[],
        five_whys=[],
        action_items=[],
        lessons_learned=[],
        open_questions=[],
        evidence_index={},
    )
    return Draft(title="Search API errors from an expired gateway certificate", facts=Facts(), **{**empty, **fields})


def test_draft_json_is_indexed_with_its_metadata(tmp_path):
    from pipeline.models import Claim, ContributingFactor

    folder = tmp_path / "inc-2024-031"
    folder.mkdir()
    draft = _draft(
        date=date(2024, 6, 1),
        severity="SEV-2",
        service="search-api",
        executive_summary=[Claim(text="The internal gateway TLS certificate expired.", evidence=["T1"])],
        contributing_factors=[ContributingFactor(statement="No alert watched certificate expiry.")],
    )
    (folder / "draft.json").write_text(draft.model_dump_json())
    document = load_document(folder / "draft.json")
    assert document.incident_id == "inc-2024-031"
    assert (document.services, document.date, document.severity) == (["search-api"], date(2024, 6, 1), "SEV-2")
    assert [chunk.section for chunk in document.chunks] == ["Executive Summary", "Contributing Factors"]
    assert "certificate-expiry" in document.triggers


def test_broken_draft_json_names_file_and_line(tmp_path):
    path = tmp_path / "draft.json"
    path.write_text('{\n  "title": "x",\n  oops\n}\n')
    with pytest.raises(InputError) as caught:
        load_document(path)
    assert caught.value.path == path and caught.value.line == 3
    assert "not a draft.json" in caught.value.reason


def test_malformed_taxonomy_is_a_config_error(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text("triggers:\n  dns: []\nfactors: {}\n")
    with pytest.raises(ConfigError, match="triggers.dns: List should have at least 1 item") as caught:
        load_taxonomy(path)
    assert caught.value.line == 2 and str(path) in str(caught.value)


def test_taxonomy_needs_repeated_mentions_in_long_texts():
    taxonomy = load_taxonomy()
    assert "dns" in taxonomy.categorize("The DNS record was deleted.").triggers
    long_text = "We checked DNS once. " + "The pod ran out of memory and was OOMKilled. " * 60
    categories = taxonomy.categorize(long_text)
    assert "dns" not in categories.triggers and categories.triggers[0] == "memory"


def test_taxonomy_terms_match_whatever_the_case_of_term_or_text(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text("triggers:\n  queue: [Kafka, RabbitMQ*]\nfactors:\n  paging: [on-call]\n")
    categories = load_taxonomy(path).categorize("The KAFKA brokers and rabbitmq-2 fell over; On-Call was paged late.")
    assert categories.triggers == ("queue",) and categories.factors == ("paging",)
    assert load_taxonomy(path).categorize("kafkaesque pager noise").triggers == ()


# ---------------------------------------------------------------- embeddings


def test_network_guard_is_active():
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)


def test_offline_flags_are_set_by_the_code_path(monkeypatch):
    from pipeline.similar.embeddings import MiniLM

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    MiniLM()
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"


@pytest.mark.slow
def test_numpy_minilm_matches_sentence_transformers(tmp_path):
    """Reference vectors come from a subprocess, so torch's spinning threads never slow the other tests."""
    import numpy as np

    from pipeline.similar.embeddings import MiniLM, default_model

    texts = [
        "The TLS certificate on the internal gateway expired at 02:00 UTC.",
        "Deploy #847 halved the database connection pool and checkout returned 500s.",
        "ok",
        " ".join(["overflow"] * 400),  # longer than the 256 word-piece limit: both truncate
    ]
    (tmp_path / "texts.json").write_text(json.dumps(texts))
    code = (
        "import json, sys, numpy\n"
        "from sentence_transformers import SentenceTransformer\n"
        "from pipeline.similar.embeddings import model_path\n"
        "texts = json.load(open(sys.argv[1]))\n"
        "model = SentenceTransformer(str(model_path()), device='cpu')\n"
        "numpy.save(sys.argv[2], model.encode(texts, normalize_embeddings=True))\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "texts.json"), str(tmp_path / "reference.npy")],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    reference = np.load(tmp_path / "reference.npy")
    cosines = (MiniLM.embed(default_model(), texts) * reference).sum(axis=1)
    assert cosines.min() > 0.999, cosines


def test_embeddings_are_unit_length_and_order_independent():
    from pipeline.similar.embeddings import MiniLM, default_model

    model = default_model()
    texts = ["short", "a somewhat longer text about a DNS outage and its recovery", "disk full"]
    forward, backward = MiniLM.embed(model, texts), MiniLM.embed(model, texts[::-1])[::-1]
    assert abs(float((forward * forward).sum(axis=1).min()) - 1.0) < 1e-5
    assert float(abs(forward - backward).max()) < 1e-5


# ---------------------------------------------------------------- store, both backends


def test_reindex_is_idempotent(store_config, tmp_path):
    library = small_library(tmp_path)
    first = index_paths([library], store_config)
    second = index_paths([library], store_config)
    assert first.files == 3 and first.counts.added == first.total_chunks > 0
    assert (second.counts.added, second.counts.removed) == (0, 0)
    assert second.counts.unchanged == first.counts.added
    assert second.total_chunks == first.total_chunks


def test_edited_file_replaces_its_old_chunks(store_config, tmp_path):
    library = small_library(tmp_path)
    before = index_paths([library], store_config)
    path = library / POOL_FILE
    path.write_text(path.read_text().replace("PgBouncer", "a pooling proxy").replace("## Impact", "## Customer Impact"))
    after = index_paths([library], store_config)
    store = LibraryStore.open(store_config, create=False)
    stored = store.collection.get(where={"incident_id": "PM-2024-007"}, include=["documents", "metadatas"])
    assert after.counts.added > 0 and after.counts.removed > 0
    assert after.total_chunks == before.total_chunks - after.counts.removed + after.counts.added
    assert len(stored["ids"]) == len(load_document(path).chunks)
    assert not any("PgBouncer" in text for text in stored["documents"])
    assert "Customer Impact" in {meta["section"] for meta in stored["metadatas"]}


def test_metadata_only_edit_reuses_stored_vectors(store_config, tmp_path, monkeypatch):
    from pipeline.similar.embeddings import default_model

    folder = small_library(tmp_path)
    index_paths([folder], store_config)
    path = folder / POOL_FILE
    path.write_text(path.read_text().replace("SEV-2", "SEV-1", 1))
    embedded: list[str] = []
    model = default_model()
    monkeypatch.setattr(model, "embed", lambda texts: embedded.extend(texts) or MiniLM.embed(model, texts))
    report = index_paths([folder], store_config)
    assert report.counts.added == report.counts.removed == len(load_document(path).chunks)
    assert embedded == []  # same passages, new ids (severity is in the id): nothing embedded again
    stored = LibraryStore.open(store_config, create=False).collection.get(
        where={"incident_id": "PM-2024-007"}, include=["documents", "embeddings", "metadatas"]
    )
    assert {meta["severity"] for meta in stored["metadatas"]} == {"SEV-1"}
    fresh = MiniLM.embed(model, stored["documents"])
    assert min(float(a @ b) for a, b in zip(fresh, stored["embeddings"])) > 0.9999


def test_query_finds_the_right_incident_on_each_backend(store_config, tmp_path):
    index_paths([small_library(tmp_path)], store_config)
    results = similar_to_text("x509 certificate has expired on the gateway", k=2, config=store_config)
    assert results[0].incident_id == "PM-2024-004"
    assert results[0].score > results[1].score


def test_missing_collection_on_each_backend_is_library_missing(store_config):
    with pytest.raises(LibraryMissingError) as caught:
        similar_to_text("anything", config=store_config)
    assert "postmortem index" in caught.value.user_message()


# ---------------------------------------------------------------- queries on the example library


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("checkout-api: deploy #847 halved the DB connection pool, 500s, rollback", "PM-2024-007"),
        ("search-api: expired TLS cert on the internal gateway", "PM-2024-004"),
        ("pods were OOMKilled after a memory limit was exceeded", "PM-2024-010"),
        ("DNS record deleted, clients got NXDOMAIN", "PM-2023-019"),
        ("kafka brokers ran out of disk space", "PM-2024-014"),
        ("a migration corrupted invoice amounts", "PM-2023-012"),
        ("backups failing because the storage access key expired", "PM-2023-026"),
    ],
)
def test_clear_queries_find_the_right_past_incident(example_store, query, expected):
    results = similar_to_text(query, k=5, config=example_store)
    assert results[0].incident_id == expected, [r.incident_id for r in results]


def test_results_are_grouped_per_incident_and_explained(example_store):
    results = similar_to_text(
        "checkout-api returned 500s after a deploy exhausted the database connection pool",
        k=5,
        config=example_store,
    )
    ids = [item.incident_id for item in results]
    top = results[0]
    assert len(ids) == len(set(ids)) == 5
    assert [item.score for item in results] == sorted((item.score for item in results), reverse=True)
    assert top.shared_services == ["checkout-api"]
    assert "bad-deploy" in top.shared_triggers and "connection-pool" in top.shared_factors
    source_text = " ".join(Path(top.source).read_text().split())
    assert top.matched_passage.rstrip("…") in source_text  # the reviewer can find the passage
    assert top.matched_section in {"Summary", "Impact", "Contributing Factors", "Action Items"}
    assert "same service: checkout-api" in top.why and "shared factor: connection-pool" in top.why


def test_recurrence_needs_same_service_shared_factor_and_the_window(example_store):
    query = "checkout-api 500s: the database connection pool was exhausted after a deploy"
    past = date(2024, 3, 2)

    def flag(on_date: date, **options) -> bool:
        results = similar_to_text(query, k=3, config=example_store, on_date=on_date, **options)
        return next(item for item in results if item.incident_id == "PM-2024-007").recurrence

    assert flag(past + timedelta(days=73)) is True
    assert flag(past + timedelta(days=200)) is False
    assert flag(past + timedelta(days=200), window_days=365) is True
    other_service = similar_to_text(query, k=3, config=example_store, on_date=past, service="billing-service")
    assert not any(item.recurrence for item in other_service)


def test_incident_directory_uses_its_toml_and_timeline(example_store, tmp_path):
    folder = tmp_path / "2024-05-14-checkout"
    folder.mkdir()
    (folder / "incident.toml").write_text(
        'title = "Checkout 500s after deploy"\nservice = "checkout-api"\ndate = 2024-05-14\n'
    )
    (folder / "timeline.md").write_text(
        "| Time | Event |\n| --- | --- |\n| 14:02 | Deploy #847 rolled out to checkout-api |\n"
        "| 14:09 | Database connection pool exhausted, 500s rising |\n| 14:31 | Rollback completed |\n"
    )
    results = similar_to_incident(folder, k=3, config=example_store)
    top = results[0]
    assert top.incident_id == "PM-2024-007" and top.shared_services == ["checkout-api"]
    assert top.recurrence  # 73 days after 2024-03-02, same service, shared connection-pool factor


def test_query_passages_have_no_empty_lead():
    assert chunk_section("", "", "disk full on the broker") == ["disk full on the broker"]


def test_draft_does_not_match_itself(example_store):
    results = similar_to_draft(EXAMPLE_LIBRARY / CERT_FILE, k=3, config=example_store)
    assert "PM-2024-004" not in [item.incident_id for item in results]
    assert len(results) == 3


# ---------------------------------------------------------------- drafting interface and missing library


def test_missing_library_gives_empty_list_without_loading_chroma(tmp_path):
    code = (
        "import sys; from pipeline.similar import similar_for_draft as f; "
        "print(f('TLS certificate expired', examples=False).incidents, 'chromadb' in sys.modules, 'numpy' in sys.modules)"
    )
    env = {**os.environ, "POSTMORTEM_HOME": str(tmp_path / "empty")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert out.stdout.split() == ["[]", "False", "False"]


def test_drafts_search_the_default_library(isolated_home, tmp_path):
    assert similar_for_draft("x509 certificate expired", examples=False).incidents == []
    index_paths([small_library(tmp_path)], StoreConfig.resolve())
    query = "x509 certificate expired on the internal gateway"
    results = similar_for_draft(query, k=2, service="search-api").incidents
    assert results[0].incident_id == "PM-2024-004" and results[0].shared_services == ["search-api"]
    assert not results[0].recurrence  # today is years after 2024-02-10
    soon_after = similar_for_draft(query, k=2, service="search-api", on_date=date(2024, 3, 1)).incidents
    assert soon_after[0].recurrence


def test_ensure_example_library_is_idempotent_and_fast_once_indexed(isolated_home):
    config = ensure_example_library()
    assert config.collection == EXAMPLE_COLLECTION and config.path == StoreConfig.resolve().path
    count = LibraryStore.open(config, create=False).count()
    started = time.perf_counter()
    assert ensure_example_library() == config
    assert time.perf_counter() - started < 0.2
    assert LibraryStore.open(config, create=False).count() == count
    assert count == sum(len(load_document(p).chunks) for p in EXAMPLE_LIBRARY.glob("*.md"))
    with pytest.raises(LibraryMissingError):  # the team's collection is not created by the examples
        LibraryStore.open(StoreConfig.resolve(), create=False)


def test_changed_examples_are_synced_and_removed_ones_dropped(isolated_home, tmp_path, monkeypatch):
    folder = small_library(tmp_path)
    monkeypatch.setattr(library, "EXAMPLE_LIBRARY", folder)
    config = ensure_example_library()
    assert incident_ids(config) == {"PM-2024-004", "PM-2024-007", "PM-2023-019"}
    (folder / SMALL_LIBRARY[2]).unlink()
    ensure_example_library()
    assert incident_ids(config) == {"PM-2024-004", "PM-2024-007"}


def incident_ids(config: StoreConfig) -> set[str]:
    stored = LibraryStore.open(config, create=False).collection.get(include=["metadatas"])
    return {meta["incident_id"] for meta in stored["metadatas"]}


# ---------------------------------------------------------------- postmortem draft: Similar Past Incidents


def draft_json(directory: Path, *options: str) -> tuple[Draft, str]:
    result = CliRunner().invoke(app, ["draft", str(directory), "--format", "json", *options])
    assert result.exit_code == 0, result.output
    return Draft.model_validate_json(result.stdout), result.stderr


def test_first_draft_indexes_the_examples_and_explains_each_match(isolated_home, tmp_path):
    out = tmp_path / "draft.md"
    result = CliRunner().invoke(app, ["draft", str(CHECKOUT), "-o", str(out)])
    assert result.exit_code == 0, result.output
    section = out.read_text().split("## Similar Past Incidents")[1].split("\n## ")[0]
    assert "_From the bundled example library (sample incidents" in section
    assert "None found" not in section and section.count("\n- **") == 3
    examples = LibraryStore.open(example_config(), create=False)
    assert examples.count() == sum(len(load_document(p).chunks) for p in EXAMPLE_LIBRARY.glob("*.md"))
    draft, _ = draft_json(CHECKOUT)  # the second draft reuses the indexed examples
    top = draft.similar_incidents[0]
    assert top.incident_id == "PM-2024-007" and top.shared_services == ["checkout-api"]
    assert '"' + top.matched_passage + '"' in top.why and "same service: checkout-api" in top.why
    assert draft.similar_source.startswith("the bundled example library")


def test_recurrence_is_anchored_on_the_incident_date_not_today(isolated_home):
    draft, _ = draft_json(CHECKOUT)  # 2024-05-14; PM-2024-007 was 2024-03-02, same service and factor
    top = draft.similar_incidents[0]
    assert top.recurrence and "possible recurrence: 73 days apart" in top.why
    query = "checkout-api connection pool exhausted after a deploy"
    later = similar_for_draft(query, service="checkout-api", on_date=date(2024, 3, 2) + timedelta(days=91))
    assert later.incidents[0].incident_id == "PM-2024-007" and not later.incidents[0].recurrence


def test_a_team_library_is_searched_alone_and_never_gets_examples(isolated_home, tmp_path):
    team = StoreConfig.resolve()
    index_paths([small_library(tmp_path)], team)
    before = incident_ids(team)
    draft, _ = draft_json(CHECKOUT)
    assert draft.similar_source == f"your incident library at {team.path}"
    assert {item.incident_id for item in draft.similar_incidents} <= before
    assert draft.similar_incidents[0].incident_id == "PM-2024-007"
    assert incident_ids(team) == before
    with pytest.raises(LibraryMissingError):
        LibraryStore.open(example_config(), create=False)


def test_a_shared_server_is_searched_and_never_written_to(isolated_home, chroma_server, monkeypatch, tmp_path):
    monkeypatch.setenv("POSTMORTEM_CHROMA_URL", chroma_server)
    drop_collection(StoreConfig.resolve())  # the default collection name on the session's server
    draft, stderr = draft_json(CHECKOUT)
    assert draft.similar_incidents == [] and f"no incident library at {chroma_server}" in stderr
    index_paths([small_library(tmp_path)], StoreConfig.resolve())
    draft, _ = draft_json(CHECKOUT)
    assert draft.similar_source == f"the shared incident library at {chroma_server}"
    assert draft.similar_incidents[0].incident_id == "PM-2024-007"
    assert not (isolated_home / "chroma").exists()  # no local example library either
    drop_collection(StoreConfig.resolve())


def drop_collection(config: StoreConfig) -> None:
    client = store_module._client(config)
    if config.collection in [collection.name for collection in client.list_collections()]:
        client.delete_collection(config.collection)


def test_no_similar_touches_no_library(isolated_home):
    draft, _ = draft_json(CHECKOUT, "--no-similar")
    assert draft.similar_incidents == [] and draft.similar_source == ""
    assert not (isolated_home / "chroma").exists()


def test_example_library_is_big_and_varied_enough():
    documents = [load_document(path) for path in sorted(EXAMPLE_LIBRARY.glob("*.md"))]
    words = [len(path.read_text().split()) for path in EXAMPLE_LIBRARY.glob("*.md")]
    triggers = {trigger for document in documents for trigger in document.triggers}
    assert len(documents) >= 20 and min(words) >= 150 and max(words) <= 350
    assert all(document.date and document.services and document.severity for document in documents)
    assert {"certificate-expiry", "dns", "memory", "data-corruption", "runaway-job"} <= triggers


# ---------------------------------------------------------------- OpenAI-compatible embeddings (loopback fake)

SECRET = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # a GitHub token pasted into an old postmortem


@pytest.fixture
def embeddings_server(monkeypatch):
    sys.path.insert(0, str(ROOT / "tests" / "llm"))
    from embeddings_server import FakeEmbeddingsServer

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with FakeEmbeddingsServer() as server:
        yield server


def test_openai_embeddings_index_and_search_through_the_configured_server(embeddings_server, tmp_path, monkeypatch):
    folder = small_library(tmp_path)
    pool = folder / POOL_FILE
    pool.write_text(pool.read_text() + f"\n## Notes\n\nThe deploy script logged in with {SECRET} by mistake.\n")
    monkeypatch.setenv("POSTMORTEM_EMBEDDINGS", "openai:fake-embed")
    monkeypatch.setenv("POSTMORTEM_EMBEDDINGS_URL", embeddings_server.base_url)
    store = tmp_path / "store"
    indexed = CliRunner().invoke(app, ["index", str(folder), "--store", str(store)])
    assert indexed.exit_code == 0, indexed.output
    found = CliRunner().invoke(
        app, ["similar", "expired TLS certificate on the gateway", "-k", "1", "--store", str(store)]
    )
    assert found.exit_code == 0 and found.output.startswith("1. PM-2024-004"), found.output
    sent = b"".join(embeddings_server.raw_bodies)
    assert {body["model"] for body in embeddings_server.bodies} == {"fake-embed"}
    assert b"[REDACTED:github-token]" in sent and SECRET.encode() not in sent
    expected = sum(len(load_document(path).chunks) for path in folder.glob("*.md"))
    assert sum(len(body["input"]) for body in embeddings_server.bodies[:-1]) == expected  # the last one: the query


def test_a_library_is_never_searched_with_other_embeddings(embeddings_server, tmp_path):
    minilm_store, openai_store = tmp_path / "minilm", tmp_path / "openai"
    fake = ["--embeddings-url", embeddings_server.base_url]
    runner = CliRunner()
    assert runner.invoke(app, ["index", str(small_library(tmp_path)), "--store", str(minilm_store)]).exit_code == 0
    refused = runner.invoke(
        app, ["similar", "disk full", "--store", str(minilm_store), "--embeddings", "openai:m1", *fake]
    )
    assert refused.exit_code == 2 and embeddings_server.bodies == []
    assert "was built with minilm:all-MiniLM-L6-v2 embeddings, not openai:m1" in refused.output
    assert "re-index" in refused.output
    index = ["index", str(tmp_path / "library"), "--store", str(openai_store), *fake]
    assert runner.invoke(app, [*index, "--embeddings", "openai:m1"]).exit_code == 0
    for other in (["--embeddings", "openai:m2", *fake], []):  # another remote model, then the default MiniLM
        result = runner.invoke(app, ["similar", "disk full", "--store", str(openai_store), *other])
        assert result.exit_code == 2 and "was built with openai:m1 embeddings" in result.output, result.output
    again = runner.invoke(app, [*index, "--embeddings", "openai:m2"])
    assert again.exit_code == 2 and "not openai:m2" in again.output


def test_unknown_embeddings_setting_is_a_config_error(monkeypatch):
    monkeypatch.setenv("POSTMORTEM_EMBEDDINGS", "word2vec")
    result = CliRunner().invoke(app, ["similar", "disk full"])
    assert result.exit_code == 2 and "unknown embeddings 'word2vec'; use minilm or openai:MODEL" in result.output


# ---------------------------------------------------------------- CLI


def test_cli_imports_no_heavy_library():
    code = "import sys, pipeline.cli; print([m for m in ('chromadb', 'torch', 'numpy', 'sentence_transformers') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_index_then_similar_text_and_json(tmp_path):
    runner = CliRunner()
    store = tmp_path / "store"
    indexed = runner.invoke(app, ["index", str(small_library(tmp_path)), "--store", str(store)])
    assert indexed.exit_code == 0, indexed.output
    assert "indexed 3 postmortems" in indexed.output
    text = runner.invoke(app, ["similar", "expired TLS certificate", "-k", "1", "--store", str(store)])
    assert text.exit_code == 0 and text.output.startswith("1. PM-2024-004")
    assert "matched " in text.output and "shared trigger: certificate-expiry" in text.output
    as_json = runner.invoke(
        app, ["similar", "--draft", str(EXAMPLE_LIBRARY / POOL_FILE), "--format", "json", "--store", str(store)]
    )
    items = json.loads(as_json.stdout)
    assert {item["incident_id"] for item in items} == {"PM-2024-004", "PM-2023-019"}  # never itself


def test_cli_similar_without_library_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(app, ["similar", "disk full", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "no incident library at" in result.output and "postmortem index" in result.output


def test_cli_index_of_missing_path_is_an_input_error(tmp_path):
    result = CliRunner().invoke(app, ["index", str(tmp_path / "nope"), "--store", str(tmp_path / "s")])
    assert result.exit_code == 2 and "nope: not found" in result.output
    assert not (tmp_path / "s").exists()  # nothing half-written


def test_cli_similar_needs_exactly_one_query(tmp_path):
    result = CliRunner().invoke(app, ["similar", "text", "--draft", "x.json"])
    assert result.exit_code == 2 and "exactly one of" in result.output


def test_cli_bad_chroma_url_is_a_config_error():
    result = CliRunner().invoke(app, ["similar", "disk full", "--chroma-url", "ftp://x"])
    assert result.exit_code == 2 and "expected http(s)://HOST:PORT" in result.output


def test_indexed_chunks_never_store_a_pasted_secret(tmp_path):
    from pipeline.similar.documents import load_document

    note = tmp_path / "leaky.md"
    note.write_text(
        "# Token leak\n\n## Summary\n\nThe deploy log printed password: hunter2 and ghp_"
        "ZZZZfakeZZZZfakeZZZZfakeZZZZfakeZZZZ for an hour.\n"
    )
    passages = " ".join(chunk.text for chunk in load_document(note).chunks)
    assert "hunter2" not in passages and "ghp_ZZZZ" not in passages
    assert "[REDACTED:password]" in passages and "[REDACTED:github-token]" in passages
