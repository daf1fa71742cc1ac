package priceindex

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWeekOf(t *testing.T) {
	for _, tt := range []struct{ at, monday, label string }{
		{"2026-12-01T17:31:00Z", "2026-11-30", "2026-W49"},      // a Tuesday
		{"2026-11-30T00:00:00Z", "2026-11-30", "2026-W49"},      // the Monday itself
		{"2026-12-06T23:59:59Z", "2026-11-30", "2026-W49"},      // the Sunday
		{"2027-01-01T08:00:00Z", "2026-12-28", "2026-W53"},      // 2026 has 53 ISO weeks
		{"2026-12-31T23:00:00-05:00", "2026-12-28", "2026-W53"}, // 2027-01-01 04:00 UTC: still Monday 28 Dec
	} {
		at, _ := time.Parse(time.RFC3339, tt.at)
		w := WeekOf(at)
		if got := w.Format(time.DateOnly); got != tt.monday || WeekLabel(w) != tt.label {
			t.Errorf("WeekOf(%s) = %s %s, want %s %s", tt.at, got, WeekLabel(w), tt.monday, tt.label)
		}
	}
}

// order is an H100-class order: value EUR over GPU-hours of an accelerator with TFLOPS.
func order(value, hours, tflops string) Observation {
	return NewObservation(d(value), d(hours), d(tflops))
}

