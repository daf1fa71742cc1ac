package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/pricing"
)

// fxCommand handles `corridor fx import FILE...`: it parses ECB reference-rate files (daily
// XML, history CSV, or either zipped) and stores the rates; importing twice adds nothing.
func fxCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(stdout, "Usage: corridor fx import [--db DSN] FILE...\n\nFILE is an ECB eurofxref-daily.xml, eurofxref-hist.csv, or a .zip of either.\n")
		if len(args) == 0 {
			return fmt.Errorf("fx: missing subcommand (import)")
		}
		return errHelpShown
	}
	if args[0] != "import" {
		return fmt.Errorf("fx: unknown subcommand %q (want import)", args[0])
	}
	fs := newFlagSet("fx import", "corridor fx import [--db DSN] FILE...", stdout)
	db := dbFlag(fs, getenv)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("fx import: no file given (see --help)")
	}
	var all []marketplace.FXRate
	for _, path := range fs.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("fx import: %w", err)
		}
		rates, err := pricing.ParseECB(filepath.Base(path), data)
		if err != nil {
			return fmt.Errorf("fx import: %s: %w", path, err)
		}
		all = append(all, rates...)
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	return importFX(ctx, marketplace.NewService(st, time.Now), all, stdout)
}

// fxImporter is what the fx command uses of the marketplace.
type fxImporter interface {
	ImportFX(ctx context.Context, rates []marketplace.FXRate) (int, error)
}

// importFX stores rates (those not stored yet) and says how many were new.
func importFX(ctx context.Context, m fxImporter, all []marketplace.FXRate, stdout io.Writer) error {
	n, err := m.ImportFX(ctx, all)
	if err != nil {
		return fmt.Errorf("fx import: %w", err)
	}
	first, last := dateRange(all)
	fmt.Fprintf(stdout, "imported %d new rates (%d read, %s to %s)\n", n, len(all), first, last)
	return nil
}

func dateRange(rates []marketplace.FXRate) (string, string) {
	if len(rates) == 0 {
		return "-", "-"
	}
	first, last := rates[0].Date, rates[0].Date
	for _, r := range rates {
		if r.Date.Before(first) {
			first = r.Date
		}
		if r.Date.After(last) {
			last = r.Date
		}
	}
	return first.Format(time.DateOnly), last.Format(time.DateOnly)
}
