"""The web app's settings: its home folder, the tracker database and what reads require."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path("cnplan-home")
"""Home folder used when none is given: ``./cnplan-home`` beside where the server starts."""

DEFAULT_HOST = "127.0.0.1"
"""Loopback only unless told otherwise: a programme office opts in to exposing the app."""

MAX_PLAN_BYTES = 256 * 1024
"""Largest plan upload accepted; the biggest shipped plan is a few kB."""

MAX_SCENARIOS = 20_000
"""Largest ensemble the web form and API start (a bigger study belongs on the CLI)."""

DEFAULT_SCENARIOS = 500
"""Ensemble size proposed by the run form: a few seconds of work on a laptop."""


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about where it lives.

    Attributes
    ----------
    home
        Folder holding ``runs/``, ``explorations/``, ``plans/`` (saved uploads) and
        ``state.sqlite`` (hashed tokens and the job table).
    db_url
        Tracker database URL or SQLite path; ``None`` uses the tracker's own default
        (``$CNPLAN_TRACK_DB`` or the user data directory), so the CLI and the app agree.
    protect_reads
        If true, every page and API read needs a token too (writes always do).
    workers
        Runs executed at the same time; each run is one subprocess.
    """

    home: Path = DEFAULT_HOME
    db_url: str | None = None
    protect_reads: bool = False
    workers: int = 1

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def explorations_dir(self) -> Path:
        return self.home / "explorations"

    @property
    def plans_dir(self) -> Path:
        return self.home / "plans"

    @property
    def state_path(self) -> Path:
        return self.home / "state.sqlite"

    def prepare(self) -> Settings:
        """Create the home folder and its sub-folders; return settings with absolute paths."""
        home = Path(self.home).expanduser().resolve()
        for sub in ("runs", "explorations", "plans"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        db_url = self.db_url
        if db_url and "://" not in db_url:  # a SQLite path: absolute, since runs start in home
            db_url = str(Path(db_url).expanduser().resolve())
        return Settings(home, db_url, self.protect_reads, self.workers)
