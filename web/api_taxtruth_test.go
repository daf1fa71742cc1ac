package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/seed"
)

// Tax truth through the public API: one worked test per point of the issue, each quote posted
// to POST /api/v1/quotes (or /api/v1/compare) exactly as a buyer would, against suppliers and
// offers created through the supplier API, priced with the seeded baseline on the test clock
// (Saturday 2026-11-28). Arithmetic in the comments; amounts are the quote's rounded lines.

// taxEnv is a seeded server (reference data, demo market, policy library) on the test clock.
type taxEnv struct {
	t   *testing.T
	app *fiber.App
	svc *marketplace.Service
	st  *store.Store
}

func newTaxEnv(t *testing.T) *taxEnv {
	t.Helper()
	app, svc, st := seededApp(t)
	return &taxEnv{t: t, app: app, svc: svc, st: st}
}

// supplier registers a supplier (the admin) with the body's establishment and returns its id
// and API key.
func (e *taxEnv) supplier(body string) (string, string) {
	e.t.Helper()
	status, _, resp := call(e.t, e.app, "POST", "/api/v1/suppliers", body, "Authorization", "Bearer "+testAdminToken)
	if status != 201 {
		e.t.Fatalf("create supplier %s: %d %s", body, status, resp)
	}
	var s struct{ ID, APIKey string }
	s.APIKey = jsonField(e.t, resp, "api_key")
	s.ID = jsonField(e.t, resp, "id")
	return s.ID, s.APIKey
}

// offer posts an offer of the supplier with key: product in region with the accelerator, at
// price per GPU-hour (per unit for hardware) in currency, available 2026-12-01..2027-12-01;
// extra adds members (",\"hs_code\":\"8471.50\"").
func (e *taxEnv) offer(key, region, acc, product, price, cur, extra string) string {
	e.t.Helper()
	body := fmt.Sprintf(`{"region":%q,"accelerator":%q,"product":%q,"gpus":1000,"price":%q,"currency":%q,"available_from":"2026-12-01","available_until":"2027-12-01"%s}`,
		region, acc, product, price, cur, extra)
	status, _, resp := call(e.t, e.app, "POST", "/api/v1/offers", body, "Authorization", "Bearer "+key)
	if status != 201 {
		e.t.Fatalf("create offer %s: %d %s", body, status, resp)
	}
	return jsonField(e.t, resp, "id")
}

// quote posts a quote request and decodes the 201 quote.
func (e *taxEnv) quote(body string) taxQuote {
	e.t.Helper()
	status, _, resp := call(e.t, e.app, "POST", "/api/v1/quotes", body)
	if status != 201 {
		e.t.Fatalf("quote %s: %d %s", body, status, resp)
	}
	var q taxQuote
	if err := json.Unmarshal([]byte(resp), &q); err != nil {
		e.t.Fatal(err)
	}
	checkProvenance(e.t, q)
	return q
}

func jsonField(t *testing.T, body, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[name].(string)
	return s
}

// taxQuote is what these tests read of a quote document.
type taxQuote struct {
	ID         string `json:"id"`
	TaxTerms   string `json:"tax_terms"`
	Confidence string `json:"confidence"`
	Subtotal   string `json:"subtotal"`
	Total      string `json:"total"`
	NetCost    string `json:"net_cost"`
	LandedCost string `json:"landed_cost"`
	PerGPUHour string `json:"per_gpu_hour"`
	PricedAs   struct {
		BuyerType              string   `json:"buyer_type"`
		VATRecovery            string   `json:"vat_recovery"`
		BuyerHeadquarters      string   `json:"buyer_headquarters"`
		Purpose                string   `json:"purpose"`
		SupplierCountry        string   `json:"supplier_country"`
		SupplierEstablishments []string `json:"supplier_establishments"`
		HostingCountry         string   `json:"hosting_country"`
	} `json:"priced_as"`
	ConfidenceNotes []struct{ Subject, Confidence, Note string } `json:"confidence_notes"`
	Lines           []taxLine                                    `json:"lines"`
	Flags           []struct {
		Code       string `json:"code"`
		Severity   string `json:"severity"`
		Message    string `json:"message"`
		Measure    string `json:"measure"`
		Confidence string `json:"confidence"`
		Source     string `json:"source"`
	} `json:"flags"`
	FX []struct{ From, To, Rate, Date, Source string } `json:"fx"`
}

// measures lists the quote's measure lines as "measure=amount", in order.
func (q taxQuote) measures() string {
	var out []string
	for _, l := range q.Lines {
		if l.Measure != "" {
			out = append(out, l.Measure+"="+l.Amount)
		}
	}
	return strings.Join(out, " ")
}

func (q taxQuote) flagCodes() string {
	var out []string
	for _, f := range q.Flags {
		out = append(out, f.Code)
	}
	return strings.Join(out, ",")
}

func (q taxQuote) hasFlag(code string) bool {
	return strings.Contains(","+q.flagCodes()+",", ","+code+",")
}

// taxLine is what these tests read of a quote line.
type taxLine struct {
	Kind        string   `json:"kind"`
	Measure     string   `json:"measure"`
	Amount      string   `json:"amount"`
	Payable     bool     `json:"payable"`
	Recoverable bool     `json:"recoverable"`
	Included    bool     `json:"included"`
	LegalRef    []string `json:"legal_ref"`
	Confidence  string   `json:"confidence"`
	Source      string   `json:"source"`
	SourceAsOf  string   `json:"source_as_of"`
}

// line returns the line of a measure.
func (q taxQuote) line(measure string) (taxLine, bool) {
	for _, x := range q.Lines {
		if x.Measure == measure {
			return x, true
		}
	}
	return taxLine{}, false
}

func (q taxQuote) hasKind(kind string) bool {
	for _, l := range q.Lines {
		if l.Kind == kind {
			return true
		}
	}
	return false
}

// totals checks total, net cost and landed cost to the cent.
func (q taxQuote) totals(t *testing.T, name, total, net string) {
	t.Helper()
	if q.Total != total || q.NetCost != net {
		t.Errorf("%s: total %s net cost %s, want %s and %s (lines %s)", name, q.Total, q.NetCost, total, net, q.measures())
	}
}

