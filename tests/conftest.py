from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "arpk-ar"
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    import spacy

    return spacy.load(MODEL)


@pytest.fixture(scope="module")
def shipped_copy():
    """A private load of the shipped model per test module, for tests that change the pipeline
    (add a pipe): the session-wide `nlp` must stay as shipped."""
    import spacy

    return spacy.load(MODEL)


SMOKE = {"overrides": {"training.max_steps": 10, "training.eval_frequency": 5}, "limit": 6}


@pytest.fixture(scope="session")
def smoke_model(tmp_path_factory):
    """One tiny training of the real workflow (6 articles per split, 10 steps), shared by the
    tests that need a trained model but not a particular one. RETURNS (model folder, meta)."""
    from arpk_nlp.train import train

    root = tmp_path_factory.mktemp("smoke")
    out = root / "models" / "smoke"
    meta = train(CORPUS, out, REPO / "configs" / "arpk.cfg", root / "work", log=lambda m: None, **SMOKE)
    return out, meta


@pytest.fixture(scope="session")
def blank():
    """A blank Arabic pipeline with the CAMeL tokenizer."""
    import spacy

    return spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
