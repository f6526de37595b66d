import numpy as np
import spacy

from arpk_nlp.pipeline.name_features import GIVEN, TYPE_BITS, UNKNOWN_NORM, build_df_table, build_table, rarity_class, word_class
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


# ----------------------------------------------------------------------------- v2: word rarity


def make_v2(df_path, rare_dropout=0.0, bounds=(2, 3)):
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {"@architectures": "arpk_nlp.NameHashEmbed.v2", "width": 16, "attrs": ["NORM", "SUFFIX"],
                  "rows": [50, 50], "name_rows": 16, "df_path": df_path, "df_bounds": list(bounds),
                  "rare_dropout": rare_dropout},
        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 16, "depth": 1, "window_size": 1,
                   "maxout_pieces": 2},
    }})
    return nlp


def node(nlp, name):
    return next(n for n in nlp.get_pipe("tok2vec").model.walk() if n.name == name)


def write_docbin(nlp, texts, path):
    from spacy.tokens import DocBin

    DocBin(docs=[nlp.make_doc(t) for t in texts]).to_disk(path)


TEXTS = ["قال الوزير إن الوضع في لبنان هادئ", "قال المتحدث إن قوة يونيفيل في لبنان",
         "قال الوزير إن المفاوضات في جنيف"]


def test_df_table_counts_documents_once_and_classes_words(tmp_path):
    nlp = make_v2(None)
    folder = tmp_path / "train"
    folder.mkdir()
    write_docbin(nlp, TEXTS, folder / "a.spacy")
    write_docbin(nlp, TEXTS[:1], folder / "b.spacy")  # an upsampled copy: not a new document
    table = build_df_table(str(folder), [2, 3])
    assert table["قال"] == 2 and table["الوزير"] == 1 and "الوضع" not in table
    assert rarity_class("قال", table) == 3  # in all 3 documents
    assert rarity_class("والوزير", table) == 2  # proclitic stripped: الوزير, in 2
    assert rarity_class("ليبرمان", table) == 1  # never seen: the rare class
    assert rarity_class("الوضع", table) == 1  # in one document: rare too
    assert rarity_class("،", table) == 0 and rarity_class("2024", table) == 0


def test_rare_dropout_only_in_training_and_only_rare_words(tmp_path):
    nlp = make_v2(None)
    write_docbin(nlp, TEXTS, tmp_path / "t.spacy")
    nlp = make_v2(str(tmp_path / "t.spacy"), rare_dropout=1.0)
    nlp.initialize()
    doc = nlp.make_doc("قال ليبرمان إن الوزير في جنيف")
    fx = node(nlp, "arpk_features_rare_dropout")
    (pred,), _ = fx([doc], False)
    (train,), _ = fx([doc], True)
    norms = [t.norm for t in doc]
    assert pred[:, 0].tolist() == norms  # prediction: plain features
    dropped = [t.text for t, v in zip(doc, train[:, 0].tolist()) if v == UNKNOWN_NORM]
    assert dropped == ["ليبرمان", "جنيف"]  # the words in fewer than 2 training documents
    assert (train[:, 1] == pred[:, 1]).all()  # other columns untouched


def test_v2_round_trips_without_its_training_data(tmp_path):
    nlp = make_v2(None)
    write_docbin(nlp, TEXTS, tmp_path / "t.spacy")
    nlp = make_v2(str(tmp_path / "t.spacy"), rare_dropout=0.5)
    nlp.initialize()
    text = "قال الوزير إن ليبرمان في لبنان"
    before = nlp(text).tensor
    (tmp_path / "t.spacy").unlink()  # a loaded model must not need the training data
    nlp.to_disk(tmp_path / "m")
    nlp2 = spacy.load(tmp_path / "m")
    assert node(nlp2, "arpk_rarity_classes").attrs["table"] == node(nlp, "arpk_rarity_classes").attrs["table"]
    np.testing.assert_allclose(nlp2(text).tensor, before, rtol=1e-5)
    node(nlp2, "arpk_rarity_classes").attrs["table"] = {}  # the class is a real input
    assert not np.allclose(nlp2(text).tensor, before)
