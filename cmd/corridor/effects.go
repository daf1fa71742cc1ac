package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/pricing/effects"
	"corridor/web"
)

const effectsSynopsis = `corridor effects [--file FILE|-] [--flow SOURCE:VALUE:WEDGE_BEFORE:WEDGE_AFTER[:GPU_HOURS[:COLLECTOR]]]...
       [--import-demand-elasticity E] [--substitution-elasticity E] [--export-supply-elasticity E|inf]
       [--currency CUR] [--format table|csv|json] [--svg PREFIX]

Runs the WITS-SMART single-market partial-equilibrium model (docs/effects.md) on flows typed in:
trade creation, diversion, price effect and total effect per source; revenue by collector,
consumer-surplus and welfare change. --file reads the body of POST /api/v1/effects (JSON);
--flow adds a flow (repeatable), e.g. --flow CN:100:10%:0% --flow US:300:10%:10%. Flags
override the file's elasticities and currency. --format json prints what the API answers.
--svg PREFIX also writes the charts: PREFIX-trade.svg (creation and diversion by source) and
PREFIX-welfare.svg (revenue, consumer surplus, welfare).`

// effectsCommand handles `corridor effects`: the trade-effects model on its own, with the same
// inputs, validation, rounding and JSON as POST /api/v1/effects.
func effectsCommand(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := newFlagSet("effects", effectsSynopsis, stdout)
	file := fs.String("file", "", "JSON request (the body of POST /api/v1/effects); - reads standard input")
	var flows flowFlags
	fs.Var(&flows, "flow", "a flow SOURCE:VALUE:WEDGE_BEFORE:WEDGE_AFTER[:GPU_HOURS[:COLLECTOR]] (repeatable)")
	em := fs.String("import-demand-elasticity", "", "Em, from -100 to 0 (default -1.5, illustrative)")
	es := fs.String("substitution-elasticity", "", "Es between sources, from 0 to 100 (default 1.5, SMART's)")
	ex := fs.String("export-supply-elasticity", "", `Ex, above 0 or "inf" (default inf, SMART's)`)
	currency := fs.String("currency", "", "ISO 4217 code of the values (figures rounded to its minor units)")
	format := fs.String("format", "table", "table, csv or json")
	svgPrefix := fs.String("svg", "", "also write the charts to PREFIX-trade.svg and PREFIX-welfare.svg")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("effects: unexpected argument %q (see --help)", fs.Arg(0))
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		return fmt.Errorf("effects: --format must be table, csv or json, not %q", *format)
	}

	var req effects.Request
	var data []byte
	if *file != "" {
		var err error
		if *file == "-" {
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(*file)
		}
		if err != nil {
			return fmt.Errorf("effects: %w", err)
		}
		if err := decodeEffectsFile(*file, data, &req); err != nil {
			return err
		}
	}
	fromFile := len(req.Flows)
	req.Flows = append(req.Flows, flows.flows...)
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, o := range []struct {
		flag     string
		from, to *string
	}{{"import-demand-elasticity", em, &req.ImportDemandElasticity}, {"substitution-elasticity", es, &req.SubstitutionElasticity},
		{"export-supply-elasticity", ex, &req.ExportSupplyElasticity}, {"currency", currency, &req.Currency}} {
		if set[o.flag] {
			*o.to = *o.from
		}
	}
	if len(req.Flows) == 0 {
		return errors.New("effects: no flows: give --file or --flow (see --help)")
	}

	res, err := web.Effects(req)
	if err != nil {
		var ie *effects.InputError
		if errors.As(err, &ie) {
			return effectsInputError(*file, data, fromFile, flows.text, set, ie)
		}
		return fmt.Errorf("effects: %w", err)
	}
	if *svgPrefix != "" {
		if err := writeEffectsCharts(*svgPrefix, res); err != nil {
			return fmt.Errorf("effects: %w", err)
		}
	}
	switch *format {
	case "json":
		doc, err := web.EffectsDocument(res)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", doc)
		return nil
	case "csv":
		return writeEffectsCSV(stdout, res)
	}
	printEffects(stdout, res)
	return nil
}

