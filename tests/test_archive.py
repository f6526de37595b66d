"""Archives into a DuckDB store: reading shards, one transaction per batch, resume after kill -9,
a real Dask LocalCluster giving the same rows as one process, bad articles reported."""
from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arpk_nlp.archive import Article, BadArticle, find_shards, read_shard, text_hash
from arpk_nlp.archive_job import InProcessRunner, run_job
from arpk_nlp.store import RESULT_TABLES, TABLE_COLUMNS, Store
from arpk_nlp.tables import ACTOR_COLUMNS, EVIDENCE_COLUMNS, MENTION_COLUMNS
from conftest import CORPUS, MODEL

MV = "test-model"
N_ARTICLES = 36


def corpus_texts(n: int) -> list[str]:
    from arpk_nlp.data.corpus import find_sources, load_articles

    arts, _ = load_articles(find_sources(None, CORPUS))
    return [a.record["text"] for a in arts[:n]]


def write_archive(root: Path, texts: list[str], bad: bool = True) -> Path:
    """Three shards of three kinds; with `bad`, two unusable lines in the first."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"id": f"art-{i:03d}", "text": t, "date": f"2020-{i % 12 + 1:02d}-01", "outlet": f"outlet-{i % 3}"}
            for i, t in enumerate(texts)]
    third = len(rows) // 3
    (root / "2020").mkdir(parents=True)
    with open(root / "2020" / "a.jsonl", "w", encoding="utf-8") as f:
        for r in rows[:third]:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
        if bad:
            f.write('{"id": "broken", "text": \n')
            f.write(json.dumps({"id": "blank", "text": "   "}) + "\n")
    with gzip.open(root / "2020" / "b.jsonl.gz", "wt", encoding="utf-8") as f:
        for r in rows[third:2 * third]:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    pq.write_table(pa.Table.from_pylist(rows[2 * third:]), root / "c.parquet")
    return root


@pytest.fixture(scope="module")
def texts():
    return corpus_texts(N_ARTICLES)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, texts):
    return write_archive(tmp_path_factory.mktemp("archive"), texts)


def table_rows(db: Path, mv: str | None = None) -> dict[str, list[tuple]]:
    """Every result table's rows (without run number and time), sorted: what two runs must agree on."""
    out = {}
    with Store(db, read_only=True) as store:
        mv = mv or store.model_versions()[0]
        for table, cols in TABLE_COLUMNS.items():
            keep = [c for c in cols if c not in ("run", "annotated_at", "model_version")]
            sql = f"SELECT {', '.join(f'{chr(34)}{c}{chr(34)}' for c in keep)} FROM {table} WHERE model_version = ?"
            out[table] = sorted(store.con.execute(sql, [mv]).fetchall(), key=repr)
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory, archive, nlp):
    """The archive annotated in this process, uninterrupted."""
    db = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    with Store(db) as store:
        store.start_run(MV, str(MODEL), [str(archive)])
        summary = run_job(store, find_shards([archive]), InProcessRunner(nlp), MV, batch_size=5, report=lambda _: None)
        store.finish_run("done", summary.skipped)
    assert summary.stored == N_ARTICLES and summary.bad == 2
    return db, table_rows(db)


# ---- reading ------------------------------------------------------------------------------

def test_shards_of_three_kinds_stream_articles_with_meta_and_bad_lines(archive, texts):
    shards = find_shards([archive])
    assert [s.key for s in shards] == ["2020/a.jsonl", "2020/b.jsonl.gz", "c.parquet"]
    items = [x for s in shards for x in read_shard(s)]
    arts = [x for x in items if isinstance(x, Article)]
    bad = [x for x in items if isinstance(x, BadArticle)]
    assert [a.text for a in arts] == texts
    assert arts[0].meta == {"date": "2020-01-01", "outlet": "outlet-0"}
    assert arts[-1].source == f"c.parquet:{N_ARTICLES - 2 * (N_ARTICLES // 3)}"
    assert [b.source for b in bad] == ["2020/a.jsonl:13", "2020/a.jsonl:14"]
    assert "not valid JSON" in bad[0].message and "empty" in bad[1].message


