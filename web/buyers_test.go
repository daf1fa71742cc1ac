package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestBuyerAccountAPI: anyone opens an account (every field checked at once); the key is in
// that response only, reads the account and is replaced by rotation; a wrong key is 401, a
// supplier key or the admin token 403.
func TestBuyerAccountAPI(t *testing.T) {
	e := newSupplyEnv(t)
	bad := e.do("POST", "/api/v1/buyers", `{"organisation":"","country":"Germany","type":"company","vat_id":"DE1"}`)
	if bad.status != 400 {
		t.Fatalf("invalid account: %d %s", bad.status, bad.body)
	}
	for _, f := range []string{`"field":"organisation"`, `"field":"country"`, `"field":"type"`} {
		if !strings.Contains(string(bad.body), f) {
			t.Errorf("invalid account: no %s in %s", f, bad.body)
		}
	}
	if r := e.do("POST", "/api/v1/buyers", `{"organisation":"X","country":"DE","type":"business","vat_id":"DE1"}`); r.status != 400 ||
		!strings.Contains(string(r.body), `"field":"vat_id","message":"VAT number \"DE1\" is not valid in format for DE: expected 9 digits after DE"`) {
		t.Errorf("bad VAT number: %d %s", r.status, r.body)
	}
	body := `{"organisation":"Kraftwerk Compute GmbH","country":"de","type":"business","vat_id":"de 123.456.789","headquarters":"us"}`
	idem := "7d0e2a4b-1c3f-4e5a-9b8c-0d1e2f3a4b5c"
	r := e.do("POST", "/api/v1/buyers", body, "Idempotency-Key", idem)
	if r.status != 201 || r.header.Get("Cache-Control") != "no-store" || r.header.Get("Location") != "/api/v1/buyers/me" {
		t.Fatalf("create: %d %v %s", r.status, r.header, r.body)
	}
	var acct struct {
		ID, Organisation, Country, Type, Headquarters string
		VATID                                         string `json:"vat_id"`
		APIKey                                        string `json:"api_key"`
		KeyID                                         string `json:"key_id"`
	}
	if err := json.Unmarshal(r.body, &acct); err != nil {
		t.Fatal(err)
	}
	if acct.VATID != "DE123456789" || acct.Country != "DE" || acct.Headquarters != "US" || !strings.HasPrefix(acct.APIKey, "cbk_"+acct.KeyID+"_") {
		t.Errorf("created: %+v", acct)
	}
	if again := e.do("POST", "/api/v1/buyers", body, "Idempotency-Key", idem); again.status != 201 || string(again.body) != string(r.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a retry with the Idempotency-Key opened another account: %d %s", again.status, again.body)
	}
	if short := e.do("POST", "/api/v1/buyers", body, "Idempotency-Key", "buyer-1"); short.status != 400 {
		t.Errorf("a guessable Idempotency-Key on a response holding a key: %d", short.status)
	}
	me := e.do("GET", "/api/v1/buyers/me", "", bearerH(acct.APIKey)...)
	if me.status != 200 || strings.Contains(string(me.body), "api_key") || !strings.Contains(string(me.body), `"organisation":"Kraftwerk Compute GmbH"`) {
		t.Errorf("me: %d %s", me.status, me.body)
	}
	_, supKey := e.supplier("Buyer Test Supplier")
	last := "0"
	if strings.HasSuffix(acct.APIKey, "0") {
		last = "1"
	}
	wrong := acct.APIKey[:len(acct.APIKey)-1] + last // the right shape, the wrong secret
	for name, c := range map[string]struct {
		auth []string
		want int
	}{
		"no key": {nil, 401}, "a wrong key": {bearerH(wrong), 401},
		"a supplier key": {bearerH(supKey), 403}, "the admin token": {bearerH(testAdminToken), 403},
	} {
		if r := e.do("GET", "/api/v1/buyers/me", "", c.auth...); r.status != c.want {
			t.Errorf("me with %s: %d, want %d", name, r.status, c.want)
		}
	}
	rot := e.do("POST", "/api/v1/buyers/me/keys", "", bearerH(acct.APIKey)...)
	var fresh struct {
		APIKey  string `json:"api_key"`
		BuyerID string `json:"buyer_id"`
	}
	if rot.status != 201 || json.Unmarshal(rot.body, &fresh) != nil || fresh.BuyerID != acct.ID || fresh.APIKey == acct.APIKey {
		t.Fatalf("rotate: %d %s", rot.status, rot.body)
	}
	if r := e.do("GET", "/api/v1/buyers/me", "", bearerH(acct.APIKey)...); r.status != 401 {
		t.Errorf("the old key after rotation: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/buyers/me", "", bearerH(fresh.APIKey)...); r.status != 200 {
		t.Errorf("the new key: %d", r.status)
	}
	// A buyer who lost the key asks the administrator for a new one.
	if r := e.do("POST", "/api/v1/buyers/"+acct.ID+"/keys", "", bearerH(fresh.APIKey)...); r.status != 403 {
		t.Errorf("a buyer reissuing its own key by id: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/buyers/buy_00000000000000000000000000000000/keys", "", bearerH(testAdminToken)...); r.status != 404 {
		t.Errorf("reissuing an unknown buyer's key: %d", r.status)
	}
	re := e.do("POST", "/api/v1/buyers/"+acct.ID+"/keys", "", bearerH(testAdminToken)...)
	var reissued struct {
		APIKey string `json:"api_key"`
	}
	if re.status != 201 || json.Unmarshal(re.body, &reissued) != nil || reissued.APIKey == "" {
		t.Fatalf("admin reissue: %d %s", re.status, re.body)
	}
	if r := e.do("GET", "/api/v1/buyers/me", "", bearerH(fresh.APIKey)...); r.status != 401 {
		t.Errorf("the key before the reissue: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/buyers/me", "", bearerH(reissued.APIKey)...); r.status != 200 {
		t.Errorf("the reissued key: %d", r.status)
	}
	// Neither key nor the Idempotency-Key is stored in clear.
	for _, secret := range []string{acct.APIKey[len("cbk_")+17:], fresh.APIKey[len("cbk_")+17:], idem} {
		if cols, err := e.st.ColumnsContaining(t.Context(), secret); err != nil || len(cols) > 0 {
			t.Errorf("a secret is stored in clear in %v (%v)", cols, err)
		}
	}
}

// TestOrdersBelongToTheirBuyer: a buyer sees and cancels its own orders only; another buyer
// gets 404 for them and never lists them; the supplier lists them with whom to invoice; the
// quote says accepted and names its order; cancelling frees the GPUs.
func TestOrdersBelongToTheirBuyer(t *testing.T) {
	e := newSupplyEnv(t)
	_, supKey := e.supplier("Invoice Compute")
	offer := e.offer(supKey, offerJSONBody("eu-fi-kajaani", "h100-sxm", "8", "3.10", "EUR"))
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 3)
	q := e.quote(offer, 5, start, start.Add(48*time.Hour), time.Hour)
	a := e.asBuyer()
	_, otherKey := e.buyer("Other Buyer GmbH", testBuyer)
	other := bearerH(otherKey)

	acc := e.do("POST", "/api/v1/quotes/"+q+"/accept", "", a...)
	if acc.status != 201 {
		t.Fatalf("accept: %d %s", acc.status, acc.body)
	}
	var order orderJSON
	if err := json.Unmarshal(acc.body, &order); err != nil {
		t.Fatal(err)
	}
	if order.Buyer == nil || order.Buyer.Organisation != "Test Buyer GmbH" || order.Buyer.VATID != "DE123456789" ||
		order.CancellationTerms == nil || order.CancellationTerms.Kind != "free_until" || *order.CancellationTerms.NoticeHours != 24 ||
		*order.CancellationTerms.CancellableUntil != start.Add(-24*time.Hour).Format(time.RFC3339) {
		t.Errorf("order: %s", acc.body)
	}
	// (The quote here is a bare record, not a priced one: TestQuoteThenAccept reads a real one
	// through the API.)
	if pq, err := e.market.GetQuote(t.Context(), q); err != nil || pq.OrderID != order.ID || pq.Status(time.Now()) != "accepted" {
		t.Errorf("the quote after accepting: order %q status %s, %v", pq.OrderID, pq.Status(time.Now()), err)
	}
	// The other buyer: no order listed, 404 on the order, 404 on cancelling it.
	if r := e.do("GET", "/api/v1/orders", "", other...); r.status != 200 || string(r.body) != `{"next_cursor":null,"orders":[]}` {
		t.Errorf("the other buyer's orders: %d %s", r.status, r.body)
	}
	for _, c := range []struct{ method, path, body string }{{"GET", "/api/v1/orders/" + order.ID, ""}, {"POST", "/api/v1/orders/" + order.ID + "/cancel", `{"reason":"mine now"}`}} {
		if r := e.do(c.method, c.path, c.body, other...); r.status != 404 || strings.Contains(string(r.body), "Test Buyer") {
			t.Errorf("the other buyer: %s %s: %d %s", c.method, c.path, r.status, r.body)
		}
	}
	// The buyer lists it; the supplier lists it with whom to invoice; filters by date and status.
	if r := e.do("GET", "/api/v1/orders", "", a...); !strings.Contains(string(r.body), order.ID) {
		t.Errorf("the buyer's orders: %s", r.body)
	}
	sup := e.do("GET", "/api/v1/orders", "", bearerH(supKey)...)
	if !strings.Contains(string(sup.body), `"organisation":"Test Buyer GmbH","country":"DE","type":"business","vat_id":"DE123456789"`) {
		t.Errorf("the supplier's orders do not say whom to invoice: %s", sup.body)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	for query, want := range map[string]bool{"?from=" + today: true, "?to=" + today: false, "?from=" + tomorrow: false,
		"?from=" + today + "&to=" + tomorrow + "&status=confirmed": true, "?status=cancelled": false} {
		if r := e.do("GET", "/api/v1/orders"+query, "", a...); r.status != 200 || strings.Contains(string(r.body), order.ID) != want {
			t.Errorf("orders%s: %d, listed %v, want %v", query, r.status, !want, want)
		}
	}
	for _, query := range []string{"?from=yesterday", "?status=shipped", "?from=" + tomorrow + "&to=" + today, "?buyer=x"} {
		if r := e.do("GET", "/api/v1/orders"+query, "", a...); r.status != 400 {
			t.Errorf("orders%s: %d, want 400", query, r.status)
		}
	}
	if r := e.do("GET", "/api/v1/orders", ""); r.status != 401 {
		t.Errorf("orders without a key: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/orders", "", bearerH(testAdminToken)...); r.status != 403 {
		t.Errorf("orders with the admin token: %d", r.status)
	}
	// Cancelling: a reason is required; then the order is cancelled with it, the GPUs are free.
	if r := e.do("POST", "/api/v1/orders/"+order.ID+"/cancel", `{}`, a...); r.status != 400 || !strings.Contains(string(r.body), `"field":"reason"`) {
		t.Errorf("cancel without a reason: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/orders/"+order.ID+"/cancel", `{"reason":"x"}`, bearerH(supKey)...); r.status != 403 {
		t.Errorf("a supplier cancelling: %d", r.status)
	}
	c := e.do("POST", "/api/v1/orders/"+order.ID+"/cancel", `{"reason":"project postponed"}`, append(a, "Idempotency-Key", "cancel-1")...)
	if c.status != 200 || !strings.Contains(string(c.body), `"status":"cancelled"`) || !strings.Contains(string(c.body), `"reason":"project postponed"`) {
		t.Fatalf("cancel: %d %s", c.status, c.body)
	}
	w := "/api/v1/offers/" + offer + "?start=" + start.Format(time.RFC3339) + "&end=" + start.Add(48*time.Hour).Format(time.RFC3339)
	if r := e.do("GET", w, ""); !strings.Contains(string(r.body), `"gpus_available":8`) {
		t.Errorf("the GPUs are not free again: %s", r.body)
	}
	if r := e.do("POST", "/api/v1/orders/"+order.ID+"/cancel", `{"reason":"again"}`, a...); r.status != 200 || !strings.Contains(string(r.body), `"reason":"project postponed"`) {
		t.Errorf("cancelling again: %d %s", r.status, r.body)
	}
}

// TestOfferCancellationTerms: an offer states its terms (or gets its pricing model's default);
// bad terms are named; a quote carries them with their deadline.
func TestOfferCancellationTerms(t *testing.T) {
	e := newSupplyEnv(t)
	_, key := e.supplier("Terms Compute")
	with := func(terms string) string {
		return strings.Replace(offerJSONBody("eu-fi-kajaani", "h100-sxm", "8", "3.10", "EUR"), `"pricing":"on_demand"`, `"pricing":"on_demand","cancellation":`+terms, 1)
	}
	id := e.offer(key, with(`{"kind":"free_until","notice_hours":48}`))
	if r := e.do("GET", "/api/v1/offers/"+id, ""); !strings.Contains(string(r.body), `"cancellation":{"kind":"free_until","notice_hours":48}`) {
		t.Errorf("stated terms: %s", r.body)
	}
	reserved := e.offer(key, strings.Replace(offerJSONBody("eu-fi-kajaani", "h100-sxm", "8", "3.10", "EUR"), "on_demand", "reserved", 1))
	if r := e.do("GET", "/api/v1/offers/"+reserved, ""); !strings.Contains(string(r.body), `"cancellation":{"kind":"non_cancellable"}`) {
		t.Errorf("reserved capacity's default terms: %s", r.body)
	}
	for terms, field := range map[string]string{`{"kind":"whenever"}`: "cancellation.kind", `{"kind":"free_until"}`: "cancellation.notice_hours",
		`{"kind":"free_until","notice_hours":9000}`: "cancellation.notice_hours", `{"kind":"non_cancellable","notice_hours":1}`: "cancellation.notice_hours",
		`{"notice_hours":1}`: "cancellation.kind", `{"kind":"free_until","notice":1}`: "cancellation.notice"} {
		if r := e.do("POST", "/api/v1/offers", with(terms), bearerH(key)...); r.status != 400 || !strings.Contains(string(r.body), `"field":"`+field+`"`) {
			t.Errorf("terms %s: %d %s; want 400 naming %s", terms, r.status, r.body, field)
		}
	}
	if r := e.do("PATCH", "/api/v1/offers/"+id, `{"cancellation":{"kind":"non_cancellable"}}`, bearerH(key)...); r.status != 200 || !strings.Contains(string(r.body), `"cancellation":{"kind":"non_cancellable"}`) {
		t.Errorf("patch terms: %d %s", r.status, r.body)
	}
}

// TestSupplierOwnOffers: a supplier lists its own offers, withdrawn ones included, and no one
// else's; DELETE answers the offer as GET does; a withdrawn offer can be reinstated.
func TestSupplierOwnOffers(t *testing.T) {
	e := newSupplyEnv(t)
	_, key := e.supplier("Own Offers Compute")
	_, otherKey := e.supplier("Other Offers Compute")
	a := e.offer(key, offerJSONBody("eu-fi-kajaani", "h100-sxm", "8", "3.10", "EUR"))
	b := e.offer(key, offerJSONBody("cn-ningxia-zhongwei", "h20", "16", "9.80", "CNY"))
	c := e.offer(otherKey, offerJSONBody("eu-fi-kajaani", "h100-sxm", "8", "3.00", "EUR"))
	get := e.do("GET", "/api/v1/offers/"+b, "")
	del := e.do("DELETE", "/api/v1/offers/"+b, "", bearerH(key)...)
	if del.status != 200 {
		t.Fatalf("withdraw: %d %s", del.status, del.body)
	}
	var g, d map[string]any
	json.Unmarshal(get.body, &g)
	json.Unmarshal(del.body, &d)
	for k := range g {
		if _, ok := d[k]; !ok {
			t.Errorf("DELETE's answer lacks %q, which GET has", k)
		}
	}
	if d["status"] != "withdrawn" || d["gpus_available"] == nil {
		t.Errorf("DELETE's answer: %s", del.body)
	}
	list := func(query string, k string) []string {
		r := e.do("GET", "/api/v1/suppliers/me/offers"+query, "", bearerH(k)...)
		if r.status != 200 {
			t.Fatalf("own offers%s: %d %s", query, r.status, r.body)
		}
		var page struct {
			Offers []struct{ ID, Status string } `json:"offers"`
		}
		json.Unmarshal(r.body, &page)
		var ids []string
		for _, o := range page.Offers {
			ids = append(ids, o.ID+":"+o.Status)
		}
		return ids
	}
	mine := list("", key)
	if len(mine) != 2 || !strings.Contains(strings.Join(mine, ","), a+":active") || !strings.Contains(strings.Join(mine, ","), b+":withdrawn") {
		t.Errorf("own offers %v", mine)
	}
	if got := list("?status=withdrawn", key); len(got) != 1 || got[0] != b+":withdrawn" {
		t.Errorf("own withdrawn offers %v", got)
	}
	if got := list("", otherKey); len(got) != 1 || got[0] != c+":active" {
		t.Errorf("the other supplier's own offers %v", got)
	}
	first := e.do("GET", "/api/v1/suppliers/me/offers?limit=1", "", bearerH(key)...)
	var page struct {
		Next *string `json:"next_cursor"`
	}
	json.Unmarshal(first.body, &page)
	if page.Next == nil {
		t.Fatalf("a page of one of two offers has no next cursor: %s", first.body)
	}
	if second := list("?limit=1&cursor="+*page.Next, key); len(second) != 1 || strings.Contains(string(first.body), strings.Split(second[0], ":")[0]) {
		t.Errorf("second page %v after %s", second, first.body)
	}
	if r := e.do("GET", "/api/v1/suppliers/me/offers", ""); r.status != 401 {
		t.Errorf("own offers without a key: %d", r.status)
	}
	// Reinstating: not another supplier's (404), not with a stale version (412); then listed again.
	if r := e.do("POST", "/api/v1/offers/"+b+"/reinstate", "", bearerH(otherKey)...); r.status != 404 {
		t.Errorf("another supplier reinstating: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/offers/"+b+"/reinstate", "", append(bearerH(key), "If-Match", `"1"`)...); r.status != 412 {
		t.Errorf("reinstating a stale version: %d %s", r.status, r.body)
	}
	re := e.do("POST", "/api/v1/offers/"+b+"/reinstate", "", append(bearerH(key), "If-Match", `"2"`)...)
	if re.status != 200 || !strings.Contains(string(re.body), `"status":"active"`) || !strings.Contains(string(re.body), `"version":3`) || re.header.Get("ETag") != `"3"` {
		t.Fatalf("reinstate: %d %s", re.status, re.body)
	}
	if r := e.do("GET", "/api/v1/offers?q=accelerator%3Dh20", ""); !strings.Contains(string(r.body), b) {
		t.Errorf("the reinstated offer is not listed: %s", r.body)
	}
	if r := e.do("POST", "/api/v1/offers/"+b+"/reinstate", "", bearerH(key)...); r.status != 200 || !strings.Contains(string(r.body), `"version":3`) {
		t.Errorf("reinstating an active offer: %d %s", r.status, r.body)
	}
}

// TestSupplierNamesAndListing: the admin lists suppliers; a name already registered (ignoring
// case and spacing) is refused, naming the field.
func TestSupplierNamesAndListing(t *testing.T) {
	e := newSupplyEnv(t)
	id, key := e.supplier("Kajaani Compute Oy")
	r := e.do("POST", "/api/v1/suppliers", `{"name":"KAJAANI  compute oy","country":"FI"}`, bearerH(testAdminToken)...)
	if r.status != 409 || !strings.Contains(string(r.body), `"field":"name"`) || !strings.Contains(string(r.body), id) {
		t.Errorf("duplicate name: %d %s", r.status, r.body)
	}
	list := e.do("GET", "/api/v1/suppliers", "", bearerH(testAdminToken)...)
	if list.status != 200 || !strings.Contains(string(list.body), `"name":"Kajaani Compute Oy"`) || strings.Count(string(list.body), `"id"`) != 1 {
		t.Errorf("list: %d %s", list.status, list.body)
	}
	// One supplier shape: the list holds each supplier as GET /suppliers/{id} answers it,
	// where it is established included; a supplier reads itself as "me".
	r = e.do("PATCH", "/api/v1/suppliers/me", `{"country":"FI","establishments":["SE"]}`, bearerH(key)...)
	if r.status != 200 || !strings.Contains(string(r.body), `"id":"`+id+`"`) {
		t.Fatalf("PATCH /suppliers/me: %d %s", r.status, r.body)
	}
	one := e.do("GET", "/api/v1/suppliers/"+id, "", bearerH(testAdminToken)...)
	me := e.do("GET", "/api/v1/suppliers/me", "", bearerH(key)...)
	list = e.do("GET", "/api/v1/suppliers", "", bearerH(testAdminToken)...)
	if one.status != 200 || string(me.body) != string(one.body) || string(list.body) != `{"suppliers":[`+string(one.body)+`]}` ||
		!strings.Contains(string(one.body), `"country":"FI","establishments":["SE"],"vat_registrations":[],"listings":[]`) {
		t.Errorf("one supplier, three answers:\nGET {id} %d %s\nGET me   %d %s\nlist     %d %s", one.status, one.body, me.status, me.body, list.status, list.body)
	}
	if r := e.do("GET", "/api/v1/suppliers/me", "", bearerH(testAdminToken)...); r.status != 404 {
		t.Errorf("the administrator is no supplier: GET /suppliers/me %d", r.status)
	}
	if r := e.do("GET", "/api/v1/suppliers", ""); r.status != 401 {
		t.Errorf("list without the admin token: %d", r.status)
	}
}

// TestUnknownMembersGetAHint: a misspelt member is named with its path and the closest member
// of that object, as the search language does; with nothing close, the members are listed.
func TestUnknownMembersGetAHint(t *testing.T) {
	e := newSupplyEnv(t)
	_, key := e.supplier("Hint Compute")
	offer := offerJSONBody("eu-fi-kajaani", "h100-sxm", "8", "3.10", "EUR")
	cases := []struct{ path, body, field, message string }{
		{"PATCH /api/v1/suppliers/me", `{"establishment":["NL"]}`, "establishment", `unknown field; did you mean \"establishments\"?`},
		{"PATCH /api/v1/suppliers/me", `{"vat_registrations":[{"country":"NL","vatid":"NL123456789B01"}]}`, "vat_registrations[0].vatid", `unknown field; did you mean \"vat_id\"?`},
		{"/api/v1/offers", strings.Replace(offer, `"price"`, `"pricee"`, 1), "pricee", `unknown field; did you mean \"price\"?`},
		{"/api/v1/offers", strings.Replace(offer, `"min_gpu_hours"`, `"min_gpuhours"`, 1), "tiers[0].min_gpuhours", `unknown field; did you mean \"min_gpu_hours\"?`},
		{"/api/v1/offers/batch", `{"offers":[` + offer + `,` + strings.Replace(offer, `"gpus"`, `"gpu"`, 1) + `]}`, "offers[1].gpu", `unknown field; did you mean \"gpus\"?`},
		{"/api/v1/quotes", `{"offer_id":"x","gpus":1,"hours":1,"buyer":{"contry":"DE","type":"business"},"currency":"EUR"}`, "buyer.contry", `unknown field; did you mean \"country\"?`},
		{"/api/v1/buyers", `{"organization":"X GmbH","country":"DE","type":"business"}`, "organization", `unknown field; did you mean \"organisation\"?`},
		{"/api/v1/quotes", `{"offer_id":"x","zzzzzzzz":1}`, "zzzzzzzz", `unknown field; the members here are offer_id, gpus, hours, units, buyer`},
	}
	for _, c := range cases {
		method, path, ok := strings.Cut(c.path, " ")
		if !ok {
			method, path = "POST", c.path
		}
		r := e.do(method, path, c.body, bearerH(key)...)
		if r.status != 400 || !strings.Contains(string(r.body), `{"field":"`+c.field+`","message":"`+c.message) {
			t.Errorf("%s %s: %d %s; want %s: %s", c.path, c.field, r.status, r.body, c.field, c.message)
		}
	}
}
