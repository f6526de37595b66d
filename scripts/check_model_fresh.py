"""Is models/arpk-ar the model the committed configs and corpus make? (a CI step of its own)

The model's meta records the sha256 of the corpus, of the training config and of the input
files in configs/ (registry, lexicon, demonyms, name list, external declarations). An edit to
any of them without a retrain makes this step fail, naming what changed and what to run; the
test suite itself does not depend on it, so a registry edit does not turn every test red.
"""
import json
import sys

from arpk_nlp.data.corpus import corpus_hash
from arpk_nlp.hashing import sha256_file
from arpk_nlp.paths import inputs_hash, require_checkout


def main() -> int:
    root = require_checkout("the model freshness check")
    meta = json.loads((root / "models" / "arpk-ar" / "meta.json").read_text(encoding="utf-8"))["arpk"]
    stale = []
    if meta["corpus_sha256"] != corpus_hash(root / "corpus"):
        stale.append("corpus/src changed")
    if meta["config_sha256"] != sha256_file(root / "configs" / meta["config"]):
        stale.append(f"configs/{meta['config']} changed")
    if meta["inputs_sha256"] != inputs_hash(root / "configs"):
        stale.append("configs/ inputs (registry, lexicon, demonyms, names, external declarations) changed")
    if meta.get("limit") or meta.get("limit_train") or meta.get("limit_dev"):
        stale.append("the shipped model is a --limit smoke model")
    if stale:
        print("model is stale: " + "; ".join(stale) +
              " since models/arpk-ar was trained; retrain with `uv run python -m arpk_nlp train --external PATH`",
              file=sys.stderr)
        return 1
    print("model is fresh: models/arpk-ar was trained from the committed corpus and configs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
