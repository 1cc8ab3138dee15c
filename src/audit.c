/*
 * audit.c — who really made a change.
 *
 * mountaineer.actor() is what a client claims (a JWT's "sub", the setting
 * mountaineer.actor): any client can set either.  The change log therefore
 * also records what no client can set: the login that authenticated
 * (session_user) and the role whose privileges made the change.  The latter
 * is the role in effect outside any SECURITY DEFINER function (the change
 * log's trigger is one, so current_user inside it is the extension's owner):
 * the login itself, or the role it switched to with SET ROLE, as PostgREST
 * does for each request.
 *
 * (1.7) actor() is C: every change logged asks for it, and as PL/pgSQL with
 * its SET search_path it cost 3 to 5 µs a statement.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"

PG_FUNCTION_INFO_V1(mountaineer_acting_role);
PG_FUNCTION_INFO_V1(mountaineer_actor);

/* acting_role() returns text */
Datum
mountaineer_acting_role(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(GetUserNameFromId(GetOuterUserId(), false)));
}

/*
 * actor() returns text: the "sub" claim of request.jwt.claims (as
 * claims::jsonb ->> 'sub': malformed claims are refused as that cast
 * refuses them), unless empty or absent; else the setting
 * mountaineer.actor, unless empty or unset; else session_user.
 */
Datum
mountaineer_actor(PG_FUNCTION_ARGS)
{
	const char *claims = GetConfigOption("request.jwt.claims", true, false);
	const char *setting;

	if (claims != NULL && claims[0] != '\0')
	{
		FunctionCallInfo field = palloc0(SizeForFunctionCallInfo(2));
		Datum		sub;

		InitFunctionCallInfoData(*field, NULL, 2, InvalidOid, NULL, NULL);
		field->args[0].value = DirectFunctionCall1(jsonb_in, CStringGetDatum(claims));
		field->args[0].isnull = false;
		field->args[1].value = CStringGetTextDatum("sub");
		field->args[1].isnull = false;
		sub = jsonb_object_field_text(field);
		if (!field->isnull && VARSIZE_ANY_EXHDR(DatumGetTextPP(sub)) > 0)
			PG_RETURN_DATUM(sub);
	}
	setting = GetConfigOption("mountaineer.actor", true, false);
	if (setting != NULL && setting[0] != '\0')
		PG_RETURN_TEXT_P(cstring_to_text(setting));
	PG_RETURN_TEXT_P(cstring_to_text(GetUserNameFromId(GetSessionUserId(), false)));
}
