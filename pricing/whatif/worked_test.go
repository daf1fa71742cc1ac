package whatif

import (
	"testing"

	"corridor/tariff"
)

// TestWorkedStudy is a study computed by hand: 3 flows × the baseline and one scenario, with
// every table checked. EUR 1 = CNY 8.0000 (Friday's rate, priced on Saturday 2026-11-28).
//
// Flows:
//
//	1  de-consumer   Zhongwei H100 at CNY 15.00, 8 GPUs × 720 h = 5,760 GPU-h, German consumer
//	2  de-consumer   Kajaani H100 at EUR 2.00, 5,760 GPU-h, German consumer
//	3  cn-shanghai   Zhongwei H100 at CNY 15.00, 4 × 250 h = 1,000 GPU-h, Chinese business
//	                 registered in Shanghai (voucher)
//
// Baseline (testdata/policy.yaml):
//
//	1  base 15 × 5,760 ÷ 8 = 10,800.00; DE VAT 19% = 2,052.00; total = landed 12,852.00;
//	   per GPU-h 12,852 ÷ 5,760 = 2.23125 → 2.2313
//	2  base 2.00 × 5,760 = 11,520.00; DE VAT 19% = 2,188.80; total = landed 13,708.80; 2.3800
//	3  base 15 × 1,000 ÷ 8 = 1,875.00; CN VAT 6% = 112.50 (recoverable); voucher 30% = −562.50;
//	   total 1,425.00; net = landed 1,425.00 − 112.50 = 1,312.50; 1.3125
//
// Scenario levy-cny-voucher: EU levy 40% on CN-hosted compute, CNY −20% (CNY per EUR
// 8 ÷ 0.8 = 10), Shanghai voucher 15%:
//
//	1  base 15 × 5,760 ÷ 10 = 8,640.00; levy 40% = 3,456.00; VAT 19% of 8,640 = 1,641.60;
//	   landed 13,737.60 (+885.60, 885.60 ÷ 12,852 = 6.89%); 13,737.60 ÷ 5,760 = 2.3850
//	2  unchanged 13,708.80
//	3  base 1,500.00; VAT 90.00; voucher 15% = −225.00; total 1,365.00; landed 1,275.00
//	   (−37.50, −2.86%); 1.2750
func TestWorkedStudy(t *testing.T) {
	base := testPolicy(t)
	s := &Study{
		AsOf: saturday, Currency: "EUR", FX: testFX(),
		Baseline:  baseline(base),
		Scenarios: []Scenario{scenario(t, base, "scenario-levy-cny-voucher.yaml")},
		Flows: []Flow{
			flow("de-consumer", cnH100(), 8, 720, "DE", tariff.BuyerConsumer, ""),
			flow("de-consumer", fiH100("2.00"), 8, 720, "DE", tariff.BuyerConsumer, ""),
			flow("cn-shanghai", cnH100(), 4, 250, "CN", tariff.BuyerBusiness, "cn-shanghai"),
		},
	}
	r := evaluate(t, s, Options{})
	if r.Evaluations != 6 {
		t.Errorf("evaluations = %d, want 3 flows × 2 scenarios = 6", r.Evaluations)
	}
	checkTable(t, r, TableFlows, `
		flow,offer_id,need,origin,bloc,buyer_country,buyer_type,product,quantity,scenario,priced,no_quote_reason,currency,total,net_cost,landed_cost,per_gpu_hour,diff,diff_pct,changes
		1,off-cn-zw-h100,de-consumer,cn-ningxia-zhongwei,CN,DE,consumer,gpu_hours,5760,baseline,true,,EUR,12852.00,12852.00,12852.00,2.2313,0.00,0.00,
		1,off-cn-zw-h100,de-consumer,cn-ningxia-zhongwei,CN,DE,consumer,gpu_hours,5760,levy-cny-voucher,true,,EUR,13737.60,13737.60,13737.60,2.3850,885.60,6.89,amount_changed base -2160.00; added eu-levy-cn +3456.00; amount_changed de-vat-b2c -410.40
		2,off-fi-kaj-h100,de-consumer,eu-fi-kajaani,EU,DE,consumer,gpu_hours,5760,baseline,true,,EUR,13708.80,13708.80,13708.80,2.3800,0.00,0.00,
		2,off-fi-kaj-h100,de-consumer,eu-fi-kajaani,EU,DE,consumer,gpu_hours,5760,levy-cny-voucher,true,,EUR,13708.80,13708.80,13708.80,2.3800,0.00,0.00,
		3,off-cn-zw-h100,cn-shanghai,cn-ningxia-zhongwei,CN,CN,business,gpu_hours,1000,baseline,true,,EUR,1425.00,1312.50,1312.50,1.3125,0.00,0.00,
		3,off-cn-zw-h100,cn-shanghai,cn-ningxia-zhongwei,CN,CN,business,gpu_hours,1000,levy-cny-voucher,true,,EUR,1365.00,1275.00,1275.00,1.2750,-37.50,-2.86,amount_changed base -375.00; amount_changed cn-vat-domestic-services -22.50; rate_changed cn-voucher-shanghai 30% of the contract → 15% of the contract +337.50
	`)
	// Which lines changed: the price line (CNY cheaper in EUR), the levy added, VAT on a
	// smaller base (19% of 8,640 − 19% of 10,800 = −410.40), the voucher's rate (−225.00 −
	// (−562.50) = +337.50).
	checkTable(t, r, TableChanges, `
		flow,offer_id,scenario,change,kind,measure,jurisdiction,quota,baseline_rate,rate,currency,baseline_amount,amount,diff
		1,off-cn-zw-h100,levy-cny-voucher,amount_changed,base,,,,CNY 15.00 per GPU-hour,CNY 15.00 per GPU-hour,EUR,10800.00,8640.00,-2160.00
		1,off-cn-zw-h100,levy-cny-voucher,added,additional_duty,eu-levy-cn,EU,,,40%,EUR,,3456.00,3456.00
		1,off-cn-zw-h100,levy-cny-voucher,amount_changed,vat,de-vat-b2c,DE,,19%,19%,EUR,2052.00,1641.60,-410.40
		3,off-cn-zw-h100,levy-cny-voucher,amount_changed,base,,,,CNY 15.00 per GPU-hour,CNY 15.00 per GPU-hour,EUR,1875.00,1500.00,-375.00
		3,off-cn-zw-h100,levy-cny-voucher,amount_changed,vat,cn-vat-domestic-services,CN,,6%,6%,EUR,112.50,90.00,-22.50
		3,off-cn-zw-h100,levy-cny-voucher,rate_changed,subsidy,cn-voucher-shanghai,CN,,30% of the contract,15% of the contract,EUR,-562.50,-225.00,337.50
	`)
	// By buyer country: DE 12,852.00 + 13,708.80 = 26,560.80 → 13,737.60 + 13,708.80 =
	// 27,446.40 (+885.60, 885.60 ÷ 26,560.80 = 3.33%); CN 1,312.50 → 1,275.00 (−2.86%).
	checkTable(t, r, TableByCountry, `
		scenario,sweep_value,buyer_country,priced,unpriced,currency,landed_cost,baseline_landed_cost,diff,diff_pct
		baseline,,CN,1,0,EUR,1312.50,1312.50,0.00,0.00
		baseline,,DE,2,0,EUR,26560.80,26560.80,0.00,0.00
		levy-cny-voucher,,CN,1,0,EUR,1275.00,1312.50,-37.50,-2.86
		levy-cny-voucher,,DE,2,0,EUR,27446.40,26560.80,885.60,3.33
	`)
	// By origin: Zhongwei 12,852.00 + 1,312.50 = 14,164.50 → 13,737.60 + 1,275.00 = 15,012.60
	// (+848.10, 848.10 ÷ 14,164.50 = 5.99%); Kajaani 13,708.80 throughout.
	checkTable(t, r, TableByOrigin, `
		scenario,sweep_value,origin,priced,unpriced,currency,landed_cost,baseline_landed_cost,diff,diff_pct
		baseline,,cn-ningxia-zhongwei,2,0,EUR,14164.50,14164.50,0.00,0.00
		baseline,,eu-fi-kajaani,1,0,EUR,13708.80,13708.80,0.00,0.00
		levy-cny-voucher,,cn-ningxia-zhongwei,2,0,EUR,15012.60,14164.50,848.10,5.99
		levy-cny-voucher,,eu-fi-kajaani,1,0,EUR,13708.80,13708.80,0.00,0.00
	`)
	checkTable(t, r, TableByBloc, `
		scenario,sweep_value,bloc,priced,unpriced,currency,landed_cost,baseline_landed_cost,diff,diff_pct
		baseline,,CN,2,0,EUR,14164.50,14164.50,0.00,0.00
		baseline,,EU,1,0,EUR,13708.80,13708.80,0.00,0.00
		levy-cny-voucher,,CN,2,0,EUR,15012.60,14164.50,848.10,5.99
		levy-cny-voucher,,EU,1,0,EUR,13708.80,13708.80,0.00,0.00
	`)
	// Revenue: DE VAT 2,052.00 + 2,188.80 = 4,240.80 → 1,641.60 + 2,188.80 = 3,830.40; China's
	// VAT 112.50 → 90.00, all recovered by the business buyer (net 0); the voucher is paid out
	// (−562.50 → −225.00); the EU collects the levy 3,456.00.
	checkTable(t, r, TableRevenue, `
		scenario,sweep_value,jurisdiction,kind,currency,collected,recovered,net,baseline_net,diff
		baseline,,CN,subsidy,EUR,-562.50,0.00,-562.50,-562.50,0.00
		baseline,,CN,vat,EUR,112.50,112.50,0.00,0.00,0.00
		baseline,,DE,vat,EUR,4240.80,0.00,4240.80,4240.80,0.00
		levy-cny-voucher,,CN,subsidy,EUR,-225.00,0.00,-225.00,-562.50,337.50
		levy-cny-voucher,,CN,vat,EUR,90.00,90.00,0.00,0.00,0.00
		levy-cny-voucher,,DE,vat,EUR,3830.40,0.00,3830.40,4240.80,-410.40
		levy-cny-voucher,,EU,additional_duty,EUR,3456.00,0.00,3456.00,0.00,3456.00
	`)
	// The German consumer's cheapest source switches from Zhongwei (12,852.00 < 13,708.80) to
	// Kajaani (13,708.80 < 13,737.60).
	checkTable(t, r, TableCheapest, `
		need,scenario,sweep_value,priced,flow,offer_id,origin,bloc,currency,landed_cost,per_gpu_hour,baseline_origin,switched
		de-consumer,baseline,,true,1,off-cn-zw-h100,cn-ningxia-zhongwei,CN,EUR,12852.00,2.2313,cn-ningxia-zhongwei,false
		de-consumer,levy-cny-voucher,,true,2,off-fi-kaj-h100,eu-fi-kajaani,EU,EUR,13708.80,2.3800,cn-ningxia-zhongwei,true
		cn-shanghai,baseline,,true,3,off-cn-zw-h100,cn-ningxia-zhongwei,CN,EUR,1312.50,1.3125,cn-ningxia-zhongwei,false
		cn-shanghai,levy-cny-voucher,,true,3,off-cn-zw-h100,cn-ningxia-zhongwei,CN,EUR,1275.00,1.2750,cn-ningxia-zhongwei,false
	`)
	if len(r.Tables()) != 7 || r.Sweep != nil || len(r.Series) != 0 || len(r.Breakpoints) != 0 {
		t.Errorf("a study without a sweep has 7 tables and no series")
	}
}

