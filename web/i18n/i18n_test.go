package i18n

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// TestCatalogs: every language has exactly the messages of the default language, each with
// the same placeholders, none empty, and every message renders.
func TestCatalogs(t *testing.T) {
	if len(All()) < 2 {
		t.Fatalf("%d languages, want English and Chinese at least", len(All()))
	}
	en := Default()
	for _, l := range All() {
		for _, id := range en.IDs() {
			if !l.Has(id) {
				t.Errorf("%s lacks %q (in %s)", l.Tag, id, en.Tag)
				continue
			}
			if !reflect.DeepEqual(l.Placeholders(id), en.Placeholders(id)) {
				t.Errorf("%s %q has placeholders %v, %s has %v", l.Tag, id, l.Placeholders(id), en.Tag, en.Placeholders(id))
			}
			if strings.TrimSpace(l.texts[id]) == "" {
				t.Errorf("%s %q is empty", l.Tag, id)
			}
		}
		for _, id := range l.IDs() {
			if !en.Has(id) {
				t.Errorf("%s has %q, which %s lacks", l.Tag, id, en.Tag)
			}
			kv := []any{}
			for _, p := range l.Placeholders(id) {
				kv = append(kv, strings.Trim(p, "{}. "), "x")
			}
			if s := l.T(id, kv...); strings.Contains(s, "⟦") || strings.Contains(s, "<no value>") {
				t.Errorf("%s %q renders as %q", l.Tag, id, s)
			}
		}
	}
}

// TestCatalogParityFailsOnAMissingMessage proves the catalogue check bites: a file that lacks
// a message of another is found.
func TestCatalogParityFailsOnAMissingMessage(t *testing.T) {
	fsys := fstest.MapFS{
		"locales/en.yaml": {Data: []byte("lang.name: English\nnumber.decimal: \".\"\nnumber.group: \",\"\nhello: Hello\n")},
		"locales/fr.yaml": {Data: []byte("lang.name: Français\nnumber.decimal: \",\"\nnumber.group: \" \"\n")},
	}
	ls, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if ls[0].Code != "en" || ls[1].Code != "fr" || ls[1].Has("hello") || !ls[0].Has("hello") {
		t.Fatalf("loaded %v %v", ls[0].IDs(), ls[1].IDs())
	}
	if got := ls[1].T("hello"); got != "⟦hello⟧" {
		t.Errorf("a missing message renders as %q, want ⟦hello⟧", got)
	}
}

func TestPick(t *testing.T) {
	cases := []struct{ cookie, al, want string }{
		{"", "", "en"}, {"", "de-DE,de;q=0.9", "en"}, {"", "fr, zh-TW;q=0.5", "zh"}, {"", "en-GB,zh", "en"},
		{"", "ZH", "zh"}, {"", "zh;q=0.5,en;q=0.9", "en"}, {"zh", "en", "zh"}, {"xx", "zh-CN", "zh"},
	}
	for _, c := range cases {
		if got := Pick(c.cookie, c.al).Code; got != c.want {
			t.Errorf("Pick(%q, %q) = %s, want %s", c.cookie, c.al, got, c.want)
		}
	}
	if zh, _ := Lookup("zh"); zh.Tag.String() != "zh-CN" || zh.Name() != "中文" {
		t.Errorf("zh: tag %s name %s", zh.Tag, zh.Name())
	}
}

func TestMoneyFormats(t *testing.T) {
	en, _ := Lookup("en")
	zh, _ := Lookup("zh")
	d := decimal.RequireFromString("1234567.891")
	cases := []struct {
		l        *Locale
		cur, out string
	}{
		{en, "EUR", "EUR 1,234,567.89"}, {zh, "EUR", "1,234,567.89 欧元"}, {en, "JPY", "JPY 1,234,568"},
		{zh, "CNY", "1,234,567.89 元人民币"}, {zh, "SEK", "1,234,567.89 瑞典克朗"}, {zh, "NOK", "1,234,567.89 NOK"},
	}
	for _, c := range cases {
		if got := c.l.Money(d, c.cur); got != c.out {
			t.Errorf("%s Money(%s) = %q, want %q", c.l.Code, c.cur, got, c.out)
		}
	}
	if got := en.UnitPrice(decimal.RequireFromString("1.9134"), "EUR"); got != "EUR 1.9134" {
		t.Errorf("unit price %q", got)
	}
	if got := en.UnitPrice(decimal.RequireFromString("15.8"), "CNY"); got != "CNY 15.80" {
		t.Errorf("unit price %q", got)
	}
	if got := zh.UnitPrice(decimal.RequireFromString("15.8"), "CNY"); got != "15.80 元人民币" {
		t.Errorf("unit price %q", got)
	}
	de := &Locale{Code: "de", group: ".", decimal: ","}
	if got := de.Number(decimal.RequireFromString("1234.5"), 2); got != "1.234,5" {
		t.Errorf("German separators: %q", got)
	}
}

