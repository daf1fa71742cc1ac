package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
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
	if len(recordDictFiles) != len(frozenRecordDicts) {
		t.Errorf("%d dictionaries embedded, %d frozen: every dictionary is frozen", len(recordDictFiles), len(frozenRecordDicts))
	}
	for id, want := range frozenRecordDicts {
		sum := sha256.Sum256(recordDictFiles[id])
		if have := hex.EncodeToString(sum[:]); have != want {
			t.Errorf("record dictionary %d has SHA-256 %s, want %s: a dictionary records were compressed with never changes; make a new one with a new number", id, have, want)
		}
	}
	if _, ok := frozenRecordDicts[recordDictID]; !ok {
		t.Errorf("records are written with dictionary %d, which is not frozen here", recordDictID)
	}
}

// marketRecords are the JSON of the records of quotes of the seeded market: every offer, for
// each kind of buyer, in a currency and under the baseline or one of two scenarios in
// rotation (all three currencies under all three, nine times as many, with every: how
// dictionary 1 was made). held are every other one, not used to make a dictionary, to
// measure it on.
func marketRecords(tb testing.TB, every bool) (used, held [][]byte) {
	if every {
		return makeMarketRecords(tb, true)
	}
	if marketRecordsMade.used == nil {
		marketRecordsMade.used, marketRecordsMade.held = makeMarketRecords(tb, false)
	}
	return marketRecordsMade.used, marketRecordsMade.held
}

// marketRecordsMade keeps marketRecords' records for the tests that ask again (pricing them
// takes seconds under the race detector; the tests of this package do not run in parallel).
var marketRecordsMade struct{ used, held [][]byte }

func makeMarketRecords(tb testing.TB, every bool) (used, held [][]byte) {
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
	currencies, scenarios := []string{"EUR", "CNY", "USD"}, []string{"", "cn-eu-compute-corridor", "cny-weakens-vouchers-cut"}
	for k, oc := range ocs {
		for j, b := range buyers {
			for c, cur := range currencies {
				for n, scenario := range scenarios {
					if !every && (c != (k+j)%len(currencies) || n != (k+2*j)%len(scenarios)) {
						continue
					}
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
	if len(used) < 50 {
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

// TestMakeRecordDict makes a dictionary from the seeded market's records, as dictionary 1 was
// made: it must read back (s2.NewDict of its stored form) and compress the records not used
// to make it to less than half their size as S2 streams. With CORRIDOR_WRITE_RECORD_DICT set
// to a file, it writes the dictionary there: a new dictionary gets the next number
// (quote_record_dict.go).
func TestMakeRecordDict(t *testing.T) {
	used, held := marketRecords(t, os.Getenv("CORRIDOR_WRITE_RECORD_DICT") != "")
	made := makeRecordDict(used).Bytes()
	d := s2.NewDict(made)
	if d == nil || len(made) > s2.MaxDictSize+binary.MaxVarintLen16 {
		t.Fatalf("the dictionary made (%d bytes) does not read back", len(made))
	}
	if stream, dict := compressedSizes(t, held, d); dict*2 > stream {
		t.Errorf("a dictionary made now: %d bytes a record against %d as S2 streams, want less than half", dict/len(held), stream/len(held))
	}
	if path := os.Getenv("CORRIDOR_WRITE_RECORD_DICT"); path != "" {
		if err := os.WriteFile(path, made, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// compressedSizes are the bytes records take in all as S2 streams and with the dictionary d.
func compressedSizes(t *testing.T, records [][]byte, d *s2.Dict) (stream, dict int) {
	t.Helper()
	for _, js := range records {
		var b bytes.Buffer
		w := s2.NewWriter(&b, s2.WriterConcurrency(1))
		if err := w.EncodeBuffer(js); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		stream += b.Len()
		dict += len(d.Encode(nil, js))
	}
	return stream, dict
}

// TestRecordDictCompresses: records of the seeded market not used to make the dictionary
// compress, with it, to less than half their size as S2 streams without one (about 400 bytes
// against 3,400). Failing this means the market has moved away from the dictionary: time to
// make a new one.
func TestRecordDictCompresses(t *testing.T) {
	_, held := marketRecords(t, false)
	stream, dict := compressedSizes(t, held, recordDicts[recordDictID])
	t.Logf("%d records: %d bytes a record as S2 streams, %d with dictionary %d", len(held), stream/len(held), dict/len(held), recordDictID)
	if dict*2 > stream {
		t.Errorf("with dictionary %d records take %d bytes, against %d as S2 streams: want less than half", recordDictID, dict/len(held), stream/len(held))
	}
}
