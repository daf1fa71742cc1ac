// Package seed holds Corridor's reference data as embedded, sourced files and loads them into
// marketplace domain values: the East Data West Compute hub nodes and clusters and the EU AI
// Factories (regions.yaml), the accelerator catalogue (accelerators.yaml), a demo market of
// suppliers and offers (demo_market.yaml), a snapshot of the ECB's published reference rates
// (fx/eurofxref-hist.csv) and one illustrative carry-forward row (fx/carry-forward.csv).
//
// The data is embedded so that a fresh binary can seed a database and price quotes offline. Every
// record carries a source, the date the figure refers to and a confidence mark (sourced, estimate
// or illustrative, see marketplace.Confidence), because the reference material mixes official
// figures with low-confidence reports and placeholders, and a user must be able to tell which is
// which wherever a figure is shown. The loaders validate the files strictly (unknown keys,
// missing provenance, bad dates or numbers are errors) and go test runs them, so a broken data
// file fails the build rather than a start-up.
//
// Numbers are written as quoted strings in YAML and parsed with decimal.NewFromString: a YAML
// float would pass through float64 and lose the exact published figure.
//
// TPP and performance density are never typed into the data: Accelerators computes them with
// tariff.TPP and tariff.PerformanceDensity from the dense throughputs, so the catalogue and the
// export-control assessment cannot disagree.
package seed

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"corridor/marketplace"
	"corridor/tariff"
)

//go:embed data
var files embed.FS

// File names inside the embedded data directory.
const (
	regionsFile      = "data/regions.yaml"
	acceleratorsFile = "data/accelerators.yaml"
	demoMarketFile   = "data/demo_market.yaml"
	fxFile           = "data/fx/eurofxref-hist.csv"
	fxCarryFile      = "data/fx/carry-forward.csv"
)

// dateLayout is the YYYY-MM-DD layout used for as_of and availability dates.
const dateLayout = "2006-01-02"

// provenanceRecord is the source, as_of, confidence and note every record carries.
type provenanceRecord struct {
	Source     string `yaml:"source"`
	AsOf       string `yaml:"as_of"`
	Confidence string `yaml:"confidence"`
	Note       string `yaml:"note"`
}

// check reports the first missing or malformed provenance field; an estimate or illustrative
// figure without a note would hide how it was made, so the note is required for those.
func (p provenanceRecord) check() error {
	if strings.TrimSpace(p.Source) == "" {
		return errors.New("source: missing")
	}
	if _, err := time.Parse(dateLayout, p.AsOf); err != nil {
		return fmt.Errorf("as_of: %q is not a YYYY-MM-DD date", p.AsOf)
	}
	switch marketplace.Confidence(p.Confidence) {
	case marketplace.ConfidenceSourced:
	case marketplace.ConfidenceEstimate, marketplace.ConfidenceIllustrative:
		if strings.TrimSpace(p.Note) == "" {
			return fmt.Errorf("note: required when confidence is %s", p.Confidence)
		}
	default:
		return fmt.Errorf("confidence: %q is not sourced, estimate or illustrative", p.Confidence)
	}
	return nil
}

func (p provenanceRecord) domain() marketplace.Provenance {
	return marketplace.Provenance{
		Source:     p.Source,
		AsOf:       p.AsOf,
		Confidence: marketplace.Confidence(p.Confidence),
		Note:       p.Note,
	}
}

// regionRecord is one entry of regions.yaml.
type regionRecord struct {
	Code          string `yaml:"code"`
	Name          string `yaml:"name"`
	NameZH        string `yaml:"name_zh"`
	Country       string `yaml:"country"`
	Bloc          string `yaml:"bloc"`
	Kind          string `yaml:"kind"`
	Province      string `yaml:"province"`
	Class         string `yaml:"class"`
	System        string `yaml:"system"`
	Parent        string `yaml:"parent"`
	Selected      string `yaml:"selected"`
	PUETarget     string `yaml:"pue_target"`
	GridKgPerKWh  string `yaml:"grid_kg_per_kwh"`
	PowerPrice    string `yaml:"power_price"`
	PowerCurrency string `yaml:"power_currency"`
	Lat           string `yaml:"lat"`
	Lon           string `yaml:"lon"`

	provenanceRecord `yaml:",inline"`
}

