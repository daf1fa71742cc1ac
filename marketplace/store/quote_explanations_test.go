package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"

	"corridor/marketplace"
	"corridor/tariff"
)

// storedRecord is the record stored for quote id.
func storedRecord(t *testing.T, st *Store, id string) quoteRecord {
	t.Helper()
	var row quoteRow
	if err := st.db.Where("id = ?", id).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := decompressRecord(&js, row.Record); err != nil {
		t.Fatal(err)
	}
	var rec quoteRecord
	if err := json.Unmarshal(js.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// openSecond opens a store on dsn, closed when the test ends: a second server on a test's database.
func openSecond(t *testing.T, dsn string) *Store {
	t.Helper()
	st, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// storedExplanations counts the rows of quote_explanations.
func storedExplanations(t *testing.T, st *Store) int {
	t.Helper()
	var n int64
	if err := st.db.Model(&quoteExplanationRow{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestQuoteExplanationsStoredOnce: quotes of the demo market by four kinds of buyer name their
// explanations, each stored once under the SHA-256 of its text, far fewer than the quotes; each
// quote reads back with the explanation it was priced with, also through a store that has read
// nothing yet (a second server on the same database).
func TestQuoteExplanationsStoredOnce(t *testing.T) {
	dsn := TestDSN(t)
	st := openSecond(t, dsn)
	svc := seed(t, st, func() time.Time { return recordClock })
	ctx := context.Background()
	buyers := []marketplace.Buyer{{Country: "DE", Type: "business", VATID: "DE123456789"}, {Country: "FR", Type: "consumer"},
		{Country: "CN", Type: "business"}, {Country: "US", Type: "business"}}
	named := map[string]bool{}
	var quotes []marketplace.Quote
	for i := 1; i <= 20; i++ {
		for _, b := range buyers {
			q, err := svc.Quote(ctx, marketplace.QuoteRequest{OfferID: fmt.Sprintf("demo-offer-%03d", i), GPUs: 1, Hours: 720, Buyer: b, Currency: "EUR"})
			if err != nil {
				continue // not quotable as asked (hardware, a minimum term): other quotes cover it
			}
			rec := storedRecord(t, st, q.ID)
			if q.Priced.TrailNoted {
				continue // TestNotedExplanationStaysInTheRecord
			}
			text := encodeTrail(q.Priced.Trail)
			sum := sha256.Sum256([]byte(*text))
			if rec.Result.Trail != nil || rec.Result.TrailRef != hex.EncodeToString(sum[:]) {
				t.Fatalf("%s: the record holds %d bytes of explanation and names %q, want it to name only %x", q.ID, len(deref(rec.Result.Trail)), rec.Result.TrailRef, sum)
			}
			named[rec.Result.TrailRef] = true
			quotes = append(quotes, q)
		}
	}
	// 20 offers × 4 buyers, of which some are not quotable: most quotes share an explanation.
	if len(quotes) < 40 || len(named) == 0 || len(named) > len(quotes)/2 {
		t.Fatalf("%d quotes name %d explanations; want at least 40 quotes sharing them", len(quotes), len(named))
	}
	if n := storedExplanations(t, st); n != len(named) {
		t.Errorf("%d explanations stored, the quotes name %d", n, len(named))
	}
	fresh := openSecond(t, dsn)
	for _, q := range quotes {
		for _, s := range []*Store{st, fresh} {
			got, err := s.Quote(ctx, q.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Priced.Trail, q.Priced.Trail) || len(got.Priced.Trail) == 0 {
				t.Fatalf("%s: read back %d explanation entries, priced with %d (or they differ)", q.ID, len(got.Priced.Trail), len(q.Priced.Trail))
			}
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestNotedExplanationStoredAsNotes: a quote for hardware units explains the customs
// alternative it chose with the totals of each (notes of its own, tariff.Assessment.TrailNoted).
// Its record (version 3) names the shared explanation its own was copied from, stored once, and
// holds only the entries that differ; it reads back with the explanation it was priced with,
// also through a store that has read nothing yet. A noted quote without that base (a quote read
// back and stored again) has a record of version 2 that holds its explanation.
func TestNotedExplanationStoredAsNotes(t *testing.T) {
	dsn := TestDSN(t)
	st := openSecond(t, dsn)
	svc := seed(t, st, func() time.Time { return recordClock })
	ctx := context.Background()
	q, err := svc.Quote(ctx, hardwareRequest(t, svc))
	if err != nil {
		t.Fatal(err)
	}
	if !q.Priced.TrailNoted || q.Priced.TrailBase == nil {
		t.Fatal("a hardware quote's explanation should carry notes of its own (the customs alternatives' totals), copied from a shared one")
	}
	rec := storedRecord(t, st, q.ID)
	base := shareTrail(q.Priced.TrailBase)
	if rec.Version != notedQuoteRecordVersion || rec.Result.TrailRef != base.hash || rec.Result.Trail != nil || !rec.Result.TrailNoted {
		t.Errorf("record version %d names %q (want the base %s), holds %d bytes, noted %v", rec.Version, rec.Result.TrailRef, base.hash, len(deref(rec.Result.Trail)), rec.Result.TrailNoted)
	}
	if n := len(rec.Result.TrailNotes); n == 0 || n > len(q.Priced.Trail)/4 {
		t.Errorf("%d notes for an explanation of %d entries", n, len(q.Priced.Trail))
	}
	for _, n := range rec.Result.TrailNotes {
		if q.Priced.Trail[n.Index] == q.Priced.TrailBase[n.Index] {
			t.Errorf("note %d is an entry equal to the base's", n.Index)
		}
	}
	var version int
	if err := st.db.Raw("SELECT record_version FROM quotes WHERE id = ?", q.ID).Scan(&version).Error; err != nil || version != notedQuoteRecordVersion {
		t.Errorf("record_version column %d (%v), want %d", version, err, notedQuoteRecordVersion)
	}
	if n := storedExplanations(t, st); n != 1 {
		t.Errorf("%d explanations stored, want the base alone", n)
	}
	for _, s := range []*Store{st, openSecond(t, dsn)} {
		got, err := s.Quote(ctx, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Priced.Trail, q.Priced.Trail) || !got.Priced.TrailNoted {
			t.Errorf("read back %d entries (noted %v), priced with %d, or they differ", len(got.Priced.Trail), got.Priced.TrailNoted, len(q.Priced.Trail))
		}
	}

	again := q
	again.ID = "q_noted_without_base"
	again.Priced.TrailBase = nil
	if err := st.PutQuote(ctx, again); err != nil {
		t.Fatal(err)
	}
	rec = storedRecord(t, st, again.ID)
	if rec.Version != quoteRecordVersion || rec.Result.TrailRef != "" || rec.Result.Trail == nil || *rec.Result.Trail != *encodeTrail(q.Priced.Trail) || rec.Result.TrailNotes != nil {
		t.Errorf("without its base: record version %d names %q, holds %d bytes and %d notes; want version 2 holding the explanation", rec.Version, rec.Result.TrailRef, len(deref(rec.Result.Trail)), len(rec.Result.TrailNotes))
	}
}

// TestTrailNotes: the notes of a trail against its base are the entries that differ, applied
// back they give the trail again; no base, another length, other measures, nothing noted or
// notes on more than a quarter of the entries mean no notes (the record holds the
// explanation); a note that does not fit the explanation it is applied to is an error.
func TestTrailNotes(t *testing.T) {
	base := make([]tariff.Consideration, 8)
	for i := range base {
		base[i] = tariff.Consideration{MeasureID: fmt.Sprintf("m-%d", i), Reason: "outside dates"}
	}
	trail := slices.Clone(base)
	trail[2] = tariff.Consideration{MeasureID: "m-2", Applied: true, Reason: "applied (lowest of 2 alternatives)"}
	notes, ok := trailNotes(trail, base)
	if !ok || len(notes) != 1 || notes[0] != (trailNoteRecord{Index: 2, Measure: "m-2", Applied: true, Reason: "applied (lowest of 2 alternatives)"}) {
		t.Fatalf("notes %+v, %v", notes, ok)
	}
	back := slices.Clone(base)
	if err := applyTrailNotes(back, notes); err != nil || !slices.Equal(back, trail) {
		t.Fatalf("applied back: %+v, %v", back, err)
	}
	three := slices.Clone(trail)
	three[5].Reason, three[6].Reason = "x", "y"
	other := slices.Clone(trail)
	other[3].MeasureID = "n-3"
	for what, c := range map[string][2][]tariff.Consideration{
		"no base": {trail, nil}, "another length": {trail, base[:7]}, "other measures": {other, base},
		"nothing noted": {base, slices.Clone(base)}, "3 of 8 noted": {three, base},
	} {
		if notes, ok := trailNotes(c[0], c[1]); ok || notes != nil {
			t.Errorf("%s: notes %+v, %v; want none", what, notes, ok)
		}
	}
	for _, n := range []trailNoteRecord{{Index: 8, Measure: "m-8"}, {Index: -1, Measure: "m-0"}, {Index: 1, Measure: "m-2"}} {
		if err := applyTrailNotes(slices.Clone(base), []trailNoteRecord{n}); err == nil {
			t.Errorf("note %+v applied to 8 entries without an error", n)
		}
	}
}

// explainedQuote is writerQuote with an explanation of its own words.
func explainedQuote(id, words string) marketplace.Quote {
	q := writerQuote(id)
	q.Priced.Trail = []tariff.Consideration{{MeasureID: "m-1", Applied: true, Reason: "applied"}, {MeasureID: "m-2", Reason: words}}
	return q
}

// TestFailedBatchStoresItsExplanationLater: a batch that rolls back (one of its quotes' ids is
// taken) took with it the explanation it wrote first; the store must not take that explanation
// for stored, and the quote written again on its own stores it with itself. On SQLite and
// PostgreSQL.
func TestFailedBatchStoresItsExplanationLater(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if err := st.PutQuote(ctx, writerQuote("q_taken")); err != nil {
				t.Fatal(err)
			}
			var batch []*quoteWrite
			for _, q := range []marketplace.Quote{explainedQuote("q_explained", "new words, first stored by a batch that fails"), writerQuote("q_taken")} {
				row, err := toQuoteRow(q)
				if err != nil {
					t.Fatal(err)
				}
				batch = append(batch, &quoteWrite{ctx: ctx, row: row, result: make(chan error, 1)})
			}
			st.commitQuotes(batch)
			if err := <-batch[0].result; err != nil {
				t.Fatalf("the explained quote: %v", err)
			}
			if err := <-batch[1].result; marketplace.ErrorCode(err) != marketplace.CodeConflict {
				t.Fatalf("the taken id: %v, want a conflict", err)
			}
			got, err := st.Quote(ctx, "q_explained")
			if err != nil {
				t.Fatalf("the explained quote does not read back: %v", err)
			}
			if len(got.Priced.Trail) != 2 || got.Priced.Trail[1].Reason != "new words, first stored by a batch that fails" {
				t.Errorf("read back explanation %+v", got.Priced.Trail)
			}
			// Stored once: a second quote with the same explanation writes nothing more.
			if err := st.PutQuote(ctx, explainedQuote("q_explained_again", "new words, first stored by a batch that fails")); err != nil {
				t.Fatal(err)
			}
			if n := storedExplanations(t, st); n != 1 {
				t.Errorf("%d explanations stored, want 1", n)
			}
		})
	}
}

// TestMissingExplanationFailsTheRead: a record naming an explanation the table does not hold
// (a damaged database) reads as an error naming it, not as a quote without explanation.
func TestMissingExplanationFailsTheRead(t *testing.T) {
	ctx := context.Background()
	dsn := TestDSN(t)
	st := openSecond(t, dsn)
	if err := st.PutQuote(ctx, explainedQuote("q_lost", "words about to be lost")); err != nil {
		t.Fatal(err)
	}
	if err := st.db.Exec("DELETE FROM quote_explanations").Error; err != nil {
		t.Fatal(err)
	}
	_, err := openSecond(t, dsn).Quote(ctx, "q_lost")
	if err == nil || !strings.Contains(err.Error(), "not stored") {
		t.Errorf("reading a quote whose explanation is missing: %v", err)
	}
}

// TestSharedTrailEncoding: a trail seen before is encoded and named once (the same answer is
// returned), a different trail — even one copied from it and changed — gets its own, and past
// the cache's bound every answer is still the trail's own.
func TestSharedTrailEncoding(t *testing.T) {
	trail := []tariff.Consideration{{MeasureID: "vat-de-b2b", Applied: true, Reason: "applied"}, {MeasureID: "eu-duty-ita", Reason: "product gpu_hours not in [hardware]"}}
	own := func(tr []tariff.Consideration) (string, string) {
		text := encodeTrail(tr)
		sum := sha256.Sum256([]byte(*text))
		return *text, hex.EncodeToString(sum[:])
	}
	check := func(what string, tr []tariff.Consideration) *sharedExplanation {
		t.Helper()
		got := shareTrail(tr)
		if text, hash := own(tr); *got.text != text || got.hash != hash {
			t.Errorf("%s: %q named %s, want %q named %s", what, *got.text, got.hash, text, hash)
		}
		return got
	}
	first := check("the trail", trail)
	if again := shareTrail(trail); again != first {
		t.Error("the same trail was encoded twice")
	}
	changed := slices.Clone(trail)
	changed[1].Reason = "origin CN not in [US]"
	check("a changed copy", changed)
	check("a shorter trail on the same array", trail[:1])
	for i := range 3 * maxEncodedTrails {
		check(fmt.Sprint("trail ", i), []tariff.Consideration{{MeasureID: fmt.Sprintf("m-%d", i), Reason: "r"}})
	}
	if n := encodedTrails.Len(); n > maxEncodedTrails {
		t.Errorf("%d trails kept, bound %d", n, maxEncodedTrails)
	}
	if shareTrail(nil) != nil {
		t.Error("no trail (no policy) is named")
	}
}

// TestRecordNotesNeedVersion3: a record of version 3 names a shared explanation and holds
// notes; a record of version 2 with notes (which a reader of version 2 would ignore), one of
// version 3 without them, or notes without a shared explanation are refused.
func TestRecordNotesNeedVersion3(t *testing.T) {
	q := explainedQuote("q_notes", "outside dates")
	base := make([]tariff.Consideration, 8)
	for i := range base {
		base[i] = tariff.Consideration{MeasureID: fmt.Sprintf("m-%d", i), Reason: "outside dates"}
	}
	q.Priced.Trail = slices.Clone(base)
	q.Priced.Trail[1].Reason = "applied (lowest of 2 alternatives)"
	q.Priced.TrailNoted, q.Priced.TrailBase = true, base
	shared := shareTrail(base)
	text := func(string) (*string, error) { return shared.text, nil }
	read := func(rec quoteRecord) error {
		js, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		w := s2.NewWriter(&b)
		w.Write(js)
		w.Close()
		var got marketplace.Quote
		return decodeQuoteRecord(b.Bytes(), &got, text)
	}
	good := newQuoteRecord(q, shared)
	if good.Version != 3 || len(good.Result.TrailNotes) != 1 {
		t.Fatalf("version %d with %d notes, want 3 with 1", good.Version, len(good.Result.TrailNotes))
	}
	if err := read(good); err != nil {
		t.Fatalf("the record as written: %v", err)
	}
	v2 := good
	v2.Version = 2
	v3 := good
	v3.Result.TrailNotes = nil
	unnamed := good
	unnamed.Result.TrailRef, unnamed.Result.Trail = "", encodeTrail(base)
	for what, rec := range map[string]quoteRecord{"version 2 with notes": v2, "version 3 without notes": v3, "notes without a shared explanation": unnamed} {
		if err := read(rec); err == nil {
			t.Errorf("%s: read without an error", what)
		}
	}
	// Named for a noted explanation whose notes cannot be taken (no base): the record holds it
	// and reads back, rather than naming an explanation it could not be read back from.
	baseless := q
	baseless.Priced.TrailBase = nil
	held := newQuoteRecord(baseless, shared)
	if held.Version != quoteRecordVersion || held.Result.TrailRef != "" || held.Result.Trail == nil || recordVersion(baseless, shared) != quoteRecordVersion {
		t.Errorf("a baseless noted explanation named by shared: version %d (column %d), ref %q, holds %v", held.Version, recordVersion(baseless, shared), held.Result.TrailRef, held.Result.Trail != nil)
	}
	if err := read(held); err != nil {
		t.Errorf("a baseless noted explanation's record: %v", err)
	}
}
