package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
)

// supplierCommand handles `corridor supplier create --name NAME --country CC`: it registers a
// supplier and prints its id and API key, which is shown this once (only its hash is stored).
func supplierCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(stdout, "Usage: corridor supplier create --name NAME --country CC [--db DSN]\n\nRegisters a supplier and prints its id and API key (shown once).\n")
		if len(args) == 0 {
			return fmt.Errorf("supplier: missing subcommand (create)")
		}
		return errHelpShown
	}
	if args[0] != "create" {
		return fmt.Errorf("supplier: unknown subcommand %q (want create)", args[0])
	}
	fs := newFlagSet("supplier create", "corridor supplier create --name NAME --country CC [--db DSN]", stdout)
	db := dbFlag(fs, getenv)
	name := fs.String("name", "", "supplier's name (required)")
	country := fs.String("country", "", "supplier's country, ISO 3166-1 alpha-2 (required)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("supplier create: unexpected argument %q (see --help)", fs.Arg(0))
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	return createSupplier(ctx, marketplace.NewService(st, time.Now), marketplace.NewSupplier{Name: *name, Country: strings.ToUpper(*country)}, stdout)
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
