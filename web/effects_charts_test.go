package web

import (
	"strings"
	"testing"

	"corridor/pricing/effects"
)

// TestEffectsCharts draws the two-source case (CN 100 cut from 10% to 0%, US 300 at 10%,
// collected by DE) with the chart library: the figures on the charts and in their tables are
// the API's own rounded figures.
func TestEffectsCharts(t *testing.T) {
	res, err := Effects(effects.Request{Flows: []effects.FlowRequest{
		{Source: "CN", Value: "100", WedgeBefore: "10%", WedgeAfter: "0%", Collector: "DE"},
		{Source: "US", Value: "300", WedgeBefore: "10%", WedgeAfter: "10%", Collector: "DE"},
	}, ImportDemandElasticity: "-1.5", Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	trade, welfare := EffectsCharts(res, EnglishEffectsChartLabels)
	// CN: creation 13.64, diversion 9.89, total 23.53; US: 0.00, −9.89, −9.89. Infinite
	// export supply: no price-effect series.
	tt := trade.Table()
	if got := strings.Join(tt.Header, "|"); got != "Source|Trade creation|Trade diversion|Total effect" {
		t.Errorf("trade header = %s", got)
	}
	if a, b := strings.Join(tt.Rows[0], "|"), strings.Join(tt.Rows[1], "|"); a != "CN|13.64|9.89|23.53" || b != "US|0.00|-9.89|-9.89" {
		t.Errorf("trade rows = %s / %s", a, b)
	}
	// Revenue DE −10.99; consumer surplus 11.18; welfare 11.18 − 10.99 = 0.19.
	wt := welfare.Table()
	var rows []string
	for _, r := range wt.Rows {
		rows = append(rows, strings.Join(r, "|"))
	}
	if got := strings.Join(rows, "; "); got != "Revenue change (DE)|-10.99; Consumer surplus|11.18; Welfare|0.19" {
		t.Errorf("welfare rows = %s", got)
	}
	for _, c := range []interface{ SVG() ([]byte, error) }{trade, welfare} {
		svg, err := c.SVG()
		if err != nil || !strings.Contains(string(svg), "<title id=\"effects-") {
			t.Errorf("svg: %v %.200s", err, svg)
		}
	}
	ts, _ := trade.SVG()
	if !strings.Contains(string(ts), ">23.53<") || !strings.Contains(string(ts), ">EUR<") {
		t.Errorf("the trade chart lacks the total or the unit")
	}

	// A finite export-supply elasticity adds the price effect.
	res, _ = Effects(effects.Request{Flows: []effects.FlowRequest{{Source: "CN", Value: "100", WedgeBefore: "10%", WedgeAfter: "0%"}},
		ExportSupplyElasticity: "3", Currency: "EUR"})
	trade, welfare = EffectsCharts(res, EnglishEffectsChartLabels)
	// Creation 100/11 = 9.09, price effect 400/121 = 3.31, total 12.40; no collector: one
	// revenue bar, −10.00.
	if got := strings.Join(trade.Table().Rows[0], "|"); got != "CN|9.09|0.00|3.31|12.40" {
		t.Errorf("finite supply row = %s", got)
	}
	if got := strings.Join(welfare.Table().Rows[0], "|"); got != "Revenue change|-10.00" {
		t.Errorf("revenue row = %s", got)
	}
}
