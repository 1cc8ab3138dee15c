/*
 * changes.c — jsonb_changes(old jsonb, new jsonb, OUT before jsonb, OUT
 * after jsonb): what an update changed, as log_update() records it.
 *
 * Up to 1.7 log_update() found each updated row's changed columns in SQL:
 * jsonb_each() of the old row, then two jsonb_object_agg() of the keys whose
 * new value IS DISTINCT FROM the old, about 5 µs a row.  This is the same
 * computation in one pass: for every key of the old object whose value the
 * new object lacks or holds a different value for (jsonb equality: as the
 * = operator compares, numbers by value), before gets the old value and
 * after the new one (JSON null when the new object lacks the key).  Keys
 * only the new object has are left out, as jsonb_each() of the old row
 * leaves them.  Nothing changed: both NULL (an aggregate over no rows).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "changes.h"

PG_FUNCTION_INFO_V1(mountaineer_jsonb_changes);

/* Whether two values of an object (nested ones unread: jbvBinary) are equal jsonb. */
static bool
changes_equal(const JsonbValue *x, const JsonbValue *y)
{
	if (x->type != y->type)
		return false;
	switch (x->type)
	{
		case jbvNull:
			return true;
		case jbvBool:
			return x->val.boolean == y->val.boolean;
		case jbvString:
			return x->val.string.len == y->val.string.len &&
				memcmp(x->val.string.val, y->val.string.val, x->val.string.len) == 0;
		case jbvNumeric:
			return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(x->val.numeric),
													 NumericGetDatum(y->val.numeric))) == 0;
		case jbvBinary:
			return compareJsonbContainers(x->val.binary.data, y->val.binary.data) == 0;
		default:				/* LCOV_EXCL_LINE: an iterator's values are of the kinds above */
			elog(ERROR, "jsonb_changes: unexpected jsonb value type %d", (int) x->type);	/* LCOV_EXCL_LINE */
	}
	return false;				/* keep the compiler quiet */
}

static void
changes_check_object(Jsonb *j, const char *which)
{
	if (!JB_ROOT_IS_OBJECT(j))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("jsonb_changes: the %s row is not a JSON object", which)));
}

/*
 * What an update of old to new changed: false when nothing; else *before
 * and *after (see the head comment).  log_update() (change_log.c) calls it
 * too.
 */
bool
jsonb_changes_of(Jsonb *old, Jsonb *new, Jsonb **before_out, Jsonb **after_out)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	key,
				v;
	JsonbParseState *before = NULL,
			   *after = NULL;

	changes_check_object(old, "old");
	changes_check_object(new, "new");

	key.type = jbvNull;			/* an object's values each follow their key */
	it = JsonbIteratorInit(&old->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		JsonbValue *found;
		JsonbValue	null_value;

		CHECK_FOR_INTERRUPTS();
		if (tok == WJB_KEY)
		{
			key = v;
			continue;
		}
		if (tok != WJB_VALUE || key.type != jbvString)	/* LCOV_EXCL_BR_LINE: a value follows its key */
			continue;			/* the object's begin and end */
		found = getKeyJsonValueFromContainer(&new->root, key.val.string.val, key.val.string.len, NULL);
		if (found != NULL && changes_equal(&v, found))
			continue;
		if (before == NULL)
		{
			(void) pushJsonbValue(&before, WJB_BEGIN_OBJECT, NULL);
			(void) pushJsonbValue(&after, WJB_BEGIN_OBJECT, NULL);
		}
		(void) pushJsonbValue(&before, WJB_KEY, &key);
		(void) pushJsonbValue(&before, WJB_VALUE, &v);
		(void) pushJsonbValue(&after, WJB_KEY, &key);
		if (found == NULL)
		{
			null_value.type = jbvNull;
			found = &null_value;
		}
		(void) pushJsonbValue(&after, WJB_VALUE, found);
	}
	if (before == NULL)
		return false;
	*before_out = JsonbValueToJsonb(pushJsonbValue(&before, WJB_END_OBJECT, NULL));
	*after_out = JsonbValueToJsonb(pushJsonbValue(&after, WJB_END_OBJECT, NULL));
	return true;
}

Datum
mountaineer_jsonb_changes(PG_FUNCTION_ARGS)
{
	Jsonb	   *old = PG_GETARG_JSONB_P(0);
	Jsonb	   *new = PG_GETARG_JSONB_P(1);
	TupleDesc	desc;
	Jsonb	   *before,
			   *after;
	Datum		values[2];
	bool		nulls[2] = {true, true};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)	/* LCOV_EXCL_BR_LINE: declared with two OUT columns */
		elog(ERROR, "jsonb_changes: must return a record");	/* LCOV_EXCL_LINE */
	if (jsonb_changes_of(old, new, &before, &after))
	{
		values[0] = JsonbPGetDatum(before);
		values[1] = JsonbPGetDatum(after);
		nulls[0] = nulls[1] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
