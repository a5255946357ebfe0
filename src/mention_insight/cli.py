"""The ``mention-insight`` command line: thin wrappers over the library functions."""

from __future__ import annotations

import functools
import json
import sys
import warnings

import click

from . import __version__
from .backends import BACKENDS
from .errors import MentionInsightError
from .io import FORMATS
from .io.writer import OUTPUT_FORMATS


class _Error(click.ClickException):
    def show(self, file=None):
        click.echo(f"error: {self.format_message()}", err=True)


def _os_error_text(exc: OSError) -> str:
    """One line for a file-system failure (full disk, read-only folder, permissions)."""
    where = f" ({exc.filename})" if exc.filename else ""
    reason = exc.strerror or str(exc)
    return f"{reason}{where}; nothing was written or replaced. Free some space or choose a writable path."


def _library_errors(fn):
    """Turn library errors into one line on stderr and exit code 1; show warnings plainly."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return fn(*args, **kwargs)
            except MentionInsightError as exc:
                raise _Error(str(exc)) from exc
            except OSError as exc:
                raise _Error(_os_error_text(exc)) from exc
            finally:
                for w in caught:
                    if issubclass(w.category, (UserWarning,)) and w.category is not DeprecationWarning:
                        click.echo(f"warning: {w.message}", err=True)

    return wrapper


def input_options(fn):
    """Options shared by every command that reads an export."""
    for option in reversed(
        [
            click.option(
                "--format", "input_format", type=click.Choice(list(FORMATS)), help="Input format (detected if omitted)."
            ),
            click.option("--text-column", help="Column holding the mention text (detected if omitted)."),
            click.option("--encoding", default="utf-8", show_default=True, help="Input encoding, e.g. cp1252."),
            click.option(
                "--skip-rows",
                type=click.IntRange(0, None),
                help="Rows above the header to skip (a metadata block; detected if omitted).",
            ),
        ]
    ):
        fn = option(fn)
    return fn


def model_options(fn):
    """Options shared by every command that loads a model."""
    fn = click.option(
        "--trust-modified",
        is_flag=True,
        help="Load a model whose files changed after it was saved (it gets a new id) instead of refusing it.",
    )(fn)
    return click.option(
        "--model", "model_path", type=click.Path(), help="Model directory (default: the bundled model)."
    )(fn)


def output_options(fn):
    """Options shared by every command that writes rows or tables."""
    fn = click.option(
        "--raw-csv",
        is_flag=True,
        help="Write CSV cells exactly as they are; by default a cell starting with = + - @ gets a leading ' "
        "so that a spreadsheet does not run it as a formula.",
    )(fn)
    return click.option(
        "--force", is_flag=True, help="Replace an existing output file that mention-insight did not write."
    )(fn)


class _Cli(click.Group):
    """The command group: every error, usage errors included, is one line on stderr."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            command = f" {exc.ctx.info_name}" if exc.ctx is not None and exc.ctx.parent is not None else ""
            hint = f" (see 'mention-insight{command} --help')"
            click.echo(f"error: {exc.format_message()}{hint}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            click.echo("error: interrupted; no output file was written or replaced.", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


def _use_threads(threads: int | None) -> None:
    """Inference threads for the models this process loads (set before any is loaded)."""
    if threads:
        import os

        from .backends.transformer.serving import THREADS_ENV

        os.environ[THREADS_ENV] = str(threads)


def engine_options(fn):
    """--engine, --scheduler, --workers: run on Dask over a partitioned dataset."""
    fn = click.option(
        "--workers",
        default=2,
        show_default=True,
        type=click.IntRange(1, 1024),
        help="With --engine dask and no --scheduler: worker processes of the local cluster.",
    )(fn)
    fn = click.option(
        "--scheduler", help="With --engine dask: the address of a running Dask scheduler (tcp://host:8786)."
    )(fn)
    fn = click.option(
        "--threads",
        type=click.IntRange(1, 256),
        help="Inference threads (per worker with --engine dask; default: the cores, shared among local workers).",
    )(fn)
    return click.option(
        "--engine",
        type=click.Choice(["local", "dask"]),
        default="local",
        show_default=True,
        help="dask: INPUT is a dataset (a CSV glob, or Parquet file/folder/glob) read in partitions on Dask.",
    )(fn)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mention-insight")
def cli():
    """Classify social-media mentions of neighbourhood police accounts and report on them.

    \b
    Example:
        mention-insight classify data/samples/mentions_export.csv -o classified.csv
    """


@cli.command("classify")
@click.argument("input", type=click.Path(allow_dash=True))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(allow_dash=True),
    help="Output file (.csv, .jsonl or .parquet), or - for stdout.",
)
@model_options
@input_options
@click.option(
    "--output-format",
    type=click.Choice(list(OUTPUT_FORMATS)),
    help="Output format (from the extension if omitted).",
)
@click.option(
    "--batch-size",
    default=2048,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Mentions classified per batch.",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar on stderr (default: when stderr is a terminal)."
)
@output_options
@engine_options
@_library_errors
def classify_cmd(
    input,
    output,
    model_path,
    input_format,
    text_column,
    encoding,
    skip_rows,
    output_format,
    batch_size,
    progress,
    force,
    raw_csv,
    trust_modified,
    engine,
    threads,
    scheduler,
    workers,
):
    """Classify every mention of an export; keep every row and column, add labels and scores.

    Rows that cannot be classified (empty text, a ragged CSV row) are kept with the
    reason in the 'error' column. A per-label summary goes to stderr.

    \b
    Example:
        mention-insight classify mentions.csv -o classified.csv
        cat tweets.jsonl | mention-insight classify - -o - --output-format jsonl
        mention-insight classify mentions.parquet -o classified.parquet
        mention-insight classify 'exports/*.csv' -o classified/ --engine dask --workers 2
    """
    if engine == "dask":
        from .engines.dask import classify_dataset

        done = classify_dataset(
            input,
            output,
            model=model_path,
            scheduler=scheduler,
            workers=workers,
            text_column=text_column,
            output_format=output_format or "parquet",
            force=force,
            threads=threads,
        )
        click.echo(
            f"{done.rows} rows in {done.partitions} partition(s), {done.classified} classified, "
            f"{done.rows - done.classified} with an error; model {done.model_id}; wrote {done.output}/part.*",
            err=True,
        )
        return
    _use_threads(threads)
    from .api import load_model
    from .batch import classify_file, stderr_is_terminal

    model = load_model(model_path, trust_modified=trust_modified)
    show = stderr_is_terminal() if progress is None else progress
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(unit=" mentions", file=sys.stderr, mininterval=0.5)
    try:
        summary = classify_file(
            input,
            output,
            model=model,
            input_format=input_format,
            output_format=output_format,
            encoding=encoding,
            text_column=text_column,
            skip_rows=skip_rows,
            batch_size=batch_size,
            progress=bar.update if bar is not None else None,
            force=force,
            raw_csv=raw_csv,
        )
    finally:
        if bar is not None:
            bar.close()
    click.echo(summary.format(model.all_labels), err=True)


