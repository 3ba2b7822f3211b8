"""``/docs``: Swagger UI served from this app, never from a CDN, so the API's page works on a closed network.

The assets (Swagger UI 5, which reads the OpenAPI 3.1 that FastAPI writes, and its Apache-2.0 licence) come from
the ``swagger-ui-py`` package, whose ``static`` folder ships them; only the few files the page needs are served.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS_URL = "/docs/assets"
#: The files the page loads, and the licence they come under.
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "favicon-32x32.png": "image/png", "LICENSE": "text/plain"}


def assets_dir() -> Path:
    return Path(str(importlib.resources.files("swagger_ui") / "static"))


def install_docs(app: FastAPI) -> None:
    """``GET /docs`` and its assets (the app is built with ``docs_url=None``: FastAPI's own page uses a CDN)."""
    folder = assets_dir()
    missing = [name for name in ASSETS if not (folder / name).is_file()]
    if missing:  # a package upgrade that moved them: say so at start-up, not with a blank page later
        raise RuntimeError(f"Swagger UI's assets are missing from {folder}: {', '.join(missing)}")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} API",
                                   swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png")

    @app.get(ASSETS_URL + "/{name}", include_in_schema=False)
    def swagger_asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise HTTPException(404, f"no such asset: {name}")
        return FileResponse(folder / name, media_type=ASSETS[name])
