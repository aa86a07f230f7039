# demarche: `make run` and `make test` are all a newcomer needs (each creates .venv and installs on first use).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
INPUT  ?= seeds/*
OUTPUT ?= out

.PHONY: install run test bench bench-stages bench-growth filter-check evaluate portable-check clean

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

## throughput on the Wikinews corpus (../shared) or BENCH_INPUT=file.jsonl: plain nlp.pipe vs the pipeline on 1
## and 2 worker processes (ratio, speed-up), peak memory per worker, start-up, share of sentences skipped.
## BENCH_ARGS adds options, e.g. BENCH_ARGS="--rounds 3" on a busy machine.
bench: install
	$(BIN)/python benchmarks/throughput.py $(if $(BENCH_INPUT),--input $(BENCH_INPUT),) $(BENCH_ARGS)

## CPU seconds per stage of the job (read, dedup, lexical pass, each spaCy component, coders, sinks, Beam), one process
bench-stages: install
	$(BIN)/python benchmarks/stage_cpu.py $(if $(BENCH_INPUT),--input $(BENCH_INPUT),) $(BENCH_ARGS)

## growth: one worker at ~300, ~3,000 and ~10,000 documents (the corpus repeated with new ids; 10k takes long)
bench-growth: install
	for k in 1 10 34; do $(BIN)/python benchmarks/throughput.py --repeat $$k --workers 1 --skip_plain \
		$(if $(BENCH_INPUT),--input $(BENCH_INPUT),) $(BENCH_ARGS) || exit 1; done

## coding quality with the sentence filter on vs off: scores on GOLD files (default: PLOVER dev) and the event
## output on the Wikinews corpus, e.g. make filter-check GOLD="../shared/eval/plover_gsr_dev.jsonl other_dev.jsonl"
filter-check: install
	$(BIN)/python benchmarks/sentence_filter_check.py $(foreach g,$(GOLD),--gold $(g))

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