def test_truncated_gzip_reports_the_rest_and_keeps_what_was_read(tmp_path):
    full = gzip.compress("".join(json.dumps({"id": str(i), "text": "نص " * 2000}) + "\n" for i in range(50)).encode())
    (tmp_path / "t.jsonl.gz").write_bytes(full[: len(full) // 2])
    items = list(read_shard(find_shards([tmp_path])[0]))
    assert isinstance(items[-1], BadArticle) and "cannot read the rest" in items[-1].message
    assert 0 < sum(isinstance(x, Article) for x in items) < 50


def test_missing_input_and_folder_without_shards_are_one_line_errors(tmp_path):
    from arpk_nlp.archive import ArchiveError

    with pytest.raises(ArchiveError, match="no such file"):
        find_shards([tmp_path / "nope"])
    (tmp_path / "x.csv").write_text("id,text\n1,hi\n")
    with pytest.raises(ArchiveError, match="has no"):
        find_shards([tmp_path])


# ---- the store ----------------------------------------------------------------------------

def test_store_tables_follow_the_flat_tables(reference):
    """The DuckDB columns are tables.py's, plus model_version (and the article's fixed meta)."""
    db, rows = reference
    assert TABLE_COLUMNS["mentions"][1:] == MENTION_COLUMNS
    assert TABLE_COLUMNS["actors"][1:] == ACTOR_COLUMNS
    assert TABLE_COLUMNS["evidence"][1:] == EVIDENCE_COLUMNS
    with Store(db, read_only=True) as store:
        for table in RESULT_TABLES:
            cols = [r[0] for r in store.con.execute(f"DESCRIBE {table}").fetchall()]
            assert cols == TABLE_COLUMNS[table]
        assert store.count("articles", MV) == N_ARTICLES
        assert store.count("areas", MV) == 8 * N_ARTICLES
        assert store.count("mentions", MV) > N_ARTICLES  # the corpus articles name several actors each
        errors = store.con.execute("SELECT source, message FROM errors ORDER BY source").fetchall()
        assert [e[0] for e in errors] == ["2020/a.jsonl:13", "2020/a.jsonl:14"]
        # a month query reads the DATE column made from meta.date
        months = store.con.execute("SELECT count(DISTINCT strftime(date, '%Y-%m')) FROM articles").fetchone()[0]
        assert months == 12


def test_a_failing_batch_leaves_nothing_behind(tmp_path, nlp, texts):
    """One transaction per batch: an error half way through writing rolls the whole batch back."""
    db = tmp_path / "t.duckdb"
    docs = list(nlp.pipe(texts[:2]))
    from arpk_nlp.annotate import Item, doc_to_record

    arts = [Article(f"x{i}", t, f"s:{i}", "s") for i, t in enumerate(texts[:2])]
    recs = [doc_to_record(d, Item(id=a.id, source=a.source, text=a.text)) for d, a in zip(docs, arts, strict=True)]
    assert all(r["meta"] == {} for r in recs)
    recs[1]["entities"].append({"start": "not a number", "end": 1, "label": "ORG", "text": "x", "actor": None})
    with Store(db) as store:
        store.start_run(MV, "m", [])
        with pytest.raises(Exception):  # noqa: B017 (pyarrow's type error; which one is not the point)
            store.write_batch(MV, list(zip(arts, recs, strict=True)), [])
        for table in RESULT_TABLES:
            assert store.count(table) == 0, table
        recs[1]["entities"].pop()
        store.write_batch(MV, list(zip(arts, recs, strict=True)), [])
        assert store.count("articles") == 2


def test_rerun_skips_stored_and_reannotates_a_changed_text(tmp_path, nlp, texts):
    root = write_archive(tmp_path / "arc", texts[:9], bad=False)
    db = tmp_path / "r.duckdb"

    def run():
        with Store(db) as store:
            store.start_run(MV, "m", [])
            return run_job(store, find_shards([root]), InProcessRunner(nlp), MV, batch_size=4, report=lambda _: None)

    assert run().stored == 9
    again = run()
    assert (again.stored, again.skipped) == (0, 9)
    # the first article's text changes: it is annotated again and its old rows replaced
    lines = (root / "2020" / "a.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["text"] = texts[20]
    lines[0] = json.dumps(first, ensure_ascii=False)
    (root / "2020" / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    third = run()
    assert (third.stored, third.skipped) == (1, 8)
    with Store(db, read_only=True) as store:
        assert store.count("articles") == 9
        assert store.con.execute("SELECT text_hash FROM articles WHERE id = 'art-000'").fetchall() == [(text_hash(texts[20]),)]
        assert store.con.execute("SELECT count(*) FROM areas WHERE article = 'art-000'").fetchone()[0] == 8


def test_an_article_that_breaks_the_pipeline_is_reported_and_the_job_goes_on(tmp_path, texts, shipped_copy):
    from spacy.language import Language

    @Language.component("arpk_test_fail_on_marker")
    def fail_on_marker(doc):
        if "@@BREAK@@" in doc.text:
            raise ValueError("synthetic failure")
        return doc

    nlp = shipped_copy
    nlp.add_pipe("arpk_test_fail_on_marker", first=True)
    root = tmp_path / "arc"
    root.mkdir()
    rows = [{"id": f"ok{i}", "text": t} for i, t in enumerate(texts[:4])]
    rows.insert(2, {"id": "poison", "text": texts[5] + " @@BREAK@@"})
    (root / "s.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    reported = []
    with Store(tmp_path / "b.duckdb") as store:
        store.start_run(MV, "m", [])
        summary = run_job(store, find_shards([root]), InProcessRunner(nlp), MV, batch_size=8, report=reported.append)
        assert (summary.stored, summary.bad) == (4, 1)
        assert store.con.execute("SELECT article, message FROM errors").fetchall() == [
            ("poison", "cannot annotate (ValueError: synthetic failure)")]
        assert sorted(r[0] for r in store.con.execute("SELECT id FROM articles").fetchall()) == ["ok0", "ok1", "ok2", "ok3"]
    assert reported == ["s.jsonl:3: cannot annotate (ValueError: synthetic failure)"]


# ---- processes ----------------------------------------------------------------------------

def _cli(*args) -> list[str]:
    return [sys.executable, "-m", "arpk_nlp", *map(str, args)]


@pytest.mark.slow
@pytest.mark.integration
def test_kill_9_then_rerun_loses_nothing_and_duplicates_nothing(tmp_path, archive, reference):
    db = tmp_path / "k.duckdb"
    cmd = _cli("archive", "run", archive, "--db", db, "-m", MODEL, "--model-version", MV, "--batch-size", 3,
               "--progress-every", 0)
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    stored_at_kill = None
    deadline = time.monotonic() + 300
    for line in proc.stderr:  # a progress line after each stored batch
        if line.startswith("stored ") and int(line.split()[1].replace(",", "")) >= 6:
            os.kill(proc.pid, signal.SIGKILL)
            stored_at_kill = int(line.split()[1].replace(",", ""))
            break
        assert time.monotonic() < deadline
    proc.wait()
    assert proc.returncode == -signal.SIGKILL and stored_at_kill is not None
    assert 6 <= stored_at_kill < N_ARTICLES
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr  # the two bad lines are reported again
    assert "already stored" in done.stderr
    with Store(db, read_only=True) as store:
        ids = [r[0] for r in store.con.execute("SELECT id FROM articles").fetchall()]
        runs = store.con.execute("SELECT status FROM runs ORDER BY run").fetchall()
    assert len(ids) == len(set(ids)) == N_ARTICLES
    assert runs == [("running",), ("done",)]  # the killed run never got to say it finished
    assert table_rows(db, MV) == reference[1]


@pytest.mark.slow
@pytest.mark.integration
def test_dask_local_cluster_gives_the_same_rows_as_one_process(tmp_path, archive, reference):
    from arpk_nlp.dask_run import DaskRunner

    db = tmp_path / "d.duckdb"
    runner = DaskRunner(str(MODEL), workers=2)
    try:
        assert runner.workers == 2 and len(runner.client.scheduler_info()["workers"]) == 2
        with Store(db) as store:
            store.start_run(MV, str(MODEL), [str(archive)])
            summary = run_job(store, find_shards([archive]), runner, MV, batch_size=4, report=lambda _: None)
    finally:
        runner.close()
    assert (summary.stored, summary.bad, summary.failed_batches) == (N_ARTICLES, 2, 0)
    assert len(summary.worker_peak_mb) == 2  # both worker processes did batches
    assert table_rows(db, MV) == reference[1]


# ---- the commands -------------------------------------------------------------------------

def test_query_commands_answer_from_the_store(reference):
    from typer.testing import CliRunner

    from arpk_nlp.cli import app

    db = reference[0]
    run = CliRunner().invoke

    def rows(*args):
        res = run(app, ["query", *args, "--db", str(db), "-f", "jsonl"])
        assert res.exit_code == 0, res.output
        return [json.loads(line) for line in res.stdout.splitlines()]

    months = rows("months")
    assert len(months) == 12 and sum(m["articles"] for m in months) == N_ARTICLES
    assert sum(o["articles"] for o in rows("outlets")) == N_ARTICLES
    missions = rows("missions")
    assert missions and all(m["mission"].startswith("mission:") for m in missions)
    top = missions[0]["mission"]
    ranked = rows("top-actors", "--mission", top, "-n", "3")
    assert 0 < len(ranked) <= 3 and all(r["mission"] == top and r["actor"] != top for r in ranked)
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    arts = rows("articles", "--actor", top, "-n", "100")
    assert len(arts) == missions[0]["articles"]
    areas = rows("areas")
    assert {a["area"] for a in areas} == {"POLITICS", "WPS", "PROTECTION", "SAFETY_SECURITY",
                                          "PERFORMANCE_ACCOUNTABILITY", "PEACEBUILDING", "PARTNERSHIPS", "CONDUCT"}
    res = run(app, ["query", "sql", "SELECT count(*) AS n FROM mentions", "--db", str(db), "-f", "csv"])
    assert res.exit_code == 0 and int(res.stdout.splitlines()[1]) > N_ARTICLES
    res = run(app, ["query", "sql", "SELECT nope FROM articles", "--db", str(db)])
    assert res.exit_code == 1 and res.output.startswith("error: SQL:") and len(res.output.splitlines()) == 1
    res = run(app, ["query", "months", "--db", str(db.parent / "missing.duckdb")])
    assert res.exit_code == 1 and "no such database" in res.output


def test_another_model_on_a_store_needs_an_explicit_model_version(tmp_path, reference, archive):
    import shutil

    from typer.testing import CliRunner

    from arpk_nlp.cli import app

    db = tmp_path / "copy.duckdb"
    shutil.copy(reference[0], db)  # holds rows of model version "test-model"
    res = CliRunner().invoke(app, ["archive", "run", str(archive), "--db", str(db), "-m", str(MODEL)])
    assert res.exit_code == 1
    assert "holds rows of model test-model" in res.output and "--model-version" in res.output
    with Store(db, read_only=True) as store:
        assert store.model_versions() == [MV]


# ---- ids across shards, .txt shards, annotate --db, DuckDB's memory cap ---------------------

def _two_shards_sharing_an_id(root: Path, texts: list[str]) -> Path:
    """a.jsonl: x0 x1 shared; b.jsonl: shared (another text) y1, x1 (the same text: a copy).
    'shared' and 'x1' are stored from a.jsonl."""
    root.mkdir()
    a = [{"id": "x0", "text": texts[0]}, {"id": "x1", "text": texts[1]}, {"id": "shared", "text": texts[2]}]
    b = [{"id": "shared", "text": texts[3]}, {"id": "y1", "text": texts[4]}, {"id": "x1", "text": texts[1]}]
    for name, rows in (("a.jsonl", a), ("b.jsonl", b)):
        (root / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return root


@pytest.mark.parametrize("first_alone", [False, True], ids=["in-flight", "in-store"])
def test_the_same_id_in_two_shards_is_stored_once_and_reported(tmp_path, nlp, texts, first_alone):
    """One row (the first shard's), one error naming both places; a copy with the same text is
    already stored, not an error; a rerun changes nothing. In one
    run the first 'shared' is still in flight when the second is read (the store cannot know it
    yet); when a.jsonl was stored by an earlier run, the store answers."""
    root = _two_shards_sharing_an_id(tmp_path / "arc", texts)
    db = tmp_path / "dup.duckdb"

    def run(inputs):
        reported = []
        with Store(db) as store:
            store.start_run(MV, "m", [])
            summary = run_job(store, find_shards(inputs), InProcessRunner(nlp), MV, batch_size=64,
                              report=reported.append)
            rows = store.con.execute("SELECT id, shard, text_hash FROM articles ORDER BY id").fetchall()
            areas = store.count("areas")
        return summary, reported, rows, areas

    if first_alone:
        assert run([root / "a.jsonl"])[0].stored == 3
    summary, reported, rows, areas = run([root])
    assert (summary.stored + summary.skipped, summary.bad, summary.duplicates) == (5, 1, 1)
    assert rows == [("shared", "a.jsonl", text_hash(texts[2])), ("x0", "a.jsonl", text_hash(texts[0])),
                    ("x1", "a.jsonl", text_hash(texts[1])), ("y1", "b.jsonl", text_hash(texts[4]))]
    assert areas == 4 * 8
    said = "is already stored from" if first_alone else "was already read from"
    assert reported == [f"b.jsonl:1: id 'shared' {said} a.jsonl:3; not stored"]
    again, reported, rows2, areas = run([root])
    assert (again.stored, again.skipped, again.bad) == (0, 5, 1)
    assert reported == ["b.jsonl:1: id 'shared' is already stored from a.jsonl:3; not stored"]
    assert rows2 == rows and areas == 4 * 8
    with Store(db, read_only=True) as store:
        errors = store.con.execute("SELECT DISTINCT source, article FROM errors").fetchall()
    assert errors == [("b.jsonl:1", "shared")]


def test_txt_files_are_articles_named_by_their_path_inside_the_folder(tmp_path, texts):
    root = tmp_path / "txt"
    for sub, i in (("2020", 0), ("2021", 1)):
        (root / sub).mkdir(parents=True)
        (root / sub / "a.txt").write_text(texts[i], encoding="utf-8")
    (root / "empty.txt").write_text("  \n", encoding="utf-8")
    (root / "bin.txt").write_bytes(b"\x00\x01")
    items = [x for s in find_shards([root]) for x in read_shard(s)]
    arts = [x for x in items if isinstance(x, Article)]
    assert [(a.id, a.shard, a.source, a.text) for a in arts] == [
        ("2020/a", "2020/a.txt", "2020/a.txt", texts[0]), ("2021/a", "2021/a.txt", "2021/a.txt", texts[1])]
    assert arts[0].meta == {}
    bad = {b.source: b.message for b in items if isinstance(b, BadArticle)}
    assert "NUL" in bad["bin.txt"] and "empty" in bad["empty.txt"]
    # a file given by itself is named as `annotate` names it: its stem
    only = [x for s in find_shards([root / "2021" / "a.txt"]) for x in read_shard(s)]
    assert [a.id for a in only] == ["a"]


def _app():
    from typer.testing import CliRunner

    from arpk_nlp.cli import app

    return CliRunner(), app


@pytest.mark.slow
def test_annotate_db_runs_the_archive_job(tmp_path, archive, reference, texts):
    """`annotate --db` stores what `archive run` stores; .txt files in a folder are articles too."""
    runner, app = _app()
    db = tmp_path / "a.duckdb"
    res = runner.invoke(app, ["annotate", str(archive), "--db", str(db), "-m", str(MODEL), "--model-version", MV,
                              "--db-memory", "256MB"])
    assert res.exit_code == 1, res.output  # the archive's two bad lines
    assert "2020/a.jsonl:13: not valid JSON" in res.output and "done: 36 stored" in res.output
    assert table_rows(db, MV) == reference[1]
    txt = tmp_path / "txt"
    (txt / "2020").mkdir(parents=True)
    (txt / "2020" / "n1.txt").write_text(texts[30], encoding="utf-8")
    (txt / "n2.txt").write_text(texts[31], encoding="utf-8")
    db2 = tmp_path / "t.duckdb"
    args = ["annotate", str(txt), "--db", str(db2), "-m", str(MODEL), "--model-version", MV]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    with Store(db2, read_only=True) as store:
        assert store.con.execute("SELECT id, shard, words FROM articles ORDER BY id").fetchall() == [
            ("2020/n1", "2020/n1.txt", len(texts[30].split())), ("n2", "n2.txt", len(texts[31].split()))]
    res = runner.invoke(app, args)  # a rerun skips both
    assert res.exit_code == 0 and "0 stored, 2 already stored" in res.output


@pytest.mark.parametrize("args, message", [
    (["-f", "html"], "--format cannot be used with --db"),
    (["-o", "out.jsonl"], "--output cannot be used with --db"),
    (["--date", "2020-01-01"], "--date cannot be used with --db"),
    (["--dask"], "--dask works with --db only"),
    (["--model-version", "v"], "--model-version works with --db only"),
])
def test_annotate_refuses_options_that_do_not_go_with_db(tmp_path, args, message):
    runner, app = _app()
    (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
    db = ["--db", str(tmp_path / "x.duckdb")] if "cannot be used" in message else []
    res = runner.invoke(app, ["annotate", str(tmp_path / "a.txt"), *db, *args])
    assert res.exit_code == 2, res.output
    lines = res.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}")
    assert not (tmp_path / "x.duckdb").exists()


def test_queries_run_under_duckdbs_memory_cap_and_running_out_is_one_line(reference):
    """The cap is set on the query's connection (docs/archive.md: every query answers under 64 MB on
    the 87 MB store of 100k articles); a query that needs more fails with one line, no traceback."""
    runner, app = _app()
    db = reference[0]
    with Store(db, read_only=True, memory_limit="32MB", threads=1) as store:
        assert store.con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        assert store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0].startswith("30.5")  # MiB
    for q in (["months"], ["top-actors", "-n", "3"], ["areas-by-mission"]):
        res = runner.invoke(app, ["query", *q, "--db", str(db), "--db-memory", "32MB", "-f", "csv"])
        assert res.exit_code == 0, res.output
    greedy = "SELECT count(DISTINCT a.text || b.text) FROM mentions a, mentions b"
    res = runner.invoke(app, ["query", "sql", greedy, "--db", str(db), "--db-memory", "8MB"])
    assert res.exit_code == 1 and res.output.startswith("error: SQL: Out of Memory") and len(res.output.splitlines()) == 1
    res = runner.invoke(app, ["query", "months", "--db", str(db), "--db-memory", "lots"])
    assert res.exit_code == 1 and res.output.startswith("error: --db-memory 'lots'") and len(res.output.splitlines()) == 1
