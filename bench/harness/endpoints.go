package main

import (
	"fmt"
	"net/url"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
)

// request is one HTTP request of a load mix and the status it must get.
type request struct {
	method, path string
	body         []byte
	want         int
}

// endpoint is one measured endpoint: a rotating mix of requests built from the loaded market.
type endpoint struct {
	name  string
	label string // the report's row name
	what  string // what the mix is, for the report's legend
	mix   func(m market) []request
}

// market is what the harness knows of the loaded market when it builds request mixes: of its
// offers, only those the mixes ask for (quoteOffers).
type market struct {
	offers []marketplace.Offer
	today  time.Time
}

func search(q, sort string) request {
	v := url.Values{"q": {q}, "sort": {sort}, "limit": {"50"}}
	return request{method: "GET", path: "/api/v1/offers?" + v.Encode(), want: 200}
}

// quoteOffers are the offers the quote mix asks for: 1,000 spread over the market (regions,
// models and currencies). Of its own result it returns all, so a market reduced to them
// (loadMarket) asks for the same.
func quoteOffers(offers []marketplace.Offer) []marketplace.Offer {
	var out []marketplace.Offer
	step := max(1, len(offers)/997)
	for i := 0; i < len(offers) && len(out) < 1000; i += step {
		out = append(out, offers[i])
	}
	return out
}

// quoteRequests are 1,000 quote requests spread over the market.
func quoteRequests(m market) []request {
	var out []request
	// A German business is priced as one only with a VAT number valid for its country.
	buyers := []string{`{"country":"DE","type":"business","vat_id":"DE123456789"}`, `{"country":"FR","type":"consumer"}`, `{"country":"CN","type":"business"}`}
	for _, o := range quoteOffers(m.offers) {
		body := fmt.Sprintf(`{"offer_id":%q,"gpus":1,"hours":720,"buyer":%s,"currency":"EUR","start":%q}`,
			o.ID, buyers[len(out)%len(buyers)], o.AvailableFrom.Format(time.RFC3339))
		out = append(out, request{method: "POST", path: "/api/v1/quotes", body: []byte(body), want: 201})
	}
	return out
}

// typicalSearches are the six typical searches.
func typicalSearches(m market) []request {
	soon := m.today.AddDate(0, 0, 30).Format(time.DateOnly)
	return []request{
		search("accelerator=h100-sxm gpus>=8 bloc=CN price<=2.5 currency=USD", "price"),
		search("region in [cn-ningxia-zhongwei,cn-gansu-qingyang] tpp<4800", "per_pflop_hour"),
		search("bloc=EU pricing=reserved", "price"),
		search("", "price"),
		search("gpus>=32 available_from<="+soon, "available_from"),
		search("country in [FI,DE] accelerator in [h100-sxm,h200-sxm]", "price"),
	}
}

// variedRequests is how many distinct requests a "varied" mix holds: more than a run sends in
// one second, and the load generator starts each connection at its own part of the mix
// (load.go), so no two ask the same in the same state and the response cache never answers.
const variedRequests = 20_000

