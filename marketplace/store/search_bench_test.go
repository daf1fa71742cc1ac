package store

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"corridor/marketplace"
	seeddata "corridor/seed"
)

// benchQuery is a search of the benchmarks: a buyer's first page of 50, or the page after it.
type benchQuery struct {
	name, q, sort string
	nextPage      bool
	wantHits      bool // false for searches that must find nothing
}

// typicalQueries are the searches buyers make most: a model with a bloc and a budget, region
// sets, TPP bounds, a price band, a date, and the whole market by price.
func typicalQueries(today time.Time) []benchQuery {
	soon := today.AddDate(0, 0, 30).Format(time.DateOnly)
	return []benchQuery{
		{"h100_CN_under_2.5USD", "accelerator=h100-sxm gpus>=8 bloc=CN price<=2.5 currency=USD", "price", false, true},
		{"h100_CN_under_2.5USD_page2", "accelerator=h100-sxm gpus>=8 bloc=CN price<=2.5 currency=USD", "price", true, true},
		{"two_regions_tpp_per_pflop", "region in [cn-ningxia-zhongwei,cn-gansu-qingyang] tpp<4800", "per_pflop_hour", false, true},
		{"EU_reserved_cheapest", "bloc=EU pricing=reserved", "price", false, true},
		{"everything_cheapest", "", "price", false, true},
		{"everything_cheapest_page2", "", "price", true, true},
		{"big_soon", "gpus>=32 available_from<=" + soon, "available_from", false, true},
		{"two_countries_two_models", "country in [FI,DE] accelerator in [h100-sxm,h200-sxm]", "price", false, true},
		{"one_region_one_model", "region=eu-fi-kajaani accelerator=mi300x", "price", false, true},
		{"EU_price_band", "bloc=EU price>=1 price<=1.2", "price", false, true},
		{"tpp_band_CNY_listed", "tpp>=1600 tpp<4800 listed_currency=CNY", "gpus", false, true},
		{"five_regions_by_gpus", "region in [cn-guizhou-guian,cn-anhui-wuhu,eu-de-julich,eu-it-bologna,eu-es-barcelona]", "-gpus", false, true},
	}
}

// textQueries are free-text searches: common and rare words, CJK, short needles, and needles
// that match nothing (which must not cost a scan of the market).
func textQueries() []benchQuery {
	return []benchQuery{
		{"text_liquid", `text~"liquid"`, "price", false, true},
		{"text_infiniband_EU", `text~"infiniband" bloc=EU`, "price", false, true},
		{"text_cjk", `text~"液冷"`, "price", false, true},
		{"text_supplier_name", `text~"kajaani synthetic"`, "-gpus", false, true},
		{"text_two_letters", `text~"nv"`, "price", false, true},
		{"text_no_match", `text~"no such phrase"`, "price", false, false},
		{"text_no_match_short", `text~"qz"`, "price", false, false},
		{"text_no_match_with_filters", `text~"zzyzx" bloc=CN gpus>=8`, "available_from", false, false},
	}
}

// openBenchMarket returns a Service over a store holding the seed's reference data (every
// region, accelerator and FX rate, and the policy library) and seeddata.SyntheticMarket(n): all regions and accelerators,
// the three listing currencies, twelve suppliers. CORRIDOR_BENCH_POSTGRES selects PostgreSQL.
func openBenchMarket(b *testing.B, n int) *marketplace.Service {
	b.Helper()
	svc, _ := openBenchStore(b, n)
	return svc
}

// openBenchStore is openBenchMarket with the store itself.
func openBenchStore(b *testing.B, n int) (*marketplace.Service, *Store) {
	b.Helper()
	ctx := context.Background()
	var st *Store
	if dsn := os.Getenv("CORRIDOR_BENCH_POSTGRES"); dsn != "" {
		st = OpenTestPostgres(b, dsn)
	} else {
		var err error
		if st, err = Open(ctx, filepath.Join(b.TempDir(), "bench.db")); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
	}
	start := time.Now()
	data, docs, err := seeddata.Load(false)
	if err != nil {
		b.Fatal(err)
	}
	svc := marketplace.NewService(st, time.Now)
	if _, err := svc.Seed(ctx, data); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.SeedPolicies(ctx, docs); err != nil { // the policies compare prices with
		b.Fatal(err)
	}
	sups, offers, err := seeddata.SyntheticMarket(n, 42, time.Now().UTC())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.PutSuppliers(ctx, sups); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(offers); i += 5000 {
		if _, err := st.PutOffers(ctx, offers[i:min(i+5000, len(offers))]); err != nil {
			b.Fatal(err)
		}
	}
	if st.postgres {
		// What autovacuum does shortly after a bulk load: without statistics the planner
		// guesses, and a benchmark run right after loading would measure its guesses.
		if err := st.gormDB(ctx).Exec("ANALYZE").Error; err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("loaded %d offers in %s", n, time.Since(start).Round(time.Millisecond))
	return svc, st
}

// benchSearches runs each query b.N times and reports the median and 99th-percentile latency
// of Service.SearchOffers (FX lookup, the index reads and gpus_available included) and the CPU
// time it used per search.
func benchSearches(b *testing.B, svc *marketplace.Service, queries []benchQuery) {
	ctx := context.Background()
	for _, bq := range queries {
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
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				page, err := svc.SearchOffers(ctx, req)
				durs = append(durs, time.Since(t0))
				if err != nil || (len(page.Hits) > 0) != bq.wantHits {
					b.Fatalf("%q: %v (%d hits)", bq.q, err, len(page.Hits))
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
			b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(durs[min(len(durs)-1, len(durs)*99/100)].Microseconds())/1000, "p99-ms")
		})
	}
}

// cpuTime is the CPU time this process has used (user and system, every thread). On a shared,
// busy machine it varies far less than wall-clock latency, which includes waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSearch runs the typical searches and the free-text searches over a synthetic
// market of 100,000 offers (CORRIDOR_BENCH_OFFERS overrides the size) on SQLite, or on
// PostgreSQL when CORRIDOR_BENCH_POSTGRES is a postgres:// URL:
//
//	go test -run='^$' -bench=Search -benchtime=100x ./marketplace/store/
//	go test -run='^$' -bench=Search/text -benchtime=100x ./marketplace/store/
func BenchmarkSearch(b *testing.B) {
	n := 100000
	if s := os.Getenv("CORRIDOR_BENCH_OFFERS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("CORRIDOR_BENCH_OFFERS=%q is not a positive number", s)
		}
	}
	svc := openBenchMarket(b, n)
	b.Run("typical", func(b *testing.B) { benchSearches(b, svc, typicalQueries(time.Now().UTC())) })
	b.Run("text", func(b *testing.B) { benchSearches(b, svc, textQueries()) })
}
