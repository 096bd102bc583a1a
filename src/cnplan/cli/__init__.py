"""The ``cnplan`` command line: one Typer app with a sub-command group per layer.

Each sub-command is a thin wrapper over the Python API; errors from the library (bad data,
bad plans) are printed without a traceback and give a non-zero exit status.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cnplan.cli import analysis as analysis_cli
from cnplan.cli import calibrate as calibrate_cli
from cnplan.cli import compare as compare_cli
from cnplan.cli import data as data_cli
from cnplan.cli import explore as explore_cli
from cnplan.cli import plan as plan_cli
from cnplan.cli import report as report_cli
from cnplan.cli import run as run_cli
from cnplan.cli import serve as serve_cli
from cnplan.cli import track as track_cli
from cnplan.cli.errors import Group

app = typer.Typer(
    cls=Group,
    name="cnplan",
    help="Counter-narcotics planning: data, plans, simulation, goals and tracking.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _options(
    ctx: typer.Context,
    lang: Annotated[str | None, typer.Option(
        "--lang", envvar="CNPLAN_LANG", show_envvar=True,
        help="Language of messages and reports: en or es (a region sets number formats, "
             "e.g. es_CO).")] = None,
) -> None:
    """Counter-narcotics planning: data, plans, simulation, goals and tracking."""
    from cnplan.cli.errors import fail
    from cnplan.i18n import LanguageError, reset_language, set_language

    try:
        token = set_language(lang, source="--lang/CNPLAN_LANG")
    except LanguageError as exc:
        raise fail(exc) from None
    ctx.call_on_close(lambda: reset_language(token))


app.add_typer(data_cli.app, name="data", help="Look at, check and import monitoring data.")
app.add_typer(plan_cli.app, name="plan", help="Show, check and write plans.")
app.add_typer(track_cli.app, name="track", help="Programme results tracker.")
run_cli.register(app)
compare_cli.register(app)
calibrate_cli.register(app)
report_cli.register(app)
explore_cli.register(app)
serve_cli.register(app)
analysis_cli.register(app)


def main() -> None:
    """Entry point of the ``cnplan`` console script."""
    app()
