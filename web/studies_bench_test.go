//go:build unix

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http/httptest"
	"strings"
	"testing"

	"corridor/marketplace"
)

// benchBasket is a basket file of needs × perNeed rows: 10 EU buyer countries × business and
// consumer × 5 request sizes, each need sourced from perNeed rows cycling over the regions
// with H100 GPU-hour offers in the demo market, each row at its own price (CNY 12.00–19.99 in
// China, EUR 1.70–2.59 in the EU), like the engine's BenchmarkStudy10000x100.
func benchBasket(b *testing.B, svc *marketplace.Service, needs, perNeed int) string {
	ocs, err := svc.ActiveOffers(context.Background(), marketplace.OfferContextFilter{Products: []string{"gpu_hours"}, Accelerator: "h100-sxm"})
	if err != nil {
		b.Fatal(err)
	}
	var cn, eu []string
	seen := map[string]bool{}
	for _, oc := range ocs {
		if seen[oc.Region.Code] {
			continue
		}
		seen[oc.Region.Code] = true
		switch oc.Region.Bloc {
		case marketplace.BlocCN:
			cn = append(cn, oc.Region.Code)
		case marketplace.BlocEU:
			eu = append(eu, oc.Region.Code)
		}
	}
	if len(cn) == 0 || len(eu) == 0 {
		b.Fatalf("regions: CN %v, EU %v", cn, eu)
	}
	countries := []string{"DE", "FR", "NL", "IT", "ES", "PL", "SE", "AT", "BE", "IE"}
	sizes := [][2]int{{8, 720}, {16, 720}, {8, 2160}, {64, 720}, {1, 500}}
	var sb strings.Builder
	sb.WriteString("buyer_country,buyer_type,accelerator,origin,product,quantity,gpus,price,currency,need\n")
	for n := range needs {
		country := countries[n%len(countries)]
		bt := "business"
		if n/len(countries)%2 == 1 {
			bt = "consumer"
		}
		size := sizes[n/(2*len(countries))%len(sizes)]
		for i := range perNeed {
			origin, price, cur := cn[i%len(cn)], fmt.Sprintf("%d.%02d", 12+(i*37+n*11)%800/100, (i*37+n*11)%100), "CNY"
			if i%5 >= 3 {
				origin, price, cur = eu[i%len(eu)], fmt.Sprintf("%d.%02d", 1+(70+(i*13+n*7)%90)/100, (70+(i*13+n*7)%90)%100), "EUR"
			}
			fmt.Fprintf(&sb, "%s,%s,h100-sxm,%s,gpu_hours,%d,%d,%s,%s,need-%03d\n", country, bt, origin, size[0]*size[1], size[0], price, cur, n)
		}
	}
	return sb.String()
}

// BenchmarkStudyAPI10000x100 is the study through the whole server: POST
// /api/v1/studies with a basket file of 10,000 rows inline, resolved against the seeded market
// (offers read once, each row to its stand-in offer), the levy of eu-compute-levy-cn-10 swept
// over 100 points (10,000 × (2 + 100) = 1,020,000 evaluations) on every core, the result
// stored in SQLite and answered as JSON. Run it beside the engine's benchmark:
//
//	go test -run='^$' -bench='StudyAPI' -benchtime=3x ./web/
//	go test -run='^$' -bench='Study10000x100$' -benchtime=3x ./pricing/whatif/
func BenchmarkStudyAPI10000x100(b *testing.B) {
	benchStudyAPI(b, 100, 100, "eu-levy-cn-compute.rate=0%..49.5% step 0.5%")
}

// BenchmarkStudyAPI1000x10 is a smaller study for a quick run: 1,000 rows × 12 scenario states.
func BenchmarkStudyAPI1000x10(b *testing.B) {
	benchStudyAPI(b, 20, 50, "eu-levy-cn-compute.rate=0%..45% step 5%")
}

func benchStudyAPI(b *testing.B, needs, perNeed int, sweep string) {
	app, svc, _ := seededApp(b)
	svc.SetStudySyncLimit(math.MaxInt64) // the POST answers when the study is done
	body, err := json.Marshal(map[string]any{
		"scenarios": []map[string]string{{"id": "eu-compute-levy-cn-10"}},
		"basket":    map[string]string{"kind": "csv", "csv": benchBasket(b, svc, needs, perNeed)},
		"sweep":     sweep, "as_of": "2026-11-28",
	})
	if err != nil {
		b.Fatal(err)
	}
	var evals int64
	var size int
	do := func() {
		req := httptest.NewRequest("POST", "/api/v1/studies", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := app.Test(req, -1)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			b.Fatalf("status %d: %.500s", resp.StatusCode, out)
		}
		var st struct{ Progress struct{ Total int64 } }
		if err := json.Unmarshal(out, &st); err != nil {
			b.Fatal(err)
		}
		evals, size = st.Progress.Total, len(out)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		do()
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*evals), "ns/eval")
	b.ReportMetric(float64(evals), "evals/op")
	b.ReportMetric(float64(len(body)), "request-bytes")
	b.ReportMetric(float64(size), "response-bytes")
}
