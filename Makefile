# The project's commands. A newcomer needs two: `make synth` and `make test`.
# Both install what is missing first (pipenv + the locked Python deps, the locked npm deps).
SHELL := /bin/bash
.DEFAULT_GOAL := synth

ENV ?= production
STACK ?=
PIPENV_VERSION := 2026.10.3
PIPENV := python3 -m pipenv
# The virtualenv lives in .venv/ so a fresh clone is self-contained.
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
# pip installs without compiling (below), and pipenv sets PYTHONDONTWRITEBYTECODE=1 for all it runs,
# so main.py and tests/conftest.py turn Python's bytecode cache back on themselves (issue #20).
# The installs (pipenv, npm, apt) are independent: side by side, each one's output kept together
# (issue #20). Only the installs: the tests' own output must stream.
INSTALL = $(MAKE) --no-print-directory --jobs=3 --output-sync=target

.PHONY: deps system-deps synth graph test test-fast bench snapshot-update diff deploy clean outdated drift upgrade-plan cost cost-diff

deps: .venv/.synced node_modules/.installed

# cloud-init validates the VPN server's user data (tests/test_ec2_stack.py). Debian/Ubuntu:
# installed with apt when missing (as root, or via sudo).
system-deps:
	@command -v cloud-init >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 || { echo "install cloud-init (its 'cloud-init schema' command) and retry" >&2; exit 1; }; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends cloud-init; }

.venv/.synced: Pipfile Pipfile.lock
	@$(PIPENV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "pipenv==$(PIPENV_VERSION)"
	# --no-compile: pip would byte-compile all ~1,500 modules of each provider package (most of the
	# install's time); Python compiles the few dozen the app imports on first use instead.
	$(PIPENV) install --dev --deploy --extra-pip-args=--no-compile
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## synth: synthesize every stack of ENV (default production) into cdktf.out/
synth:
	@$(INSTALL) deps
	OFFICELESS_ENV=$(ENV) $(PIPENV) run python main.py

## test: the whole suite (properties, config errors, snapshots, terraform validate, checkov, the
## moto rehearsal beside the rest: scripts/test-all)
# TF_PLUGIN_MIRROR_DIR: taken from the environment, else a provider mirror found on disk,
# else empty (terraform then installs providers from the registry).
test:
	@$(INSTALL) deps system-deps
	TF_PLUGIN_MIRROR_DIR="$${TF_PLUGIN_MIRROR_DIR-$$(scripts/find-provider-mirror)}" $(PIPENV) run scripts/test-all

## test-fast: the contributor's loop: everything but the tests marked slow (the moto rehearsal and
## the plain-import equivalence check), one pytest-xdist worker per core, each file on one worker
## (its session fixtures run once); CI runs `make test`
test-fast:
	@$(INSTALL) deps system-deps
	TF_PLUGIN_MIRROR_DIR="$${TF_PLUGIN_MIRROR_DIR-$$(scripts/find-provider-mirror)}" $(PIPENV) run python -m pytest -m "not slow" -n auto --dist loadfile

## graph: deploy order and Mermaid diagram of the stacks of ENV (synthesizes first)
graph: synth
	$(PIPENV) run python -m officeless.graph
	$(PIPENV) run python -m officeless.graph --mermaid

## outdated: every pin of every environment against the version table, with its support status
## today; exits 1 when one is past standard support (ENV=... for one environment)
outdated:
	@$(INSTALL) deps
	$(PIPENV) run python -m officeless.outdated $(if $(filter command line,$(origin ENV)),--env $(ENV))

## upgrade-plan: the steps from ENV's Kubernetes minor to the nearest one in standard support (or to
## TO=<minor>), one minor at a time, with what must change before each (read-only)
upgrade-plan:
	@$(INSTALL) deps
	$(PIPENV) run python -m officeless.upgrade_plan --env $(ENV) $(if $(TO),--to $(TO))

## drift: a read-only plan (terraform plan -refresh-only, no lock) of every stack of ENV initialised here,
## in deploy order: which drifted and which resources; exits 2 on drift (synthesizes first)
drift: synth
	$(PIPENV) run python -m officeless.drift

## cost: ENV's monthly on-demand estimate per stack and in total, from its synthesized JSON and the
## price table officeless/prices.py, usage priced from stated assumptions (JSON=1: machine-readable;
## ASSUME="nat_gb=500 s3_gb=200" to change them)
COST_FLAGS = $(if $(JSON),--json) $(foreach a,$(ASSUME),--assume $(a))
cost: synth
	$(PIPENV) run python -m officeless.cost $(COST_FLAGS)

## cost-diff: what ENV costs now against git BASE, e.g. `make cost-diff BASE=origin/main ENV=dev`
## (BASE synthesized in a temporary worktree, both priced with today's table)
cost-diff: synth
	@test -n "$(BASE)" || { echo "usage: make cost-diff BASE=<git ref> [ENV=<environment>]" >&2; exit 2; }
	$(PIPENV) run python -m officeless.cost --base $(BASE) --env $(ENV) $(COST_FLAGS)

## bench: fast vs plain provider import, full synth of every environment (ENV=... for one);
## exits 1 past the budgets (fast median <= 5 s, fast/plain <= 0.3)
bench:
	@$(INSTALL) deps
	$(PIPENV) run python bench/synth.py $(if $(filter command line,$(origin ENV)),--env $(ENV))

## snapshot-update: rewrite tests/__snapshots__ after an intended change (review the diff!)
snapshot-update:
	@$(INSTALL) deps
	$(PIPENV) run python -m pytest tests/test_snapshots.py --snapshot-update

## diff / deploy: cdktf diff|deploy STACK for ENV, e.g. `make diff ENV=dev STACK=01-vpc`
## (CDKTF_FLAGS=--skip-provider-lock on machines that cannot reach the Terraform registry)
CDKTF_FLAGS ?=
diff deploy:
	@$(INSTALL) deps
	@test -n "$(STACK)" || { echo "usage: make $@ ENV=<environment> STACK=<stack, e.g. 01-vpc>" >&2; exit 2; }
	OFFICELESS_ENV=$(ENV) npx cdktf $@ $(STACK) $(CDKTF_FLAGS)

clean:
	rm -rf cdktf.out .cdktf.out.*
