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
// The flags and charges returned are the caller's; the trail and Legal slices are shared
// (with other assessments of the same match, and with the policy's measures) and must be
// treated as read-only.
//
// go test -run=^$ -bench=. -benchmem -cpu=1,2 ./tariff/ on the 2-core AMD EPYC development
// machine (Go 1.26), with the 115-measure baseline and 10,000 H100 GPU-hours hosted in China
// for a German business buyer; before (1872d6e) and after, run alternately on the same
// (busy, shared) machine, ranges over several runs:
//
//	                          before                          after
//	BenchmarkAssess           23,000–47,000 ns/op             2,800–6,400 ns/op
//	                          14,250 B/op  145 allocs/op      5,328 B/op  5 allocs/op
//	BenchmarkAssessCold       21,000–40,000 ns/op             19,000–32,000 ns/op
//	                          14,250 B/op  145 allocs/op      14,740 B/op  46 allocs/op
//	BenchmarkParseBaseline    8.6–11 ms/op (cpu)              8.5–12.5 ms/op (cpu)
//	                          2.40 MB/op  31,572 allocs/op    2.60 MB/op  32,994 allocs/op
//
// In every side-by-side run BenchmarkAssess took 6–10 times less time (cpu-ns/op, the process
// CPU time per operation, is the steadier figure on a shared machine; allocs/op is exact; the
// table once recorded 46,000–52,000 ns/op for the old engine on a busier day). Of the ~3 µs
// left, about two thirds is allocating and copying the caller's 4.6 kB trail (115 entries);
// the rest is the memo lookup and the one VAT line. BenchmarkAssessCold misses the memo every
// time (a new day each iteration, so the day's date reasons are made as well): the cost of
// the first assessment of a supply shape.
//
// Since then the baseline grew to 148 measures (domestic VAT) and the trail is shared
// read-only instead of copied (copy-on-write when a computed note or a customs choice changes
// it): BenchmarkAssess -cpu=1 is 930 ns/op, 464 B/op, 4 allocs/op (11:15 UTC 2026-11-28, quiet
// machine), and pricing's QuoteCrossBorderBaseline 185,000 quotes/s on one core.
//
// In pricing (go test -run=^$ -bench=QuoteCrossBorder -benchmem -cpu=1 ./pricing/) a quote
// went from 112,000–129,000 to 180,000–200,000 quotes/s with pricing's test policy, and from
// 29,000–41,000 to 118,000–123,000 quotes/s with the baseline (QuoteCrossBorderBaseline).
//
// Parsing is dominated by the pairwise conflict check of competing measures.
package tariff
