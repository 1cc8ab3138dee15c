/*
 * lock_memo.c — the row locks this transaction holds, remembered (1.7).
 *
 * A trigger that locks a row another table's rule reads (the VRF's row of
 * vrf_lock, a host's environment) runs for every row of a statement, and
 * took the lock again each time: a query a row, though the transaction
 * held it after the first.  A lock taken is remembered here with the
 * subtransaction that took it; one rolled back releases its row locks, and
 * its entries are forgotten with them; one that commits passes its entries
 * to its parent; the transaction's end forgets them all.  A lock is taken
 * again only when it is not remembered.  Bounded: past LOCK_MEMO_SIZE
 * entries in one transaction, further locks are taken every time, as
 * before.
 */
#include "postgres.h"

#include "access/xact.h"
#include "lock_memo.h"

#define LOCK_MEMO_SIZE 64

typedef struct HeldLock
{
	LockMemoKind kind;
	pg_uuid_t	key;
	SubTransactionId subid;		/* the subtransaction that holds it */
} HeldLock;

static HeldLock held[LOCK_MEMO_SIZE];
static int	nheld;
static bool callbacks;

static void
lock_memo_xact(XactEvent event, void *arg pg_attribute_unused())
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
		nheld = 0;
}

static void
lock_memo_subxact(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid,
				  void *arg pg_attribute_unused())
{
	int			kept = 0;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	for (int i = 0; i < nheld; i++)
	{
		if (held[i].subid == mySubid)
		{
			if (event == SUBXACT_EVENT_ABORT_SUB)
				continue;		/* its row lock is gone */
			held[i].subid = parentSubid;
		}
		held[kept++] = held[i];
	}
	nheld = kept;
}

/* Whether this transaction holds that lock (and has not rolled it back). */
bool
lock_memo_held(LockMemoKind kind, const pg_uuid_t *key)
{
	for (int i = 0; i < nheld; i++)
		if (held[i].kind == kind && memcmp(&held[i].key, key, sizeof(pg_uuid_t)) == 0)
			return true;
	return false;
}

/* Remembers a lock the current subtransaction has just taken. */
void
lock_memo_add(LockMemoKind kind, const pg_uuid_t *key)
{
	if (!callbacks)
	{
		RegisterXactCallback(lock_memo_xact, NULL);
		RegisterSubXactCallback(lock_memo_subxact, NULL);
		callbacks = true;
	}
	if (nheld == LOCK_MEMO_SIZE || lock_memo_held(kind, key))
		return;
	held[nheld].kind = kind;
	held[nheld].key = *key;
	held[nheld].subid = GetCurrentSubTransactionId();
	nheld++;
}
