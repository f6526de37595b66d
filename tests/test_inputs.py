"""Input reading by the book (issue 13): every problem confined to its own line or file."""
import json
import os
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from arpk_nlp.cli import app
from arpk_nlp.inputs import InputError, Item, iter_inputs
from conftest import MODEL

runner = CliRunner()
TEXT = "قال الأمين العام للأمم المتحدة أنطونيو غوتيريش إن قوة اليونيفيل فقدت جنديا جنوب لبنان."


def read(path, **kw):
    return list(iter_inputs([str(path)], **kw))


def line(obj, ascii=False):
    return json.dumps(obj, ensure_ascii=ascii).encode("utf-8", "surrogatepass") + b"\n"


def test_jsonl_lines_end_at_newline_only(tmp_path):
    """U+2028, U+2029, U+0085 (raw, as json.dumps(ensure_ascii=False) writes them) and \\r inside
    strings are one record each, not split lines."""
    texts = ["أ\u2028ب", "ج\u2029د", "هـ\x85و", "ز\rح"]
    p = tmp_path / "seps.jsonl"
    p.write_bytes(b"".join(line({"id": f"s{i}", "text": t}) for i, t in enumerate(texts)))
    got = read(p)
    assert [type(g) for g in got] == [Item] * 4
    assert [g.text for g in got] == texts and [g.source for g in got] == [f"{p}:{i}" for i in range(1, 5)]


def test_bad_line_rejects_that_line_only(tmp_path):
    p = tmp_path / "mixed.jsonl"
    p.write_bytes(b"\xef\xbb\xbf" + line({"id": "bom", "text": "نص أول"})  # a BOM is fine
                  + b'{"id": "bad-byte", "text": "\xff\xfe"}\n'  # invalid UTF-8
                  + b'{"id": "nul", "text": "a\x00b"}\n'  # a raw NUL
                  + line({"id": "surrogate", "text": "نص \ud800"}, ascii=True)  # valid JSON, not valid Unicode
                  + line({"id": "meta-surrogate", "text": "نص", "title": "\udfff"}, ascii=True)
                  + b"[1, 2]\n"
                  + line({"id": "ok", "text": "نص أخير", "date": "2021-12-07", "url": "https://x.org/1"}))
    got = read(p)
    assert len(got) == 7
    assert isinstance(got[0], Item) and got[0].id == "bom"
    errs = [str(g) for g in got[1:6]]
    assert all(isinstance(g, InputError) for g in got[1:6])
    assert f"{p}:2: not UTF-8" in errs[0] and f"{p}:3: contains a NUL" in errs[1]
    assert f"{p}:4: field 'text' is not valid Unicode" in errs[2] and "U+D800" in errs[2]
    assert f"{p}:5: field 'title'" in errs[3] and f"{p}:6: expected an object" in errs[4]
    assert isinstance(got[6], Item) and got[6].meta == {"date": "2021-12-07", "url": "https://x.org/1"}


def test_size_checked_before_reading(tmp_path):
    """A 1 GB (sparse) file is refused from its size, in no time, without reading it."""
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(1 << 30)
    t0 = time.perf_counter()
    got = read(big, max_chars=1000)
    assert time.perf_counter() - t0 < 1.0
    assert len(got) == 1 and "too large" in str(got[0]) and "1,073,741,824 bytes" in str(got[0])


def test_runaway_jsonl_line_is_bounded(tmp_path):
    p = tmp_path / "long.jsonl"
    p.write_bytes(line({"id": "huge", "text": "x" * (3 << 20)}) + line({"id": "next", "text": "نص"}))
    got = read(p, max_chars=1000)
    assert "line too long" in str(got[0]) and isinstance(got[1], Item) and got[1].id == "next"


