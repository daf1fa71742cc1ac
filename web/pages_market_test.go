package web

import (
	"testing"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/web/i18n"
)

// The market table's rows say "available / listed" only when fewer GPUs are available than
// listed, badge hardware offers, and show the listed price only in another currency.
func TestMarketRows(t *testing.T) {
	v := &view{Lang: "en", L: i18n.Default()}
	hit := func(id, product, currency string, gpus, avail int) marketplace.SearchHit {
		var h marketplace.SearchHit
		h.ID, h.Product, h.Currency, h.GPUs, h.GPUsAvailable = id, product, currency, gpus, avail
		h.Pricing, h.Bloc = "on_demand", marketplace.BlocCN
		h.Price, h.QueryPrice = decimal.RequireFromString("7.20"), decimal.RequireFromString("1.00")
		return h
	}
	p := marketPage{view: v, Currency: "USD", Hits: []marketplace.SearchHit{
		hit("a", "hardware", "CNY", 8, 4), // 4 of 8 available, listed in CNY
		hit("b", "compute", "USD", 8, 8),  // all available, listed in the display currency
	}}
	rows, col := p.marketRows()
	if col.Hardware == "" || col.Listed == "" || col.Supplier == "" {
		t.Fatalf("labels %+v", col)
	}
	a, b := rows[0], rows[1]
	if a.GPUsAvailable != "4" || a.GPUs != "8" || !a.Hardware || a.Listed == "" || a.PerPFLOPHour != "" {
		t.Errorf("row a %+v", a)
	}
	if b.GPUsAvailable != "8" || b.GPUs != "" || b.Hardware || b.Listed != "" {
		t.Errorf("row b %+v", b)
	}
}
