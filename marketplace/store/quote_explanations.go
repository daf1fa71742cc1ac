package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"gorm.io/gorm"

	"corridor/tariff"
)

// A quote's explanation — one line per measure of its policy, ~18 KB of text against ~6 KB for
// the rest of its record — is stored once for all the quotes that share it (migration 13).
// The engine explains every supply that matches a policy alike with the same trail
// (tariff.Assessment.Trail), so the quotes of a market carry one of a few hundred
// explanations: 480 quotes of the demo market (1 GPU for 720 h, four kinds of buyer, under
// the baseline and a scenario) carry 124. A
// record of this release names such an explanation by the SHA-256 of its stored text
// (quoteRecord's explanation_ref); the text is in quote_explanations, written in the
// transaction of the first quote that names it. A stored explanation never changes (its name
// is its content) and is never deleted: their number grows with the policy versions and the
// kinds of supply priced, not with the quotes.
//
// An explanation with notes computed for its quote (what is left of a subsidy's cap, the
// totals of customs alternatives: tariff.Assessment.TrailNoted) is shared by no other quote,
// but it is a copy of a shared one with a few entries changed (tariff.Assessment.TrailBase):
// its record (version 3) names the shared explanation and holds the changed entries
// (trailNotes). A noted explanation without that base — notes on more than a quarter of the
// entries, or a quote read back and stored again — stays in the record, as in the records of
// earlier releases.
//
// Stored once, the benchmark quote's record is 3.6 kB instead of 6.7 kB, encoding it takes
// 23 µs instead of 58, and storing a quote about a quarter less (docs/performance.md): most
// of the record's encoding, compression and INSERT was the explanation.

// quoteExplanationRow is one stored explanation: its text in the form encodeTrail writes and
// the SHA-256 of that text, in hex.
type quoteExplanationRow struct {
	Hash string `gorm:"primaryKey;size:64"`
	Text string `gorm:"type:text;not null"`
}

func (quoteExplanationRow) TableName() string { return "quote_explanations" }

// migrateQuoteExplanations is migration 13: the table of explanations stored once.
func migrateQuoteExplanations(tx *gorm.DB, _ migrator) error {
	return tx.AutoMigrate(&quoteExplanationRow{})
}

// migrateDropQuoteOfferIndex is migration 14: quotes lose their index on offer_id, which no
// query reads and every stored quote paid for (an entry at a random place in the index: one
// more page written to the WAL per quote).
func migrateDropQuoteOfferIndex(tx *gorm.DB, _ migrator) error {
	return tx.Exec("DROP INDEX IF EXISTS idx_quotes_offer_id").Error
}

// sharedExplanation is an explanation named by its hash, to store once.
type sharedExplanation struct {
	hash string
	text *string
}

// explanationOf names an explanation shared by other quotes.
func explanationOf(text *string) *sharedExplanation {
	sum := sha256.Sum256([]byte(*text))
	return &sharedExplanation{hash: hex.EncodeToString(sum[:]), text: text}
}

// An explanation is shared by every assessment of the same match (tariff.Assessment.Trail),
// and encoding and hashing one again is a tenth of a quote's CPU: encodedTrails keeps the
// stored form of the trails seen last (tariff.TrailMemo says how a trail is known).
var encodedTrails = tariff.NewTrailMemo[*sharedExplanation](maxEncodedTrails)

// maxEncodedTrails bounds encodedTrails: 1,024 explanations of ~18 KB, at most ~18 MB.
const maxEncodedTrails = 1024

// shareTrail is the stored form of a shared trail and its name, through encodedTrails; nil for
// no trail (no policy).
func shareTrail(trail []tariff.Consideration) *sharedExplanation {
	if trail == nil {
		return nil
	}
	return encodedTrails.Get(trail, func(t []tariff.Consideration) *sharedExplanation { return explanationOf(encodeTrail(t)) })
}

