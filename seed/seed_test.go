package seed

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing"
)

func checkProvenance(t *testing.T, what string, p marketplace.Provenance) {
	t.Helper()
	if strings.TrimSpace(p.Source) == "" {
		t.Errorf("%s: empty source", what)
	}
	if _, err := time.Parse(dateLayout, p.AsOf); err != nil {
		t.Errorf("%s: as_of %q: %v", what, p.AsOf, err)
	}
	switch p.Confidence {
	case marketplace.ConfidenceSourced:
	case marketplace.ConfidenceEstimate, marketplace.ConfidenceIllustrative:
		if strings.TrimSpace(p.Note) == "" {
			t.Errorf("%s: %s without a note saying how", what, p.Confidence)
		}
	default:
		t.Errorf("%s: confidence %q", what, p.Confidence)
	}
}

// euMembers are the 27 member states of the European Union (since 2020-02-01).
var euMembers = map[string]bool{"AT": true, "BE": true, "BG": true, "CY": true, "CZ": true, "DE": true, "DK": true, "EE": true,
	"ES": true, "FI": true, "FR": true, "GR": true, "HR": true, "HU": true, "IE": true, "IT": true, "LT": true, "LU": true, "LV": true,
	"MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SE": true, "SI": true, "SK": true}

func TestRegions(t *testing.T) {
	regions, err := Regions()
	if err != nil {
		t.Fatal(err)
	}
	count := map[marketplace.RegionKind]int{}
	codes := map[string]marketplace.Region{}
	for _, r := range regions {
		checkProvenance(t, "region "+r.Code, r.Provenance)
		count[r.Kind]++
		if _, dup := codes[r.Code]; dup {
			t.Errorf("duplicate region code %s", r.Code)
		}
		codes[r.Code] = r
		if r.NameZH == "" || r.Name == "" {
			t.Errorf("region %s: missing English or Chinese name", r.Code)
		}
		if r.Lat == "" || r.Lon == "" {
			t.Errorf("region %s: missing coordinates", r.Code)
		}
		switch r.Bloc {
		case marketplace.BlocCN:
			if !strings.HasPrefix(r.Code, "cn-") || r.Country != "CN" || (r.Class != "east" && r.Class != "west") {
				t.Errorf("region %s: bad CN code, country or class", r.Code)
			}
			if !r.PUETarget.Valid || !r.GridKgPerKWh.Valid || !r.PowerPrice.Valid || r.PowerCurrency != "CNY" {
				t.Errorf("region %s: CN regions carry PUE target, grid intensity and a CNY power price", r.Code)
			}
			// Every CN power price is a placeholder or a marketing claim (seed/SOURCES.md, open
			// gaps, 1); it must never be shown as sourced.
			if r.Confidence == marketplace.ConfidenceSourced {
				t.Errorf("region %s: power price is an estimate, record must not be sourced", r.Code)
			}
		case marketplace.BlocEU, marketplace.BlocNonEU:
			if !strings.HasPrefix(r.Code, "eu-") || r.Selected == "" {
				t.Errorf("region %s: bad EU code or missing selection date", r.Code)
			}
			// bloc=EU means the Union: its member states, and nobody else.
			if member := euMembers[r.Country]; member != (r.Bloc == marketplace.BlocEU) {
				t.Errorf("region %s in %s has bloc %s", r.Code, r.Country, r.Bloc)
			}
			if r.PowerPrice.Valid && r.PowerCurrency != "EUR" {
				t.Errorf("region %s: EU power price in %q", r.Code, r.PowerCurrency)
			}
			// A country-level figure applied to a site is an estimate.
			if (r.PowerPrice.Valid || r.GridKgPerKWh.Valid) && r.Confidence == marketplace.ConfidenceSourced {
				t.Errorf("region %s: country-level figures must be marked estimate", r.Code)
			}
		default:
			t.Errorf("region %s: bloc %q", r.Code, r.Bloc)
		}
	}
	if count[marketplace.RegionHubNode] != 8 || count[marketplace.RegionCluster] != 10 {
		t.Errorf("hub nodes %d, clusters %d; want 8 and 10", count[marketplace.RegionHubNode], count[marketplace.RegionCluster])
	}
	if count[marketplace.RegionAIFactory] < 19 {
		t.Errorf("AI factories %d; want ≥ 19", count[marketplace.RegionAIFactory])
	}
	for _, r := range regions {
		if r.Kind == marketplace.RegionCluster {
			p, ok := codes[r.Parent]
			if !ok || p.Kind != marketplace.RegionHubNode || p.Class != r.Class {
				t.Errorf("cluster %s: parent %q is not a hub node of the same class", r.Code, r.Parent)
			}
		}
	}
	// Spot checks against the cluster and AI Factory tables of seed/SOURCES.md.
	if z := codes["cn-ningxia-zhongwei"]; z.Parent != "cn-hub-ningxia" || z.Class != "west" || !z.PUETarget.Decimal.Equal(decimal.RequireFromString("1.2")) {
		t.Errorf("Zhongwei: %+v", z)
	}
	if k := codes["eu-fi-kajaani"]; k.Country != "FI" || k.Selected != "2024-12" || k.System == "" {
		t.Errorf("Kajaani: %+v", k)
	}
	nonEU := 0
	for _, r := range regions {
		if r.Bloc == marketplace.BlocNonEU {
			nonEU++
		}
	}
	if nonEU != 6 {
		t.Errorf("%d regions outside the EU, want the 6 antennas in IS, MD, CH, GB, MK, RS", nonEU)
	}
}

