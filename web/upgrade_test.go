package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/tariff"
)

// release1 is a database made by the first release, with the API documents it served
// (marketplace/store/testdata/release1/README.md).
const release1 = "../marketplace/store/testdata/release1"

// TestUpgradeServesRelease1Unchanged upgrades a copy of a database made by the first release
// and checks that every quote and order is served byte for byte as that release served it but
// for the base line's label, which i18n.LineLabel words for every quote now (the accelerator's
// display name and the pricing model in words instead of their codes), for what a quote now
// says of its order (release1Accepted: status accepted and order_id), and for the members later
// releases added (withoutLaterMembers), which say what the first release computed; that every quote
// re-prices to itself but for the facts the first release did not record (the provenance of
// its flags); and that the scenario versions the first release did not record were recovered.
func TestUpgradeServesRelease1Unchanged(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "corridor.db")
	src, err := os.ReadFile(filepath.Join(release1, "corridor.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		MadeAt time.Time `json:"made_at"`
		Quotes []string  `json:"quotes"`
		Orders []string  `json:"orders"`
	}
	b, err := os.ReadFile(filepath.Join(release1, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := marketplace.NewService(st, func() time.Time { return manifest.MadeAt })
	app := NewServer(Deps{Market: svc})

	for _, id := range manifest.Quotes {
		want, err := os.ReadFile(filepath.Join(release1, "quotes", id+".json"))
		if err != nil {
			t.Fatal(err)
		}
		q, err := svc.GetQuote(ctx, id)
		if err != nil {
			t.Errorf("quote %s: %v", id, err)
			continue
		}
		oc, err := svc.OfferDetail(ctx, q.OfferID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := QuoteDocument(q, oc.Accelerator, manifest.MadeAt)
		if err != nil {
			t.Fatal(err)
		}
		want = canonical(t, release1Accepted(t, release1Relabelled(t, want, oc.Accelerator.Name), q.OrderID))
		got = withoutLaterMembers(t, got, q)
		if string(got)+"\n" != string(want) {
			t.Errorf("quote %s is served differently after the upgrade:\n got %.600s\nwant %.600s", id, got, want)
		}
		stored, again, err := svc.Reprice(ctx, id)
		if err != nil {
			t.Errorf("quote %s: re-price: %v", id, err)
			continue
		}
		// The first release recorded neither a flag's provenance nor who levies a line.
		for i := range again.Flags {
			again.Flags[i].Provenance = tariff.Provenance{}
		}
		for i := range again.Lines {
			again.Lines[i].Jurisdiction = ""
			again.Lines[i].Provenance = tariff.Provenance{} // nor a line's
		}
		a, _ := json.Marshal(stored)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Errorf("quote %s: re-pricing changed it:\nstored %s\nagain  %s", id, a, b)
		}
	}
	// The corridor quotes were made under the scenario's version 1 and, after a new version was
	// activated, version 2.
	for i, want := range map[int]int{3: 1, 7: 2} {
		q, err := svc.GetQuote(ctx, manifest.Quotes[i])
		if err != nil {
			t.Fatal(err)
		}
		if s := q.Inputs.Scenario; s.ID != "cn-eu-compute-corridor" || s.Version != want || len(s.Hash) != 64 || q.Request.Scenario != s.ID {
			t.Errorf("quote %s: scenario %+v (request %q), want cn-eu-compute-corridor v%d", q.ID, s, q.Request.Scenario, want)
		}
	}
	for _, id := range manifest.Orders {
		want, err := os.ReadFile(filepath.Join(release1, "orders", id+".json"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := app.Test(httptest.NewRequest("GET", "/api/v1/orders/"+id, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got)+"\n" != string(want) {
			t.Errorf("order %s: %d\n got %s\nwant %s", id, resp.StatusCode, got, want)
		}
	}
}

// withoutLaterMembers returns a quote document as the first release would have written it:
// without the members added since, after checking what they say of a first-release quote —
// its withheld taxes carved out (tax_inclusive, the engine's only terms then), priced for the
// buyer it names, with the supplier taken to be established where it hosts, resting on the
// illustrative carried-forward FX rate of the demo market's day where it converts.
func withoutLaterMembers(t *testing.T, doc []byte, q marketplace.Quote) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	priced, _ := m["priced_as"].(map[string]any)
	if m["tax_terms"] != "tax_inclusive" || priced["buyer_type"] != q.Request.Buyer.Type || priced["supplier_country"] != priced["hosting_country"] {
		t.Errorf("quote %s: tax_terms %v, priced as %v", q.ID, m["tax_terms"], priced)
	}
	if c := m["confidence"]; c != "sourced" && c != "estimate" && c != "illustrative" {
		t.Errorf("quote %s: confidence %v", q.ID, c)
	}
	// explanation_considered (this release) counts the whole explanation QuoteDocument prints
	if trail, _ := m["explanation"].([]any); m["explanation_considered"] != float64(len(trail)) {
		t.Errorf("quote %s: explanation_considered %v, explanation of %d entries", q.ID, m["explanation_considered"], len(trail))
	}
	for _, k := range []string{"tax_terms", "priced_as", "confidence", "confidence_notes", "explanation_considered"} {
		delete(m, k)
	}
	for _, list := range []string{"lines", "flags"} {
		items, _ := m[list].([]any)
		for _, it := range items {
			for _, k := range []string{"confidence", "source", "source_as_of", "note"} {
				delete(it.(map[string]any), k)
			}
		}
	}
	// Members sorted by name: the first release's document is re-encoded alike (canonical).
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// canonical re-encodes a JSON document with its members sorted, as withoutLaterMembers does.
func canonical(t *testing.T, doc []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// release1BaseLabel is the base line of a first-release quote document, its label as that
// release worded it: "h100-sxm: 8 GPUs × 100 h (on_demand)" or "h200-sxm: 2 units".
var release1BaseLabel = regexp.MustCompile(`"kind": "base",\n(\s+)"label": "[a-z0-9-]+: (?:(\d+) GPUs × (\d+) h \(([a-z_]+)\)|(\d+) units)"`)

// release1Accepted is a first-release quote document as served now: the first release said
// "valid" (or "expired") of a quote it had turned into an order and did not name the order;
// now an accepted quote says "accepted" and every quote has order_id (null until accepted).
func release1Accepted(t *testing.T, doc []byte, orderID string) []byte {
	t.Helper()
	status := regexp.MustCompile(`(?m)^  "status": "(valid|expired)",\n`)
	if len(status.FindAll(doc, -1)) != 1 {
		t.Fatalf("a first-release quote document without one status:\n%.300s", doc)
	}
	return status.ReplaceAllFunc(doc, func(m []byte) []byte {
		if orderID == "" {
			return append(append([]byte{}, m...), "  \"order_id\": null,\n"...)
		}
		return []byte(fmt.Sprintf("  \"status\": \"accepted\",\n  \"order_id\": %q,\n", orderID))
	})
}

// release1Relabelled is a first-release quote document with its base line's label as
// i18n.LineLabel words it in English: the accelerator's display name, the pricing model in words.
func release1Relabelled(t *testing.T, doc []byte, accelerator string) []byte {
	t.Helper()
	models := map[string]string{"on_demand": "on demand", "reserved": "reserved", "interruptible": "interruptible"}
	n := 0
	out := release1BaseLabel.ReplaceAllFunc(doc, func(m []byte) []byte {
		n++
		g := release1BaseLabel.FindSubmatch(m)
		label := fmt.Sprintf("%s: %s units", accelerator, g[5])
		if len(g[2]) > 0 {
			label = fmt.Sprintf("%s: %s GPUs × %s h (%s)", accelerator, g[2], g[3], models[string(g[4])])
		}
		return []byte(fmt.Sprintf("\"kind\": \"base\",\n%s\"label\": %q", g[1], label))
	})
	if n != 1 {
		t.Fatalf("%d base lines in a first-release quote document", n)
	}
	return out
}
