"""Tables (`annotate -f csv|parquet`): what an analyst opens in Excel or pandas."""
import csv
import json

import pytest
from typer.testing import CliRunner

from analyst_data import annotated
from arpk_nlp.cli import app
from arpk_nlp.pipeline.labels import A4P_LABELS
from arpk_nlp.tables import (
    ACTOR_COLUMNS,
    EVIDENCE_COLUMNS,
    MENTION_COLUMNS,
    TableError,
    read_tables,
    write_articles_csv,
    write_tables,
)
from conftest import MODEL


@pytest.fixture
def data(nlp):
    return annotated(nlp)  # a fresh copy per test (one model run, cached): tests may change it


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_tables_read_back_with_csv_module(tmp_path, data):
    records, texts = data
    for rec in records:  # an older model's records, with no borderline field: cells stay empty
        rec["a4p"].pop("borderline", None)
    paths = write_tables(records, tmp_path / "t", "csv", texts)
    assert [p.name for p in paths] == ["articles.csv", "mentions.csv", "actors.csv", "evidence.csv"]
    for p in paths:
        assert p.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    arts = read_csv(paths[0])
    assert [a["id"] for a in arts] == [r["id"] for r in records]
    assert list(arts[0])[:5] == ["id", "date", "outlet", "title", "url"]  # meta right after the id
    for row, rec in zip(arts, records, strict=True):
        assert row["title"] == rec["meta"]["title"]  # Arabic intact
        assert row["labels"] == "|".join(rec["a4p"]["labels"])
        for a in A4P_LABELS:
            assert float(row[f"score_{a}"]) == rec["a4p"]["scores"][a]
            assert row[f"label_{a}"] == str(int(a in rec["a4p"]["labels"]))
            assert row[f"borderline_{a}"] == ""  # the model did not say: empty, not 0
    mentions = read_csv(paths[1])
    assert list(mentions[0]) == MENTION_COLUMNS
    assert len(mentions) == sum(len(r["entities"]) for r in records)
    by_text = dict(zip((r["id"] for r in records), texts, strict=True))
    for m in mentions:
        assert by_text[m["article"]][int(m["start"]):int(m["end"])] == m["text"]
    guterres = [m for m in mentions if m["actor"] == "person:antonio-guterres"]
    assert guterres and guterres[0]["name_en"] == "António Guterres" and guterres[0]["name_ar"]
    actors = read_csv(paths[2])
    assert list(actors[0]) == ACTOR_COLUMNS
    assert sum(int(a["mentions"]) for a in actors) == len(mentions)
    evidence = read_csv(paths[3])
    assert list(evidence[0]) == EVIDENCE_COLUMNS
    for e in evidence:
        assert by_text[e["article"]][int(e["start"]):int(e["end"])] == e["text"]


def test_csv_tables_read_back_with_pandas(tmp_path, data):
    pd = pytest.importorskip("pandas")
    records, texts = data
    write_tables(records, tmp_path, "csv", texts)
    arts = pd.read_csv(tmp_path / "articles.csv")  # default encoding: the BOM must not end up in a column name
    assert arts.columns[0] == "id"
    assert arts["outlet"].tolist() == [r["meta"]["outlet"] for r in records]
    assert arts["score_PROTECTION"].dtype.kind == "f"
    mentions = pd.read_csv(tmp_path / "mentions.csv")
    assert "الأمم المتحدة" in " ".join(mentions["name_ar"].dropna())
    assert (mentions["end"] > mentions["start"]).all()


def test_parquet_keeps_types(tmp_path, data):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    records, texts = data
    write_tables(records, tmp_path, "parquet", texts)
    arts = pd.read_parquet(tmp_path / "articles.parquet")
    assert arts["score_WPS"].dtype.kind == "f" and arts["label_WPS"].dtype.kind == "i"
    assert arts["title"].tolist() == [r["meta"]["title"] for r in records]
    assert len(pd.read_parquet(tmp_path / "mentions.parquet")) == sum(len(r["entities"]) for r in records)
    assert read_tables(tmp_path) == read_tables_csv(tmp_path, records, texts)


