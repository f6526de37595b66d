"""Every `annotate` output validates against the published JSON Schema (docs/schema/)."""
import json

import pytest

from arpk_nlp.annotate import Item, annotate
from arpk_nlp.data.corpus import find_sources, load_articles
from conftest import CORPUS, REPO, SHARED

jsonschema = pytest.importorskip("jsonschema")
SCHEMA = json.loads((REPO / "docs" / "schema" / "annotation.v1.schema.json").read_text(encoding="utf-8"))


def _items():
    items = [Item("unifil-patrol.ar", "sample", (CORPUS / "samples" / "unifil-patrol.ar.txt").read_text(encoding="utf-8"))]
    seed = SHARED / "seed" / "seoul-2021-ministerial.ar.txt"
    if seed.exists():
        items.append(Item("seed", str(seed), seed.read_text(encoding="utf-8")))
    articles, _ = load_articles(find_sources([CORPUS / "src" / "dev"], CORPUS))
    items += [Item(a.record["id"], str(a.path), a.record["text"]) for a in articles[::3]]
    # Hard cases for the contract: no entity at all, Latin script, an unlinked name.
    items += [Item("no-entities", "-", "لا شيء هنا."), Item("latin", "-", "UNIFIL patrol near Naqoura."),
              Item("unknown", "-", "قال المتحدث سمير الحداد إن الوضع هادئ في بلدة زمزوم.")]
    return items


def test_every_output_validates(nlp):
    validator = jsonschema.Draft202012Validator(SCHEMA)
    items = _items()
    records = annotate(nlp, items)
    assert len(records) == len(items) >= 10
    for rec, item in zip(records, items):
        errors = sorted(validator.iter_errors(rec), key=lambda e: list(e.path))
        assert not errors, f"{item.id}: {errors[0].message} at {list(errors[0].path)}"
        for ent in rec["entities"]:  # what the schema cannot say: offsets index the input
            assert item.text[ent["start"]:ent["end"]] == ent["text"]


def test_schema_rejects_a_broken_record(nlp):
    """The schema is not vacuous: a record missing a score or with a bad id fails."""
    rec = annotate(nlp, [Item("x", "-", "زار غوتيريش بيروت.")])[0]
    validator = jsonschema.Draft202012Validator(SCHEMA)
    broken = json.loads(json.dumps(rec))
    del broken["a4p"]["scores"]["WPS"]
    assert list(validator.iter_errors(broken))
    broken = json.loads(json.dumps(rec))
    broken["entities"][0]["actor"] = "Person:Guterres"
    assert list(validator.iter_errors(broken))
