package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing"
)

// writerQuote is a minimal stored quote with id id.
func writerQuote(id string) marketplace.Quote {
	now := time.Now().UTC().Truncate(time.Second)
	total := decimal.RequireFromString("60.00")
	return marketplace.Quote{ID: id, OfferID: "o1", GPUs: 1, Start: now, End: now.Add(time.Hour), Currency: "EUR", Total: total,
		CreatedAt: now, ValidUntil: now.Add(time.Hour), Inputs: pricing.Inputs{Now: now},
		Priced: pricing.Quote{Total: total, ValidUntil: now.Add(time.Hour)}}
}

// TestQuoteBatchRowsKeepTheirValues: a batch of 13 quotes is written in one transaction of
// three statements of 8, 4 and 1 rows (quoteInserts; insertQuotes, without commitQuotes'
// fallback of one quote at a time, which would hide a failing statement); each quote reads
// back with its own values — its GPUs, total and buyer — not a neighbour's.
func TestQuoteBatchRowsKeepTheirValues(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			var batch []*quoteWrite
			for i := range 13 {
				q := writerQuote(fmt.Sprintf("q_row_%02d", i))
				q.GPUs = i + 1
				q.Total = decimal.New(int64(100+i), -2) // 1.00, 1.01, … 1.12
				q.Priced.Total = q.Total
				q.BuyerID = fmt.Sprintf("b_%02d", i)
				row, err := toQuoteRow(q)
				if err != nil {
					t.Fatal(err)
				}
				row.compress()
				defer row.release()
				batch = append(batch, &quoteWrite{ctx: ctx, row: row})
			}
			if err := st.insertQuotes(ctx, batch); err != nil {
				t.Fatal(err)
			}
			for i := range batch {
				got, err := st.Quote(ctx, fmt.Sprintf("q_row_%02d", i))
				if err != nil {
					t.Fatal(err)
				}
				if got.GPUs != i+1 || got.Total.String() != decimal.New(int64(100+i), -2).String() || got.BuyerID != fmt.Sprintf("b_%02d", i) {
					t.Errorf("q_row_%02d read back with %d GPUs, total %s, buyer %q; want %d, %s, b_%02d",
						i, got.GPUs, got.Total, got.BuyerID, i+1, decimal.New(int64(100+i), -2), i)
				}
			}
		})
	}
}

// TestQuoteBatchKeepsEachOutcome: a batch holding a quote that cannot be stored (its id is
// taken) is written again quote by quote, so that quote alone fails, as a conflict, and the
// others are stored; a quote whose request has ended before the batch is not written.
func TestQuoteBatchKeepsEachOutcome(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if err := st.PutQuote(ctx, writerQuote("q_taken")); err != nil {
				t.Fatal(err)
			}
			gone, cancel := context.WithCancel(ctx)
			cancel()
			var batch []*quoteWrite
			for _, w := range []struct {
				ctx context.Context
				id  string
			}{{ctx, "q_first"}, {ctx, "q_taken"}, {gone, "q_abandoned"}, {ctx, "q_last"}} {
				row, err := toQuoteRow(writerQuote(w.id))
				if err != nil {
					t.Fatal(err)
				}
				batch = append(batch, &quoteWrite{ctx: w.ctx, row: row, result: make(chan error, 1)})
			}
			st.commitQuotes(batch)
			want := []marketplace.Code{"", marketplace.CodeConflict, marketplace.CodeUnavailable, ""} // "": stored
			for i, w := range batch {
				got := marketplace.Code("")
				if err := <-w.result; err != nil {
					got = marketplace.ErrorCode(err)
				}
				if got != want[i] {
					t.Errorf("%s: outcome %q, want %q", w.row.ID, got, want[i])
				}
			}
			for id, stored := range map[string]bool{"q_first": true, "q_last": true, "q_taken": true, "q_abandoned": false} {
				_, err := st.Quote(ctx, id)
				if (err == nil) != stored {
					t.Errorf("%s: stored %v (%v), want %v", id, err == nil, err, stored)
				}
			}
		})
	}
}

