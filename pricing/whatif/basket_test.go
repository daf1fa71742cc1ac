package whatif

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"corridor/tariff"
)

// limits are the marketplace's request limits (100,000 GPUs, 87,600 hours).
var limits = RequestLimits{MaxGPUs: 100_000, MaxHours: 87_600}

func TestParseBasket(t *testing.T) {
	// Any column order, header case and spacing; a semicolon-separated file with a byte-order
	// mark (as spreadsheets export it); a quoted cell; a blank row.
	in := "\xef\xbb\xbfOrigin;Buyer Country;buyer_type;Accelerator;product;quantity;price;currency;buyer-region;gpus\n" +
		"cn-ningxia-zhongwei;de;business;H100-SXM;gpu_hours;5760;15.00;cny;;8\n" +
		";;;;;;;;;\n" +
		"EU;DE;consumer;h100-sxm;gpu_hours;5000000;;;;\n" +
		"\"cn-ningxia-zhongwei\";CN;business;h100-sxm;bare_metal;1000;;;cn-shanghai;\n" +
		"CN;FR;business;h20;hardware;16;250000;EUR;;\n"
	rows, err := ParseBasket("basket.csv", strings.NewReader(in), limits)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, r := range rows {
		got += fmt.Sprintf("%d %s %s %s %s %s %d=%d×%d|%d %s %s [%s]\n", r.Row, r.BuyerCountry, r.BuyerType, r.BuyerRegion, r.Accelerator,
			r.Origin, r.Quantity, r.GPUs, r.Hours, r.Units, r.Price.Decimal, r.Currency, r.Need)
	}
	// 5,000,000 GPU-hours need at least ⌈5,000,000 ÷ 87,600⌉ = 58 GPUs; 5,000,000 = 2⁶ × 5⁷,
	// so the first of 58, 59… to divide it is 64: 64 × 78,125 h.
	want := `2 DE business  h100-sxm cn-ningxia-zhongwei 5760=8×720|0 15 CNY [DE business · h100-sxm · 5760 GPU-h]
4 DE consumer  h100-sxm EU 5000000=64×78125|0 0  [DE consumer · h100-sxm · 5000000 GPU-h]
5 CN business cn-shanghai h100-sxm cn-ningxia-zhongwei 1000=1×1000|0 0  [CN business (cn-shanghai) · h100-sxm · 1000 GPU-h]
6 FR business  h20 CN 16=0×0|16 250000 EUR [FR business · h20 · 16 units]
`
	if got != want {
		t.Errorf("rows:\n%s\nwant:\n%s", got, want)
	}
	// A row resolves to a flow with the offer the caller found; its price replaces the offer's.
	f := rows[0].Flow(cnH100())
	if f.ID != "off-cn-zw-h100" || f.Origin != "cn-ningxia-zhongwei" || f.Bloc != "CN" || !f.Offer.Price.Equal(d("15")) ||
		f.Request.GPUs != 8 || f.Request.Hours != 720 || f.Request.BuyerType != tariff.BuyerBusiness || f.Need != rows[0].Need {
		t.Errorf("flow = %+v", f)
	}
	if f := rows[1].Flow(fiH100("2.00")); f.Bloc != "EU" || !f.Offer.Price.Equal(d("2")) || f.Offer.Currency != "EUR" {
		t.Errorf("a bloc row keeps the offer's price: %+v", f)
	}
	if p := RowProblem("basket.csv", rows[0], "accelerator", "unknown accelerator", ""); p.String() != "basket.csv:2:4: accelerator: unknown accelerator" {
		t.Errorf("RowProblem = %s", p)
	}
}

// TestParseBasketBadRows refuses a file with bad rows: every bad cell is reported with its row
// and column, and no row is returned.
func TestParseBasketBadRows(t *testing.T) {
	in := `buyer_country,buyer_type,accelerator,origin,product,quantity,price,currency
DE,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760,15.00,CNY
XX,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760,,
DE,buyer,h100-sxm,US,gpu_hours,5760,,
DE,consumer,h100 sxm,cn-ningxia-zhongwei,gpu_hour,57.5,,
DE,consumer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760,-1,EUR
DE,consumer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760,2.00,
DE,consumer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760,,XYZ
DE,consumer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,0,,
DE,consumer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,876001,,
DE,consumer,h100-sxm,cn-ningxia-zhongwei
DE,,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760,1e3,EUR
`
	rows, err := ParseBasket("basket.csv", strings.NewReader(in), limits)
	var be *BasketError
	if !errors.As(err, &be) || rows != nil {
		t.Fatalf("rows %v, err %v: want a BasketError and no rows", rows, err)
	}
	// 876,001 = 3 × 29 × 10,069 needs ⌈876,001 ÷ 87,600⌉ = 11 GPUs at least; the first of 11,
	// 12… to divide it is 29 (30,207 h): accepted. 876,011 is prime: refused.
	want := `basket.csv:3:1: buyer_country: unknown country "XX" (an ISO 3166-1 alpha-2 code such as DE or CN (GR for Greece))
basket.csv:4:2: buyer_type: unknown buyer type "buyer" (business or consumer)
basket.csv:4:4: origin: bad origin "US" (a region code such as cn-ningxia-zhongwei, or a bloc: CN or EU)
basket.csv:5:3: accelerator: bad accelerator "h100 sxm" (an accelerator model code such as h100-sxm)
basket.csv:5:5: product: unknown product "gpu_hour" (gpu_hours, bare_metal or hardware)
basket.csv:5:6: quantity: quantity "57.5" is not a whole number (write whole GPU-hours or units, digits only)
basket.csv:6:7: price: price cannot be negative
basket.csv:7:8: currency: missing value (price is given) (give the currency of the price, e.g. CNY or EUR)
basket.csv:8:8: currency: unknown currency "XYZ" (an ISO 4217 code such as CNY, EUR or USD)
basket.csv:9:6: quantity: quantity must be a whole number from 1 to 8760000000, not "0"
basket.csv:11:5: the row has 4 cells, the header 8
basket.csv:12:2: buyer_type: missing value
basket.csv:12:7: price: bad price "1e3" (a plain decimal such as 15.00)`
	if got := be.Error(); got != want {
		t.Errorf("problems:\n%s\nwant:\n%s", got, want)
	}
	prime := "buyer_country,buyer_type,accelerator,origin,product,quantity\nDE,consumer,h100-sxm,EU,gpu_hours,876011\n"
	if _, err := ParseBasket("b.csv", strings.NewReader(prime), limits); err == nil ||
		err.Error() != "b.csv:2:6: quantity: 876011 GPU-hours cannot be split into GPUs × hours (≤ 87600 h) (give gpus so that quantity ÷ gpus is a whole number of hours ≤ 87600)" {
		t.Errorf("prime quantity: %v", err)
	}
}

