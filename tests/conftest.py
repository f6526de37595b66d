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


@pytest.fixture(scope="session")
def blank():
    """A blank Arabic pipeline with the CAMeL tokenizer."""
    import spacy

    return spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
