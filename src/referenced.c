/*
 * referenced.c — refuse_delete_referenced(), the AFTER DELETE row trigger
 * that refuses to delete a row other rows still refer to, naming them
 * (the foreign key's own trigger, which fires after it, would refuse
 * without saying which).
 *
 * Up to 1.6 it was PL/pgSQL doing everything for every deleted row: a
 * catalogue query for the foreign keys that point at the table, then per
 * key a dynamic query, parsed and planned each time, that counts and names
 * the referring rows: about 190 µs a deleted host, whose DELETE alone costs
 * 26.  Nearly every deleted row has no referring row.  So, per table, this
 * keeps the keys it checks (RESTRICT and NO ACTION, one column, as before),
 * each with a saved plan of "is there a referring row" (one index probe of
 * the referring table, as the foreign key's own check does), and runs those
 * per row.  Only when one finds a row does refuse_delete_referenced_report()
 * (PL/pgSQL: 1.6's body, unchanged) run, to count and name them and raise
 * the same error.
 *
 * A table's keys are dropped from the cache by a relcache invalidation of
 * that table, which adding or dropping a foreign key that points at it
 * sends (its RI triggers are made or dropped on it).  A session deleting
 * from the table holds a lock such DDL conflicts with, taken after that
 * DDL committed, and taking it processed the invalidation.  A stale cache
 * could only lose the message: the foreign key itself still refuses.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"

#include "fastpath.h"

PG_FUNCTION_INFO_V1(mountaineer_refuse_delete_referenced);

typedef struct
{
	Oid			referring;		/* the table the probe reads */
	AttrNumber	refatt;			/* the referenced column, in the deleted row */
	SPIPlanPtr	plan;			/* SELECT FROM <referring table> WHERE <col> = $1 */
} RefProbe;

typedef struct
{
	Oid			tbl;			/* hash key */
	bool		stale;			/* an invalidation came: rebuild before use */
	int			nprobes;
	RefProbe   *probes;			/* in CacheMemoryContext */
} RefEntry;

static HTAB *ref_cache = NULL;
static uint64 ref_invalidations = 0;	/* to spot one during a fill */

/*
 * Relcache invalidation of a table (or of all): the entry of the table, and
 * every entry with a probe reading it, are rebuilt at their next use (a
 * probe's text names the referring table and column, which a rename
 * changes; the plan cache would replan it by those names).  Only marked
 * here: a probe being run may be what processed the invalidation.
 */
static void
ref_cache_invalidate(Datum arg pg_attribute_unused(), Oid relid)
{
	HASH_SEQ_STATUS status;
	RefEntry   *e;

	ref_invalidations++;
	if (ref_cache == NULL)
		return;
	hash_seq_init(&status, ref_cache);
	while ((e = hash_seq_search(&status)) != NULL)
	{
		if (relid == InvalidOid || e->tbl == relid)
			e->stale = true;
		for (int i = 0; i < e->nprobes && !e->stale; i++)
			if (e->probes[i].referring == relid)
				e->stale = true;
	}
}

static void
ref_entry_free(RefEntry *e)
{
	for (int i = 0; i < e->nprobes; i++)
		SPI_freeplan(e->probes[i].plan);
	if (e->probes != NULL)
		pfree(e->probes);
	e->probes = NULL;
	e->nprobes = 0;
}

/*
 * The foreign keys pointing at rel that the trigger checks, each with its
 * saved probe.  Called connected to SPI, under the function's search_path
 * (pg_catalog, pg_temp): the probes are planned, and replanned, under it.
 */
