/*
 * lock_memo.h — the row locks this transaction holds, remembered so that a
 * trigger run for every row of a statement takes its lock once.
 */
#ifndef MOUNTAINEER_LOCK_MEMO_H
#define MOUNTAINEER_LOCK_MEMO_H

#include "utils/uuid.h"

/* what a remembered lock is on: a kind of row, and the row's key */
typedef enum LockMemoKind
{
	LOCK_MEMO_VRF,				/* vrf_lock, FOR UPDATE (lock_vrf) */
	LOCK_MEMO_ENVIRONMENT		/* environment, FOR SHARE (host_check) */
} LockMemoKind;

extern bool lock_memo_held(LockMemoKind kind, const pg_uuid_t *key);
extern void lock_memo_add(LockMemoKind kind, const pg_uuid_t *key);

#endif
