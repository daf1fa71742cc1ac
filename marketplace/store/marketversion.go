package store

import (
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The market's change counter (migration 12). What a search, a comparison or the market page
// answers depends, beyond the reference data, on three tables: offers (with the supplier and
// region names they carry), reservations (what is still available) and suppliers (where a
// supplier is established decides its taxes). One more row of reference_versions, kind
// "market", counts the transactions that change any of them, so a server can keep what it
// answered while the counter has not moved (web/respcache.go), and several servers on one
// database see each other's writes with the read of the counters they already make.
//
// The count is kept by triggers, not by the code that writes, so that no write path (nor a
// later one) can forget it:
//
//   - SQLite: an AFTER INSERT, UPDATE and DELETE trigger per table adds one. SQLite has one
//     writer at a time, so the row is never contended.
//   - PostgreSQL: a deferred constraint trigger per table adds one when the transaction
//     commits, once per transaction (a transaction-local setting remembers it did). Deferred
//     to the commit, the counter's row lock is the last lock a transaction takes and is held
//     only while it commits: two writers cannot wait for each other in a cycle through it, and
//     writers of different offers queue on it only for the length of a commit.
const refMarket = "market"

// marketTables are the tables whose changes count as a change of the market.
var marketTables = []string{"offers", "reservations", "suppliers"}

// marketCountSQL counts one change of the market per transaction on PostgreSQL. TG_ARGV is
// not needed: there is one kind. The setting holds the transaction's id, so it is true only
// inside the transaction that set it (set_config's third argument makes it local to it).
const marketCountSQL = `CREATE OR REPLACE FUNCTION corridor_count_market_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('corridor.market_counted', true) IS DISTINCT FROM txid_current()::text THEN
		UPDATE reference_versions SET counter = counter + 1 WHERE kind = 'market';
		PERFORM set_config('corridor.market_counted', txid_current()::text, true);
	END IF;
	RETURN NULL;
END $$`

// migrateMarketVersion is migration 12: the market's counter and the triggers that keep it.
func migrateMarketVersion(tx *gorm.DB, m migrator) error {
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&referenceVersionRow{Kind: refMarket}).Error; err != nil {
		return err
	}
	var stmts []string
	if m.postgres {
		stmts = append(stmts, marketCountSQL)
		for _, t := range marketTables {
			stmts = append(stmts, fmt.Sprintf(`CREATE CONSTRAINT TRIGGER %[1]s_count_market AFTER INSERT OR UPDATE OR DELETE ON %[1]s
				DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION corridor_count_market_change()`, t))
		}
	} else {
		for _, t := range marketTables {
			for _, op := range []string{"insert", "update", "delete"} {
				stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER %[1]s_count_market_%[2]s AFTER %[2]s ON %[1]s
					BEGIN UPDATE reference_versions SET counter = counter + 1 WHERE kind = 'market'; END`, t, op))
			}
		}
	}
	for _, q := range stmts {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("market counter: %w", err)
		}
	}
	return nil
}
