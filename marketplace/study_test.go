package marketplace_test

import (
	"context"
	"testing"

	"corridor/marketplace"
	"corridor/pricing/whatif"
)

// workedCSV is the worked study's basket: three flows, priced by the analyst in EUR so that
// the arithmetic stays on paper (each row stands for the cheapest Zhongwei or Kajaani H100
// offer that can serve it; its price is replaced, and 800 GPU-hours reach no volume tier).
const workedCSV = `buyer_country,buyer_type,accelerator,origin,product,quantity,gpus,price,currency
DE,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8,2.00,EUR
FR,consumer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8,2.00,EUR
DE,business,h100-sxm,eu-fi-kajaani,gpu_hours,800,8,2.50,EUR
`

func workedRequest() marketplace.StudyRequest {
	return marketplace.StudyRequest{
		Scenarios: []marketplace.StudyScenario{{ID: "eu-compute-levy-cn-10"}},
		Basket:    marketplace.StudyBasket{Kind: marketplace.BasketCSV, CSV: workedCSV},
	}
}

// rows returns a table's rows as maps of column → cell.
func rows(t *testing.T, st marketplace.Study, name string) []map[string]string {
	t.Helper()
	tables, err := st.Tables()
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Name != name {
			continue
		}
		out := make([]map[string]string, len(tb.Rows))
		for i, r := range tb.Rows {
			out[i] = map[string]string{}
			for j, c := range tb.Columns {
				out[i][c.Name] = r[j]
			}
		}
		return out
	}
	t.Fatalf("no table %s", name)
	return nil
}

