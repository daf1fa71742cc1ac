package marketplace

import "context"

// QuoteStore holds quotes: immutable records of a priced request.
type QuoteStore interface {
	// PutQuote stores a new quote; quotes are never updated.
	PutQuote(ctx context.Context, q Quote) error
	// Quote reads a stored quote; CodeNotFound when there is none.
	Quote(ctx context.Context, id string) (Quote, error)
}
