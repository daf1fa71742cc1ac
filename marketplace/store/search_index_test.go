package store

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"corridor/marketplace"
	"corridor/marketplace/search"
)

func TestTextGrams(t *testing.T) {
	if got := strings.Join(textGrams("abcab"), "|"); got != "abc|bca|cab|ab|b" {
		t.Errorf("textGrams(abcab) = %s", got)
	}
	if got := strings.Join(textGrams("液冷机"), "|"); got != "液冷机|冷机|机" {
		t.Errorf("textGrams(液冷机) = %s", got)
	}
	if g, p := needleGrams("液冷"); !p || !slices.Equal(g, []string{"液冷"}) {
		t.Errorf("needleGrams(液冷) = %v, %v; want a prefix", g, p)
	}
	// "infiniband" (10 runes, trigrams at 0…7): those at 0, 7·1/3 = 2, 7·2/3 = 4 and 7.
	if g, p := needleGrams("infiniband"); p || strings.Join(g, "|") != "inf|fin|nib|and" {
		t.Errorf("needleGrams(infiniband) = %v, %v", g, p)
	}
	if g, _ := needleGrams("abab"); strings.Join(g, "|") != "aba|bab" {
		t.Errorf("needleGrams(abab) = %v; want each trigram once", g)
	}
	if g, _ := needleGrams("液冷机"); strings.Join(g, "|") != "液冷机" {
		t.Errorf("needleGrams(液冷机) = %v", g)
	}
	distinct := "the quick brown fox jumps over the lazy dog 0123456789"
	if g, _ := needleGrams(distinct); len(g) != maxGramTerms || g[0] != "the" || g[len(g)-1] != "789" {
		t.Errorf("needleGrams caps at %d spread over the needle: %v", maxGramTerms, g)
	}
	// Tokens: punctuation and spaces become private-use runes; letters, digits, CJK stay.
	if got := sqliteGrams("a b,液"); got != "a\ue020b \ue020b\ue02c b\ue02c液 \ue02c液 液" {
		t.Errorf("sqliteGrams = %q", got)
	}
	if got := sqliteTerms([]string{"a'b", "液", "a'b"}); !slices.Equal(got, []string{"a\ue027b", "液*"}) {
		t.Errorf("sqliteTerms = %q", got)
	}
	if got := postgresQuery([]string{`it's\x`, "ab"}); got != `'it''' & 't''s' & '''s\\' & 's\\x' & 'ab':*` {
		t.Errorf("postgresQuery = %s", got)
	}
}

// FuzzSQLiteGrams checks that what the full-text table stores (corridor_text_compress) gives
// back the same tokens, so that FTS4 removes exactly what it indexed when an offer changes.
func FuzzSQLiteGrams(f *testing.F) {
	for _, s := range []string{"", "liquid cooled", "液冷机柜，绿电", "100%_green 'q' \\ x", "\ue020 \ue000a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		grams := sqliteGrams(s)
		if again := sqliteGrams(sqliteUngrams(grams)); again != grams {
			t.Fatalf("%q: tokens %q come back as %q", s, grams, again)
		}
		if n := len(strings.Fields(grams)); n != utf8.RuneCountInString(s) {
			t.Fatalf("%q: %d tokens for %d runes", s, n, utf8.RuneCountInString(s))
		}
	})
}

