package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/marketplace/store"
	"corridor/tariff"
	"corridor/web"
	"corridor/web/i18n"
)

// quoteCommand prices a request against a stored offer, stores the quote (as the API would)
// and prints its lines, or the API's JSON with --json.
func quoteCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("quote", "corridor quote --offer ID --gpus N --hours H --buyer-country CC --buyer-type business|consumer [--vat-id ID] --currency CUR [--as-of DATE] [--scenario ID]\n"+
		"  [--buyer-headquarters CC] [--buyer-region CODE] [--vat-recovery 60%] [--purpose training|inference|other] [--tax-terms net_of_cn_tax|tax_inclusive] [--json]", stdout)
	db := dbFlag(fs, getenv)
	offer := fs.String("offer", "", "offer id (required)")
	gpus := fs.Int("gpus", 0, "number of GPUs")
	hours := fs.Int("hours", 0, "hours of use")
	units := fs.Int("units", 0, "units (hardware offers)")
	country := fs.String("buyer-country", "", "buyer's country, ISO 3166-1 alpha-2 (required)")
	btype := fs.String("buyer-type", "business", "business or consumer")
	currency := fs.String("currency", "EUR", "quote currency")
	asOf := fs.String("as-of", "", "price as of this past date YYYY-MM-DD (default today)")
	scenario := fs.String("scenario", "", "price under a stored scenario (see GET /api/v1/policies)")
	personal := fs.Bool("personal-data", false, "the workload processes personal data")
	vatID := fs.String("vat-id", "", "the buyer's VAT number: in the EU a business is quoted as one only with a number valid for its country")
	hq := fs.String("buyer-headquarters", "", "country of the buyer's headquarters or ultimate parent (default: --buyer-country)")
	region := fs.String("buyer-region", "", "where the buyer is registered, e.g. cn-shenzhen (compute vouchers)")
	recovery := fs.String("vat-recovery", "", `share of its VAT a business recovers, "60%" or "0.6" (default: all)`)
	purpose := fs.String("purpose", "", "the workload's purpose: training, inference or other (some vouchers pay for training only)")
	terms := fs.String("tax-terms", "", "contract terms for taxes China withholds: net_of_cn_tax or tax_inclusive (default: the offer's)")
	asJSON := fs.Bool("json", false, "print the quote as the API's JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("quote: unexpected argument %q (see --help)", fs.Arg(0))
	}
	req := marketplace.QuoteRequest{OfferID: *offer, GPUs: *gpus, Hours: *hours, Units: *units,
		Buyer: marketplace.Buyer{Country: strings.ToUpper(*country), Type: *btype, VATID: *vatID, Headquarters: strings.ToUpper(*hq),
			Region: *region},
		Currency: strings.ToUpper(*currency), PersonalData: *personal, Scenario: *scenario, Purpose: *purpose, TaxTerms: *terms}
	if *recovery != "" {
		share, msg := marketplace.ParseShare(*recovery)
		if msg != "" {
			return fmt.Errorf("quote: --vat-recovery %s, not %q", msg, *recovery)
		}
		req.Buyer.VATRecovery = decimal.NewNullDecimal(share)
	}
	if *asOf != "" {
		d, err := parseDateFlag("--as-of", *asOf)
		if err != nil {
			return fmt.Errorf("quote: %w", err)
		}
		req.AsOf = d
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	return printNewQuote(ctx, marketplace.NewService(st, time.Now), req, *asJSON, stdout)
}

// quoter is what the quote command uses of the marketplace.
type quoter interface {
	Quote(ctx context.Context, req marketplace.QuoteRequest) (marketplace.Quote, error)
	OfferDetail(ctx context.Context, id string) (marketplace.OfferContext, error)
	Now() time.Time
}

// printNewQuote prices and stores req and prints the quote: its lines, or the API's JSON.
func printNewQuote(ctx context.Context, m quoter, req marketplace.QuoteRequest, asJSON bool, stdout io.Writer) error {
	pq, err := m.Quote(ctx, req)
	if err != nil {
		return fmt.Errorf("quote: %w", cliFields(err))
	}
	// The accelerator's name words the base line's label; the quoted offer exists.
	oc, err := m.OfferDetail(ctx, pq.OfferID)
	if err != nil {
		return err
	}
	if asJSON {
		doc, err := web.QuoteDocument(pq, oc.Accelerator, m.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", doc)
		return nil
	}
	printQuote(stdout, pq, oc.Accelerator)
	return nil
}

func printQuote(w io.Writer, pq marketplace.Quote, acc marketplace.Accelerator) {
	q := pq.Priced
	en, names := i18n.Default(), map[string]string{"en": acc.Name}
	fmt.Fprintf(w, "Quote %s for offer %s (as of %s, valid until %s)\n", pq.ID, pq.OfferID, q.AsOf.Format(time.DateOnly), pq.ValidUntil.Format(time.RFC3339))
	fmt.Fprintf(w, "Policy %s v%d (%s…)\n", q.Policy.ID, q.Policy.Version, q.Policy.Hash[:min(12, len(q.Policy.Hash))])
	if rel := q.Reliance(); rel.Confidence != "sourced" {
		fmt.Fprintf(w, "CONFIDENCE: %s — this quote rests on figures that are not sourced:\n", strings.ToUpper(rel.Confidence))
		for _, r := range rel.Reasons {
			fmt.Fprintf(w, "  %s (%s): %s\n", r.Subject, r.Confidence, r.Note)
		}
	}
	fmt.Fprintf(w, "Priced for a %s buyer; supplier established in %s, capacity hosted in %s; tax terms %s\n\n",
		q.Request.BuyerType, strings.Join(web.SupplierPlaces(q.Offer), ", "), q.Offer.Origin, q.TaxTerms)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\tlabel\tamount\tpayable\tconfidence\tsource")
	for _, l := range q.Lines {
		payable := "yes"
		switch {
		case l.Included:
			payable = "included"
		case !l.Payable:
			payable = "no"
		}
		source := l.Source
		if l.AsOf != "" {
			source += " (" + l.AsOf + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", l.Kind, en.LineLabel(i18n.QuoteLine(q, l, names)), en.Money(l.Amount, l.Currency), payable,
			l.Confidence, tariff.Shorten(source, 80))
	}
	tw.Flush()
	// Every amount names its currency (EUR 1,529.78), as the pages do.
	fmt.Fprintf(w, "\nTotal (cash payable):  %s\n", en.Money(q.Total, q.Currency))
	fmt.Fprintf(w, "Net cost:              %s\n", en.Money(q.NetCost, q.Currency))
	fmt.Fprintf(w, "Per GPU-hour:          %s\n", en.UnitPrice(q.PerGPUHour, q.Currency))
	fmt.Fprintf(w, "Per BF16 PFLOP-hour:   %s\n", en.UnitPrice(q.PerPFLOPHour, q.Currency))
	fmt.Fprintf(w, "Energy (estimate):     %s kWh, %s kg CO2e\n", q.EnergyKWh, q.EmissionsKgCO2e)
	for _, f := range q.FX {
		fmt.Fprintf(w, "FX: 1 %s = %s %s (%s, %s)\n", f.From, f.Rate, f.To, f.Date.Format(time.DateOnly), f.Source)
	}
	for _, f := range q.Flags {
		fmt.Fprintf(w, "FLAG [%s] %s: %s", f.Severity, f.Code, f.Message)
		if f.Confidence != "" {
			fmt.Fprintf(w, " (%s; source: %s)", f.Confidence, tariff.Shorten(f.Source, 80))
		}
		fmt.Fprintln(w)
	}
}
