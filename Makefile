# The two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/sh
PYTHON_BIN := $(shell PYTHON="$(PYTHON)" scripts/find-python)
VENV := .venv
VPY := $(VENV)/bin/python
DEV_ENV := DEBUG=1

.PHONY: run test venv venv-dev migrate demo lint typecheck format bench drills clean check-python messages

check-python:
	@test -n "$(PYTHON_BIN)" || { echo "make: no Python 3.12+ found (see the message above)."; exit 1; }

$(VPY): | check-python
	"$(PYTHON_BIN)" -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip

# The locks (every package, transitively, as the suite last passed; scripts/lock-requirements.py)
# are what is installed, so a fresh clone gets exactly what was tested.
$(VENV)/.installed: requirements.txt requirements.lock | $(VPY)
	$(VPY) -m pip install --quiet -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt requirements-dev.lock | $(VPY)
	$(VPY) -m pip install --quiet -r requirements-dev.lock
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

## make run: set up, load the demo story, print a demo login, serve on :8000 with a worker and beat.
run: venv
	@scripts/ensure-sharing-tools fonts
	$(DEV_ENV) $(VPY) manage.py migrate --noinput
	$(DEV_ENV) $(VPY) manage.py loaddemo
	$(DEV_ENV) $(VPY) manage.py create_editor editor --role senior --staff --reset-password
	@echo "Open http://127.0.0.1:8000/ and log in with the account above. Ctrl-C stops everything."
	$(DEV_ENV) $(VPY) scripts/rundev.py

## make test: install what the tests need and run the whole suite (browser tests included).
test: venv-dev
	@scripts/ensure-chromium
	@scripts/ensure-sharing-tools
	@scripts/ensure-gettext
	$(VPY) -m pytest $(PYTEST_ARGS)

lint: venv-dev typecheck
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .

## make typecheck: mypy with django-stubs on services, selectors, the checker and the views (pyproject.toml).
typecheck: venv-dev
	SECRET_KEY=typecheck-only $(VPY) -m mypy

## make messages: the translation catalogue (locale/) brought up to date with the source and compiled (docs/languages.md).
messages: venv-dev
	@scripts/ensure-gettext
	$(DEV_ENV) $(VPY) manage.py updatemessages

format: venv-dev
	$(VPY) -m ruff format .
	$(VPY) -m ruff check --fix .

## make drills: the checker under real faults (own Redis :6391 and PostgreSQL :5441, worker, beat,
## gunicorn); one line per drill. DRILL_CHECKS=40 DRILL_OUTAGE_SECONDS=20 for the short version.
drills: venv-dev
	$(VPY) scripts/drills.py

## make bench: every page and the checker against a trivial view, served as in production (docs/performance.md).
## SIZES="2000 100000" for the large size, QUICK=1 for a smoke run, ONLY=home,search for some groups,
## REPORT=name to write benchmarks/results/name.md instead of latest.md.
bench: venv-dev
	$(VPY) -m benchmarks.run --sizes "$(or $(SIZES),2000)" $(if $(QUICK),--quick) $(if $(ONLY),--only "$(ONLY)") $(if $(REPORT),--report "$(REPORT)")

clean:
	rm -rf $(VENV) var staticfiles test-artifacts .pytest_cache
