package main

import (
	"bytes"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing/whatif"
)

// workedEffects is the trade-effects section of the what-if engine's worked study
// (pricing/whatif TestTradeEffectsWorked, where the arithmetic is): German consumers buy from
// Zhongwei (CN, EUR 10,800.00) and Kajaani (EU, EUR 11,520.00); the scenario adds a 10% EU
// levy on Chinese compute.
func workedEffects(t *testing.T) marketplace.StudyEffects {
	t.Helper()
	d := decimal.RequireFromString
	r := &whatif.Result{Currency: "EUR", Scenarios: []whatif.ScenarioInfo{{ID: "baseline"}, {ID: "levy"}},
		Trade: []whatif.TradeCell{
			{Scenario: "levy", BuyerCountry: "DE", Origin: "cn-ningxia-zhongwei", Bloc: "CN", Flows: 1, SupplierValue: d("10800.00"),
				BaselineLanded: d("12852.00"), Landed: d("13932.00"), GPUHours: d("5760"),
				Wedges: []whatif.JurisdictionWedge{{Jurisdiction: "DE", Baseline: d("2052.00"), Scenario: d("2052.00")}, {Jurisdiction: "EU", Baseline: d("0.00"), Scenario: d("1080.00")}}},
			{Scenario: "levy", BuyerCountry: "DE", Origin: "eu-fi-kajaani", Bloc: "EU", Flows: 1, SupplierValue: d("11520.00"),
				BaselineLanded: d("13708.80"), Landed: d("13708.80"), GPUHours: d("5760"),
				Wedges: []whatif.JurisdictionWedge{{Jurisdiction: "DE", Baseline: d("2188.80"), Scenario: d("2188.80")}}},
		}}
	m := whatif.Market{Code: "DE", Countries: []string{"DE"}}
	runs, err := r.TradeEffects(whatif.EffectsSpec{Market: m, SourcesBy: whatif.SourcesByBloc})
	if err != nil {
		t.Fatal(err)
	}
	return marketplace.StudyEffects{StudyID: "st_0123456789abcdef0123456789abcdef", Currency: "EUR", Market: m, Runs: runs}
}

func TestWriteStudyEffects(t *testing.T) {
	se := workedEffects(t)
	for _, c := range []struct {
		format string
		want   []string
	}{
		{"table", []string{"Scenario levy: trade effects on market DE (DE), sources by bloc", "-1,361.34", "-611.46", "611.46", "-357.29", "EU", "882.72"}},
		{"csv", []string{"scenario,market,sources_by,kind,source,", "levy,DE,bloc,source,CN,,19%,29%,10800.00,-1361.34,-611.46,0.00,-1972.80", "levy,DE,bloc,total,"}},
		{"json", []string{`"market": "DE"`, `"trade_diversion": "611.46"`, `"welfare_change": "-357.29"`}},
	} {
		var b bytes.Buffer
		if err := writeStudyEffects(&b, se, c.format); err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s: missing %q in\n%s", c.format, w, b.String())
			}
		}
	}
}

func TestEffectsFlags(t *testing.T) {
	parse := func(args ...string) (*marketplace.StudyEffectsRequest, error) {
		fs := flag.NewFlagSet("whatif", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var f effectsFlags
		f.register(fs)
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		return f.request()
	}
	if r, err := parse(); r != nil || err != nil {
		t.Errorf("no --effects: %+v, %v", r, err)
	}
	r, err := parse("--effects", "--market", "EU", "--sources", "bloc", "--substitution-elasticity", "3")
	if err != nil || r == nil || r.Market != "EU" || r.Sources != "bloc" || r.SubstitutionElasticity != "3" {
		t.Errorf("--effects --market EU: %+v, %v", r, err)
	}
	if _, err := parse("--market", "DE"); err == nil || !strings.Contains(err.Error(), "--market needs --effects") {
		t.Errorf("--market alone: %v", err)
	}
	bad := marketplace.Invalid("invalid", marketplace.FieldError{Field: "effects.import_demand_elasticity", Message: "must be from -100 to 0"})
	if err := effectsFlagError(bad); err == nil || !strings.Contains(err.Error(), "--import-demand-elasticity: must be from -100 to 0") {
		t.Errorf("flag error: %v", err)
	}
}