func TestAccelerators(t *testing.T) {
	accels, err := Accelerators()
	if err != nil {
		t.Fatal(err)
	}
	withTPP := 0
	vendors := map[string]int{}
	for _, a := range accels {
		checkProvenance(t, "accelerator "+a.Model, a.Provenance)
		vendors[a.VendorCountry]++
		if a.Model != strings.ToLower(a.Model) || strings.ContainsAny(a.Model, " _") {
			t.Errorf("model code %q is not a lowercase slug", a.Model)
		}
		if !a.TPP.Equal(AcceleratorTPP(a)) {
			t.Errorf("%s: TPP %s not computed", a.Model, a.TPP)
		}
		if a.TPP.IsPositive() {
			withTPP++
		} else if !strings.Contains(a.Note, "n/f") {
			t.Errorf("%s: zero TPP without an n/f note", a.Model)
		}
		if a.DieAreaMM2.IsPositive() != a.Density.IsPositive() {
			t.Errorf("%s: density %s with die area %s", a.Model, a.Density, a.DieAreaMM2)
		}
	}
	if withTPP < 24 {
		t.Errorf("%d accelerators with a TPP; want ≥ 24", withTPP)
	}
	if vendors["CN"] < 10 || vendors["US"] < 14 {
		t.Errorf("vendor countries %v; want ≥ 10 Chinese and ≥ 14 US models", vendors)
	}

	// Worked values: the accelerator table of seed/SOURCES.md and the tariff.TPP doc comment.
	byModel := map[string]marketplace.Accelerator{}
	for _, a := range accels {
		byModel[a.Model] = a
	}
	tests := []struct {
		model, tpp, tol string
	}{
		{"h100-sxm", "15830", "5"},     // 989.4 × 16 = 15,830.4; FP8 1,978.9 × 8 = 15,831.2
		{"a100-sxm-80gb", "4992", "0"}, // 312 × 16
		{"h20", "2368", "0"},           // 148 × 16
		{"h100-pcie", "12104", "0"},    // 1,513 × 8
		{"mi300x", "20919.2", "0"},     // 2,614.9 × 8
		{"ascend-910b", "5120", "0"},   // 320 × 16
		{"mlu370-x8", "2048", "0"},     // 256 × 8
		{"rtx-4090", "5284.8", "0"},    // 330.3 × 16 = 660.6 × 8
	}
	for _, tc := range tests {
		a, ok := byModel[tc.model]
		if !ok {
			t.Errorf("%s missing", tc.model)
			continue
		}
		diff := a.TPP.Sub(decimal.RequireFromString(tc.tpp)).Abs()
		if diff.GreaterThan(decimal.RequireFromString(tc.tol)) {
			t.Errorf("%s: TPP %s, want %s ± %s", tc.model, a.TPP, tc.tpp, tc.tol)
		}
	}
	// H100 density 15,831.2 / 814 = 19.4486 (seed/SOURCES.md: 19.45).
	if d := byModel["h100-sxm"].Density; !d.Equal(decimal.RequireFromString("19.4486")) {
		t.Errorf("h100-sxm density %s, want 19.4486", d)
	}
	for _, m := range []string{"ascend-910b", "ascend-910c", "mlu370-x8", "mlu590", "hygon-k100", "kunlunxin-p800", "mtt-s4000", "biren-br104", "enflame-t21", "mi250x", "mi300x", "mi325x", "mi355x", "gb200", "b200", "h200-sxm", "h800-sxm", "a800-sxm-80gb", "l40s", "l20", "h100-nvl"} {
		if _, ok := byModel[m]; !ok {
			t.Errorf("catalogue lacks %s", m)
		}
	}
}

