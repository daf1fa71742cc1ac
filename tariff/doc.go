// Package tariff is Corridor's pure tariff engine: the policy language (YAML/JSON documents of
// measures), its validator with line/column errors, scenario overlays, export-control
// classification of accelerators, and the assessment of one cross-border supply into ordered,
// explained charges and flags. It imports no web, database or marketplace package (only the
// standard library, shopspring/decimal and yaml.v3); amounts it returns are unrounded
// (rounding belongs to pricing). The language is documented in docs/policy-language.md.
//
// # Using it
//
//	p, err := tariff.ParsePolicy("baseline.yaml", data) // err is tariff.Problems on bad input
//	a, err := tariff.Assess(p, supply, asOf)            // a.Charges, a.Flags, a.Trail, a.Blocked
//
// A scenario overlays a policy: s, _ := tariff.ParseScenario(name, data); q, _ := s.Apply(p).
// Validate and ValidateScenarioAgainst return every problem of a document with its position.
//
// # Conventions
//
//   - Reverse-charged VAT (liability: buyer) is returned with Payable false: shown, not part of
//     Assessment.Total.
//   - Chinese withholding VAT is Payable (a cash cost the buyer withholds and pays over) and
//     Recoverable for a business buyer; base gross_payment means amount = gross ÷ (1+r) × r.
//   - Subsidies and export rebates are negative amounts.
//   - Gates never price: they produce flags; a block gate stops pricing.
//   - The engine never rounds; divisions keep 28 decimal places.
//
// # Performance
//
// go test -bench . -benchtime 3s on the 2-core AMD EPYC development machine (Go 1.26), with the
// 115-measure baseline and 10,000 H100 GPU-hours hosted in China for a German business buyer:
//
//	BenchmarkAssess-2          46,000–52,000 ns/op   14,250 B/op      145 allocs/op
//	BenchmarkParseBaseline-2   14–17 ms/op           2.4 MB/op     31,572 allocs/op
//
// (ranges over several runs on a machine shared with other builds; allocs/op is exact).
//
// Assessment is linear in the number of measures; parsing is dominated by the pairwise conflict
// check of competing measures.
package tariff