static void
ref_entry_fill(RefEntry *e, Relation rel)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	int			n;
	RefProbe   *probes;

	args[0] = ObjectIdGetDatum(RelationGetRelid(rel));
	if (SPI_execute_with_args("SELECT c.conrelid, a.attname, c.confkey[1]"
							  "  FROM pg_constraint c"
							  "  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
							  " WHERE c.contype = 'f' AND c.confrelid = $1"
							  "   AND c.confdeltype IN ('r', 'a') AND cardinality(c.conkey) = 1",
							  1, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "refuse_delete_referenced: catalogue query failed");	/* LCOV_EXCL_LINE */
	n = (int) SPI_processed;	/* foreign keys pointing at one table */
	probes = n == 0 ? NULL : MemoryContextAllocZero(CacheMemoryContext, sizeof(RefProbe) * n);
	for (int i = 0; i < n; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Oid			referring = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
		char	   *col = SPI_getvalue(tup, desc, 2);
		AttrNumber	refatt = DatumGetInt16(SPI_getbinval(tup, desc, 3, &isnull));
		char	   *relname = get_rel_name(referring);
		Oid			reftype[1];
		char	   *query;

		CHECK_FOR_INTERRUPTS();
		/* dropping it would have waited for this DELETE's lock on rel */
		if (relname == NULL)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "refuse_delete_referenced: relation %u is gone", referring);	/* LCOV_EXCL_LINE */
		reftype[0] = TupleDescAttr(RelationGetDescr(rel), refatt - 1)->atttypid;
		query = psprintf("SELECT FROM %s t WHERE t.%s = $1",
						 quote_qualified_identifier(get_namespace_name(get_rel_namespace(referring)), relname),
						 quote_identifier(col));
		probes[i].referring = referring;
		probes[i].refatt = refatt;
		probes[i].plan = SPI_prepare(query, 1, reftype);
		if (probes[i].plan == NULL)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "refuse_delete_referenced: cannot prepare %s: %s", query, SPI_result_code_string(SPI_result));	/* LCOV_EXCL_LINE */
		SPI_keepplan(probes[i].plan);
		e->nprobes = i + 1;
		e->probes = probes;
	}
	e->nprobes = n;
	e->probes = probes;
}

/* refuse_delete_referenced() returns trigger: AFTER DELETE FOR EACH ROW */
Datum
mountaineer_refuse_delete_referenced(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	Oid			tbl;
	RefEntry   *e;
	bool		found;
	bool		referred = false;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("refuse_delete_referenced() must be called as an AFTER DELETE row trigger")));
	rel = trigdata->tg_relation;
	tbl = RelationGetRelid(rel);

	if (ref_cache == NULL)
	{
		HASHCTL		ctl;

		CacheRegisterRelcacheCallback(ref_cache_invalidate, (Datum) 0);
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(RefEntry);
		ctl.hcxt = CacheMemoryContext;
		ref_cache = hash_create("mountaineer refuse_delete_referenced", 16, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	if (SPI_connect() != SPI_OK_CONNECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "SPI_connect failed");	/* LCOV_EXCL_LINE */

	e = hash_search(ref_cache, &tbl, HASH_ENTER, &found);
	if (!found)
	{
		e->nprobes = 0;
		e->probes = NULL;
		e->stale = true;
	}
	if (e->stale)
	{
		uint64		before = ref_invalidations;

		ref_entry_free(e);
		ref_entry_fill(e, rel);
		/* an invalidation during the fill: use it now, rebuild next time */
		e->stale = ref_invalidations != before;
	}

	for (int i = 0; i < e->nprobes && !referred; i++)
	{
		bool		isnull;
		Datum		key = heap_getattr(trigdata->tg_trigtuple, e->probes[i].refatt,
									   RelationGetDescr(rel), &isnull);

		if (isnull)
			continue;			/* a NULL key refers to nothing */
		if (SPI_execute_plan(e->probes[i].plan, &key, NULL, false, 1) != SPI_OK_SELECT)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "refuse_delete_referenced: probe failed");	/* LCOV_EXCL_LINE */
		referred = SPI_processed > 0;
	}
	SPI_finish();

	if (referred)
		(void) mt_run_trigger_as(fcinfo, "refuse_delete_referenced_report");
	return PointerGetDatum(NULL);
}
