package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"corridor/marketplace/store"
)

// config is the resolved configuration: flag over environment over default.
type config struct {
	addr string
	db   string
	seed string
	// quoteRetention is how long unaccepted quotes are kept after they expire; negative keeps
	// them forever (--quote-retention off).
	quoteRetention time.Duration
}

// seedModes are the values --seed accepts (README.md, "Configuration").
var seedModes = []string{"demo", "reference", "none"}

// newFlagSet returns a flag set that reports errors instead of exiting, and prints usage on
// --help to stdout.
func newFlagSet(name, synopsis string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: %s\n\nFlags:\n", synopsis)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args and turns flag's errors into one-line errors; --help prints usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) { // flag has already printed the usage
		return errHelpShown
	}
	if err != nil {
		return fmt.Errorf("%s: %v (see --help)", fs.Name(), err)
	}
	return nil
}

// dbFlag registers --db with its environment default.
func dbFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	return fs.String("db", envOr(getenv, "CORRIDOR_DB", "./data/corridor.db"), "SQLite file or postgres:// URL (env CORRIDOR_DB)")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// dataDir is where the admin token file goes: beside the SQLite file, or ./data for PostgreSQL.
func dataDir(db string) string {
	if store.IsPostgres(db) {
		return "data"
	}
	return filepath.Dir(db)
}

// parseRetention reads --quote-retention: a duration of at least zero, or "off" (-1).
func parseRetention(s string) (time.Duration, error) {
	if s == "off" {
		return -1, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf(`--quote-retention must be a duration such as 168h or 30m, or "off", not %q`, s)
	}
	return d, nil
}

func (c config) validate() error {
	for _, m := range seedModes {
		if c.seed == m {
			return nil
		}
	}
	return fmt.Errorf("--seed must be one of %s, not %q", strings.Join(seedModes, ", "), c.seed)
}
