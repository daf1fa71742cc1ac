package store

import (
	"context"

	"gorm.io/gorm"
)

// inDurableTx is inTx for the transactions whose acknowledgement promises that their effect
// survives a power loss, not only a crash of the process: the ones that create orders. The
// database runs with synchronous=NORMAL, which in WAL mode survives a process crash but may
// lose the last commits when the machine loses power; this transaction runs on one connection
// switched to synchronous=FULL, so its commit syncs the WAL to disk (with every commit before
// it) before the caller hears of it. PostgreSQL commits are durable by default
// (synchronous_commit=on) and need nothing more.
func (s *Store) inDurableTx(ctx context.Context, op string, fn func(tx *gorm.DB) error) error {
	if s.postgres || !fullSyncOrders {
		return s.inTx(ctx, op, fn)
	}
	return txOutcome(op, s.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("PRAGMA synchronous = FULL").Error; err != nil {
			return err
		}
		// Back to the pool's setting, even when ctx has ended.
		defer conn.WithContext(context.Background()).Exec("PRAGMA synchronous = NORMAL")
		return retryTxOn(ctx, conn, fn)
	}))
}

// fullSyncOrders is false only in the benchmark that measures what synchronous=FULL costs.
var fullSyncOrders = true
