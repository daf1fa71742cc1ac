package whatif_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/pricing/whatif"
	"corridor/tariff"
)

// A German business compares H100 hours in Zhongwei (CNY 15.00) and Kajaani (EUR 2.10) while
// a scenario's EU levy on Chinese compute is swept from 0% to 30%: Kajaani becomes the cheaper
// source at 12%.
func ExampleEvaluate() {
	policyDoc, _ := os.ReadFile("testdata/policy.yaml")
	base, _ := tariff.ParsePolicy("policy.yaml", policyDoc)
	scenarioDoc, _ := os.ReadFile("testdata/scenario-levy.yaml")
	sc, _ := tariff.ParseScenario("scenario-levy.yaml", scenarioDoc)
	levy, _ := sc.Apply(base)

	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	fx, _ := pricing.NewRateTable(pricing.Rate{Currency: "CNY", PerEUR: decimal.RequireFromString("8.0000"), Date: day, Source: pricing.SourceECB}).On(day)

	rows, _ := whatif.ParseBasket("basket.csv", strings.NewReader(
		"buyer_country,buyer_type,accelerator,origin,product,quantity,gpus,price,currency\n"+
			"DE,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760,8,15.00,CNY\n"+
			"DE,business,h100-sxm,eu-fi-kajaani,gpu_hours,5760,8,2.10,EUR\n"),
		whatif.RequestLimits{MaxGPUs: 100_000, MaxHours: 87_600})
	// The caller resolves each row's region and accelerator (here by hand).
	regions := map[string][2]string{"cn-ningxia-zhongwei": {"CN", "CN"}, "eu-fi-kajaani": {"FI", "EU"}}
	var flows []whatif.Flow
	for _, r := range rows {
		terms := pricing.OfferTerms{ID: fmt.Sprintf("basket-row-%d", r.Row), Product: r.Product, Origin: regions[r.Origin][0],
			Region: r.Origin, Bloc: regions[r.Origin][1], Accelerator: tariff.Accelerator{Model: r.Accelerator, VendorCountry: "US"}}
		flows = append(flows, r.Flow(terms))
	}
	sweep, _ := whatif.ParseSweep("eu-levy-cn.rate=0%..30% step 5%")

	res, err := whatif.Evaluate(context.Background(), &whatif.Study{
		AsOf: day, Currency: "EUR", FX: fx,
		Baseline:  whatif.Scenario{ID: "baseline", Policy: base},
		Scenarios: []whatif.Scenario{{ID: sc.ID, Title: sc.Title, Policy: levy}},
		Sweep:     &sweep, Flows: flows,
	}, whatif.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range res.Breakpoints {
		fmt.Printf("%s: %s → %s at %s (%s, between %s and %s)\n", b.Need, b.From, b.To, b.At, b.Method, b.Low, b.High)
	}
	// Output:
	// DE business · h100-sxm · 5760 GPU-h: cn-ningxia-zhongwei → eu-fi-kajaani at 12% (solved, between 10% and 15%)
}
