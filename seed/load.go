package seed

import (
	"fmt"
	"sort"
	"strings"

	"corridor/marketplace"
	"corridor/pricing"
)

// FXSnapshotSource is the source recorded for the embedded FX snapshot's rates.
const FXSnapshotSource = "Corridor illustrative FX snapshot (ECB format, not ECB-published figures; see seed/data/fx/SOURCE.md)"

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
	for i := range d.FXRates {
		// The snapshot is in the ECB's format but not the ECB's figures: say so in every quote
		// that uses it, and let a real import of the same day win (see Service.FXOn).
		d.FXRates[i].Source = FXSnapshotSource
	}
	if demo {
		if d.Suppliers, d.Offers, err = DemoMarket(); err != nil {
			return d, nil, fmt.Errorf("seed demo market: %w", err)
		}
	}
	return d, PolicyDocs(), nil
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
