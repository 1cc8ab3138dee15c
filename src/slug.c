/*
 * slug.c — short URL-safe ids.
 *
 * A slug is the 16 bytes of a uuid in base64url (RFC 4648 §5: A-Z a-z 0-9 - _)
 * without padding: 22 characters.  22 × 6 = 132 bits carry 128, so the last
 * character holds the final 2 bits and its 4 low bits must be zero; a slug
 * with them set names no uuid and is refused, which keeps the mapping
 * one-to-one (every uuid has exactly one slug and vice versa).
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/uuid.h"

#include "excerpt.h"

#define SLUG_LEN 22

PG_FUNCTION_INFO_V1(mountaineer_slug);
PG_FUNCTION_INFO_V1(mountaineer_slug_uuid);

static const char slug_alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Value of one slug character, or -1 when it is outside the alphabet. */
static int
slug_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* slug(uuid) returns text */
Datum
mountaineer_slug(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *uuid = PG_GETARG_UUID_P(0);
	const unsigned char *b = uuid->data;
	char		out[SLUG_LEN + 1];
	char	   *o = out;
	int			i;

	/* five whole 3-byte groups: 15 bytes, 20 characters */
	for (i = 0; i < 15; i += 3)
	{
		uint32		v = ((uint32) b[i] << 16) | ((uint32) b[i + 1] << 8) | b[i + 2];

		*o++ = slug_alphabet[(v >> 18) & 0x3F];
		*o++ = slug_alphabet[(v >> 12) & 0x3F];
		*o++ = slug_alphabet[(v >> 6) & 0x3F];
		*o++ = slug_alphabet[v & 0x3F];
	}
	/* the sixteenth byte: 6 bits, then 2 bits padded with four zeros */
	*o++ = slug_alphabet[b[15] >> 2];
	*o++ = slug_alphabet[(b[15] & 0x03) << 4];
	*o = '\0';

	PG_RETURN_TEXT_P(cstring_to_text_with_len(out, SLUG_LEN));
}

/* slug_uuid(text) returns uuid */
Datum
mountaineer_slug_uuid(PG_FUNCTION_ARGS)
{
	text	   *txt = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(txt);
	int			len = VARSIZE_ANY_EXHDR(txt);
	int			nchars = pg_mbstrlen_with_len(s, len);
	int			d[SLUG_LEN];
	pg_uuid_t  *uuid;
	int			i;
	int			j;

	if (nchars != SLUG_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid slug: %s", mt_excerpt(s, len)),
				 errdetail("A slug is exactly %d characters; this one has %d.",
						   SLUG_LEN, nchars)));

	/*
	 * 22 characters, so at least 22 bytes.  When there are more, one of the
	 * characters is multibyte and starts with a byte >= 0x80, outside the
	 * alphabet, within the first 22 bytes: the error is met there.
	 */
	for (i = 0; i < SLUG_LEN; i++)
	{
		int			v = slug_digit((unsigned char) s[i]);

		if (v < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid slug: %s", mt_excerpt(s, len)),
					 errdetail("Character %d is not in the alphabet A-Z a-z 0-9 - _.",
							   pg_mbstrlen_with_len(s, i) + 1)));
		d[i] = v;
	}
	if (d[SLUG_LEN - 1] & 0x0F)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid slug: %s", mt_excerpt(s, len)),
				 errdetail("The last character carries bits beyond the 128 of a uuid.")));

	uuid = palloc(sizeof(pg_uuid_t));
	/* five groups of 4 characters: 20 characters, 15 bytes */
	for (i = 0, j = 0; i < 15; i += 3, j += 4)
	{
		uint32		v = ((uint32) d[j] << 18) | ((uint32) d[j + 1] << 12) |
			((uint32) d[j + 2] << 6) | (uint32) d[j + 3];

		uuid->data[i] = (v >> 16) & 0xFF;
		uuid->data[i + 1] = (v >> 8) & 0xFF;
		uuid->data[i + 2] = v & 0xFF;
	}
	uuid->data[15] = (d[20] << 2) | (d[21] >> 4);

	PG_RETURN_UUID_P(uuid);
}