@cli.command("train")
@click.argument("labelled", type=click.Path(allow_dash=True))
@click.option("-o", "--output", required=True, type=click.Path(), help="Directory to write the model to.")
@click.option(
    "--backend",
    type=click.Choice(list(BACKENDS)),
    default="linear",
    show_default=True,
    help="; ".join(f"{name}: {entry[3]}" for name, entry in BACKENDS.items()) + ".",
)
@click.option("--text-column", help="Column holding the text (detected if omitted).")
@click.option("--labels-column", help="Column holding the labels, ';'-separated (detected if omitted).")
@click.option(
    "--test-size",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="Share held out for the reported metrics.",
)
@click.option(
    "--test", "test_file", type=click.Path(exists=True), help="A separate labelled file to report metrics on."
)
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, 2**32 - 1))
@click.option("--precedence", help="Primary-label order, comma-separated (default: the codebook's).")
@click.option("--labels", "allowed", help="Allowed labels, comma-separated; others are an error.")
@click.option(
    "--min-examples",
    default=10,
    show_default=True,
    type=click.IntRange(1, None),
    help="Fewest examples a label may have.",
)
@click.option(
    "--base",
    help="Adapt this model (a directory, or 'default') to the labels instead of training from nothing; the result is "
    "saved only if cross-validation on your labels finds it better than the base.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing model at OUTPUT (kept until the new one is complete); with --base, save even a "
    "candidate that is not better.",
)
@_library_errors
def train_cmd(
    labelled,
    output,
    backend,
    text_column,
    labels_column,
    test_size,
    test_file,
    seed,
    precedence,
    allowed,
    min_examples,
    base,
    force,
):
    """Train a model from a labelled file and save it with its held-out metrics.

    The file needs a text column and a 'labels' column; several labels are separated
    by ';' (e.g. "visit_request;complaint"). New categories are learned as they come.

    \b
    Example:
        mention-insight train training/data/seed_mentions.csv -o models/mine
        mention-insight train my_labels.csv --base default -o models/mine    (adapt the bundled model)
    """
    from .evaluate import format_metrics
    from .train import read_labelled, train

    if base:
        from .adapt import adapt

        adapted = adapt(
            labelled,
            output,
            base=base,
            seed=seed,
            force=force,
            min_examples=min(min_examples, 5),
            text_column=text_column,
            labels_column=labels_column,
        )
        click.echo(f"gate: {adapted.gate.text()}", err=True)
        if adapted.gate.metrics is not None:
            click.echo(format_metrics(adapted.gate.metrics, title="cross-validated metrics on your labels"))
        click.echo(f"adapted model saved to {adapted.path}", err=True)
        return
    test_data = read_labelled(test_file, text_column=text_column, labels_column=labels_column) if test_file else None
    result = train(
        labelled,
        output,
        backend=backend,
        test_size=test_size,
        seed=seed,
        precedence=[p.strip() for p in precedence.split(",")] if precedence else None,
        labels=[p.strip() for p in allowed.split(",")] if allowed else None,
        min_examples=min_examples,
        test_data=test_data,
        text_column=text_column,
        labels_column=labels_column,
        force=force,
    )
    click.echo(format_metrics(result.metrics, title=f"held-out metrics ({result.sizes})"))
    click.echo(f"model saved to {result.path}", err=True)


