package store

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"corridor/marketplace"
)

// inTx runs fn in one transaction, retried on transient conflicts (retryTx), and translates
// the outcome: a transaction that kept losing races is a 503 the client may retry. fn must be
// safe to run again (it only touches tx).
func (s *Store) inTx(ctx context.Context, op string, fn func(tx *gorm.DB) error) error {
	return txOutcome(op, s.retryTx(ctx, fn))
}

// txOutcome translates a transaction's error: one that kept losing races is a 503 the client
// may retry.
func txOutcome(op string, err error) error {
	if err != nil && transient(err) {
		return &marketplace.Error{Code: marketplace.CodeUnavailable, Message: "the database is busy; retry the request (" + op + ")", Err: err}
	}
	return translate(op, err)
}

// takeOne reads the row matching where into dest; no row is CodeNotFound "no such <what>".
func takeOne(db *gorm.DB, what string, dest any, where string, args ...any) error {
	err := db.Where(where, args...).Take(dest).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return &marketplace.Error{Code: marketplace.CodeNotFound, Message: "no such " + what, Err: err}
	}
	return err
}
