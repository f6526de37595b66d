"""Where the repository's own files are: the defaults of the CLI and the scripts."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
CONFIGS = REPO / "configs"
MODEL = REPO / "models" / "arpk-ar"
REGISTRY = CONFIGS / "actors"
# What a trained model is made from, besides the corpus and the training config: its hash is
# recorded in the model's meta (configs/textcat.cfg only serves a comparison script).
MODEL_INPUTS = ("a4p_lexicon.json", "demonyms.json", "actors", "names", "external_corpora.json")


def inputs_hash(configs: Path = CONFIGS) -> str:
    """sha256 over the model's input files in configs/ (relative path + content)."""
    import hashlib

    h = hashlib.sha256()
    for name in MODEL_INPUTS:
        p = configs / name
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p] if p.exists() else []
        for f in files:
            h.update(f.relative_to(configs).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def dev_and_gold(corpus: Path = CORPUS) -> dict[str, list[dict]]:
    """The dev and gold records straight from the authoring files (for evaluation scripts)."""
    from .corpus import split_records

    return {split: split_records(corpus, split) for split in ("dev", "gold")}
