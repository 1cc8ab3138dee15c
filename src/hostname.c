/*
 * hostname.c — normalize_hostname() (declared by mountaineer_hosts 1.7):
 * a name already in normal form is answered here, any other by PL/pgSQL.
 *
 * Every host written, and every address written with a dns_name, goes
 * through normalize_hostname(): 12 to 14 µs a call in PL/pgSQL (1.6), nearly
 * always for a name that is already normal.  Such a name — lower-case
 * letters, digits, dots and hyphens only, at most one root dot, 1 to 253
 * characters without it, two labels or more, each 1 to 63 characters that
 * begin and end with a letter or digit, the last not all digits — is
 * returned here, without its root dot.  Every other input (upper case, any
 * other character, anything invalid) goes to normalize_hostname_full(),
 * 1.6's body, which lower-cases it as the database does (lower(), under the
 * call's collation) and refuses with 1.6's messages.  Both give the same
 * answer for every input: lower() leaves a name this accepts as it is.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/regproc.h"

PG_FUNCTION_INFO_V1(mountaineer_normalize_hostname);

/* Whether the len bytes at s are a normal host name (no root dot). */
static bool
hostname_is_normal(const char *s, int len)
{
	int			labels = 0;
	int			lablen = 0;
	bool		digits_only = true;

	if (len < 1 || len > 253)
		return false;
	for (int i = 0; i <= len; i++)
	{
		char		c;

		if (i == len || s[i] == '.')
		{
			/* a label ends: 1 to 63 characters, not ending in a hyphen */
			if (lablen == 0 || lablen > 63 || s[i - 1] == '-')
				return false;
			labels++;
			if (i == len)
				return labels >= 2 && !digits_only;
			lablen = 0;
			digits_only = true;
			continue;
		}
		c = s[i];
		if (c >= 'a' && c <= 'z')
			digits_only = false;
		else if (c == '-')
		{
			if (lablen == 0)
				return false;	/* nor beginning with one */
			digits_only = false;
		}
		else if (c < '0' || c > '9')
			return false;
		lablen++;
	}
	return false;				/* LCOV_EXCL_LINE: the loop returns */
}

/* normalize_hostname(hostname text) returns text: IMMUTABLE STRICT */
Datum
mountaineer_normalize_hostname(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(in);
	int			len = VARSIZE_ANY_EXHDR(in);
	Oid			argtypes[1] = {TEXTOID};
	Oid			full;

	if (len > 0 && s[len - 1] == '.')
		len--;					/* the root's dot is implied */
	if (hostname_is_normal(s, len))
		PG_RETURN_TEXT_P(cstring_to_text_with_len(s, len));

	full = LookupFuncName(stringToQualifiedNameList("mountaineer.normalize_hostname_full"),
						  1, argtypes, false);
	return OidFunctionCall1Coll(full, PG_GET_COLLATION(), PG_GETARG_DATUM(0));
}