// writeEffectsCharts writes the two effects charts (English labels) beside each other.
func writeEffectsCharts(prefix string, res effects.Result) error {
	trade, welfare := web.EffectsCharts(res, web.EnglishEffectsChartLabels)
	for name, c := range map[string]interface{ SVG() ([]byte, error) }{"-trade.svg": trade, "-welfare.svg": welfare} {
		b, err := c.SVG()
		if err != nil {
			return err
		}
		if err := os.WriteFile(prefix+name, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// flowFlags collects --flow SOURCE:VALUE:WEDGE_BEFORE:WEDGE_AFTER[:GPU_HOURS[:COLLECTOR]].
type flowFlags struct {
	flows []effects.FlowRequest
	text  []string
}

func (f *flowFlags) String() string { return strings.Join(f.text, " ") }

func (f *flowFlags) Set(s string) error {
	p := strings.Split(s, ":")
	if len(p) < 4 || len(p) > 6 {
		return fmt.Errorf("want SOURCE:VALUE:WEDGE_BEFORE:WEDGE_AFTER[:GPU_HOURS[:COLLECTOR]], e.g. CN:100:10%%:0%%, not %q", s)
	}
	fr := effects.FlowRequest{Source: p[0], Value: p[1], WedgeBefore: p[2], WedgeAfter: p[3]}
	if len(p) > 4 {
		fr.GPUHours = p[4]
	}
	if len(p) > 5 {
		fr.Collector = p[5]
	}
	f.flows = append(f.flows, fr)
	f.text = append(f.text, s)
	return nil
}

// decodeEffectsFile decodes a request strictly, like the API: unknown members, wrong types,
// trailing data and malformed JSON are errors at FILE:LINE:COL.
func decodeEffectsFile(name string, data []byte, req *effects.Request) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(req)
	if err == nil && dec.More() {
		return fmt.Errorf("%s: trailing data after the JSON object", at(name, data, dec.InputOffset()))
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		return fmt.Errorf("%s: malformed JSON: %v", at(name, data, syn.Offset-1), syn) // Offset counts the bad byte
	case errors.As(err, &typ):
		what := "a JSON string"
		if typ.Field == "flows" {
			what = "an array of flows"
		} else if typ.Field == "" {
			what = "a JSON object"
		}
		// The error names the member without indices and ends after the value: find the
		// member's last occurrence that starts before that point, to point at it by full name.
		field, off := typ.Field, typ.Offset
		best := int64(-1)
		for path, p := range jsonPositions(data) {
			if stripIndices(path) == typ.Field && p.value < typ.Offset && p.value > best {
				field, off, best = path, p.value, p.value
			}
		}
		return fmt.Errorf("%s: %s: must be %s, not a JSON %s (decimals travel as strings: \"100\", \"10%%\", \"-1.5\")",
			at(name, data, off), field, what, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		off := int64(0)
		for path, o := range jsonPositions(data) {
			if path == field || strings.HasSuffix(path, "."+field) {
				off = o.key
			}
		}
		return fmt.Errorf("%s: %s: unknown field", at(name, data, off), field)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: the JSON ends too early", at(name, data, int64(len(data))))
	}
	return fmt.Errorf("%s: %w", name, err)
}

// effectsInputError writes the model's field errors where the user put the value: at
// FILE:LINE:COL for the file's members, naming the flag otherwise.
func effectsInputError(name string, data []byte, fromFile int, flowText []string, set map[string]bool, ie *effects.InputError) error {
	pos := map[string]jsonPos{}
	if data != nil {
		pos = jsonPositions(data)
	}
	flagOf := map[string]string{"import_demand_elasticity": "import-demand-elasticity", "substitution_elasticity": "substitution-elasticity",
		"export_supply_elasticity": "export-supply-elasticity", "currency": "currency"}
	var lines []string
	for _, f := range ie.Fields {
		var i int
		var member string
		switch {
		case flagOf[f.Field] != "" && set[flagOf[f.Field]]:
			lines = append(lines, fmt.Sprintf("--%s: %s", flagOf[f.Field], f.Message))
		case scanFlow(f.Field, &i, &member) && i >= fromFile:
			lines = append(lines, fmt.Sprintf("--flow %s: %s: %s", flowText[i-fromFile], member, f.Message))
		case data != nil:
			p, ok := pos[f.Field]
			if !ok {
				p = pos[strings.TrimSuffix(f.Field, "."+member)] // a member left out: point at its flow
			}
			lines = append(lines, fmt.Sprintf("%s: %s: %s", at(name, data, p.value), f.Field, f.Message))
		default:
			lines = append(lines, f.Field+": "+f.Message)
		}
	}
	return fmt.Errorf("effects: invalid input:\n  %s", strings.Join(lines, "\n  "))
}

// stripIndices turns "flows[2].value" into "flows.value", the way encoding/json names fields.
func stripIndices(path string) string {
	var b strings.Builder
	depth := 0
	for _, r := range path {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// scanFlow splits "flows[3].wedge_after" into 3 and "wedge_after".
func scanFlow(field string, i *int, member *string) bool {
	rest, ok := strings.CutPrefix(field, "flows[")
	if !ok {
		return false
	}
	idx, m, ok := strings.Cut(rest, "].")
	if !ok {
		return false
	}
	_, err := fmt.Sscanf(idx, "%d", i)
	*member = m
	return err == nil
}

// jsonPos is where a member starts in a JSON document: its key and its value.
type jsonPos struct{ key, value int64 }

// jsonPositions maps each member and element of a JSON document to its byte offsets, by path
// in the API's vocabulary: "flows[1].wedge_after". A malformed document maps what precedes the
// problem.
func jsonPositions(data []byte) map[string]jsonPos {
	dec := json.NewDecoder(bytes.NewReader(data))
	out := map[string]jsonPos{}
	next := func() int64 { // the start of the next token, past separators
		o := dec.InputOffset()
		for o < int64(len(data)) && strings.IndexByte(" \t\r\n:,", data[o]) >= 0 {
			o++
		}
		return o
	}
	var walk func(path string, key int64) bool
	walk = func(path string, key int64) bool {
		start := next()
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		out[path] = jsonPos{key: key, value: start}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k := next()
				kt, err := dec.Token()
				name, ok := kt.(string)
				if err != nil || !ok {
					return false
				}
				child := name
				if path != "" {
					child = path + "." + name
				}
				if !walk(child, k) {
					return false
				}
			}
			_, err = dec.Token()
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if !walk(fmt.Sprintf("%s[%d]", path, i), next()) {
					return false
				}
			}
			_, err = dec.Token()
		}
		return err == nil
	}
	walk("", 0)
	return out
}

// at writes FILE:LINE:COL for a byte offset (columns count characters, from 1).
func at(name string, data []byte, off int64) string {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, r := range string(data[:off]) {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("%s:%d:%d", name, line, col)
}

func printEffects(w io.Writer, r effects.Result) {
	unit := r.Currency
	if unit == "" {
		unit = "the flows' unit"
	}
	fmt.Fprintf(w, "Trade effects (WITS-SMART partial equilibrium), in %s\n\n", unit)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "source\twedge\tvalue before\tcreation\tdiversion\tprice effect\ttotal effect\tvalue after\trevenue change\tconsumer surplus\twelfare\t")
	row := func(name, wedge string, f figures) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, wedge, f.valueBefore, f.creation, f.diversion, f.price, f.total,
			f.valueAfter, f.revenueChange, f.consumerSurplus, f.welfare)
	}
	for _, s := range r.Sources {
		row(s.Source, effects.FormatPercent(s.WedgeBefore)+" → "+effects.FormatPercent(s.WedgeAfter), sourceFigures(s, r.Currency, grouped))
	}
	row("total", "", totalFigures(r.Total, r.Currency, grouped))
	tw.Flush()

	if r.HasGPUHours {
		fmt.Fprintln(w, "\nIn GPU-hours (at each source's baseline price per GPU-hour):")
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "source\tbefore\tcreation\tdiversion\ttotal effect\tafter\t")
		q := func(name string, e *effects.QuantityEffects) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", name, e.Before.StringFixed(2), e.TradeCreation.StringFixed(2),
				e.TradeDiversion.StringFixed(2), e.TotalEffect.StringFixed(2), e.After.StringFixed(2))
		}
		for _, s := range r.Sources {
			q(s.Source, s.GPUHours)
		}
		q("total", r.Total.GPUHours)
		tw.Flush()
	}
	if len(r.Revenue) > 0 {
		fmt.Fprintln(w, "\nRevenue by collector:")
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "collector\tbefore\tafter\tchange\t")
		for _, c := range r.Revenue {
			name := c.Collector
			if name == "" {
				name = "(not given)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, grouped(c.RevenueBefore, r.Currency), grouped(c.RevenueAfter, r.Currency), grouped(c.RevenueChange, r.Currency))
		}
		tw.Flush()
	}
	fmt.Fprintln(w, "\nParameters:")
	for _, p := range []struct {
		name string
		p    effects.Parameter
	}{{"import-demand elasticity Em", r.ImportDemand}, {"substitution elasticity Es", r.Substitution}, {"export-supply elasticity Ex", r.ExportSupply}} {
		if p.p.Default {
			fmt.Fprintf(w, "  %-28s %s  default (%s, %s): %s\n", p.name, p.p, p.p.Confidence, p.p.AsOf, p.p.Source)
		} else {
			fmt.Fprintf(w, "  %-28s %s  given\n", p.name, p.p)
		}
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(w, "WARNING [%s] %s\n", wn.Code, wn.Message)
	}
}

