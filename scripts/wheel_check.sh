#!/usr/bin/env bash
# Install arpk_nlp as users do, outside the checkout, and annotate a sample with it:
# the project's wheel + the model packaged by `spacy package`, in a fresh environment whose
# dependencies come from uv.lock (so no torch), run from a folder that is not a checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log="$tmp/log"
# Quiet when it works, the whole log when a step fails.
step() { "$@" >>"$log" 2>&1 || { cat "$log" >&2; echo "wheel check failed at: $*" >&2; exit 1; }; }
mkdir -p "$tmp/pkg"
step uv build --wheel -o "$tmp/dist"
version=$(uv run python -c 'import importlib.metadata as m; print(m.version("arpk-nlp"))')
step uv run python -m spacy package models/arpk-ar "$tmp/pkg" --build wheel --name arpk_ar --version "$version"
uv export --frozen --no-hashes --no-emit-project --no-dev > "$tmp/requirements.txt" 2>/dev/null
uv venv -q --python "$(uv run python -c 'import sys; print(sys.executable)')" "$tmp/venv"
uv pip install -q --python "$tmp/venv/bin/python" -r "$tmp/requirements.txt"
uv pip install -q --python "$tmp/venv/bin/python" --no-deps "$tmp"/dist/*.whl "$tmp"/pkg/*/dist/*.whl
cp corpus/samples/unifil-patrol.ar.txt "$tmp/article.txt"
cd "$tmp"  # not a checkout: the model must come from the installed package
env -u ARPK_NLP_MODEL "$tmp/venv/bin/arpk-nlp" annotate article.txt -f json > out.json
"$tmp/venv/bin/python" - <<'PY'
import importlib.util, json, sys
rec = json.load(open("out.json", encoding="utf-8"))
ids = {e["actor"] for e in rec["entities"]}
assert "mission:unifil" in ids and "person:antonio-guterres" in ids, ids
assert rec["a4p"]["labels"], rec["a4p"]
assert importlib.util.find_spec("torch") is None, "torch is installed"
import arpk_nlp
assert "site-packages" in arpk_nlp.__file__, arpk_nlp.__file__
print(f"wheel check: installed outside the checkout, {len(rec['entities'])} entities, areas {rec['a4p']['labels']}")
PY