type regionsDoc struct {
	Regions []regionRecord `yaml:"regions"`
}

// Regions returns the East Data West Compute hub nodes and data-centre clusters and the EU AI
// Factories and Antennas, in file order (hub nodes, clusters, AI Factories by selection round,
// antennas). A cluster's Parent is the code of its hub node.
func Regions() ([]marketplace.Region, error) {
	var doc regionsDoc
	if err := decodeStrict(regionsFile, &doc); err != nil {
		return nil, err
	}
	out := make([]marketplace.Region, 0, len(doc.Regions))
	seen := make(map[string]marketplace.RegionKind, len(doc.Regions)) // code → kind
	for i, r := range doc.Regions {
		reg, err := r.domain()
		if err != nil {
			return nil, fmt.Errorf("seed: %s: region %d (%s): %w", regionsFile, i+1, r.Code, err)
		}
		if _, dup := seen[reg.Code]; dup {
			return nil, fmt.Errorf("seed: %s: region %s: duplicate code", regionsFile, reg.Code)
		}
		seen[reg.Code] = reg.Kind
		out = append(out, reg)
	}
	for _, reg := range out {
		if reg.Kind == marketplace.RegionCluster && seen[reg.Parent] != marketplace.RegionHubNode {
			return nil, fmt.Errorf("seed: %s: region %s: parent %q is not a hub node", regionsFile, reg.Code, reg.Parent)
		}
	}
	return out, nil
}

func (r regionRecord) domain() (marketplace.Region, error) {
	if err := r.provenanceRecord.check(); err != nil {
		return marketplace.Region{}, err
	}
	pue, err := nullDecimal("pue_target", r.PUETarget)
	if err != nil {
		return marketplace.Region{}, err
	}
	grid, err := nullDecimal("grid_kg_per_kwh", r.GridKgPerKWh)
	if err != nil {
		return marketplace.Region{}, err
	}
	price, err := nullDecimal("power_price", r.PowerPrice)
	if err != nil {
		return marketplace.Region{}, err
	}
	reg := marketplace.Region{
		Code:          r.Code,
		Name:          r.Name,
		NameZH:        r.NameZH,
		Country:       r.Country,
		Bloc:          marketplace.Bloc(r.Bloc),
		Kind:          marketplace.RegionKind(r.Kind),
		Province:      r.Province,
		Class:         r.Class,
		System:        r.System,
		Parent:        r.Parent,
		Selected:      r.Selected,
		PUETarget:     pue,
		GridKgPerKWh:  grid,
		PowerPrice:    price,
		PowerCurrency: r.PowerCurrency,
		Lat:           r.Lat,
		Lon:           r.Lon,
		Provenance:    r.provenanceRecord.domain(),
	}
	return reg, reg.Validate()
}

// acceleratorRecord is one entry of accelerators.yaml. There is deliberately no tpp field:
// strict decoding rejects one, so TPP can only come from tariff.TPP.
type acceleratorRecord struct {
	Model         string     `yaml:"model"`
	Name          string     `yaml:"name"`
	NameZH        string     `yaml:"name_zh"`
	Vendor        string     `yaml:"vendor"`
	VendorCountry string     `yaml:"vendor_country"`
	MemoryGB      string     `yaml:"memory_gb"`
	BandwidthGBs  string     `yaml:"bandwidth_gbs"`
	BF16TFLOPS    string     `yaml:"bf16_tflops"`
	FP16TFLOPS    string     `yaml:"fp16_tflops"`
	FP8TFLOPS     string     `yaml:"fp8_tflops"`
	INT8TOPS      string     `yaml:"int8_tops"`
	TDPW          string     `yaml:"tdp_w"`
	DieAreaMM2    string     `yaml:"die_area_mm2"`
	Fab           *fabRecord `yaml:"fab"`

	provenanceRecord `yaml:",inline"`
}

