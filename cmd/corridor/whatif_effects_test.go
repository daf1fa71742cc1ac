package main

import (
	"bytes"
	"encoding/json"
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

// TestWhatifCommandEffects runs the worked study (whatifBasket) with --effects on the German
// market by bloc, SMART's defaults (Em −1.5, Es 1.5, Ex ∞). Germany's flows: a business
// buying 800 GPU-hours from Zhongwei at EUR 2.00 (M = 1,600.00; VAT reverse-charged, so t0 =
// 0) and from Kajaani at EUR 2.50 (M = 2,000.00, t0 = t1 = 0); the scenario's 10% EU levy
// makes CN's t1 = 160/1,600 = 10%.
//
//	CN creation −1.5 × 1,600 × 0.10 = −240.00
//	diversion: μ_EU = 1 + 1.5 × (1 − 1/1.1) = 1 + 0.15/1.1; Σ M·μ = 3,600 + 300/1.1 = 4,260/1.1;
//	  TD_CN = 1,600 × (3,600 × 1.1/4,260 − 1) = −480,000/4,260 = −112.676… → −112.68; EU +112.68
//	CN after 1,600 − 240 − 112.676… = 1,247.3239…; EU levy revenue 0 → 124.7323… → 124.73
//	consumer surplus −0.10 × (1,600 + 1,247.3239…)/2 = −142.366… → −142.37
//	welfare −142.37 + 124.73 = −17.64
func TestWhatifCommandEffects(t *testing.T) {
	db := seededDB(t)
	basket := writeFile(t, "basket.csv", whatifBasket)
	args := []string{"whatif", "--db", db, "--scenario", "eu-compute-levy-cn-10", "--basket", basket, "--as-of", "2026-11-28",
		"--effects", "--market", "DE", "--sources", "bloc"}
	out, _, err := runCLI(args...)
	if err != nil {
		t.Fatalf("whatif --effects: %v", err)
	}
	for _, want := range []string{"trade_effects", "Scenario eu-compute-levy-cn-10: trade effects on market DE (DE), sources by bloc",
		"-240.00", "-112.68", "112.68", "124.73", "-142.37", "-17.64"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCLI(append(args, "--format", "csv", "--table", "trade_effects")...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "scenario,market,sources_by,kind,source,") ||
		!strings.Contains(out, "eu-compute-levy-cn-10,DE,bloc,source,CN,,0%,10%,1600.00,-240.00,-112.68,0.00,-352.68,1247.32,0.00,124.73,124.73,-142.37,-17.64,EUR") {
		t.Errorf("csv:\n%s", out)
	}
	out, _, err = runCLI(append(args, "--format", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Status       string
		TradeEffects struct {
			Market    string
			Scenarios []struct {
				Total struct {
					WelfareChange string `json:"welfare_change"`
				}
			}
		} `json:"trade_effects"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Status != "done" || doc.TradeEffects.Market != "DE" ||
		len(doc.TradeEffects.Scenarios) != 1 || doc.TradeEffects.Scenarios[0].Total.WelfareChange != "-17.64" {
		t.Errorf("json: %v %+v", err, doc.TradeEffects)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--market", "DE"}, "--market needs --effects"},
		{[]string{"--effects", "--import-demand-elasticity", "2"}, "--import-demand-elasticity"},
		{[]string{"--effects", "--market", "XX27"}, "--market"},
		{[]string{"--format", "csv", "--table", "trade_effects"}, "--table trade_effects needs --effects"},
	} {
		_, _, err := runCLI(append([]string{"whatif", "--db", db, "--scenario", "eu-compute-levy-cn-10", "--basket", basket, "--as-of", "2026-11-28"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}
