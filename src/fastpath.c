/*
 * fastpath.c — what the C fast paths of PL/pgSQL trigger functions share.
 *
 * A fast path (referenced.c, cable.c, address.c, host.c) answers in C the
 * rows its rule lets through, and hands every other row to the PL/pgSQL it
 * stands in for, which raises the rule's own refusal: mt_run_trigger_as()
 * runs that function as the very same trigger call (it reads TG_* and NEW
 * and OLD from the caller's trigger data).  What a fast path knows of the
 * module's tables it learns once per backend and forgets on invalidation:
 * mt_learn_stable() learns it so that an invalidation processed meanwhile
 * is not lost.  mt_before_write_row() checks the call of a BEFORE INSERT OR
 * UPDATE row trigger.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "storage/sinval.h"
#include "utils/inval.h"
#include "utils/regproc.h"

#include "fastpath.h"

/*
 * Runs the trigger function mountaineer.name() (no arguments) as this very
 * trigger call: what it returns (the row, or a null pointer).
 */
Datum
mt_run_trigger_as(FunctionCallInfo fcinfo, const char *name)
{
	Oid			fn = LookupFuncName(stringToQualifiedNameList(psprintf("mountaineer.%s", name)), 0, NULL, false);
	FmgrInfo	flinfo;
	FunctionCallInfo rfcinfo = palloc0(SizeForFunctionCallInfo(0));
	Datum		result;

	fmgr_info(fn, &flinfo);
	InitFunctionCallInfoData(*rfcinfo, &flinfo, 0, InvalidOid, fcinfo->context, NULL);
	result = FunctionCallInvoke(rfcinfo);	/* a trigger function's result is never null */
	pfree(rfcinfo);
	return result;
}

/*
 * Fills *meta (size bytes) by learn_once.  An invalidation processed while
 * it looks things up (any lookup that takes a lock may process one) can
 * describe a change its answers predate, and the caller's invalidation
 * callback may already have run for it: so, as PostgreSQL does where it
 * caches catalog answers (RelationBuildPartitionDesc,
 * RangeVarGetRelidExtended), look everything up, accept pending
 * invalidations, and start over if any message was processed meanwhile.
 * The caller marks *meta valid after, and its callback marks it invalid.
 */
void
mt_learn_stable(void (*learn_once) (void *out), void *meta, Size size)
{
	void	   *learnt = palloc(size);

	for (;;)
	{
		uint64		inval_count = SharedInvalidMessageCounter;

		learn_once(learnt);
		AcceptInvalidationMessages();
		if (inval_count == SharedInvalidMessageCounter)
			break;
		CHECK_FOR_INTERRUPTS();
	}
	memcpy(meta, learnt, size);
	pfree(learnt);
}

/*
 * Refuses (39P01) a call of the trigger function name() that is not a
 * BEFORE INSERT OR UPDATE row trigger's; gives the row written (NEW) and,
 * on an UPDATE, the row it replaces (OLD; else NULL).
 */
void
mt_before_write_row(FunctionCallInfo fcinfo, const char *name, HeapTuple *newtup, HeapTuple *oldtup)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(td->tg_event) || TRIGGER_FIRED_BY_UPDATE(td->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be called as a BEFORE INSERT OR UPDATE row trigger", name)));
	*newtup = td->tg_trigtuple;
	*oldtup = NULL;
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		*oldtup = td->tg_trigtuple;
		*newtup = td->tg_newtuple;
	}
}
