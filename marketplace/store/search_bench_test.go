package store

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"corridor/marketplace"
)

// benchQueries are typical searches: a buyer's first page (limit 50) and one next page.
var benchQueries = []struct {
	name, q, sort string
	nextPage      bool
}{
	{"h100_CN_under_2.5USD", "accelerator=h100-sxm gpus>=8 bloc=CN price<=2.5 currency=USD", "price", false},
	{"h100_CN_under_2.5USD_page2", "accelerator=h100-sxm gpus>=8 bloc=CN price<=2.5 currency=USD", "price", true},
	{"two_regions_tpp_per_pflop", "region in [cn-ningxia-zhongwei,cn-gansu-qingyang] tpp<4800", "per_pflop_hour", false},
	{"EU_reserved_cheapest", "bloc=EU pricing=reserved", "price", false},
	{"everything_cheapest", "", "price", false},
	{"big_soon", "gpus>=32 available_from<=2027-01-15", "available_from", false},
	{"text_liquid", `text~"liquid"`, "price", false},
}

// BenchmarkSearch runs typical searches over 100,000 generated offers on SQLite and reports
// the median and 99th-percentile latency of Service.SearchOffers (FX lookup, the index reads
// and the gpus_available computation included).
//
//	go test -run='^$' -bench=Search -benchtime=300x ./marketplace/store/
func BenchmarkSearch(b *testing.B) {
	st, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	svc, _ := searchFixture(b, st, 100000, 42)
	b.Logf("generated 100000 offers in %s", time.Since(start).Round(time.Millisecond))
	ctx := context.Background()
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			req := marketplace.SearchRequest{Q: bq.q, Sort: bq.sort, Limit: 50}
			if bq.nextPage {
				first, err := svc.SearchOffers(ctx, req)
				if err != nil || first.NextCursor == "" {
					b.Fatalf("first page: %v (next %q)", err, first.NextCursor)
				}
				req.Cursor = first.NextCursor
			}
			durs := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				page, err := svc.SearchOffers(ctx, req)
				durs = append(durs, time.Since(t0))
				if err != nil || len(page.Hits) == 0 {
					b.Fatalf("%q: %v (%d hits)", bq.q, err, len(page.Hits))
				}
			}
			b.StopTimer()
			sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
			b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(durs[min(len(durs)-1, len(durs)*99/100)].Microseconds())/1000, "p99-ms")
		})
	}
}
