"""Pseudonyms: stable, keyed, non-reversible stand-ins for authors' handles.

``Pseudonymiser(key)("maggie_oye")`` gives e.g. ``"resident-3f9a1c2b07d4e6a1"``: 64 bits of an
HMAC-SHA256 of the case-folded handle without its ``@`` under a secret key, so the same person gets the same
pseudonym in every report made with the same key, and nobody without the key can test
a guess. The key is supplied by the user (``--key-file``) or generated once and kept
beside the report as ``<report>.key`` (mode 0600), reused when present.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ..errors import ReportError
from ..io.atomic import atomic_file

KEY_BYTES = 32
#: Hex digits of the HMAC kept: 64 bits, so a collision needs about 5 billion handles (32 bits: 77,000).
PSEUDONYM_HEX = 16


def handle_key(handle: str) -> str:
    """The form of a handle that identifies its person: no ``@``, no surrounding space, case-folded
    (``@Maggie_Oye`` and ``maggie_oye`` are one account)."""
    return handle.strip().lstrip("@").strip().casefold()


class Pseudonymiser:
    def __init__(self, key: bytes, prefix: str = "resident"):
        if len(key) < 16:
            raise ReportError(
                f"a pseudonym key needs at least 16 bytes; found {len(key)}. Delete the key file to generate a new one."
            )
        self._key = key
        self.prefix = prefix

    def __call__(self, handle: str) -> str:
        digest = hmac.new(self._key, handle_key(handle).encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{self.prefix}-{digest[:PSEUDONYM_HEX]}"


def read_key(path: str | os.PathLike) -> bytes:
    try:
        raw = Path(path).read_text(encoding="ascii").strip()
        key = bytes.fromhex(raw)
    except FileNotFoundError:
        raise ReportError(
            f"key file {path} not found; pass an existing --key-file or leave it out to generate one."
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise ReportError(
            f"key file {path} should hold a hex key (64 hex digits); found something else. Delete it to generate a new one."
        ) from None
    return key


def load_or_create_key(path: str | os.PathLike) -> bytes:
    """The key in ``path``; when the file does not exist, a new random key written there (0600)."""
    target = Path(path)
    if target.exists():
        return read_key(target)
    key = secrets.token_bytes(KEY_BYTES)
    with atomic_file(target, encoding="ascii", permissions=0o600) as fh:
        fh.write(key.hex() + "\n")
    return key
