"""The label sets of ANNOTATION.md, in their fixed order."""

ENTITY_LABELS = ("PERSON", "ORG", "GPE", "LOC", "MISSION", "EVENT")
A4P_LABELS = (
    "POLITICS",
    "WPS",
    "PROTECTION",
    "SAFETY_SECURITY",
    "PERFORMANCE_ACCOUNTABILITY",
    "PEACEBUILDING",
    "PARTNERSHIPS",
    "CONDUCT",
)
ACTOR_PREFIX = {"person": "PERSON", "org": "ORG", "gpe": "GPE", "loc": "LOC", "mission": "MISSION", "event": "EVENT"}
SPLITS = ("train", "dev", "gold", "gold-press")
# Frozen evaluation splits: never trained on, never tuned on.
GOLD_SPLITS = ("gold", "gold-press")
