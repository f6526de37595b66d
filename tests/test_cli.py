import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arpk_nlp.cli import app
from conftest import MODEL, REPO, SHARED

runner = CliRunner()
ARTICLE = ("نيويورك (وام) - قال الأمين العام للأمم المتحدة أنطونيو غوتيريش إن قوة الأمم المتحدة المؤقتة في لبنان "
           "(اليونيفيل) فقدت جنديا في هجوم بعبوة ناسفة جنوب لبنان، داعيا إلى محاسبة المسؤولين.\n"
           "وأضاف غوتيريش أن مجلس الأمن سيجتمع لبحث سلامة حفظة السلام.")


@pytest.fixture
def article(tmp_path):
    p = tmp_path / "unifil-attack.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    return p


def run(*args, input=None):
    return runner.invoke(app, list(map(str, args)), input=input)


def check_record(rec, text):
    assert rec["schema"] == "arpk_nlp.annotation.v1"
    assert set(rec["a4p"]["scores"]) == {"POLITICS", "WPS", "PROTECTION", "SAFETY_SECURITY",
                                        "PERFORMANCE_ACCOUNTABILITY", "PEACEBUILDING", "PARTNERSHIPS", "CONDUCT"}
    assert rec["a4p"]["labels"] == [l for l in rec["a4p"]["scores"] if rec["a4p"]["scores"][l] >= 0.5]
    for e in rec["entities"]:
        assert text[e["start"] : e["end"]] == e["text"]
    for label, evs in rec["a4p"]["evidence"].items():
        assert label in rec["a4p"]["labels"]
        for ev in evs:
            assert 0 <= ev["start"] < ev["end"] <= len(text)
            assert ev["text"] == text[ev["start"] : ev["end"]]
    # borderline: a subset of the eight labels, in label order
    order = list(rec["a4p"]["scores"])
    assert [l for l in order if l in rec["a4p"]["borderline"]] == rec["a4p"]["borderline"]
    assert sum(a["mentions"] for a in rec["actors"]) == len(rec["entities"])


def test_annotate_json(article):
    res = run("annotate", article, "--format", "json", "-m", MODEL)
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    assert rec["id"] == "unifil-attack" and rec["source"] == str(article)
    check_record(rec, ARTICLE)
    assert "SAFETY_SECURITY" in rec["a4p"]["labels"]
    ids = {e["actor"] for e in rec["entities"]}
    assert "person:antonio-guterres" in ids
    gut = next(a for a in rec["actors"] if a["id"] == "person:antonio-guterres")
    assert gut["mentions"] == 2 and gut["name_en"] == "António Guterres"


def test_seed_article_keeps_exactly_its_five_areas(tmp_path):
    seed = SHARED / "seed" / "seoul-2021-ministerial.ar.txt"
    if not seed.exists():
        pytest.skip("shared/seed is not present")
    res = run("annotate", seed, "--format", "json", "-m", MODEL)
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout)
    check_record(rec, seed.read_text(encoding="utf-8"))
    assert rec["a4p"]["labels"] == ["PROTECTION", "SAFETY_SECURITY", "PERFORMANCE_ACCOUNTABILITY", "PEACEBUILDING", "PARTNERSHIPS"]


def test_text_summary_marks_borderline_labels():
    from arpk_nlp.annotate import render_text

    rec = {"id": "x", "source": "x.txt", "actors": [], "a4p": {
        "labels": ["PROTECTION", "PARTNERSHIPS"], "borderline": ["PROTECTION", "CONDUCT"],
        "scores": {"PROTECTION": 0.52, "PARTNERSHIPS": 0.9, "CONDUCT": 0.47},
        "evidence": {"PARTNERSHIPS": [{"start": 0, "end": 4, "score": 0.9, "text": "نص."}]}}}
    out = render_text(rec, "نص. آخر")
    assert "PROTECTION                  0.52?" in out
    assert "PARTNERSHIPS                0.90 " in out
    assert "borderline, not assigned: CONDUCT 0.47" in out


def test_annotate_text_summary(article):
    res = run("annotate", article, "-m", MODEL)
    assert res.exit_code == 0
    assert "A4P areas:" in res.stdout and "SAFETY_SECURITY" in res.stdout
    assert "person:antonio-guterres" in res.stdout and "×2" in res.stdout


def test_annotate_jsonl_input_stdin_and_output_file(tmp_path):
    lines = "\n".join(json.dumps({"id": f"a{i}", "text": ARTICLE}, ensure_ascii=False) for i in range(3))
    out = tmp_path / "out.jsonl"
    res = run("annotate", "-", "--format", "jsonl", "-o", out, "-m", MODEL, input=lines.encode())
    assert res.exit_code == 0, res.output
    recs = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in recs] == ["a0", "a1", "a2"]
    for r in recs:
        check_record(r, ARTICLE)


