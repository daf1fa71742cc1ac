package pricing

import (
	"archive/zip"
	"bytes"
	"os"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func zipOf(t testing.TB, name string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func find(rates []Rate, cur, on string) (Rate, bool) {
	for _, r := range rates {
		if r.Currency == cur && r.Date.Equal(date(on)) {
			return r, true
		}
	}
	return Rate{}, false
}

func TestParseECBHistCSV(t *testing.T) {
	rates, err := ParseECBHistCSV(bytes.NewReader(readFixture(t, "eurofxref-hist.csv")))
	if err != nil {
		t.Fatal(err)
	}
	// 17 days × 30 quoted currencies (11 columns are N/A: CYP EEK LTL LVL MTL ROL SIT SKK HRK RUB TRL).
	if len(rates) != 17*30 {
		t.Errorf("got %d rates, want %d", len(rates), 17*30)
	}
	r, ok := find(rates, "CNY", "2025-05-09")
	if !ok || !r.PerEUR.Equal(d("8.147")) || r.Source != SourceECB {
		t.Errorf("CNY 2025-05-09 = %+v", r)
	}
	if r, _ := find(rates, "GBP", "2025-04-23"); r.PerEUR.String() != "0.85793" {
		t.Errorf("GBP kept as published: %s", r.PerEUR)
	}
	if _, ok := find(rates, "CYP", "2025-05-09"); ok {
		t.Error("N/A cells must be skipped")
	}
}

// TestECBSaturdayUsesFriday imports the real history excerpt and prices the weekend after
// Friday 2025-05-02 and the Easter weekend (Good Friday 18 and Easter Monday 21 April 2025 are
// TARGET holidays: no fixing from Thursday 17 to Tuesday 22).
func TestECBSaturdayUsesFriday(t *testing.T) {
	rates, err := ParseECB("eurofxref-hist.csv", readFixture(t, "eurofxref-hist.csv"))
	if err != nil {
		t.Fatal(err)
	}
	tab := NewRateTable(rates...)
	for _, tt := range []struct{ on, wantDate, wantCNY string }{
		{"2025-05-03", "2025-05-02", "8.2479"}, // Saturday → Friday
		{"2025-05-04", "2025-05-02", "8.2479"}, // Sunday → Friday
		{"2025-05-05", "2025-05-05", "8.2479"}, // Monday's own fixing
		{"2025-04-21", "2025-04-17", "8.29"},   // Easter Monday → Maundy Thursday, 4 days
		{"2025-05-10", "2025-05-09", "8.147"},  // Saturday after the newest fixing
	} {
		s, flags := tab.On(date(tt.on))
		r, ok := s.Rate("CNY")
		if !ok || !r.Date.Equal(date(tt.wantDate)) || !r.PerEUR.Equal(d(tt.wantCNY)) {
			t.Errorf("%s: CNY %+v, want %s from %s", tt.on, r, tt.wantCNY, tt.wantDate)
		}
		if len(flags) != 0 {
			t.Errorf("%s: unexpected warnings %v", tt.on, flags)
		}
		// USD→CNY crosses through EUR.
		u, err := s.CrossRate("USD", "CNY")
		usd, _ := s.Rate("USD")
		if err != nil || !u.Rate.Equal(r.PerEUR.DivRound(usd.PerEUR, 16)) {
			t.Errorf("%s: cross USD→CNY = %+v, %v", tt.on, u, err)
		}
	}
	// Price a Saturday with the imported history: Friday 2 May 2025's CNY 8.2479 applies.
	// CNY 150,000.00 × (1 ÷ 8.2479 = 0.1212429830623553) = EUR 18,186.447… → 18,186.45.
	sat, _ := tab.On(date("2025-05-03"))
	q, err := Price(Inputs{Offer: cnH100(), Request: Request{GPUs: 10, Hours: 1000, BuyerCountry: "DE",
		BuyerType: "business", Currency: "EUR", AsOf: date("2025-05-03")}, FX: sat, Now: date("2025-05-03")})
	if err != nil {
		t.Fatal(err)
	}
	if u := q.FX[0]; !u.Date.Equal(date("2025-05-02")) || !u.Rate.Equal(d("0.1212429830623553")) || u.Source != SourceECB ||
		!q.Total.Equal(d("18186.45")) || len(q.Flags) != 0 {
		t.Errorf("Saturday quote: fx %+v, total %s, flags %v", u, q.Total, q.Flags)
	}

	// More than five days after the newest fixing: stale.
	if _, flags := tab.On(date("2025-05-15")); len(flags) != 1 || flags[0].Code != "fx.stale" {
		t.Errorf("gap > 5 days: want a stale warning, got %v", flags)
	}
	// Before the excerpt starts: nothing in force.
	if s, _ := tab.On(date("2025-04-13")); len(s.Rates) != 0 {
		t.Errorf("before the first fixing: %d rates", len(s.Rates))
	}
}

func TestParseECBDailyXML(t *testing.T) {
	rates, err := ParseECBDailyXML(bytes.NewReader(readFixture(t, "eurofxref-daily.xml")))
	if err != nil {
		t.Fatal(err)
	}
	if len(rates) != 32 {
		t.Errorf("got %d rates, want 32", len(rates))
	}
	r, ok := find(rates, "CNY", "2018-09-12")
	if !ok || !r.PerEUR.Equal(d("7.9588")) {
		t.Errorf("CNY = %+v", r)
	}
	// The history XML uses double quotes and several days.
	hist := `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
<gesmes:subject>Reference rates</gesmes:subject>
<Cube><Cube time="2025-05-09"><Cube currency="USD" rate="1.1252"/><Cube currency="CNY" rate="8.147"/></Cube>
<Cube time="2025-05-08"><Cube currency="USD" rate="1.1297"/></Cube></Cube></gesmes:Envelope>`
	rates, err = ParseECBDailyXML(strings.NewReader(hist))
	if err != nil || len(rates) != 3 {
		t.Fatalf("hist XML: %d rates, %v", len(rates), err)
	}
	if r, _ := find(rates, "USD", "2025-05-08"); !r.PerEUR.Equal(d("1.1297")) {
		t.Errorf("USD 2025-05-08 = %s", r.PerEUR)
	}
}

func TestParseECBZipAndSniff(t *testing.T) {
	csvData := readFixture(t, "eurofxref-hist.csv")
	z := zipOf(t, "eurofxref-hist.csv", csvData)
	rates, err := ParseECBZip(bytes.NewReader(z), int64(len(z)))
	if err != nil || len(rates) != 17*30 {
		t.Fatalf("zip: %d rates, %v", len(rates), err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		want int
	}{
		{"eurofxref-hist.zip", z, 17 * 30},
		{"eurofxref-hist.csv", csvData, 17 * 30},
		{"eurofxref-daily.xml", readFixture(t, "eurofxref-daily.xml"), 32},
		{"eurofxref.zip", zipOf(t, "eurofxref-daily.xml", readFixture(t, "eurofxref-daily.xml")), 32},
		// The one-day CSV of eurofxref.zip: spaces after commas, long dates.
		{"eurofxref.csv", []byte("Date, USD, JPY, CNY, \n09 May 2025, 1.1252, 163.36, 8.147, \n"), 3},
	} {
		rs, err := ParseECB(tt.name, tt.data)
		if err != nil || len(rs) != tt.want {
			t.Errorf("ParseECB(%s) = %d rates, %v; want %d", tt.name, len(rs), err, tt.want)
		}
	}
	if r, _ := ParseECB("x.csv", []byte("Date, USD, JPY, CNY, \n09 May 2025, 1.1252, 163.36, 8.147, \n")); !r[0].Date.Equal(date("2025-05-09")) {
		t.Errorf("long date parsed as %s", r[0].Date)
	}
	if _, err := ParseECB("empty.zip", zipOf(t, "readme.txt", []byte("hi"))); err == nil {
		t.Error("zip without csv/xml: want error")
	}
}

func TestParseECBErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"bad.csv", "Date,USD,CNY,\n2025-05-09,1.1252,eight,\n", "2:19: CNY rate \"eight\""},
		{"bad.csv", "Date,USD,CNY,\n2025-13-09,1.1252,8,\n", "2:1: bad date"},
		{"bad.csv", "Date,USD,CNY,\n2025-05-09,-1,8,\n", "2:12: USD rate"},
		{"bad.csv", "Date,USD,CNY,\n2025-05-09,1,8,9,\n", "2:18: 5 fields, the header has 4"},
		{"bad.csv", "Day,USD,\n", `1:1: header must start with "Date"`},
		{"bad.csv", "Date,US$,\n", `1:6: bad currency "US$"`},
		{"bad.csv", "", "empty file"},
		{"bad.xml", "<Envelope><Cube><Cube time='2025-05-09'>\n  <Cube currency='USD' rate='x'/></Cube></Cube></Envelope>", "2:34: USD rate \"x\""},
		{"bad.xml", "<Envelope><Cube><Cube time='May 9'></Cube></Cube></Envelope>", "bad time"},
		{"bad.xml", "<Envelope><Cube><Cube currency='USD' rate='1'/></Cube></Envelope>", "outside a dated Cube"},
		{"bad.xml", "<Envelope><Cube>", "unexpected EOF"},
		{"bad.xml", "<html></html>", "no Cube elements"},
	}
	for _, tt := range tests {
		_, err := ParseECB(tt.name, []byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseECB(%s, %q) = %v; want error containing %q", tt.name, tt.data, err, tt.want)
		}
	}
}

