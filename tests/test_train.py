import json

import pytest
import spacy

from arpk_nlp.data.corpus import CorpusError
from arpk_nlp.train import TrainingError, train
from conftest import CORPUS, REPO, SMOKE

CONFIG = REPO / "configs" / "arpk.cfg"
PRETRAIN_CONFIG = REPO / "configs" / "arpk-pretrain.cfg"


@pytest.mark.slow
@pytest.mark.integration
def test_training_workflow_smoke(smoke_model):
    """The whole workflow on a few articles: corpus → DocBin → spacy train → A4P fit → evaluate → model."""
    out, meta = smoke_model
    counts = meta["corpus_counts"]
    assert {k: counts[k] for k in ("train", "dev", "gold")} == {"train": 6, "dev": 6, "gold": 6}
    assert counts.get("gold-press", 0) <= 6
    assert set(meta["scores"]) == {"dev", "gold"} | ({"gold-press"} if counts.get("gold-press") else set())
    nlp = spacy.load(out)
    assert nlp.pipe_names == ["sentencizer", "tok2vec", "ner", "arpk_gazetteer", "arpk_a4p", "arpk_refine", "arpk_linker", "arpk_roles"]
    saved = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert saved["arpk"]["corpus_sha256"] == meta["corpus_sha256"]
    assert meta["init_tok2vec"] is None  # configs/arpk.cfg has no [pretraining]
    doc = nlp("قال غوتيريش إن حفظة السلام في مالي تعرضوا لهجوم.")
    assert len(doc.cats) == 8
    assert not list(out.parent.glob(".smoke.*"))  # no staging leftovers
    from arpk_nlp.integrity import verify

    assert verify(out) >= 10  # every model file's sha256 recorded at training, and matching
    # the rarity table was read from this run's training data and saved with the model
    rarity = next(n for n in nlp.get_pipe("tok2vec").model.walk() if n.name == "arpk_rarity_classes")
    assert rarity.attrs["table"].get("في", 0) >= 1  # in every Arabic article


@pytest.mark.slow
@pytest.mark.integration
def test_pretraining_config_smoke(tmp_path):
    """configs/arpk-pretrain.cfg: spaCy pretrain of the tok2vec first, then training from it."""
    out = tmp_path / "models" / "smoke"
    meta = train(CORPUS, out, PRETRAIN_CONFIG, tmp_path / "work",
                 overrides={"training.max_steps": 8, "training.eval_frequency": 4, "pretraining.max_epochs": 2},
                 limit=6, log=lambda m: None)
    assert meta["init_tok2vec"] == "pretrained in this run"
    assert (tmp_path / "work" / "pretrain" / "model-last.bin").is_file()
    assert spacy.load(out).pipe_names[1:3] == ["tok2vec", "ner"]


@pytest.mark.integration
def test_failed_retrain_keeps_working_model(tmp_path):
    out = tmp_path / "model"
    out.mkdir()
    (out / "marker").write_text("the working model", encoding="utf-8")
    bad = tmp_path / "corpus"
    (bad / "src" / "train").mkdir(parents=True)
    (bad / "src" / "train" / "x-001.txt").write_text("id: x-001\nsplit: train\na4p: none\n---\nو[لبنان](GPE)\n", encoding="utf-8")
    with pytest.raises(CorpusError):
        train(bad, out, CONFIG, tmp_path / "work", log=lambda m: None)
    assert (out / "marker").read_text(encoding="utf-8") == "the working model"
    # A failure inside spaCy's training (bad setting) leaves it as well.
    with pytest.raises(TrainingError):
        train(CORPUS, out, CONFIG, tmp_path / "work2", overrides={"training.max_steps": "many"}, limit=4, log=lambda m: None)
    assert sorted(p.name for p in out.iterdir()) == ["marker"]


@pytest.mark.slow
@pytest.mark.integration
def test_same_data_and_seed_give_same_scores(tmp_path, smoke_model):
    again = train(CORPUS, tmp_path / "b", CONFIG, tmp_path / "wb", log=lambda m: None, **SMOKE)
    assert again["scores"] == smoke_model[1]["scores"]


EXTERNAL = REPO.parent / "shared" / "data" / "ner"


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.skipif(not EXTERNAL.is_dir(), reason="public NER corpora (../shared/data/ner) not present")
def test_training_with_external_corpora_smoke(tmp_path):
    meta = train(CORPUS, tmp_path / "m", CONFIG, tmp_path / "w", limit=4, upsample=2, external=EXTERNAL,
                 overrides={"training.max_steps": 6, "training.eval_frequency": 3}, log=lambda m: None)
    files = meta["external"]["files"]
    assert {"anercorp-train", "aqmar-train", "wojood-train"} <= set(files)
    assert not any(name.endswith("-test") for name in files)  # test splits are never trained on
    assert meta["external"]["upsample"] == 2
    mix = tmp_path / "w" / "train-mix"
    assert len(list(mix.glob("in-domain-*.spacy"))) == 2


def test_external_path_missing_fails_before_training(tmp_path):
    out = tmp_path / "m"
    with pytest.raises(FileNotFoundError):
        train(CORPUS, out, CONFIG, tmp_path / "w", limit=4, external=tmp_path / "nope", log=lambda m: None)
    assert not out.exists()
