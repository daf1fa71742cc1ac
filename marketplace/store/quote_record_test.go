package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/s2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/marketplace/jsonout"
	"corridor/marketplace/jsonout/jsonouttest"
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
	"corridor quota":      {OfferID: "demo-offer-001", GPUs: 8, Hours: 100, Buyer: marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789"}, Currency: "EUR", Scenario: "cn-eu-compute-corridor"},
	"CNY shocked":         {OfferID: "demo-offer-001", GPUs: 8, Hours: 100, Buyer: marketplace.Buyer{Country: "DE", Type: "consumer"}, Currency: "USD", Scenario: "cny-weakens-vouchers-cut"},
	"past date, stale FX": {OfferID: "demo-offer-001", GPUs: 8, Hours: 100, Buyer: marketplace.Buyer{Country: "DE", Type: "business", VATID: "DE123456789"}, Currency: "EUR", AsOf: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)},
	// The inputs of tax truth: a Chinese business headquartered in Hong Kong, recovering 60% of
	// its VAT, training, asking for tax-inclusive terms from a Finnish supplier (established,
	// by TestQuoteRecordRoundTrip, in FI with a fixed establishment in SE and on a list).
	"CN buyer, every new input": {OfferID: "demo-offer-037", GPUs: 8, Hours: 100, Currency: "CNY", Purpose: "training", TaxTerms: "tax_inclusive",
		Buyer: marketplace.Buyer{Country: "CN", Type: "business", Region: "cn-shenzhen", Headquarters: "HK", VATRecovery: decimal.NewNullDecimal(decimal.RequireFromString("0.6"))}},
	// A business in the EU without a VAT number: priced as a consumer, with the notice why.
	"DE business, no VAT number": {OfferID: "demo-offer-037", GPUs: 8, Hours: 100, Buyer: marketplace.Buyer{Country: "DE", Type: "business"}, Currency: "EUR"},
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
// inputs must give the stored result again. A signed-in buyer's quote keeps, in the record
// itself, the account that asked (with the headquarters the account filled in) and the
// cancellation terms it was priced under.
func TestQuoteRecordRoundTrip(t *testing.T) {
	svc, st := seededService(t)
	ctx := context.Background()
	fi, se := "FI", []string{"SE"}
	listings := []string{"cn-beijing-ai-compute-partner"}
	if _, err := svc.UpdateSupplier(ctx, "demo-sup-07", marketplace.SupplierUpdate{Country: &fi, Establishments: &se, Listings: &listings}); err != nil {
		t.Fatal(err)
	}
	acct, _, err := svc.CreateBuyer(ctx, marketplace.NewBuyer{Organisation: "Rhein Rechenwerk GmbH", Country: "DE", Type: "business",
		VATID: "DE123456789", Headquarters: "US"})
	if err != nil {
		t.Fatal(err)
	}
	reqs := map[string]marketplace.QuoteRequest{"hardware": hardwareRequest(t, svc),
		"signed-in buyer": {OfferID: "demo-offer-001", GPUs: 8, Hours: 100, Currency: "EUR", BuyerID: acct.ID}}
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
			if q.Accelerator.Model != q.Priced.Offer.Accelerator.Model {
				t.Errorf("the priced quote names accelerator %q, its offer has %q", q.Accelerator.Model, q.Priced.Offer.Accelerator.Model)
			}
			q.Accelerator = marketplace.Accelerator{} // not stored: the catalogue's entry when priced
			want, _ := json.Marshal(q)
			have, _ := json.Marshal(got)
			if string(want) != string(have) {
				t.Errorf("stored quote differs from the priced one:\npriced %s\nstored %s", want, have)
			}
			if name == "CN buyer, every new input" {
				in := got.Inputs
				if in.Offer.SupplierCountry != "FI" || len(in.Offer.SupplierEstablishments) != 1 || len(in.Offer.Listings) != 1 ||
					in.Offer.TaxTerms != tariff.TaxTermsNetOfCNTax || in.Offer.Provenance.Confidence != "illustrative" ||
					in.Request.Purpose != tariff.PurposeTraining || in.Request.TaxTerms != tariff.TaxTermsInclusive ||
					in.Request.BuyerHeadquarters != "HK" || in.Request.VATRecovery.Decimal.String() != "0.6" ||
					got.Priced.TaxTerms != tariff.TaxTermsInclusive || got.Priced.FX[0].CarriedFrom.IsZero() {
					t.Errorf("the new inputs did not come back: %+v %+v", in.Offer, in.Request)
				}
			}
			if name == "signed-in buyer" {
				var row quoteRow
				if err := st.db.Where("id = ?", q.ID).Take(&row).Error; err != nil {
					t.Fatal(err)
				}
				var bare marketplace.Quote // the record alone, without the columns beside it
				if err := decodeQuoteRecord(row.Record, &bare, func(h string) (*string, error) { return st.explanation(ctx, h) }); err != nil {
					t.Fatal(err)
				}
				b := bare.Request.Buyer
				if bare.Request.BuyerID != acct.ID || b.Country != "DE" || b.VATID != "DE123456789" || b.Headquarters != "US" ||
					got.Inputs.Request.BuyerHeadquarters != "US" || got.BuyerID != acct.ID {
					t.Errorf("the record lost who asked: %+v (owner %q), want account %s with headquarters US", bare.Request, got.BuyerID, acct.ID)
				}
				if bare.Cancellation.IsZero() || bare.Cancellation != q.Cancellation {
					t.Errorf("the record keeps cancellation terms %+v, the quote was priced under %+v", bare.Cancellation, q.Cancellation)
				}
			}
			if name == "DE business, no VAT number" && (len(got.Inputs.Notices) != 1 || got.Inputs.Request.BuyerType != tariff.BuyerConsumer) {
				t.Errorf("notices %+v, priced as %s", got.Inputs.Notices, got.Inputs.Request.BuyerType)
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
// the engine reads (China's origin rule for chips), whatever the catalogue says.
func TestQuoteRecordKeepsFabCountry(t *testing.T) {
	svc, _ := seededService(t)
	q, err := svc.Quote(context.Background(), recordRequests["DE business"])
	if err != nil {
		t.Fatal(err)
	}
	q.Inputs.Offer.Accelerator.FabCountry, q.Priced.Offer.Accelerator.FabCountry = "TW", "TW"
	b, err := encodeQuoteRecord(q, nil)
	if err != nil {
		t.Fatal(err)
	}
	back := marketplace.Quote{ID: q.ID, OfferID: q.OfferID, GPUs: q.GPUs, Start: q.Start, End: q.End, Currency: q.Currency,
		Total: q.Total, CreatedAt: q.CreatedAt, ValidUntil: q.ValidUntil, QuotaUses: q.QuotaUses,
		BuyerID: q.BuyerID} // the owner: a column beside the record
	if err := decodeQuoteRecord(b, &back, holdsItsExplanation(t)); err != nil {
		t.Fatal(err)
	}
	q.Accelerator = marketplace.Accelerator{} // not stored
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

// TestQuoteRecordReadsEarlierForms: records are written as S2 blocks with a dictionary (first
// byte 0xfe); the S2 streams (0xff) and DEFLATE records of earlier releases, JSON as
// encoding/json wrote it, still read back to the same quote. A damaged record, or one
// compressed with a dictionary this release does not have, does not read.
func TestQuoteRecordReadsEarlierForms(t *testing.T) {
	svc, _ := seededService(t)
	q, err := svc.Quote(context.Background(), recordRequests["DE business"])
	if err != nil {
		t.Fatal(err)
	}
	q.Accelerator = marketplace.Accelerator{} // not stored
	stored, err := encodeQuoteRecord(q, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) < 2 || stored[0] != s2DictRecordStart || stored[1] != recordDictID {
		t.Fatalf("a new record starts with %x, want fe and the dictionary's number %d", stored[:min(len(stored), 4)], recordDictID)
	}
	v1 := newQuoteRecord(q, nil) // as the releases before explanations stored once wrote it
	v1.Version = 1
	js, err := json.Marshal(v1)
	if err != nil {
		t.Fatal(err)
	}
	var old bytes.Buffer
	w, _ := flate.NewWriter(&old, flate.BestSpeed)
	w.Write(js)
	w.Close()
	var stream bytes.Buffer // as the releases before dictionaries wrote it
	sw := s2.NewWriter(&stream, s2.WriterConcurrency(1))
	sw.EncodeBuffer(js)
	sw.Close()
	want, _ := json.Marshal(q)
	for name, rec := range map[string][]byte{"S2 with a dictionary": stored, "S2 stream": stream.Bytes(), "DEFLATE": old.Bytes()} {
		back := marketplace.Quote{ID: q.ID, OfferID: q.OfferID, GPUs: q.GPUs, Start: q.Start, End: q.End, Currency: q.Currency,
			Total: q.Total, CreatedAt: q.CreatedAt, ValidUntil: q.ValidUntil, QuotaUses: q.QuotaUses, BuyerID: q.BuyerID,
			Cancellation: q.Cancellation}
		if err := decodeQuoteRecord(rec, &back, holdsItsExplanation(t)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if have, _ := json.Marshal(back); string(have) != string(want) {
			t.Errorf("%s record read back differs:\nwant %.300s\nhave %.300s", name, want, have)
		}
	}
	if err := decodeQuoteRecord([]byte{s2StreamStart, 1, 2, 3}, &marketplace.Quote{}, holdsItsExplanation(t)); err == nil {
		t.Error("a damaged S2 stream must not decode")
	}
	// Every byte of the record changed in turn: S2 or the checksum refuses it, or (a copy
	// moved to other bytes that are the same) it still reads as the very record.
	for i := 2; i < len(stored); i++ {
		damaged := bytes.Clone(stored)
		damaged[i] ^= 0x20
		var js bytes.Buffer
		if err := decompressRecord(&js, damaged); err == nil && !bytes.Equal(js.Bytes(), jsonOfRecord(t, stored)) {
			t.Fatalf("a record with byte %d of %d changed reads as other JSON", i, len(stored))
		}
	}
	for _, short := range [][]byte{stored[:1], stored[:dictRecordHeader-1], stored[:dictRecordHeader], stored[:len(stored)-1]} {
		if err := decodeQuoteRecord(short, &marketplace.Quote{}, holdsItsExplanation(t)); err == nil {
			t.Errorf("a record cut to %d of %d bytes decoded", len(short), len(stored))
		}
	}
	later := bytes.Clone(stored)
	later[1] = recordDictID + 1
	if err := decodeQuoteRecord(later, &marketplace.Quote{}, holdsItsExplanation(t)); !errors.Is(err, errUnknownDict) {
		t.Errorf("a record of an unknown dictionary: %v, want errUnknownDict", err)
	}
}

// BenchmarkQuoteRecord encodes and decodes the record of a German business's quote under the
// seeded baseline (148 measures, so 148 explanation entries), reporting its stored size: with
// its explanation stored once (named, as quotes are stored) and holding it (held: as a noted
// explanation without its shared base, or a record of an earlier release, is stored); and the
// record of a hardware quote, whose explanation has notes of its own (the customs
// alternatives' totals), naming the shared explanation and holding the notes (noted), and
// holding the whole of it (noted_held: how such a record was stored before).
func BenchmarkQuoteRecord(b *testing.B) {
	svc, _ := seededService(b)
	q, err := svc.Quote(context.Background(), recordRequests["DE business"])
	if err != nil {
		b.Fatal(err)
	}
	hw, err := svc.Quote(context.Background(), hardwareRequest(b, svc))
	if err != nil {
		b.Fatal(err)
	}
	texts := map[string]*string{}
	for _, x := range []*sharedExplanation{recordExplanation(q), recordExplanation(hw)} {
		texts[x.hash] = x.text
	}
	explanation := func(hash string) (*string, error) { return texts[hash], nil }
	for _, form := range []struct {
		name  string
		q     marketplace.Quote
		named bool
	}{{"named", q, true}, {"noted", hw, true}, {"held", q, false}, {"noted_held", hw, false}} {
		var shared *sharedExplanation
		if form.named {
			shared = recordExplanation(form.q)
		}
		rec, err := encodeQuoteRecord(form.q, shared)
		if err != nil {
			b.Fatal(err)
		}
		js, _ := json.Marshal(newQuoteRecord(form.q, shared))
		b.Run(form.name+"/encode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var x *sharedExplanation
				if form.named {
					x = recordExplanation(form.q) // as a quote is stored: through the cache
				}
				if _, err := encodeQuoteRecord(form.q, x); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(rec)), "stored-B")
			b.ReportMetric(float64(len(js)), "json-B")
		})
		if form.name == "named" { // the record's JSON alone, through reflection and by hand, side by side
			rec := newQuoteRecord(form.q, recordExplanation(form.q))
			b.Run("named/json_goccy", func(b *testing.B) {
				b.ReportAllocs()
				var buf bytes.Buffer
				for b.Loop() {
					buf.Reset()
					if err := gojson.NewEncoder(&buf).Encode(&rec); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("named/json_hand", func(b *testing.B) {
				b.ReportAllocs()
				var w jsonout.Writer
				for b.Loop() {
					w = jsonout.Writer{B: w.B[:0]}
					rec.appendJSON(&w)
				}
			})
			// the compression alone, on one goroutine whose stack and dictionary stay cached
			// (as in the quote writer); the requests' 64 goroutines paid about four times this
			// under the bench harness's load (docs/performance.md)
			b.Run("named/compress", func(b *testing.B) {
				var w jsonout.Writer
				rec.appendJSON(&w)
				var out []byte
				for b.Loop() {
					out = appendDictRecord(out[:0], w.B)
				}
			})
		}
		b.Run(form.name+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var back marketplace.Quote
				if err := decodeQuoteRecord(rec, &back, explanation); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// holdsItsExplanation is the explanation reader of a record that holds its explanation: it
// fails the test if the record names one instead.
func holdsItsExplanation(t *testing.T) func(string) (*string, error) {
	return func(hash string) (*string, error) {
		t.Errorf("the record names explanation %s; it should hold it", hash)
		return nil, errors.New("not stored")
	}
}

// TestQuoteRecordJSONMatchesStandard: records are written by hand (quote_record_json.go) and
// read with encoding/json; for every kind of quote, in every form a record takes (naming its
// explanation, holding it, with notes), the hand-written encoder writes exactly the bytes
// encoding/json.Marshal writes, so the stored record is what encoding/json would have stored.
func TestQuoteRecordJSONMatchesStandard(t *testing.T) {
	svc, _ := seededService(t)
	reqs := map[string]marketplace.QuoteRequest{"hardware": hardwareRequest(t, svc)}
	for name, r := range recordRequests {
		reqs[name] = r
	}
	for name, req := range reqs {
		q, err := svc.Quote(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for form, shared := range map[string]*sharedExplanation{"named": recordExplanation(q), "held": nil} {
			rec := newQuoteRecord(q, shared)
			checkRecordJSON(t, name+", "+form, &rec)
		}
	}
}

// checkRecordJSON fails the test unless the hand-written encoder writes rec as encoding/json
// does, or both refuse it.
func checkRecordJSON(t *testing.T, name string, rec *quoteRecord) {
	t.Helper()
	jsonouttest.Check(t, name, rec, rec.appendJSON)
}

// TestQuoteRecordJSONProperty fills every field of a record at random (jsonouttest.Fill:
// every member, so a member added to the record types but not to the hand-written encoder
// fails here) and requires the hand-written encoder to write what encoding/json writes.
func TestQuoteRecordJSONProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 3000 {
		var rec quoteRecord
		jsonouttest.Fill(r, reflect.ValueOf(&rec).Elem())
		checkRecordJSON(t, fmt.Sprintf("record %d", i), &rec)
		if t.Failed() {
			return
		}
	}
}

// jsonOfRecord is the JSON of the stored record b.
func jsonOfRecord(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var js bytes.Buffer
	if err := decompressRecord(&js, b); err != nil {
		tb.Fatal(err)
	}
	return js.Bytes()
}