// TestRevenueByJurisdiction attributes every line to who collects it. Baseline, per flow:
//
//	de-consumer  Zhongwei → German consumer, 5,760 GPU-h: DE VAT 19% of 10,800.00 = 2,052.00
//	fr-consumer  Kajaani → French consumer, 1,000 GPU-h at 2.00: FR VAT 20% of 2,000 = 400.00
//	cn-business  Kajaani → Chinese business, 1,000 GPU-h at 2.00: China withholds 6% from the
//	             gross payment, 2,000 ÷ 1.06 × 0.06 = 113.2075… → 113.21, which the business
//	             deducts again (net revenue 0)
//	cn-shanghai  Zhongwei → Shanghai business: CN VAT 6% of 1,875.00 = 112.50 (deducted); the
//	             voucher pays out 30% = 562.50 (negative revenue)
//	de-business  Zhongwei → German business: the VAT is reverse-charged (declared and deducted
//	             at once): nothing collected
//
// Scenario levy-no-voucher: the EU collects 10% of 10,800.00 from each of the two German
// flows (2,160.00); Shanghai's voucher ends (0.00, +562.50 against the baseline).
func TestRevenueByJurisdiction(t *testing.T) {
	base := testPolicy(t)
	s := &Study{
		AsOf: saturday, Currency: "EUR", FX: testFX(),
		Baseline:  baseline(base),
		Scenarios: []Scenario{scenario(t, base, "scenario-levy-no-voucher.yaml")},
		Flows: []Flow{
			flow("de-consumer", cnH100(), 8, 720, "DE", tariff.BuyerConsumer, ""),
			flow("fr-consumer", fiH100("2.00"), 4, 250, "FR", tariff.BuyerConsumer, ""),
			flow("cn-business", fiH100("2.00"), 4, 250, "CN", tariff.BuyerBusiness, ""),
			flow("cn-shanghai", cnH100(), 4, 250, "CN", tariff.BuyerBusiness, "cn-shanghai"),
			flow("de-business", cnH100(), 8, 720, "DE", tariff.BuyerBusiness, ""),
		},
	}
	r := evaluate(t, s, Options{})
	checkTable(t, r, TableRevenue, `
		scenario,sweep_value,jurisdiction,kind,currency,collected,recovered,net,baseline_net,diff
		baseline,,CN,subsidy,EUR,-562.50,0.00,-562.50,-562.50,0.00
		baseline,,CN,vat,EUR,112.50,112.50,0.00,0.00,0.00
		baseline,,CN,withholding,EUR,113.21,113.21,0.00,0.00,0.00
		baseline,,DE,vat,EUR,2052.00,0.00,2052.00,2052.00,0.00
		baseline,,FR,vat,EUR,400.00,0.00,400.00,400.00,0.00
		levy-no-voucher,,CN,subsidy,EUR,0.00,0.00,0.00,-562.50,562.50
		levy-no-voucher,,CN,vat,EUR,112.50,112.50,0.00,0.00,0.00
		levy-no-voucher,,CN,withholding,EUR,113.21,113.21,0.00,0.00,0.00
		levy-no-voucher,,DE,vat,EUR,2052.00,0.00,2052.00,2052.00,0.00
		levy-no-voucher,,EU,additional_duty,EUR,2160.00,0.00,2160.00,0.00,2160.00
		levy-no-voucher,,FR,vat,EUR,400.00,0.00,400.00,400.00,0.00
	`)
	// The Chinese business pays the supplier 2,000.00 (the tax inside it) and deducts the
	// withheld 113.21: net cost 1,886.79. Without its voucher the Shanghai business pays
	// 1,875.00 + 112.50 = 1,987.50, net 1,875.00 (+562.50).
	checkTable(t, r, TableChanges, `
		flow,offer_id,scenario,change,kind,measure,jurisdiction,quota,baseline_rate,rate,currency,baseline_amount,amount,diff
		1,off-cn-zw-h100,levy-no-voucher,added,additional_duty,eu-levy-cn,EU,,,10%,EUR,,1080.00,1080.00
		4,off-cn-zw-h100,levy-no-voucher,removed,subsidy,cn-voucher-shanghai,CN,,30% of the contract,,EUR,-562.50,,562.50
		5,off-cn-zw-h100,levy-no-voucher,added,additional_duty,eu-levy-cn,EU,,,10%,EUR,,1080.00,1080.00
	`)
	for _, f := range r.Flows {
		if f.Flow == 3 && (!f.Total.Equal(d("2000")) || !f.NetCost.Equal(d("1886.79"))) {
			t.Errorf("cn-business: total %s net %s, want 2000.00 and 1886.79", f.Total, f.NetCost)
		}
		if f.Flow == 4 && f.Scenario == "levy-no-voucher" && (!f.LandedCost.Equal(d("1875")) || !f.Diff.Equal(d("562.50"))) {
			t.Errorf("cn-shanghai: landed %s diff %s, want 1875.00 and +562.50", f.LandedCost, f.Diff)
		}
	}
}
