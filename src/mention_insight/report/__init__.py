"""The rendering stage: an :class:`~mention_insight.insight.ImpactSummary` out as HTML, Markdown, JSON and CSV.

Nothing here computes a number: :mod:`.tables` (JSON and CSV) holds every number behind
every chart, :mod:`.prose` every English sentence, :mod:`.html` and :mod:`.markdown` the
layouts, :mod:`.charts` the inline SVG. :func:`write_report` writes the chosen formats
side by side, each atomically.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..insight import ImpactSummary
from ..io.atomic import write_text
from ..io.writer import RowWriter
from .html import render_html
from .markdown import render_markdown
from .pdf import html_to_pdf
from .tables import CSV_COLUMNS, csv_tables, summary_to_dict

#: format -> renderer of the whole report as one text (csv writes several tables instead).
RENDERERS: dict[str, Callable[[ImpactSummary], str]] = {
    "json": lambda s: json.dumps(summary_to_dict(s), indent=2, ensure_ascii=False, default=str) + "\n",
    "md": render_markdown,
    "html": render_html,
}
FORMATS = ("html", "md", "json", "csv")
#: Formats written only when asked for (a PDF needs Chromium).
OPTIONAL_FORMATS = ("pdf",)


def report_paths(output: str | Path, formats=FORMATS) -> dict[str, Path]:
    """Where each format goes: ``report.html`` -> ``report.json``, ``report.md``, ``report_counts.csv``..."""
    out = Path(output)
    stem = out.with_suffix("") if out.suffix.lower() in (".html", ".htm", ".md", ".json") else out
    paths = {}
    for fmt in formats:
        if fmt == "csv":
            paths["csv"] = Path(f"{stem}_counts.csv")
        else:
            paths[fmt] = (
                out
                if out.suffix.lower().lstrip(".") == fmt or (fmt == "html" and out.suffix.lower() == ".htm")
                else Path(f"{stem}.{fmt}")
            )
    return paths


def report_files(output: str | Path, formats=FORMATS) -> list[tuple[Path, list[str]]]:
    """Every file a report writes, each with its CSV header (empty for the other formats)."""
    files: list[tuple[Path, list[str]]] = []
    for fmt, path in report_paths(output, formats).items():
        if fmt == "csv":
            stem = str(path)[: -len("_counts.csv")]
            files += [(Path(f"{stem}_{name}.csv"), cols) for name, cols in CSV_COLUMNS.items()]
        else:
            files.append((path, []))
    return files


def write_report(s: ImpactSummary, output: str | Path, formats=FORMATS, *, raw_csv: bool = False) -> list[Path]:
    """Write the report in every format of ``formats`` beside ``output``; return the paths.

    CSV cells are spreadsheet-safe unless ``raw_csv`` (:func:`~mention_insight.io.safety.spreadsheet_safe`).
    """
    paths = report_paths(output, formats)
    written = []
    for fmt in ("json", "md", "csv", "html", "pdf"):  # the HTML (and its PDF) last: the rest is there
        if fmt not in paths:
            continue
        if fmt == "csv":
            stem = str(paths["csv"])[: -len("_counts.csv")]
            for name, (cols, rows) in csv_tables(s).items():
                target = Path(f"{stem}_{name}.csv")
                with RowWriter(target, "csv", cols, raw=raw_csv) as w:
                    for row in rows:
                        w.write(row)
                written.append(target)
        elif fmt == "pdf":
            if "html" in paths:
                written.append(html_to_pdf(paths["html"], paths["pdf"]))
            else:
                with tempfile.TemporaryDirectory(prefix="mention-insight-") as tmp:
                    page = Path(tmp) / "report.html"
                    page.write_text(render_html(s), encoding="utf-8")
                    written.append(html_to_pdf(page, paths["pdf"]))
        else:
            write_text(paths[fmt], RENDERERS[fmt](s))
            written.append(paths[fmt])
    return written


__all__ = [
    "FORMATS",
    "RENDERERS",
    "csv_tables",
    "render_html",
    "render_markdown",
    "report_files",
    "report_paths",
    "summary_to_dict",
    "write_report",
]
