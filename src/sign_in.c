/*
 * sign_in.c — mountaineer.login(username, password): a JWT for the REST API.
 *
 * The password is checked by PostgreSQL's own code, as a connection's
 * password authentication checks it: get_role_password() reads the role's
 * stored verifier (and refuses a role without one or past its VALID UNTIL),
 * plain_crypt_verify() compares the given password with it, SCRAM-SHA-256
 * or md5.  The token is signed HS256 with pg_hmac (common/hmac.h) and the
 * installation's secret, the one PostgREST verifies with, read from
 * mountaineer.api_secret (readable by the function's owner alone: the
 * function is SECURITY DEFINER).  Nothing here hashes a password by hand.
 *
 * Claims: role, the highest mountaineer group the user is a member of
 * (mountaineer_admin > mountaineer_editor > mountaineer_reader); sub, the
 * user's name; exp, now + LOGIN_LIFETIME seconds.  Every failure (unknown
 * user, wrong password, no mountaineer role, expired password) is the same
 * refusal, 28P01, one message, so the answer tells no one which it was.
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "common/base64.h"
#include "common/cryptohash.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/crypt.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/* seconds a token of login() is valid: 8 hours, a working day */
#define LOGIN_LIFETIME ((int64) 8 * 60 * 60)

PG_FUNCTION_INFO_V1(mountaineer_login);

static void
login_refuse(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PASSWORD),
			 errmsg("invalid user name or password")));
}

/* base64url (RFC 4648 §5) without padding, appended to buf */
static void
append_b64url(StringInfo buf, const uint8 *data, size_t len)
{
	int			enclen;
	char	   *enc;
	int			n;

	if (len > MaxAllocSize / 2)
		elog(ERROR, "token too long");
	enclen = pg_b64_enc_len((int) len);
	enc = palloc(enclen + 1);
	n = pg_b64_encode((const char *) data, (int) len, enc, enclen);

	if (n < 0)
		elog(ERROR, "could not encode a token");
	for (int i = 0; i < n; i++)
	{
		char		c = enc[i];

		if (c == '=')
			break;
		if (c == '+')
			c = '-';
		else if (c == '/')
			c = '_';
		appendStringInfoChar(buf, c);
	}
	pfree(enc);
}

/* the installation's secret, or an error telling the administrator */
static char *
login_secret(void)
{
	char	   *secret = NULL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT secret FROM mountaineer.api_secret", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "cannot read mountaineer.api_secret");
	if (SPI_processed == 1)
	{
		char	   *s = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (s != NULL)
		{
			/* in the caller's context: SPI_finish frees SPI's */
			size_t		len = strlen(s);

			secret = SPI_palloc(len + 1);
			memcpy(secret, s, len + 1);
		}
	}
	SPI_finish();
	if (secret == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("this database has no API secret to sign tokens with"),
				 errhint("tools/api.sh setup DB stores the REST API's secret in mountaineer.api_secret.")));
	return secret;
}

Datum
mountaineer_login(PG_FUNCTION_ARGS)
{
	char	   *user = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *password = text_to_cstring(PG_GETARG_TEXT_PP(1));
	const char *logdetail = NULL;
	char	   *shadow;
	Oid			roleid;
	const char *role = NULL;
	static const char *const groups[] = {"mountaineer_admin", "mountaineer_editor", "mountaineer_reader"};
	char	   *secret;
	StringInfoData payload;
	StringInfoData token;
	pg_hmac_ctx *ctx;
	uint8		mac[PG_SHA256_DIGEST_LENGTH];
	int64		exp;

	/* a role that cannot log in gets the same refusal as a wrong password */
	roleid = get_role_oid(user, true);
	shadow = OidIsValid(roleid) ? get_role_password(user, &logdetail) : NULL;
	if (shadow == NULL ||
		plain_crypt_verify(user, shadow, password, &logdetail) != STATUS_OK)
		login_refuse();
	for (size_t i = 0; i < lengthof(groups) && role == NULL; i++)
	{
		Oid			g = get_role_oid(groups[i], true);

		if (OidIsValid(g) && is_member_of_role(roleid, g))
			role = groups[i];
	}
	if (role == NULL)
		login_refuse();

	secret = login_secret();
	exp = (int64) time(NULL) + LOGIN_LIFETIME;

	initStringInfo(&payload);
	appendStringInfoString(&payload, "{\"role\":");
	escape_json(&payload, role);
	appendStringInfoString(&payload, ",\"sub\":");
	escape_json(&payload, user);
	appendStringInfo(&payload, ",\"exp\":" INT64_FORMAT "}", exp);

	initStringInfo(&token);
	{
		static const char head[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

		append_b64url(&token, (const uint8 *) head, strlen(head));
	}
	appendStringInfoChar(&token, '.');
	append_b64url(&token, (const uint8 *) payload.data, payload.len);

	ctx = pg_hmac_create(PG_SHA256);
	if (ctx == NULL ||
		pg_hmac_init(ctx, (const uint8 *) secret, strlen(secret)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) token.data, token.len) < 0 ||
		pg_hmac_final(ctx, mac, sizeof(mac)) < 0)
		elog(ERROR, "could not sign a token: %s", ctx ? pg_hmac_error(ctx) : "out of memory");
	pg_hmac_free(ctx);
	appendStringInfoChar(&token, '.');
	append_b64url(&token, mac, sizeof(mac));

	/* {"token": "..."} as json */
	{
		StringInfoData out;

		initStringInfo(&out);
		appendStringInfoString(&out, "{\"token\":");
		escape_json(&out, token.data);
		appendStringInfoChar(&out, '}');
		PG_RETURN_TEXT_P(cstring_to_text(out.data));
	}
}
