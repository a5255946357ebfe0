"""A local page for labelling a file of mentions: one at a time, keys 1-5, every answer saved.

``mention-insight label to_label.csv`` serves a page on the loopback interface only. It shows
one mention with the codebook's short definitions; keys **1-5** toggle the labels (several
allowed; ``other`` stands alone), **Enter** saves and moves on, **S** skips, **Backspace**
undoes the last save, **←/→** move without saving. Every saved answer rewrites the CSV
atomically (a temporary file, then a rename), so a session stopped at any moment, even
killed, loses no saved answer. Every other column and row of the file is kept as it was.
"""

from __future__ import annotations

import csv
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import MentionInsightError
from .io.atomic import atomic_file
from .io.safety import unescape_cell
from .labels import FALLBACK_LABEL, parse_labels

#: The codebook's labels in key order (1-5), with a one-line reminder of each.
DEFINITIONS = {
    "visit_request": "asks the service to come, act or look into something (a plea to act, addressed to it)",
    "complaint": "says the service, or something it is responsible for, is failing or wrong",
    "shared_info": "tells the service something it may act on: a report, a sighting, an answer, details sent",
    "thanks": "thanks or praises the service addressed, for something it did",
    FALLBACK_LABEL: "none of these (chat, questions for advice, praise of others, news): stands alone",
}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class LabelFile:
    """The CSV being labelled: its rows, kept whole, and an atomic save of every change."""

    def __init__(self, path: str | Path, labels: tuple[str, ...] = tuple(DEFINITIONS)):
        self.path = Path(path)
        self.labels = labels
        self.lock = threading.Lock()
        try:
            with self.path.open(newline="", encoding="utf-8-sig") as fh:
                reader = csv.reader(fh)
                self.header = next(reader)
                self.rows = [row for row in reader]
        except (OSError, StopIteration, UnicodeDecodeError, csv.Error) as exc:
            raise MentionInsightError(f"{self.path} cannot be read as a CSV of mentions ({exc}).") from None
        lower = [h.strip().lower() for h in self.header]
        if "text" not in lower:
            raise MentionInsightError(
                f"{self.path} has no 'text' column; label a file written by mention-insight suggest."
            )
        self.text_col = lower.index("text")
        if "labels" not in lower:
            self.header.append("labels")
            self.rows = [row + [""] for row in self.rows]
        self.labels_col = [h.strip().lower() for h in self.header].index("labels")
        width = len(self.header)
        self.rows = [row + [""] * (width - len(row)) for row in self.rows]

    def state(self) -> dict:
        items = [
            {"text": unescape_cell(row[self.text_col]), "labels": parse_labels(row[self.labels_col])}
            for row in self.rows
        ]
        return {
            "file": self.path.name,
            "labels": list(self.labels),
            "definitions": [DEFINITIONS.get(lab, "") for lab in self.labels],
            "items": items,
        }

    def answer(self, index: int, labels: list[str]) -> dict:
        if not 0 <= index < len(self.rows):
            raise MentionInsightError(f"no row {index}")
        unknown = [lab for lab in labels if lab not in self.labels]
        if unknown:
            raise MentionInsightError(f"unknown label(s) {', '.join(unknown)}")
        if FALLBACK_LABEL in labels and len(labels) > 1:
            raise MentionInsightError(f"{FALLBACK_LABEL!r} stands alone")
        ordered = [lab for lab in self.labels if lab in labels]
        with self.lock:
            self.rows[index][self.labels_col] = ";".join(ordered)
            self.save()
            done = sum(1 for row in self.rows if row[self.labels_col].strip())
        return {"index": index, "labels": ordered, "labelled": done, "total": len(self.rows)}

    def save(self) -> None:
        with atomic_file(self.path, newline="") as fh:
            w = csv.writer(fh)
            w.writerow(self.header)
            w.writerows(self.rows)


