package web

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"corridor/marketplace/store"
)

// acceptStorm accepts n one-GPU quotes of one offer concurrently through send (as the test
// buyer: auth is its Authorization header) and checks that exactly capacity of them became
// orders and every other one is a clean 409.
func acceptStorm(t *testing.T, e *supplyEnv, send func(i int, path, auth string) (int, string, []byte)) {
	const capacity, n = 50, 200
	_, key := e.supplier("Storm Compute")
	id := e.offer(key, offerJSONBody("cn-gansu-qingyang", "h20", "50", "9.80", "CNY"))
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 3)
	end := start.Add(72 * time.Hour)
	quotes := make([]string, n)
	for i := range quotes {
		quotes[i] = e.quote(id, 1, start, end, time.Hour)
	}
	auth := e.asBuyer()[1]
	t0 := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[int]int{}
	var bad []string
	for i := range quotes {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			status, ctype, body := send(i, "/api/v1/quotes/"+quotes[i]+"/accept", auth)
			mu.Lock()
			defer mu.Unlock()
			got[status]++
			switch status {
			case 201:
			case 409:
				if ctype != "application/problem+json" || !strings.Contains(string(body), `"gpus_available":0`) {
					bad = append(bad, string(body))
				}
			default:
				bad = append(bad, string(body))
			}
		}(i)
	}
	wg.Wait()
	t.Logf("%d concurrent accepts took %s", n, time.Since(t0))
	if got[201] != capacity || got[409] != n-capacity || len(bad) > 0 {
		t.Fatalf("statuses %v, want %d×201 and %d×409; unexpected bodies: %.5q", got, capacity, n-capacity, bad)
	}
	r := e.do("GET", "/api/v1/offers/"+id+"?start="+start.Format(time.RFC3339)+"&end="+end.Format(time.RFC3339), "")
	if !strings.Contains(string(r.body), `"gpus_available":0`) {
		t.Fatalf("availability after the storm: %s", r.body)
	}
	orders := 0
	cursor := ""
	for {
		path := "/api/v1/orders?limit=500"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r := e.do("GET", path, "", bearerH(key)...)
		var page struct {
			Orders     []orderJSON `json:"orders"`
			NextCursor *string     `json:"next_cursor"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Orders {
			orders += o.GPUs
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if orders != capacity {
		t.Fatalf("orders hold %d GPUs, want %d", orders, capacity)
	}
}

func TestAcceptStormSQLite(t *testing.T) {
	e := newSupplyEnv(t)
	acceptStorm(t, e, func(i int, path, auth string) (int, string, []byte) {
		req := httptest.NewRequest("POST", path, nil)
		req.Header.Set("Authorization", auth)
		res, err := e.app.Test(req, -1)
		if err != nil {
			return 0, "", []byte(err.Error())
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), b
	})
}

// TestAcceptStormTwoServersPostgres runs two Corridor servers, each with its own connection
// pool, on one PostgreSQL schema and splits the accepts between them.
func TestAcceptStormTwoServersPostgres(t *testing.T) {
	dsn := os.Getenv("CORRIDOR_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("CORRIDOR_TEST_POSTGRES not set")
	}
	schemaDSN := store.NewTestPostgresSchema(t, dsn)
	var bases []string
	var first *supplyEnv
	for i := 0; i < 2; i++ {
		st, err := store.Open(context.Background(), schemaDSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if i == 0 {
			seedFixtures(t, st)
		}
		e := envOn(t, st)
		if first == nil {
			first = e
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go e.app.Listener(ln)
		t.Cleanup(func() { e.app.Shutdown() })
		bases = append(bases, "http://"+ln.Addr().String())
	}
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	acceptStorm(t, first, func(i int, path, auth string) (int, string, []byte) {
		req, _ := http.NewRequest("POST", bases[i%2]+path, nil)
		req.Header.Set("Authorization", auth)
		res, err := client.Do(req)
		if err != nil {
			return 0, "", []byte(err.Error())
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), b
	})
}
