/*
 * mountaineer.c — the shared library's module block.
 *
 * Every C function of Mountaineer lives in this one library, one file per
 * concern (slug.c, rackspan.c, cidr.c, trace.c ...).  Module extensions
 * declare their SQL functions against '$libdir/mountaineer'.
 */
#include "postgres.h"
#include "fmgr.h"

#include "http_status.h"

PG_MODULE_MAGIC;

/* the name PostgreSQL calls when it loads the library */
void		_PG_init(void);	/* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */

void
_PG_init(void)					/* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
{
	http_status_init();
}