// TestQuoteWriterUnderLoad: quotes put at once by many requests are each stored once, and
// each request learns its own outcome (one duplicate among them conflicts).
func TestQuoteWriterUnderLoad(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			const n = 96
			errs := make([]error, n+1)
			var wg sync.WaitGroup
			for i := 0; i <= n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					id := fmt.Sprintf("q_load_%d", i)
					if i == n {
						id = "q_load_0" // the duplicate
					}
					errs[i] = st.PutQuote(ctx, writerQuote(id))
				}()
			}
			wg.Wait()
			conflicts := 0
			for i, err := range errs {
				switch {
				case err == nil:
				case marketplace.ErrorCode(err) == marketplace.CodeConflict:
					conflicts++
				default:
					t.Errorf("quote %d: %v", i, err)
				}
			}
			if conflicts != 1 {
				t.Errorf("%d conflicts, want exactly 1 (the duplicate id)", conflicts)
			}
			var count int64
			if err := st.db.Model(&quoteRow{}).Where("id LIKE ?", "q_load_%").Count(&count).Error; err != nil || count != n {
				t.Errorf("%d quotes stored (%v), want %d", count, err, n)
			}
		})
	}
}

// TestQuoteAfterClose: a store that has closed refuses a quote with a retryable error
// instead of hanging, whether its writer ever ran or not.
func TestQuoteAfterClose(t *testing.T) {
	for _, writeFirst := range []bool{false, true} {
		st, err := Open(context.Background(), filepath.Join(t.TempDir(), "corridor.db"))
		if err != nil {
			t.Fatal(err)
		}
		if writeFirst {
			if err := st.PutQuote(context.Background(), writerQuote("q_before")); err != nil {
				t.Fatal(err)
			}
		}
		st.Close()
		if err := st.PutQuote(context.Background(), writerQuote("q_after")); marketplace.ErrorCode(err) != marketplace.CodeUnavailable {
			t.Errorf("writer started %v: a quote after Close: %v, want unavailable", writeFirst, err)
		}
	}
}

// BenchmarkQuoteInsert stores the benchmark quote (a German business's, its record 6.5 KB of
// JSON, 404 bytes stored) from 64 goroutines at once, as the quote endpoint does under the
// harness's load, with the quote ids of earlier releases (random) and the time-ordered ones
// quotes now have. The difference is the primary-key index: a random id dirties a random leaf
// page per quote.
func BenchmarkQuoteInsert(b *testing.B) {
	for _, ids := range []struct {
		name string
		new  func() string
	}{
		{"random-ids", func() string { return marketplace.NewID("q") }},
		{"time-ordered-ids", func() string { return marketplace.NewTimeOrderedID("q", time.Now()) }},
	} {
		b.Run(ids.name, func(b *testing.B) {
			svc, st := seededService(b)
			q, err := svc.Quote(context.Background(), recordRequests["DE business"])
			if err != nil {
				b.Fatal(err)
			}
			for range 20_000 / 64 { // a table that is not empty: 20,000 quotes
				var wg sync.WaitGroup
				for range 64 {
					wg.Go(func() {
						q := q
						q.ID = ids.new()
						if err := st.PutQuote(context.Background(), q); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
			b.SetParallelism(32) // 64 goroutines on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					q := q
					q.ID = ids.new()
					if err := st.PutQuote(context.Background(), q); err != nil {
						b.Error(err)
					}
				}
			})
		})
	}
}

// TestQuoteWriterLingersOnlyUnderLoad: after a batch of one quote the writer commits what is
// waiting at once; after a batch of several (under load) it also takes the quotes that arrive
// within its linger, so that they share one commit.
func TestQuoteWriterLingersOnlyUnderLoad(t *testing.T) {
	w := &quoteWriter{queue: make(chan *quoteWrite), linger: time.Second}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	first, late := &quoteWrite{}, &quoteWrite{}
	arrives := func(after time.Duration) {
		go func() {
			time.Sleep(after)
			w.queue <- late
		}()
	}
	arrives(100 * time.Millisecond)
	if got := w.collect([]*quoteWrite{first}, false, timer); len(got) != 1 {
		t.Fatalf("not under load: a batch of %d, want the one quote at once", len(got))
	}
	<-w.queue // the late quote, taken by the next batch
	arrives(100 * time.Millisecond)
	if got := w.collect([]*quoteWrite{first}, true, timer); len(got) != 2 || got[1] != late {
		t.Fatalf("under load: a batch of %d, want the quote that arrived within the linger too", len(got))
	}
}
