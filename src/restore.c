/*
 * restore.c — whether the running command restores a table from pg_dump.
 *
 * PostgreSQL restores a user table's rows before it creates the table's
 * triggers, so they never fire on restored rows.  An extension's tables are
 * different: CREATE EXTENSION makes them with their triggers, and the rows
 * come after, so every trigger would fire on every restored row — logging
 * each one again, rebuilding derived rows that the dump also carries, and
 * checking rules between tables whose rows arrive one table (and one
 * transaction) at a time.  The triggers of Mountaineer's tables therefore
 * stand aside while a table is being restored, which is recognised by what
 * both pg_restore and psql running a plain pg_dump script do:
 *
 *   - check_function_bodies is off (both set it before anything else);
 *   - the command is COPY schema.table ... FROM STDIN into that very table,
 *     its name schema-qualified as pg_dump writes it (so that a trigger
 *     running under another search_path resolves it alike);
 *   - the role that issued it owns the table (the superuser who restores).
 *
 * The last condition is what makes this safe: a table's owner may disable
 * its triggers anyway (ALTER TABLE ... DISABLE TRIGGER), so this grants no
 * one anything.  An editor's COPY is checked and logged like any INSERT.
 * Constraints (NOT NULL, CHECK, UNIQUE, EXCLUDE, foreign keys) still hold.
 *
 * It answers about the command running now: call it in a trigger's WHEN
 * clause or in a row trigger's body, never from a deferred trigger's body,
 * which runs at COMMIT, after the COPY.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "tcop/pquery.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/portal.h"

PG_FUNCTION_INFO_V1(mountaineer_restoring);

/* restoring(tbl regclass) returns boolean */
Datum
mountaineer_restoring(PG_FUNCTION_ARGS)
{
	Oid			tbl = PG_GETARG_OID(0);
	Portal		portal = ActivePortal;
	PlannedStmt *stmt;
	CopyStmt   *copy;
	Oid			nsp;

	if (check_function_bodies || portal == NULL ||
		portal->commandTag != CMDTAG_COPY || list_length(portal->stmts) != 1)	/* LCOV_EXCL_BR_LINE: a portal tagged COPY holds its one statement */
		PG_RETURN_BOOL(false);

	stmt = linitial_node(PlannedStmt, portal->stmts);
	if (stmt->commandType != CMD_UTILITY || !IsA(stmt->utilityStmt, CopyStmt))	/* LCOV_EXCL_BR_LINE: a portal tagged COPY runs a CopyStmt */
		PG_RETURN_BOOL(false);	/* LCOV_EXCL_LINE: as above */
	copy = (CopyStmt *) stmt->utilityStmt;
	if (!copy->is_from || copy->is_program || copy->filename != NULL ||
		copy->relation == NULL || copy->relation->schemaname == NULL)	/* LCOV_EXCL_BR_LINE: COPY ... FROM always names a table */
		PG_RETURN_BOOL(false);
	nsp = LookupExplicitNamespace(copy->relation->schemaname, true);
	if (!OidIsValid(nsp) || get_relname_relid(copy->relation->relname, nsp) != tbl)
		PG_RETURN_BOOL(false);

	/*
	 * The role that issued the COPY: inside a SECURITY DEFINER trigger the
	 * current user is the function's owner, the outer user is still the
	 * caller (or the role it SET ROLE to).
	 */
	PG_RETURN_BOOL(pg_class_ownercheck(tbl, GetOuterUserId()));
}
