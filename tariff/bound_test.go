package tariff

import (
	"testing"
	"time"
)

func TestCanLowerCost(t *testing.T) {
	day := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	vat := `  - {id: vat, kind: vat, jurisdiction: DE, destination: [DE], buyer: [consumer], rate: "19%", base: net_price, legal: [x]}` + "\n"
	for _, tc := range []struct {
		name, measures, dest string
		buyer                BuyerType
		want                 bool
	}{
		{"duties and VAT only", mEUITA + mRetaliate + vat + mQuotaLevy, "DE", BuyerBusiness, false},
		{"a voucher for Chinese businesses, buyer in Germany", mVoucher, "DE", BuyerBusiness, false},
		{"a voucher for Chinese businesses, consumer in China", mVoucher, "CN", BuyerConsumer, false},
		{"a voucher for Chinese businesses, business in China", mVoucher, "CN", BuyerBusiness, true},
		{"withholding on a gross payment (carved out under tax_inclusive)", mCNWHT, "CN", BuyerBusiness, true},
		{"withholding in China, buyer in Germany (destination defaults to the jurisdiction)", mCNWHT, "DE", BuyerBusiness, false},
		{"a surtax on taxes", mCNSurtax, "CN", BuyerConsumer, true},
		{"a rate with a subtracted component", `  - {id: neg, kind: levy, ` + anyLevy + `, rate: "10% - 1 EUR/gpu_hour"}` + "\n", "FI", BuyerBusiness, true},
		{"an area member", `  - {id: rebate, kind: export_rebate, jurisdiction: EU, destination: [EU27], rate: "5%", base: net_price, legal: [x]}` + "\n", "IE", BuyerBusiness, true},
		{"not an area member", `  - {id: rebate, kind: export_rebate, jurisdiction: EU, destination: [EU27], rate: "5%", base: net_price, legal: [x]}` + "\n", "US", BuyerBusiness, false},
		{"expired", `  - {id: rebate, kind: export_rebate, jurisdiction: EU, destination: [EU27], rate: "5%", base: net_price, valid_to: 2020-01-01, legal: [x]}` + "\n", "DE", BuyerBusiness, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := testPolicy(t, tc.measures).CanLowerCost(tc.dest, tc.buyer, day); got != tc.want {
				t.Errorf("CanLowerCost(%s, %s) = %v, want %v", tc.dest, tc.buyer, got, tc.want)
			}
		})
	}
	// The seed's baseline: municipal vouchers for Chinese businesses, withholding for Chinese
	// buyers; nothing lowers a German business's cost.
	b := baseline(t)
	if b.CanLowerCost("DE", BuyerBusiness, day) {
		t.Error("baseline: a German business can be charged less than the net price")
	}
	if !b.CanLowerCost("CN", BuyerBusiness, day) {
		t.Error("baseline: a Chinese business gets no voucher")
	}
}
