# Mountaineer: the core extension (C library + SQL) at the top, one folder per
# module extension under modules/.  `make demo` and `make test` set up
# everything from a fresh clone; see README.md.

# The one list to extend when adding a module (order = dependency order).
MOUNTAINEER_MODULES = hardware hosts networks ec2 k8s dns vault salt netbox

PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config

EXTENSION   = mountaineer
MODULE_big  = mountaineer
OBJS        = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA        = $(sort $(wildcard scripts/mountaineer--*.sql))
REGRESS     = $(basename $(notdir $(sort $(wildcard sql/*.sql))))
PG_CFLAGS   = -Wall -Wextra
# PostgreSQL's own headers are not -Wextra clean; read them as system headers
# so that every warning shown is about our code.
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)
REGRESS_OPTS = --load-extension=mountaineer
# Isolation specs (pg_isolation_regress) run after the pg_regress cases, in
# a database of their own made with the core, as in modules/module.mk.
ISOLATION   = $(basename $(notdir $(sort $(wildcard specs/*.spec))))
ISOLATION_OPTS = --load-extension=mountaineer
EXTRA_CLEAN = results regression.diffs regression.out

# PGXS is absent on a fresh machine until `make deps` has run; the top-level
# targets below install it first and then call make again.
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
endif
# PGXS appends --dbname=$(ISOLATION_TESTDB) to ISOLATION_OPTS; name it ours.
ISOLATION_TESTDB = mt_isolation_core

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PG_CONFIG MOUNTAINEER_MODULES

.PHONY: deps build install-all test demo demo-stop api bench valgrind fuzz coverage clean-all

deps:
	@tools/deps.sh

build: deps
	@$(MAKE) --no-print-directory all
	@for m in $(MOUNTAINEER_MODULES); do $(MAKE) --no-print-directory -C modules/$$m all || exit 1; done

install-all: build
	@echo "== installing the extensions into $$($(PG_CONFIG) --sharedir)/extension$(if $(SUDO), (with sudo))"
	@$(SUDO) $(MAKE) --no-print-directory -s install PG_CONFIG=$(PG_CONFIG)
	@for m in $(MOUNTAINEER_MODULES); do $(SUDO) $(MAKE) --no-print-directory -s -C modules/$$m install PG_CONFIG=$(PG_CONFIG) || exit 1; done

test: install-all
	@tools/test.sh

demo: install-all
	@tools/demo.sh

demo-stop:
	@tools/ui.sh stop demo
	@tools/api.sh stop demo-ui
	@tools/api.sh stop demo
	@tools/pdns.sh stop demo
	@tools/pg.sh stop demo

# the REST API of the demo (made first if there is none), port API_PORT (3000)
api: install-all
	@tools/demo.sh --api

bench: install-all
	@tools/bench.sh

valgrind: install-all
	@tools/valgrind.sh

fuzz: install-all
	@tools/fuzz.sh

# builds its own instrumented copy; the installed library stays as it is
coverage: deps
	@tools/coverage.sh

clean-all:
	@$(MAKE) --no-print-directory clean
	@for m in $(MOUNTAINEER_MODULES); do $(MAKE) --no-print-directory -C modules/$$m clean; done
