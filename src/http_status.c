/*
 * http_status.c — the HTTP status of a refusal met through the REST API.
 *
 * PostgREST turns an error's SQLSTATE into an HTTP status with a fixed table
 * of its own, in which a few of the codes Mountaineer refuses with land on a
 * status no REST client expects: P0002 (no such rack, port, prefix) on 500,
 * 23P01 (two devices in one rack unit) on 400, 55000 and 53000 (a prefix
 * that may not or cannot give an address) on 500 and 503, and a write on a
 * hot standby on 400.  PostgREST also lets the database choose the status:
 * an error with SQLSTATE PGRST whose
 * message is the JSON body and whose detail names the status.  So, in the
 * sessions of a role whose mountaineer.http_status is on (tools/api.sh sets
 * it, with this library in session_preload_libraries, for the role
 * PostgREST logs in as), an error with one of those codes is reported that
 * way as it leaves the server: the body still carries the original
 * SQLSTATE, message, detail and hint.  Every other error, and every error
 * in any other session, is left exactly as it was.
 */
#include "postgres.h"

#include "access/xlog.h"
#include "lib/stringinfo.h"
#include "utils/guc.h"
#include "utils/json.h"

#include "http_status.h"

static emit_log_hook_type previous_emit_log_hook = NULL;
static bool http_status_enabled = false;

/* The HTTP status for the errors whose PostgREST status is wrong, else 0. */
static int
status_of(const ErrorData *edata)
{
	/*
	 * On a hot standby PostgREST's write transactions start READ WRITE, which
	 * the transaction_read_only check refuses with 0A000 (PostgREST: 400):
	 * a write this server cannot take, as 25006 is (405).
	 */
	if (edata->sqlerrcode == ERRCODE_FEATURE_NOT_SUPPORTED && RecoveryInProgress() &&
		edata->funcname && strcmp(edata->funcname, "call_bool_check_hook") == 0)
		return 405;
	switch (edata->sqlerrcode)
	{
		case ERRCODE_NO_DATA_FOUND:
			return 404;
		case ERRCODE_EXCLUSION_VIOLATION:
		case ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE:
		case ERRCODE_INSUFFICIENT_RESOURCES:
			return 409;
		default:
			return 0;
	}
}

static void
json_member(StringInfo buf, const char *key, const char *value, bool last)
{
	escape_json(buf, key);
	appendStringInfoChar(buf, ':');
	if (value)
		escape_json(buf, value);
	else
		appendStringInfoString(buf, "null");
	if (!last)
		appendStringInfoChar(buf, ',');
}

static void
report_for_postgrest(ErrorData *edata)
{
	int			status;

	/* (an ERROR of a backend always goes to its client) */
	if (!http_status_enabled || edata->elevel < ERROR)
		return;
	status = status_of(edata);
	if (status == 0)
		return;

	{
		StringInfoData body;
		StringInfoData detail;

		initStringInfo(&body);
		appendStringInfoChar(&body, '{');
		json_member(&body, "code", unpack_sql_state(edata->sqlerrcode), false);
		json_member(&body, "message", edata->message, false);
		json_member(&body, "details", edata->detail, false);
		json_member(&body, "hint", edata->hint, true);
		appendStringInfoChar(&body, '}');

		initStringInfo(&detail);
		appendStringInfo(&detail, "{\"status\":%d,\"headers\":{}}", status);

		edata->sqlerrcode = MAKE_SQLSTATE('P', 'G', 'R', 'S', 'T');
		edata->message = body.data;
		edata->detail = detail.data;
		edata->hint = NULL;
	}
}

static void
http_status_emit_log(ErrorData *edata)
{
	report_for_postgrest(edata);
	if (previous_emit_log_hook)	/* LCOV_EXCL_BR_LINE: no other library here hooks it */
		previous_emit_log_hook(edata);	/* LCOV_EXCL_LINE */
}

void
http_status_init(void)
{
	DefineCustomBoolVariable("mountaineer.http_status",
							 "Reports refusals in the form PostgREST turns into their HTTP status.",
							 "On for the role PostgREST logs in as (tools/api.sh); off everywhere else.",
							 &http_status_enabled, false, PGC_SUSET, 0, NULL, NULL, NULL);
	previous_emit_log_hook = emit_log_hook;
	emit_log_hook = http_status_emit_log;
}
