package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"corridor/marketplace"
	"corridor/web"
)

// whatifEffectsUsage is the part of `corridor whatif --help` about the trade-effects section.
const whatifEffectsUsage = `--effects adds the trade effects of each scenario (WITS-SMART partial equilibrium,
docs/effects.md) on one importing market: --market DE|EU|CN|<country> (default DE), --sources
origin|bloc (default origin), and the elasticities --import-demand-elasticity (default -1.5,
illustrative), --substitution-elasticity (1.5) and --export-supply-elasticity (inf). A source's
value is the supplier's price of the market's flows from it; its wedge before and after is their
landed cost under the baseline and the scenario over that value, less one. The section follows
the tables (table), is the document's trade_effects (json), or --table trade_effects (csv).`

// effectsFlags are the flags of `corridor whatif` that ask for the trade-effects section.
type effectsFlags struct {
	on                          bool
	market, sources, em, es, ex string
	fs                          *flag.FlagSet
}

// register adds the flags to fs.
func (f *effectsFlags) register(fs *flag.FlagSet) {
	f.fs = fs
	fs.BoolVar(&f.on, "effects", false, "add the trade effects of each scenario on one market (WITS-SMART)")
	fs.StringVar(&f.market, "market", "", "with --effects: the importing market, DE, EU, CN or a country code (default DE)")
	fs.StringVar(&f.sources, "sources", "", "with --effects: sources are the flows' origin regions (origin, default) or blocs (bloc)")
	fs.StringVar(&f.em, "import-demand-elasticity", "", "with --effects: Em, from -100 to 0 (default -1.5, illustrative)")
	fs.StringVar(&f.es, "substitution-elasticity", "", "with --effects: Es between sources, from 0 to 100 (default 1.5, SMART's)")
	fs.StringVar(&f.ex, "export-supply-elasticity", "", `with --effects: Ex, above 0 or "inf" (default inf, SMART's)`)
}

// request returns the study request's effects block: nil without --effects, and an error when
// an effects flag is given without it.
func (f *effectsFlags) request() (*marketplace.StudyEffectsRequest, error) {
	if !f.on {
		var given []string
		if f.fs != nil {
			f.fs.Visit(func(fl *flag.Flag) {
				switch fl.Name {
				case "market", "sources", "import-demand-elasticity", "substitution-elasticity", "export-supply-elasticity":
					given = append(given, "--"+fl.Name)
				}
			})
		}
		if len(given) > 0 {
			return nil, fmt.Errorf("whatif: %s needs --effects", strings.Join(given, ", "))
		}
		return nil, nil
	}
	return &marketplace.StudyEffectsRequest{Market: f.market, Sources: f.sources, ImportDemandElasticity: f.em,
		SubstitutionElasticity: f.es, ExportSupplyElasticity: f.ex}, nil
}

// effectsFlagName maps a field of the effects block to its flag, for messages.
var effectsFlagName = map[string]string{
	"effects.market": "--market", "effects.sources": "--sources",
	"effects.import_demand_elasticity": "--import-demand-elasticity", "effects.substitution_elasticity": "--substitution-elasticity",
	"effects.export_supply_elasticity": "--export-supply-elasticity",
}

// effectsFlagError names the flag of an effects validation error, and returns nil for other
// errors.
func effectsFlagError(err error) error {
	e, ok := marketplace.AsError(err)
	if !ok || e.Code != marketplace.CodeInvalid {
		return nil
	}
	var parts []string
	for _, f := range e.Fields {
		name, ok := effectsFlagName[f.Field]
		if !ok {
			return nil
		}
		parts = append(parts, name+": "+f.Message)
	}
	if len(parts) == 0 {
		return nil
	}
	return fmt.Errorf("whatif: %s", strings.Join(parts, "; "))
}

// writeStudyEffects writes a study's trade-effects section in the study's format: a table per
// scenario (as `corridor effects` prints), one CSV with the scenario and market in front of
// each row of `corridor effects --format csv`, or the JSON of GET /api/v1/studies/{id}/effects.
func writeStudyEffects(w io.Writer, se marketplace.StudyEffects, format string) error {
	switch format {
	case "json":
		doc, err := web.StudyEffectsDocument(se)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", doc)
		return err
	case "csv":
		header := false
		for _, run := range se.Runs {
			var b bytes.Buffer
			if err := writeEffectsCSV(&b, run.Model); err != nil {
				return err
			}
			sc := bufio.NewScanner(&b)
			first := true
			for sc.Scan() {
				line := sc.Text()
				switch {
				case first && !header:
					fmt.Fprintf(w, "scenario,market,sources_by,%s\n", line)
					header = true
				case first:
				default:
					fmt.Fprintf(w, "%s,%s,%s,%s\n", csvCell(run.Scenario), csvCell(se.Market.Code), run.SourcesBy, line)
				}
				first = false
			}
		}
		return nil
	}
	for _, run := range se.Runs {
		fmt.Fprintf(w, "\nScenario %s: trade effects on market %s (%s), sources by %s\n", run.Scenario, se.Market.Code,
			strings.Join(se.Market.Countries, " "), run.SourcesBy)
		fmt.Fprintln(w, "Value = the supplier's price of the market's flows; wedge = landed cost / value - 1 (baseline → scenario).")
		if len(run.Model.Sources) == 0 {
			for _, wn := range run.Model.Warnings {
				fmt.Fprintf(w, "WARNING [%s] %s\n", wn.Code, wn.Message)
			}
			continue
		}
		printEffects(w, run.Model)
	}
	return nil
}

// csvCell quotes a cell for CSV when it needs it.
func csvCell(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// tradeEffectsTable is the --table name of the trade-effects section in --format csv.
const tradeEffectsTable = "trade_effects"

// studyEffectsReader is what printing a study's trade effects needs of the marketplace.
type studyEffectsReader interface {
	EffectsOf(ctx context.Context, st marketplace.Study) (*marketplace.StudyEffects, error)
}

// printStudyWithEffects prints a done study (printStudy) with its trade-effects section when
// its request asked for one: after the tables (table), inside the document as the API answers
// it (json), or as --table trade_effects (csv).
func printStudyWithEffects(ctx context.Context, m studyEffectsReader, st marketplace.Study, format, table string, w io.Writer) error {
	se, err := m.EffectsOf(ctx, st)
	if err != nil {
		if fe := effectsFlagError(err); fe != nil {
			return fe
		}
		return fmt.Errorf("whatif: %w", err)
	}
	switch {
	case se == nil && format == "csv" && table == tradeEffectsTable:
		return fmt.Errorf("whatif: --table %s needs --effects", tradeEffectsTable)
	case se == nil:
		return printStudy(st, format, table, w)
	case format == "json":
		doc, err := web.StudyDocumentWithEffects(st, se)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", doc)
		return err
	case format == "csv" && table == tradeEffectsTable:
		return writeStudyEffects(w, *se, "csv")
	case format == "csv":
		return printStudy(st, format, table, w)
	}
	if err := printStudy(st, format, table, w); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", tradeEffectsTable)
	return writeStudyEffects(w, *se, "table")
}
