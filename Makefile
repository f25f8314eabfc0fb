# The two commands of the README: `make build` and `make test`. Each does its own set-up on a fresh
# machine (Debian/Ubuntu, Python >= 3.11, Node.js >= 18), so nothing has to be installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: build test lint bench clean

build: $(STAMP)
	$(BIN)/spotlight-pack build

test: $(STAMP) tests/e2e/node_modules/.installed /usr/bin/chromium
	bash .ci/services
	SPOTLIGHT_REQUIRE_BROWSER=$${SPOTLIGHT_REQUIRE_BROWSER:-1} SPOTLIGHT_REQUIRE_POSTGRES=$${SPOTLIGHT_REQUIRE_POSTGRES:-1} \
		$(BIN)/pytest -q -rs
	$(BIN)/ruff check spotlight_pack lrs tests bench

lint: $(STAMP)
	$(BIN)/ruff check spotlight_pack lrs tests bench

bench: $(STAMP)
	$(BIN)/python bench/build.py

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

tests/e2e/node_modules/.installed: tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	touch $@

/usr/bin/chromium:
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium

clean:
	rm -rf $(VENV) tests/e2e/node_modules dist/*.zip
