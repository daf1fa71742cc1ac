package seed

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing/priceindex"
)

// DemoIndexWeeks is the length of the demo market's price-index history.
const DemoIndexWeeks = 26

// demoIndexCell is one class and bloc of the demo history with its invented starting price
// per GPU-hour in EUR (illustrative: of the order of public cloud list prices, not a
// measurement) and its drift per week in basis points.
type demoIndexCell struct {
	class    string
	bloc     marketplace.Bloc
	base     string
	driftBps int64
}

var demoIndexCells = []demoIndexCell{
	{"h100", marketplace.BlocCN, "1.85", -40}, {"h100", marketplace.BlocEU, "2.60", -30}, {"h100", marketplace.BlocNonEU, "2.90", -25},
	{"h200", marketplace.BlocEU, "3.40", -20}, {"b200", marketplace.BlocEU, "4.80", -50},
	{"a100", marketplace.BlocCN, "0.95", -20}, {"a100", marketplace.BlocEU, "1.45", -25},
	{"china-sku", marketplace.BlocCN, "0.80", -10}, {"l40s", marketplace.BlocEU, "0.95", -15},
	{"mi300", marketplace.BlocEU, "2.20", -35}, {"ascend910", marketplace.BlocCN, "1.10", 10},
	{"cn-other", marketplace.BlocCN, "0.55", 0},
}

// DemoIndexHistory returns the generator of the demo market's price-index history: for the
// DemoIndexWeeks weeks before lastWeek, a few invented orders a week per class and bloc of
// demoIndexCells (the demo series' transaction index) and one posted cell a week (its posted
// index). It is deterministic: the same lastWeek gives the same history (a fixed random
// seed). Some weeks deliberately have fewer orders than the minimum sample (gaps), and one
// order is far below its week's price (the outlier screen at work). Everything is illustrative
// and belongs to the demo series only.
func DemoIndexHistory(accs []marketplace.Accelerator) func(lastWeek time.Time) ([]marketplace.IndexEntry, []marketplace.IndexCell) {
	tflops := map[string]decimal.Decimal{}
	for _, a := range accs {
		tflops[a.Model] = a.BF16TFLOPS
	}
	return func(lastWeek time.Time) ([]marketplace.IndexEntry, []marketplace.IndexCell) {
		rng := rand.New(rand.NewPCG(2026, 11))
		gpuChoices := []int64{8, 16, 32, 64}
		hourChoices := []int64{24, 72, 168, 336}
		var entries []marketplace.IndexEntry
		var posted []marketplace.IndexCell
		first := priceindex.WeekOf(lastWeek).AddDate(0, 0, -7*DemoIndexWeeks)
		for wi := 0; wi < DemoIndexWeeks; wi++ {
			week := first.AddDate(0, 0, 7*wi)
			for ci, c := range demoIndexCells {
				class, _ := priceindex.LookupClass(c.class)
				// price = base × (1 + drift × weeks) , drift in basis points
				trend := decimal.New(10000+c.driftBps*int64(wi), -4)
				level := decimal.RequireFromString(c.base).Mul(trend)
				n := 3 + rng.IntN(6)
				if (wi+ci)%11 == 7 {
					n = 2 // below the minimum sample: a gap
				}
				for k := 0; k < n; k++ {
					model := class.Models[k%len(class.Models)]
					noise := decimal.New(int64(10000+rng.IntN(1201)-600), -4) // ±6%
					price := level.Mul(noise).Round(4)
					if wi == 17 && c.class == "h100" && c.bloc == marketplace.BlocCN && k == 0 {
						price = price.Div(decimal.NewFromInt(5)).Round(4) // an outlier: a fifth of the going price
					}
					gpuHours := decimal.NewFromInt(gpuChoices[rng.IntN(len(gpuChoices))] * hourChoices[rng.IntN(len(hourChoices))])
					entries = append(entries, marketplace.IndexEntry{
						OrderID: fmt.Sprintf("demo-idx-%s-%s-%s-%d", week.Format("20060102"), c.class, c.bloc, k),
						Series:  marketplace.IndexDemo, Class: c.class, Bloc: c.bloc, Week: week,
						Obs: priceindex.NewObservation(price.Mul(gpuHours), gpuHours, tflops[model]),
					})
				}
				// The posted cell: 4 to 9 offers asking about 8% over the going price.
				var s priceindex.Sums
				var asks []decimal.Decimal
				for k := 0; k < 4+rng.IntN(6); k++ {
					model := class.Models[k%len(class.Models)]
					ask := level.Mul(decimal.New(int64(10800+rng.IntN(1001)-500), -4)).Round(4)
					gpus := decimal.NewFromInt(gpuChoices[rng.IntN(len(gpuChoices))] * 4)
					s = s.Add(priceindex.NewObservation(ask.Mul(gpus), gpus, tflops[model]), false)
					asks = append(asks, ask)
				}
				posted = append(posted, marketplace.IndexCell{Series: marketplace.IndexDemo, Kind: marketplace.IndexPosted, Class: c.class, Bloc: c.bloc,
					Week: week, Sums: s, Median: priceindex.Median(asks), RefreshedAt: week.AddDate(0, 0, 7).Add(-time.Second)})
			}
		}
		return entries, posted
	}
}
