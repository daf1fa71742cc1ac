package store

// The search index: everything offer search needs beyond the offers table's columns and the
// indexes declared on offerRow. migrateSearchIndex is the one place it is created, on SQLite
// and PostgreSQL alike; it is idempotent, and the schema migration calls it once the offers
// table exists.
//
// Free text (text~"…") is a substring search, case-insensitive, over the supplier's name and
// the offer's note (the lower-cased search_text column). A word index would miss substrings
// and Chinese text, so both databases index the text's trigrams — every run of three
// characters, and the shorter runs at its end — and a needle's trigrams must all be present
// (a needle of one or two characters is a prefix of some indexed run). The index only finds
// candidates: every candidate is checked with LIKE, so results are exactly those of a scan.
//
//   - SQLite: an FTS4 table offer_text (FTS3/FTS4 are compiled into mattn/go-sqlite3 by
//     default; FTS5 needs a build tag that `go run ./cmd/corridor` would not carry) holds each
//     offer's trigrams as tokens, keyed by a stable document number from offer_text_docs
//     (offers' own rowids may change on VACUUM). Triggers on offers keep it in step with every
//     write; they compute the tokens with corridor_text_grams, a Go function registered on
//     each connection (sqliteDriverName).
//   - PostgreSQL: a GIN index on corridor_text_grams(search_text), an SQL function returning
//     the trigrams as a tsvector; nothing is stored twice and no trigger is needed.
//
// A search asks the index first how many offers can match: none means no row is read at all;
// a few drive the query (one primary-key lookup each); many mean the needle is common, and the
// ordered scan of the sort's index, checking LIKE, finds a page of matches quickly.
//
// Region sets are read one stream per region (search.Field.Split), so every sort key has an
// index led by region.

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mattn/go-sqlite3"
	"gorm.io/gorm"
)

// sqliteSearchTables are the tables migration 5 makes on SQLite: the offer ↔ document map, the
// FTS4 table and the tables FTS4 keeps its index in.
var sqliteSearchTables = []string{"offer_text_docs", "offer_text", "offer_text_content", "offer_text_docsize",
	"offer_text_segdir", "offer_text_segments", "offer_text_stat"}

// searchIndexSQL creates the search index; every statement is idempotent.
var searchIndexSQL = struct{ common, sqlite, postgres []string }{
	common: []string{
		// One ordered stream per region for each sort key (price has offers_region_price).
		`CREATE INDEX IF NOT EXISTS offers_region_ppf ON offers (region, status, currency, ppf_micros, id, accelerator, gp_us, pricing, tpp_micros)`,
		`CREATE INDEX IF NOT EXISTS offers_region_gpus ON offers (region, status, gp_us, id, currency, accelerator, pricing, tpp_micros)`,
		`CREATE INDEX IF NOT EXISTS offers_region_from ON offers (region, status, from_day, id, gp_us, currency, accelerator, pricing)`,
	},
	sqlite: []string{
		`CREATE TABLE IF NOT EXISTS offer_text_docs (doc INTEGER PRIMARY KEY, offer_id TEXT NOT NULL UNIQUE)`,
		// compress/uncompress: the table stores each offer's text, not its much longer list
		// of tokens (FTS4 calls uncompress when it needs the tokens back, e.g. to update).
		`CREATE VIRTUAL TABLE IF NOT EXISTS offer_text USING fts4(grams, tokenize=simple, compress=corridor_text_compress, uncompress=corridor_text_grams)`,
		`CREATE TRIGGER IF NOT EXISTS offers_text_insert AFTER INSERT ON offers BEGIN
			INSERT INTO offer_text_docs (offer_id) VALUES (new.id);
			INSERT INTO offer_text (docid, grams) VALUES (last_insert_rowid(), corridor_text_grams(new.search_text));
		END`,
		`CREATE TRIGGER IF NOT EXISTS offers_text_update AFTER UPDATE OF search_text ON offers
		WHEN old.search_text IS NOT new.search_text BEGIN
			UPDATE offer_text SET grams = corridor_text_grams(new.search_text)
			WHERE docid = (SELECT doc FROM offer_text_docs WHERE offer_id = new.id);
		END`,
		`CREATE TRIGGER IF NOT EXISTS offers_text_delete AFTER DELETE ON offers BEGIN
			DELETE FROM offer_text WHERE docid = (SELECT doc FROM offer_text_docs WHERE offer_id = old.id);
			DELETE FROM offer_text_docs WHERE offer_id = old.id;
		END`,
	},
	postgres: []string{
		// IMMUTABLE (its result depends on its argument only) so that it can be indexed; a high
		// COST so that the planner never prefers evaluating it row by row over the index.
		`CREATE OR REPLACE FUNCTION corridor_text_grams(t text) RETURNS tsvector
		LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
			SELECT array_to_tsvector(coalesce(array_agg(DISTINCT substr(t, i, 3)), '{}'))
			FROM generate_series(1, char_length(t)) AS g(i)
		$$`,
		`CREATE INDEX IF NOT EXISTS offers_text_grams ON offers USING gin (corridor_text_grams(search_text))`,
	},
}

