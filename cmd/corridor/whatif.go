package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/pricing/whatif"
	"corridor/web"
)

const whatifSynopsis = `corridor whatif --scenario ID|FILE [--scenario ...]
       (--basket FILE.csv | --need QUERY --gpus N --hours H --buyer CC:business|consumer | --orders-from DATE --orders-to DATE)
       [--sweep SPEC] [--as-of DATE] [--currency CUR] [--format table|csv|json] [--table NAME] [--db DB]
       [--effects [--market DE|EU|CN] [--sources origin|bloc] [--import-demand-elasticity E]
        [--substitution-elasticity E] [--export-supply-elasticity E|inf]]
corridor whatif --rerun STUDY [--format table|csv|json] [--table NAME] [--db DB]

Runs a what-if study on the local database, as POST /api/v1/studies does, and stores it: the
basket's flows priced under the baseline and each scenario (a stored scenario's id, or a
scenario document FILE), optionally along a sweep of one parameter:
  --sweep "eu-levy-cn-compute.rate=0%..30% step 2.5%"     a measure's field (rate, share_max, cap,
                                                         quota.volume, quota.in_quota_rate)
  --sweep "CNY=-20%..+20% step 5%"                       an FX shock against the euro
--format table prints the study's pins and its summary tables; csv prints one table (--table,
default flows; the rows name each flow's offer id); json prints what the API answers.
--rerun runs a stored study again with everything it was pinned to (policy versions, FX
rates, quota balances): the same numbers, whatever has been activated since. Progress goes to
standard error when it is a terminal. docs/studies.md.
` + whatifEffectsUsage

// whatifCommand handles `corridor whatif`.
func whatifCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("whatif", whatifSynopsis, stdout)
	db := dbFlag(fs, getenv)
	var scenarios stringsFlag
	fs.Var(&scenarios, "scenario", "a stored scenario's id (id@VERSION for a version) or a scenario document FILE (repeatable)")
	basket := fs.String("basket", "", "a basket file (CSV; docs/studies.md lists its columns)")
	need := fs.String("need", "", `the offers a need is priced against, in the search language: "accelerator=h100-sxm gpus>=8"`)
	gpus := fs.Int("gpus", 0, "the need's GPUs")
	hours := fs.Int("hours", 0, "the need's hours")
	buyer := fs.String("buyer", "", "the need's buyer, COUNTRY:business|consumer (e.g. DE:business)")
	from := fs.String("orders-from", "", "price the confirmed orders created from this date YYYY-MM-DD")
	to := fs.String("orders-to", "", "… up to (not including) this date")
	sweep := fs.String("sweep", "", `one parameter varied over a range: "MEASURE.FIELD=FROM..TO step STEP" or "CCY=FROM..TO step STEP"`)
	asOf := fs.String("as-of", "", "price as of this past date YYYY-MM-DD (default today)")
	currency := fs.String("currency", "EUR", "the study's currency")
	format := fs.String("format", "table", "table, csv or json")
	table := fs.String("table", whatif.TableFlows, "the table --format csv prints: "+strings.Join(studyTableNames, ", "))
	rerun := fs.String("rerun", "", "run a stored study again with its pins (its id)")
	var effects effectsFlags // --effects and its flags: whatif_effects.go
	effects.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("whatif: unexpected argument %q (see --help)", fs.Arg(0))
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		return fmt.Errorf("whatif: --format must be table, csv or json, not %q", *format)
	}
	var req marketplace.StudyRequest
	var err error
	if *rerun == "" {
		if req, err = whatifRequest(fs, scenarios, *basket, *need, *gpus, *hours, *buyer, *from, *to); err != nil {
			return err
		}
		req.Sweep, req.Currency = *sweep, strings.ToUpper(*currency)
		if req.Effects, err = effects.request(); err != nil {
			return err
		}
		if *asOf != "" {
			if req.AsOf, err = parseDateFlag("--as-of", *asOf); err != nil {
				return fmt.Errorf("whatif: %w", err)
			}
		}
	} else {
		set := 0
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "rerun" && f.Name != "format" && f.Name != "table" && f.Name != "db" {
				set++
			}
		})
		if set > 0 {
			return fmt.Errorf("whatif: --rerun takes the stored study's request as it is: drop the other study flags")
		}
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := marketplace.NewService(st, time.Now)
	progress := isTerminal(stderr)
	if !progress {
		svc.SetStudySyncLimit(math.MaxInt64) // nothing to show: run while we wait
	}
	start := func() (marketplace.Study, error) { return svc.RunStudy(ctx, req) }
	if *rerun != "" {
		start = func() (marketplace.Study, error) { return svc.RerunStudy(ctx, *rerun) }
	}
	study, err := runWhatif(ctx, svc, start, req, progress, stderr)
	if err != nil {
		return err // interrupted (^C) too: the process ends, and the study with it
	}
	svc.WaitStudies() // done: its goroutine has recorded the result and is ending

	// With --effects, the trade-effects section too: whatif_effects.go.
	return printStudyWithEffects(ctx, svc, study, *format, *table, stdout)
}

