package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"

	"corridor/marketplace"
)

// txAttempts bounds how often a transaction is retried after losing a race.
const txAttempts = 6

// inTx runs fn in one transaction and retries the whole transaction, with jittered backoff,
// when the database reports a transient conflict: SQLite busy/locked, PostgreSQL serialization
// failure or deadlock. fn must therefore be safe to run again (it only touches tx).
func (s *Store) inTx(ctx context.Context, op string, fn func(tx *gorm.DB) error) error {
	var err error
	for attempt := 0; attempt < txAttempts; attempt++ {
		err = s.gormDB(ctx).Transaction(fn)
		if err == nil || !retryable(err) {
			break
		}
		backoff := time.Duration(5<<attempt)*time.Millisecond + time.Duration(rand.IntN(10))*time.Millisecond
		select {
		case <-ctx.Done():
			return translate(op, ctx.Err())
		case <-time.After(backoff):
		}
	}
	if err != nil && retryable(err) {
		return translateBusy(op, err)
	}
	return translate(op, err)
}

// retryable reports whether err is a transient conflict worth retrying the transaction for.
func retryable(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "55P03"
	}
	return false
}

// translateBusy reports a transaction that kept losing races as a 503: the database is busy,
// and the client may retry.
func translateBusy(op string, _ error) error {
	return &marketplace.Error{Code: marketplace.CodeUnavailable, Message: "the database is busy; retry the request (" + op + ")"}
}
