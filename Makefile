# demarche: `make run` and `make test` are all a newcomer needs (each creates .venv and installs on first use).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
INPUT  ?= seeds/*
OUTPUT ?= out

.PHONY: install run test bench evaluate portable-check clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run the main job on seeds/ with the default in-process runner; output in ./out
run: install
	$(BIN)/python -m pipelines.extract_events --input '$(INPUT)' --output '$(OUTPUT)'

## the test suite (real Beam pipelines, the real spaCy model)
test: install
	$(BIN)/python -m pytest -q

## throughput benchmark on the Wikinews corpus (../shared) or BENCH_INPUT=file.jsonl
bench: install
	$(BIN)/python benchmarks/throughput.py $(if $(BENCH_INPUT),--input $(BENCH_INPUT),)

## dev-set scores (needs ../shared)
evaluate: install
	$(BIN)/python -m pipelines.evaluate actors --gold ../shared/eval/actors_dev.jsonl
	$(BIN)/python -m pipelines.evaluate events --gold ../shared/eval/plover_gsr_dev.jsonl
	$(BIN)/python -m pipelines.evaluate events --gold ../shared/eval/afp_petr2_dev.jsonl
	$(BIN)/python -m pipelines.evaluate when-where --gold tests/data/when_where_gold.jsonl
	$(BIN)/python -m pipelines.evaluate news --gold eval/news_gold.jsonl --split dev

## run the job through Beam's portable job service + an external worker pool on 127.0.0.1
portable-check: install
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/python benchmarks/portable_check.py

clean:
	rm -rf $(OUTPUT) build *.egg-info .pytest_cache
