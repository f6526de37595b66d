"""Does a second NER pay for itself? Scores ANERcorp test with two trained pipelines' NERs merged.

    uv run python scripts/ner_ensemble.py MODEL_A MODEL_B --data ../shared/data/ner

MODEL_A runs whole; after its NER, MODEL_B's tok2vec + NER tag the same tokens and each of B's
entities that overlaps none of A's is added (a union: recall is what the benchmark lacks). A's
gazetteer and linker then run as usual. Prints MODEL_A alone and the union, with words/s. Nothing
is written; not part of the shipped pipeline (README, "Public Arabic NER corpora").
"""
from __future__ import annotations

import argparse
from pathlib import Path


class UnionNER:
    """A pipe adding a second pipeline's NER entities that do not overlap the Doc's own."""

    def __init__(self, other):
        self.tok2vec = other.get_pipe("tok2vec")
        self.ner = other.get_pipe("ner")

    def __call__(self, doc):
        from spacy.tokens import Doc, Span

        # A copy on the same tokens, so the second tok2vec's listener state stays apart.
        copy = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        copy = self.ner(self.tok2vec(copy))
        ents = list(doc.ents)
        taken = {i for e in ents for i in range(e.start, e.end)}
        for e in copy.ents:
            if not taken.intersection(range(e.start, e.end)):
                ents.append(Span(doc, e.start, e.end, label=e.label_))
                taken.update(range(e.start, e.end))
        doc.set_ents(sorted(ents, key=lambda s: s.start))
        return doc


def main():
    import spacy

    from arpk_nlp.data.external import coarse_conll_scores, load_declarations

    ap = argparse.ArgumentParser()
    ap.add_argument("model_a")
    ap.add_argument("model_b")
    ap.add_argument("--data", required=True, help="folder of the public corpora (../shared/data/ner)")
    args = ap.parse_args()
    decl = load_declarations()["anercorp"]
    test = Path(args.data) / decl["folder"] / decl["splits"]["test"]["file"]
    if not test.is_file():
        raise SystemExit(f"{test}: not found (pass --data, the folder of the public corpora)")
    a, b = spacy.load(args.model_a), spacy.load(args.model_b)
    first = {"sentencizer", "tok2vec", "ner"}

    class Union:  # what coarse_conll_scores reads of a pipeline
        tokenizer, vocab = a.tokenizer, a.vocab
        pipeline = ([(n, p) for n, p in a.pipeline if n in first] + [("union_ner", UnionNER(b))]
                    + [(n, p) for n, p in a.pipeline if n not in first])

    print("| NER | micro P | micro R | micro F | PERS F | LOC F | ORG F | words/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, nlp in ((Path(args.model_a).name, a), (f"{Path(args.model_a).name} ∪ {Path(args.model_b).name}", Union)):
        s = coarse_conll_scores(nlp, test)
        t = s["per_type"]
        print(f"| {name} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {t['PERS']['f']:.3f} | "
              f"{t['LOC']['f']:.3f} | {t['ORG']['f']:.3f} | {s['words_per_second']:,.0f} |")


if __name__ == "__main__":
    main()
