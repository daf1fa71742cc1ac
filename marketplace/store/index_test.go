package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing/priceindex"
)

// TestIndexFollowsOrders: accepting orders adds each to its week's cell in the order's
// transaction and cancelling one (through Service.CancelOrder) takes exactly it out again.
// The orders are on demo-offer-001 (the demo market's H100 SXM in cn-ningxia-zhongwei), so
// they count in the demo series, class h100, bloc CN, week of 2026-11-23 (recordClock is
// Saturday 2026-11-28).
func TestIndexFollowsOrders(t *testing.T) {
	ctx := context.Background()
	svc, st := seededService(t)
	buyer, _, err := svc.CreateBuyer(ctx, marketplace.NewBuyer{Organisation: "Index GmbH", Country: "DE", Type: "business", VATID: "DE123456789"})
	if err != nil {
		t.Fatal(err)
	}
	start := recordClock.Truncate(24*time.Hour).AddDate(0, 0, 5)
	week := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	cell := func() priceindex.Sums {
		t.Helper()
		cells, err := st.IndexCells(ctx, marketplace.IndexCellQuery{Series: "demo", Kind: "transaction", Class: "h100", Blocs: []marketplace.Bloc{"CN"}, From: week, To: week})
		if err != nil {
			t.Fatal(err)
		}
		if len(cells) == 0 {
			return priceindex.Sums{}
		}
		return cells[0].Sums
	}
	var orders []marketplace.Order
	var subtotals []decimal.Decimal
	for _, gpus := range []int{8, 16, 4} {
		q, err := svc.Quote(ctx, marketplace.QuoteRequest{OfferID: "demo-offer-001", GPUs: gpus, Hours: 100, Start: start, Currency: "EUR", BuyerID: buyer.ID})
		if err != nil {
			t.Fatal(err)
		}
		o, _, err := svc.AcceptQuote(ctx, q.ID, buyer.ID)
		if err != nil {
			t.Fatal(err)
		}
		orders, subtotals = append(orders, o), append(subtotals, q.Priced.Subtotal)
	}
	// Three orders of 800, 1600 and 400 GPU-hours: Σ 2800 GPU-hours, 2800 × 989.4 ÷ 1000 =
	// 2770.32 PFLOP-hours, Σ value the three net prices (EUR quotes: the subtotal is in EUR).
	got := cell()
	sum := subtotals[0].Add(subtotals[1]).Add(subtotals[2])
	if got.Count != 3 || !got.Value.Equal(sum) || !got.GPUHours.Equal(decimal.NewFromInt(2800)) || !got.PFLOPHours.Equal(decimal.RequireFromString("2770.32")) {
		t.Fatalf("cell after three orders: %+v, want 3 orders, value %s, 2800 GPU-h, 2770.32 PFLOP-h", got, sum)
	}
	// Accepting an accepted quote again adds nothing.
	if _, created, err := svc.AcceptQuote(ctx, orders[0].QuoteID, buyer.ID); err != nil || created {
		t.Fatalf("re-accept: created %v, %v", created, err)
	}
	if again := cell(); again.Count != 3 {
		t.Errorf("re-accepting changed the cell: %+v", again)
	}
	res, err := svc.Index(ctx, marketplace.IndexQuery{Class: "h100", Bloc: "CN", Series: "demo", From: week, To: week})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Transaction[0]; p.Gap || p.Sample != 3 || !p.PerGPUHour.Equal(got.PerGPUHour()) {
		t.Errorf("index point %+v, want sample 3 at %s", p, got.PerGPUHour())
	}

	if _, _, err := svc.CancelOrder(ctx, buyer.ID, orders[1].ID, "changed plans"); err != nil {
		t.Fatal(err)
	}
	// Cancelling the 1600 GPU-hour order leaves the other two: 1200 GPU-hours, 1187.28
	// PFLOP-hours, and fewer than MinSample orders, so the week becomes a gap.
	got = cell()
	if got.Count != 2 || !got.Value.Equal(subtotals[0].Add(subtotals[2])) || !got.GPUHours.Equal(decimal.NewFromInt(1200)) || !got.PFLOPHours.Equal(decimal.RequireFromString("1187.28")) {
		t.Errorf("cell after the cancellation: %+v", got)
	}
	res, err = svc.Index(ctx, marketplace.IndexQuery{Class: "h100", Bloc: "CN", Series: "demo", From: week, To: week})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Transaction[0]; !p.Gap || p.Sample != 2 || !p.PerGPUHour.IsZero() {
		t.Errorf("index point after cancellation %+v, want a gap of sample 2", p)
	}
	// The real series saw none of it.
	real, err := st.IndexCells(ctx, marketplace.IndexCellQuery{Series: "real", Kind: "transaction", Class: "h100", From: week.AddDate(-1, 0, 0), To: week})
	if err != nil || len(real) != 0 {
		t.Errorf("real cells %+v, %v; want none", real, err)
	}
}

// TestIndexDemoHistorySeededOnce: the demo history is seeded with the demo market on the
// first start only, and the API's demo series is not empty.
func TestIndexDemoHistorySeededOnce(t *testing.T) {
	ctx := context.Background()
	_, st := seededService(t)
	var n int64
	st.gormDB(ctx).Model(&indexEntryRow{}).Where("series = ?", "demo").Count(&n)
	if n == 0 {
		t.Fatal("no demo history seeded")
	}
	again := seed(t, st, func() time.Time { return recordClock.AddDate(0, 0, 21) })
	var m int64
	st.gormDB(ctx).Model(&indexEntryRow{}).Count(&m)
	if m != n {
		t.Errorf("a second start added %d entries", m-n)
	}
	res, err := again.Index(ctx, marketplace.IndexQuery{Class: "h100", Bloc: "CN", Series: "demo", To: recordClock})
	if err != nil {
		t.Fatal(err)
	}
	published := 0
	for _, p := range res.Transaction {
		if !p.Gap {
			published++
		}
	}
	if published < 20 || len(res.Landed) != len(res.Transaction) {
		t.Errorf("%d published weeks of %d, %d landed points", published, len(res.Transaction), len(res.Landed))
	}
	// The first published week is the base.
	for _, p := range res.Transaction {
		if !p.Gap {
			if !p.Index.Equal(decimal.NewFromInt(100)) {
				t.Errorf("first published week %s has index %s, want 100", p.Week.Format(time.DateOnly), p.Index)
			}
			break
		}
	}
	for _, p := range res.Landed {
		if !p.Gap && !p.PerGPUHour.IsPositive() {
			t.Errorf("landed point %+v has no price", p)
		}
	}
}

// TestIndexQueryErrors: bad parameters name their field.
func TestIndexQueryErrors(t *testing.T) {
	svc, _ := seededService(t)
	_, err := svc.Index(context.Background(), marketplace.IndexQuery{Class: "h999", Bloc: "US", Buyer: "FR:business", Series: "fake"})
	var e *marketplace.Error
	if !errors.As(err, &e) || e.Code != marketplace.CodeInvalid {
		t.Fatalf("err = %v, want invalid", err)
	}
	fields := map[string]bool{}
	for _, f := range e.Fields {
		fields[f.Field] = true
	}
	for _, f := range []string{"class", "bloc", "buyer", "series"} {
		if !fields[f] {
			t.Errorf("no error names %s: %+v", f, e.Fields)
		}
	}
}
