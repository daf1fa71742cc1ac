// Package whatif is Corridor's what-if engine: it prices a study — a basket of flows × the
// baseline and scenarios × an optional sweep of one parameter — and aggregates the quotes into
// the tables an analyst reads: per flow and scenario the landed cost, its difference to the
// baseline and the lines that changed; landed cost by buyer country, origin and bloc; revenue
// by who collects it; the cheapest origin of every need and, along a sweep, where it switches.
//
// It is pure: it imports pricing, tariff, decimal and the standard library, reads no file,
// database or clock, and calls nothing back. The caller resolves a study first (flows from the
// market, an uploaded basket or past orders; policy and scenario versions compiled; the FX
// snapshot in force on the pricing date, which the scenarios' shocks are applied to here; the
// quota volume already used) and passes it to Evaluate:
//
//	rows, err := whatif.ParseBasket("basket.csv", file, whatif.RequestLimits{MaxGPUs: 100_000, MaxHours: 87_600})
//	// … resolve each row's origin and accelerator to offer terms: flows = append(flows, row.Flow(terms))
//	sweep, err := whatif.ParseSweep("eu-levy-cn.rate=0%..30% step 2.5%")
//	res, err := whatif.Evaluate(ctx, &whatif.Study{
//		AsOf: day, Currency: "EUR", FX: snapshot,
//		Baseline:  whatif.Scenario{ID: "baseline", Policy: baseline, Ref: …},
//		Scenarios: []whatif.Scenario{{ID: "eu-levy", Policy: withLevy, FXShocks: shocks, Ref: …}},
//		Sweep:     &sweep, Flows: flows, QuotaUsed: used,
//	}, whatif.Options{Progress: &progress})
//	for _, t := range res.Tables() { whatif.WriteCSV(w, t) } // or res.WriteJSON(w)
//
// # What is priced
//
// Every flow is priced with pricing.Price under the baseline and every scenario as written
// (these give the per-flow table), and, with a sweep, under every swept scenario at every
// point. A sweep varies, in every scenario other than the baseline that has the measure (in
// all of them for an FX sweep), one field of a measure (tariff.Policy.WithMeasureField) or the
// shock of one currency (pricing.Snapshot.Shock, replacing the scenario's own shock of it).
// When the study has no scenario besides the baseline, the baseline itself is swept. The
// baseline as written is always the reference for differences.
//
// Each scenario's policy and FX snapshot are used as given; each sweep point's are derived
// once per study, when the first worker reaches the point, and released when its last flow
// is priced. Flows are priced independently of each other, each against the quota balances of
// the study (a quota's volume less Study.QuotaUsed): one flow does not use up quota for
// another. Subsidies are priced as if the buyer had used none of its cap.
//
// # Streaming and determinism
//
// Workers (GOMAXPROCS by default) take items from a shared counter: blocks of flows priced
// under every scenario as written, then block after block of flows at each sweep point. Each
// worker adds its quotes into aggregates of its own, which are merged at the end: sums of
// rounded lines are exact (integers of minor units), minima break ties by flow order, and
// every table is sorted, so the result and its exports are the same bytes however many
// workers ran and in whatever order. No quote is held beyond its flow (only the lines of
// quotes reused along a sweep, see below): memory grows with the flows and the tables (needs
// × origins × points for the sweep series), not with the number of quotes.
//
// A quote the sweep provably cannot change — the swept measure does not apply to the flow
// (it decides amounts, never whether a measure matches; customs duty alternatives, chosen by
// amount, are always priced), or the flow converts nothing from or into the swept currency —
// is priced once and added at every point (Options.PriceAll prices every one; the result is
// the same).
//
// # Breakpoints
//
// Along a sweep, wherever the cheapest origin of a need differs between two neighbouring
// points, a Breakpoint says where it switches: MethodAtPoint when both cost the same at a
// point; MethodSolved when the two landed costs, interpolated linearly between the points,
// meet at a value where pricing both again confirms it (within one minor unit per rounded
// line: an ad valorem rate on a fixed base, a currency shock and a quota's volume while it
// binds are linear); otherwise MethodBracket, the two points between which it lies.
//
// # Revenue
//
// Each measure line is attributed to its measure's jurisdiction: what is paid (payable lines,
// and taxes withheld from the price) is Collected; what a business buyer deducts again is
// Recovered; Net is the difference. Reverse-charged VAT is not collected (the buyer declares
// and deducts it at once). Subsidies and export rebates are negative revenue.
//
// # Trade effects
//
// While pricing the scenarios as written, the evaluator also sums, per scenario, buyer
// country and origin, the flows priced under both the scenario and the baseline: their
// supplier value (the baseline's net price, at the baseline's rates), their landed cost under
// both, and the measure amounts buyers bear per collecting jurisdiction (Result.Trade; memory
// grows with scenarios × countries × origins). Result.TradeEffects turns these into the
// inputs of the WITS-SMART partial-equilibrium model (package effects) for one importing
// market — a country, or the EU's member states — with origins or blocs as sources, and runs
// it per scenario: the wedge of a source is its landed cost over its supplier value, less one,
// split among the jurisdictions that collect it.
package whatif