// find returns the rows whose cells have the given values.
func find(rs []map[string]string, kv ...string) []map[string]string {
	var out []map[string]string
next:
	for _, r := range rs {
		for i := 0; i+1 < len(kv); i += 2 {
			if r[kv[i]] != kv[i+1] {
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}

// check compares cells of the one row matching where.
func check(t *testing.T, rs []map[string]string, where []string, want map[string]string) {
	t.Helper()
	got := find(rs, where...)
	if len(got) != 1 {
		t.Errorf("%v: %d rows, want 1 (of %v)", where, len(got), rs)
		return
	}
	for k, v := range want {
		if got[0][k] != v {
			t.Errorf("%v: %s = %q, want %q", where, k, got[0][k], v)
		}
	}
}

// TestStudyWorked runs a hand-computed study through the Service: 3 flows × the baseline and
// "EU levies 10% on compute imported from China", every aggregate checked.
//
//	flow 1  DE business ← Zhongwei (CN)  800 GPU-h × EUR 2.00 = 1600.00; German VAT reverse-charged
//	        baseline 1600.00; levy 10% × 1600.00 = 160.00 → 1760.00
//	flow 2  FR consumer ← Zhongwei (CN)  800 × 2.00 = 1600.00; French VAT 20% = 320.00 → 1920.00
//	        levy 160.00 (outside the VAT base of a service) → 2080.00; +160.00 = 8.33% of 1920.00
//	flow 3  DE business ← Kajaani (EU)   800 × 2.50 = 2000.00, reverse-charged; no levy (EU origin)
func TestStudyWorked(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	st, err := svc.RunStudy(context.Background(), workedRequest())
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != marketplace.StudyDone || st.Progress.Done != 6 || st.Progress.Total != 6 || len(st.ID) != 35 {
		t.Fatalf("study %s %s %+v", st.ID, st.Status, st.Progress)
	}
	// Pinned: the baseline and scenario versions, the date and its FX snapshot.
	p := st.Pins
	if p.Baseline.ID != "baseline" || p.Baseline.Version != 1 || len(p.Scenarios) != 1 || p.Scenarios[0].ID != "eu-compute-levy-cn-10" ||
		p.Scenarios[0].Version != 1 || p.AsOf.Format("2006-01-02") != "2026-11-28" || p.Currency != "EUR" || p.Flows != 3 || len(p.FX) == 0 {
		t.Errorf("pins %+v", p)
	}
	if st.Request.Scenarios[0].Version != 1 || st.Request.BaselineVersion != 1 {
		t.Errorf("the stored request does not name the versions: %+v", st.Request)
	}

	flows := rows(t, st, whatif.TableFlows)
	for _, c := range []struct{ flow, scen, total, landed, diff, pct string }{
		{"1", "baseline", "1600.00", "1600.00", "0.00", "0.00"},
		{"1", "eu-compute-levy-cn-10", "1760.00", "1760.00", "160.00", "10.00"}, // 160 / 1600
		{"2", "baseline", "1920.00", "1920.00", "0.00", "0.00"},
		{"2", "eu-compute-levy-cn-10", "2080.00", "2080.00", "160.00", "8.33"}, // 160 / 1920 = 8.333…%
		{"3", "baseline", "2000.00", "2000.00", "0.00", "0.00"},
		{"3", "eu-compute-levy-cn-10", "2000.00", "2000.00", "0.00", "0.00"},
	} {
		check(t, flows, []string{"flow", c.flow, "scenario", c.scen}, map[string]string{"priced": "true", "total": c.total, "landed_cost": c.landed, "diff": c.diff, "diff_pct": c.pct})
	}
	check(t, flows, []string{"flow", "3", "scenario", "baseline"}, map[string]string{"offer_id": "demo-offer-037", "origin": "eu-fi-kajaani", "bloc": "EU", "per_gpu_hour": "2.5000"})
	check(t, flows, []string{"flow", "1", "scenario", "baseline"}, map[string]string{"offer_id": "demo-offer-009", "origin": "cn-ningxia-zhongwei", "bloc": "CN", "per_gpu_hour": "2.0000"})
	check(t, rows(t, st, whatif.TableChanges), []string{"flow", "2"}, map[string]string{"change": "added", "measure": "eu-levy-cn-compute", "jurisdiction": "EU", "amount": "160.00", "diff": "160.00"})

	// By buyer country: DE 1600 + 2000 = 3600 → 1760 + 2000 = 3760 (+160, 4.44%); FR 1920 → 2080.
	byCountry := rows(t, st, whatif.TableByCountry)
	check(t, byCountry, []string{"scenario", "eu-compute-levy-cn-10", "buyer_country", "DE"}, map[string]string{"priced": "2", "landed_cost": "3760.00", "baseline_landed_cost": "3600.00", "diff": "160.00", "diff_pct": "4.44"})
	check(t, byCountry, []string{"scenario", "eu-compute-levy-cn-10", "buyer_country", "FR"}, map[string]string{"priced": "1", "landed_cost": "2080.00", "baseline_landed_cost": "1920.00", "diff": "160.00", "diff_pct": "8.33"})
	check(t, byCountry, []string{"scenario", "baseline", "buyer_country", "DE"}, map[string]string{"landed_cost": "3600.00", "diff": "0.00"})
	// By origin: Zhongwei 1600 + 1920 = 3520 → 1760 + 2080 = 3840 (+320 = 9.09%); Kajaani 2000.
	byOrigin := rows(t, st, whatif.TableByOrigin)
	check(t, byOrigin, []string{"scenario", "eu-compute-levy-cn-10", "origin", "cn-ningxia-zhongwei"}, map[string]string{"priced": "2", "landed_cost": "3840.00", "baseline_landed_cost": "3520.00", "diff": "320.00", "diff_pct": "9.09"})
	check(t, byOrigin, []string{"scenario", "eu-compute-levy-cn-10", "origin", "eu-fi-kajaani"}, map[string]string{"landed_cost": "2000.00", "diff": "0.00", "diff_pct": "0.00"})
	byBloc := rows(t, st, whatif.TableByBloc)
	check(t, byBloc, []string{"scenario", "eu-compute-levy-cn-10", "bloc", "CN"}, map[string]string{"landed_cost": "3840.00", "baseline_landed_cost": "3520.00"})
	check(t, byBloc, []string{"scenario", "eu-compute-levy-cn-10", "bloc", "EU"}, map[string]string{"landed_cost": "2000.00", "baseline_landed_cost": "2000.00"})

	// Revenue by who collects it: France's VAT 320.00 under both; the EU's levy 160 + 160 = 320.00
	// under the scenario only; Germany's reverse-charged VAT is not collected.
	rev := rows(t, st, whatif.TableRevenue)
	check(t, rev, []string{"scenario", "baseline", "jurisdiction", "FR", "kind", "vat"}, map[string]string{"collected": "320.00", "recovered": "0.00", "net": "320.00"})
	check(t, rev, []string{"scenario", "eu-compute-levy-cn-10", "jurisdiction", "FR", "kind", "vat"}, map[string]string{"collected": "320.00", "net": "320.00", "baseline_net": "320.00", "diff": "0.00"})
	check(t, rev, []string{"scenario", "eu-compute-levy-cn-10", "jurisdiction", "EU", "kind", "additional_duty"}, map[string]string{"collected": "320.00", "net": "320.00", "baseline_net": "0.00", "diff": "320.00"})
	for _, r := range find(rev, "jurisdiction", "DE") {
		if r["collected"] != "0.00" {
			t.Errorf("German VAT reverse-charged is collected: %v", r)
		}
	}

	// The cheapest source of the German need (flows 1 and 3): Zhongwei at 1600.00, still at
	// 1760.00 under the levy (Kajaani 2000.00).
	cheap := rows(t, st, whatif.TableCheapest)
	de := find(cheap, "scenario", "eu-compute-levy-cn-10", "origin", "cn-ningxia-zhongwei", "landed_cost", "1760.00")
	if len(de) != 1 || de[0]["switched"] != "false" || de[0]["baseline_origin"] != "cn-ningxia-zhongwei" {
		t.Errorf("cheapest: %v", cheap)
	}

	// Read back: the stored study is the one returned.
	got, err := svc.Study(context.Background(), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Result) != string(st.Result) || got.Status != marketplace.StudyDone || got.Pins.Baseline != st.Pins.Baseline {
		t.Errorf("stored study differs: %s %+v", got.Status, got.Pins)
	}
}

// TestStudySweepBreakpoint sweeps the levy's rate 0%..40% step 10% over the German need: the
// Zhongwei flow costs 1600 × (1 + r), Kajaani 2000, so the cheapest origin switches where
// 1600 × (1 + r) = 2000, r = 400 / 1600 = 25%: between the points 20% (1920 < 2000) and 30%
// (2080 > 2000), solved by interpolation: 1920 + (2080 − 1920) × (r − 20%) / 10% = 2000.
func TestStudySweepBreakpoint(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	req := workedRequest()
	req.Sweep = "eu-levy-cn-compute.rate=0%..40% step 10%"
	st, err := svc.RunStudy(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	// 3 flows × (2 scenarios as written + 5 points) = 21 evaluations.
	if st.Progress.Total != 21 {
		t.Errorf("evaluations %d, want 21", st.Progress.Total)
	}
	bps := rows(t, st, whatif.TableBreakpoints)
	check(t, bps, []string{"from_origin", "cn-ningxia-zhongwei"}, map[string]string{"to_origin": "eu-fi-kajaani", "method": "solved", "at": "25%", "low": "20%", "high": "30%", "residual": "0.00"})
	series := rows(t, st, whatif.TableSeries)
	check(t, series, []string{"origin", "cn-ningxia-zhongwei", "value", "20%", "need", bps[0]["need"]}, map[string]string{"landed_cost": "1920.00", "cheapest": "true"})
	check(t, series, []string{"origin", "cn-ningxia-zhongwei", "value", "30%", "need", bps[0]["need"]}, map[string]string{"landed_cost": "2080.00", "cheapest": "false"})
}
