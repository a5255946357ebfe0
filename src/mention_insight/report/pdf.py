"""The report as a PDF, for meetings: the HTML report printed by headless Chromium.

Chromium is found on the PATH (``chromium``, ``chromium-browser``, ``google-chrome``) or at
``$MENTION_INSIGHT_CHROMIUM``. It prints the self-contained HTML, so the PDF has the same
charts and text, laid out by the report's print styles; nothing is fetched from a network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ReportError

CHROMIUM_ENV = "MENTION_INSIGHT_CHROMIUM"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    given = os.environ.get(CHROMIUM_ENV)
    if given:
        return given if Path(given).is_file() else None
    return next((path for name in NAMES if (path := shutil.which(name))), None)


def require_chromium() -> str:
    found = find_chromium()
    if found is None:
        raise ReportError(
            "a PDF report needs Chromium: install it (apt-get install chromium) or set "
            f"{CHROMIUM_ENV} to its path; or leave pdf out of --formats and print report.html from a browser."
        )
    return found


def html_to_pdf(html: Path, target: Path, *, timeout: float = 180) -> Path:
    """Print ``html`` to ``target`` atomically (a temporary file beside it, then renamed)."""
    chromium = require_chromium()
    with tempfile.TemporaryDirectory(prefix="mention-insight-pdf-") as profile:
        tmp = target.with_name(f".{target.name}.tmp")
        args = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={tmp}",
            html.resolve().as_uri(),
        ]
        try:
            run = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            tmp.unlink(missing_ok=True)
            raise ReportError(f"Chromium did not print the PDF within {timeout:.0f} s; try again.") from None
        if run.returncode != 0 or not tmp.is_file() or tmp.read_bytes()[:5] != b"%PDF-":
            tmp.unlink(missing_ok=True)
            raise ReportError(f"Chromium could not print the PDF: {run.stderr.strip()[-300:]}")
        os.replace(tmp, target)
    return target
