package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"slices"
	"testing"

	"github.com/klauspost/compress/s2"

	"corridor/marketplace"
	"corridor/marketplace/jsonout"
)

// frozenRecordDicts are the SHA-256 of each record dictionary this release reads. A dictionary
// is part of the stored form of every record compressed with it: changing one would make
// those records unreadable, so a new dictionary takes a new number (quote_record_dict.go).
var frozenRecordDicts = map[byte]string{
	1: "2b91a1194de872a7763008f691634f8b1948d4339d9e3dade70d25eec0e33007",
}

// TestRecordDictionariesAreFrozen: each dictionary embedded is the one records were written
// with.
func TestRecordDictionariesAreFrozen(t *testing.T) {
	for id, want := range frozenRecordDicts {
		sum := sha256.Sum256(recordDictBytes(id))
		if have := hex.EncodeToString(sum[:]); have != want {
			t.Errorf("record dictionary %d has SHA-256 %s, want %s: a dictionary records were compressed with never changes; make a new one with a new number", id, have, want)
		}
	}
	if _, ok := frozenRecordDicts[recordDictID]; !ok {
		t.Errorf("records are written with dictionary %d, which is not frozen here", recordDictID)
	}
}

// marketRecords are the JSON of the records of quotes of the seeded market: every offer, for
// each kind of buyer, in each currency, under the baseline and two scenarios. held are
// every other one, not used to make a dictionary, to measure it on.
func marketRecords(tb testing.TB) (used, held [][]byte) {
	svc, _ := seededService(tb)
	ctx := context.Background()
	ocs, err := svc.ActiveOffers(ctx, marketplace.OfferContextFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	buyers := []marketplace.Buyer{
		{Country: "DE", Type: "business", VATID: "DE123456789"},
		{Country: "FR", Type: "consumer"},
		{Country: "CN", Type: "business"},
		{Country: "CN", Type: "business", Region: "cn-shanghai"},
		{Country: "US", Type: "business"},
		{Country: "NL", Type: "business", VATID: "NL123456789B01"},
	}
	i := 0
	for _, oc := range ocs {
		for _, b := range buyers {
			for _, cur := range []string{"EUR", "CNY", "USD"} {
				for _, scenario := range []string{"", "cn-eu-compute-corridor", "cny-weakens-vouchers-cut"} {
					r := marketplace.QuoteRequest{OfferID: oc.Offer.ID, GPUs: 1, Hours: 720, Buyer: b, Currency: cur, Scenario: scenario}
					if oc.Offer.Product == "hardware" {
						r = marketplace.QuoteRequest{OfferID: oc.Offer.ID, Units: 2, Buyer: b, Currency: cur, Scenario: scenario}
					}
					q, err := svc.Quote(ctx, r)
					if err != nil {
						continue // not every offer prices every request (minimum hours, blocks)
					}
					var w jsonout.Writer
					rec := newQuoteRecord(q, recordExplanation(q))
					rec.Version = recordVersion(q, recordExplanation(q))
					rec.appendJSON(&w)
					if i++; i%2 == 0 {
						held = append(held, w.B)
					} else {
						used = append(used, w.B)
					}
				}
			}
		}
	}
	if len(used) < 100 {
		tb.Fatalf("only %d records of the seeded market", len(used))
	}
	return used, held
}

// makeRecordDict makes a dictionary from records: greedily, the record that the dictionary
// so far compresses least is added next, until s2.MaxDictSize; the records added last are
// the nearest (S2 reads a dictionary's last 64 KB).
func makeRecordDict(records [][]byte) *s2.Dict {
	var data []byte
	left := slices.Clone(records)
	for len(left) > 0 && len(data) < s2.MaxDictSize {
		worst, worstSize := 0, -1
		d := s2.MakeDict(append(data, make([]byte, s2.MinDictSize)...), nil)
		for i, r := range left {
			if n := len(d.Encode(nil, r)); n > worstSize {
				worst, worstSize = i, n
			}
		}
		data = append(data, left[worst]...)
		left = slices.Delete(left, worst, worst+1)
	}
	return s2.MakeDict(data, []byte(`{"v":2,"request":{"offer_id":"`))
}

// TestMakeRecordDict writes a new record dictionary, made from the seeded market's records, to
// the file CORRIDOR_WRITE_RECORD_DICT names (skipped without it): how dictionary 1 was made.
// A new dictionary gets the next number (quote_record_dict.go).
func TestMakeRecordDict(t *testing.T) {
	path := os.Getenv("CORRIDOR_WRITE_RECORD_DICT")
	if path == "" {
		t.Skip("set CORRIDOR_WRITE_RECORD_DICT to the file to write a new record dictionary to")
	}
	used, _ := marketRecords(t)
	if err := os.WriteFile(path, makeRecordDict(used).Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRecordDictCompresses: records of the seeded market not used to make the dictionary
// compress, with it, to less than half their size as S2 streams without one (the benchmark's
// records: 490 bytes against 2,827). A record failing this means the market has moved away
// from the dictionary: time to make a new one.
func TestRecordDictCompresses(t *testing.T) {
	_, held := marketRecords(t)
	var stream, dict int
	for _, js := range held {
		var b bytes.Buffer
		w := s2.NewWriter(&b, s2.WriterConcurrency(1))
		if err := w.EncodeBuffer(js); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		stream += b.Len()
		dict += len(recordDicts[recordDictID].Encode(nil, js))
	}
	t.Logf("%d records: %d bytes a record as S2 streams, %d with dictionary %d", len(held), stream/len(held), dict/len(held), recordDictID)
	if dict*2 > stream {
		t.Errorf("with dictionary %d records take %d bytes, against %d as S2 streams: want less than half", recordDictID, dict/len(held), stream/len(held))
	}
}