// migrateSearchIndex creates the search index (migration step 5). On SQLite, the new
// full-text table is filled from the offers already stored.
func migrateSearchIndex(tx *gorm.DB, m migrator) error {
	for _, q := range searchIndexSQL.common {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	if m.postgres {
		for _, q := range searchIndexSQL.postgres {
			if err := tx.Exec(q).Error; err != nil {
				return fmt.Errorf("search index: %w", err)
			}
		}
		return nil
	}
	for _, q := range searchIndexSQL.sqlite {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	// Merge small segments as writes come (each one-offer transaction adds a segment): a
	// lookup reads every segment, so fewer is faster.
	for _, q := range []string{
		`INSERT INTO offer_text (offer_text) VALUES ('automerge=8')`,
		`INSERT INTO offer_text_docs (offer_id) SELECT id FROM offers ORDER BY id`,
		`INSERT INTO offer_text (docid, grams)
			SELECT d.doc, corridor_text_grams(o.search_text) FROM offer_text_docs d JOIN offers o ON o.id = d.offer_id`,
		`INSERT INTO offer_text (offer_text) VALUES ('optimize')`,
	} {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	return nil
}

// sqliteDriverName is the database/sql driver the store opens SQLite files with: mattn's
// driver with the full-text functions registered on every connection, and the automatic WAL
// checkpoint off (checkpoint.go).
const sqliteDriverName = "sqlite3-corridor"

var registerSQLiteDriver sync.Once

func sqliteDriver() string {
	registerSQLiteDriver.Do(func() {
		sql.Register(sqliteDriverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			if _, err := c.Exec(sqliteConnectPragmas, nil); err != nil {
				return err
			}
			if err := c.RegisterFunc("corridor_text_grams", sqliteGrams, true); err != nil {
				return err
			}
			return c.RegisterFunc("corridor_text_compress", sqliteUngrams, true)
		}})
	})
	return sqliteDriverName
}

// maxGramTerms bounds the trigrams of one needle the index is asked for. The lookup costs
// about one doclist per trigram, and a trigram common to most offers (a word in many supplier
// names) has a doclist as long as the market; a few trigrams spread over the needle are
// nearly as selective as all of them, and LIKE checks the rest.
const maxGramTerms = 4

// textGrams returns the distinct runs of up to three runes starting at each rune of s (the
// last two are shorter), in order: "abcd" → abc, bcd, cd, d.
func textGrams(s string) []string {
	runes := []rune(s)
	seen := make(map[string]bool, len(runes))
	out := make([]string, 0, len(runes))
	for i := range runes {
		g := string(runes[i:min(i+3, len(runes))])
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// needleGrams returns what the index is asked for a lower-cased needle: up to maxGramTerms of
// its trigrams, spread from its start to its end, or, for a needle of one or two runes, the
// needle itself as a prefix of an indexed run.
func needleGrams(needle string) (grams []string, prefix bool) {
	runes := []rune(needle)
	if len(runes) < 3 {
		return []string{needle}, true
	}
	last := len(runes) - 3
	for i := range maxGramTerms {
		at := last * i / (maxGramTerms - 1)
		g := string(runes[at : at+3])
		if !slices.Contains(grams, g) {
			grams = append(grams, g)
		}
	}
	return grams, false
}

// sqliteToken is a run of text as a token of the FTS4 "simple" tokenizer, which keeps ASCII
// letters and digits and every non-ASCII byte in tokens and splits on the rest: other ASCII
// (spaces, punctuation) becomes a private-use rune. A private-use rune in real text thus
// shares a token with punctuation — a false candidate at worst, which LIKE removes.
func sqliteToken(run string) string {
	var b strings.Builder
	for _, r := range run {
		if r < utf8.RuneSelf && !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			r += 0xE000
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sqliteGrams is corridor_text_grams on SQLite: the runs starting at each rune of text, in
// order, as space-separated tokens. Kept in order and with repeats so that sqliteUngrams can
// give the text back.
func sqliteGrams(text string) string {
	runes := []rune(text)
	var b strings.Builder
	b.Grow(5 * len(text))
	for i := range runes {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(sqliteToken(string(runes[i:min(i+3, len(runes))])))
	}
	return b.String()
}

// sqliteUngrams is corridor_text_compress: the text whose sqliteGrams are grams (the first
// rune of each token, with punctuation restored). A private-use rune of the original text
// comes back as punctuation, which has the same tokens, so the round trip loses nothing the
// index needs.
func sqliteUngrams(grams string) string {
	var b strings.Builder
	for _, tok := range strings.Fields(grams) {
		r, _ := utf8.DecodeRuneInString(tok)
		if r >= 0xE000 && r < 0xE000+utf8.RuneSelf {
			r -= 0xE000
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sqliteTerms returns the FTS4 terms every needle must satisfy: tokens, and prefix tokens
// with *. Each is a valid MATCH expression alone; joined by spaces they must all hold.
func sqliteTerms(needles []string) []string {
	var terms []string
	for _, n := range needles {
		grams, prefix := needleGrams(n)
		for _, g := range grams {
			t := sqliteToken(g)
			if prefix {
				t += "*"
			}
			if !slices.Contains(terms, t) {
				terms = append(terms, t)
			}
		}
	}
	return terms
}

// postgresQuery is the tsquery every needle must satisfy: every lexeme quoted (quotes and
// backslashes doubled), prefix lexemes with :*.
func postgresQuery(needles []string) string {
	var terms []string
	for _, n := range needles {
		grams, prefix := needleGrams(n)
		for _, g := range grams {
			t := "'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(g) + "'"
			if prefix {
				t += ":*"
			}
			terms = append(terms, t)
		}
	}
	return strings.Join(terms, " & ")
}

// maxDrivingCandidates is the most full-text candidates a search reads one by one; with more,
// the needle is common enough that the ordered scan of the sort's index finds a page of
// matches after a few thousand rows, checking each with LIKE. On PostgreSQL counting the
// candidates visits their rows (a GIN index has no index-only scans), so it stops sooner.
// (Variables so that the tests can run both plans on a small market.)
var (
	maxDrivingCandidates         = 2000
	maxDrivingCandidatesPostgres = 500
)

// textPlan is how a read applies its free-text needles, decided once per search from the
// index (probeText): nothing matches, candidates drive the read, or LIKE filters the ordered
// scan of the sort's index.
type textPlan struct {
	none  bool   // no offer can match: read nothing
	drive string // SQLite: the MATCH expression of the rare terms whose candidates drive the read; PostgreSQL: the tsquery to filter by
}

// probeText asks the full-text index how to read offers whose search_text contains every
// needle (lower-cased).
func (s *Store) probeText(ctx context.Context, needles []string) (textPlan, error) {
	if s.postgres {
		match := postgresQuery(needles)
		var candidates int64
		err := s.gormDB(ctx).Raw(`SELECT count(*) FROM (SELECT 1 FROM offers WHERE corridor_text_grams(search_text) @@ ?::tsquery LIMIT ?) c`,
			match, maxDrivingCandidatesPostgres+1).Scan(&candidates).Error
		switch {
		case err != nil:
			return textPlan{}, err
		case candidates == 0:
			return textPlan{none: true}, nil
		case candidates <= int64(maxDrivingCandidatesPostgres):
			return textPlan{drive: match}, nil
		}
		return textPlan{}, nil
	}
	// Count each term's documents up to the limit (a one-term lookup reads its doclist
	// incrementally, so a common term costs no more than a rare one): a term in no document
	// means no match; the rare terms alone make a short list of candidates. When every term is
	// common, so is the needle.
	terms := sqliteTerms(needles)
	counts := make([]string, len(terms))
	args := make([]any, 0, 2*len(terms))
	for i, term := range terms {
		counts[i] = fmt.Sprintf(`(SELECT count(*) FROM (SELECT docid FROM offer_text WHERE offer_text MATCH ? LIMIT ?)) AS c%d`, i)
		args = append(args, term, maxDrivingCandidates+1)
	}
	docs := make([]int64, len(terms))
	dest := make([]any, len(terms))
	for i := range docs {
		dest[i] = &docs[i]
	}
	if err := s.gormDB(ctx).Raw("SELECT "+strings.Join(counts, ", "), args...).Row().Scan(dest...); err != nil {
		return textPlan{}, err
	}
	var rare []string
	for i, term := range terms {
		if docs[i] == 0 {
			return textPlan{none: true}, nil
		}
		if docs[i] <= int64(maxDrivingCandidates) {
			rare = append(rare, term)
		}
	}
	return textPlan{drive: strings.Join(rare, " ")}, nil
}

// applyText narrows tx, a read of offers, to those whose search_text contains every needle.
func (s *Store) applyText(tx *gorm.DB, p textPlan, needles []string) *gorm.DB {
	switch {
	case p.drive == "":
	case s.postgres:
		tx = tx.Where("corridor_text_grams(search_text) @@ ?::tsquery", p.drive)
	default:
		// CROSS JOIN fixes the join order: candidates first, then their offers by key.
		tx = tx.Table("offer_text CROSS JOIN offer_text_docs CROSS JOIN offers").
			Where("offer_text MATCH ? AND offer_text_docs.doc = offer_text.docid AND offers.id = offer_text_docs.offer_id", p.drive)
	}
	for _, n := range needles {
		tx = tx.Where(`search_text LIKE ? ESCAPE '\'`, "%"+likeEscape(n)+"%")
	}
	return tx
}