// checkProvenance is point 10 for what this work adds: every line a measure or an offer
// produced, and every flag, says how sure it is and where it comes from.
func checkProvenance(t *testing.T, q taxQuote) {
	t.Helper()
	for _, l := range q.Lines {
		if l.Kind == "fee" && l.Measure == "" {
			continue // freight and insurance are the buyer's own figures
		}
		if l.Confidence == "" || l.Source == "" || l.SourceAsOf == "" {
			t.Errorf("quote %s: line %s %s without provenance (%q %q %q)", q.ID, l.Kind, l.Measure, l.Confidence, l.Source, l.SourceAsOf)
		}
	}
	for _, f := range q.Flags {
		if f.Confidence == "" || f.Source == "" {
			t.Errorf("quote %s: flag %s without provenance", q.ID, f.Code)
		}
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// Point 1: where the supplier is established, not where its servers are, decides VAT; where
// they are keeps deciding export control and data transfers. The establishment is declared
// through the API (create, then the supplier's own PATCH).
func TestTaxTruthSupplierEstablishment(t *testing.T) {
	e := newTaxEnv(t)
	// A German company renting out H100 GPU-hours on servers in Groningen (NL), EUR 2.00 per
	// GPU-hour: 10 GPUs × 1,000 h = 10,000 GPU-hours × 2.00 = EUR 20,000.00.
	rhine, rhineKey := e.supplier(`{"name":"Rhine GPU GmbH","country":"DE"}`)
	nlOffer := e.offer(rhineKey, "eu-nl-groningen", "h100-sxm", "gpu_hours", "2.00", "EUR", "")
	req := func(offer, buyer string) string {
		return fmt.Sprintf(`{"offer_id":%q,"gpus":10,"hours":1000,"buyer":%s,"currency":"EUR"}`, offer, buyer)
	}
	// A Dutch business: servers are no establishment, so it self-accounts Dutch VAT (reverse
	// charge): 20,000.00 × 21% = 4,200.00, shown, not payable; total 20,000.00.
	q := e.quote(req(nlOffer, `{"country":"NL","type":"business","vat_id":"NL123456789B01"}`))
	if q.measures() != "vat-nl-b2b=4200.00" || q.Lines[1].Payable {
		t.Errorf("DE supplier, NL servers, NL business: %s", q.measures())
	}
	q.totals(t, "NL business", "20000.00", "20000.00")
	if p := q.PricedAs; p.SupplierCountry != "DE" || p.HostingCountry != "NL" || len(p.SupplierEstablishments) != 0 {
		t.Errorf("priced as %+v", p)
	}
	// A German business: the German supplier charges German VAT: 20,000.00 × 19% = 3,800.00,
	// payable and deductible: total 23,800.00, net cost 20,000.00.
	q = e.quote(req(nlOffer, `{"country":"DE","type":"business","vat_id":"DE123456789"}`))
	if l, _ := q.line("vat-de-domestic-b2b"); q.measures() != "vat-de-domestic-b2b=3800.00" || !l.Payable || !l.Recoverable {
		t.Errorf("DE supplier, NL servers, DE business: %s", q.measures())
	}
	q.totals(t, "DE business", "23800.00", "20000.00")

	// The supplier declares, with its own key, a fixed establishment in the Netherlands taking
	// part in the supply: the Dutch sale becomes domestic, 21% = 4,200.00 charged; total
	// 24,200.00, net cost 20,000.00.
	status, _, body := call(t, e.app, "PATCH", "/api/v1/suppliers/"+rhine, `{"establishments":["nl"],"vat_registrations":[{"country":"NL","vat_id":"nl 123456789 b01"}]}`,
		"Authorization", "Bearer "+rhineKey)
	if status != 200 || !strings.Contains(body, `"establishments":["NL"]`) || !strings.Contains(body, `"vat_id":"NL123456789B01"`) {
		t.Fatalf("PATCH establishment: %d %s", status, body)
	}
	if status, _, body := call(t, e.app, "GET", "/api/v1/suppliers/"+rhine, "", "Authorization", "Bearer "+rhineKey); status != 200 || !strings.Contains(body, `"country":"DE"`) || !strings.Contains(body, `"establishments":["NL"]`) {
		t.Errorf("GET own record: %d %s", status, body)
	}
	q = e.quote(req(nlOffer, `{"country":"NL","type":"business","vat_id":"NL123456789B01"}`))
	if q.measures() != "vat-nl-domestic-b2b=4200.00" || !q.Lines[1].Payable {
		t.Errorf("with a Dutch establishment: %s", q.measures())
	}
	q.totals(t, "NL business, Dutch establishment", "24200.00", "20000.00")
	if p := q.PricedAs; len(p.SupplierEstablishments) != 1 || p.SupplierEstablishments[0] != "NL" {
		t.Errorf("priced as %+v", p)
	}
	// Another supplier can neither read nor change it; bad input names the field.
	_, otherKey := e.supplier(`{"name":"Other Co.","country":"FR"}`)
	if status, _, _ := call(t, e.app, "PATCH", "/api/v1/suppliers/"+rhine, `{"establishments":[]}`, "Authorization", "Bearer "+otherKey); status != 404 {
		t.Errorf("another supplier's PATCH: %d", status)
	}
	for body, field := range map[string]string{
		`{"establishments":["Netherlands"]}`:                                       "establishments[0]",
		`{"vat_registrations":[{"country":"NL","vat_id":"123"}]}`:                  "vat_registrations[0].vat_id",
		`{"listings":["Beijing partners"]}`:                                        "listings[0]",
		`{"country":"XX"}`:                                                         "country",
		`{"establishments":["NL","NL"]}`:                                           "establishments[1]",
		`{"vat_registrations":[{"country":"NL","vat_id":"NL123456789B01"}],"x":1}`: "x",
	} {
		status, ctype, resp := call(t, e.app, "PATCH", "/api/v1/suppliers/"+rhine, body, "Authorization", "Bearer "+rhineKey)
		if status != 400 || ctype != "application/problem+json" || !strings.Contains(resp, `"field":"`+field+`"`) {
			t.Errorf("PATCH %s: %d %s", body, status, resp)
		}
	}

	// A Finnish supplier with H100 servers in Zhongwei (China), EUR 2.00 per GPU-hour.
	_, fiKey := e.supplier(`{"name":"Kajaani Compute Oy","country":"FI"}`)
	cnOffer := e.offer(fiKey, "cn-ningxia-zhongwei", "h100-sxm", "gpu_hours", "2.00", "EUR", "")
	// A Finnish business is charged Finnish VAT: 20,000.00 × 25.5% = 5,100.00; the hosting in
	// China still raises the export-control flag and, with personal data, the EU → China
	// transfer flag.
	q = e.quote(fmt.Sprintf(`{"offer_id":%q,"gpus":10,"hours":1000,"buyer":{"country":"FI","type":"business","vat_id":"FI12345678"},"currency":"EUR","personal_data":true}`, cnOffer))
	if q.measures() != "vat-fi-domestic-b2b=5100.00" || !q.hasFlag("export_control.3A090a") || !q.hasFlag("data_transfer.eu_cn") {
		t.Errorf("FI supplier, CN servers, FI business: %s flags %s", q.measures(), q.flagCodes())
	}
	q.totals(t, "FI business", "25100.00", "20000.00")
	// A Chinese business of the same supplier withholds: not a Chinese domestic supply. Net of
	// Chinese tax (the offer's default terms): 20,000.00 × 6% = 1,200.00 withheld on top,
	// creditable; the surtax on it is zero since 2021-09. Total 21,200.00, net cost 20,000.00.
	q = e.quote(fmt.Sprintf(`{"offer_id":%q,"gpus":10,"hours":1000,"buyer":{"country":"CN","type":"business"},"currency":"EUR"}`, cnOffer))
	if q.measures() != "cn-wht-vat-services-2026=1200.00 cn-surtax-on-withheld-vat=0.00" || q.TaxTerms != "net_of_cn_tax" {
		t.Errorf("FI supplier, CN business: %s (%s)", q.measures(), q.TaxTerms)
	}
	q.totals(t, "CN business", "21200.00", "20000.00")
}

// Point 2: hardware that is not imported bears no customs line; intra-EU B2B goods are an
// acquisition the buyer self-accounts; exports are zero-rated with their export-control gates.
func TestTaxTruthHardware(t *testing.T) {
	e := newTaxEnv(t)
	hs := func(code string) string { return `,"hs_code":"` + code + `"` }
	units := func(offer, buyer, cur string) string {
		return fmt.Sprintf(`{"offer_id":%q,"units":1,"buyer":%s,"currency":%q}`, offer, buyer, cur)
	}
	// A Chinese supplier selling a GPU server in Shaoguan to a Chinese business, CNY
	// 2,000,000.00: no customs line, domestic VAT 13% = 260,000.00 charged and deductible.
	_, cnKey := e.supplier(`{"name":"Shaoguan Servers Co.","country":"CN"}`)
	cnServer := e.offer(cnKey, "cn-guangdong-shaoguan", "h100-sxm", "hardware", "2000000.00", "CNY", hs("8471.50"))
	q := e.quote(units(cnServer, `{"country":"CN","type":"business"}`, "CNY"))
	if q.measures() != "cn-vat-domestic-goods=260000.00" || q.hasKind("customs_duty") {
		t.Errorf("CN → CN business: %s", q.measures())
	}
	q.totals(t, "CN → CN", "2260000.00", "2000000.00")

	// A German seller of a server in Jülich, EUR 250,000.00, to a German consumer: German VAT
	// 19% = 47,500.00, no customs line; total 297,500.00.
	_, deKey := e.supplier(`{"name":"Jülich Systems GmbH","country":"DE"}`)
	deServer := e.offer(deKey, "eu-de-julich", "h100-sxm", "hardware", "250000.00", "EUR", hs("8471.50"))
	q = e.quote(units(deServer, `{"country":"DE","type":"consumer"}`, "EUR"))
	if q.measures() != "vat-de-goods=47500.00" || q.hasKind("customs_duty") {
		t.Errorf("DE → DE consumer: %s", q.measures())
	}
	q.totals(t, "DE → DE consumer", "297500.00", "297500.00")

	// A Dutch seller to a German business: an exempt intra-Community supply, the acquisition
	// self-accounted by the buyer: 250,000.00 × 19% = 47,500.00 shown, not payable; total
	// 250,000.00.
	_, nlKey := e.supplier(`{"name":"Groningen Hardware BV","country":"NL"}`)
	nlServer := e.offer(nlKey, "eu-nl-groningen", "h100-sxm", "hardware", "250000.00", "EUR", hs("8471.50"))
	q = e.quote(units(nlServer, `{"country":"DE","type":"business","vat_id":"DE123456789"}`, "EUR"))
	if l, _ := q.line("vat-de-goods-acquisition"); q.measures() != "vat-de-goods-acquisition=47500.00" || l.Payable {
		t.Errorf("NL → DE business: %s", q.measures())
	}
	q.totals(t, "NL → DE business", "250000.00", "250000.00")

	// H100 boards exported from Germany to a Chinese business, EUR 250,000.00: zero-rated in
	// the EU, China's ITA duty 0% and import VAT 13% of 250,000.00 + 0 = 32,500.00 (deductible),
	// and the US re-export licence and EU dual-use flags. Total 282,500.00, net 250,000.00.
	boards := e.offer(deKey, "eu-de-julich", "h100-sxm", "hardware", "250000.00", "EUR", hs("8473.30"))
	q = e.quote(units(boards, `{"country":"CN","type":"business"}`, "EUR"))
	if q.measures() != "cn-duty-ita=0.00 cn-vat-import-2026=32500.00 eu-vat-export-goods=0.00 cn-surtax-on-import-vat=0.00" ||
		q.flagCodes() != "export_control.3A090a_reexport,export_control.eu_2021_821" {
		t.Errorf("DE → CN boards: %s flags %s", q.measures(), q.flagCodes())
	}
	q.totals(t, "DE → CN boards", "282500.00", "250000.00")
}

// Point 3: Chinese withholding follows the contract's tax terms, explicit on the offer and the
// request; bare-metal rent paid abroad also bears 10% income tax on the amount net of VAT.
func TestTaxTruthTaxTermsAndRentIncomeTax(t *testing.T) {
	e := newTaxEnv(t)
	// A German supplier leases bare-metal H100 servers in Jülich to a Chinese business:
	// 1 GPU × 1,000 h × CNY 1,000.00 = CNY 1,000,000.00 on 2026-11-28 (a lease consumed in
	// China under the 2026 rules: VAT 13% withheld, and 10% income tax on the rent).
	_, deKey := e.supplier(`{"name":"Jülich Bare Metal GmbH","country":"DE"}`)
	bm := e.offer(deKey, "eu-de-julich", "h100-sxm", "bare_metal", "1000.00", "CNY", "")
	if status, _, body := call(t, e.app, "GET", "/api/v1/offers/"+bm, ""); status != 200 || !strings.Contains(body, `"tax_terms":"net_of_cn_tax"`) {
		t.Errorf("the offer's default terms: %d %.300s", status, body)
	}
	req := func(terms string) string {
		return `{"offer_id":"` + bm + `","gpus":1,"hours":1000,"buyer":{"country":"CN","type":"business"},"currency":"CNY"` + terms + `}`
	}
	// The offer's terms, net_of_cn_tax: the supplier keeps 1,000,000.00; the income it is
	// deemed to receive I = 1,000,000 ÷ (1 − 10%) = 1,111,111.11…; VAT = I × 13% = 144,444.44;
	// income tax = I × 10% = 111,111.11; both on top. Total 1,000,000.00 + 144,444.44 +
	// 111,111.11 + 0.00 = 1,255,555.55; the VAT is creditable: net cost 1,111,111.11.
	q := e.quote(req(""))
	if q.TaxTerms != "net_of_cn_tax" || q.measures() != "cn-wht-vat-bare-metal-2026=144444.44 cn-wht-eit-rent=111111.11 cn-surtax-on-withheld-vat=0.00" {
		t.Errorf("net terms: %s %s", q.TaxTerms, q.measures())
	}
	if cit, _ := q.line("cn-wht-eit-rent"); cit.Included || cit.Recoverable || !cit.Payable || !q.hasFlag("withholding.treaty") {
		t.Errorf("income tax line %+v, flags %s", cit, q.flagCodes())
	}
	q.totals(t, "net terms", "1255555.55", "1111111.11")
	// tax_inclusive asked on the request: both carved out of the price: VAT = 1,000,000 ÷ 1.13
	// × 13% = 115,044.25; income tax = 1,000,000 ÷ 1.13 × 10% = 88,495.58; nothing on top, total
	// 1,000,000.00; net cost 1,000,000.00 − 115,044.25 = 884,955.75. The offer is posted net,
	// so the quote warns that the terms were not offered.
	q = e.quote(req(`,"tax_terms":"tax_inclusive"`))
	vat, _ := q.line("cn-wht-vat-bare-metal-2026")
	cit, _ := q.line("cn-wht-eit-rent")
	if q.TaxTerms != "tax_inclusive" || vat.Amount != "115044.25" || cit.Amount != "88495.58" || !vat.Included || vat.Payable || !cit.Included ||
		!q.hasFlag("tax_terms.not_offered") {
		t.Errorf("inclusive terms: %s %s flags %s", q.TaxTerms, q.measures(), q.flagCodes())
	}
	q.totals(t, "inclusive terms", "1000000.00", "884955.75")
	// An offer posted tax_inclusive is priced so without asking, and without the warning.
	incl := e.offer(deKey, "eu-de-julich", "h100-sxm", "bare_metal", "1000.00", "CNY", `,"tax_terms":"tax_inclusive"`)
	q = e.quote(strings.Replace(req(""), bm, incl, 1))
	if q.TaxTerms != "tax_inclusive" || q.hasFlag("tax_terms.not_offered") {
		t.Errorf("offer posted tax_inclusive: %s flags %s", q.TaxTerms, q.flagCodes())
	}
	q.totals(t, "offer posted tax_inclusive", "1000000.00", "884955.75")
	// GPU-hours performed abroad are not China-sourced rent: VAT 6% only (60,000.00 on top),
	// no income tax, no treaty flag.
	gh := e.offer(deKey, "eu-de-julich", "h100-sxm", "gpu_hours", "1000.00", "CNY", "")
	q = e.quote(strings.Replace(req(""), bm, gh, 1))
	if q.measures() != "cn-wht-vat-services-2026=60000.00 cn-surtax-on-withheld-vat=0.00" || q.hasFlag("withholding.treaty") {
		t.Errorf("GPU-hours abroad: %s flags %s", q.measures(), q.flagCodes())
	}
	q.totals(t, "GPU-hours abroad", "1060000.00", "1000000.00")
	// Terms that do not exist are refused naming the field.
	if status, _, body := call(t, e.app, "POST", "/api/v1/quotes", req(`,"tax_terms":"gross"`)); status != 400 || !strings.Contains(body, `"field":"tax_terms"`) {
		t.Errorf("unknown terms: %d %s", status, body)
	}
	if status, _, body := call(t, e.app, "POST", "/api/v1/offers", `{"region":"eu-de-julich","accelerator":"h100-sxm","product":"gpu_hours","gpus":1,"price":"1","currency":"CNY","available_from":"2026-12-01","available_until":"2027-12-01","tax_terms":"gross"}`,
		"Authorization", "Bearer "+deKey); status != 400 || !strings.Contains(body, `"field":"tax_terms"`) {
		t.Errorf("offer with unknown terms: %d %s", status, body)
	}
}

// Point 3: compare ranks a Chinese buyer's offers from China and from the EU on the same
// basis under either contract term: what the buyer bears (net cost, VAT recovered).
func TestTaxTruthCompareUnderBothTerms(t *testing.T) {
	e := newTaxEnv(t)
	// MI355X capacity (no demo offer uses it), 1 GPU × 1,000 h for a Chinese business in CNY:
	// - in Zhongwei from a Chinese supplier at CNY 10.20: 10,200.00 + domestic VAT 6% 612.00
	//   charged and deducted: net cost 10,200.00;
	// - in Jülich from a German supplier at CNY 10.50: the buyer withholds 6%.
	_, cnKey := e.supplier(`{"name":"Zhongwei Compute Co.","country":"CN"}`)
	_, deKey := e.supplier(`{"name":"Jülich Compute GmbH","country":"DE"}`)
	cnOffer := e.offer(cnKey, "cn-ningxia-zhongwei", "mi355x", "gpu_hours", "10.20", "CNY", "")
	euOffer := e.offer(deKey, "eu-de-julich", "mi355x", "gpu_hours", "10.50", "CNY", "")
	type row struct {
		OfferID    string `json:"offer_id"`
		Rank       int    `json:"rank"`
		Total      string `json:"total"`
		NetCost    string `json:"net_cost"`
		LandedCost string `json:"landed_cost"`
		TaxTerms   string `json:"tax_terms"`
	}
	compare := func(terms string) (string, []row) {
		t.Helper()
		status, _, body := call(t, e.app, "POST", "/api/v1/compare", `{"accelerator":"mi355x","gpus":1,"hours":1000,"buyer":{"country":"CN","type":"business"},"currency":"CNY"`+terms+`}`)
		if status != 200 {
			t.Fatalf("compare %s: %d %s", terms, status, body)
		}
		var c struct {
			RankedBy string `json:"ranked_by"`
			TaxTerms string `json:"tax_terms"`
			Offers   []row  `json:"offers"`
		}
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			t.Fatal(err)
		}
		if c.RankedBy != "net_cost" || len(c.Offers) != 2 {
			t.Fatalf("compare %s: ranked by %s, %d offers: %s", terms, c.RankedBy, len(c.Offers), body)
		}
		return c.TaxTerms, c.Offers
	}
	check := func(name string, rows []row, want ...row) {
		t.Helper()
		for i, w := range want {
			if g := rows[i]; g.OfferID != w.OfferID || g.Rank != i+1 || g.Total != w.Total || g.NetCost != w.NetCost || g.LandedCost != w.NetCost || g.TaxTerms != w.TaxTerms {
				t.Errorf("%s: rank %d is %+v, want %+v", name, i+1, g, w)
			}
		}
	}
	cn := row{OfferID: cnOffer, Total: "10812.00", NetCost: "10200.00", TaxTerms: "net_of_cn_tax"}
	// net_of_cn_tax for every offer: the EU offer's 10,500.00 plus 6% withheld on top (630.00),
	// deducted: net cost 10,500.00 > 10,200.00 — China first.
	terms, rows := compare(`,"tax_terms":"net_of_cn_tax"`)
	check("net_of_cn_tax", rows, cn, row{OfferID: euOffer, Total: "11130.00", NetCost: "10500.00", TaxTerms: "net_of_cn_tax"})
	if terms != "net_of_cn_tax" {
		t.Errorf("terms %s", terms)
	}
	// tax_inclusive for every offer: the 6% is inside the EU offer's price, 10,500.00 ÷ 1.06
	// × 6% = 594.34, deducted: net cost 10,500.00 − 594.34 = 9,905.66 < 10,200.00 — the EU
	// offer first. (The Chinese offer withholds nothing, so its terms change nothing.)
	_, rows = compare(`,"tax_terms":"tax_inclusive"`)
	cnIncl := cn
	cnIncl.TaxTerms = "tax_inclusive"
	check("tax_inclusive", rows, row{OfferID: euOffer, Total: "10500.00", NetCost: "9905.66", TaxTerms: "tax_inclusive"}, cnIncl)
	// No terms asked: each offer under its own posted terms (both net_of_cn_tax by default).
	terms, rows = compare("")
	check("each offer's own", rows, cn, row{OfferID: euOffer, Total: "11130.00", NetCost: "10500.00", TaxTerms: "net_of_cn_tax"})
	if terms != "offer" {
		t.Errorf("terms %s, want offer", terms)
	}
	// The German supplier reposts its offer tax_inclusive: ranked first under its own terms.
	status, _, body := call(t, e.app, "PATCH", "/api/v1/offers/"+euOffer, `{"tax_terms":"tax_inclusive"}`, "Authorization", "Bearer "+deKey)
	if status != 200 || !strings.Contains(body, `"tax_terms":"tax_inclusive"`) {
		t.Fatalf("repost tax_inclusive: %d %s", status, body)
	}
	_, rows = compare("")
	check("each offer's own, EU inclusive", rows, row{OfferID: euOffer, Total: "10500.00", NetCost: "9905.66", TaxTerms: "tax_inclusive"}, cn)
}

// Point 4: dates from 2020 find the VAT rate then in force; a date with none gives a visible
// warning, never a silent zero; a quote in the offer's currency needs no FX rate at all (the
// seeded FX table starts in 2024).
func TestTaxTruthDatesBefore2024(t *testing.T) {
	e := newTaxEnv(t)
	_, key := e.supplier(`{"name":"Zhongwei EUR Compute Co.","country":"CN"}`)
	offer := e.offer(key, "cn-ningxia-zhongwei", "h100-sxm", "gpu_hours", "1.00", "EUR", "")
	// A consumer buys 1 GPU × 1,000 h × EUR 1.00 = EUR 1,000.00, priced as of a past date.
	consumer := func(country, on string) taxQuote {
		return e.quote(fmt.Sprintf(`{"offer_id":%q,"gpus":1,"hours":1000,"buyer":{"country":%q,"type":"consumer"},"currency":"EUR","as_of":%q}`, offer, country, on))
	}
	for _, tc := range []struct{ country, on, want, total string }{
		{"DE", "2020-06-30", "vat-de-b2c-2020-01=190.00", "1190.00"}, // 19%
		{"DE", "2020-08-15", "vat-de-b2c-2020-07=160.00", "1160.00"}, // 16% from 2020-07-01 to 2020-12-31
		{"DE", "2021-01-01", "vat-de-b2c=190.00", "1190.00"},
		{"IE", "2020-10-01", "vat-ie-b2c-2020-09=210.00", "1210.00"}, // 21% from 2020-09-01 to 2021-02-28
		{"EE", "2023-06-30", "vat-ee-b2c-2020-01=200.00", "1200.00"}, // 20% before 2024
	} {
		q := consumer(tc.country, tc.on)
		if q.measures() != tc.want || q.Total != tc.total || len(q.FX) != 0 {
			t.Errorf("%s consumer on %s: %s total %s fx %v, want %s %s", tc.country, tc.on, q.measures(), q.Total, q.FX, tc.want, tc.total)
		}
	}
	// 2019-12-31: no French rate is held for the date: no VAT line (never a zero) and a
	// warning saying so, visible at the top of the quote.
	q := consumer("FR", "2019-12-31")
	if q.measures() != "" || !q.hasFlag("rate.unknown") || q.Total != "1000.00" {
		t.Errorf("FR 2019: %s flags %s", q.measures(), q.flagCodes())
	}
	for _, f := range q.Flags {
		if f.Code == "rate.unknown" && (f.Severity != "warning" || !strings.Contains(f.Message, "FR")) {
			t.Errorf("rate.unknown flag %+v", f)
		}
	}
}

// Point 4: a quote whose offer and quote currencies are the same is priced on an empty FX
// table; one that must convert is refused with no_fx_rate.
func TestTaxTruthSameCurrencyWithoutFXTable(t *testing.T) {
	ctx := context.Background()
	st := store.OpenTest(t)
	svc := marketplace.NewService(st, func() time.Time { return testClock })
	data, docs, err := seed.Load(false)
	if err != nil {
		t.Fatal(err)
	}
	data.FXRates = nil // no rate at all
	if _, err := svc.Seed(ctx, data); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SeedPolicies(ctx, docs); err != nil {
		t.Fatal(err)
	}
	e := &taxEnv{t: t, app: NewServer(Deps{Market: svc, AdminTokenHash: sha256Hex(testAdminToken)}), svc: svc, st: st}
	_, key := e.supplier(`{"name":"Zhongwei CNY Compute Co.","country":"CN"}`)
	offer := e.offer(key, "cn-ningxia-zhongwei", "h100-sxm", "gpu_hours", "15.00", "CNY", "")
	// 8 GPUs × 100 h × CNY 15.00 = CNY 12,000.00; domestic VAT 6% = 720.00: total 12,720.00.
	q := e.quote(`{"offer_id":"` + offer + `","gpus":8,"hours":100,"buyer":{"country":"CN","type":"business"},"currency":"CNY"}`)
	if q.measures() != "cn-vat-domestic-services=720.00" || q.Total != "12720.00" || len(q.FX) != 0 {
		t.Errorf("CNY quote of a CNY offer without rates: %s total %s fx %v", q.measures(), q.Total, q.FX)
	}
	status, _, body := call(t, e.app, "POST", "/api/v1/quotes", `{"offer_id":"`+offer+`","gpus":8,"hours":100,"buyer":{"country":"DE","type":"consumer"},"currency":"EUR"}`)
	if status != 422 || !strings.Contains(body, "no_fx_rate") {
		t.Errorf("EUR quote of a CNY offer without rates: %d %s", status, body)
	}
	// Compare prices the offers listed in the need's currency and says why the others are not.
	status, _, body = call(t, e.app, "POST", "/api/v1/compare", `{"accelerator":"h100-sxm","gpus":8,"hours":100,"buyer":{"country":"CN","type":"business"},"currency":"CNY","regions":["cn-ningxia-zhongwei"]}`)
	if status != 200 || !strings.Contains(body, `"offer_id":"`+offer+`"`) || !strings.Contains(body, "no FX rates are stored") {
		t.Errorf("compare without rates: %d %.600s", status, body)
	}
}

// Point 5: the workload purpose on the request feeds the vouchers; the supplier's declared
// listings feed the list-bound ones.
func TestTaxTruthPurposeAndListings(t *testing.T) {
	e := newTaxEnv(t)
	_, key := e.supplier(`{"name":"Shaoguan Compute Co.","country":"CN"}`)
	offer := e.offer(key, "cn-guangdong-shaoguan", "h100-sxm", "gpu_hours", "100.00", "CNY", "")
	// A Shenzhen business: 10 GPUs × 1,000 h × CNY 100.00 = CNY 1,000,000.00; domestic VAT 6%
	// = 60,000.00; Shenzhen's voucher pays for training only: 50% = 500,000.00 (its cap).
	req := func(region, purpose, on string) string {
		return fmt.Sprintf(`{"offer_id":%q,"gpus":10,"hours":1000,"buyer":{"country":"CN","type":"business","region":%q},"currency":"CNY"%s%s}`, offer, region, purpose, on)
	}
	q := e.quote(req("cn-shenzhen", `,"purpose":"training"`, ""))
	if q.measures() != "cn-vat-domestic-services=60000.00 cn-voucher-shenzhen=-500000.00" || q.PricedAs.Purpose != "training" {
		t.Errorf("Shenzhen training: %s", q.measures())
	}
	// Total 1,000,000.00 + 60,000.00 − 500,000.00 = 560,000.00; net cost 500,000.00.
	q.totals(t, "Shenzhen training", "560000.00", "500000.00")
	for _, purpose := range []string{`,"purpose":"inference"`, `,"purpose":"other"`, ""} {
		if q := e.quote(req("cn-shenzhen", purpose, "")); q.measures() != "cn-vat-domestic-services=60000.00" {
			t.Errorf("Shenzhen %q: %s", purpose, q.measures())
		}
	}
	if status, _, body := call(t, e.app, "POST", "/api/v1/quotes", req("cn-shenzhen", `,"purpose":"gaming"`, "")); status != 400 || !strings.Contains(body, `"field":"purpose"`) {
		t.Errorf("unknown purpose: %d %s", status, body)
	}
	// Beijing's voucher (2023–2025) pays only for suppliers on the city's compute-partner list:
	// on 2025-06-30, 20% = 200,000.00 once the supplier declares the listing.
	beijing := func() taxQuote { return e.quote(req("cn-beijing", "", `,"as_of":"2025-06-30"`)) }
	if q := beijing(); q.measures() != "cn-vat-domestic-services=60000.00" {
		t.Errorf("Beijing, supplier not listed: %s", q.measures())
	}
	id := jsonField(t, mustGet(t, e, "/api/v1/offers/"+offer), "supplier_id")
	if status, _, body := call(t, e.app, "PATCH", "/api/v1/suppliers/"+id, `{"listings":["cn-beijing-ai-compute-partner"]}`, "Authorization", "Bearer "+key); status != 200 {
		t.Fatalf("declare the listing: %d %s", status, body)
	}
	if q := beijing(); q.measures() != "cn-vat-domestic-services=60000.00 cn-voucher-beijing=-200000.00" {
		t.Errorf("Beijing, supplier listed: %s", q.measures())
	}
}

func mustGet(t *testing.T, e *taxEnv, path string) string {
	t.Helper()
	status, _, body := call(t, e.app, "GET", path, "")
	if status != 200 {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	return body
}

// Point 6: export-control gates follow the buyer's headquarters; China's tariffs on US-origin
// chips take their origin from the wafer fab; an accelerator whose specs cannot decide its
// class is shown as unknown.
func TestTaxTruthHeadquartersFabAndUnknownClass(t *testing.T) {
	e := newTaxEnv(t)
	ctx := context.Background()
	// Accelerators the catalogue lacks: a US design made in a US fab, and a US design whose die
	// area is unpublished (TPP 3,000 decides nothing without it).
	prov := marketplace.Provenance{Source: "test fixture", AsOf: "2026-11-27", Confidence: marketplace.ConfidenceIllustrative, Note: "test"}
	if _, err := e.st.PutAccelerators(ctx, []marketplace.Accelerator{
		{Model: "test-us-fab", Name: "US-fab accelerator", Vendor: "Test", VendorCountry: "US", MemoryGB: dec("80"), BF16TFLOPS: dec("989.4"), TPP: dec("15831.2"), Density: dec("19.4486"),
			Provenance: prov, FabCountry: "US", Fab: prov},
		{Model: "test-us-unknown", Name: "Undecidable accelerator", Vendor: "Test", VendorCountry: "US", MemoryGB: dec("48"), BF16TFLOPS: dec("187.5"), TPP: dec("3000"), Provenance: prov},
	}); err != nil {
		t.Fatal(err)
	}
	_, deKey := e.supplier(`{"name":"Jülich Boards GmbH","country":"DE"}`)
	_, frKey := e.supplier(`{"name":"Bruyères Boards SAS","country":"FR"}`)
	// H100 boards from France for a German business, EUR 250,000.00: headquartered in China
	// (or Hong Kong, or Macau) the US licence applies wherever it sits; headquartered in
	// Germany it does not.
	boards := e.offer(frKey, "eu-fr-bruyeres-le-chatel", "h100-sxm", "hardware", "250000.00", "EUR", `,"hs_code":"8473.30"`)
	for hq, want := range map[string]bool{"CN": true, "HK": true, "MO": true, "DE": false, "": false} {
		q := e.quote(fmt.Sprintf(`{"offer_id":%q,"units":1,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789","headquarters":%q},"currency":"EUR"}`, boards, hq))
		if q.hasFlag("export_control.3A090_headquarters") != want {
			t.Errorf("headquarters %q: flags %s", hq, q.flagCodes())
		}
		if wantHQ := map[string]string{"": "DE"}[hq]; q.PricedAs.BuyerHeadquarters != hq && q.PricedAs.BuyerHeadquarters != wantHQ {
			t.Errorf("headquarters %q priced as %q", hq, q.PricedAs.BuyerHeadquarters)
		}
	}
	// Chips (HS 8542.31) shipped from Germany to a Chinese business on 2025-06-01, EUR
	// 100,000.00, when China levied 10% on US-origin goods: origin is the wafer fab, so the
	// TSMC-made H100 (fab TW) bears none — import VAT 13% = 13,000.00 — while the US-fab chip
	// bears 10% = 10,000.00 and import VAT 13% of 110,000.00 = 14,300.00.
	chips := func(acc string) taxQuote {
		o := e.offer(deKey, "eu-de-julich", acc, "hardware", "100000.00", "EUR", `,"hs_code":"8542.31"`)
		return e.quote(fmt.Sprintf(`{"offer_id":%q,"units":1,"buyer":{"country":"CN","type":"business"},"currency":"EUR","as_of":"2025-06-01"}`, o))
	}
	if q := chips("h100-sxm"); strings.Contains(q.measures(), "cn-retaliation") || !strings.Contains(q.measures(), "cn-vat-import-2019=13000.00") {
		t.Errorf("TW-fab chips: %s", q.measures())
	}
	if q := chips("test-us-fab"); !strings.Contains(q.measures(), "cn-retaliation-us-ics-2025-05-14=10000.00") || !strings.Contains(q.measures(), "cn-vat-import-2019=14300.00") {
		t.Errorf("US-fab chips: %s", q.measures())
	}
	// The catalogue serves the fab with its source, and classes without deciding: a chip whose
	// specs cannot decide is unknown, not none — in the catalogue, on offers and in the gates.
	body := mustGet(t, e, "/api/v1/accelerators")
	var cat struct {
		Accelerators []struct {
			Model       string `json:"model"`
			ExportClass string `json:"export_class"`
			FabCountry  string `json:"fab_country"`
			Fab         *struct{ Source, Confidence string }
		} `json:"accelerators"`
	}
	if err := json.Unmarshal([]byte(body), &cat); err != nil {
		t.Fatal(err)
	}
	classes := map[string]string{}
	for _, a := range cat.Accelerators {
		classes[a.Model] = a.ExportClass
		if a.Model == "h100-sxm" && (a.FabCountry != "TW" || a.Fab == nil || a.Fab.Source == "" || a.Fab.Confidence == "") {
			t.Errorf("h100-sxm fab %q %+v", a.FabCountry, a.Fab)
		}
	}
	if classes["kunlunxin-p800"] != "unknown" || classes["test-us-unknown"] != "unknown" || classes["h100-sxm"] != "3a090a" || classes["h20"] != "none" {
		t.Errorf("export classes: %v", classes)
	}
	unknown := e.offer(deKey, "cn-ningxia-zhongwei", "test-us-unknown", "gpu_hours", "10.00", "CNY", "")
	if b := mustGet(t, e, "/api/v1/offers/"+unknown); !strings.Contains(b, `"export_class":"unknown"`) {
		t.Errorf("offer export class: %.400s", b)
	}
	q := e.quote(`{"offer_id":"` + unknown + `","gpus":1,"hours":10,"buyer":{"country":"FR","type":"consumer"},"currency":"CNY"}`)
	if !q.hasFlag("export_control.3A090_unknown") {
		t.Errorf("undecidable accelerator hosted in China: flags %s", q.flagCodes())
	}
	if status, _, body := call(t, e.app, "POST", "/api/v1/quotes", `{"offer_id":"`+unknown+`","gpus":1,"hours":10,"buyer":{"country":"FR","type":"consumer","headquarters":"Paris"},"currency":"CNY"}`); status != 400 || !strings.Contains(body, `"field":"buyer.headquarters"`) {
		t.Errorf("bad headquarters: %d %s", status, body)
	}
}

// Point 7: in the EU, business status needs a VAT number valid in format for the buyer's
// country; without one the buyer is quoted as a consumer, with a flag saying why, and the
// quote says no live VIES check was made. Bare metal is a lease under China's 2026 rules.
func TestTaxTruthBusinessEvidenceAndBareMetal(t *testing.T) {
	e := newTaxEnv(t)
	// demo-offer-001 (Zhongwei H100, CNY 15.80): 8 GPUs × 100 h = CNY 12,640.00 ÷ 8.2626 =
	// EUR 1,529.78 for a German business.
	req := func(buyer string) string {
		return `{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":` + buyer + `,"currency":"EUR"}`
	}
	for name, buyer := range map[string]string{
		"no VAT number":            `{"country":"DE","type":"business"}`,
		"a number of another form": `{"country":"DE","type":"business","vat_id":"DE12345"}`,
		"a French number":          `{"country":"DE","type":"business","vat_id":"FRAB123456789"}`,
	} {
		// Quoted as a consumer: German VAT 19% charged, 1,529.78 × 19% = 290.66; total
		// 1,820.44, nothing recovered.
		q := e.quote(req(buyer))
		if q.PricedAs.BuyerType != "consumer" || q.measures() != "vat-de-b2c=290.66" || q.Total != "1820.44" || q.NetCost != "1820.44" ||
			q.Flags[0].Code != "vat_id.invalid" || q.Flags[0].Severity != "warning" || !strings.Contains(q.Flags[0].Message, "Quoted as a consumer") {
			t.Errorf("%s: priced as %s, %s total %s, flags %+v", name, q.PricedAs.BuyerType, q.measures(), q.Total, q.Flags)
		}
	}
	// A number valid in format (spaces and lower case are normalised): reverse charge,
	// 290.66 shown, not payable; total 1,529.78; an info flag says VIES was not asked.
	q := e.quote(req(`{"country":"DE","type":"business","vat_id":"de 123 456 789"}`))
	if q.PricedAs.BuyerType != "business" || q.measures() != "vat-de-b2b=290.66" || q.Total != "1529.78" ||
		q.Flags[0].Code != "vat_id.not_verified" || q.Flags[0].Severity != "info" || !strings.Contains(q.Flags[0].Message, "VIES") {
		t.Errorf("valid number: priced as %s, %s total %s, flags %+v", q.PricedAs.BuyerType, q.measures(), q.Total, q.Flags)
	}
	// Outside the EU the declared type stands, with no flag about it.
	q = e.quote(req(`{"country":"US","type":"business"}`))
	if q.PricedAs.BuyerType != "business" || q.hasFlag("vat_id.invalid") || q.hasFlag("vat_id.not_verified") {
		t.Errorf("US business: %s flags %s", q.PricedAs.BuyerType, q.flagCodes())
	}
	// The comparison ranks the same buyer the same way, and says why at the top.
	status, _, body := call(t, e.app, "POST", "/api/v1/compare", `{"accelerator":"h100-sxm","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business"},"currency":"EUR"}`)
	if status != 200 || !strings.Contains(body, `"ranked_by":"total"`) || !strings.Contains(body, `"buyer_type":"consumer"`) || !strings.Contains(body, `"notices":[{"code":"vat_id.invalid"`) {
		t.Errorf("compare, no VAT number: %d %.400s", status, body)
	}

	// Bare metal under China's 2026 rules. A Chinese supplier's domestic lease is a lease of
	// tangible movable property, 13% (1 GPU × 1,000 h × CNY 1,000.00 = 1,000,000.00 → 130,000.00),
	// not a 6% service as GPU-hours are (60,000.00).
	_, key := e.supplier(`{"name":"Zhongwei Bare Metal Co.","country":"CN"}`)
	bm := e.offer(key, "cn-ningxia-zhongwei", "h100-sxm", "bare_metal", "1000.00", "CNY", "")
	gh := e.offer(key, "cn-ningxia-zhongwei", "h100-sxm", "gpu_hours", "1000.00", "CNY", "")
	cn := func(offer string) taxQuote {
		return e.quote(`{"offer_id":"` + offer + `","gpus":1,"hours":1000,"buyer":{"country":"CN","type":"business"},"currency":"CNY"}`)
	}
	if q := cn(bm); q.measures() != "cn-vat-domestic-bare-metal=130000.00" {
		t.Errorf("domestic bare metal: %s", q.measures())
	}
	if q := cn(gh); q.measures() != "cn-vat-domestic-services=60000.00" {
		t.Errorf("domestic GPU-hours: %s", q.measures())
	}
	// A lease bought from an overseas supplier whose servers are abroad is consumed in China
	// under the 2026 Implementation Rules, so it is withheld (13%); the line cites them.
	_, deKey := e.supplier(`{"name":"Jülich Lease GmbH","country":"DE"}`)
	q = cn(e.offer(deKey, "eu-de-julich", "h100-sxm", "bare_metal", "1000.00", "CNY", ""))
	l, ok := q.line("cn-wht-vat-bare-metal-2026")
	if !ok || !strings.Contains(strings.Join(l.LegalRef, "; "), "实施条例") || l.Confidence != "sourced" {
		t.Errorf("overseas bare metal: %s %+v", q.measures(), l)
	}
}

// Point 8: a business recovering only part of its VAT: net cost follows its share.
func TestTaxTruthPartialVATRecovery(t *testing.T) {
	e := newTaxEnv(t)
	// A German supplier, servers in Jülich, EUR 2.00 × 10,000 GPU-hours = EUR 20,000.00 to a
	// German bank: German VAT 19% = 3,800.00 charged; total 23,800.00.
	_, key := e.supplier(`{"name":"Jülich Cloud GmbH","country":"DE"}`)
	offer := e.offer(key, "eu-de-julich", "h100-sxm", "gpu_hours", "2.00", "EUR", "")
	req := func(recovery string) string {
		return `{"offer_id":"` + offer + `","gpus":10,"hours":1000,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"` + recovery + `},"currency":"EUR"}`
	}
	for _, tc := range []struct{ recovery, share, net, perHour string }{
		{"", "1", "20000.00", "2.0000"},                            // all of it: 23,800.00 − 3,800.00
		{`,"vat_recovery":"60%"`, "0.6", "21520.00", "2.1520"},     // 3,800.00 × 0.6 = 2,280.00 recovered: 23,800.00 − 2,280.00
		{`,"vat_recovery":"0.6"`, "0.6", "21520.00", "2.1520"},     // the same share written as a fraction
		{`,"vat_recovery":"12.5%"`, "0.125", "23325.00", "2.3325"}, // 3,800.00 × 0.125 = 475.00: 23,800.00 − 475.00
		{`,"vat_recovery":"0"`, "0", "23800.00", "2.3800"},         // nothing recovered
	} {
		q := e.quote(req(tc.recovery))
		if q.Total != "23800.00" || q.NetCost != tc.net || q.LandedCost != tc.net || !dec(q.PerGPUHour).Equal(dec(tc.perHour)) || q.PricedAs.VATRecovery != tc.share {
			t.Errorf("recovery %q: total %s net %s landed %s per hour %s share %s, want net %s", tc.recovery, q.Total, q.NetCost, q.LandedCost, q.PerGPUHour, q.PricedAs.VATRecovery, tc.net)
		}
	}
	for _, bad := range []string{`,"vat_recovery":"150%"`, `,"vat_recovery":"-0.1"`, `,"vat_recovery":"most"`} {
		if status, _, body := call(t, e.app, "POST", "/api/v1/quotes", req(bad)); status != 400 || !strings.Contains(body, `"field":"buyer.vat_recovery"`) {
			t.Errorf("%s: %d %s", bad, status, body)
		}
	}
	if status, _, body := call(t, e.app, "POST", "/api/v1/quotes", `{"offer_id":"`+offer+`","gpus":1,"hours":10,"buyer":{"country":"DE","type":"consumer","vat_recovery":"50%"},"currency":"EUR"}`); status != 400 || !strings.Contains(body, "a consumer recovers no VAT") {
		t.Errorf("consumer with a share: %d %s", status, body)
	}
	// Compare ranks the bank by the same net cost, its breakdown summing to it: price
	// 20,000.00 + the 1,520.00 of VAT it cannot recover.
	status, _, body := call(t, e.app, "POST", "/api/v1/compare", `{"accelerator":"h100-sxm","gpus":10,"hours":1000,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789","vat_recovery":"60%"},"currency":"EUR","regions":["eu-de-julich"]}`)
	if status != 200 || !strings.Contains(body, `"net_cost":"21520.00","landed_cost":"21520.00"`) || !strings.Contains(body, `"price":"20000.00","duties_levies":"0.00","taxes":"1520.00"`) {
		t.Errorf("compare for the bank: %d %.1500s", status, body)
	}
}

// Point 9: every line says how sure it is and where it comes from, in JSON and CSV; a quote
// resting on an estimate or on FX carried forward says so at the top, and FX carried forward
// raises the stale flag.
func TestTaxTruthLinesSayHowSure(t *testing.T) {
	e := newTaxEnv(t)
	// The demo offer (illustrative) converted at the seeded carry-forward rate (the
	// 2025-10-21 fixing repeated under 2026-11-27): illustrative at the top, with both reasons.
	q := e.quote(`{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`)
	if q.Confidence != "illustrative" || len(q.ConfidenceNotes) != 2 || q.ConfidenceNotes[0].Subject != "offer demo-offer-001" || q.ConfidenceNotes[1].Subject != "fx CNY/EUR" ||
		!strings.Contains(q.ConfidenceNotes[1].Note, "2025-10-21") {
		t.Errorf("confidence %s notes %+v", q.Confidence, q.ConfidenceNotes)
	}
	if !q.hasFlag("fx.stale") {
		t.Errorf("carried-forward rate without fx.stale: %s", q.flagCodes())
	}
	if base := q.Lines[0]; base.Kind != "base" || base.Confidence != "illustrative" {
		t.Errorf("base line %+v", base)
	}
	if vat, _ := q.line("vat-de-b2b"); vat.Confidence != "sourced" || !strings.HasPrefix(vat.Source, "https://") || vat.SourceAsOf == "" {
		t.Errorf("VAT line %+v", vat)
	}
	// CSV: the same provenance per line, the confidence and its reasons, the flags.
	status, _, csv := call(t, e.app, "GET", "/api/v1/quotes/"+q.ID+"?format=csv", "")
	if status != 200 || !strings.Contains(csv, "kind,label,amount,currency,payable,measure,rate,basis,legal_ref,confidence,source,source_as_of") ||
		!strings.Contains(csv, "\r\nconfidence,illustrative\r\n") || !strings.Contains(csv, "confidence_note,fx CNY/EUR") || !strings.Contains(csv, "\r\nflag,fx.stale,") ||
		!strings.Contains(csv, "\r\ntax_terms,net_of_cn_tax\r\n") {
		t.Errorf("csv:\n%s", csv)
	}
	// A supplier's own offer in the quote currency, for a buyer whose rules are all sourced:
	// sourced at the top, no reasons, no stale flag.
	_, key := e.supplier(`{"name":"Jülich Sourced GmbH","country":"DE"}`)
	offer := e.offer(key, "eu-de-julich", "h100-sxm", "gpu_hours", "2.00", "EUR", "")
	q = e.quote(`{"offer_id":"` + offer + `","gpus":10,"hours":1000,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`)
	if q.Confidence != "sourced" || len(q.ConfidenceNotes) != 0 || q.hasFlag("fx.stale") || q.Lines[0].Confidence != "sourced" || !strings.Contains(q.Lines[0].Source, offer) {
		t.Errorf("sourced quote: %s %+v lines %+v", q.Confidence, q.ConfidenceNotes, q.Lines)
	}
	// A measure that is an estimate (the surtax on VAT withheld before 2021-09: the city tax of
	// a city district is assumed) makes the quote an estimate and names the measure.
	q = e.quote(`{"offer_id":"` + offer + `","gpus":10,"hours":1000,"buyer":{"country":"CN","type":"business"},"currency":"EUR","as_of":"2021-06-30"}`)
	if q.Confidence != "estimate" || !strings.Contains(fmt.Sprint(q.ConfidenceNotes), "measure cn-surtax-on-withheld-vat-2016-05") {
		t.Errorf("estimate: %s %+v (%s)", q.Confidence, q.ConfidenceNotes, q.measures())
	}
}