def read_tables_csv(tmp_path, records, texts):
    write_tables(records, tmp_path / "csv", "csv", texts)
    return read_tables(tmp_path / "csv")


def test_tables_round_trip_to_records(tmp_path, data):
    records, texts = data
    records[0]["a4p"]["borderline"] = ["PROTECTION"]
    records[1]["a4p"].pop("borderline", None)
    records[0]["entities"][0]["candidates"] = [{"id": "org:un", "score": 0.9}, {"id": "org:unsc", "score": 0.2}]
    write_tables(records, tmp_path, "csv", texts)
    back = read_tables(tmp_path)
    for rec, got in zip(records, back, strict=True):
        assert got["id"] == rec["id"] and got["meta"] == rec["meta"]
        assert got["a4p"]["labels"] == rec["a4p"]["labels"] and got["a4p"]["scores"] == rec["a4p"]["scores"]
        assert got["a4p"]["evidence"] == rec["a4p"]["evidence"]
        assert got["actors"] == rec["actors"]
        assert [{k: e[k] for k in ("start", "end", "label", "text", "actor")} for e in got["entities"]] == \
               [{k: e[k] for k in ("start", "end", "label", "text", "actor")} for e in rec["entities"]]
    assert back[0]["a4p"]["borderline"] == ["PROTECTION"]
    assert back[0]["entities"][0]["candidates"] == records[0]["entities"][0]["candidates"]
    assert "borderline" not in back[1]["a4p"]  # absent stays absent


def test_meta_column_names_never_overwrite_fixed_columns(tmp_path):
    rec = {"id": "x", "meta": {"labels": "mine", "tags": ["a", "ب"], "date": "2024-01-02"},
           "a4p": {"labels": [], "scores": {a: 0.1 for a in A4P_LABELS}, "evidence": {}}, "entities": [], "actors": []}
    write_tables([rec], tmp_path)
    row = read_csv(tmp_path / "articles.csv")[0]
    assert row["meta_labels"] == "mine" and row["labels"] == ""
    assert json.loads(row["tags"]) == ["a", "ب"]
    assert read_tables(tmp_path)[0]["meta"]["labels"] == "mine"


def test_articles_csv_to_a_stream(data):
    import io

    records, _ = data
    buf = io.StringIO(newline="")
    write_articles_csv(records[:2], buf)
    text = buf.getvalue()
    assert text.startswith("\ufeffid,date,outlet,title,url,")
    assert len(list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))) == 2


def test_table_errors_are_one_line(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(TableError, match="is a file"):
        write_tables([], f)
    with pytest.raises(TableError, match="no articles.csv"):
        read_tables(tmp_path)


def test_cli_csv_and_parquet(tmp_path):
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("\n".join(json.dumps({"id": f"n{i}", "text": t, "date": "2024-05-0" + str(i + 1), "outlet": "وام"},
                                          ensure_ascii=False) for i, t in enumerate(
        ["قال الأمين العام أنطونيو غوتيريش إن قوة الأمم المتحدة المؤقتة في لبنان فقدت جنديا.",
         "رحب مجلس الأمن بانتشار بعثة الأمم المتحدة في جنوب السودان."])) + "\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["annotate", str(jsonl), "-f", "csv", "-o", str(tmp_path / "tables"), "-m", str(MODEL)])
    assert res.exit_code == 0, res.output
    arts = read_csv(tmp_path / "tables" / "articles.csv")
    assert [a["id"] for a in arts] == ["n0", "n1"]
    assert read_csv(tmp_path / "tables" / "mentions.csv")
    res = runner.invoke(app, ["annotate", str(jsonl), "-f", "parquet", "-m", str(MODEL)])
    assert res.exit_code == 1 and "give -o DIR" in res.output
