package store

import (
	"context"
	"os"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
)

// pricedCounter counts the offers comparisons read to price (Store.OfferContexts).
type pricedCounter struct {
	*Store
	read atomic.Int64
}

func (c *pricedCounter) OfferContexts(ctx context.Context, ids []string) (map[string]marketplace.OfferContext, error) {
	c.read.Add(int64(len(ids)))
	return c.Store.OfferContexts(ctx, ids)
}

// BenchmarkCompare is Service.Compare, one page of 20, over a synthetic market of 100,000
// offers (CORRIDOR_BENCH_OFFERS overrides the size; CORRIDOR_BENCH_POSTGRES selects
// PostgreSQL), with the CPU time per comparison, its p50 and p99, how many offers matched and
// how many were read and priced:
//
//	go test -run='^$' -bench=Compare -benchtime=30x ./marketplace/store/
//
// A German business's ranking has a lower bound (no measure lowers its cost), so a page
// prices a batch or two; a business registered in Shanghai may get a compute voucher (a
// subsidy), so every matching offer is priced.
func BenchmarkCompare(b *testing.B) {
	n := 100000
	if s := os.Getenv("CORRIDOR_BENCH_OFFERS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("CORRIDOR_BENCH_OFFERS=%q is not a positive number", s)
		}
	}
	_, st := openBenchStore(b, n)
	counter := &pricedCounter{Store: st}
	svc := marketplace.NewService(counter, time.Now)
	de := marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789"}
	shanghai := marketplace.Buyer{Country: "CN", Type: "business", Region: "cn-shanghai"}
	for _, bc := range []struct {
		name  string
		need  marketplace.Need
		page2 bool
	}{
		{"h100_DE_business_first_page", marketplace.Need{Accelerator: "h100-sxm", GPUs: 8, Hours: 100, Buyer: de, Currency: "EUR"}, false},
		{"h100_DE_business_page2", marketplace.Need{Accelerator: "h100-sxm", GPUs: 8, Hours: 100, Buyer: de, Currency: "EUR"}, true},
		{"any_over_100_TFLOPS_DE_business", marketplace.Need{MinBF16TFLOPS: decimal.NewFromInt(100), GPUs: 8, Hours: 100, Buyer: de, Currency: "EUR"}, false},
		// The other accelerators of the harness's compare mix: listed mostly in CNY and USD.
		{"h20_DE_business", marketplace.Need{Accelerator: "h20", GPUs: 8, Hours: 100, Buyer: de, Currency: "EUR"}, false},
		{"ascend-910b_DE_business", marketplace.Need{Accelerator: "ascend-910b", GPUs: 8, Hours: 100, Buyer: de, Currency: "EUR"}, false},
		{"h20_Shanghai_business_unbounded", marketplace.Need{Accelerator: "h20", GPUs: 8, Hours: 100, Buyer: shanghai, Currency: "CNY"}, false},
		{"h100_FR_consumer_USD", marketplace.Need{Accelerator: "h100-sxm", GPUs: 8, Hours: 100, Buyer: marketplace.Buyer{Country: "FR", Type: "consumer"}, Currency: "USD"}, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			need := bc.need
			need.Limit = 20
			if bc.page2 {
				first, err := svc.Compare(ctx, need)
				if err != nil || first.NextCursor == "" {
					b.Fatalf("first page: %v (next %q)", err, first.NextCursor)
				}
				need.Cursor = first.NextCursor
			}
			cands, err := st.CompareCandidates(ctx, marketplace.OfferContextFilter{Products: []string{"gpu_hours", "bare_metal"}, Accelerator: need.Accelerator,
				MinBF16TFLOPS: need.MinBF16TFLOPS})
			if err != nil {
				b.Fatal(err)
			}
			durs := make([]time.Duration, 0, b.N)
			counter.read.Store(0)
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				c, err := svc.Compare(ctx, need)
				durs = append(durs, time.Since(t0))
				if err != nil || len(c.Ranked) != 20 && len(cands) >= 100 { // a small market may not fill a page
					b.Fatalf("%v (%d offers)", err, len(c.Ranked))
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
			b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(durs[min(len(durs)-1, len(durs)*99/100)].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(len(cands)), "matching")
			b.ReportMetric(float64(counter.read.Load())/float64(b.N), "priced/op")
		})
	}
}