// figures are one row's amounts as text, with the currency's minor units.
type figures struct {
	valueBefore, creation, diversion, price, total, valueAfter, revenueBefore, revenueAfter, revenueChange, consumerSurplus, welfare string
}

// amountText formats an already-rounded amount: grouped for reading ("1,234.50") or plain
// for machines ("1234.50"), with the currency's minor units either way.
type amountText func(d decimal.Decimal, currency string) string

func grouped(d decimal.Decimal, cur string) string { return pricing.FormatAmount(d, cur) }

func plain(d decimal.Decimal, cur string) string {
	places, ok := pricing.MinorUnits(cur)
	if !ok {
		places = 2
	}
	return d.StringFixed(int32(places))
}

func sourceFigures(s effects.SourceResult, cur string, f amountText) figures {
	return figures{f(s.ValueBefore, cur), f(s.TradeCreation, cur), f(s.TradeDiversion, cur), f(s.PriceEffect, cur),
		f(s.TotalEffect, cur), f(s.ValueAfter, cur), f(s.RevenueBefore, cur), f(s.RevenueAfter, cur),
		f(s.RevenueChange, cur), f(s.ConsumerSurplusChange, cur), f(s.WelfareChange, cur)}
}

func totalFigures(t effects.Totals, cur string, f amountText) figures {
	return sourceFigures(effects.SourceResult{ValueBefore: t.ValueBefore, TradeCreation: t.TradeCreation, TradeDiversion: t.TradeDiversion,
		PriceEffect: t.PriceEffect, TotalEffect: t.TotalEffect, ValueAfter: t.ValueAfter, RevenueBefore: t.RevenueBefore,
		RevenueAfter: t.RevenueAfter, RevenueChange: t.RevenueChange, ConsumerSurplusChange: t.ConsumerSurplusChange,
		WelfareChange: t.WelfareChange}, cur, f)
}

