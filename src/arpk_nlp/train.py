"""The training workflow: corpus → DocBins → `spacy train` (NER; A4P and actors fitted in
`initialize`) → evaluate on gold → `models/<name>/` with meta. One command, driven by configs/.

The new model is built in a staging folder, its files' checksums recorded (integrity.py), and
swapped into place atomically only when everything passed, so a failed retrain never replaces a
working model and there is never a moment without one.
"""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from .data.corpus import build, corpus_hash, read_jsonl
from .hashing import sha256_file
from .integrity import swap_in, verify, write_checksums
from .pipeline.labels import GOLD_SPLITS


def train(
    corpus_dir: Path,
    output: Path,
    config: Path,
    work_dir: Path,
    overrides: dict | None = None,
    limit: int = 0,
    log=print,
    limit_train: int = 0,
    limit_dev: int = 0,
    external: Path | None = None,
    upsample: int = 1,
) -> dict:
    """Train the pipeline and install it at `output`.

    corpus_dir (Path): The corpus folder (src/ with train/dev/gold authoring files).
    output (Path): Where the finished pipeline goes (replaced atomically).
    config (Path): The training config (configs/arpk.cfg).
    work_dir (Path): Scratch folder for JSONL, DocBins and spaCy's run output.
    overrides (dict): Config overrides, e.g. {"training.max_steps": 50}.
    limit (int): Use only the first N articles per split (smoke runs); 0 = all.
    limit_train, limit_dev (int): Use only N train / dev articles, evenly spaced over the sorted
        ids so every writer's batch is represented (learning curves); gold stays whole.
    external (Path): Folder of the public NER corpora (configs/external_corpora.json); their
        training splits are added to the NER's training data (never their test splits).
    upsample (int): With external data, how many copies of the in-domain train set to mix in.
    RETURNS (dict): The meta written with the model.
    """
    import spacy
    from spacy.cli.train import train as spacy_train
    from spacy.util import load_config

    from .data.docbin import write_docbin
    from .evaluate import evaluate_records
    from .paths import inputs_hash

    t0 = time.time()
    work_dir.mkdir(parents=True, exist_ok=True)
    data = work_dir / "corpus"
    counts = build(corpus_dir, data)  # validates; raises CorpusError on any problem
    records = {s: read_jsonl(data / f"{s}.jsonl") for s in counts}
    if limit:
        records = {s: r[:limit] for s, r in records.items()}
    if limit_train:
        records["train"] = _spread(records["train"], limit_train)
    if limit_dev:
        records["dev"] = _spread(records["dev"], limit_dev)
    log("corpus: " + ", ".join(f"{s}={len(r)}" for s, r in records.items()))

    cfg = load_config(config)
    nlp = spacy.blank(cfg["nlp"]["lang"], config={"nlp": {"tokenizer": cfg["nlp"]["tokenizer"]}})
    for split, recs in records.items():
        write_docbin(nlp, recs, work_dir / f"{split}.spacy")

    repo = Path(config).resolve().parent.parent
    train_path = work_dir / "train.spacy"
    assets = None
    if external is not None:
        train_path, assets = _mix(nlp, work_dir, external, upsample, log)
    paths = {
        "paths.train": str(train_path),
        "paths.dev": str(work_dir / "dev.spacy"),
        "paths.lexicon": str(repo / "configs" / "a4p_lexicon.json"),
        "paths.registry": str(repo / "configs" / "actors"),
        "paths.demonyms": str(repo / "configs" / "demonyms.json"),
    }
    if "names" in cfg["paths"]:  # configs whose tok2vec reads the given-name list
        paths["paths.names"] = str(repo / "configs" / "names" / "given_names.txt")
    paths.update(overrides or {})
    pretrained = None
    if cfg.get("pretraining") and not paths.get("paths.init_tok2vec"):
        pretrained = _pretrain(config, nlp, work_dir, train_path, paths, limit, log)
        paths["paths.init_tok2vec"] = str(pretrained)
    run_dir = work_dir / "run"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    try:
        spacy_train(config, output_path=run_dir, overrides=paths)
    except SystemExit as err:  # spaCy reports config errors by printing and exiting
        raise TrainingError(f"spaCy training stopped (exit {err.code}); see its messages above") from None
    best = run_dir / "model-best"

    nlp = spacy.load(best)
    scores = {split: evaluate_records(nlp, records[split]) for split in ("dev", *GOLD_SPLITS) if records.get(split)}
    meta_extra = {
        "corpus_sha256": corpus_hash(corpus_dir),
        "corpus_counts": {s: len(r) for s, r in records.items()},
        "limit": limit,
        "limit_train": limit_train,
        "limit_dev": limit_dev,
        "config": Path(config).name,
        "config_sha256": sha256_file(Path(config)),
        "inputs_sha256": inputs_hash(repo / "configs"),
        "overrides": {k: v for k, v in (overrides or {}).items()},
        "external": assets,
        "init_tok2vec": "pretrained in this run" if pretrained else paths.get("paths.init_tok2vec"),
        "scores": scores,
        "train_seconds": round(time.time() - t0, 1),
    }
    nlp.meta["name"] = output.name.replace("-", "_")
    nlp.meta["description"] = "arpk_nlp: Arabic peacekeeping news — NER, actor linking, A4P themes"
    nlp.meta["arpk"] = meta_extra

    output.parent.mkdir(parents=True, exist_ok=True)
    # a unique staging folder beside the output (same file system: the swap is a rename)
    staging = Path(tempfile.mkdtemp(dir=output.parent, prefix=f".{output.name}.staging."))
    try:
        nlp.to_disk(staging)
        write_checksums(staging)
        verify(staging)
        spacy.load(staging)  # must load before it may replace anything
        swap_in(staging, output)  # atomic: there is always a model at `output`
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    log(json.dumps({s: {k: v for k, v in sc.items() if not isinstance(v, dict)} for s, sc in scores.items()}, indent=1))
    return meta_extra


