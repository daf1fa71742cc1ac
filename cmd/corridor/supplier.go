package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/web"
)

// supplierUsage lists the supplier subcommands.
const supplierUsage = `Usage:
  corridor supplier create --name NAME --country CC [--establishments CC,…] [--vat-registrations CC:NUMBER,…] [--listings CODE,…] [--db DSN]
                                   registers a supplier where it is established; prints its id and API key (shown once)
  corridor supplier list [--json] [--db DSN]
                                   lists every supplier with where it is established
  corridor supplier rotate-key --id SUPPLIER [--db DSN]
                                   issues a new API key (shown once) and revokes the others

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

// supplierCreate handles `corridor supplier create --name NAME --country CC [--establishments
// NL,BE] [--vat-registrations NL:NL123456789B01,…] [--listings CODE,…]`: it registers a
// supplier with where it is established and prints its id and API key, which is shown this
// once (only its hash is stored).
func supplierCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("supplier create", "corridor supplier create --name NAME --country CC [--establishments CC,…] [--vat-registrations CC:NUMBER,…] [--listings CODE,…] [--db DSN]", stdout)
	db := dbFlag(fs, getenv)
	name := fs.String("name", "", "supplier's name (required; unique, ignoring case and spacing)")
	country := fs.String("country", "", "where the supplier is established (its seat), ISO 3166-1 alpha-2 (required); decides who charges VAT")
	establishments := fs.String("establishments", "", "further countries where a fixed establishment of the supplier takes part in its supplies, comma-separated (servers alone are none)")
	registrations := fs.String("vat-registrations", "", "VAT registrations as COUNTRY:NUMBER, comma-separated, e.g. NL:NL123456789B01 (shown; a registration alone is no establishment)")
	listings := fs.String("listings", "", "official lists the supplier is on, comma-separated codes, e.g. cn-beijing-ai-compute-partner")
	if err := parseFlags(fs, args); err != nil {
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
	m, done, err := openMarket(ctx, *db)
	if err != nil {
		return err
	}
	defer done()
	return createSupplier(ctx, m, in, stdout)
}

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
		doc, err := web.SuppliersDocument(sps)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", doc)
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCOUNTRY\tALSO ESTABLISHED IN\tDEMO\tCREATED")
	for _, sp := range sps {
		demo, also := "", "-"
		if sp.Demo {
			demo = "demo"
		}
		if len(sp.Establishments) > 0 {
			also = strings.Join(sp.Establishments, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", sp.ID, sp.Name, sp.Country, also, demo, sp.CreatedAt.UTC().Format(time.DateOnly))
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
