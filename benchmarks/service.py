"""Load on the HTTP service: throughput and latency at 1, 8 and 32 clients, beside classify() in-process.

    python -m benchmarks.service [--model DIR] [--data-dir ../shared/data/external]

Starts ``mention-insight serve`` on a free loopback port (one worker), then drives it with a
bounded ``httpx`` load generator: each client sends its requests one after another, a fixed
number per scenario, single-text and 64-text requests, at 1, 8 and 32 concurrent clients.
Every text is a distinct real tweet or report the model never saw (the benchmark part of
``training/unlabelled.py``), and no text is sent twice in the whole run, so no cache is
flattered. The same numbers of texts go through ``classify()`` in this process, single calls
and 64-text lists, before each block of HTTP scenarios, so the HTTP overhead is visible.
Writes ``benchmarks/results_service.json`` and the service section of ``benchmarks/RESULTS.md``.

The load generator runs on the same 2 cores as the service: the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from mention_insight.io.atomic import replace_section

HERE = Path(__file__).resolve().parent
START, END = "<!-- service:start -->", "<!-- service:end -->"
CLIENTS = (1, 8, 32)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model: str | None, port: int, max_items: int) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "mention_insight", "serve", "--port", str(port), "--max-items", str(max_items)]
    if model:
        cmd += ["--model", model]
    # The access log goes to a file: a pipe nobody reads would fill and stall the service.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (outlives this function; removed in main)
        "w+", prefix="mention-insight-serve-", suffix=".log", delete=False
    )
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, text=True)
    started = time.perf_counter()
    while time.perf_counter() - started < 120:
        if proc.poll() is not None:
            log.seek(0)
            raise SystemExit(f"the service did not start: {log.read()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc, log.name
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the service was not ready after 120 s")


def percentiles(ms: list[float]) -> dict:
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    return {"p50_ms": statistics.median(ms), "p95_ms": q[94], "p99_ms": q[98], "max_ms": max(ms)}


async def http_scenario(url: str, batches: list[list[str]], clients: int) -> dict:
    """Send ``batches`` (one request each) from ``clients`` concurrent clients."""
    queue: asyncio.Queue = asyncio.Queue()
    for b in batches:
        queue.put_nowait(b)
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:

        async def worker():
            while not queue.empty():
                batch = queue.get_nowait()
                body = {"text": batch[0]} if len(batch) == 1 else {"texts": batch}
                t0 = time.perf_counter()
                try:
                    r = await client.post("/v1/classify", json=body)
                    ok = r.status_code == 200 and all(x["error"] is None for x in r.json()["results"])
                    if not ok:
                        errors.append(f"{r.status_code}: {r.text[:200]}")
                except httpx.HTTPError as exc:
                    errors.append(repr(exc))
                latencies.append((time.perf_counter() - t0) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - started
    n_texts = sum(len(b) for b in batches)
    return {
        "requests": len(batches),
        "texts": n_texts,
        "clients": clients,
        "requests_per_s": len(batches) / wall,
        "texts_per_s": n_texts / wall,
        "errors": len(errors),
        "error_examples": errors[:3],
        **percentiles(latencies),
    }


def in_process(batches: list[list[str]], model) -> dict:
    from mention_insight import classify

    latencies = []
    started = time.perf_counter()
    for b in batches:
        t0 = time.perf_counter()
        classify(b[0] if len(b) == 1 else b, model=model)
        latencies.append((time.perf_counter() - t0) * 1000)
    wall = time.perf_counter() - started
    n_texts = sum(len(b) for b in batches)
    return {
        "requests": len(batches),
        "texts": n_texts,
        "clients": 1,
        "requests_per_s": len(batches) / wall,
        "texts_per_s": n_texts / wall,
        "errors": 0,
        **percentiles(latencies),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="Model directory (default: the bundled model).")
    parser.add_argument("--data-dir", help="The external datasets (default: ../shared/data/external).")
    parser.add_argument("--single-requests", type=int, default=200, help="Single-text requests per scenario.")
    parser.add_argument("--batch-requests", type=int, default=32, help="64-text requests per scenario.")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from mention_insight import load_model
    from training.unlabelled import pool

    texts = [p.text for p in pool("benchmark", args.data_dir)]
    random.Random(args.seed).shuffle(texts)
    need = (len(CLIENTS) + 1) * (args.single_requests + args.batch_requests * args.batch_size)
    if need > len(texts):
        raise SystemExit(f"{need:,} distinct texts needed, the benchmark pool has {len(texts):,}: lower the counts")
    cursor = 0

    def take(n_requests: int, size: int) -> list[list[str]]:
        nonlocal cursor
        out = [texts[cursor + i * size : cursor + (i + 1) * size] for i in range(n_requests)]
        cursor += n_requests * size
        return out

    model = load_model(args.model)
    port = free_port()
    load_before = os.getloadavg()
    proc, log_path = start_server(args.model, port, max_items=args.batch_size)
    url = f"http://127.0.0.1:{port}"
    results: list[dict] = []
    try:
        for size, n in ((1, args.single_requests), (args.batch_size, args.batch_requests)):
            kind = "single text" if size == 1 else f"{size} texts"
            r = in_process(take(n, size), model)
            results.append({"how": "classify() in-process", "request": kind, **r})
            print(results[-1], file=sys.stderr)
            for clients in CLIENTS:
                r = asyncio.run(http_scenario(url, take(n, size), clients))
                results.append({"how": "HTTP", "request": kind, **r})
                print(results[-1], file=sys.stderr)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        os.unlink(log_path)
    info = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "model_id": model.model_id,
        "backend": model.backend,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "distinct_texts": cursor,
        "results": results,
    }
    (HERE / "results_service.json").write_text(json.dumps(info, indent=2) + "\n")
    write_markdown(info, args)
    return 0


def write_markdown(info: dict, args) -> None:
    lines = [
        START,
        "## HTTP service under load (`mention-insight serve`)",
        "",
        f"`python -m benchmarks.service` ({info['date']}, {info['machine']}, model `{info['model_id']}` "
        f"({info['backend']}), one uvicorn worker on loopback; load average before {info['load_average_before']}, "
        f"after {info['load_average_after']}). {info['distinct_texts']:,} distinct real texts the model never saw, "
        "none sent twice. Each client sends its requests one after another; the load generator shares the "
        "service's 2 cores.",
        "",
        "| how | request | clients | requests | texts/s | requests/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in info["results"]:
        lines.append(
            f"| {r['how']} | {r['request']} | {r['clients']} | {r['requests']:,} | {r['texts_per_s']:,.0f} | "
            f"{r['requests_per_s']:,.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} |"
        )
    lines += [
        "",
        "One worker classifies one request at a time (the model is not shared between threads), so more",
        "clients raise latency, not throughput; `--workers 2` runs a second process with its own copy of the",
        "model. Latency is measured by the client: it includes queueing behind the other clients.",
        END,
    ]
    replace_section(HERE / "RESULTS.md", "\n".join(lines), START, END)


if __name__ == "__main__":
    raise SystemExit(main())
