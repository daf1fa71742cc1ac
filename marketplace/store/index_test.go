package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

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

// TestIndexRealSeriesWorked: three real offers and three orders on them, by hand. A supplier
// in Finland posts A100-class capacity in eu-fi-kajaani (EU bloc), all 312 BF16 TFLOPS:
//
//	a100-sxm-80gb   8 GPUs at EUR 1.20
//	a100-pcie-80gb 16 GPUs at EUR 1.50
//	a800-sxm-80gb   8 GPUs at EUR 1.00
//
// posted: weighted ask (8 × 1.20 + 16 × 1.50 + 8 × 1.00) ÷ 32 = 41.6 ÷ 32 = 1.30; median of
// 1.00, 1.20, 1.50 = 1.20; per PFLOP-hour 41.6 ÷ (32 × 312 ÷ 1000 = 9.984) = 4.16666… → 4.1667.
// The PCIe offer is (1.50 − 1.30) ÷ 1.30 = 15.4% → 15% above its posted index.
//
// Orders of 4 GPUs × 100 h on each (EUR quotes of EUR offers: the net price is price × 400):
// 480 + 600 + 400 = 1480 over 1200 GPU-hours = 1.2333… → 1.2333 per GPU-hour.
func TestIndexRealSeriesWorked(t *testing.T) {
	ctx := context.Background()
	svc, _ := seededService(t)
	sup, _, err := svc.CreateSupplier(ctx, marketplace.NewSupplier{Name: "Kajaani Index Oy", Country: "FI"})
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	var offers []string
	for _, o := range []struct {
		model, price string
		gpus         int
	}{{"a100-sxm-80gb", "1.20", 8}, {"a100-pcie-80gb", "1.50", 16}, {"a800-sxm-80gb", "1.00", 8}} {
		off, err := svc.CreateOffer(ctx, sup.ID, marketplace.OfferInput{Region: str("eu-fi-kajaani"), Accelerator: str(o.model), Product: str("gpu_hours"),
			GPUs: num(o.gpus), Price: str(o.price), Currency: str("EUR"), Pricing: str("on_demand"), MinHours: num(1),
			AvailableFrom: str("2026-01-01"), AvailableUntil: str("2027-12-31")})
		if err != nil {
			t.Fatal(err)
		}
		offers = append(offers, off.ID)
	}
	buyer, _, err := svc.CreateBuyer(ctx, marketplace.NewBuyer{Organisation: "Real Index GmbH", Country: "DE", Type: "business", VATID: "DE123456789"})
	if err != nil {
		t.Fatal(err)
	}
	start := recordClock.Truncate(24*time.Hour).AddDate(0, 0, 5)
	for _, id := range offers {
		q, err := svc.Quote(ctx, marketplace.QuoteRequest{OfferID: id, GPUs: 4, Hours: 100, Start: start, Currency: "EUR", BuyerID: buyer.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.AcceptQuote(ctx, q.ID, buyer.ID); err != nil {
			t.Fatal(err)
		}
	}
	week := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	res, err := svc.Index(ctx, marketplace.IndexQuery{Class: "a100", Bloc: "EU", Buyer: "DE:consumer", From: week, To: week})
	if err != nil {
		t.Fatal(err)
	}
	tx, posted := res.Transaction[0], res.Posted[0]
	if res.Series != "real" || tx.Gap || tx.Sample != 3 || !tx.PerGPUHour.Equal(decimal.RequireFromString("1.2333")) || !tx.Index.Equal(decimal.NewFromInt(100)) {
		t.Errorf("transaction point %+v, want 3 orders at 1.2333, index 100", tx)
	}
	if posted.Gap || posted.Sample != 3 || !posted.PerGPUHour.Equal(decimal.RequireFromString("1.3")) || !posted.Median.Equal(decimal.RequireFromString("1.2")) ||
		!posted.PerPFLOPHour.Equal(decimal.RequireFromString("4.1667")) {
		t.Errorf("posted point %+v, want 3 offers, weighted 1.30, median 1.20, 4.1667 per PFLOP-hour", posted)
	}
	// The German consumer pays German VAT on top (19% in the baseline): landed 1.2333 × 1.19 = 1.4677.
	if l := res.Landed[0]; l.Gap || !l.PerGPUHour.Equal(decimal.RequireFromString("1.4677")) {
		t.Errorf("landed point %+v, want 1.4677", l)
	}
	oc, err := svc.OfferDetail(ctx, offers[1])
	if err != nil {
		t.Fatal(err)
	}
	line, ok, err := svc.OfferIndex(ctx, oc)
	if err != nil || !ok || !line.Percent.Equal(decimal.NewFromInt(15)) || line.Series != "real" || line.Sample != 3 {
		t.Errorf("offer line %+v %v %v, want 15%% above the real posted index of 3 offers", line, ok, err)
	}
}

// TestIndexOutlierThroughStore: an order far below the previous published week is recorded
// as an outlier (counted, not summed), and cancelling it takes the outlier out again.
func TestIndexOutlierThroughStore(t *testing.T) {
	ctx := context.Background()
	st := OpenTest(t)
	prev, week := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	obs := func(value string) priceindex.Observation {
		return priceindex.NewObservation(decimal.RequireFromString(value), decimal.NewFromInt(100), decimal.RequireFromString("312"))
	}
	add := func(id string, w time.Time, value string) {
		t.Helper()
		e := marketplace.IndexEntry{Series: "real", Class: "a100", Bloc: "EU", Week: w, Obs: obs(value)}
		if err := st.retryTx(ctx, func(tx *gorm.DB) error { return st.indexOrderTx(tx, id, e) }); err != nil {
			t.Fatal(err)
		}
	}
	// The reference week: three orders at 1.00 per GPU-hour. Band [1/3, 3].
	add("o1", prev, "100")
	add("o2", prev, "100")
	add("o3", prev, "100")
	add("cheap", week, "30")   // 0.30 < 0.3333: an outlier
	add("normal", week, "120") // 1.20: counts
	cells, err := st.IndexCells(ctx, marketplace.IndexCellQuery{Series: "real", Kind: "transaction", Class: "a100", From: week, To: week})
	if err != nil || len(cells) != 1 {
		t.Fatalf("cells %+v %v", cells, err)
	}
	if s := cells[0].Sums; s.Count != 1 || s.Outliers != 1 || !s.Value.Equal(decimal.NewFromInt(120)) {
		t.Errorf("week's cell %+v, want the 120 order counted and the 30 one an outlier", s)
	}
	if err := st.retryTx(ctx, func(tx *gorm.DB) error { return st.unindexOrderTx(tx, "cheap") }); err != nil {
		t.Fatal(err)
	}
	cells, _ = st.IndexCells(ctx, marketplace.IndexCellQuery{Series: "real", Kind: "transaction", Class: "a100", From: week, To: week})
	if s := cells[0].Sums; s.Count != 1 || s.Outliers != 0 || !s.Value.Equal(decimal.NewFromInt(120)) {
		t.Errorf("after un-indexing the outlier %+v", s)
	}
}
