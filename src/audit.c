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
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(mountaineer_acting_role);

/* acting_role() returns text */
Datum
mountaineer_acting_role(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(GetUserNameFromId(GetOuterUserId(), false)));
}