def make_server(label_file: LabelFile, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    if host not in LOOPBACK:
        raise MentionInsightError(f"the labelling page serves on this machine only (127.0.0.1), not {host!r}.")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # no texts in any log
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/":
                self._send(200, PAGE.encode("utf-8"), "text/html; charset=utf-8")
            elif self.path == "/api/state":
                self._send(200, json.dumps(label_file.state()).encode("utf-8"), "application/json")
            else:
                self._send(404, b'{"error": "not found"}', "application/json")

        def do_POST(self):
            if self.path != "/api/answer":
                self._send(404, b'{"error": "not found"}', "application/json")
                return
            try:
                size = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(min(size, 1 << 16)) or b"{}")
                result = label_file.answer(int(body["index"]), list(body.get("labels") or []))
                self._send(200, json.dumps(result).encode("utf-8"), "application/json")
            except (MentionInsightError, KeyError, ValueError, TypeError) as exc:
                self._send(400, json.dumps({"error": str(exc)}).encode("utf-8"), "application/json")

    return ThreadingHTTPServer((host, port), Handler)


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Label mentions</title>
<style>
body{font-family:system-ui,sans-serif;max-width:760px;margin:0 auto;padding:20px;color:#222}
#text{font-size:1.25em;line-height:1.5;background:#f6f8fa;border-left:4px solid #0072B2;padding:.8em 1em;min-height:3em;white-space:pre-wrap}
.label{display:flex;gap:.6em;align-items:baseline;padding:.35em .5em;border:2px solid #ddd;border-radius:6px;margin:.35em 0;cursor:pointer}
.label.on{border-color:#0072B2;background:#e8f1fa}.key{font-weight:700;font-family:monospace;font-size:1.1em}
.def{color:#555;font-size:.92em}#progress{color:#555}#status{min-height:1.4em;color:#0a6}
kbd{border:1px solid #bbb;border-radius:3px;padding:0 .3em;font-size:.9em}
</style></head><body>
<h1>Label mentions</h1>
<p id="progress"></p>
<div id="text" aria-live="polite"></div>
<div id="labels"></div>
<p id="status" role="status"></p>
<p class="def"><kbd>1</kbd>-<kbd>5</kbd> toggle labels (several allowed; other stands alone) ·
<kbd>Enter</kbd> save and next · <kbd>S</kbd> skip · <kbd>Backspace</kbd> undo the last save ·
<kbd>&larr;</kbd> <kbd>&rarr;</kbd> move. Every answer is saved to the file at once.</p>
<script>
let state = null, pos = 0, chosen = new Set(), undo = [];
const $ = id => document.getElementById(id);
async function load() {
  state = await (await fetch('/api/state')).json();
  pos = Math.max(0, state.items.findIndex(i => i.labels.length === 0));
  show();
}
function show() {
  const items = state.items, done = items.filter(i => i.labels.length).length;
  $('progress').textContent = `${state.file}: ${done} of ${items.length} labelled · mention ${pos + 1} of ${items.length}`;
  if (pos >= items.length) { $('text').textContent = 'All done. You can close this page.'; $('labels').innerHTML = ''; return; }
  $('text').textContent = items[pos].text;
  chosen = new Set(items[pos].labels);
  const box = $('labels'); box.innerHTML = '';
  state.labels.forEach((lab, i) => {
    const d = document.createElement('div');
    d.className = 'label' + (chosen.has(lab) ? ' on' : '');
    d.dataset.label = lab;
    d.innerHTML = `<span class="key">${i + 1}</span><span><b></b> <span class="def"></span></span>`;
    d.querySelector('b').textContent = lab.replace('_', ' ');
    d.querySelector('.def').textContent = state.definitions[i];
    d.onclick = () => toggle(lab);
    box.appendChild(d);
  });
}
function toggle(lab) {
  if (chosen.has(lab)) chosen.delete(lab);
  else if (lab === 'other') chosen = new Set(['other']);
  else { chosen.delete('other'); chosen.add(lab); }
  document.querySelectorAll('.label').forEach(d => d.classList.toggle('on', chosen.has(d.dataset.label)));
}
async function save(index, labels) {
  const r = await fetch('/api/answer', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({index, labels})});
  const out = await r.json();
  if (!r.ok) { $('status').textContent = 'Not saved: ' + out.error; return false; }
  state.items[index].labels = out.labels;
  $('status').textContent = out.labels.length ? `Saved: ${out.labels.join(', ')}` : 'Undone';
  return true;
}
document.addEventListener('keydown', async e => {
  if (!state || e.altKey || e.ctrlKey || e.metaKey) return;
  const n = parseInt(e.key, 10);
  if (n >= 1 && n <= state.labels.length && pos < state.items.length) { toggle(state.labels[n - 1]); e.preventDefault(); }
  else if (e.key === 'Enter' && pos < state.items.length) {
    if (!chosen.size) { $('status').textContent = 'Choose at least one label (5 for other), or S to skip.'; return; }
    const before = state.items[pos].labels.slice();
    if (await save(pos, [...chosen])) { undo.push([pos, before]); pos += 1; show(); }
  }
  else if (e.key === 's' || e.key === 'S') { pos = Math.min(pos + 1, state.items.length); show(); }
  else if (e.key === 'Backspace' && undo.length) {
    e.preventDefault();
    const [i, before] = undo.pop();
    if (await save(i, before)) { pos = i; show(); }
  }
  else if (e.key === 'ArrowRight') { pos = Math.min(pos + 1, state.items.length); show(); }
  else if (e.key === 'ArrowLeft') { pos = Math.max(pos - 1, 0); show(); }
});
load();
</script></body></html>
"""
