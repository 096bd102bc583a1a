"""`cnplan serve` (the web app) and `cnplan token` (create, list and revoke API tokens)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cnplan.cli.errors import fail

HomeOpt = Annotated[
    Path, typer.Option("--home", envvar="CNPLAN_HOME", show_envvar=True,
                       help="App home folder: runs/, explorations/, plans/, state. cnplan run, "
                            "compare and explore write under $CNPLAN_HOME too, so the app lists "
                            "what the command line made.")
]


def _state(home: Path):
    from cnplan.web.settings import Settings
    from cnplan.web.state import StateDB

    return StateDB(Settings(home=home).prepare().state_path)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``token`` group to the main app."""
    from cnplan.web.settings import DEFAULT_HOME, DEFAULT_HOST

    token_app = typer.Typer(no_args_is_help=True)
    app.add_typer(token_app, name="token", help="API tokens for the web app (writes need one).")

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Address to bind; loopback unless told.")] = (
            DEFAULT_HOST
        ),
        port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
        db: Annotated[
            str | None, typer.Option(help="Tracker database URL (default: the tracker's).")
        ] = None,
        home: HomeOpt = DEFAULT_HOME,
        protect_reads: Annotated[
            bool, typer.Option("--protect-reads", help="Require a token for reads too.")
        ] = False,
        workers: Annotated[int, typer.Option(help="Runs executed at the same time.")] = 1,
    ) -> None:
        """Start the web app (dashboard and JSON API; API docs at /docs)."""
        import uvicorn

        from cnplan.web import Settings, create_app

        if not 1 <= port <= 65535:
            Console(stderr=True).print(f"--port: expected 1-65535, got {port}")
            raise typer.Exit(2)
        if not 1 <= workers <= 16:
            Console(stderr=True).print(f"--workers: expected 1-16, got {workers}")
            raise typer.Exit(2)
        try:
            settings = Settings(home=home, db_url=db, protect_reads=protect_reads,
                                workers=workers)
            web_app = create_app(settings)
        except (OSError, ValueError) as exc:
            raise fail(exc) from None
        out = Console()
        home_dir = web_app.state.services.settings.home
        out.print(f"cnplan web app on http://{host}:{port}/ (API docs at /docs)", highlight=False,
                  soft_wrap=True)
        out.print(f"home: {home_dir}", highlight=False, soft_wrap=True)
        out.print(f"writes need a token; create one with: cnplan token create NAME --home "
                  f"{home_dir}", highlight=False, soft_wrap=True)
        if host not in {"127.0.0.1", "localhost", "::1"}:
            out.print(f"[yellow]warning:[/yellow] listening on {host}: reachable from other "
                      "machines; use HTTPS in front (tokens travel in headers and cookies)",
                      soft_wrap=True)
        uvicorn.run(web_app, host=host, port=port, log_level="info")

    @token_app.command("create")
    def create(
        name: Annotated[str, typer.Argument(help="Who the token is for, e.g. 'analyst-ana'.")],
        home: HomeOpt = DEFAULT_HOME,
    ) -> None:
        """Create a token; it is printed once and only its salted hash is stored."""
        from cnplan.web.tokens import TokenError, create_token

        try:
            token = create_token(_state(home), name)
        except (TokenError, OSError) as exc:
            raise fail(exc) from None
        Console(stderr=True).print(
            f"token for {name} (shown once; store it safely, send as 'Authorization: Bearer "
            "...' or paste it on the sign-in page):", highlight=False)
        print(token)

    @token_app.command("list")
    def list_tokens(home: HomeOpt = DEFAULT_HOME) -> None:
        """List tokens (id, name, created, revoked) — never the tokens themselves."""
        for row in _state(home).tokens():
            print(f"{row['id']}  {row['name']}  created {row['created']}"
                  + (f"  revoked {row['revoked']}" if row["revoked"] else ""))

    @token_app.command("revoke")
    def revoke(
        token_id: Annotated[str, typer.Argument(help="Token id (8 hex digits, see list).")],
        home: HomeOpt = DEFAULT_HOME,
    ) -> None:
        """Revoke a token (a running server forgets it within a minute)."""
        if not _state(home).revoke_token(token_id):
            raise fail(ValueError(f"token id: no active token {token_id!r}"))
        print(f"revoked {token_id}")
