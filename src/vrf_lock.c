/*
 * vrf_lock.c — lock_vrf() and the trigger lock_vrf_of_row() (declared by
 * mountaineer_networks 1.7): the transaction-level lock that serializes
 * allocation and free-space upkeep in one VRF, a row lock (FOR UPDATE) on
 * the VRF's row of mountaineer.vrf_lock, made on first use.
 *
 * Up to 1.7 both were PL/pgSQL, and every address, range and prefix written
 * took the lock again: two PL/pgSQL calls and a locking query a row (6 µs),
 * though the transaction held it after the first.  Here the queries are
 * the same (saved plans), and a VRF this transaction holds (lock_memo.c:
 * taken by no subtransaction since rolled back) is not locked again.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lock_memo.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(mountaineer_lock_vrf);
PG_FUNCTION_INFO_V1(mountaineer_lock_vrf_of_row);

static SPIPlanPtr lock_plan;
static SPIPlanPtr insert_plan;

static SPIPlanPtr
vrf_plan(SPIPlanPtr *plan, const char *query)
{
	if (*plan == NULL)
	{
		Oid			argtypes[1] = {UUIDOID};
		SPIPlanPtr	p = SPI_prepare(query, 1, argtypes);

		if (p == NULL)			/* LCOV_EXCL_BR_LINE: a fixed query on the module's table */
			elog(ERROR, "lock_vrf: cannot prepare %s: %s", query, SPI_result_code_string(SPI_result));	/* LCOV_EXCL_LINE */
		SPI_keepplan(p);
		*plan = p;
	}
	return *plan;
}

/*
 * Takes the lock of VRF vrf (NULL: the global table), as 1.6's lock_vrf()
 * did: lock its row, or make it (the new row is ours until commit: a
 * concurrent maker waits for us, then finds it and locks it).  The queries
 * name the operator's schema: their plans, made once in the session, may
 * run under a SECURITY DEFINER caller.
 */
static void
vrf_lock(Datum vrf, bool isnull)
{
	pg_uuid_t	key;
	Datum		arg;

	memset(&key, 0, sizeof(key));
	if (!isnull)
		memcpy(&key, DatumGetUUIDP(vrf), sizeof(key));
	if (lock_memo_held(LOCK_MEMO_VRF, &key))
		return;
	arg = UUIDPGetDatum(&key);
	if (SPI_connect() != SPI_OK_CONNECT)	/* LCOV_EXCL_BR_LINE */
		elog(ERROR, "SPI_connect failed");	/* LCOV_EXCL_LINE */
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (SPI_execute_plan(vrf_plan(&lock_plan,
									  "SELECT FROM mountaineer.vrf_lock l WHERE l.vrf_key OPERATOR(pg_catalog.=) $1 FOR UPDATE"),
							 &arg, NULL, false, 1) != SPI_OK_SELECT)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "lock_vrf: the lock query failed");	/* LCOV_EXCL_LINE */
		if (SPI_processed > 0)
			break;
		if (SPI_execute_plan(vrf_plan(&insert_plan,
									  "INSERT INTO mountaineer.vrf_lock (vrf_key) VALUES ($1) ON CONFLICT DO NOTHING"),
							 &arg, NULL, false, 0) != SPI_OK_INSERT)	/* LCOV_EXCL_BR_LINE */
			elog(ERROR, "lock_vrf: the insert failed");	/* LCOV_EXCL_LINE */
		if (SPI_processed > 0)
			break;
	}
	SPI_finish();
	lock_memo_add(LOCK_MEMO_VRF, &key);
}

/* lock_vrf(vrf_id uuid) returns void */
Datum
mountaineer_lock_vrf(PG_FUNCTION_ARGS)
{
	vrf_lock(PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0), PG_ARGISNULL(0));
	PG_RETURN_VOID();
}

/*
 * lock_vrf_of_row() returns trigger: BEFORE INSERT OR UPDATE OR DELETE FOR
 * EACH ROW, on a table with a column vrf_id uuid: the lock of the VRF the
 * row leaves (UPDATE, DELETE), then of the one it enters (INSERT, UPDATE).
 */
Datum
mountaineer_lock_vrf_of_row(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	int			att;
	bool		isnull;
	Datum		vrf;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("lock_vrf_of_row() must be called as a BEFORE row trigger")));
	desc = RelationGetDescr(td->tg_relation);
	att = SPI_fnumber(desc, "vrf_id");
	if (att <= 0 || TupleDescAttr(desc, att - 1)->atttypid != UUIDOID)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("lock_vrf_of_row() needs a column vrf_id uuid on \"%s\"",
						RelationGetRelationName(td->tg_relation))));
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		vrf = heap_getattr(td->tg_trigtuple, att, desc, &isnull);
		vrf_lock(vrf, isnull);
	}
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		vrf = heap_getattr(td->tg_trigtuple, att, desc, &isnull);
		vrf_lock(vrf, isnull);
		return PointerGetDatum(td->tg_trigtuple);
	}
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		vrf = heap_getattr(td->tg_newtuple, att, desc, &isnull);
		vrf_lock(vrf, isnull);
		return PointerGetDatum(td->tg_newtuple);
	}
	return PointerGetDatum(td->tg_trigtuple);	/* DELETE: OLD */
}
