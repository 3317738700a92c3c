# ovfleet — every target bootstraps what it needs into a cache outside the repository, keyed by version,
# and reuses it when present. Only package registries are contacted (npm, PyPI, the Go module proxy).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CACHE            ?= $(HOME)/.cache/ovfleet
NODE_VERSION     := 24.21.0
OPENVINO_VERSION := 2026.4.1
PYTHON           ?= $(shell scripts/find-python.sh)
PERF_ANALYZER_VERSION := 2.60.0

# Node.js: the system's when it is 24 or newer, else the npm package node@$(NODE_VERSION) in the cache.
SYS_NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
ifeq ($(shell [ "$(SYS_NODE_MAJOR)" -ge 24 ] && echo yes),yes)
NODE     := $(shell command -v node)
else
NODE     := $(CACHE)/node-$(NODE_VERSION)/node_modules/node/bin/node
endif
NODE_DIR := $(dir $(NODE))
export PATH := $(NODE_DIR):$(CURDIR)/node_modules/.bin:$(PATH)

# OpenVINO runtime libraries (C API, CPU plugin, frontends, TBB) unpacked from the PyPI wheel.
OV_DIR := $(CACHE)/openvino-$(OPENVINO_VERSION)
export OPENVINO_LIB_DIR ?= $(OV_DIR)/libs

# Python tools used by tests and benchmarks (real clients: tritonclient, perf_analyzer; OpenVINO's
# own Python API as the reference for numerical results), in a venv keyed by the requirements file.
PY_REQS    := test/requirements.txt
PY_KEY     := $(shell cat $(PY_REQS) test/requirements-lock.txt 2>/dev/null | sha256sum | cut -c1-12)
PY_VENV    := $(CACHE)/py-$(PY_KEY)
export OVFLEET_PYTHON ?= $(PY_VENV)/bin/python

NODE_STAMP := node_modules/.ovfleet-$(NODE_VERSION).stamp

.PHONY: help deps node openvino python perf-analyzer cluster-bins lint typecheck unit test demo clean-cache \
        bench-venv bench-server bench-sizing bench-operator

help:
	@echo "make demo   - local control plane + operator + example InferenceService + a real server answering inference"
	@echo "make test   - lint, typecheck and every test (unit, integration, end-to-end)"
	@echo "make deps   - bootstrap Node.js 24, npm packages, OpenVINO runtime and Python test tools into $(CACHE)"

# ---------------------------------------------------------------- bootstrap
$(CACHE)/node-$(NODE_VERSION)/node_modules/node/bin/node:
	@echo ">> installing Node.js $(NODE_VERSION) (npm package node@$(NODE_VERSION)) into $(CACHE)"
	mkdir -p $(CACHE)
	npm install --no-save --no-audit --no-fund --prefix $(CACHE)/node-$(NODE_VERSION) node@$(NODE_VERSION) >/dev/null
	@$@ --version

node: $(NODE)

$(NODE_STAMP): package-lock.json | $(NODE)
	@echo ">> npm ci (Node $$(node --version))"
	npm ci --no-audit --no-fund
	touch $@

$(OV_DIR)/.done:
	@echo ">> fetching OpenVINO $(OPENVINO_VERSION) runtime from PyPI into $(OV_DIR)"
	rm -rf $(OV_DIR) && mkdir -p $(OV_DIR)/wheel
	$(PYTHON) -m pip download --quiet --no-deps --only-binary=:all: -d $(OV_DIR)/wheel openvino==$(OPENVINO_VERSION)
	cd $(OV_DIR) && $(PYTHON) -m zipfile -e wheel/openvino-*.whl unpacked >/dev/null
	mv $(OV_DIR)/unpacked/openvino/libs $(OV_DIR)/libs && rm -rf $(OV_DIR)/unpacked $(OV_DIR)/wheel
	touch $@

openvino: $(OV_DIR)/.done

$(PY_VENV)/.done: $(PY_REQS) test/requirements-lock.txt
	@echo ">> creating Python tool venv $(PY_VENV)"
	rm -rf $(PY_VENV)
	$(PYTHON) -m venv $(PY_VENV)
	$(PY_VENV)/bin/pip install --quiet --disable-pip-version-check -r $(PY_REQS)
	touch $@

python: $(PY_VENV)/.done

PA_DIR := $(CACHE)/perf-analyzer-$(PERF_ANALYZER_VERSION)
export PERF_ANALYZER ?= $(PA_DIR)/bin/perf_analyzer
$(PA_DIR)/.done:
	@echo ">> fetching perf_analyzer $(PERF_ANALYZER_VERSION) from PyPI into $(PA_DIR)"
	bash scripts/fetch-perf-analyzer.sh $(PA_DIR) $(PERF_ANALYZER_VERSION) $(PYTHON)
	touch $@

perf-analyzer: $(PA_DIR)/.done

deps: $(NODE_STAMP) openvino python perf-analyzer

# Local control plane (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok) built
# from the Go module proxy into $(CACHE)/k8s-<version>/bin; a no-op when its .done stamp is present.
# test/cluster/config.ts finds the binaries through OVFLEET_CACHE.
export OVFLEET_CACHE := $(CACHE)
cluster-bins:
	bash test/cluster/build.sh

# ---------------------------------------------------------------- checks
lint: $(NODE_STAMP)
	biome check .

typecheck: $(NODE_STAMP)
	tsc -p tsconfig.json

unit: $(NODE_STAMP)
	vitest run --project unit

test: deps cluster-bins lint typecheck
	vitest run

# ---------------------------------------------------------------- main job
demo: deps cluster-bins
	node scripts/demo.ts

# ---------------------------------------------------------------- benchmarks (never part of make test)
# A separate venv for the benchmarks' Python (the KServe peer, benchmark_app, matplotlib), keyed by
# bench/requirements*.txt like the test venv. BENCH_ARGS passes flags through (e.g. --models cls).
BENCH_REQS  := bench/requirements.txt
BENCH_KEY   := $(shell cat $(BENCH_REQS) bench/requirements-lock.txt 2>/dev/null | sha256sum | cut -c1-12)
BENCH_VENV  := $(CACHE)/bench-py-$(BENCH_KEY)
export OVFLEET_BENCH_PYTHON ?= $(BENCH_VENV)/bin/python
BENCH_ARGS  ?=

$(BENCH_VENV)/.done: $(BENCH_REQS) bench/requirements-lock.txt
	@echo ">> creating benchmark Python venv $(BENCH_VENV)"
	rm -rf $(BENCH_VENV)
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r $(BENCH_REQS)
	touch $@

bench-venv: $(BENCH_VENV)/.done

bench-server: deps bench-venv
	node bench/server/run.ts $(BENCH_ARGS)

bench-sizing: deps bench-venv
	node bench/sizing/run.ts $(BENCH_ARGS)

bench-operator: deps cluster-bins
	node bench/operator/run.ts $(BENCH_ARGS)

clean-cache:
	rm -rf $(CACHE)