// TestLineLabels: one function words every kind of line in every language, from the quote's
// request and the measures' own labels.
func TestLineLabels(t *testing.T) {
	en, _ := Lookup("en")
	zh, _ := Lookup("zh")
	q := pricing.Quote{
		Offer:   pricing.OfferTerms{Product: tariff.ProductGPUHours, Pricing: pricing.PricingInterruptible, Accelerator: tariff.Accelerator{Model: "h100-sxm"}, Price: decimal.RequireFromString("15.8"), Currency: "CNY"},
		Request: pricing.Request{GPUs: 8, Hours: 1200},
		Lines: []pricing.Line{
			{Kind: "base", BasisKind: pricing.BasisQuantity, BaseAmount: decimal.NewFromInt(9600), Currency: "EUR"},
			{Kind: "discount", Rate: "5%", BasisKind: pricing.BasisGrossPrice, BaseAmount: decimal.RequireFromString("18750"), Currency: "EUR"},
			{Kind: "vat", MeasureID: "vat-de-b2b", Label: "DE VAT 19% (reverse charge, art. 196)", LabelZH: "德国增值税 19%（反向征收）", Rate: "19%",
				BasisKind: "net_price", BaseAmount: decimal.RequireFromString("17812.5"), Currency: "EUR"},
			{Kind: "levy", MeasureID: "levy-x", Label: "Some levy", Currency: "EUR"},
			{Kind: "fee", Label: pricing.FeeFreight, Currency: "EUR"},
			{Kind: "vat", Basis: "EUR 1.00 net price", Currency: "EUR"}, // stored before BasisKind existed
		},
	}
	names := map[string]string{"en": "NVIDIA H100 SXM5 80GB", "zh": "英伟达 H100 SXM5 80GB"}
	want := []struct{ en, zh, enBasis, zhBasis string }{
		{"NVIDIA H100 SXM5 80GB: 8 GPUs × 1,200 h (interruptible)", "英伟达 H100 SXM5 80GB：8 GPU × 1,200 小时（可中断）", "9,600 GPU-hours", "9,600 GPU 时"},
		{"Volume discount 5%", "量大优惠 5%", "EUR 18,750.00 gross price", "总价 18,750.00 欧元"},
		{"DE VAT 19% (reverse charge, art. 196)", "德国增值税 19%（反向征收）", "EUR 17,812.50 net price", "净价 17,812.50 欧元"},
		{"Some levy", "Some levy", "", ""}, // no Chinese label and no catalogue entry: the English label
		{"Freight to the border", "运至边境的运费", "", ""},
		{"VAT", "增值税", "EUR 1.00 net price", "EUR 1.00 net price"},
	}
	for i, l := range q.Lines {
		x := QuoteLine(q, l, names)
		if got := en.LineLabel(x); got != want[i].en {
			t.Errorf("line %d en %q, want %q", i, got, want[i].en)
		}
		if got := zh.LineLabel(x); got != want[i].zh {
			t.Errorf("line %d zh %q, want %q", i, got, want[i].zh)
		}
		if got := en.Basis(x); got != want[i].enBasis {
			t.Errorf("line %d en basis %q, want %q", i, got, want[i].enBasis)
		}
		if got := zh.Basis(x); got != want[i].zhBasis {
			t.Errorf("line %d zh basis %q, want %q", i, got, want[i].zhBasis)
		}
	}
	base := QuoteLine(q, q.Lines[0], nil)
	if got := en.LineLabel(base); got != "h100-sxm: 8 GPUs × 1,200 h (interruptible)" {
		t.Errorf("without names the base line uses the model code: %q", got)
	}
	if got := zh.RateText(base); got != "15.80 元人民币/GPU 时" {
		t.Errorf("zh base rate %q", got)
	}
	if got := en.RateText(QuoteLine(q, q.Lines[2], nil)); got != "19%" {
		t.Errorf("measure rate %q", got)
	}
	hw := q
	hw.Offer.Product, hw.Request = tariff.ProductHardware, pricing.Request{Units: 3}
	if got := zh.LineLabel(QuoteLine(hw, q.Lines[0], names)); got != "英伟达 H100 SXM5 80GB：3 台" {
		t.Errorf("hardware base line %q", got)
	}
}

// TestAreaFilesMergeIntoTheirLanguage checks that <area>.<tag>.yaml files add their messages
// to the language of their tag, and that a message defined twice in one language is refused.
func TestAreaFilesMergeIntoTheirLanguage(t *testing.T) {
	base := "lang.name: English\nnumber.decimal: \".\"\nnumber.group: \",\"\nhello: Hello\n"
	fsys := fstest.MapFS{
		"locales/en.yaml":        {Data: []byte(base)},
		"locales/whatif.en.yaml": {Data: []byte("study.title: Study\n")},
	}
	ls, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || !ls[0].Has("hello") || !ls[0].Has("study.title") {
		t.Fatalf("loaded %d languages: %v", len(ls), ls[0].IDs())
	}
	fsys["locales/whatif.en.yaml"] = &fstest.MapFile{Data: []byte("hello: Hi again\n")}
	if _, err := load(fsys); err == nil || !strings.Contains(err.Error(), `"hello" is defined twice`) {
		t.Errorf("a message defined twice: err = %v", err)
	}
}
