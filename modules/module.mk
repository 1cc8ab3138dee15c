# Shared build for a module extension: modules/NAME holds
# mountaineer_NAME.control, scripts/mountaineer_NAME--*.sql, sql/ + expected/
# (pg_regress), specs/ + expected/ (isolation specs, pg_isolation_regress),
# test/ (pgTAP) and demo/.  A module's Makefile is just
#     include ../module.mk
# The extension is named by its control file, not by $(CURDIR): make splits
# a path with spaces into words.
EXTENSION  := $(basename $(wildcard mountaineer_*.control))
MODULE_NAME := $(patsubst mountaineer_%,%,$(EXTENSION))
DATA        = $(sort $(wildcard scripts/$(EXTENSION)--*.sql))
REGRESS     = $(basename $(notdir $(sort $(wildcard sql/*.sql))))
# pg_regress cannot CREATE EXTENSION ... CASCADE, so the database is made
# here with everything the module requires, and pg_regress reuses it.
REGRESS_DB  = mt_regress_$(MODULE_NAME)
REGRESS_OPTS = --use-existing
# Isolation specs run in the same database, after the pg_regress cases; each
# makes the rows it needs in its setup and removes them in its teardown.
ISOLATION  := $(basename $(notdir $(sort $(wildcard specs/*.spec))))
ISOLATION_OPTS = --use-existing
EXTRA_CLEAN = results regression.diffs regression.out output_iso

PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
endif
# pg_regress keeps only the last --dbname, and PGXS appends its own; point
# that one at our database instead.
CONTRIB_TESTDB = $(REGRESS_DB)
ISOLATION_TESTDB = $(REGRESS_DB)

.PHONY: regress-db
installcheck: regress-db
regress-db:
	@psql -X -q -d postgres -c 'SET client_min_messages = warning' -c 'DROP DATABASE IF EXISTS $(REGRESS_DB)' -c 'CREATE DATABASE $(REGRESS_DB)'
	@psql -X -q -v ON_ERROR_STOP=1 -d $(REGRESS_DB) -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION $(EXTENSION) CASCADE'
