"""Starting the service under uvicorn: checks first, then one or more worker processes."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .. import persistence
from ..api import default_model_path
from ..errors import MentionInsightError
from .settings import SETTINGS_ENV, ServiceSettings, check_binding, read_token


def serve(
    *,
    model: str | None = None,
    trust_modified: bool = False,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    token_file: str | None = None,
    max_body_bytes: int = 1_000_000,
    max_items: int = 256,
    max_text_chars: int = 5_000,
    log_texts: bool = False,
) -> None:
    """Check the binding, the token and the model's files, then run uvicorn until stopped.

    Each worker loads the model once, when it starts (``/readyz`` answers 503 until then).
    """
    try:
        import uvicorn
    except ImportError:
        raise MentionInsightError(
            "the service needs FastAPI and uvicorn: pip install 'mention_insight[serve]'"
        ) from None
    token = read_token(token_file) if token_file else None
    check_binding(host, token)
    model_dir = Path(model) if model else default_model_path()
    # The checksums are checked here, once, so that a bad model fails in one line before any worker starts.
    persistence.open_model_dir(model_dir, trust_modified=trust_modified)
    settings = ServiceSettings(
        model=str(model_dir),
        token_file=str(Path(token_file).resolve()) if token_file else None,
        max_body_bytes=max_body_bytes,
        max_items=max_items,
        max_text_chars=max_text_chars,
        log_texts=log_texts,
        trust_modified=trust_modified,
    )
    os.environ[SETTINGS_ENV] = settings.to_env()  # read by every worker's app factory
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        "mention_insight.service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # the service logs each request itself, without query strings or bodies
        log_level="info",
    )
