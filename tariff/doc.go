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
// A policy is compiled when it is parsed (or a scenario applied): dates become day numbers,
// products and buyers bit sets, origin and destination lists resolved area memberships,
// competition groups numbers, and every charge's labels and constant parts templates. The
// matching phase of an assessment (which measures apply, why the others do not, which
// competitor wins, which gates fire) depends only on a few supply fields and the day, and is
// memoized per policy under exactly those (compiled.go); a hit leaves the copy of the trail
// and the amounts of the measures that apply. Results are identical to the engine before
// (TestAssessMatchesReference checks them against a verbatim copy of it, reference_test.go).
// The trail, flags and charges returned are the caller's; Legal slices are shared with the
// policy's measures and must be treated as read-only.
//
// go test -run=^$ -bench=Assess -benchmem -cpu=1 ./tariff/ on the 2-core AMD EPYC development
// machine (Go 1.26), with the 115-measure baseline and 10,000 H100 GPU-hours hosted in China
// for a German business buyer; before (1872d6e) → after, both measured side by side:
//
//	BenchmarkAssess          25,000–35,000 → 2,500–3,800 ns/op   14,250 → 5,328 B/op   145 → 5 allocs/op
//	BenchmarkAssessCold      21,000–35,000 → 22,000–33,000 ns/op 14,250 → 17,940 B/op  145 → 48 allocs/op
//	BenchmarkParseBaseline   9.5–11 → 7.8–10 ms/op (cpu)         2.40 → 2.60 MB/op     31,572 → 32,994 allocs/op
//
// (the same benchmark measured 46,000–52,000 ns/op before on a busier day; ranges are over
// several runs on a machine shared with other builds; cpu-ns/op, the process CPU time per
// operation, is the steadier figure; allocs/op is exact). BenchmarkAssessCold is a memo miss
// every time (a new day each iteration, the worst case: the day's reasons are made too).
// In pricing (go test -run=^$ -bench=QuoteCrossBorder -benchmem -cpu=1 ./pricing/) a quote
// went from 112,000–129,000 to 180,000–200,000 quotes/s with pricing's test policy, and from
// 29,000–41,000 to 118,000–123,000 quotes/s with the baseline (QuoteCrossBorderBaseline).
//
// Parsing is dominated by the pairwise conflict check of competing measures.
package tariff
