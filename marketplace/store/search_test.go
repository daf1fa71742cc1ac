package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/marketplace/search"
)

// fixtureNotes are the offer notes of searchFixture: ASCII and CJK words, punctuation, LIKE
// wildcards, quotes and a backslash.
var fixtureNotes = []string{"", "liquid cooled", "400G RoCE", "100%_green", "液冷机柜，绿电", "InfiniBand NDR 'quoted' \\ back", "x"}

// searchFixture stores reference data, suppliers and n generated offers (prices with many
// ties across the three listing currencies) and returns a Service over st.
func searchFixture(tb testing.TB, st *Store, n int, seed uint64) (*marketplace.Service, []marketplace.Offer) {
	tb.Helper()
	ctx := context.Background()
	prov := marketplace.Provenance{Source: "test", AsOf: "2026-11-27", Confidence: marketplace.ConfidenceIllustrative}
	regions := []marketplace.Region{
		{Code: "cn-ningxia-zhongwei", Name: "Zhongwei", Country: "CN", Bloc: marketplace.BlocCN, Kind: "cluster", Provenance: prov},
		{Code: "cn-gansu-qingyang", Name: "Qingyang", Country: "CN", Bloc: marketplace.BlocCN, Kind: "cluster", Provenance: prov},
		{Code: "cn-guizhou-guian", Name: "Gui'an", Country: "CN", Bloc: marketplace.BlocCN, Kind: "cluster", Provenance: prov},
		{Code: "eu-fi-kajaani", Name: "Kajaani", Country: "FI", Bloc: marketplace.BlocEU, Kind: "ai_factory", Provenance: prov},
		{Code: "eu-de-julich", Name: "Jülich", Country: "DE", Bloc: marketplace.BlocEU, Kind: "ai_factory", Provenance: prov},
	}
	d := decimal.RequireFromString
	accs := []marketplace.Accelerator{
		{Model: "h100-sxm", Vendor: "NVIDIA", VendorCountry: "US", MemoryGB: d("80"), BF16TFLOPS: d("989"), TPP: d("15824"), Density: d("19.5"), Provenance: prov},
		{Model: "h20", Vendor: "NVIDIA", VendorCountry: "US", MemoryGB: d("96"), BF16TFLOPS: d("148"), TPP: d("2368"), Density: d("2.9"), Provenance: prov},
		{Model: "ascend-910b", Vendor: "Huawei", VendorCountry: "CN", MemoryGB: d("64"), BF16TFLOPS: d("320"), TPP: d("5120"), Density: d("8"), Provenance: prov},
		{Model: "mi300x", Vendor: "AMD", VendorCountry: "US", MemoryGB: d("192"), BF16TFLOPS: d("1307.4"), TPP: d("20917"), Density: d("11.5"), Provenance: prov},
		{Model: "mystery-npu", Vendor: "Acme", VendorCountry: "CN", MemoryGB: d("32"), Provenance: prov}, // no TFLOPS known
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	rates := []marketplace.FXRate{
		{Date: today, Currency: "USD", PerEUR: d("1.1562"), Source: "TEST"},
		{Date: today, Currency: "CNY", PerEUR: d("8.2473"), Source: "TEST"},
	}
	suppliers := []marketplace.Supplier{{ID: "sup-a", Name: "Alpha Compute", Country: "CN"}, {ID: "sup-b", Name: "Beta Liquid Cooling", Country: "FI"}}
	for _, err := range []error{
		func() error { _, err := st.PutRegions(ctx, regions); return err }(),
		func() error { _, err := st.PutAccelerators(ctx, accs); return err }(),
		func() error { _, err := st.PutFXRates(ctx, rates); return err }(),
		func() error { _, err := st.PutSuppliers(ctx, suppliers); return err }(),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(seed, 7))
	curs := []string{"CNY", "EUR", "USD"}
	pricings := []string{"on_demand", "reserved", "interruptible"}
	offers := make([]marketplace.Offer, n)
	for i := range offers {
		cur := curs[r.IntN(3)]
		// Few distinct prices so that ties (within and across currencies) are common.
		cents := int64(50 + r.IntN(40)*25)
		if cur == "CNY" {
			cents *= 8
		}
		from := today.AddDate(0, 0, r.IntN(60))
		offers[i] = marketplace.Offer{
			ID: fmt.Sprintf("off-%06d", i), SupplierID: suppliers[r.IntN(2)].ID, Region: regions[r.IntN(len(regions))].Code,
			Accelerator: accs[r.IntN(len(accs))].Model, Product: "gpu_hours", GPUs: 1 + r.IntN(64),
			Price: decimal.New(cents, -2), Currency: cur, Pricing: pricings[r.IntN(3)], AvailableFrom: from,
			AvailableUntil: from.AddDate(0, 6, 0), Status: marketplace.OfferActive, Version: 1,
			Note: fixtureNotes[r.IntN(len(fixtureNotes))],
		}
		if i%17 == 0 {
			offers[i].Status = marketplace.OfferWithdrawn
		}
	}
	for start := 0; start < len(offers); start += 5000 {
		if _, err := st.PutOffers(ctx, offers[start:min(start+5000, len(offers))]); err != nil {
			tb.Fatal(err)
		}
	}
	return marketplace.NewService(st, time.Now), offers
}

// TestSearchPagesMatchBruteForce pages through searches with a small limit and compares the
// concatenated pages with a brute-force evaluation of the same query over the generated offers.
// It runs twice: with the full-text candidates driving the query, and with so low a limit on
// them that common needles take the ordered scan with LIKE.
func TestSearchPagesMatchBruteForce(t *testing.T) {
	defer func(n, pg int) { maxDrivingCandidates, maxDrivingCandidatesPostgres = n, pg }(maxDrivingCandidates, maxDrivingCandidatesPostgres)
	stores := testStores(t)
	for _, driving := range []int{maxDrivingCandidates, 3} {
		maxDrivingCandidates, maxDrivingCandidatesPostgres = driving, driving
		for name, st := range stores {
			t.Run(fmt.Sprintf("%s/driving%d", name, driving), func(t *testing.T) { checkSearchPages(t, st) })
		}
	}
}

func checkSearchPages(t *testing.T, st *Store) {
	svc, offers := searchFixture(t, st, 700, 1)
	ctx := context.Background()
	snap, _, err := svc.FXOn(ctx, time.Now().UTC().Truncate(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	accTFLOPS := map[string]decimal.Decimal{"h100-sxm": decimal.RequireFromString("989"), "h20": decimal.RequireFromString("148"),
		"ascend-910b": decimal.RequireFromString("320"), "mi300x": decimal.RequireFromString("1307.4")}
	accTPP := map[string]int64{"h100-sxm": 15824, "h20": 2368, "ascend-910b": 5120, "mi300x": 20917}
	bloc := func(region string) string { return strings.ToUpper(region[:2]) }
	conv := func(o marketplace.Offer, to string) decimal.Decimal {
		u, err := snap.CrossRate(o.Currency, to)
		if err != nil {
			t.Fatal(err)
		}
		return o.Price.Mul(u.Rate)
	}
	type tc struct {
		q, sort string
		keep    func(o marketplace.Offer) bool
		cur     string
		empty   bool // the case checks that nothing matches
	}
	supplierName := map[string]string{"sup-a": "alpha compute", "sup-b": "beta liquid cooling"}
	hasText := func(o marketplace.Offer, needles ...string) bool {
		for _, n := range needles {
			if !strings.Contains(supplierName[o.SupplierID]+"\n"+strings.ToLower(o.Note), n) {
				return false
			}
		}
		return true
	}
	p := decimal.RequireFromString
	tests := []tc{
		{"", "price", func(o marketplace.Offer) bool { return true }, "EUR", false},
		{"", "-price", func(o marketplace.Offer) bool { return true }, "EUR", false},
		{"bloc=CN price<=2.5 currency=USD", "price", func(o marketplace.Offer) bool {
			return bloc(o.Region) == "CN" && conv(o, "USD").LessThanOrEqual(p("2.5"))
		}, "USD", false},
		{"accelerator in [h100-sxm,h20] gpus>=8 price>1.2 price<6", "-price", func(o marketplace.Offer) bool {
			return (o.Accelerator == "h100-sxm" || o.Accelerator == "h20") && o.GPUs >= 8 && conv(o, "EUR").GreaterThan(p("1.2")) && conv(o, "EUR").LessThan(p("6"))
		}, "EUR", false},
		{"tpp<4800 pricing=reserved currency=CNY", "price", func(o marketplace.Offer) bool {
			tpp, ok := accTPP[o.Accelerator]
			return (ok && tpp < 4800 || !ok) && o.Pricing == "reserved"
		}, "CNY", false},
		{"region notin [eu-fi-kajaani] listed_currency=USD", "gpus", func(o marketplace.Offer) bool {
			return o.Region != "eu-fi-kajaani" && o.Currency == "USD"
		}, "EUR", false},
		{`text~"LIQUID"`, "-available_from", func(o marketplace.Offer) bool {
			return o.SupplierID == "sup-b" || strings.Contains(o.Note, "liquid")
		}, "EUR", false},
		{`text~"100%_"`, "available_from", func(o marketplace.Offer) bool { return o.Note == "100%_green" }, "EUR", false},
		{"bf16_tflops>=300", "per_pflop_hour", func(o marketplace.Offer) bool {
			tf, ok := accTFLOPS[o.Accelerator]
			return ok && tf.GreaterThanOrEqual(p("300"))
		}, "EUR", false},
		{"", "-per_pflop_hour", func(o marketplace.Offer) bool { return true }, "EUR", false},
		{"price=1.25 currency=EUR", "price", func(o marketplace.Offer) bool { return conv(o, "EUR").Equal(p("1.25")) }, "EUR", false},
		// Free text: trigrams, prefixes of one and two runes, runs across spaces and lines,
		// CJK, quotes and backslashes, several needles, and needles that match nothing.
		{`text~"液冷"`, "price", func(o marketplace.Offer) bool { return hasText(o, "液冷") }, "EUR", false},
		{`text~"冷机柜，绿"`, "gpus", func(o marketplace.Offer) bool { return hasText(o, "冷机柜，绿") }, "EUR", false},
		{`text~"绿"`, "-gpus", func(o marketplace.Offer) bool { return hasText(o, "绿") }, "EUR", false},
		{`text~"Q"`, "price", func(o marketplace.Offer) bool { return hasText(o, "q") }, "EUR", false},
		{`text~"nd"`, "-price", func(o marketplace.Offer) bool { return hasText(o, "nd") }, "EUR", false},
		{`text~"x"`, "available_from", func(o marketplace.Offer) bool { return hasText(o, "x") }, "EUR", false},
		{`text~"ha c"`, "price", func(o marketplace.Offer) bool { return hasText(o, "ha c") }, "EUR", false},
		{`text~"ing\\"`, "price", func(o marketplace.Offer) bool { return false }, "EUR", true},
		{`text~"'quoted' \\ b"`, "price", func(o marketplace.Offer) bool { return hasText(o, `'quoted' \ b`) }, "EUR", false},
		{`text~"cooled" text~"liquid" bloc=EU`, "per_pflop_hour", func(o marketplace.Offer) bool {
			return hasText(o, "cooled", "liquid") && bloc(o.Region) == "EU"
		}, "EUR", false},
		{`text~"roce" pricing=reserved region in [eu-fi-kajaani,cn-gansu-qingyang]`, "-gpus", func(o marketplace.Offer) bool {
			return hasText(o, "roce") && o.Pricing == "reserved" && (o.Region == "eu-fi-kajaani" || o.Region == "cn-gansu-qingyang")
		}, "EUR", false},
		{`text~"no such phrase"`, "price", func(o marketplace.Offer) bool { return false }, "EUR", true},
		{`text~"qz"`, "gpus", func(o marketplace.Offer) bool { return false }, "EUR", true},
		{`text~"液冷" text~"roce"`, "price", func(o marketplace.Offer) bool { return false }, "EUR", true},
		// Region sets: one stream per region, for every sort key.
		{"region in [cn-ningxia-zhongwei,eu-de-julich] pricing=reserved", "gpus", func(o marketplace.Offer) bool {
			return (o.Region == "cn-ningxia-zhongwei" || o.Region == "eu-de-julich") && o.Pricing == "reserved"
		}, "EUR", false},
		{"region=eu-fi-kajaani", "-available_from", func(o marketplace.Offer) bool { return o.Region == "eu-fi-kajaani" }, "EUR", false},
		{"region in [cn-gansu-qingyang,cn-guizhou-guian,eu-de-julich] price<3 currency=USD", "-per_pflop_hour", func(o marketplace.Offer) bool {
			return (o.Region == "cn-gansu-qingyang" || o.Region == "cn-guizhou-guian" || o.Region == "eu-de-julich") && conv(o, "USD").LessThan(p("3"))
		}, "USD", false},
		{"region in [cn-gansu-qingyang,eu-de-julich] accelerator=h20", "price", func(o marketplace.Offer) bool {
			return (o.Region == "cn-gansu-qingyang" || o.Region == "eu-de-julich") && o.Accelerator == "h20"
		}, "EUR", false},
	}
	for _, c := range tests {
		var want []string
		type row struct {
			id  string
			key decimal.Decimal
		}
		var rows []row
		srt, err := search.ParseSort(c.sort)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range offers {
			if o.Status != marketplace.OfferActive || !c.keep(o) {
				continue
			}
			var k decimal.Decimal
			switch srt.Key {
			case "price":
				k = conv(o, c.cur)
			case "per_pflop_hour":
				u, _ := snap.CrossRate(o.Currency, c.cur)
				k = decimal.NewFromInt(search.PerPFLOPMicros(o.Price, accTFLOPS[o.Accelerator])).Mul(u.Rate)
			case "gpus":
				k = decimal.NewFromInt(int64(o.GPUs))
			case "available_from":
				k = decimal.NewFromInt(o.AvailableFrom.Unix())
			}
			rows = append(rows, row{o.ID, k})
		}
		sort.Slice(rows, func(i, j int) bool {
			if c := rows[i].key.Cmp(rows[j].key); c != 0 {
				return (c < 0) != srt.Desc
			}
			return rows[i].id < rows[j].id
		})
		for _, r := range rows {
			want = append(want, r.id)
		}
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 1000 {
				t.Fatalf("%q: pagination does not end", c.q)
			}
			page, err := svc.SearchOffers(ctx, marketplace.SearchRequest{Q: c.q, Sort: c.sort, Limit: 7, Cursor: cursor})
			if err != nil {
				t.Fatalf("%q sort=%s: %v", c.q, c.sort, err)
			}
			for _, h := range page.Hits {
				got = append(got, h.ID)
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		if (len(want) == 0) != c.empty {
			t.Fatalf("%q: the fixture matches %d offers; the case tests nothing", c.q, len(want))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%q sort=%s: got %d offers, want %d\n got  %.200v\n want %.200v", c.q, c.sort, len(got), len(want), got, want)
		}
	}
}
