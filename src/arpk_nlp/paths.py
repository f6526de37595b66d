"""Where the repository's own files are: the defaults of the CLI and the scripts."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
CONFIGS = REPO / "configs"
MODEL = REPO / "models" / "arpk-ar"
REGISTRY = CONFIGS / "actors"


def dev_and_gold(corpus: Path = CORPUS) -> dict[str, list[dict]]:
    """The dev and gold records straight from the authoring files (for evaluation scripts)."""
    from .corpus import split_records

    return {split: split_records(corpus, split) for split in ("dev", "gold")}