// writeEffectsCSV writes one row per source and a total row (kind "total"), amounts with the
// currency's minor units, GPU-hour columns when the flows gave them.
func writeEffectsCSV(w io.Writer, r effects.Result) error {
	cw := csv.NewWriter(w)
	head := []string{"kind", "source", "collector", "wedge_before", "wedge_after", "value_before", "trade_creation", "trade_diversion",
		"price_effect", "total_effect", "value_after", "revenue_before", "revenue_after", "revenue_change", "consumer_surplus_change",
		"welfare_change", "currency"}
	if r.HasGPUHours {
		head = append(head, "gpu_hours_before", "gpu_hours_trade_creation", "gpu_hours_trade_diversion", "gpu_hours_total_effect", "gpu_hours_after")
	}
	cw.Write(head)
	row := func(kind, source, collector, before, after string, f figures, q *effects.QuantityEffects) {
		rec := []string{kind, source, collector, before, after, f.valueBefore, f.creation, f.diversion, f.price, f.total, f.valueAfter,
			f.revenueBefore, f.revenueAfter, f.revenueChange, f.consumerSurplus, f.welfare, r.Currency}
		if q != nil {
			rec = append(rec, q.Before.StringFixed(2), q.TradeCreation.StringFixed(2), q.TradeDiversion.StringFixed(2),
				q.TotalEffect.StringFixed(2), q.After.StringFixed(2))
		}
		cw.Write(rec)
	}
	for _, s := range r.Sources {
		row("source", s.Source, s.Collector, effects.FormatPercent(s.WedgeBefore), effects.FormatPercent(s.WedgeAfter), sourceFigures(s, r.Currency, plain), s.GPUHours)
	}
	row("total", "", "", "", "", totalFigures(r.Total, r.Currency, plain), r.Total.GPUHours)
	cw.Flush()
	return cw.Error()
}
