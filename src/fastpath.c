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
 * is not lost.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "storage/sinval.h"
#include "utils/inval.h"
#include "utils/regproc.h"

#include "fastpath.h"

/*
 * Runs the trigger function mountaineer.name() (no arguments) as this very
 * trigger call: what it returns (NULL for an AFTER trigger's NULL).
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
	result = FunctionCallInvoke(rfcinfo);
	if (rfcinfo->isnull)
		result = PointerGetDatum(NULL);
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
