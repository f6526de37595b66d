import numpy as np
import spacy

from arpk_nlp.name_features import GIVEN, TYPE_BITS, build_table, word_class

from test_actors import REGISTRY


def make_nlp(names_path, registry_path):
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {"@architectures": "arpk_nlp.NameHashEmbed.v1", "width": 16, "attrs": ["NORM", "SUFFIX"],
                  "rows": [50, 50], "name_rows": 16, "names_path": names_path, "registry_path": registry_path},
        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 16, "depth": 1, "window_size": 1,
                   "maxout_pieces": 2},
    }})
    return nlp


def names_table(nlp):
    return next(n for n in nlp.get_pipe("tok2vec").model.walk() if n.name == "arpk_name_classes").attrs["table"]


def test_table_marks_given_names_and_registry_words(tmp_path):
    names = tmp_path / "given.txt"
    names.write_text("أنطونيو\nعبد الله\nجان بيير\n", encoding="utf8")
    table = build_table(str(names), str(REGISTRY))
    assert word_class("انطونيو", table) & GIVEN  # normalized: hamza dropped
    assert word_class("وأنطونيو".replace("أ", "ا"), table) & GIVEN  # attached proclitic
    assert word_class("غوتيريش", table) & TYPE_BITS["PERSON"]
    assert word_class("لبنان", table) & TYPE_BITS["GPE"]
    assert word_class("قال", table) == 0
    assert "في" not in table  # function words never carry a class


def test_table_saved_with_the_weights(tmp_path):
    names = tmp_path / "given.txt"
    names.write_text("أنطونيو\n", encoding="utf8")
    nlp = make_nlp(str(names), str(REGISTRY))
    nlp.initialize()
    text = "قال أنطونيو غوتيريش إن قوة يونيفيل باقية في لبنان"
    before = nlp(text).tensor
    names.unlink()  # a loaded model must not need the lists
    nlp.to_disk(tmp_path / "m")
    nlp2 = spacy.load(tmp_path / "m")
    assert names_table(nlp2) == names_table(nlp) and len(names_table(nlp2)) > 10
    np.testing.assert_allclose(nlp2(text).tensor, before, rtol=1e-5)
    # the class is a real input: with an empty table the same text gets other vectors
    node = next(n for n in nlp2.get_pipe("tok2vec").model.walk() if n.name == "arpk_name_classes")
    node.attrs["table"] = {}
    assert not np.allclose(nlp2(text).tensor, before)
