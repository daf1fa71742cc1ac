package store

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"corridor/marketplace"
	"corridor/pricing/priceindex"
)

// benchOrders is how many orders the benchmark's cells stand for.
const benchOrders = 1_000_000

// fillIndexCells writes the cells of benchOrders orders spread over every class, bloc and
// both series over 260 weeks (five years) up to week, each cell benchOrders ÷ cells orders of
// 800 GPU-hours: what a million accepted orders leave in index_cells.
func fillIndexCells(tb testing.TB, st *Store, week time.Time) {
	tb.Helper()
	const weeks = 260
	series := []string{marketplace.IndexReal, marketplace.IndexDemo}
	cells := len(series) * len(priceindex.Classes) * len(marketplace.Blocs) * weeks
	per := benchOrders / cells
	var rows []indexCellRow
	for _, s := range series {
		for _, c := range priceindex.Classes {
			for _, b := range marketplace.Blocs {
				for w := 0; w < weeks; w++ {
					q := decimal.NewFromInt(int64(per) * 800)
					rows = append(rows, indexCellRow{Series: s, Kind: marketplace.IndexTransaction, Class: c.Code, Bloc: string(b),
						Week: week.AddDate(0, 0, -7*w).Format(weekLayout), Value: q.Mul(decimal.RequireFromString("1.85")), GPUHours: q,
						PFLOPHours: q.Mul(decimal.RequireFromString("0.9894")), PFLOPValue: q.Mul(decimal.RequireFromString("1.85")), Count: per, Median: decimal.Zero})
				}
			}
		}
	}
	// The demo series' cells of the seeded history are left as seeded.
	if err := st.gormDB(context.Background()).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 500).Error; err != nil {
		tb.Fatal(err)
	}
}

// p99 reports the 99th percentile of ds in milliseconds.
func p99(b *testing.B, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	if len(ds) > 0 {
		b.ReportMetric(float64(ds[(len(ds)*99)/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkIndexQuery answers GET /api/v1/index's question (h100, CN, DE business, 26
// weeks: transaction cells, the posted snapshot, the landed series priced through the quote
// engine) over the cells of a million orders (real) and over the seeded demo history (demo).
func BenchmarkIndexQuery(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	st := OpenTest(b)
	svc := seed(b, st, func() time.Time { return now })
	fillIndexCells(b, st, priceindex.WeekOf(now))
	for _, series := range []string{marketplace.IndexReal, marketplace.IndexDemo} {
		b.Run(series, func(b *testing.B) {
			q := marketplace.IndexQuery{Class: "h100", Bloc: "CN", Buyer: "DE:business", Series: series}
			if _, err := svc.Index(ctx, q); err != nil { // the posted snapshot of this week, once
				b.Fatal(err)
			}
			ds := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := svc.Index(ctx, q); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
			}
			p99(b, ds)
		})
	}
}

// BenchmarkIndexCells reads five years of one class in every bloc (780 cells) from the cells
// of a million orders: a range scan of the primary key.
func BenchmarkIndexCells(b *testing.B) {
	ctx := context.Background()
	st := OpenTest(b)
	week := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	fillIndexCells(b, st, week)
	q := marketplace.IndexCellQuery{Series: marketplace.IndexReal, Kind: marketplace.IndexTransaction, Class: "h100", From: week.AddDate(0, 0, -7*259), To: week}
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		cells, err := st.IndexCells(ctx, q)
		if err != nil || len(cells) != 780 {
			b.Fatalf("%d cells, %v", len(cells), err)
		}
		ds = append(ds, time.Since(t0))
	}
	p99(b, ds)
}

// BenchmarkIndexIncrement is the incremental update an accepted order makes, alone in its
// transaction: the screen's reference read, the cell created or locked, its sums updated and
// the entry recorded — over the cells of a million orders.
func BenchmarkIndexIncrement(b *testing.B) {
	ctx := context.Background()
	st := OpenTest(b)
	week := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	fillIndexCells(b, st, week.AddDate(0, 0, -7))
	obs := priceindex.NewObservation(decimal.RequireFromString("1480.00"), decimal.NewFromInt(800), decimal.RequireFromString("989.4"))
	e := marketplace.IndexEntry{Series: marketplace.IndexReal, Class: "h100", Bloc: marketplace.BlocCN, Week: week, Obs: obs}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := st.retryTx(ctx, func(tx *gorm.DB) error { return st.indexOrderTx(tx, fmt.Sprintf("ord_bench_%d", i), e) })
		if err != nil {
			b.Fatal(err)
		}
	}
}