// textHits returns the ids a free-text search finds, in id order.
func textHits(t *testing.T, svc *marketplace.Service, q string) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for {
		page, err := svc.SearchOffers(context.Background(), marketplace.SearchRequest{Q: q, Sort: "gpus", Limit: 100, Cursor: cursor})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, h := range page.Hits {
			ids = append(ids, h.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	slices.Sort(ids)
	return ids
}

// TestFullTextFollowsWrites changes and withdraws offers and checks that free-text search
// sees the new text and not the old, and (SQLite) that the FTS4 index agrees with its content.
func TestFullTextFollowsWrites(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			svc, offers := searchFixture(t, st, 60, 3)
			var target marketplace.Offer
			for _, o := range offers {
				if o.Status == marketplace.OfferActive && o.Note == "x" {
					target = o
					break
				}
			}
			if target.ID == "" {
				t.Fatal("the fixture has no active offer noted x")
			}
			if hits := textHits(t, svc, `text~"zephyr glacier"`); len(hits) != 0 {
				t.Fatalf("before the change: %v", hits)
			}
			changed := target
			changed.Note, changed.Version = "Zephyr Glacier rack", target.Version+1
			if err := st.UpdateOffer(ctx, changed, target.Version); err != nil {
				t.Fatal(err)
			}
			if hits := textHits(t, svc, `text~"zephyr glacier"`); !slices.Equal(hits, []string{target.ID}) {
				t.Errorf("after the change: %v, want [%s]", hits, target.ID)
			}
			if hits := textHits(t, svc, `text~"r g"`); !slices.Contains(hits, target.ID) {
				t.Errorf("a run across the space: %v lacks %s", hits, target.ID)
			}
			for _, h := range textHits(t, svc, `text~"x"`) {
				if h == target.ID {
					t.Errorf("the old note still finds %s", h)
				}
			}
			withdrawn := changed
			withdrawn.Status, withdrawn.Version = marketplace.OfferWithdrawn, changed.Version+1
			if err := st.UpdateOffer(ctx, withdrawn, changed.Version); err != nil {
				t.Fatal(err)
			}
			if hits := textHits(t, svc, `text~"zephyr"`); len(hits) != 0 {
				t.Errorf("a withdrawn offer is found: %v", hits)
			}
			if !st.postgres {
				if err := st.gormDB(ctx).Exec(`INSERT INTO offer_text (offer_text) VALUES ('integrity-check')`).Error; err != nil {
					t.Errorf("FTS4 integrity check: %v", err)
				}
			}
		})
	}
}

// TestFullTextBuiltForExistingOffers opens a database whose offers predate the full-text
// index (as a database of the previous release does, before migration 5): the migration
// builds it from them.
func TestFullTextBuiltForExistingOffers(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := searchFixture(t, st, 120, 5)
	want := textHits(t, svc, `text~"roce"`)
	if len(want) == 0 {
		t.Fatal("the fixture has no RoCE offer")
	}
	for _, q := range []string{`DROP TRIGGER offers_text_insert`, `DROP TRIGGER offers_text_update`, `DROP TRIGGER offers_text_delete`,
		`DROP TABLE offer_text`, `DROP TABLE offer_text_docs`, `DELETE FROM schema_migrations WHERE version = 5`} {
		if err := st.gormDB(ctx).Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	st, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := textHits(t, marketplace.NewService(st, time.Now), `text~"roce"`); !slices.Equal(got, want) {
		t.Errorf("after the migration: %v, want %v", got, want)
	}
}

// TestNoMatchReadsNoOffers checks that a free-text search the index has no candidate for
// reads no offer row: the only statements are the index lookups.
func TestNoMatchReadsNoOffers(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			searchFixture(t, st, 50, 9)
			var statements []string
			// Scan reads through the Row callbacks, Find through the Query callbacks.
			record := func(tx *gorm.DB) { statements = append(statements, tx.Statement.SQL.String()) }
			if err := st.db.Callback().Row().After("gorm:row").Register("test:record", record); err != nil {
				t.Fatal(err)
			}
			if err := st.db.Callback().Query().After("gorm:query").Register("test:record", record); err != nil {
				t.Fatal(err)
			}
			defer st.db.Callback().Row().Remove("test:record")
			defer st.db.Callback().Query().Remove("test:record")
			q, _ := search.Parse(`text~"no such phrase" bloc=CN`)
			var reads []search.Read
			for _, cur := range search.ListedCurrencies {
				reads = append(reads, search.Read{Clauses: q.Clauses, Currencies: []string{cur}, Key: search.SortPrice, Limit: 51})
			}
			rows, err := st.SearchOfferKeys(ctx, reads)
			if err != nil || len(rows) != 0 {
				t.Fatalf("%v, %v", rows, err)
			}
			if len(statements) != 1 {
				t.Fatalf("%d statements, want one index lookup for the three reads: %q", len(statements), statements)
			}
			for _, s := range statements {
				if !strings.Contains(s, "count(*)") || strings.Contains(s, "ORDER BY") || strings.Contains(s, "status") {
					t.Errorf("statement %q is not an index lookup", s)
				}
			}
		})
	}
}