// TestWorkedIndex: a small order set of one class and bloc, its weighted means and chain by
// hand.
//
// Week 1 (2026-06-01), three orders:
//
//	A  800 GPU-h of H100 SXM (989.4 TFLOPS)  EUR 1600.00  (2.00/h)  PFLOP-h  800 × 989.4 ÷ 1000 = 791.52
//	B  200 GPU-h of H100 PCIe (756 TFLOPS)   EUR  500.00  (2.50/h)  PFLOP-h  200 × 756 ÷ 1000   = 151.2
//	C 1000 GPU-h of H100 SXM                 EUR 2200.00  (2.20/h)  PFLOP-h                      989.4
//	Σ value 4300, Σ GPU-h 2000, Σ PFLOP-h 1932.12
//	per GPU-hour   4300 ÷ 2000    = 2.15     (not the plain mean of 2.00, 2.50, 2.20 = 2.2333)
//	per PFLOP-hour 4300 ÷ 1932.12 = 2.225535… → 2.2255
//	index 100 (the first week with data)
//
// Week 2: two orders (fewer than MinSample = 3): a gap, sample 2, no price, no index.
//
// Week 3: the screen's reference is week 1 (the latest published week): 2.15, band
// [2.15 ÷ 3, 2.15 × 3] = [0.7166…, 6.45]. Orders 1000 h EUR 2000 (2.00), 500 h EUR 1150 (2.30),
// 500 h EUR 1250 (2.50) pass; 100 h EUR 50 (0.50) is an outlier, left out.
//
//	Σ value 4400, Σ GPU-h 2000 → 2.20; sample 3, outliers 1
//	index 100 × 2.20 ÷ 2.15 = 102.3255… → 102.33 (the gap week does not break the chain)
//
// Week 4: 1000 h EUR 2300, 1000 h EUR 2200, 1000 h EUR 2400 → 6900 ÷ 3000 = 2.30
//
//	link 2.30 ÷ 2.20; index 100 × 2.20/2.15 × 2.30/2.20 = 100 × 2.30 ÷ 2.15 = 106.9767… → 106.98
func TestWorkedIndex(t *testing.T) {
	const sxm, pcie = "989.4", "756"
	weeks := map[string][]Observation{
		"2026-06-01": {order("1600", "800", sxm), order("500", "200", pcie), order("2200", "1000", sxm)},
		"2026-06-08": {order("1000", "400", sxm), order("900", "400", sxm)},
		"2026-06-15": {order("2000", "1000", sxm), order("1150", "500", sxm), order("50", "100", sxm), order("1250", "500", sxm)},
		"2026-06-22": {order("2300", "1000", sxm), order("2200", "1000", sxm), order("2400", "1000", sxm)},
	}
	var cells []Cell
	var ref Sums // the latest published week before the one being filled
	for _, w := range []string{"2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22"} {
		var s Sums
		for _, o := range weeks[w] {
			s = s.Add(o, Outlier(o, ref))
		}
		cells = append(cells, Cell{Week: day(w), Stratum: "CN", Sums: s})
		if s.Published() {
			ref = s
		}
	}
	got := Series(cells, day("2026-06-03"), day("2026-06-28"))
	want := []struct {
		week               string
		sample, outliers   int
		gap                bool
		perGPUH, perPFLOPH string
		index              string
	}{
		{"2026-06-01", 3, 0, false, "2.15", "2.2255", "100"},
		{"2026-06-08", 2, 0, true, "0", "0", "0"},
		// PFLOP-h: 2000 GPU-h of SXM × 989.4 ÷ 1000 = 1978.8; 4400 ÷ 1978.8 = 2.2235698… → 2.2236
		{"2026-06-15", 3, 1, false, "2.2", "2.2236", "102.33"},
		// PFLOP-h: 3000 × 989.4 ÷ 1000 = 2968.2; 6900 ÷ 2968.2 = 2.3246411… → 2.3246
		{"2026-06-22", 3, 0, false, "2.3", "2.3246", "106.98"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d points, want %d", len(got), len(want))
	}
	for i, w := range want {
		p := got[i]
		if p.Week.Format(time.DateOnly) != w.week || p.Sample != w.sample || p.Outliers != w.outliers || p.Gap != w.gap ||
			!p.PerGPUHour.Equal(d(w.perGPUH)) || !p.PerPFLOPHour.Equal(d(w.perPFLOPH)) || !p.Index.Equal(d(w.index)) {
			t.Errorf("week %s: got sample %d outliers %d gap %v per GPU-h %s per PFLOP-h %s index %s; want %+v",
				p.Week.Format(time.DateOnly), p.Sample, p.Outliers, p.Gap, p.PerGPUHour, p.PerPFLOPHour, p.Index, w)
		}
	}
}

// TestChainTwoStrata: with two blocs the link weights each bloc's price change by its
// earlier week's GPU-hours (Laspeyres), so a shift of volume to the dearer bloc does not move
// the index.
//
//	week 1  CN 4300 / 2000 h = 2.15   EU 3000 / 1000 h = 3.00
//	week 2  CN 4400 / 2000 h = 2.20   EU 9300 / 3000 h = 3.10
//	link = (2000 × 2.20 + 1000 × 3.10) ÷ (4300 + 3000) = 7500 ÷ 7300 = 1.0273972… → index 102.74
//	(the overall mean moves from 7300/3000 = 2.4333 to 13700/5000 = 2.74, +12.6%, by mix alone)
func TestChainTwoStrata(t *testing.T) {
	s := func(v, q string) Sums { return Sums{Value: d(v), GPUHours: d(q), PFLOPHours: d(q), Count: 3} }
	cells := []Cell{
		{Week: day("2026-06-01"), Stratum: "CN", Sums: s("4300", "2000")},
		{Week: day("2026-06-01"), Stratum: "EU", Sums: s("3000", "1000")},
		{Week: day("2026-06-08"), Stratum: "EU", Sums: s("9300", "3000")},
		{Week: day("2026-06-08"), Stratum: "CN", Sums: s("4400", "2000")},
	}
	got := Series(cells, day("2026-06-01"), day("2026-06-08"))
	if !got[0].Index.Equal(d("100")) || !got[1].Index.Equal(d("102.74")) {
		t.Errorf("index %s, %s; want 100, 102.74", got[0].Index, got[1].Index)
	}
	if got[1].Sample != 6 || !got[1].PerGPUHour.Equal(d("2.74")) {
		t.Errorf("week 2: sample %d, mean %s; want 6, 2.74 (13700 ÷ 5000)", got[1].Sample, got[1].PerGPUHour)
	}
}

// TestAddSubInverse: cancelling an order takes the cell back to exactly where it was.
func TestAddSubInverse(t *testing.T) {
	var s Sums
	a, b := order("1600", "800", "989.4"), order("0.333", "7", "756")
	s = s.Add(a, false).Add(b, false).Add(a, true)
	back := s.Sub(b, false).Sub(a, true)
	if !back.Value.Equal(d("1600")) || !back.GPUHours.Equal(d("800")) || !back.PFLOPHours.Equal(d("791.52")) || !back.PFLOPValue.Equal(d("1600")) || back.Count != 1 || back.Outliers != 0 {
		t.Errorf("after add and sub: %+v", back)
	}
}

func TestOutlierBand(t *testing.T) {
	ref := Sums{Value: d("300"), GPUHours: d("100"), Count: 3} // mean 3.00: band [1.00, 9.00]
	for _, tt := range []struct {
		value string
		want  bool
	}{{"100", false}, {"99.99", true}, {"900", false}, {"900.01", true}, {"0", true}} {
		if got := Outlier(order(tt.value, "100", "0"), ref); got != tt.want {
			t.Errorf("%s over 100 h against 3.00: outlier %v, want %v", tt.value, got, tt.want)
		}
	}
	if Outlier(order("1", "100", "0"), Sums{Value: d("300"), GPUHours: d("100"), Count: 2}) {
		t.Error("an unpublished reference (2 orders) screened an order out")
	}
}

func TestMedianAndRatio(t *testing.T) {
	if got := Median([]decimal.Decimal{d("3"), d("1"), d("2.5")}); !got.Equal(d("2.5")) {
		t.Errorf("median of 3, 1, 2.5 = %s", got)
	}
	if got := Median([]decimal.Decimal{d("3"), d("1"), d("2"), d("2.5")}); !got.Equal(d("2.25")) {
		t.Errorf("median of 1, 2, 2.5, 3 = %s, want (2 + 2.5) ÷ 2 = 2.25", got)
	}
	// 1.76 against 2.00: (1.76 − 2) ÷ 2 = −12%.
	if got := Ratio(d("1.76"), d("2")); !got.Equal(d("-12")) {
		t.Errorf("ratio = %s, want -12", got)
	}
}

func TestClassOf(t *testing.T) {
	for model, want := range map[string]string{"h100-sxm": "h100", "h800-sxm": "h100", "a800-sxm-80gb": "a100", "ascend-910c": "ascend910", "nope": ClassOther} {
		if got := ClassOf(model); got != want {
			t.Errorf("ClassOf(%s) = %s, want %s", model, got, want)
		}
	}
}

// TestPerPFLOPHourOnlyKnownThroughput: an order of an accelerator without a published BF16
// figure counts in the price per GPU-hour but not in the price per PFLOP-hour.
//
//	800 GPU-h of H100 SXM (989.4 TFLOPS) EUR 1600  → 791.52 PFLOP-h
//	200 GPU-h of a model with no BF16 figure EUR 300 → no PFLOP-hours
//	per GPU-hour   (1600 + 300) ÷ (800 + 200) = 1.90
//	per PFLOP-hour 1600 ÷ 791.52 = 2.021427… → 2.0214 (not 1900 ÷ 791.52 = 2.4005)
func TestPerPFLOPHourOnlyKnownThroughput(t *testing.T) {
	var s Sums
	s = s.Add(order("1600", "800", "989.4"), false).Add(order("300", "200", "0"), false)
	if !s.PerGPUHour().Equal(d("1.9")) || !s.PerPFLOPHour().Equal(d("2.0214")) {
		t.Errorf("per GPU-hour %s, per PFLOP-hour %s; want 1.90, 2.0214", s.PerGPUHour(), s.PerPFLOPHour())
	}
}
