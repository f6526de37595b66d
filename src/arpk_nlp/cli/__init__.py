"""Command-line interface, in spaCy's style: one typer app, each command a thin wrapper over an
importable function. Heavy modules (spaCy, scikit-learn) are imported inside the commands, so
`--help` and error paths stay fast and `annotate` pays only for what it uses.
"""
from __future__ import annotations

import typer

from .actors import actors_app
from .annotate import annotate_cli
from .archive import archive_app, query_app
from .compare import compare_cli
from .corpus import corpus_app
from .external import external_app
from .report import report_cli
from .tasks import tasks_app
from .workflow import evaluate_cli, train_cli

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Arabic NLP for UN peacekeeping news: A4P areas and actors.")
app.command("annotate")(annotate_cli)
app.command("evaluate")(evaluate_cli)
app.command("train")(train_cli)
app.command("report")(report_cli)
app.command("compare")(compare_cli)
app.add_typer(corpus_app, name="corpus")
app.add_typer(actors_app, name="actors")
app.add_typer(tasks_app, name="tasks")
app.add_typer(archive_app, name="archive")
app.add_typer(query_app, name="query")
app.add_typer(external_app, name="external", help="Public Arabic NER corpora as external assets: convert, check the mapping.")


def main() -> None:
    app()