// endpoints are measured in this order; names are what -endpoints takes.
var endpoints = []endpoint{
	{name: "hello", label: "hello-world (Fiber v2)",
		what: `GET / answered "Hello, World!" by Fiber v2 in its default configuration: the baseline`,
		mix: func(market) []request {
			return []request{{method: "GET", path: "/", want: 200}}
		}},
	{name: "healthz", label: "`GET /healthz`", what: "GET /healthz (pings the database)",
		mix: func(market) []request {
			return []request{{method: "GET", path: "/healthz", want: 200}}
		}},
	{name: "search", label: "search, typical",
		what: "GET /api/v1/offers?limit=50, six typical searches in rotation: a model in China under 2.5 USD by price; two regions under TPP 4800 by price per PFLOP-hour; EU reserved by price; everything by price; 32+ GPUs within 30 days by date; two countries and two models by price",
		mix:  typicalSearches},
	{name: "search-floor", label: "search floor (not Corridor)",
		what: "the typical searches sent to the search floor (floor.go), a Fiber server that answers every search with the same bytes, of the size of Corridor's typical answers: how fast and how steady answers of that size can be on this machine, with the load generator on the same cores",
		mix:  typicalSearches},
	{name: "search-text", label: "search, free text",
		what: "GET /api/v1/offers?limit=50, four free-text searches in rotation: liquid; infiniband in the EU; 液冷; a phrase that matches nothing",
		mix: func(market) []request {
			return []request{
				search(`text~"liquid"`, "price"),
				search(`text~"infiniband" bloc=EU`, "price"),
				search(`text~"液冷"`, "price"),
				search(`text~"no such phrase"`, "price"),
			}
		}},
	{name: "search-varied", label: "search, every request new",
		what: "GET /api/v1/offers?limit=50, the six typical searches, each with an end of the availability window that no other request of the run has (end=2099-01-01T00:00:00Z, then one second later, …: beyond every offer's window, so the same work as the typical searches): 20,000 distinct requests, so none is answered from the response cache",
		mix: func(m market) []request {
			typical := typicalSearches(m)
			far := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
			out := make([]request, 0, variedRequests)
			for i := range variedRequests {
				r := typical[i%len(typical)]
				r.path += "&" + url.Values{"end": {far.Add(time.Duration(i) * time.Second).Format(time.RFC3339)}}.Encode()
				out = append(out, r)
			}
			return out
		}},
	{name: "quote", label: "`POST /api/v1/quotes`",
		what: "POST /api/v1/quotes, persisted: 1 GPU for 720 h from the offer's first day, 1,000 offers spread over the market, three buyers in rotation; the default answer (its explanation lists the measures that applied)",
		mix:  quoteRequests},
	{name: "quote-floor", label: "quote floor (not Corridor)",
		what: "the same requests to the quote floor (floor.go), a Fiber server that only reads the request, inserts a record of the size of Corridor's into SQLite and answers with bytes of the size of Corridor's answer: what no persisted quote of that size can avoid",
		mix:  quoteRequests},
	{name: "quote-all", label: "`POST /api/v1/quotes?explain=all`",
		what: "the quotes' requests asking for the whole explanation (every measure considered, applied or not, and why: ~34 KB answers), the only answer before this release",
		mix: func(m market) []request {
			out := quoteRequests(m)
			for i := range out {
				out[i].path += "?explain=all"
			}
			return out
		}},
	{name: "compare", label: "`POST /api/v1/compare`",
		what: "POST /api/v1/compare, the first page (20 offers): 8 GPUs × 100 h of h100-sxm, h20 or ascend-910b in rotation, for a German business (with its VAT number), in EUR",
		mix: func(market) []request {
			var out []request
			for _, acc := range []string{"h100-sxm", "h20", "ascend-910b"} {
				body := fmt.Sprintf(`{"accelerator":%q,"gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR","limit":20}`, acc)
				out = append(out, request{method: "POST", path: "/api/v1/compare", body: []byte(body), want: 200})
			}
			return out
		}},
	{name: "compare-varied", label: "compare, every request new",
		what: "POST /api/v1/compare as above, with 100, 101, 102, … hours: 20,000 distinct requests, so none is answered from the response cache",
		mix: func(market) []request {
			out := make([]request, 0, variedRequests)
			for i := range variedRequests {
				acc := []string{"h100-sxm", "h20", "ascend-910b"}[i%3]
				body := fmt.Sprintf(`{"accelerator":%q,"gpus":8,"hours":%d,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR","limit":20}`, acc, 100+i)
				out = append(out, request{method: "POST", path: "/api/v1/compare", body: []byte(body), want: 200})
			}
			return out
		}},
	{name: "market", label: "`GET /` market page",
		what: "GET /, the market page: HTML with the map's offer counts per region and the first page of offers",
		mix: func(market) []request {
			return []request{{method: "GET", path: "/", want: 200}}
		}},
	{name: "market-varied", label: "market page, every request new",
		what: "GET /?price_max=1000.001, 1000.002, …: the market page filtered by a price cap that no offer reaches (the page has no parameter that changes nothing: this is one more filter than the plain page), 20,000 distinct requests, so none is answered from the response cache",
		mix: func(market) []request {
			out := make([]request, 0, variedRequests)
			for i := range variedRequests {
				out = append(out, request{method: "GET", path: "/?price_max=" + decimal.New(1_000_000+int64(i), -3).String(), want: 200})
			}
			return out
		}},
}

func endpointNames() []string {
	var out []string
	for _, e := range endpoints {
		if e.name != "hello" {
			out = append(out, e.name)
		}
	}
	return out
}

func endpointByName(name string) (endpoint, bool) {
	for _, e := range endpoints {
		if e.name == name {
			return e, true
		}
	}
	return endpoint{}, false
}
