"""The web app: dashboard pages and a JSON API over data, plans, runs, explorations and tracker.

``create_app(Settings(home=..., db_url=...))`` returns the FastAPI app that ``cnplan serve``
runs with uvicorn; see ``docs/web.md``.
"""

from cnplan.web.app import create_app
from cnplan.web.settings import Settings

__all__ = ["Settings", "create_app"]
