package marketplace

import "corridor/tariff"

// ExportClass returns the accelerator's class under US ECCN 3A090 as its published specs
// decide it (tariff.ClassifyAccelerator, the rule the policy's gates match): "3a090a",
// "3a090b", "unknown" when the specs cannot decide (no TPP, or a TPP at which the density
// prongs decide and no die area) — never "none" for want of a figure — or "none". It is for
// display and search; flags on quotes come from the policy's gate measures.
func ExportClass(a Accelerator) string {
	c := tariff.ClassifyAccelerator(a.tariff())
	if c == "" {
		return string(tariff.ExportClassUnknown) // a catalogue entry always names a model
	}
	return string(c)
}

// tariff is the engine's view of the accelerator: what export-control and origin conditions
// read.
func (a Accelerator) tariff() tariff.Accelerator {
	return tariff.Accelerator{Model: a.Model, VendorCountry: a.VendorCountry, FabCountry: a.FabCountry, TPP: a.TPP, Density: a.Density}
}