def _pretrain(config: Path, nlp, work_dir: Path, train_path: Path, paths: dict, limit: int, log) -> Path:
    """spaCy's `pretrain` of the tok2vec (the config's [pretraining] block) on the raw text of
    the NER's training documents, each once (upsampled copies skipped); unlabelled text teaches
    the CNN Arabic word shapes the labelled spans alone do not.
    RETURNS (Path): The weights, for [initialize] init_tok2vec."""
    import srsly
    from spacy.tokens import DocBin
    from spacy.training.pretrain import pretrain
    from spacy.util import load_config

    files = sorted(train_path.glob("*.spacy")) if train_path.is_dir() else [train_path]
    texts, seen = [], set()
    for f in files:
        for doc in DocBin().from_disk(f).get_docs(nlp.vocab):
            if doc.text not in seen:
                seen.add(doc.text)
                texts.append({"text": doc.text})
    if limit:  # smoke runs: a slice of the external text too
        texts = texts[: limit * 10]
    raw = work_dir / "pretrain-raw.jsonl"
    srsly.write_jsonl(raw, texts)
    out = work_dir / "pretrain"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    cfg = load_config(config, overrides={**paths, "paths.raw_text": str(raw)}, interpolate=False).interpolate()
    log(f"pretraining the tok2vec on {len(texts)} documents ({cfg['pretraining']['max_epochs']} epochs)")
    try:
        pretrain(cfg, out, silent=False)
    except SystemExit as err:
        raise TrainingError(f"spaCy pretraining stopped (exit {err.code}); see its messages above") from None
    return out / "model-last.bin"


def _mix(nlp, work_dir: Path, external: Path, upsample: int, log) -> tuple[Path, dict]:
    """A training folder with `upsample` copies of the in-domain train DocBin and the external
    corpora's training splits (spaCy's corpus reader reads every .spacy file in a folder)."""
    from .data.external import convert, load_declarations

    mix = work_dir / "train-mix"
    if mix.exists():
        shutil.rmtree(mix)
    mix.mkdir(parents=True)
    res = convert(external, mix, nlp, splits=("train", "dev"))
    for i in range(max(1, upsample)):
        shutil.copy(work_dir / "train.spacy", mix / f"in-domain-{i}.spacy")
    decl = load_declarations()
    files = {}
    for name in res["files"]:
        corpus, _, split = name.partition("-")
        files[name] = decl[corpus]["splits"][split]["sha256"]
    parts = ", ".join(f"{k} ({v['docs']} docs)" for k, v in res["files"].items())
    log(f"external: {parts}; in-domain x{upsample}")
    return mix, {"files": files, "upsample": upsample}


class TrainingError(Exception):
    """Training failed; the model at the output path was left as it was."""


def _spread(records: list, n: int) -> list:
    """n records evenly spaced over the list (ids are sorted by writer batch)."""
    if n >= len(records):
        return records
    return [records[(i * len(records)) // n] for i in range(n)]
