package whatif

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestCSVFormulaCells: a text cell a spreadsheet would run as a formula is written as text;
// numbers, percentages and amounts (a sweep's "-20%") and decimal columns are left alone.
func TestCSVFormulaCells(t *testing.T) {
	tb := Table{Name: "t", Columns: cols("need value amount:d"), Rows: [][]string{
		{`=HYPERLINK("http://x","y")`, "-20%", "-37.50"},
		{"-2+3+cmd|' /C calc'!A0", "+5 CNY", "-1"},
		{"@SUM(A1)", "-0.5 EUR/gpu_hour", ""},
		{"\tx", "--5", "1"},
		{"de-business", "12.5%", "2"},
	}}
	var b bytes.Buffer
	if err := WriteCSV(&b, tb); err != nil {
		t.Fatal(err)
	}
	want := `need,value,amount
"'=HYPERLINK(""http://x"",""y"")",-20%,-37.50
'-2+3+cmd|' /C calc'!A0,+5 CNY,-1
'@SUM(A1),-0.5 EUR/gpu_hour,
'` + "\t" + `x,'--5,1
de-business,12.5%,2
`
	if b.String() != want {
		t.Errorf("csv:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestJSONExport: the whole result is one valid JSON document with the tables' columns in
// order, decimals as strings, counts as numbers and empty decimals as null.
func TestJSONExport(t *testing.T) {
	r := evaluate(t, sweepStudy(t, "scenario-levy.yaml", "eu-levy-cn.rate=0%..30% step 5%", "2.10"), Options{})
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Currency  string
		Sweep     struct{ Spec string }
		Scenarios []struct {
			ID       string            `json:"id"`
			FXShocks map[string]string `json:"fx_shocks"`
		}
		Tables map[string][]map[string]any
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b.String()[:min(b.Len(), 500)])
	}
	if doc.Currency != "EUR" || doc.Sweep.Spec != "eu-levy-cn.rate=0%..30% step 5%" || len(doc.Scenarios) != 2 || len(doc.Tables) != 9 {
		t.Errorf("document: %+v", doc)
	}
	row := doc.Tables[TableFlows][0]
	if row["flow"] != 1.0 || row["landed_cost"] != "10800.00" || row["priced"] != true || row["offer_id"] != "off-cn-zw-h100" {
		t.Errorf("first flow: %v", row)
	}
	if bp := doc.Tables[TableBreakpoints][0]; bp["at"] != "12%" || bp["residual"] != "0.00" {
		t.Errorf("breakpoint: %v", bp)
	}
	if rev := doc.Tables[TableRevenue]; len(rev) == 0 {
		t.Error("no revenue rows")
	}
	// Keys keep the column order.
	first := b.String()[strings.Index(b.String(), `"flows":[{`):]
	if !strings.HasPrefix(first, `"flows":[{"flow":1,"offer_id":"off-cn-zw-h100","need":"de-business",`) {
		t.Errorf("flows start: %.120s", first)
	}
	var tb bytes.Buffer
	if err := WriteTableJSON(&tb, r.Tables()[0]); err != nil || !json.Valid(tb.Bytes()) {
		t.Errorf("table JSON: %v", err)
	}
}

// TestReadTables: the tables read back from a result's JSON write the same CSV and JSON as
// the result's own tables, empty tables included.
func TestReadTables(t *testing.T) {
	r := evaluate(t, sweepStudy(t, "scenario-levy.yaml", "eu-levy-cn.rate=0%..30% step 5%", "2.10"), Options{})
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTables(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want := r.Tables()
	if len(got) != len(want) {
		t.Fatalf("%d tables, want %d", len(got), len(want))
	}
	for i := range want {
		var g, w bytes.Buffer
		if err := WriteCSV(&g, got[i]); err != nil {
			t.Fatal(err)
		}
		if err := WriteCSV(&w, want[i]); err != nil {
			t.Fatal(err)
		}
		if g.String() != w.String() {
			t.Errorf("table %s read back:\n%s\nwant:\n%s", want[i].Name, g.String(), w.String())
		}
		g.Reset()
		w.Reset()
		_ = WriteTableJSON(&g, got[i])
		_ = WriteTableJSON(&w, want[i])
		if g.String() != w.String() {
			t.Errorf("table %s JSON differs", want[i].Name)
		}
	}
	if _, err := ReadTables(strings.NewReader(`{"tables":{"nope":[]}}`)); err == nil {
		t.Error("an unknown table was read")
	}
}