// explanations is what a store knows of quote_explanations: which it has stored or read (by
// hash), and the texts it read last. Both only save work: an explanation not known here is
// written again with ON CONFLICT DO NOTHING, or read from the table.
type explanations struct {
	mu     sync.Mutex
	stored map[string]struct{} // committed: in the table
	texts  map[string]*string  // read back, for decoding records
}

// maxKnownExplanations and maxReadExplanations bound the maps above (hashes; texts of ~18 KB,
// at most ~4.5 MB); each is emptied when full.
const (
	maxKnownExplanations = 4096
	maxReadExplanations  = 256
)

// explanationInsert stores an explanation unless it is stored already (the same statement on
// SQLite and PostgreSQL).
const explanationInsert = `INSERT INTO quote_explanations (hash, text) VALUES (?, ?) ON CONFLICT (hash) DO NOTHING`

// known reports whether hash is known to be stored.
func (e *explanations) known(hash string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.stored[hash]
	return ok
}

// remember records that the explanations named have been committed.
func (e *explanations) remember(hashes ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stored == nil || len(e.stored)+len(hashes) > maxKnownExplanations {
		e.stored = make(map[string]struct{}, len(hashes))
	}
	for _, h := range hashes {
		e.stored[h] = struct{}{}
	}
}

// storeExplanation writes x in tx unless it is known to be stored; it reports whether it
// wrote (the caller remembers it once tx commits).
func (s *Store) storeExplanation(ctx context.Context, tx *sql.Tx, x *sharedExplanation) (bool, error) {
	if x == nil || s.explained.known(x.hash) {
		return false, nil
	}
	st, err := s.stmt(ctx, explanationInsert)
	if err != nil {
		return false, err
	}
	if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, x.hash, *x.text); err != nil {
		return false, s.translateRaw("put quote explanation", err)
	}
	return true, nil
}

// explanation reads the stored explanation named hash.
func (s *Store) explanation(ctx context.Context, hash string) (*string, error) {
	e := &s.explained
	e.mu.Lock()
	t, ok := e.texts[hash]
	e.mu.Unlock()
	if ok {
		return t, nil
	}
	var text string
	err := s.queryRowInto(ctx, "SELECT text FROM quote_explanations WHERE hash = ?", hash, func(sc scanner) error { return sc.Scan(&text) })
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("the record names explanation %s, which is not stored", hash)
	}
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.texts == nil || len(e.texts) >= maxReadExplanations {
		e.texts = make(map[string]*string)
	}
	e.texts[hash] = &text
	return &text, nil
}

// trailNoteRecord is one entry of a noted explanation that differs from its shared base.
type trailNoteRecord struct {
	Index   int    `json:"i"`
	Measure string `json:"measure"`
	Applied bool   `json:"applied,omitempty"`
	Reason  string `json:"reason"`
}

// trailNotes are the entries in which trail differs from base; ok is false when base is not
// trail's base (another length or other measures), when more than a quarter of the entries
// differ, or none: then the record holds the explanation.
func trailNotes(trail, base []tariff.Consideration) (notes []trailNoteRecord, ok bool) {
	if base == nil || len(base) != len(trail) {
		return nil, false
	}
	for i, c := range trail {
		if c == base[i] {
			continue
		}
		if c.MeasureID != base[i].MeasureID || len(notes) >= len(trail)/4 {
			return nil, false
		}
		notes = append(notes, trailNoteRecord{Index: i, Measure: c.MeasureID, Applied: c.Applied, Reason: c.Reason})
	}
	return notes, notes != nil // noted yet equal to its base: the record holds it, as version 2
}

// applyTrailNotes writes notes into trail, decoded from the shared explanation its record names.
func applyTrailNotes(trail []tariff.Consideration, notes []trailNoteRecord) error {
	for _, n := range notes {
		if n.Index < 0 || n.Index >= len(trail) || trail[n.Index].MeasureID != n.Measure {
			return fmt.Errorf("explanation note %d (%s) does not fit an explanation of %d entries", n.Index, n.Measure, len(trail))
		}
		trail[n.Index] = tariff.Consideration{MeasureID: n.Measure, Applied: n.Applied, Reason: n.Reason}
	}
	return nil
}
