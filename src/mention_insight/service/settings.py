"""Settings of a running service: the model, the limits and the token, passed to every worker."""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..errors import MentionInsightError

#: The environment variable that carries the settings to uvicorn's worker processes.
SETTINGS_ENV = "MENTION_INSIGHT_SERVICE"


@dataclass(frozen=True)
class ServiceSettings:
    """What a service is told.

    ``model``: a model directory (``None``: the bundled default). ``token``: the bearer
    token clients must send (``None``: no authentication, allowed only on loopback), or
    ``token_file``, the file it is read from (workers are given the file, never the token).
    ``max_body_bytes``, ``max_items`` and ``max_text_chars`` bound every request;
    ``log_texts`` allows mention texts in the logs (never by default).
    """

    model: str | None = None
    token: str | None = None
    token_file: str | None = None
    max_body_bytes: int = 1_000_000
    max_items: int = 256
    max_text_chars: int = 5_000
    log_texts: bool = False
    trust_modified: bool = False

    def to_env(self) -> str:
        """The settings for the environment, without the token itself (workers read ``token_file``)."""
        return json.dumps({**asdict(self), "token": None})

    @classmethod
    def from_env(cls) -> ServiceSettings:
        raw = os.environ.get(SETTINGS_ENV)
        settings = cls(**json.loads(raw)) if raw else cls()
        return settings.with_token()

    def with_token(self) -> ServiceSettings:
        """These settings with ``token`` read from ``token_file`` (if one is named)."""
        if self.token is None and self.token_file:
            return replace(self, token=read_token(self.token_file))
        return self


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_token(path: str | os.PathLike) -> str:
    """The bearer token in ``path`` (one line, at least 16 characters)."""
    try:
        token = Path(path).read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise MentionInsightError(f"cannot read the token file {path}: {exc}. Give a file holding one token.") from None
    if len(token) < 16 or any(ch.isspace() for ch in token):
        raise MentionInsightError(
            f"the token in {path} must be one line of at least 16 characters without spaces; "
            'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))" > token.txt'
        )
    return token


def check_binding(host: str, token: str | None) -> None:
    """Refuse to serve beyond this machine without a token."""
    if not is_loopback(host) and token is None:
        raise MentionInsightError(
            f"binding to {host} makes the service reachable from other machines; pass --token-file "
            "so that every request must carry the token, or bind to 127.0.0.1."
        )