@cli.command("suggest")
@click.argument("export", type=click.Path(allow_dash=True))
@click.option(
    "-o", "--output", required=True, type=click.Path(), help="CSV of mentions to label (id, text, labels, why)."
)
@click.option("-n", "n", default=200, show_default=True, type=click.IntRange(1, None), help="Mentions to suggest.")
@click.option(
    "--random-share",
    default=0.3,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share picked at random (unbiased labels for the report's estimates); the rest the model is unsure of.",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed (the same seed, the same picks).")
@click.option("--force", is_flag=True, help="Replace an existing output file that mention-insight did not write.")
@model_options
@input_options
@_library_errors
def suggest_cmd(
    export,
    output,
    n,
    random_share,
    seed,
    force,
    model_path,
    trust_modified,
    input_format,
    text_column,
    encoding,
    skip_rows,
):
    """Pick the mentions of an export worth labelling by hand: a random share, plus the ones the
    model is least sure of, spread across topics. Never rewrites the export.

    \b
    Example:
        mention-insight suggest mentions.csv -n 200 -o to_label.csv
        (fill in 'labels', then: mention-insight report mentions.csv -o report.html --labelled-sample to_label.csv)
    """
    from .api import load_model
    from .suggest import suggest

    result = suggest(
        export,
        output,
        n=n,
        model=load_model(model_path, trust_modified=trust_modified),
        random_share=random_share,
        seed=seed,
        force=force,
        input_format=input_format,
        encoding=encoding,
        text_column=text_column,
        skip_rows=skip_rows,
    )
    click.echo(result.summary(), err=True)


@cli.command("models")
@click.argument("folder", default="models", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="One JSON object per model instead of a table.")
@_library_errors
def models_cmd(folder, as_json):
    """List the model directories in FOLDER (default: models/) with their ids, lineage and held-out figures.

    A directory 'promote' put a model in is marked '(in use: promoted ...)', and the models it
    replaced, kept in <directory>.history/, are listed after it.

    \b
    Example:
        mention-insight models models/
    """
    import json as _json

    from .catalogue import format_table, list_models

    entries = list_models(folder)
    if as_json:
        for e in entries:
            click.echo(_json.dumps(e.as_dict()))
    else:
        click.echo(format_table(entries))


@cli.command("label")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1.")
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
@_library_errors
def label_cmd(file, port, no_browser):
    """Label a CSV of mentions (e.g. from 'suggest') on a local page: keys 1-5, Enter, S, Backspace.

    Serves on 127.0.0.1 only; every answer is saved to FILE at once (atomically), so
    stopping at any moment loses nothing. Stop with Ctrl+C.

    \b
    Example:
        mention-insight label to_label.csv
    """
    from .labelling import LabelFile, make_server

    server = make_server(LabelFile(file), "127.0.0.1", port)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    click.echo(f"labelling {file} at {url} (Ctrl+C to stop; every answer is already saved)", err=True)
    if not no_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.command("compare")
@click.argument("labelled", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", "model_path", required=True, type=click.Path(), help="The candidate model directory.")
@click.option("--against", default="default", show_default=True, help="The model in use (a directory, or 'default').")
@_library_errors
def compare_cmd(labelled, model_path, against):
    """Compare two models on labelled mentions neither was trained on: primary macro-F1 of each
    and a 95% paired bootstrap interval on the difference. Exit 0 when the candidate is better.

    \b
    Example:
        mention-insight compare held_out_labels.csv --model models/ours --against default
    """
    from .adapt import compare
    from .api import load_model

    candidate = load_model(model_path, cache=False)
    result = compare(labelled, candidate, None if against == "default" else against)
    click.echo(result.text(candidate=candidate.model_id))
    if not result.better:
        raise SystemExit(1)


@cli.command("promote")
@click.argument("candidate", type=click.Path())
@click.option(
    "--to",
    "target",
    required=True,
    type=click.Path(),
    help="The model directory in use (what --model names), e.g. models/ours; created if it does not exist.",
)
@click.option(
    "--held-out",
    type=click.Path(exists=True, dir_okay=False),
    help="Labelled mentions neither model was trained on: compare the candidate with the model at --to on them "
    "instead of using the gate recorded when the candidate was adapted.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Promote even a candidate the gate did not find better (or could not check), e.g. to go back to a kept version.",
)
@_library_errors
def promote_cmd(candidate, target, held_out, force):
    """Put CANDIDATE in use at --to, only if it is better than the model there; the old one is kept.

    Better means the quality gate of 'train --base' found it better than its base model on
    your labels, and that base is the model at --to (or, with --held-out, it is better on
    labelled mentions neither model saw). Otherwise nothing changes and the figures are
    shown. The model at --to is moved, untouched, to <--to>.history/<its model id>/ (load it
    there with --model; promote it back with --force) and a checked copy of CANDIDATE takes
    its place in one rename. Classified rows keep naming the promoted model's id.

    \b
    Example:
        mention-insight train my_labels.csv --base default -o models/candidate
        mention-insight promote models/candidate --to models/ours
        mention-insight classify mentions.csv -o classified.csv --model models/ours
        (next round: train new_labels.csv --base models/ours -o models/candidate2, then promote it)
    """
    from .promote import promote

    result = promote(candidate, target, force=force, held_out=held_out)
    if result.gate is not None and result.refusal is None:
        click.echo(f"gate ({result.checked_on}): {result.gate.text(candidate=result.candidate_id)}", err=True)
    click.echo(result.summary(), err=True)


@cli.command("evaluate")
@click.argument("labelled", type=click.Path(allow_dash=True))
@model_options
@click.option("--text-column", help="Column holding the text (detected if omitted).")
@click.option("--labels-column", help="Column holding the true labels (detected if omitted).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@_library_errors
def evaluate_cmd(labelled, model_path, trust_modified, text_column, labels_column, as_json):
    """Score a model on a labelled file: per-label P/R/F1, macro-F1, confusion.

    \b
    Example:
        mention-insight evaluate my_labelled.csv --model models/default --json
    """
    from .api import load_model
    from .evaluate import evaluate_model, format_metrics
    from .train import read_labelled

    model = load_model(model_path, trust_modified=trust_modified)
    data = read_labelled(labelled, text_column=text_column, labels_column=labels_column)
    metrics = evaluate_model(model, data.texts, data.labels)
    if as_json:
        click.echo(json.dumps(metrics, indent=2))
    else:
        click.echo(format_metrics(metrics, title=f"{labelled} on {model.config_['model_id']}"))


@cli.command("report")
@click.argument("input", type=click.Path(allow_dash=True))
@click.option(
    "-o", "--output", required=True, type=click.Path(), help="Report file (.html); .json, .md and _*.csv go beside it."
)
@click.option("--period", default="week", show_default=True, help="Bucket: day, week or month.")
@click.option("--by", default="account", show_default=True, help="Compare per account, area, or none.")
@click.option("--since", help="First day to include (YYYY-MM-DD).")
@click.option("--until", help="Last day to include (YYYY-MM-DD).")
@model_options
@click.option("--key-file", type=click.Path(), help="Pseudonym key (hex); default: <output>.key, created if missing.")
@click.option(
    "--places", "places_file", type=click.Path(), help="Place names, one per line (default: South Manchester)."
)
@click.option("--timezone", default="UTC", show_default=True, help="Time zone for days and hours, e.g. Europe/London.")
@click.option(
    "--formats",
    default="html,md,json,csv",
    show_default=True,
    help="Comma-separated: html, md, json, csv, and pdf (printed by headless Chromium).",
)
@click.option(
    "--dayfirst/--monthfirst",
    default=None,
    help="How dates like 01/09/2026 read (default: as the export shows, else day-first as in the UK).",
)
@click.option("--date-format", help="strptime format of the date column, e.g. '%d/%m/%Y %H:%M'.")
@click.option(
    "--account",
    "accounts",
    multiple=True,
    help="The account the export is about (@handle; repeat for several). Default: an account column, else "
    "the handles most mentions address.",
)
@click.option(
    "--labelled-sample",
    "--error-rates",
    "labelled_sample",
    type=click.Path(exists=True, dir_okay=False),
    help="A random sample of this export's mentions labelled by hand (id, text, labels): counts and changes are "
    "then estimated with 95% intervals (prediction-powered). --error-rates is the old name.",
)
@input_options
@output_options
@engine_options
@_library_errors
def report_cmd(
    input,
    output,
    period,
    by,
    since,
    until,
    model_path,
    trust_modified,
    key_file,
    places_file,
    timezone,
    formats,
    dayfirst,
    date_format,
    accounts,
    labelled_sample,
    input_format,
    text_column,
    encoding,
    skip_rows,
    force,
    raw_csv,
    engine,
    threads,
    scheduler,
    workers,
):
    """Report the impact of an account: label counts and trends, honest estimates, engagement, examples.

    INPUT is a raw export (classified first) or the output of 'classify'. Handles and
    names never appear: authors are pseudonymised with a key kept beside the report.

    \b
    Example:
        mention-insight report data/samples/mentions_export.csv -o report.html --period week --by account
        mention-insight report classified/ -o report.html --engine dask
    """
    _use_threads(threads)
    from .api import load_model
    from .impact import make_report

    common = dict(
        period=period,
        by=by,
        since=since,
        until=until,
        timezone=timezone,
        key_file=key_file,
        places_file=places_file,
        labelled_sample=labelled_sample,
        formats=[f.strip() for f in formats.split(",") if f.strip()],
        dayfirst=dayfirst,
        date_format=date_format,
        accounts=accounts,
        force=force,
    )
    if engine == "dask":
        from .engines.dask import report_dataset

        result = report_dataset(input, output, model=model_path, scheduler=scheduler, workers=workers, **common)
    else:
        result = make_report(
            input,
            output,
            model=load_model(model_path, trust_modified=True) if trust_modified else model_path,
            input_format=input_format,
            encoding=encoding,
            text_column=text_column,
            skip_rows=skip_rows,
            raw_csv=raw_csv,
            **common,
        )
    if result.reading:
        click.echo(result.reading, err=True)
    if result.accounts:
        click.echo(result.accounts, err=True)
    if result.dates is not None:
        for line in (result.dates.message(), result.dates.dayfirst_message()):
            if line:
                click.echo(line, err=True)
    for path in result.written:
        click.echo(f"wrote {path}", err=True)
    from .report.prose import note_text

    for note in result.summary.notes:
        if note.kind in ("sample", "sample_unmatched", "no_sample"):
            click.echo(note_text(note), err=True)
    if result.key_created:
        click.echo(
            f"pseudonym key created at {result.key_file}: keep it private, reuse it for comparable reports", err=True
        )


@cli.command("serve")
@model_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; loopback unless told otherwise.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Processes, each with the model."
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False),
    help="File holding the bearer token every request must send (required when binding beyond loopback).",
)
@click.option("--max-body-bytes", default=1_000_000, show_default=True, type=click.IntRange(1_000, 100_000_000))
@click.option("--max-items", default=256, show_default=True, type=click.IntRange(1, 100_000), help="Texts per request.")
@click.option("--max-text-chars", default=5_000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--log-texts", is_flag=True, help="Write mention texts to the log (never by default).")
@_library_errors
def serve_cmd(
    model_path, trust_modified, host, port, workers, token_file, max_body_bytes, max_items, max_text_chars, log_texts
):
    """Answer classification requests over HTTP (POST /v1/classify; docs at /docs).

    \b
    Example:
        mention-insight serve --port 8000
        curl -s localhost:8000/v1/classify -H 'Content-Type: application/json' \\
             -d '{"text": "Thanks for coming to the school today!"}'
    """
    from .service.run import serve

    serve(
        model=model_path,
        trust_modified=trust_modified,
        host=host,
        port=port,
        workers=workers,
        token_file=token_file,
        max_body_bytes=max_body_bytes,
        max_items=max_items,
        max_text_chars=max_text_chars,
        log_texts=log_texts,
    )


def main() -> None:  # pragma: no cover - console script entry
    cli(prog_name="mention-insight")