def test_annotate_folder_and_html(tmp_path, article):
    out = tmp_path / "out.html"
    res = run("annotate", article.parent, "--format", "html", "-o", out, "-m", MODEL)
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert 'dir="rtl"' in html and '<meta charset="utf-8">' in html and "غوتيريش" in html
    assert 'class="ent' in html  # entities as chips (arpk_nlp.article_view)


def test_annotate_two_processes(tmp_path):
    for i in range(4):
        (tmp_path / f"a{i}.txt").write_text(ARTICLE, encoding="utf-8")
    one = run("annotate", tmp_path, "-f", "jsonl", "-m", MODEL)
    two = run("annotate", tmp_path, "-f", "jsonl", "-j", "2", "-m", MODEL)
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout


@pytest.mark.parametrize("name,content,message", [
    ("empty.txt", b"", "empty input"),
    ("blank.txt", b"  \n\t ", "empty input"),
    ("latin1.txt", "مرحبا".encode()[:3] + b"\xff\xfe abc", "not UTF-8"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("bad.jsonl", b'{"id": "x", "text": "\xd9\x86\xd8\xb5"}\n{not json}\n', "not valid JSON"),
])
def test_bad_inputs_reported_batch_continues(tmp_path, article, name, content, message):
    bad = tmp_path / name
    bad.write_bytes(content)
    out = tmp_path / "res.jsonl"
    res = run("annotate", bad, article, "-f", "jsonl", "-o", out, "-m", MODEL)
    assert res.exit_code == 1
    err_lines = [l for l in res.stderr.splitlines() if l.startswith("error:")]
    assert len(err_lines) == 1 and str(bad) in err_lines[0] and message in err_lines[0]
    assert "Traceback" not in res.output
    recs = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert "unifil-attack" in [r["id"] for r in recs]


def test_missing_file_and_huge_input(tmp_path):
    huge = tmp_path / "huge.txt"
    huge.write_text("سلام " * 300, encoding="utf-8")
    res = run("annotate", tmp_path / "nope.txt", huge, "--max-chars", "1000", "-m", MODEL)
    assert res.exit_code == 1
    assert f"error: {tmp_path / 'nope.txt'}: no such file" in res.stderr
    assert "huge.txt: too large" in res.stderr
    assert "Traceback" not in res.output


def test_missing_model_one_line(article, tmp_path):
    res = run("annotate", article, "-m", tmp_path / "no-model")
    assert res.exit_code == 1
    assert res.stderr.strip().count("\n") == 0 and "model not found" in res.stderr


def test_failed_batch_writes_no_output_file(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    out = tmp_path / "out.json"
    res = run("annotate", bad, "-f", "json", "-o", out, "-m", MODEL)
    assert res.exit_code == 1
    assert not out.exists()


@pytest.mark.slow
def test_evaluate_default_gold_json():
    res = run("evaluate", "--json", "-m", MODEL)
    assert res.exit_code == 0, res.output
    scores = json.loads(res.stdout)
    for k in ("ents_f", "ents_per_type", "cats_micro_f", "cats_macro_f", "cats_f_per_type", "link_acc", "actor_recall"):
        assert k in scores
    assert 0.0 < scores["ents_f"] <= 1.0 and 0.0 < scores["cats_micro_f"] <= 1.0


def test_evaluate_table_shows_the_scores(tmp_path):
    """The text report is a table of the same numbers the JSON holds, one row per label."""
    from arpk_nlp.data.corpus import split_records

    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in split_records(REPO / "corpus", "gold")[:6]),
                    encoding="utf-8")
    res = run("evaluate", gold, "-m", MODEL, "-o", tmp_path / "scores.json")
    assert res.exit_code == 0, res.output
    scores = json.loads((tmp_path / "scores.json").read_text(encoding="utf-8"))
    out = res.stdout
    assert out.index("Entities (exact span and label)") < out.index("A4P themes") < out.index("Actor linking")

    def rows(section: str) -> dict[str, list[str]]:
        lines = section.splitlines()
        cells = [line.split() for line in lines if line.strip() and not set(line) <= {"-", " "}]
        assert cells[0] == ["label", "P", "R", "F"], cells[0]
        return {c[0]: c[1:] for c in cells[1:]}

    def prf(s, keys="prf"):
        return [f"{s[k]:.3f}" for k in keys]

    ents = rows(out.split("Entities (exact span and label)")[1].split("A4P themes")[0])
    assert ents == {**{label: prf(s) for label, s in scores["ents_per_type"].items()},
                    "micro": prf(scores, ("ents_p", "ents_r", "ents_f"))}
    cats = rows(out.split("A4P themes")[1].split("Actor linking")[0])
    assert cats == {**{label: prf(s) for label, s in scores["cats_f_per_type"].items()},
                    "micro": prf(scores, ("cats_micro_p", "cats_micro_r", "cats_micro_f")),
                    "macro": prf(scores, ("cats_macro_p", "cats_macro_r", "cats_macro_f"))}
    link = next(line for line in out.splitlines() if line.startswith("accuracy (NER spans)"))
    assert f"{scores['link_acc']:.3f}" in link and f"({scores['link_found']} of {scores['link_gold_mentions']} gold mentions found)" in link
    assert f"{scores['actor_recall']:.3f}" in next(line for line in out.splitlines() if line.startswith("actor-id recall"))


