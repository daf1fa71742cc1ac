package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/marketplace/store"
)

// supplyEnv is a real server over a fresh database with a few regions, accelerators and FX
// rates, for the supplier, offer and order tests.
type supplyEnv struct {
	t      testing.TB
	app    *fiber.App
	st     *store.Store
	market *marketplace.Service
	base   string // URL of the real listener, once doReal started it
	// buyerKey is the key of the test buyer the quotes of quote are priced for (testBuyer),
	// once asBuyer opened its account.
	buyerKey string
}

// testBuyer is the buyer e.quote prices quotes for: a German business.
var testBuyer = marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789"}

// buyer opens a buyer account through the API and returns its id and key.
func (e *supplyEnv) buyer(organisation string, b marketplace.Buyer) (string, string) {
	e.t.Helper()
	r := e.do("POST", "/api/v1/buyers", fmt.Sprintf(`{"organisation":%q,"country":%q,"type":%q,"vat_id":%q,"region":%q}`,
		organisation, b.Country, b.Type, b.VATID, b.Region))
	if r.status != 201 {
		e.t.Fatalf("create buyer: %d %s", r.status, r.body)
	}
	m := r.json(e.t)
	return m["id"].(string), m["api_key"].(string)
}

// asBuyer returns the Authorization header of the test buyer (opening its account once).
func (e *supplyEnv) asBuyer() []string {
	e.t.Helper()
	if e.buyerKey == "" {
		_, e.buyerKey = e.buyer("Test Buyer GmbH", testBuyer)
	}
	return bearerH(e.buyerKey)
}

// newSupplyEnv opens a fresh database (SQLite, or PostgreSQL when CORRIDOR_TEST_POSTGRES is
// set: see store.OpenTest) with the fixtures of seedFixtures and serves it.
func newSupplyEnv(t testing.TB) *supplyEnv {
	t.Helper()
	st := store.OpenTest(t)
	seedFixtures(t, st)
	return envOn(t, st)
}

func envOn(t testing.TB, st *store.Store) *supplyEnv {
	m := marketplace.NewService(st, time.Now)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app := NewServer(Deps{Market: m, Log: log, AdminTokenHash: sha256Hex(testAdminToken)})
	return &supplyEnv{t: t, app: app, st: st, market: m}
}

