"""Custom attributes the arpk components read and write, registered once on import.

`Doc._.date` is the article's publication date (ISO `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, or None):
set by `annotate` from the input's metadata before the pipeline runs; the linker resolves
missions and office-holders against it (and infers a year from the text when it is None).
"""
from spacy.tokens import Doc, Span

for _name in ("date",):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

# actor: the canonical or `unlinked:` id; link_reason: how it was found; candidates: the
# linker's scored candidates [{"id", "score"}], best first; role/affiliation: a person's title.
for _name in ("actor", "link_reason", "candidates", "role", "affiliation"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)