func TestParseBasketHeaderAndLimits(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", "b.csv:1:1: empty file: expected a header row"},
		{"header only", "buyer_country,buyer_type,accelerator,origin,product,quantity\n", "b.csv:2:1: no rows after the header"},
		{"unknown column", "buyer_country,buyer_typ,accelerator,origin,product,quantity,colour\n",
			`b.csv:1:2: unknown column "buyer_typ" (did you mean "buyer_type"?)`},
		{"duplicate column", "buyer_country,buyer_type,accelerator,origin,product,quantity,Quantity\n",
			"b.csv:1:7: quantity: duplicate column (first at column 6)"},
		{"missing column", "buyer_country,buyer_type,accelerator,origin,quantity\n",
			"b.csv:1:6: product: missing required column"},
		{"bad quoting", "buyer_country,buyer_type,accelerator,origin,product,quantity\nDE,\"busi\"ness,h100-sxm,EU,gpu_hours,1\n",
			`b.csv:2:9: malformed CSV at line 2, column 9: extraneous or missing " in quoted-field`},
		{"too large", strings.Repeat("x", MaxBasketBytes+1), "b.csv:1:1: the file is larger than 10485760 bytes (10 MiB)"},
	} {
		_, err := ParseBasket("b.csv", strings.NewReader(c.in), limits)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	var b strings.Builder
	b.WriteString("buyer_country,buyer_type,accelerator,origin,product,quantity\n")
	for range MaxBasketRows + 1 {
		b.WriteString("DE,consumer,h100-sxm,EU,gpu_hours,720\n")
	}
	if _, err := ParseBasket("b.csv", strings.NewReader(b.String()), limits); err == nil || err.Error() != "b.csv:100002:1: more than 100000 rows (split the basket)" {
		t.Errorf("too many rows: %v", err)
	}
	// A file with more bad rows than reported says how many it left out.
	b.Reset()
	b.WriteString("buyer_country,buyer_type,accelerator,origin,product,quantity\n")
	for range MaxBasketProblems + 5 {
		b.WriteString("XX,consumer,h100-sxm,EU,gpu_hours,720\n")
	}
	var be *BasketError
	if _, err := ParseBasket("b.csv", strings.NewReader(b.String()), limits); !errors.As(err, &be) || len(be.Problems) != MaxBasketProblems || be.Omitted != 5 {
		t.Errorf("problems %d omitted %d", len(be.Problems), be.Omitted)
	}
}

// FuzzParseBasket checks the parser never panics, and that what it accepts is valid.
func FuzzParseBasket(f *testing.F) {
	f.Add("buyer_country,buyer_type,accelerator,origin,product,quantity,price,currency\nDE,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,5760,15.00,CNY\n")
	f.Add("origin;buyer_country;buyer_type;accelerator;product;quantity;gpus\nEU;FR;consumer;h100-sxm;bare_metal;5000000;8\n")
	f.Add("buyer_country,buyer_type,accelerator,origin,product,quantity\n\"DE\",consumer,h20,CN,hardware,3\n,,,,,\n")
	f.Add("buyer_country,buyer_type\n\"x")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseBasket("f.csv", strings.NewReader(in), limits)
		if err != nil {
			if rows != nil {
				t.Fatal("rows returned with an error")
			}
			var be *BasketError
			if errors.As(err, &be) {
				for _, p := range be.Problems {
					if p.Row < 1 || p.Col < 1 {
						t.Fatalf("problem without a position: %s", p)
					}
				}
			}
			return
		}
		for _, r := range rows {
			if !tariff.IsCountry(r.BuyerCountry) || r.Quantity < 1 || r.Need == "" || r.Row < 2 {
				t.Fatalf("invalid row accepted: %+v", r)
			}
			if r.Product == tariff.ProductHardware {
				if int64(r.Units) != r.Quantity {
					t.Fatalf("units %d ≠ quantity %d", r.Units, r.Quantity)
				}
			} else if int64(r.GPUs)*int64(r.Hours) != r.Quantity || r.Hours > limits.MaxHours || r.GPUs > limits.MaxGPUs {
				t.Fatalf("%d × %d ≠ %d", r.GPUs, r.Hours, r.Quantity)
			}
			if r.Price.Valid != (r.Currency != "") {
				t.Fatalf("price without currency: %+v", r)
			}
		}
	})
}