def test_evaluate_bad_gold_one_line(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_bytes(b"\xff\xfe")
    res = run("evaluate", bad, "-m", MODEL)
    assert res.exit_code == 1 and "gold.jsonl" in res.stderr and "Traceback" not in res.output


def test_corpus_commands():
    res = run("corpus", "validate")
    assert res.exit_code == 0, res.output
    res = run("corpus", "stats", "--json")
    assert res.exit_code == 0, res.output
    st = json.loads(res.stdout)
    assert st["train"]["articles"] >= 60 and st["gold"]["articles"] >= 25


def test_actors_lookup_and_stats():
    res = run("actors", "lookup", "جوتيريش", "وللأمم المتحدة", "مونسكو", "شخص مجهول", "-m", MODEL)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert "person:antonio-guterres" in lines[0]
    assert "org:un" in lines[1] and "proclitic" in lines[1]
    assert "mission:monusco" in lines[2]
    assert "unlinked:" in lines[3]
    mini = Path(__file__).parent / "data" / "actors_mini.jsonl"
    res = run("actors", "lookup", "جوتيريش", "--registry", mini)
    assert res.exit_code == 0, res.output
    assert "person:antonio-guterres" in res.stdout and "by variant" in res.stdout  # ج/غ rule
    res = run("actors", "stats", "-m", MODEL)
    assert res.exit_code == 0 and "| MISSION |" in res.stdout


def test_train_cli_bad_corpus_one_line(tmp_path):
    bad = tmp_path / "corpus" / "src" / "train"
    bad.mkdir(parents=True)
    (bad / "x-001.txt").write_text("id: x-001\nsplit: train\na4p: none\n---\nو[لبنان](GPE)\n", encoding="utf-8")
    res = run("train", "--corpus", tmp_path / "corpus", "-o", tmp_path / "m", "--work-dir", tmp_path / "w")
    assert res.exit_code == 1
    assert "corpus is invalid" in res.stderr and "Traceback" not in res.output
    assert not (tmp_path / "m").exists()


def test_corpus_check_runs():
    res = run("corpus", "check")
    assert res.exit_code == 0
    assert "surfaces with more than one label" in res.stdout


def test_train_set_values_parsed_like_spacy(tmp_path, monkeypatch):
    """`--set` values arrive typed as `spacy train --KEY VALUE` would give them; a malformed one is one line."""
    import arpk_nlp.train

    seen = {}

    def fake_train(corpus, output, config, work_dir, overrides, **kw):
        seen.update(overrides)

    monkeypatch.setattr(arpk_nlp.train, "train", fake_train)
    res = run("train", "-o", tmp_path / "m", "--max-steps", "5", "--set", "training.dropout=0.2",
              "--set", 'components.ner.model.extra=["ORG", "GPE"]', "--set", "paths.vectors=null",
              "--set", "training.logger.progress_bar=true", "--set", "nlp.lang=ar", "--set", "paths.x=a=b")
    assert res.exit_code == 0, res.output
    assert seen == {"training.max_steps": 5, "training.dropout": 0.2, "components.ner.model.extra": ["ORG", "GPE"],
                    "paths.vectors": None, "training.logger.progress_bar": True, "nlp.lang": "ar", "paths.x": "a=b"}
    for bad in ("training.dropout", "dropout=0.2", "--training.dropout=1"):
        res = run("train", "-o", tmp_path / "m", "--max-steps", "5", "--set", bad)
        assert res.exit_code == 1 and res.stderr.count("\n") == 1 and "--set takes SECTION.KEY=VALUE" in res.stderr, res.output
        assert "Traceback" not in res.output