// fabRecord is where an accelerator's wafers are fabricated, with its own provenance.
type fabRecord struct {
	Country          string `yaml:"country"`
	provenanceRecord `yaml:",inline"`
}

// AcceleratorFab is the wafer-fab country of a catalogued accelerator: the customs origin of
// its integrated circuits under China's rule (a US-designed chip made by TSMC is Taiwanese),
// for tariff.Accelerator.FabCountry. A model without a published fab has none.
type AcceleratorFab struct {
	Country string // ISO 3166-1 alpha-2
	marketplace.Provenance
}

// AcceleratorFabs returns the fab country of every catalogued accelerator that has one, by model.
func AcceleratorFabs() (map[string]AcceleratorFab, error) {
	var doc acceleratorsDoc
	if err := decodeStrict(acceleratorsFile, &doc); err != nil {
		return nil, err
	}
	out := map[string]AcceleratorFab{}
	for i, r := range doc.Accelerators {
		if r.Fab == nil {
			continue
		}
		if err := r.Fab.check(); err != nil {
			return nil, fmt.Errorf("seed: %s: accelerator %d (%s): fab: %w", acceleratorsFile, i+1, r.Model, err)
		}
		out[r.Model] = AcceleratorFab{Country: r.Fab.Country, Provenance: r.Fab.provenanceRecord.domain()}
	}
	return out, nil
}

// check validates a fab record: a known country and complete provenance.
func (f *fabRecord) check() error {
	if !tariff.IsCountry(f.Country) {
		return fmt.Errorf("country: %q is not an ISO 3166-1 alpha-2 code", f.Country)
	}
	return f.provenanceRecord.check()
}

type acceleratorsDoc struct {
	Accelerators []acceleratorRecord `yaml:"accelerators"`
}

// Accelerators returns the accelerator catalogue in file order. Throughputs are dense (no
// sparsity); a zero means unsupported or not published (the record's note says which). TPP is
// computed by AcceleratorTPP and Density by tariff.PerformanceDensity (zero when the die area is
// unknown).
func Accelerators() ([]marketplace.Accelerator, error) {
	var doc acceleratorsDoc
	if err := decodeStrict(acceleratorsFile, &doc); err != nil {
		return nil, err
	}
	out := make([]marketplace.Accelerator, 0, len(doc.Accelerators))
	seen := make(map[string]bool, len(doc.Accelerators))
	for i, r := range doc.Accelerators {
		a, err := r.domain()
		if err != nil {
			return nil, fmt.Errorf("seed: %s: accelerator %d (%s): %w", acceleratorsFile, i+1, r.Model, err)
		}
		if seen[a.Model] {
			return nil, fmt.Errorf("seed: %s: accelerator %s: duplicate model", acceleratorsFile, a.Model)
		}
		seen[a.Model] = true
		out = append(out, a)
	}
	return out, nil
}

// AcceleratorTPP is the one place the catalogue's TPP comes from: tariff.TPP over the dense
// 16-bit (BF16 and FP16), 8-bit (FP8 and INT8) throughputs of a. Zero throughputs (unsupported
// or unpublished) contribute nothing.
func AcceleratorTPP(a marketplace.Accelerator) decimal.Decimal {
	return tariff.TPP([]tariff.Throughput{
		{BitLength: 16, DenseTOPS: a.BF16TFLOPS},
		{BitLength: 16, DenseTOPS: a.FP16TFLOPS},
		{BitLength: 8, DenseTOPS: a.FP8TFLOPS},
		{BitLength: 8, DenseTOPS: a.INT8TOPS},
	})
}