// studyTableNames are the tables of a study, in order.
var studyTableNames = []string{whatif.TableFlows, whatif.TableChanges, whatif.TableByCountry, whatif.TableByOrigin, whatif.TableByBloc,
	whatif.TableRevenue, whatif.TableCheapest, whatif.TableSeries, whatif.TableBreakpoints}

// stringsFlag is a repeatable string flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

// whatifRequest builds the study request from the flags: the scenarios (ids, id@VERSION or
// files) and exactly one basket.
func whatifRequest(fs *flag.FlagSet, scenarios []string, basket, need string, gpus, hours int, buyer, from, to string) (marketplace.StudyRequest, error) {
	var req marketplace.StudyRequest
	for _, s := range scenarios {
		if data, err := os.ReadFile(s); err == nil {
			req.Scenarios = append(req.Scenarios, marketplace.StudyScenario{Document: string(data), Name: s})
			continue
		}
		id, ver, found := strings.Cut(s, "@")
		sc := marketplace.StudyScenario{ID: id}
		if found {
			n, err := strconv.Atoi(ver)
			if err != nil || n < 1 {
				return req, fmt.Errorf("whatif: --scenario %q: the version after @ must be a number ≥ 1", s)
			}
			sc.Version = n
		}
		if strings.ContainsAny(id, "/\\") || strings.HasSuffix(id, ".yaml") || strings.HasSuffix(id, ".json") {
			return req, fmt.Errorf("whatif: --scenario %s: no such file", s)
		}
		req.Scenarios = append(req.Scenarios, sc)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	kinds := 0
	if set["basket"] {
		kinds++
		data, err := os.ReadFile(basket)
		if err != nil {
			return req, fmt.Errorf("whatif: --basket: %w", err)
		}
		req.Basket = marketplace.StudyBasket{Kind: marketplace.BasketCSV, CSV: string(data), CSVName: basket}
	}
	if set["need"] || set["gpus"] || set["hours"] || set["buyer"] {
		kinds++
		country, typ, ok := strings.Cut(buyer, ":")
		if buyer != "" && !ok {
			return req, fmt.Errorf("whatif: --buyer must be COUNTRY:business or COUNTRY:consumer, not %q", buyer)
		}
		req.Basket = marketplace.StudyBasket{Kind: marketplace.BasketNeed, Query: need, GPUs: gpus, Hours: hours,
			Buyer: marketplace.Buyer{Country: strings.ToUpper(country), Type: typ}}
	}
	if set["orders-from"] || set["orders-to"] {
		kinds++
		req.Basket = marketplace.StudyBasket{Kind: marketplace.BasketOrders}
		var err error
		if from != "" {
			if req.Basket.From, err = parseDateFlag("--orders-from", from); err != nil {
				return req, fmt.Errorf("whatif: %w", err)
			}
		}
		if to != "" {
			if req.Basket.To, err = parseDateFlag("--orders-to", to); err != nil {
				return req, fmt.Errorf("whatif: %w", err)
			}
		}
	}
	if kinds != 1 {
		return req, fmt.Errorf("whatif: give one basket: --basket FILE.csv, or --need QUERY --gpus N --hours H --buyer CC:TYPE, or --orders-from DATE --orders-to DATE")
	}
	return req, nil
}

// studyReader is what the whatif command reads of the marketplace while a study runs.
type studyReader interface {
	Study(ctx context.Context, id string) (marketplace.Study, error)
}

// runWhatif starts the study and, when it was queued, follows its progress (on w when shown)
// until it is done.
func runWhatif(ctx context.Context, m studyReader, start func() (marketplace.Study, error), req marketplace.StudyRequest, progress bool, w io.Writer) (marketplace.Study, error) {
	st, err := start()
	if err != nil {
		return st, fmt.Errorf("whatif: %w", cliFields(whatifFields(err, req)))
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for st.Status == marketplace.StudyQueued || st.Status == marketplace.StudyRunning {
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-tick.C:
		}
		if st, err = m.Study(ctx, st.ID); err != nil {
			return st, err
		}
		if progress && st.Progress.Total > 0 {
			fmt.Fprintf(w, "\rstudy %s: %d of %d evaluations (%d%%)", st.ID, st.Progress.Done, st.Progress.Total, st.Progress.Done*100/st.Progress.Total)
		}
	}
	if progress {
		fmt.Fprintf(w, "\rstudy %s: %s%s\n", st.ID, st.Status, strings.Repeat(" ", 30))
	}
	if st.Status == marketplace.StudyFailed {
		return st, fmt.Errorf("whatif: study %s failed: %s", st.ID, st.Failure)
	}
	return st, nil
}

var scenarioField = regexp.MustCompile(`^scenarios\[(\d+)\]`)

// whatifFields names a study's fields by the flags that set them: basket.gpus is --gpus, a
// scenario's problems name its --scenario, a basket cell's its file position.
func whatifFields(err error, req marketplace.StudyRequest) error {
	e, ok := marketplace.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	flags := map[string]string{"basket.query": "--need", "basket.gpus": "--gpus", "basket.hours": "--hours", "basket.buyer.country": "--buyer",
		"basket.buyer.type": "--buyer", "basket.buyer.region": "--buyer", "basket.from": "--orders-from", "basket.to": "--orders-to",
		"basket.kind": "--basket", "basket.csv": "--basket", "sweep": "--sweep", "as_of": "--as-of", "currency": "--currency", "flows": "the basket:",
		"scenarios": "--scenario"}
	maps.Copy(flags, effectsFlagName) // whatif_effects.go
	out := *e
	out.Fields = make([]marketplace.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		switch name := f.Field; {
		case flags[name] != "":
			f.Field = flags[name]
		case strings.HasPrefix(name, "basket.csv:"):
			f.Field = "--basket" // the message starts with FILE:ROW:COL
		case scenarioField.MatchString(name):
			m := scenarioField.FindStringSubmatch(name)
			n, _ := strconv.Atoi(m[1])
			f.Field = "--scenario"
			if n < len(req.Scenarios) && req.Scenarios[n].Document == "" && !strings.Contains(f.Message, strconv.Quote(req.Scenarios[n].ID)) {
				f.Field += " " + req.Scenarios[n].ID
			}
		}
		out.Fields[i] = f
	}
	return &out
}

// printStudy prints a done study in the format asked for.
func printStudy(st marketplace.Study, format, table string, w io.Writer) error {
	switch format {
	case "json":
		doc, err := web.StudyDocument(st)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", doc)
		return err
	}
	tables, err := st.Tables()
	if err != nil {
		return err
	}
	if format == "csv" {
		for _, t := range tables {
			if t.Name == table {
				return whatif.WriteCSV(w, t)
			}
		}
		return fmt.Errorf("whatif: --table must be one of %s, not %q", strings.Join(studyTableNames, ", "), table)
	}
	p := st.Pins
	fmt.Fprintf(w, "Study %s: %d flows, %d evaluations, in %s as of %s\n", st.ID, p.Flows, st.Progress.Total, p.Currency, p.AsOf.Format(time.DateOnly))
	fmt.Fprintf(w, "Baseline %s v%d (%s…)", p.Baseline.ID, p.Baseline.Version, p.Baseline.Hash[:min(12, len(p.Baseline.Hash))])
	for _, s := range p.Scenarios {
		if s.Version == 0 {
			fmt.Fprintf(w, "; scenario %s (inline, %s…)", s.ID, s.Hash[:min(12, len(s.Hash))])
		} else {
			fmt.Fprintf(w, "; scenario %s v%d", s.ID, s.Version)
		}
	}
	fmt.Fprintf(w, "\nFX of %s; the same numbers again: corridor whatif --rerun %s\n", p.FXDate.Format(time.DateOnly), st.ID)
	for _, t := range tables {
		fmt.Fprintf(w, "\n%s\n", t.Name)
		if len(t.Rows) > maxTableRows {
			fmt.Fprintf(w, "  %d rows: --format csv --table %s prints them\n", len(t.Rows), t.Name)
			continue
		}
		if len(t.Rows) == 0 {
			fmt.Fprintln(w, "  (none)")
			continue
		}
		var b bytes.Buffer
		tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
		for i, c := range t.Columns {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c.Name)
		}
		fmt.Fprintln(tw)
		for _, r := range t.Rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		tw.Flush()
		w.Write(b.Bytes())
	}
	return nil
}

// maxTableRows is the most rows --format table prints of one table.
const maxTableRows = 60
