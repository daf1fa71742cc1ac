package seed

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"corridor/marketplace"
	"corridor/pricing"
)

// FXCarryForwardSource is the source recorded for the rates of the illustrative carry-forward row
// (FXCarryForward). The rates of the ECB snapshot (FXSnapshot) keep pricing.SourceECB: they are
// the ECB's published figures, so a later `corridor fx import` of the same days adds nothing.
const FXCarryForwardSource = "Illustrative: ECB fixing of 2025-10-21 carried forward to 2026-11-27 (no newer rates offline; import current ECB rates with corridor fx import)"

// FXCarriedFrom is the day of the ECB fixing the carry-forward row repeats (pricing.Rate's
// CarriedFrom on its rates).
var FXCarriedFrom = time.Date(2025, 10, 21, 0, 0, 0, 0, time.UTC)

// Load returns everything a start seeds: the reference data (regions, accelerators, the FX
// snapshot), the demo market when demo is true, and the policy documents (baseline first,
// then scenarios by file name, so version numbers are the same on every machine).
func Load(demo bool) (marketplace.SeedData, []marketplace.PolicyDoc, error) {
	var d marketplace.SeedData
	var err error
	if d.Regions, err = Regions(); err != nil {
		return d, nil, fmt.Errorf("seed regions: %w", err)
	}
	if d.Accelerators, err = Accelerators(); err != nil {
		return d, nil, fmt.Errorf("seed accelerators: %w", err)
	}
	name, raw := FXSnapshot()
	if d.FXRates, err = pricing.ParseECB(name, raw); err != nil {
		return d, nil, fmt.Errorf("seed fx snapshot %s: %w", name, err)
	}
	for _, r := range d.FXRates {
		if r.Source != pricing.SourceECB { // ParseECB marks every rate it reads as the ECB's
			return d, nil, fmt.Errorf("seed fx snapshot %s: rate %s %s has source %q, want %q", name, r.Date.Format(dateLayout), r.Currency, r.Source, pricing.SourceECB)
		}
	}
	name, raw = FXCarryForward()
	carried, err := pricing.ParseECB(name, raw)
	if err != nil {
		return d, nil, fmt.Errorf("seed fx carry-forward %s: %w", name, err)
	}
	for i := range carried {
		// Not an ECB figure: say so in every quote that uses it (a carried-forward rate raises
		// fx.stale), and let a real import of the same day win (see Service.FXOn).
		carried[i].Source, carried[i].CarriedFrom = FXCarryForwardSource, FXCarriedFrom
	}
	d.FXRates = append(d.FXRates, carried...)
	if demo {
		if d.Suppliers, d.Offers, err = DemoMarket(); err != nil {
			return d, nil, fmt.Errorf("seed demo market: %w", err)
		}
		d.DemoIndex = DemoIndexHistory(d.Accelerators)
	}
	return d, PolicyDocs(), nil
}

// Report counts what Into inserted; all zeros on a second call.
type Report struct {
	marketplace.SeedReport
	PolicyVersions int
}

// Into seeds a marketplace with the reference data, the demo market when demo is true, and the
// policy library (Load); it only inserts what is missing, so every start may call it.
func Into(ctx context.Context, m *marketplace.Service, demo bool) (Report, error) {
	data, docs, err := Load(demo)
	if err != nil {
		return Report{}, err
	}
	var r Report
	if r.SeedReport, err = m.Seed(ctx, data); err != nil {
		return r, err
	}
	r.PolicyVersions, err = m.SeedPolicies(ctx, docs)
	return r, err
}

// PolicyDocs returns the embedded baseline policy and scenario library as documents to store,
// baseline first, then by file name.
func PolicyDocs() []marketplace.PolicyDoc {
	files := PolicyFiles()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		bi, bj := strings.Contains(names[i], "baseline"), strings.Contains(names[j], "baseline")
		if bi != bj {
			return bi
		}
		return names[i] < names[j]
	})
	docs := make([]marketplace.PolicyDoc, len(names))
	for i, name := range names {
		docs[i] = marketplace.PolicyDoc{Name: name, Data: files[name]}
	}
	return docs
}