func (r acceleratorRecord) domain() (marketplace.Accelerator, error) {
	if err := r.provenanceRecord.check(); err != nil {
		return marketplace.Accelerator{}, err
	}
	if r.Model == "" || r.Name == "" || r.Vendor == "" || len(r.VendorCountry) != 2 {
		return marketplace.Accelerator{}, errors.New("model, name, vendor and a two-letter vendor_country are required")
	}
	if r.Fab != nil {
		if err := r.Fab.check(); err != nil {
			return marketplace.Accelerator{}, fmt.Errorf("fab: %w", err)
		}
	}
	a := marketplace.Accelerator{
		Model:         r.Model,
		Name:          r.Name,
		NameZH:        r.NameZH,
		Vendor:        r.Vendor,
		VendorCountry: r.VendorCountry,
		Provenance:    r.provenanceRecord.domain(),
	}
	if r.Fab != nil {
		a.FabCountry, a.Fab = r.Fab.Country, r.Fab.provenanceRecord.domain()
	}
	fields := []struct {
		name string
		text string
		dst  *decimal.Decimal
	}{
		{"memory_gb", r.MemoryGB, &a.MemoryGB},
		{"bandwidth_gbs", r.BandwidthGBs, &a.BandwidthGBs},
		{"bf16_tflops", r.BF16TFLOPS, &a.BF16TFLOPS},
		{"fp16_tflops", r.FP16TFLOPS, &a.FP16TFLOPS},
		{"fp8_tflops", r.FP8TFLOPS, &a.FP8TFLOPS},
		{"int8_tops", r.INT8TOPS, &a.INT8TOPS},
		{"tdp_w", r.TDPW, &a.TDPW},
		{"die_area_mm2", r.DieAreaMM2, &a.DieAreaMM2},
	}
	for _, f := range fields {
		d, err := decimalOrZero(f.name, f.text)
		if err != nil {
			return marketplace.Accelerator{}, err
		}
		*f.dst = d
	}
	a.TPP = AcceleratorTPP(a)
	a.Density = tariff.PerformanceDensity(a.TPP, a.DieAreaMM2)
	return a, nil
}

// supplierRecord is one supplier of demo_market.yaml.
type supplierRecord struct {
	ID      string `yaml:"id"`
	Name    string `yaml:"name"`
	Country string `yaml:"country"`
	Demo    bool   `yaml:"demo"`

	provenanceRecord `yaml:",inline"`
}

// tierRecord is one volume discount of an offer.
type tierRecord struct {
	MinGPUHours string `yaml:"min_gpu_hours"`
	Discount    string `yaml:"discount"`
}

// offerRecord is one offer of demo_market.yaml.
type offerRecord struct {
	ID             string       `yaml:"id"`
	Supplier       string       `yaml:"supplier"`
	Region         string       `yaml:"region"`
	Accelerator    string       `yaml:"accelerator"`
	Product        string       `yaml:"product"`
	GPUs           int          `yaml:"gpus"`
	Price          string       `yaml:"price"`
	Currency       string       `yaml:"currency"`
	Pricing        string       `yaml:"pricing"`
	MinHours       int          `yaml:"min_hours"`
	TermMonths     int          `yaml:"term_months"`
	Tiers          []tierRecord `yaml:"tiers"`
	AvailableFrom  string       `yaml:"available_from"`
	AvailableUntil string       `yaml:"available_until"`
	HSCode         string       `yaml:"hs_code"`
	Demo           bool         `yaml:"demo"`

	provenanceRecord `yaml:",inline"`
}

type demoMarketDoc struct {
	Suppliers []supplierRecord `yaml:"suppliers"`
	Offers    []offerRecord    `yaml:"offers"`
}

