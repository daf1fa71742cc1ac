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
// A policy is compiled when it is parsed (or a scenario applied, or a what-if derived):
// dates become day numbers and shared validity periods, products and buyers bit sets, place
// lists indices of areas, competition groups numbers, and every charge's labels and constant
// parts templates. The matching phase of an assessment (which measures apply, why the others
// do not, which competitor wins, which gates fire) depends only on a few supply fields and
// the day; memo.go caches it per policy on three levels (the route a supply takes, what the
// remaining checks say of the few measures that route leaves, and every field matching
// reads), in bounded memory, so that a supply shape seen before costs a lookup and a new one
// usually checks only a handful of measures. A derived policy whose change cannot alter
// matching (a rate, a quota, a subsidy's share) shares its parent's compiled measures and
// cache. Results are identical to the engine before (TestAssessMatchesReference and
// TestAssessUnderPressureMatchesReference check them against a verbatim copy of it,
// reference_test.go). The flags and charges returned are the caller's; the trail and Legal
// slices are shared (with other assessments of the same match, and with the policy's
// measures) and must be treated as read-only. Parsing is dominated by YAML decoding.
//
// The benchmarks (bench_test.go), their figures before and after the route and outcome
// cache, measured side by side with the rest of the quote path, and the cache's memory bounds
// are in this directory's README.md.
package tariff
