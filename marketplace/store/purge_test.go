package store

import (
	"context"
	"testing"
	"time"

	"corridor/marketplace"
)

// TestPurgeQuotes: unaccepted quotes go once they have been expired for longer than the
// retention; accepted quotes and their orders stay, and so do quotes within the retention.
func TestPurgeQuotes(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := recordClock
			svc := seed(t, st, func() time.Time { return clock })
			req := recordRequests["DE business"]
			accepted, err := svc.Quote(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			buyer, _, err := svc.CreateBuyer(ctx, marketplace.NewBuyer{Organisation: "Purge Test GmbH", Country: "DE", Type: "business", VATID: req.Buyer.VATID})
			if err != nil {
				t.Fatal(err)
			}
			order, _, err := svc.AcceptQuote(ctx, accepted.ID, buyer.ID)
			if err != nil {
				t.Fatal(err)
			}
			dropped, err := svc.Quote(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			clock = recordClock.Add(2 * time.Hour)
			later, err := svc.Quote(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			const retention = 72 * time.Hour
			// Just within the retention of the first two quotes (valid for 24 h): nothing goes.
			clock = recordClock.Add(24*time.Hour + retention)
			if n, err := svc.PurgeQuotes(ctx, retention); err != nil || n != 0 {
				t.Fatalf("purge at the end of the retention: %d, %v", n, err)
			}
			clock = clock.Add(time.Second)
			if n, err := svc.PurgeQuotes(ctx, retention); err != nil || n != 1 {
				t.Fatalf("purge after the retention: %d, %v; want the one unaccepted quote", n, err)
			}
			if _, err := svc.GetQuote(ctx, dropped.ID); marketplace.ErrorCode(err) != marketplace.CodeNotFound {
				t.Errorf("the expired, unaccepted quote is still there: %v", err)
			}
			for _, id := range []string{accepted.ID, later.ID} {
				if _, err := svc.GetQuote(ctx, id); err != nil {
					t.Errorf("quote %s: %v", id, err)
				}
			}
			if o, err := svc.Order(ctx, order.ID); err != nil || o.QuoteID != accepted.ID {
				t.Errorf("order: %+v, %v", o, err)
			}
			// Years later the accepted quote and its order are still kept.
			clock = recordClock.AddDate(5, 0, 0)
			if n, err := svc.PurgeQuotes(ctx, retention); err != nil || n != 1 {
				t.Fatalf("purge years later: %d, %v; want the later quote only", n, err)
			}
			if _, err := svc.GetQuote(ctx, accepted.ID); err != nil {
				t.Errorf("accepted quote: %v", err)
			}
		})
	}
}