// DemoMarket returns the demo suppliers and offers, in file order. Everything in it is
// illustrative: the suppliers do not exist and the prices only sit inside the ranges the
// reference data reports; both are flagged Demo so the store and the UI can tell them apart
// (and the "reference" seed mode can leave them out). Offers reference regions, accelerators and
// suppliers that exist; dates are fixed so that seeding twice gives the same rows.
func DemoMarket() ([]marketplace.Supplier, []marketplace.Offer, error) {
	var doc demoMarketDoc
	if err := decodeStrict(demoMarketFile, &doc); err != nil {
		return nil, nil, err
	}
	regions, err := Regions()
	if err != nil {
		return nil, nil, err
	}
	accels, err := Accelerators()
	if err != nil {
		return nil, nil, err
	}
	regionCodes := make([]string, len(regions))
	for i, r := range regions {
		regionCodes[i] = r.Code
	}
	accelModels := make([]string, len(accels))
	for i, a := range accels {
		accelModels[i] = a.Model
	}

	suppliers := make([]marketplace.Supplier, 0, len(doc.Suppliers))
	supplierSet := make(map[string]bool, len(doc.Suppliers))
	for i, s := range doc.Suppliers {
		if err := s.check(); err != nil {
			return nil, nil, fmt.Errorf("seed: %s: supplier %d (%s): %w", demoMarketFile, i+1, s.ID, err)
		}
		if supplierSet[s.ID] {
			return nil, nil, fmt.Errorf("seed: %s: supplier %s: duplicate id", demoMarketFile, s.ID)
		}
		supplierSet[s.ID] = true
		suppliers = append(suppliers, marketplace.Supplier{ID: s.ID, Name: s.Name, Country: s.Country, Demo: true})
	}

	offers := make([]marketplace.Offer, 0, len(doc.Offers))
	offerSet := make(map[string]bool, len(doc.Offers))
	for i, o := range doc.Offers {
		off, err := o.domain(regionCodes, accelModels)
		if err == nil {
			switch {
			case !supplierSet[o.Supplier]:
				err = fmt.Errorf("supplier: %q does not exist", o.Supplier)
			case offerSet[o.ID]:
				err = errors.New("duplicate id")
			}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("seed: %s: offer %d (%s): %w", demoMarketFile, i+1, o.ID, err)
		}
		offerSet[o.ID] = true
		offers = append(offers, off)
	}
	return suppliers, offers, nil
}

func (s supplierRecord) check() error {
	if err := s.provenanceRecord.check(); err != nil {
		return err
	}
	if s.ID == "" || s.Name == "" || len(s.Country) != 2 {
		return errors.New("id, name and a two-letter country are required")
	}
	if !s.Demo || s.Confidence != string(marketplace.ConfidenceIllustrative) {
		return errors.New("demo suppliers must say demo: true and confidence: illustrative")
	}
	return nil
}

// domain checks an offer of the demo market: its provenance and demo marks here, everything
// else with the marketplace's own validation of a new offer (marketplace.ValidateOffer).
func (o offerRecord) domain(regions, accelerators []string) (marketplace.Offer, error) {
	if err := o.provenanceRecord.check(); err != nil {
		return marketplace.Offer{}, err
	}
	if !o.Demo || o.Confidence != string(marketplace.ConfidenceIllustrative) {
		return marketplace.Offer{}, errors.New("demo offers must say demo: true and confidence: illustrative")
	}
	if !marketplace.IsID(o.ID) {
		return marketplace.Offer{}, fmt.Errorf("id: %q is not an id (letters, digits, - and _)", o.ID)
	}
	in := marketplace.OfferInput{Region: &o.Region, Accelerator: &o.Accelerator, Product: &o.Product, GPUs: &o.GPUs,
		Price: &o.Price, Currency: &o.Currency, Pricing: &o.Pricing, MinHours: &o.MinHours, TermMonths: &o.TermMonths,
		AvailableFrom: &o.AvailableFrom, AvailableUntil: &o.AvailableUntil, HSCode: &o.HSCode, Note: &o.Note}
	if len(o.Tiers) > 0 {
		tiers := make([]marketplace.TierInput, len(o.Tiers))
		for i := range o.Tiers {
			tiers[i] = marketplace.TierInput{MinGPUHours: &o.Tiers[i].MinGPUHours, Discount: &o.Tiers[i].Discount}
		}
		in.Tiers = &tiers
	}
	off, err := marketplace.ValidateOffer(in, regions, accelerators)
	if err != nil {
		return marketplace.Offer{}, err
	}
	off.ID, off.SupplierID = o.ID, o.Supplier
	off.Status, off.Version, off.Demo = marketplace.OfferActive, 1, true
	return off, nil
}

// FXSnapshotName is the file name FXSnapshot reports, the one the ECB uses, so the fx importer
// picks the historical-CSV parser.
const FXSnapshotName = "eurofxref-hist.csv"

// FXCarryForwardName is the file name FXCarryForward reports.
const FXCarryForwardName = "carry-forward.csv"

