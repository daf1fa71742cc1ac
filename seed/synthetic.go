package seed

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
)

// syntheticSuppliers are the invented suppliers of SyntheticMarket (names only; every one is
// marked demo).
var syntheticSuppliers = []struct{ name, country string }{
	{"Zhongwei Synthetic Compute Co. (demo)", "CN"},
	{"Qingyang Synthetic Cloud Ltd. (demo)", "CN"},
	{"Gui'an Synthetic DataWorks Ltd. (demo)", "CN"},
	{"Horinger Liquid Cooling Synthetic Co. (demo)", "CN"},
	{"Shaoguan Synthetic GPU Hosting Co. (demo)", "CN"},
	{"Wuhu Synthetic Intelligent Computing Ltd. (demo)", "CN"},
	{"Kajaani Synthetic Compute Oy (demo)", "FI"},
	{"Jülich Synthetic Cloud GmbH (demo)", "DE"},
	{"Bologna Synthetic HPC S.r.l. (demo)", "IT"},
	{"Barcelona Synthetic Compute S.L. (demo)", "ES"},
	{"Ostrava Synthetic Cloud s.r.o. (demo)", "CZ"},
	{"Luxembourg Synthetic AI Factory S.A. (demo)", "LU"},
}

// syntheticNotes are offer notes in English and Chinese (some empty), so that free-text search
// has common words, rare words and CJK text to find.
var syntheticNotes = []string{
	"", "", "",
	"liquid cooled racks, 400G RoCE fabric",
	"InfiniBand NDR 400G, non-blocking fat tree",
	"air cooled; green power PPA",
	"bare-metal nodes with local NVMe",
	"液冷机柜，东数西算枢纽节点",
	"绿电直供，PUE 1.15",
	"spot capacity, may be preempted with 30 minutes notice",
	"reserved blocks of 64 GPUs; 100%_green tariff",
	"ISO 27001 certified data hall",
}

// SyntheticMarket generates an illustrative market of n active offers for benchmarks and the
// bench harness: twelve invented suppliers (marked demo), every seeded region and accelerator,
// the three listing currencies (mostly CNY in China and EUR in Europe, a quarter in USD),
// the three pricing models, and windows starting within 60 days of from. Prices follow each
// accelerator's dense BF16 throughput (0.30 EUR + 2 EUR per PFLOPS per GPU-hour, ±25 %,
// converted at round illustrative rates): plausible orders of magnitude, not market data. The
// same n, rngSeed and from give the same market.
func SyntheticMarket(n int, rngSeed uint64, from time.Time) ([]marketplace.Supplier, []marketplace.Offer, error) {
	regions, err := Regions()
	if err != nil {
		return nil, nil, err
	}
	accels, err := Accelerators()
	if err != nil {
		return nil, nil, err
	}
	suppliers := make([]marketplace.Supplier, len(syntheticSuppliers))
	for i, s := range syntheticSuppliers {
		suppliers[i] = marketplace.Supplier{ID: fmt.Sprintf("syn-sup-%02d", i+1), Name: s.name, Country: s.country, Demo: true, CreatedAt: from}
	}
	r := rand.New(rand.NewPCG(rngSeed, 0x5eed))
	perEUR := map[string]decimal.Decimal{"EUR": decimal.NewFromInt(1), "CNY": decimal.RequireFromString("8.2"), "USD": decimal.RequireFromString("1.16")}
	pick := func(weights ...int) int {
		total := 0
		for _, w := range weights {
			total += w
		}
		x := r.IntN(total)
		for i, w := range weights {
			if x < w {
				return i
			}
			x -= w
		}
		return len(weights) - 1
	}
	day := from.UTC().Truncate(24 * time.Hour)
	offers := make([]marketplace.Offer, n)
	for i := range offers {
		reg := regions[r.IntN(len(regions))]
		acc := accels[r.IntN(len(accels))]
		cur := []string{"EUR", "USD", "CNY"}[pick(70, 25, 5)]
		if reg.Bloc == marketplace.BlocCN {
			cur = []string{"CNY", "USD", "EUR"}[pick(70, 25, 5)]
		}
		eur := decimal.RequireFromString("0.9")
		if acc.BF16TFLOPS.IsPositive() {
			eur = decimal.RequireFromString("0.30").Add(acc.BF16TFLOPS.Mul(decimal.RequireFromString("0.002")))
		}
		eur = eur.Mul(decimal.New(int64(75+r.IntN(51)), -2)) // ±25 % in 1 % steps
		price := eur.Mul(perEUR[cur]).Round(2)
		if !price.IsPositive() {
			price = decimal.New(1, -2)
		}
		o := marketplace.Offer{
			ID:          fmt.Sprintf("syn-offer-%07d", i+1),
			SupplierID:  suppliers[r.IntN(len(suppliers))].ID,
			Region:      reg.Code,
			Accelerator: acc.Model,
			Product:     []string{"gpu_hours", "bare_metal"}[pick(85, 15)],
			GPUs:        []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}[r.IntN(10)],
			Price:       price,
			Currency:    cur,
			Pricing:     []string{"on_demand", "reserved", "interruptible"}[pick(50, 30, 20)],
			MinHours:    []int{1, 24, 168, 720}[r.IntN(4)],
			Note:        syntheticNotes[r.IntN(len(syntheticNotes))],
			Status:      marketplace.OfferActive,
			Version:     1,
			Demo:        true,
			CreatedAt:   from,
			UpdatedAt:   from,
		}
		if o.Pricing == "reserved" {
			o.TermMonths = []int{12, 24, 36}[r.IntN(3)]
		}
		if r.IntN(4) == 0 {
			o.Tiers = []marketplace.Tier{{MinGPUHours: decimal.NewFromInt(10000), Discount: decimal.RequireFromString("0.05")}}
		}
		o.AvailableFrom = day.AddDate(0, 0, r.IntN(60))
		o.AvailableUntil = o.AvailableFrom.AddDate(0, 3+r.IntN(22), 0)
		offers[i] = o
	}
	return suppliers, offers, nil
}
