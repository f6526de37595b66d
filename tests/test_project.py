"""The weasel workflow (project.yml) is valid and its commands call the real CLI."""
import pytest

from conftest import REPO


def test_project_yml_is_a_valid_weasel_project():
    from weasel.util import load_project_config

    cfg = load_project_config(REPO, overrides={"vars.external": "../shared/data/ner"})
    names = {c["name"] for c in cfg["commands"]}
    assert cfg["workflows"]["all"] == ["corpus", "train", "evaluate", "package"]
    assert set(cfg["workflows"]["all"]) <= names
    for cmd in cfg["commands"]:
        for line in cmd["script"]:
            assert line.startswith(("python -m arpk_nlp ", "python -m spacy ")), line
        assert cmd.get("deps") and cmd.get("outputs"), cmd["name"]
    # Each asset names a file under the external folder with an md5 checksum weasel can verify.
    assert all(len(a["checksum"]) == 32 for a in cfg["assets"])


@pytest.mark.slow
def test_evaluate_writes_the_scores_file(tmp_path):
    from typer.testing import CliRunner

    from arpk_nlp.cli import app

    out = tmp_path / "scores.json"
    res = CliRunner().invoke(app, ["evaluate", "--split", "gold", "--json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    import json

    scores = json.loads(out.read_text(encoding="utf-8"))
    assert 0.5 < scores["ents_f"] <= 1.0