// FXSnapshot returns the embedded snapshot of the ECB's published euro reference rates, verbatim
// rows of the ECB's eurofxref-hist.csv (EUR base, newest first): every TARGET day from
// 2024-01-02 to 2025-05-09, then 2025-10-09 and 2025-10-21 (see FXSnapshotProvenance and
// data/fx/SOURCE.md). It holds no invented figure. The bytes are a copy: callers may keep or
// modify them.
func FXSnapshot() (name string, data []byte) {
	return FXSnapshotName, embedded(fxFile)
}

// FXCarryForward returns the one illustrative row (same CSV layout) that lets an offline start
// price today's quotes: the ECB fixing of 2025-10-21 repeated under 2026-11-27. It is not an
// ECB figure; Load labels its rates FXCarryForwardSource, and a real import of the same day
// wins over it (see marketplace.Service.FXOn). The bytes are a copy.
func FXCarryForward() (name string, data []byte) {
	return FXCarryForwardName, embedded(fxCarryFile)
}

// embedded returns a copy of an embedded file that must exist.
func embedded(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("seed: embedded " + name + " missing: " + err.Error()) // a build defect, caught by go test
	}
	return b
}

// FXSnapshotProvenance says where the FX snapshot's figures come from. The rows of
// FXSnapshot are the ECB's published reference rates, copied verbatim (sourced); the one row of
// FXCarryForward is illustrative and its rates carry FXCarryForwardSource as their source.
func FXSnapshotProvenance() marketplace.Provenance {
	return marketplace.Provenance{
		Source: "ECB euro foreign exchange reference rates (https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.csv), " +
			"rows 2024-01-02 to 2025-05-09 copied verbatim from the mirror https://github.com/h0tbird/eurofxref (eurofxref-hist.csv, " +
			"commit 1be77cd409e46895ef4ae634e3aabec682cbfeab); 2025-10-09 and 2025-10-21 from eurofxref-daily.xml responses " +
			"quoted in public test fixtures (2025-10-21: partisiablockchain OffChainFetchExchangeRateTest; 2025-10-09: a " +
			"Wallet.Client ECB client test, public code corpus file id 4628215051)",
		AsOf:       "2025-10-21",
		Confidence: marketplace.ConfidenceSourced,
		Note: "Published ECB figures only: every TARGET day 2024-01-02 … 2025-05-09, then 2025-10-09 and 2025-10-21 " +
			"(no rows in between). Separately, data/fx/carry-forward.csv has one ILLUSTRATIVE row dated 2026-11-27 that " +
			"repeats the 2025-10-21 fixing (EUR 1 = CNY 8.2626) so an offline start can price today's quotes; its rates " +
			"are labelled \"" + FXCarryForwardSource + "\" in every quote that uses them. " +
			"Import current ECB rates with `corridor fx import` before relying on a quote.",
	}
}

// decodeStrict decodes one embedded YAML file into v.
func decodeStrict(name string, v any) error {
	b, err := files.ReadFile(name)
	if err != nil {
		return fmt.Errorf("seed: %s: %w", name, err)
	}
	if err := yamlDecodeStrict(b, v); err != nil {
		return fmt.Errorf("seed: %s: %w", name, err)
	}
	return nil
}

// yamlDecodeStrict rejects unknown keys and trailing documents, so a typo in a field name (or a
// typed-in tpp) is an error rather than a silently ignored value.
func yamlDecodeStrict(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return err
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return errors.New("more than one YAML document")
	}
	return nil
}

// nullDecimal parses an optional decimal; the empty string means "not found in the sources",
// which is different from zero.
func nullDecimal(field, s string) (decimal.NullDecimal, error) {
	if s == "" {
		return decimal.NullDecimal{}, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.NullDecimal{}, fmt.Errorf("%s: %q is not a decimal", field, s)
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}, nil
}

// decimalOrZero parses an optional non-negative decimal for the accelerator catalogue, whose
// domain type uses zero for "unsupported or unknown".
func decimalOrZero(field, s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil || d.IsNegative() {
		return decimal.Zero, fmt.Errorf("%s: %q is not a non-negative decimal", field, s)
	}
	return d, nil
}
