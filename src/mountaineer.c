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

void		_PG_init(void);

void
_PG_init(void)
{
	http_status_init();
}
