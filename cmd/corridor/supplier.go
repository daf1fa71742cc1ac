package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
)

// supplierUsage lists the supplier subcommands.
const supplierUsage = `Usage:
  corridor supplier create --name NAME --country CC [--db DSN]   registers a supplier; prints its id and API key (shown once)
  corridor supplier list [--json] [--db DSN]                      lists every supplier
  corridor supplier rotate-key --id SUPPLIER [--db DSN]           issues a new API key (shown once) and revokes the others

Names are unique, compared ignoring case and spacing: a second "Kajaani Compute Oy" is refused.
`

// supplierCommand handles `corridor supplier create|list|rotate-key`.
func supplierCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(stdout, supplierUsage)
		if len(args) == 0 {
			return fmt.Errorf("supplier: missing subcommand (create, list or rotate-key)")
		}
		return errHelpShown
	}
	switch args[0] {
	case "create":
		return supplierCreate(ctx, args[1:], getenv, stdout)
	case "list":
		return supplierList(ctx, args[1:], getenv, stdout)
	case "rotate-key":
		return supplierRotateKey(ctx, args[1:], getenv, stdout)
	}
	return fmt.Errorf("supplier: unknown subcommand %q (want create, list or rotate-key)", args[0])
}

// openMarket opens the database of --db and returns the marketplace on it.
func openMarket(ctx context.Context, dsn string) (*marketplace.Service, func(), error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	return marketplace.NewService(st, time.Now), func() { st.Close() }, nil
}

func supplierCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("supplier create", "corridor supplier create --name NAME --country CC [--db DSN]", stdout)
	db := dbFlag(fs, getenv)
	name := fs.String("name", "", "supplier's name (required; unique, ignoring case and spacing)")
	country := fs.String("country", "", "supplier's country, ISO 3166-1 alpha-2 (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("supplier create: unexpected argument %q (see --help)", fs.Arg(0))
	}
	m, done, err := openMarket(ctx, *db)
	if err != nil {
		return err
	}
	defer done()
	return createSupplier(ctx, m, marketplace.NewSupplier{Name: *name, Country: strings.ToUpper(*country)}, stdout)
}

// supplierCreator is what the supplier command uses of the marketplace.
type supplierCreator interface {
	CreateSupplier(ctx context.Context, in marketplace.NewSupplier) (marketplace.Supplier, string, error)
}

// createSupplier registers a supplier and prints its id and its API key, shown this once.
func createSupplier(ctx context.Context, m supplierCreator, in marketplace.NewSupplier, stdout io.Writer) error {
	sp, key, err := m.CreateSupplier(ctx, in)
	if err != nil {
		return fmt.Errorf("supplier create: %w", cliFields(err))
	}
	fmt.Fprintf(stdout, "supplier id: %s\napi key:     %s\n(the key is shown once; store it now)\n", sp.ID, key)
	return nil
}

func supplierList(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("supplier list", "corridor supplier list [--json] [--db DSN]", stdout)
	db := dbFlag(fs, getenv)
	asJSON := fs.Bool("json", false, "print the suppliers as JSON, as GET /api/v1/suppliers does")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("supplier list: unexpected argument %q (see --help)", fs.Arg(0))
	}
	m, done, err := openMarket(ctx, *db)
	if err != nil {
		return err
	}
	defer done()
	sps, err := m.Suppliers(ctx)
	if err != nil {
		return fmt.Errorf("supplier list: %w", cliFields(err))
	}
	if *asJSON {
		type row struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			Country   string `json:"country"`
			Demo      bool   `json:"demo"`
			CreatedAt string `json:"created_at"`
		}
		out := struct {
			Suppliers []row `json:"suppliers"`
		}{Suppliers: []row{}}
		for _, sp := range sps {
			out.Suppliers = append(out.Suppliers, row{sp.ID, sp.Name, sp.Country, sp.Demo, sp.CreatedAt.UTC().Format(time.RFC3339)})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCOUNTRY\tDEMO\tCREATED")
	for _, sp := range sps {
		demo := ""
		if sp.Demo {
			demo = "demo"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", sp.ID, sp.Name, sp.Country, demo, sp.CreatedAt.UTC().Format(time.DateOnly))
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d suppliers\n", len(sps))
	return nil
}

func supplierRotateKey(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("supplier rotate-key", "corridor supplier rotate-key --id SUPPLIER [--db DSN]", stdout)
	db := dbFlag(fs, getenv)
	id := fs.String("id", "", "the supplier's id (required; see corridor supplier list)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("supplier rotate-key: unexpected argument %q (see --help)", fs.Arg(0))
	}
	if *id == "" {
		return fmt.Errorf("supplier rotate-key: --id is required (see corridor supplier list)")
	}
	m, done, err := openMarket(ctx, *db)
	if err != nil {
		return err
	}
	defer done()
	k, plain, err := m.RotateAPIKey(ctx, *id)
	if err != nil {
		if marketplace.ErrorCode(err) == marketplace.CodeNotFound {
			return fmt.Errorf("supplier rotate-key: no supplier %q (see corridor supplier list)", *id)
		}
		return fmt.Errorf("supplier rotate-key: %w", cliFields(err))
	}
	fmt.Fprintf(stdout, "supplier id: %s\napi key:     %s\n(the key is shown once; every other key of the supplier is revoked)\n", k.SupplierID, plain)
	return nil
}
