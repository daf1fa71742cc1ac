package marketplace

import (
	"context"
	"time"
)

// IdempotencyStaleAfter is how long a claimed Idempotency-Key may stay without a response
// before another request may take it over (the process that claimed it has died).
const IdempotencyStaleAfter = 2 * time.Minute

// ClaimIdempotencyKey claims r.Key for r.Caller; see IdempotencyStore.ClaimIdempotencyKey.
func (s *Service) ClaimIdempotencyKey(ctx context.Context, r IdempotencyRecord) (IdempotencyRecord, bool, error) {
	r.CreatedAt = s.now()
	return s.store.ClaimIdempotencyKey(ctx, r, IdempotencyStaleAfter)
}

// CompleteIdempotencyKey stores the response of a claimed key for replay.
func (s *Service) CompleteIdempotencyKey(ctx context.Context, r IdempotencyRecord) error {
	return s.store.CompleteIdempotencyKey(ctx, r)
}

// ReleaseIdempotencyKey forgets a claimed key so that a retry runs again.
func (s *Service) ReleaseIdempotencyKey(ctx context.Context, key, caller string) error {
	return s.store.ReleaseIdempotencyKey(ctx, key, caller)
}
