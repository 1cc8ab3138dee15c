/*
 * attributes.c — whether an inserted row without tags and attributes needs
 * its attribute check at all.
 *
 * attributes_check() (the BEFORE INSERT row trigger of every inventory
 * table) queries mountaineer.attribute_definition for each row, to fill in
 * defaults and refuse a missing required key.  For a row with no tags and
 * no attributes that query is the whole work, and on a table with no
 * required or defaulted definition it finds nothing: one query per row
 * (about 15 µs) for nothing.  insert_needs_attributes(tbl), called in the
 * trigger's WHEN clause, answers that question once per backend and table
 * and caches the answer.
 *
 * The cache is dropped when attribute_definition changes: its statement
 * trigger attribute_definitions_changed() sends a relcache invalidation of
 * attribute_definition, which this backend processes at the next command
 * (or on abort) and every other backend at its next lock of a table.  A
 * writer of a table cannot miss a committed change that matters: a
 * definition is applied under a SHARE lock of its table, so the writer's
 * RowExclusiveLock is taken after that commit, and taking it processes the
 * invalidation.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(mountaineer_insert_needs_attributes);
PG_FUNCTION_INFO_V1(mountaineer_attribute_definitions_changed);

typedef struct
{
	Oid			tbl;			/* hash key */
	bool		needs;
} NeedsEntry;

static HTAB *needs_cache = NULL;
static Oid	definitions_relid = InvalidOid;
static bool callback_registered = false;
static uint64 invalidations = 0;	/* counts resets, to spot one during a fill */

/*
 * Relcache invalidation: attribute_definition's (or all) drops the cache; a
 * table's own (dropped, altered) drops its answer, so a reused OID starts
 * afresh.
 */
static void
needs_cache_reset(Datum arg pg_attribute_unused(), Oid relid)
{
	if (relid == InvalidOid || relid == definitions_relid)
	{
		invalidations++;
		if (needs_cache != NULL)
			hash_destroy(needs_cache);
		needs_cache = NULL;
	}
	else if (needs_cache != NULL)
		hash_search(needs_cache, &relid, HASH_REMOVE, NULL);
}

/* insert_needs_attributes(tbl regclass) returns boolean */
Datum
mountaineer_insert_needs_attributes(PG_FUNCTION_ARGS)
{
	Oid			tbl = PG_GETARG_OID(0);
	Oid			nsp;
	char	   *relname;
	NeedsEntry *e;
	bool		found;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	bool		isnull;
	uint64		before;

	/* the row trigger's case: answered before */
	if (needs_cache != NULL)
	{
		e = hash_search(needs_cache, &tbl, HASH_FIND, NULL);
		if (e != NULL)
			PG_RETURN_BOOL(e->needs);
	}

	relname = get_rel_name(tbl);
	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", tbl)));
	/* attribute_definition.table_name names tables of schema mountaineer */
	nsp = get_namespace_oid("mountaineer", false);
	if (get_rel_namespace(tbl) != nsp)
		PG_RETURN_BOOL(false);

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(needs_cache_reset, (Datum) 0);
		callback_registered = true;
	}
	definitions_relid = get_relname_relid("attribute_definition", nsp);
	if (!OidIsValid(definitions_relid))	/* LCOV_EXCL_BR_LINE: the core makes it */
		elog(ERROR, "mountaineer.attribute_definition does not exist");	/* LCOV_EXCL_LINE */

	/*
	 * What is committed now (and this transaction's own changes), not what
	 * the statement's snapshot saw: the answer is kept for later statements
	 * and transactions.  An invalidation processed from here on (the query
	 * takes locks) may concern a commit the snapshot missed: the answer is
	 * then used but not kept.
	 */
	before = invalidations;
	PushActiveSnapshot(GetLatestSnapshot());
	/* every name qualified: the caller's search_path is not ours */
	args[0] = CStringGetTextDatum(relname);
	if (SPI_connect() != SPI_OK_CONNECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "SPI_connect failed");	/* LCOV_EXCL_LINE */
	if (SPI_execute_with_args("SELECT EXISTS (SELECT FROM mountaineer.attribute_definition d"
							  " WHERE d.table_name OPERATOR(pg_catalog.=) $1"
							  " AND (d.required OR d.default_value IS NOT NULL))",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)		/* LCOV_EXCL_BR_LINE: EXISTS is one row */
		elog(ERROR, "insert_needs_attributes: query failed");	/* LCOV_EXCL_LINE */
	found = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	PopActiveSnapshot();
	if (invalidations != before)
		PG_RETURN_BOOL(found);

	if (needs_cache == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(NeedsEntry);
		ctl.hcxt = CacheMemoryContext;
		needs_cache = hash_create("mountaineer insert_needs_attributes", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	e = hash_search(needs_cache, &tbl, HASH_ENTER, NULL);
	e->needs = found;
	PG_RETURN_BOOL(found);
}

/*
 * attribute_definitions_changed(): AFTER INSERT OR UPDATE OR DELETE OR
 * TRUNCATE statement trigger on attribute_definition (restores included).
 */
Datum
mountaineer_attribute_definitions_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("attribute_definitions_changed() must be called as a statement trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	return PointerGetDatum(NULL);
}
