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

// supplierCommand handles `corridor supplier create --name NAME --country CC [--establishments
// NL,BE] [--vat-registrations NL:NL123456789B01,…] [--listings CODE,…]`: it registers a supplier
// with where it is established and prints its id and API key, which is shown this once (only
// its hash is stored).
func supplierCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(stdout, "Usage: "+supplierUsage+"\n\nRegisters a supplier and prints its id and API key (shown once).\n")
		if len(args) == 0 {
			return fmt.Errorf("supplier: missing subcommand (create)")
		}
		return errHelpShown
	}
	if args[0] != "create" {
		return fmt.Errorf("supplier: unknown subcommand %q (want create)", args[0])
	}
	fs := newFlagSet("supplier create", supplierUsage, stdout)
	db := dbFlag(fs, getenv)
	name := fs.String("name", "", "supplier's name (required)")
	country := fs.String("country", "", "where the supplier is established (its seat), ISO 3166-1 alpha-2 (required); decides who charges VAT")
	establishments := fs.String("establishments", "", "further countries where a fixed establishment of the supplier takes part in its supplies, comma-separated (servers alone are none)")
	registrations := fs.String("vat-registrations", "", "VAT registrations as COUNTRY:NUMBER, comma-separated, e.g. NL:NL123456789B01 (shown; a registration alone is no establishment)")
	listings := fs.String("listings", "", "official lists the supplier is on, comma-separated codes, e.g. cn-beijing-ai-compute-partner")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("supplier create: unexpected argument %q (see --help)", fs.Arg(0))
	}
	in := marketplace.NewSupplier{Name: *name, Country: strings.ToUpper(*country), Establishments: commaList(*establishments), Listings: commaList(*listings)}
	for _, r := range commaList(*registrations) {
		c, id, ok := strings.Cut(r, ":")
		if !ok {
			return fmt.Errorf("supplier create: --vat-registrations takes COUNTRY:NUMBER items, not %q", r)
		}
		in.VATRegistrations = append(in.VATRegistrations, marketplace.VATRegistration{Country: c, VATID: id})
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	return createSupplier(ctx, marketplace.NewService(st, time.Now), in, stdout)
}

// supplierUsage is the synopsis of supplier create.
const supplierUsage = "corridor supplier create --name NAME --country CC [--establishments CC,…] [--vat-registrations CC:NUMBER,…] [--listings CODE,…] [--db DSN]"

// commaList splits a comma-separated flag value into its trimmed, non-empty items.
func commaList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
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
	fmt.Fprintf(stdout, "established in: %s\n", strings.Join(append([]string{sp.Country}, sp.Establishments...), ", "))
	for _, r := range sp.VATRegistrations {
		fmt.Fprintf(stdout, "VAT registration: %s (%s)\n", r.VATID, r.Country)
	}
	if len(sp.Listings) > 0 {
		fmt.Fprintf(stdout, "listed on: %s\n", strings.Join(sp.Listings, ", "))
	}
	return nil
}
