# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1

.PHONY: demo test lint format model gold accuracy benchmark scaling clean venv transformer

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU torch first (the transformer extra would otherwise pull a CUDA build), then the package.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,training,serve]'
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p build/demo
	$(VENV)/bin/mention-insight classify data/samples/mentions_export.csv -o build/demo/classified.csv
	$(VENV)/bin/mention-insight report build/demo/classified.csv -o build/demo/report.html --period week --by account \
		--labelled-sample data/samples/mentions_labelled_sample.csv

test: $(STAMP)
	$(PY) -m pytest

# ruff (lint + format check) and mypy on the package; CI runs it.
lint: $(STAMP)
	$(VENV)/bin/ruff check src training benchmarks tests
	$(VENV)/bin/ruff format --check src training benchmarks tests
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix src training benchmarks tests
	$(VENV)/bin/ruff format src training benchmarks tests

# Rebuild the bundled default model (models/default): the cascade, fine-tuned once on CPU (about 6 minutes).
model: $(STAMP)
	$(PY) -m training.build_transformer --threads 2 --max-transformer-share 0.5 --ship cascade

# Regenerate docs/accuracy.md (gold test split, agreement study, published anchors, learning curve).
accuracy: $(STAMP)
	$(PY) -m training.accuracy_report
	$(PY) -m training.learning_curve

benchmark: $(STAMP)
	$(PY) -m training.build_default --output build/linear
	$(PY) -m benchmarks.run --model build/linear

# Report memory at 100k and 1M rows, and the Dask engine on 1 and 2 workers (about 15 minutes).
scaling: $(STAMP)
	$(PY) -m benchmarks.scaling

# Fine-tune MiniLM once, compare linear / transformer / cascade (build/transformer), then
# benchmark int8 ONNX against a transformers pipeline (about 20 minutes on 2 cores).
transformer: $(STAMP)
	$(PY) -m training.build_transformer
	$(PY) -m benchmarks.transformer

clean:
	rm -rf build .pytest_cache
