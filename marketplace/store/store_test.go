package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
)

// testStores returns the stores every storage test runs against: a fresh SQLite file always,
// and a fresh PostgreSQL schema when CORRIDOR_TEST_POSTGRES is set.
func testStores(t *testing.T) map[string]*Store {
	t.Helper()
	ctx := context.Background()
	out := map[string]*Store{}
	lite, err := Open(ctx, filepath.Join(t.TempDir(), "corridor.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { lite.Close() })
	out["sqlite"] = lite
	if dsn := os.Getenv("CORRIDOR_TEST_POSTGRES"); dsn != "" {
		out["postgres"] = OpenTestPostgres(t, dsn)
	} else {
		t.Log("CORRIDOR_TEST_POSTGRES not set: storage tests ran on SQLite only")
	}
	return out
}

func TestOpenUnreachablePostgres(t *testing.T) {
	_, err := Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("want an unreachable-database error, got %v", err)
	}
}

func TestReferenceRoundTripAndIdempotence(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			regions := []marketplace.Region{
				{Code: "cn-hub-ningxia", Name: "Ningxia hub", NameZH: "宁夏枢纽", Country: "CN", Bloc: marketplace.BlocCN, Kind: "hub_node",
					PUETarget: decimal.NewNullDecimal(decimal.RequireFromString("1.2")), Provenance: marketplace.Provenance{Source: "NDRC", AsOf: "2022-02-17", Confidence: marketplace.ConfidenceSourced}},
				{Code: "eu-fi-kajaani", Name: "LUMI AI Factory", Country: "FI", Bloc: marketplace.BlocEU, Kind: "ai_factory",
					Provenance: marketplace.Provenance{Source: "EuroHPC JU", AsOf: "2024-12-10", Confidence: marketplace.ConfidenceSourced}},
			}
			for round, want := range []int{2, 0} {
				n, err := st.PutRegions(ctx, regions)
				if err != nil || n != want {
					t.Fatalf("round %d: PutRegions = %d, %v; want %d", round, n, err, want)
				}
			}
			got, err := st.Regions(ctx, marketplace.RegionFilter{Bloc: marketplace.BlocCN})
			if err != nil || len(got) != 1 {
				t.Fatalf("Regions(CN) = %v, %v", got, err)
			}
			if got[0].NameZH != "宁夏枢纽" || !got[0].PUETarget.Valid || got[0].PUETarget.Decimal.String() != "1.2" || got[0].Source != "NDRC" {
				t.Errorf("region did not round-trip: %+v", got[0])
			}
			if all, _ := st.Regions(ctx, marketplace.RegionFilter{}); len(all) != 2 || all[1].PUETarget.Valid {
				t.Errorf("want 2 regions, the EU one without PUE; got %+v", all)
			}

			day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
			rates := []marketplace.FXRate{
				{Date: day, Currency: "CNY", PerEUR: decimal.RequireFromString("8.2473"), Source: "ECB"},
				{Date: day, Currency: "USD", PerEUR: decimal.RequireFromString("1.1562"), Source: "ECB"},
			}
			for round, want := range []int{2, 0} {
				if n, err := st.PutFXRates(ctx, rates); err != nil || n != want {
					t.Fatalf("round %d: PutFXRates = %d, %v; want %d", round, n, err, want)
				}
			}
			fx, err := st.FXRatesBetween(ctx, day.AddDate(0, 0, -3), day)
			if err != nil || len(fx) != 2 || fx[0].PerEUR.String() != "8.2473" || !fx[0].Date.Equal(day) {
				t.Fatalf("FXRatesBetween = %+v, %v", fx, err)
			}

			if ok, err := st.PutSettingOnce(ctx, "admin_token_hash", "h1"); !ok || err != nil {
				t.Fatalf("first PutSettingOnce = %v, %v", ok, err)
			}
			if ok, _ := st.PutSettingOnce(ctx, "admin_token_hash", "h2"); ok {
				t.Fatal("second PutSettingOnce overwrote the setting")
			}
			if v, ok, _ := st.Setting(ctx, "admin_token_hash"); !ok || v != "h1" {
				t.Fatalf("Setting = %q, %v", v, ok)
			}
		})
	}
}