def test_non_utf8_file_name_gives_valid_utf8(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    odd = os.path.join(os.fsencode(folder), b"caf\xe9-\xff.txt")
    with open(odd, "wb") as f:
        f.write(TEXT.encode())
    got = read(folder)
    assert len(got) == 1 and got[0].id == "caf\\xe9-\\xff"
    got[0].source.encode("utf-8")  # no lone surrogates left


def test_stdin_detection(tmp_path):
    import io

    def stdin(data, fmt="auto"):
        return list(iter_inputs(["-"], stdin=io.BytesIO(data), input_format=fmt))

    jsonl = b"\xef\xbb\xbf\n" + line({"id": "a", "text": "نص"}) + line({"id": "b", "text": "نص"})
    assert [g.id for g in stdin(jsonl)] == ["a", "b"]
    pretty = json.dumps({"id": "a", "text": "نص"}, indent=2, ensure_ascii=False).encode()
    err = stdin(pretty)
    assert len(err) == 1 and "--input-format" in str(err[0])  # never silently read as text
    brace = "{مقدمة} قال الأمين العام".encode()
    assert isinstance(stdin(brace)[0], InputError)
    assert stdin(brace, "text")[0].text == "{مقدمة} قال الأمين العام"
    assert stdin("نص عادي\nسطر ثان".encode())[0].text == "نص عادي\nسطر ثان"
    assert "empty input" in str(stdin(b"")[0])


@pytest.mark.integration
def test_closed_stdin_one_line():
    res = subprocess.run(f"exec {sys.executable} -m arpk_nlp annotate - -m {MODEL} <&-", shell=True,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "error: <stdin>: closed" in res.stderr and res.stderr.count("error:") == 1


def test_max_chars_above_spacy_max_length(tmp_path, monkeypatch):
    """--max-chars is the only length limit: a pipeline whose nlp.max_length is lower is raised."""
    import spacy

    real_load = spacy.load

    def small_load(*a, **kw):
        nlp = real_load(*a, **kw)
        nlp.max_length = 50
        return nlp

    monkeypatch.setattr(spacy, "load", small_load)
    p = tmp_path / "long.txt"
    p.write_text(TEXT * 3, encoding="utf-8")
    res = runner.invoke(app, ["annotate", str(p), "-f", "json", "--max-chars", "1000", "-m", str(MODEL)])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["id"] == "long"


def test_cli_jsonl_isolation_and_meta(tmp_path):
    """One CLI run: the bad lines are one error each, every good neighbour is annotated with its
    metadata copied to `meta`."""
    p = tmp_path / "batch.jsonl"
    p.write_bytes(line({"id": "a", "text": TEXT, "date": "2021-12-07", "outlet": "وام"})
                  + line({"id": "bad", "text": "\ud800" + TEXT}, ascii=True)
                  + b'{"id": "bad2", "text": "\xc3"}\n'
                  + line({"id": "b", "text": "أ\u2028" + TEXT}))
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["annotate", str(p), "-f", "jsonl", "-o", str(out), "-m", str(MODEL)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    errs = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert len(errs) == 2 and f"{p}:2" in errs[0] and f"{p}:3" in errs[1]
    recs = [json.loads(ln) for ln in out.read_text(encoding="utf-8").split("\n") if ln]  # JSONL lines end at \n only
    assert [r["id"] for r in recs] == ["a", "b"]
    assert recs[0]["meta"] == {"date": "2021-12-07", "outlet": "وام"} and recs[1]["meta"] == {}
    for r, text in zip(recs, [TEXT, "أ\u2028" + TEXT], strict=True):
        assert all(text[e["start"]:e["end"]] == e["text"] for e in r["entities"])
    assert any(e["actor"] == "person:antonio-guterres" for e in recs[1]["entities"])


# --- fuzz --------------------------------------------------------------------------------------

# High surrogates only: a high one followed by a low one is a valid pair in JSON's \u escapes.
SPECIAL = st.sampled_from(["\u2028", "\u2029", "\x85", "\r", "\n", "\t", "\ufeff", "\x00", "\ud800", "\udbff",
                           "😀", "{", '"', "\\", "ا", " "])
TEXTS = st.text(alphabet=st.one_of(st.characters(), SPECIAL), max_size=40)
FIELD = st.text(alphabet=st.one_of(st.characters(min_codepoint=97, max_codepoint=122), SPECIAL), min_size=1, max_size=6)
RECORDS = st.lists(st.tuples(
    st.fixed_dictionaries({"text": TEXTS}, optional={"id": st.one_of(TEXTS, st.integers()),
                                                     "date": TEXTS, "n": st.integers()}),
    st.dictionaries(FIELD, TEXTS, max_size=2),
    st.booleans(),  # ensure_ascii
    st.sampled_from([b"", b"\r", b"garbage\n", b"\n"]),  # what follows the line
), min_size=1, max_size=6)


def _encodable(v):
    try:
        json.dumps(v, ensure_ascii=False).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(RECORDS)
def test_fuzz_jsonl_reading(tmp_path_factory, blank, records):
    """Every line gives exactly one Item or one InputError; an Item's text, id and meta are the
    line's own, unchanged; and the tokenizer keeps every accepted text exactly."""
    p = tmp_path_factory.mktemp("fuzz") / "in.jsonl"
    data, expected = b"", []
    for obj, extra, ascii, tail in records:
        obj = {**extra, **obj}
        n = data.count(b"\n") + 1
        data += line(obj, ascii)[:-1] + (b"\r" if tail == b"\r" else b"") + b"\n"
        expected.append((n, obj, ascii))
        if tail in (b"garbage\n",):
            data += tail
    p.write_bytes(data)
    got = read(p)
    by_line = {}
    for g in got:
        n = int((g.source if isinstance(g, Item) else str(g).split(": ")[0]).rsplit(":", 1)[1])
        assert n not in by_line
        by_line[n] = g
    for n, obj, _ascii in expected:
        g = by_line[n]
        ok = _encodable(obj) and obj["text"].strip() != ""  # whichever way the line was escaped
        assert isinstance(g, Item) == ok, (obj, g)
        if ok:
            assert g.text == obj["text"] and g.id == str(obj.get("id", f"in-{n}"))
            assert g.meta == {k: v for k, v in obj.items() if k not in ("id", "text")}
            assert blank.make_doc(g.text).text == g.text
    assert set(by_line) >= {n for n, _, _ in expected}
