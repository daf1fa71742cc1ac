package store

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"corridor/marketplace"
	seeddata "corridor/seed"
	"corridor/tariff"
)

// recordClock is the instant the record tests quote at (the seeded FX carry-forward row is
// Friday 2026-11-27).
var recordClock = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// seededService opens a seeded store (reference data, demo market, policy library) on
// OpenTest's database and returns a service on it with the clock at recordClock.
func seededService(tb testing.TB) (*marketplace.Service, *Store) {
	tb.Helper()
	st := OpenTest(tb)
	return seed(tb, st, func() time.Time { return recordClock }), st
}

// seed seeds st and returns a service on it with the clock now.
func seed(tb testing.TB, st *Store, now func() time.Time) *marketplace.Service {
	tb.Helper()
	svc := marketplace.NewService(st, now)
	if _, err := seeddata.Into(context.Background(), svc, true); err != nil {
		tb.Fatal(err)
	}
	return svc
}

// recordRequests are quotes of every shape a record holds: conversions, reverse charge,
// consumer VAT, a Chinese voucher in CNY, a scenario with a tariff quota and FX shocks,
// hardware units, a past date with stale rates.
var recordRequests = map[string]marketplace.QuoteRequest{
	"DE business":         {OfferID: "demo-offer-001", GPUs: 8, Hours: 100, Buyer: marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789"}, Currency: "EUR"},
	"FR consumer":         {OfferID: "demo-offer-001", GPUs: 2, Hours: 30, Buyer: marketplace.Buyer{Country: "FR", Type: "consumer"}, Currency: "EUR", PersonalData: true},
	"CN voucher":          {OfferID: "demo-offer-001", GPUs: 8, Hours: 100, Buyer: marketplace.Buyer{Country: "CN", Type: "business", Region: "cn-shanghai"}, Currency: "CNY"},
	"corridor quota":      {OfferID: "demo-offer-001", GPUs: 8, Hours: 100, Buyer: marketplace.Buyer{Country: "DE", Type: "business"}, Currency: "EUR", Scenario: "cn-eu-compute-corridor"},
	"CNY shocked":         {OfferID: "demo-offer-001", GPUs: 8, Hours: 100, Buyer: marketplace.Buyer{Country: "DE", Type: "consumer"}, Currency: "USD", Scenario: "cny-weakens-vouchers-cut"},
	"past date, stale FX": {OfferID: "demo-offer-001", GPUs: 8, Hours: 100, Buyer: marketplace.Buyer{Country: "DE", Type: "business"}, Currency: "EUR", AsOf: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)},
}

// hardwareRequest quotes units of the first hardware offer of the demo market.
func hardwareRequest(tb testing.TB, svc *marketplace.Service) marketplace.QuoteRequest {
	tb.Helper()
	ocs, err := svc.ActiveOffers(context.Background(), marketplace.OfferContextFilter{Products: []string{string(tariff.ProductHardware)}})
	if err != nil || len(ocs) == 0 {
		tb.Fatalf("no hardware offer seeded: %v", err)
	}
	return marketplace.QuoteRequest{OfferID: ocs[0].Offer.ID, Units: 2, Buyer: marketplace.Buyer{Country: "DE", Type: "business"}, Currency: "EUR"}
}

// TestQuoteRecordRoundTrip stores quotes of every shape and reads them back: every field of
// the quote (request, inputs, result) must come back as priced, and re-pricing the stored
// inputs must give the stored result again.
func TestQuoteRecordRoundTrip(t *testing.T) {
	svc, st := seededService(t)
	ctx := context.Background()
	reqs := map[string]marketplace.QuoteRequest{"hardware": hardwareRequest(t, svc)}
	for name, r := range recordRequests {
		reqs[name] = r
	}
	for name, req := range reqs {
		t.Run(name, func(t *testing.T) {
			q, err := svc.Quote(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := st.Quote(ctx, q.ID)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(q)
			have, _ := json.Marshal(got)
			if string(want) != string(have) {
				t.Errorf("stored quote differs from the priced one:\npriced %s\nstored %s", want, have)
			}
			stored, again, err := svc.Reprice(ctx, q.ID)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(stored)
			b, _ := json.Marshal(again)
			if string(a) != string(b) {
				t.Errorf("re-pricing the stored inputs changed the quote:\nstored %s\nagain  %s", a, b)
			}
		})
	}
}

// TestQuoteRecordKeepsFabCountry: the record keeps the accelerator's wafer-fab country, which
// the engine reads (China's origin rule for chips) though the seeded offers do not set it yet.
func TestQuoteRecordKeepsFabCountry(t *testing.T) {
	svc, _ := seededService(t)
	q, err := svc.Quote(context.Background(), recordRequests["DE business"])
	if err != nil {
		t.Fatal(err)
	}
	q.Inputs.Offer.Accelerator.FabCountry, q.Priced.Offer.Accelerator.FabCountry = "TW", "TW"
	b, err := encodeQuoteRecord(q)
	if err != nil {
		t.Fatal(err)
	}
	back := marketplace.Quote{ID: q.ID, OfferID: q.OfferID, GPUs: q.GPUs, Start: q.Start, End: q.End, Currency: q.Currency,
		Total: q.Total, CreatedAt: q.CreatedAt, ValidUntil: q.ValidUntil, QuotaUses: q.QuotaUses,
		BuyerID: q.BuyerID, Cancellation: q.Cancellation} // columns beside the record
	if err := decodeQuoteRecord(b, &back); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(q)
	have, _ := json.Marshal(back)
	if string(want) != string(have) {
		t.Errorf("record round trip:\nwant %s\nhave %s", want, have)
	}
}

// TestTrailRecordEscapes: ids and reasons with spaces, backslashes and newlines survive.
func TestTrailRecordEscapes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", " ", `\`, "\n", `\s`, `\n`, "华", `"`, "0", "1"}
	word := func() string {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 500 {
		trail := []tariff.Consideration{}
		for range r.IntN(5) {
			trail = append(trail, tariff.Consideration{MeasureID: word(), Applied: r.IntN(2) == 1, Reason: word()})
		}
		back, err := decodeTrail(encodeTrail(trail))
		if err != nil {
			t.Fatalf("%q: %v", *encodeTrail(trail), err)
		}
		x, _ := json.Marshal(trail)
		y, _ := json.Marshal(back)
		if string(x) != string(y) {
			t.Fatalf("round trip of %q:\n got %s\nwant %s", *encodeTrail(trail), y, x)
		}
	}
	if back, err := decodeTrail(encodeTrail(nil)); back != nil || err != nil {
		t.Errorf("nil explanation = %v, %v", back, err)
	}
}

// BenchmarkQuoteRecord encodes and decodes the record of a German business's quote under the
// seeded baseline (148 measures, so 148 explanation entries), reporting its stored size.
func BenchmarkQuoteRecord(b *testing.B) {
	svc, _ := seededService(b)
	q, err := svc.Quote(context.Background(), recordRequests["DE business"])
	if err != nil {
		b.Fatal(err)
	}
	rec, err := encodeQuoteRecord(q)
	if err != nil {
		b.Fatal(err)
	}
	js, _ := json.Marshal(newQuoteRecord(q))
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := encodeQuoteRecord(q); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(rec)), "stored-B")
		b.ReportMetric(float64(len(js)), "json-B")
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var back marketplace.Quote
			if err := decodeQuoteRecord(rec, &back); err != nil {
				b.Fatal(err)
			}
		}
	})
}
