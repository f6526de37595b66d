"""Re-assemble a trained pipeline's registry components from the current code and registry.

The NER and the A4P classifier are kept as trained; `arpk_gazetteer` and the actor components
are rebuilt from configs/ (same settings as the model's config), so linker-only changes are
measured without retraining:

    uv run python scripts/assemble_linker.py -o /tmp/arpk-linker
    uv run python -m arpk_nlp evaluate -m /tmp/arpk-linker
"""
from __future__ import annotations

import argparse
from pathlib import Path

import spacy

REPO = Path(__file__).resolve().parents[1]
ACTOR_PIPES = ("arpk_actors", "arpk_refine", "arpk_linker", "arpk_roles")


def assemble(model: Path, registry: Path, demonyms: Path, split: bool = False, drop: set[str] | None = None):
    """The model with fresh registry components. split: the three one-job components instead of
    `arpk_actors`. drop: actor ids left out of the registry (ablations)."""
    from arpk_nlp.pipeline.registry import merge_actors, read_registry, read_supplementary

    nlp = spacy.load(model)
    # `drop` removes hand-curated records only: imported and generated records exist whatever
    # the corpus names, so they stay (with their own names) in an ablation.
    curated = [a for a in read_registry(registry, supplementary=False) if not drop or a.id not in drop]
    actors = merge_actors(curated, read_supplementary(registry), override=False)
    gaz_cfg = dict(nlp.get_pipe_config("arpk_gazetteer"))
    old = [n for n in nlp.pipe_names if n in ACTOR_PIPES]
    link_cfg = {}
    for name in old:  # the combined component's settings, or those of the three split ones
        link_cfg.update({k: v for k, v in nlp.get_pipe_config(name).items() if k != "factory"})
    split = split or "arpk_linker" in old  # a model with the split components keeps them
    for name in ["arpk_gazetteer", *old]:
        nlp.remove_pipe(name)
    gaz_cfg.pop("factory", None)
    gaz = nlp.add_pipe("arpk_gazetteer", config=gaz_cfg, before="arpk_a4p" if "arpk_a4p" in nlp.pipe_names else None)
    gaz.set_actors(actors if gaz.cfg.get("imported") else curated)
    if split:
        nlp.add_pipe("arpk_refine", config={k: v for k, v in link_cfg.items() if k in ("refine_spans", "relabel")})
        linker = nlp.add_pipe("arpk_linker", config={k: v for k, v in link_cfg.items() if k in ("fuzzy_threshold", "min_fuzzy_len")})
        roles = nlp.add_pipe("arpk_roles")
        roles.initialize(demonyms_path=str(demonyms))
    else:
        linker = nlp.add_pipe("arpk_actors", config=link_cfg)
    linker.set_actors(actors)
    linker.initialize(demonyms_path=str(demonyms))
    return nlp


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-m", "--model", type=Path, default=REPO / "models" / "arpk-ar")
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--registry", type=Path, default=REPO / "configs" / "actors")
    ap.add_argument("--demonyms", type=Path, default=REPO / "configs" / "demonyms.json")
    ap.add_argument("--split", action="store_true", help="Use arpk_refine + arpk_linker + arpk_roles.")
    args = ap.parse_args()
    nlp = assemble(args.model, args.registry, args.demonyms, split=args.split)
    nlp.to_disk(args.output)
    print(f"{args.output}: {nlp.pipe_names}")


if __name__ == "__main__":
    main()
