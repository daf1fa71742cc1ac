package store

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"corridor/marketplace"
)

// TestCompareStreamsReadThroughFloorIndexes: on SQLite, a comparison's stream of one
// currency's offers in floor-price order is served by a floor index — offers_acc_floor when
// the need names an accelerator (with a bloc, regions or a capacity too), offers_cur_floor
// when it names only a minimum throughput — without sorting, so a page reads a chunk of the
// index, not every matching offer; the reads of offers in other currencies seek the ranges
// between the offer currencies. PostgreSQL's plans are logged (its planner weighs the table's
// statistics).
func TestCompareStreamsReadThroughFloorIndexes(t *testing.T) {
	products := []string{"gpu_hours", "bare_metal"}
	after := &marketplace.CompareCandidate{ID: "off-1", Floor: decimal.RequireFromString("2.2")}
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				f     marketplace.OfferContextFilter
				index string
			}{
				{marketplace.OfferContextFilter{Products: products, Accelerator: "h100-sxm"}, "offers_acc_floor"},
				{marketplace.OfferContextFilter{Products: products, Accelerator: "h100-sxm", Bloc: marketplace.BlocEU}, "offers_acc_floor"},
				{marketplace.OfferContextFilter{Products: products, Accelerator: "h20", Regions: []string{"cn-ningxia-zhongwei", "cn-shanghai"}}, "offers_acc_floor"},
				{marketplace.OfferContextFilter{Products: products, MinBF16TFLOPS: decimal.NewFromInt(400)}, "offers_cur_floor"},
				{marketplace.OfferContextFilter{Products: products, MinBF16TFLOPS: decimal.NewFromInt(400), Bloc: marketplace.BlocEU}, "offers_cur_floor"},
			} {
				type read struct {
					part  marketplace.CandidatePart
					other string
				}
				reads := []read{{marketplace.CandidatePart{Currency: "EUR", Limit: 64}, ""},
					{marketplace.CandidatePart{Currency: "EUR", Limit: 128, After: after, MinCapacity: 8}, ""}}
				for _, r := range otherCurrencyRanges() {
					reads = append(reads, read{marketplace.CandidatePart{Other: true}, r})
				}
				for _, rd := range reads {
					part := rd.part
					q := st.db.ToSQL(func(tx *gorm.DB) *gorm.DB {
						var out []struct{ ID string }
						return candidatesQuery(tx, tc.f, part, rd.other).Scan(&out)
					})
					explain := "EXPLAIN QUERY PLAN "
					if st.postgres {
						explain = "EXPLAIN "
					}
					rows, err := st.db.WithContext(context.Background()).Raw(explain + q).Rows()
					if err != nil {
						t.Fatal(err)
					}
					var plan []string
					cols, _ := rows.Columns()
					for rows.Next() {
						vals := make([]any, len(cols))
						ptrs := make([]any, len(cols))
						for i := range vals {
							ptrs[i] = &vals[i]
						}
						if err := rows.Scan(ptrs...); err != nil {
							t.Fatal(err)
						}
						line := vals[len(vals)-1]
						if b, ok := line.([]byte); ok {
							line = string(b)
						}
						plan = append(plan, line.(string))
					}
					rows.Close()
					text := strings.Join(plan, "\n")
					t.Logf("%+v %+v %s:\n%s", tc.f, part, rd.other, text)
					if st.postgres {
						continue
					}
					if rd.other != "" { // a seek to the range of currencies, through any index
						if !strings.HasPrefix(text, "SEARCH offers USING") || !strings.Contains(text, "currency<") && !strings.Contains(text, "currency>") {
							t.Errorf("%+v %s: plan\n%s\nwant a seek to the currencies", tc.f, rd.other, text)
						}
						continue
					}
					if !strings.Contains(text, "USING INDEX "+tc.index) && !strings.Contains(text, "USING COVERING INDEX "+tc.index) || strings.Contains(text, "TEMP B-TREE") {
						t.Errorf("%+v %+v: plan\n%s\nwant %s without a sort", tc.f, part, text, tc.index)
					}
				}
			}
		})
	}
}
