package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"gorm.io/gorm"
)

// retryTx runs fn in a transaction and retries it when the database reports a transient
// conflict: SQLite busy/locked beyond the busy timeout, PostgreSQL serialization failures and
// deadlocks. Domain errors returned by fn end the retries.
func (s *Store) retryTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return retryTxOn(ctx, s.db.WithContext(ctx), fn)
}

// retryTxOn is retryTx on db (a pool, or one connection of it).
func retryTxOn(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	var err error
	for attempt := 0; attempt < 6; attempt++ {
		err = db.Transaction(fn)
		if err == nil || !transient(err) {
			return err
		}
		backoff := time.Duration(10<<attempt)*time.Millisecond + time.Duration(rand.IntN(10))*time.Millisecond
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
	}
	return err
}

func transient(err error) bool {
	if err == nil || errors.Is(err, gorm.ErrRecordNotFound) {
		return false
	}
	msg := err.Error()
	for _, s := range []string{"database is locked", "database table is locked", "SQLITE_BUSY", "SQLSTATE 40001", "SQLSTATE 40P01", "could not serialize", "deadlock detected"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