func seedFixtures(t testing.TB, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	prov := marketplace.Provenance{Source: "test", AsOf: "2026-11-27", Confidence: marketplace.ConfidenceIllustrative}
	regions := []marketplace.Region{
		{Code: "cn-ningxia-zhongwei", Name: "Zhongwei", Country: "CN", Bloc: marketplace.BlocCN, Kind: "cluster", Provenance: prov},
		{Code: "cn-gansu-qingyang", Name: "Qingyang", Country: "CN", Bloc: marketplace.BlocCN, Kind: "cluster", Provenance: prov},
		{Code: "eu-fi-kajaani", Name: "Kajaani", Country: "FI", Bloc: marketplace.BlocEU, Kind: "ai_factory", Provenance: prov},
	}
	d := decimal.RequireFromString
	accs := []marketplace.Accelerator{
		{Model: "h100-sxm", Name: "NVIDIA H100 SXM", Vendor: "NVIDIA", VendorCountry: "US", MemoryGB: d("80"), BF16TFLOPS: d("989"), TPP: d("15824"), Density: d("19.5"), Provenance: prov},
		{Model: "h20", Name: "NVIDIA H20", Vendor: "NVIDIA", VendorCountry: "US", MemoryGB: d("96"), BF16TFLOPS: d("148"), TPP: d("2368"), Density: d("2.9"), Provenance: prov},
		{Model: "ascend-910b", Name: "Huawei Ascend 910B", Vendor: "Huawei", VendorCountry: "CN", MemoryGB: d("64"), BF16TFLOPS: d("320"), TPP: d("5120"), Density: d("8"), Provenance: prov},
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	rates := []marketplace.FXRate{
		{Date: today, Currency: "USD", PerEUR: d("1.25"), Source: "TEST"},
		{Date: today, Currency: "CNY", PerEUR: d("8"), Source: "TEST"},
	}
	if _, err := st.PutRegions(ctx, regions); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutAccelerators(ctx, accs); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutFXRates(ctx, rates); err != nil {
		t.Fatal(err)
	}
}

type resp struct {
	status int
	ctype  string
	body   []byte
	header http.Header
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// do sends one request; headers alternate name, value.
func (e *supplyEnv) do(method, path, body string, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	recordResponse(method, path, res.StatusCode, res.Header.Get("Content-Type"), b)
	return resp{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: b, header: res.Header}
}

// doReal sends one request over a real TCP listener (app.Test cannot show what a client sees
// when fasthttp itself refuses a request, e.g. an oversized body).
func (e *supplyEnv) doReal(method, path, body string, headers ...string) resp {
	e.t.Helper()
	if e.base == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			e.t.Fatal(err)
		}
		go e.app.Listener(ln)
		e.t.Cleanup(func() { e.app.Shutdown() })
		e.base = "http://" + ln.Addr().String()
	}
	// A raw connection: the server answers 413 after the headers and closes while the client
	// is still writing, which net/http's client reports as a write error instead of the answer.
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.base, "http://"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close()
	var hb strings.Builder
	fmt.Fprintf(&hb, "%s %s HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", method, path, len(body))
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&hb, "%s: %s\r\n", headers[i], headers[i+1])
	}
	hb.WriteString("\r\n")
	go func() {
		conn.Write([]byte(hb.String()))
		conn.Write([]byte(body))
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: b, header: res.Header}
}

func bearerH(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

// supplier registers a supplier through the API and returns its id and key.
func (e *supplyEnv) supplier(name string) (string, string) {
	e.t.Helper()
	r := e.do("POST", "/api/v1/suppliers", `{"name":"`+name+`","country":"CN"}`, bearerH(testAdminToken)...)
	if r.status != 201 {
		e.t.Fatalf("create supplier: %d %s", r.status, r.body)
	}
	m := r.json(e.t)
	return m["id"].(string), m["api_key"].(string)
}

// window returns RFC 3339 bounds days from today.
func day(n int) string {
	return time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, n).Format(time.RFC3339)
}

func offerJSONBody(region, acc, gpus, price, cur string) string {
	return `{"region":"` + region + `","accelerator":"` + acc + `","product":"gpu_hours","gpus":` + gpus +
		`,"price":"` + price + `","currency":"` + cur + `","pricing":"on_demand","available_from":"` + day(1) +
		`","available_until":"` + day(61) + `","tiers":[{"min_gpu_hours":"1000","discount":"5%"}]}`
}

// offer creates an offer through the API and returns its id.
func (e *supplyEnv) offer(key, body string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/offers", body, bearerH(key)...)
	if r.status != 201 {
		e.t.Fatalf("create offer: %d %s", r.status, r.body)
	}
	return r.json(e.t)["id"].(string)
}

// quote stores a quote for gpus GPUs of offerID over [start, end), valid for validFor, priced
// for testBuyer (asBuyer accepts it).
func (e *supplyEnv) quote(offerID string, gpus int, start, end time.Time, validFor time.Duration) string {
	e.t.Helper()
	id := marketplace.NewID("q")
	now := time.Now().UTC()
	q := marketplace.Quote{ID: id, OfferID: offerID, GPUs: gpus, Start: start, End: end, Currency: "EUR",
		Total: decimal.RequireFromString("100.00"), CreatedAt: now, ValidUntil: now.Add(validFor),
		Request: marketplace.QuoteRequest{OfferID: offerID, GPUs: gpus, Buyer: testBuyer}}
	if err := e.st.PutQuote(context.Background(), q); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *supplyEnv) countOffers() int64 {
	e.t.Helper()
	n, err := e.st.CountOffers(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}
