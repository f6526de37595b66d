"""A model that cannot silently rot (issue 13): checksums verified at load, one line for a broken
model, an atomic retrain swap, smoke runs that never overwrite the shipped model."""
import hashlib
import shutil
import threading

import pytest
from typer.testing import CliRunner

from arpk_nlp.cli import app
from conftest import MODEL

runner = CliRunner()
TEXT = "قال الأمين العام للأمم المتحدة أنطونيو غوتيريش إن قوة اليونيفيل فقدت جنديا جنوب لبنان."


@pytest.fixture
def model_copy(tmp_path):
    dst = tmp_path / "model"
    shutil.copytree(MODEL, dst, ignore=shutil.ignore_patterns("checksums.sha256"))
    return dst


def sha256sum(folder):
    """checksums.sha256 as `sha256sum` writes it (what training records), meta.json left out."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in ("meta.json", "checksums.sha256"))
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(folder).as_posix()}\n" for p in files]
    (folder / "checksums.sha256").write_text("".join(lines), encoding="utf-8")


def annotate(model, tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    return runner.invoke(app, ["annotate", str(p), "-f", "json", "-m", str(model)])


def one_line(res):
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.stderr.count("\n") == 1, res.stderr
    return res.stderr


def test_bit_flip_refused_with_one_line(model_copy, tmp_path):
    sha256sum(model_copy)
    weights = model_copy / "ner" / "model"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit: still loads, silently different without checksums
    weights.write_bytes(bytes(data))
    err = one_line(annotate(model_copy, tmp_path))
    assert "ner/model does not match its checksum" in err and "retrain or reinstall" in err


def test_checksummed_model_loads(model_copy, tmp_path):
    from arpk_nlp.integrity import verify, write_checksums

    n = write_checksums(model_copy)
    assert n > 10 and verify(model_copy) == n
    assert "meta.json" not in (model_copy / "checksums.sha256").read_text()  # spacy package rewrites it
    res = annotate(model_copy, tmp_path)
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("part", ["ner/model", "arpk_a4p/model.npz", "vocab/strings.json", "tok2vec/model"])
def test_truncated_component_one_line(model_copy, tmp_path, part):
    """Without checksums (a model from before them), a truncated file is still one line."""
    f = model_copy / part
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    err = one_line(annotate(model_copy, tmp_path))
    assert f"{model_copy}: cannot load model" in err


def test_swap_is_atomic(tmp_path):
    """Readers polling the model folder during 200 retrain swaps never find it missing."""
    from arpk_nlp.integrity import swap_in

    out = tmp_path / "arpk-ar"
    out.mkdir()
    (out / "config.cfg").write_text("0")
    missing, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            if not (out / "config.cfg").exists():
                missing.append(1)

    t = threading.Thread(target=watch)
    t.start()
    try:
        for i in range(1, 201):
            staging = tmp_path / f".arpk-ar.staging.{i}"
            staging.mkdir()
            (staging / "config.cfg").write_text(str(i))
            how = swap_in(staging, out)
            assert not staging.exists()
    finally:
        stop.set()
        t.join()
    assert how == "exchange" and (out / "config.cfg").read_text() == "200"
    assert not missing
    assert [p.name for p in tmp_path.iterdir()] == ["arpk-ar"]


@pytest.mark.parametrize("flags", [["--limit", "2"], ["--max-steps", "5"], ["--limit-train", "3"]])
def test_smoke_run_needs_explicit_output(flags):
    before = (MODEL / "meta.json").stat().st_mtime_ns
    res = runner.invoke(app, ["train", *flags])
    err = one_line(res)
    assert "smoke run" in err and "--output" in err
    assert (MODEL / "meta.json").stat().st_mtime_ns == before