func FuzzParseECBHistCSV(f *testing.F) {
	f.Add(readFixture(f, "eurofxref-hist.csv"))
	f.Add([]byte("Date, USD, JPY, CNY, \n09 May 2025, 1.1252, 163.36, 8.147, \n"))
	f.Add([]byte("Date,USD,\n2025-05-09,N/A,\n"))
	f.Add([]byte("Date,USD,CNY,\n2025-05-09,1,8,9,\n\"x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rates, err := ParseECBHistCSV(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, r := range rates {
			if !r.PerEUR.IsPositive() || !validCode(r.Currency) || r.Date.IsZero() {
				t.Fatalf("accepted a bad rate %+v", r)
			}
		}
		NewRateTable(rates...) // never panics either
	})
}

func FuzzParseECBDailyXML(f *testing.F) {
	f.Add(readFixture(f, "eurofxref-daily.xml"))
	f.Add([]byte(`<Envelope><Cube><Cube time="2025-05-09"><Cube currency="USD" rate="1.1"/></Cube></Cube></Envelope>`))
	f.Add([]byte("<Envelope><Cube>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rates, err := ParseECBDailyXML(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, r := range rates {
			if !r.PerEUR.IsPositive() || !validCode(r.Currency) || r.Date.IsZero() {
				t.Fatalf("accepted a bad rate %+v", r)
			}
		}
	})
}
