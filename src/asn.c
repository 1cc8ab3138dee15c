/*
 * asn.c — the as_number type: an autonomous system number.
 *
 * Stored as an int8 (the same bytes, so it is binary-coercible to bigint and
 * indexes, compares and sorts with bigint's operators), 0 to 4294967295 (32
 * bits, RFC 6793).  Input is asplain ("4200000001") or asdot ("64086.59905",
 * high and low 16 bits; RFC 5396), with surrounding blanks allowed; output
 * is always asplain.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"

#include "excerpt.h"

#define AS_NUMBER_MAX UINT64CONST(4294967295)

PG_FUNCTION_INFO_V1(mountaineer_as_number_in);
PG_FUNCTION_INFO_V1(mountaineer_as_number_out);
PG_FUNCTION_INFO_V1(mountaineer_as_number_recv);
PG_FUNCTION_INFO_V1(mountaineer_as_number_send);
PG_FUNCTION_INFO_V1(mountaineer_as_number_from_bigint);

/*
 * Reads a run of decimal digits at *p no greater than max; false when there
 * is none, it is too large, or it has a leading zero (as "01" would be
 * read differently by different tools).
 */
static bool
read_decimal(const char **p, uint64 max, uint64 *out)
{
	const char *s = *p;
	uint64		v = 0;

	if (*s < '0' || *s > '9')
		return false;
	if (*s == '0' && s[1] >= '0' && s[1] <= '9')
		return false;
	while (*s >= '0' && *s <= '9')
	{
		v = v * 10 + (uint64) (*s - '0');
		if (v > max)
			return false;
		s++;
	}
	*p = s;
	*out = v;
	return true;
}

static void
refuse(const char *input, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type as_number: %s", mt_excerpt(input, (int) strlen(input))),
			 errdetail("%s", why),
			 errhint("An AS number is asplain (0 to 4294967295, e.g. 4200000001) or asdot (two numbers 0 to 65535, e.g. 64086.59905).")));
}

/* as_number_in(cstring) */
Datum
mountaineer_as_number_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	const char *p = input;
	uint64		high,
				low;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!read_decimal(&p, AS_NUMBER_MAX, &high))
		refuse(input, "It does not start with a number 0 to 4294967295 without leading zeros.");
	if (*p == '.')
	{
		p++;
		if (high > 65535 || !read_decimal(&p, 65535, &low))
			refuse(input, "Both halves of an asdot number are 0 to 65535.");
		high = high * 65536 + low;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '\0')
		refuse(input, "Something other than blanks follows the number.");
	PG_RETURN_INT64((int64) high);
}

/* as_number_out(as_number): asplain */
Datum
mountaineer_as_number_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(psprintf(INT64_FORMAT, PG_GETARG_INT64(0)));
}

static int64
checked(int64 v)
{
	if (v < 0 || (uint64) v > AS_NUMBER_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("AS number " INT64_FORMAT " is out of range", v),
				 errhint("An AS number is 0 to 4294967295.")));
	return v;
}

/* as_number_recv(internal): an int8, checked */
Datum
mountaineer_as_number_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);

	PG_RETURN_INT64(checked(pq_getmsgint64(buf)));
}

/* as_number_send(as_number): an int8 */
Datum
mountaineer_as_number_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, PG_GETARG_INT64(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* as_number(bigint): the cast from bigint, checked */
Datum
mountaineer_as_number_from_bigint(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(checked(PG_GETARG_INT64(0)));
}