func TestDemoMarket(t *testing.T) {
	suppliers, offers, err := DemoMarket()
	if err != nil {
		t.Fatal(err)
	}
	if len(suppliers) < 8 || len(offers) < 60 {
		t.Fatalf("%d suppliers, %d offers; want ≥ 8 and ≥ 60", len(suppliers), len(offers))
	}
	regions, _ := Regions()
	accels, _ := Accelerators()
	regionBloc := map[string]marketplace.Bloc{}
	for _, r := range regions {
		regionBloc[r.Code] = r.Bloc
	}
	accelOK := map[string]bool{}
	for _, a := range accels {
		accelOK[a.Model] = true
	}
	supOK := map[string]bool{}
	supCountries := map[string]bool{}
	for _, s := range suppliers {
		if !s.Demo || !strings.Contains(strings.ToLower(s.Name), "demo") || !strings.HasPrefix(s.ID, "demo-sup-") {
			t.Errorf("supplier %s (%s) not clearly demo", s.ID, s.Name)
		}
		supOK[s.ID] = true
		supCountries[s.Country] = true
	}
	if !supCountries["CN"] || len(supCountries) < 3 {
		t.Errorf("supplier countries %v; want CN and EU countries", supCountries)
	}
	currencies := map[string]int{}
	blocs := map[marketplace.Bloc]int{}
	products := map[string]int{}
	pricings := map[string]int{}
	cnH100, amp := 0, 0
	ids := map[string]bool{}
	for _, o := range offers {
		if ids[o.ID] {
			t.Errorf("duplicate offer %s", o.ID)
		}
		ids[o.ID] = true
		if !o.Demo || !strings.HasPrefix(o.ID, "demo-offer-") || !strings.Contains(o.Note, "Demo offer") {
			t.Errorf("offer %s not clearly demo", o.ID)
		}
		if !supOK[o.SupplierID] || !accelOK[o.Accelerator] || regionBloc[o.Region] == "" {
			t.Errorf("offer %s: dangling supplier %q, accelerator %q or region %q", o.ID, o.SupplierID, o.Accelerator, o.Region)
		}
		switch o.Currency {
		case "CNY", "EUR", "USD":
		default:
			t.Errorf("offer %s: currency %q", o.ID, o.Currency)
		}
		if o.Status != marketplace.OfferActive || o.Version != 1 || !o.Price.IsPositive() {
			t.Errorf("offer %s: status %q, version %d, price %s", o.ID, o.Status, o.Version, o.Price)
		}
		if o.Product != "hardware" && (o.GPUs < 8 || o.GPUs > 512) {
			t.Errorf("offer %s: capacity %d outside 8–512", o.ID, o.GPUs)
		}
		if o.Product == "hardware" && o.HSCode != "8471.50" && o.HSCode != "8473.30" {
			t.Errorf("offer %s: hardware hs_code %q", o.ID, o.HSCode)
		}
		if o.Pricing == "reserved" && (o.TermMonths <= 0 || len(o.Tiers) == 0) {
			t.Errorf("offer %s: reserved without term or tiers", o.ID)
		}
		if !o.AvailableFrom.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || o.AvailableUntil.Before(time.Date(2028, 12, 31, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("offer %s: window %s–%s", o.ID, o.AvailableFrom, o.AvailableUntil)
		}
		currencies[o.Currency]++
		blocs[regionBloc[o.Region]]++
		products[o.Product]++
		pricings[o.Pricing]++
		if regionBloc[o.Region] == marketplace.BlocCN && strings.HasPrefix(o.Accelerator, "h100") {
			cnH100++
		}
		if strings.Contains(o.Note, "&") {
			amp++
		}
	}
	if len(currencies) != 3 || blocs[marketplace.BlocCN] == 0 || blocs[marketplace.BlocEU] == 0 {
		t.Errorf("currencies %v, blocs %v", currencies, blocs)
	}
	if products["gpu_hours"] <= products["bare_metal"]+products["hardware"] || products["bare_metal"] == 0 || products["hardware"] == 0 {
		t.Errorf("products %v: want mostly gpu_hours, some bare_metal and hardware", products)
	}
	if len(pricings) != 3 {
		t.Errorf("pricing models %v", pricings)
	}
	if cnH100 < 6 || amp == 0 {
		t.Errorf("%d H100 offers in CN regions (want ≥ 6), %d notes with an ampersand (want ≥ 1)", cnH100, amp)
	}
}

// TestDemoProvenance checks the provenance of demo records, which the domain types do not carry.
func TestDemoProvenance(t *testing.T) {
	var doc demoMarketDoc
	if err := decodeStrict(demoMarketFile, &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Suppliers {
		checkProvenance(t, "supplier "+s.ID, s.provenanceRecord.domain())
	}
	for _, o := range doc.Offers {
		p := o.provenanceRecord.domain()
		checkProvenance(t, "offer "+o.ID, p)
		if p.Confidence != marketplace.ConfidenceIllustrative {
			t.Errorf("offer %s: demo confidence %q", o.ID, p.Confidence)
		}
	}
}

// readFXCSV parses an embedded ECB-format CSV strictly: the header starts with "Date," and ends
// with the ECB's trailing comma, every row has exactly as many cells as the header, dates are
// strictly descending, and USD and CNY are decimals on every row. It returns the rows after the
// header and the column index.
func readFXCSV(t *testing.T, what string, data []byte) ([][]string, map[string]int) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("Date,")) {
		t.Fatalf("%s: header does not start with Date,: %.40q", what, data)
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // checked below, with the row named
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	header := rows[0]
	if header[len(header)-1] != "" {
		t.Errorf("%s: header lacks the ECB trailing comma", what)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, c := range []string{"USD", "CNY", "GBP", "JPY", "CHF", "HKD", "SGD", "PLN", "SEK", "DKK"} {
		if _, ok := col[c]; !ok {
			t.Errorf("%s: no %s column", what, c)
		}
	}
	var prev time.Time
	for i, row := range rows[1:] {
		if len(row) != len(header) {
			t.Fatalf("%s: row %d (%s) has %d cells, header %d", what, i+2, row[0], len(row), len(header))
		}
		d, err := time.Parse(dateLayout, row[0])
		if err != nil {
			t.Fatalf("%s: row %d: date %q", what, i+2, row[0])
		}
		if i > 0 && !d.Before(prev) {
			t.Fatalf("%s: rows not strictly newest first at %s", what, row[0])
		}
		prev = d
		for _, c := range []string{"USD", "CNY"} {
			if _, err := decimal.NewFromString(row[col[c]]); err != nil {
				t.Errorf("%s: %s %s: %q", what, row[0], c, row[col[c]])
			}
		}
	}
	return rows[1:], col
}

func TestFXSnapshot(t *testing.T) {
	name, data := FXSnapshot()
	if name != "eurofxref-hist.csv" {
		t.Errorf("name %q", name)
	}
	rows, col := readFXCSV(t, name, data)
	// The real series: [2024-01-02 … 2025-05-09] every TARGET day, then 2025-10-09, 2025-10-21.
	if rows[0][0] != "2025-10-21" || rows[1][0] != "2025-10-09" || rows[2][0] != "2025-05-09" || rows[len(rows)-1][0] != "2024-01-02" {
		t.Errorf("coverage %s, %s, %s … %s; want 2025-10-21, 2025-10-09, 2025-05-09 … 2024-01-02",
			rows[0][0], rows[1][0], rows[2][0], rows[len(rows)-1][0])
	}
	// 2024 has 256 TARGET days, 2025 has 89 up to 2025-05-09; plus the two October fixings.
	if len(rows) != 256+89+2 {
		t.Errorf("%d rows, want %d", len(rows), 256+89+2)
	}
	byDate := map[string][]string{}
	for _, row := range rows {
		byDate[row[0]] = row
	}
	// Published ECB figures, spot-checked against their sources.
	for _, c := range []struct{ date, cur, want string }{
		{"2025-10-21", "CNY", "8.2626"}, {"2025-10-21", "USD", "1.1607"}, {"2025-10-21", "GBP", "0.8678"},
		{"2025-10-09", "CNY", "8.2698"}, {"2025-10-09", "USD", "1.1611"},
		{"2025-05-09", "CNY", "8.147"}, {"2025-05-02", "CNY", "8.2479"},
		{"2025-02-21", "USD", "1.0465"}, // also the one ECB figure the FX table of seed/SOURCES.md gives
		{"2024-09-02", "CNY", "7.8677"}, {"2024-01-02", "USD", "1.0956"},
	} {
		if row, ok := byDate[c.date]; !ok || row[col[c.cur]] != c.want {
			t.Errorf("%s %s = %v, want %s", c.date, c.cur, row, c.want)
		}
	}
	// Cells the ECB no longer fills are N/A, as in the real file.
	for _, cur := range []string{"CYP", "EEK", "LTL", "LVL", "MTL", "ROL", "SIT", "SKK", "HRK", "RUB", "TRL"} {
		for _, row := range rows {
			if row[col[cur]] != "N/A" {
				t.Errorf("%s %s = %q, want N/A", row[0], cur, row[col[cur]])
			}
		}
	}
	p := FXSnapshotProvenance()
	checkProvenance(t, "fx snapshot", p)
	if p.Confidence != marketplace.ConfidenceSourced || p.AsOf != "2025-10-21" || !strings.Contains(p.Source, "github.com/h0tbird/eurofxref") {
		t.Errorf("provenance %+v: want sourced, as of 2025-10-21, citing the mirror", p)
	}
	if !strings.Contains(p.Note, "2026-11-27") || !strings.Contains(p.Note, "ILLUSTRATIVE") {
		t.Errorf("provenance note must name the illustrative carry-forward row: %s", p.Note)
	}
}

func TestFXCarryForward(t *testing.T) {
	name, data := FXCarryForward()
	rows, col := readFXCSV(t, name, data)
	if len(rows) != 1 || rows[0][0] != "2026-11-27" {
		t.Fatalf("carry-forward rows %v, want exactly one dated 2026-11-27", rows)
	}
	_, snap := FXSnapshot()
	if !bytes.Equal(data[:bytes.IndexByte(data, '\n')], snap[:bytes.IndexByte(snap, '\n')]) {
		t.Error("carry-forward header differs from the snapshot's")
	}
	real, _ := readFXCSV(t, "snapshot", snap)
	if real[0][0] != FXCarriedFrom.Format(dateLayout) || !reflect.DeepEqual(rows[0][1:], real[0][1:]) {
		t.Errorf("carry-forward row must repeat the 2025-10-21 fixing:\n got %v\nwant %v", rows[0], real[0])
	}
	if rows[0][col["CNY"]] != "8.2626" {
		t.Errorf("carried CNY %s, want 8.2626", rows[0][col["CNY"]])
	}
}

// TestLoadFXSources checks that Load keeps the ECB's source on the published rates and labels
// the carry-forward rates as illustrative.
func TestLoadFXSources(t *testing.T) {
	d, _, err := Load(false)
	if err != nil {
		t.Fatal(err)
	}
	carried, ecb := 0, 0
	for _, r := range d.FXRates {
		day := r.Date.Format(dateLayout)
		switch {
		case day == "2026-11-27":
			carried++
			if r.Source != FXCarryForwardSource || !r.CarriedFrom.Equal(FXCarriedFrom) {
				t.Errorf("%s %s source %q carried from %s, want the carry-forward label and 2025-10-21", day, r.Currency, r.Source, r.CarriedFrom)
			}
			if r.Currency == "CNY" && !r.PerEUR.Equal(decimal.RequireFromString("8.2626")) {
				t.Errorf("carried CNY %s, want 8.2626", r.PerEUR)
			}
		case r.Source != pricing.SourceECB:
			t.Errorf("%s %s source %q, want %q", day, r.Currency, r.Source, pricing.SourceECB)
		default:
			ecb++
		}
	}
	if carried != 30 { // the 30 currencies the ECB quoted on 2025-10-21, BGN included
		t.Errorf("%d carried rates, want 30", carried)
	}
	if ecb == 0 {
		t.Error("no ECB rates loaded")
	}
	if !strings.HasPrefix(FXCarryForwardSource, "Illustrative:") || strings.Contains(FXCarryForwardSource, pricing.SourceECB) {
		t.Errorf("carry-forward label %q must read as illustrative, not as ECB data", FXCarryForwardSource)
	}
}

func TestDeterministic(t *testing.T) {
	r1, _ := Regions()
	r2, _ := Regions()
	a1, _ := Accelerators()
	a2, _ := Accelerators()
	s1, o1, _ := DemoMarket()
	s2, o2, _ := DemoMarket()
	// Decimals compare equal under DeepEqual only when built the same way, which is what
	// "same output twice" means here.
	if !reflect.DeepEqual(r1, r2) || !reflect.DeepEqual(a1, a2) || !reflect.DeepEqual(s1, s2) || !reflect.DeepEqual(o1, o2) {
		t.Error("loaders are not deterministic")
	}
	_, f1 := FXSnapshot()
	_, f2 := FXSnapshot()
	f1[0] = 'X'
	if f2[0] != 'D' {
		t.Error("FXSnapshot shares its bytes between callers")
	}
}

func TestStrictDecoding(t *testing.T) {
	var doc acceleratorsDoc
	err := yamlDecodeStrict([]byte("accelerators:\n  - model: x\n    tpp: \"1\"\n"), &doc)
	if err == nil || !strings.Contains(err.Error(), "tpp") {
		t.Errorf("typed-in tpp accepted: %v", err)
	}
}

func TestProvenanceCheck(t *testing.T) {
	tests := []struct {
		p       provenanceRecord
		wantErr string
	}{
		{provenanceRecord{Source: "x", AsOf: "2026-01-01", Confidence: "sourced"}, ""},
		{provenanceRecord{AsOf: "2026-01-01", Confidence: "sourced"}, "source"},
		{provenanceRecord{Source: "x", AsOf: "2026-01", Confidence: "sourced"}, "as_of"},
		{provenanceRecord{Source: "x", AsOf: "2026-01-01", Confidence: "A"}, "confidence"},
		{provenanceRecord{Source: "x", AsOf: "2026-01-01", Confidence: "estimate"}, "note"},
		{provenanceRecord{Source: "x", AsOf: "2026-01-01", Confidence: "estimate", Note: "E: midpoint"}, ""},
	}
	for _, tc := range tests {
		err := tc.p.check()
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%+v: error %v, want %q", tc.p, err, tc.wantErr)
		}
	}
}

// FuzzRecords feeds arbitrary YAML through the strict decoder and the record validators: they
// must return errors, never panic.
func FuzzRecords(f *testing.F) {
	for _, name := range []string{regionsFile, acceleratorsFile, demoMarketFile} {
		b, err := files.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("regions:\n  - code: x\n    pue_target: \"1e999999999\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r regionsDoc
		if yamlDecodeStrict(b, &r) == nil {
			for _, rec := range r.Regions {
				_, _ = rec.domain()
			}
		}
		var a acceleratorsDoc
		if yamlDecodeStrict(b, &a) == nil {
			for _, rec := range a.Accelerators {
				_, _ = rec.domain()
			}
		}
		var m demoMarketDoc
		if yamlDecodeStrict(b, &m) == nil {
			for _, rec := range m.Offers {
				_, _ = rec.domain([]string{"cn-ningxia-zhongwei"}, []string{"h100-sxm"})
			}
			for _, rec := range m.Suppliers {
				_ = rec.check()
			}
		}
	})
}

// The fab country of the catalogue: Hopper and Blackwell boards are TSMC-made (TW), the Ascend
// 910B SMIC-made (CN), and a model without a published fab (Kunlunxin P800) has none.
func TestAcceleratorFabs(t *testing.T) {
	fabs, err := AcceleratorFabs()
	if err != nil {
		t.Fatal(err)
	}
	for model, want := range map[string]string{"h100-sxm": "TW", "h20": "TW", "b200": "TW", "mi300x": "TW", "ascend-910b": "CN", "biren-br100": "TW"} {
		if f := fabs[model]; f.Country != want || f.Source == "" || f.Confidence == "" {
			t.Errorf("%s: %+v, want %s", model, f, want)
		}
	}
	if _, ok := fabs["kunlunxin-p800"]; ok {
		t.Error("kunlunxin-p800 has no published fab")
	}
	accs, err := Accelerators()
	if err != nil {
		t.Fatal(err)
	}
	for model := range fabs {
		found := false
		for _, a := range accs {
			found = found || a.Model == model
		}
		if !found {
			t.Errorf("fab for unknown model %s", model)
		}
	}
}
