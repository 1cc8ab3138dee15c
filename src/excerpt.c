/*
 * excerpt.c — how an error message quotes what a client typed.
 *
 * A message that echoes its input whole lets a megabyte of input become a
 * megabyte of log and of reply.  Every message that quotes input quotes it
 * through mt_excerpt() (C) or mountaineer.excerpt() (SQL), which keep the
 * first EXCERPT_CHARS characters and say how long the input was:
 *     "abc"                                   (short: as is)
 *     "AAAA...AAAA..." (1000000 characters)   (long: its first 64, then ...)
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "excerpt.h"

PG_FUNCTION_INFO_V1(mountaineer_excerpt);

/* The quoted excerpt of len bytes at s (server encoding), palloc'd. */
char *
mt_excerpt(const char *s, int len)
{
	StringInfoData buf;
	int			nchars = pg_mbstrlen_with_len(s, len);

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '"');
	if (nchars <= EXCERPT_CHARS)
		appendBinaryStringInfo(&buf, s, len);
	else
	{
		appendBinaryStringInfo(&buf, s, pg_mbcharcliplen(s, len, EXCERPT_CHARS));
		appendStringInfo(&buf, "...\" (%d characters)", nchars);
		return buf.data;
	}
	appendStringInfoChar(&buf, '"');
	return buf.data;
}

/* excerpt(text) returns text */
Datum
mountaineer_excerpt(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_TEXT_P(cstring_to_text(mt_excerpt(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t))));
}
