package whatif

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// Limits of a study.
const (
	// MaxFlows is the most flows a study may price.
	MaxFlows = 1_000_000
	// MaxScenarios is the most scenarios a study may compare with its baseline.
	MaxScenarios = 20
	// MaxEvaluations bounds flows × (scenarios + swept scenarios × sweep points), the number
	// of quotes a study prices.
	MaxEvaluations = 50_000_000
)

// BaselineID is the ID a study gives its baseline scenario when the caller gives none.
const BaselineID = "baseline"

// Study is everything a study prices, resolved by the caller before evaluation: the flows,
// the baseline and the scenarios (compiled policies with their refs and FX shocks), an
// optional sweep, the pricing date, the FX snapshot in force on it, and the quota volume
// already used. Evaluate reads nothing else: the same Study gives the identical Result.
type Study struct {
	AsOf      time.Time            // the pricing date (its calendar day, UTC)
	Currency  string               // every flow is priced, and every aggregate summed, in it
	FX        pricing.Snapshot     // the rates in force on AsOf
	Rounding  pricing.RoundingMode // empty means half up
	Baseline  Scenario             // the reference every difference is taken against
	Scenarios []Scenario           // compared with the baseline, in this order
	Sweep     *Sweep               // optional: one parameter varied over a range
	Flows     []Flow
	// QuotaUsed is the volume of each quota (by measure id) already used in the period that
	// contains AsOf; a quota's remaining balance is its volume (as the scenario or sweep point
	// sets it) less this. Missing ids have used nothing. Flows are priced independently
	// against these balances: one flow does not use up quota for another.
	QuotaUsed map[string]decimal.Decimal
}

// Scenario is one state of policy a study prices under.
type Scenario struct {
	ID       string         // unique in the study; the baseline's defaults to "baseline"
	Title    string         // for tables and charts
	Policy   *tariff.Policy // compiled: the base policy version with the scenario applied; nil prices without measures
	Ref      Ref            // the versions it was built from, recorded in the result
	FXShocks map[string]decimal.Decimal
}

// Ref names the documents a scenario's policy was built from.
type Ref struct {
	PolicyID        string
	PolicyVersion   int
	ScenarioID      string // "" for the baseline
	ScenarioVersion int
	Hash            string // the compiled policy's hash
}

// Flow is one priced alternative: an offer's terms and the request to price with them.
// Flows with the same Need are alternative sources of one demand; the study finds the
// cheapest of them under every scenario.
type Flow struct {
	ID      string // the offer id (CSV rows name it)
	Need    string // "" groups the flow by buyer, accelerator, product and quantity
	Origin  string // the origin to report: a region code, or a bloc; "" means the offer's region
	Bloc    string // CN | EU; "" means the offer's bloc
	Offer   pricing.OfferTerms
	Request pricing.Request // Currency and AsOf are the study's
}

// Options tune an evaluation without changing its result.
type Options struct {
	// Workers is the number of goroutines pricing flows; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, counts the evaluations done as the evaluation goes (for a progress
	// bar polled by another goroutine).
	Progress *Progress
	// PriceAll prices every flow at every point of a sweep, even where the swept parameter
	// provably cannot change its quote (a measure that does not apply to it, a currency it
	// does not convert); the result is the same, only slower. For tests and benchmarks.
	PriceAll bool
}

// Progress counts an evaluation's work: Done of Total evaluations (flows × scenario states).
type Progress struct {
	done, total atomic.Int64
}

// Done returns the evaluations done so far.
func (p *Progress) Done() int64 { return p.done.Load() }

// Total returns the evaluations to do in all (0 until it has started).
func (p *Progress) Total() int64 { return p.total.Load() }

// StudyError is a study that cannot be evaluated: Field names the input at fault
// ("scenarios[1].id", "sweep", "flows[3].request.currency"), Message says why.
type StudyError struct {
	Field   string
	Message string
}

// Error implements error.
func (e *StudyError) Error() string { return "whatif: " + e.Field + ": " + e.Message }

func studyErr(field, format string, args ...any) *StudyError {
	return &StudyError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// check validates a study's inputs (those pricing does not check itself).
func (s *Study) check() error {
	if s.AsOf.IsZero() {
		return studyErr("as_of", "the pricing date is missing")
	}
	if !pricing.KnownCurrency(s.Currency) {
		return studyErr("currency", "unknown currency %q", s.Currency)
	}
	if !s.Rounding.Valid() {
		return studyErr("rounding", "unknown rounding mode %q", s.Rounding)
	}
	if len(s.Flows) == 0 {
		return studyErr("flows", "the basket is empty")
	}
	if len(s.Flows) > MaxFlows {
		return studyErr("flows", "%d flows; at most %d", len(s.Flows), MaxFlows)
	}
	if len(s.Scenarios) > MaxScenarios {
		return studyErr("scenarios", "%d scenarios; at most %d besides the baseline", len(s.Scenarios), MaxScenarios)
	}
	seen := map[string]string{}
	for i, sc := range s.allScenarios() {
		field := "baseline"
		if i > 0 {
			field = fmt.Sprintf("scenarios[%d]", i-1)
		}
		if sc.ID == "" {
			return studyErr(field+".id", "missing id")
		}
		if prev, dup := seen[sc.ID]; dup {
			return studyErr(field+".id", "%q is also the id of %s", sc.ID, prev)
		}
		seen[sc.ID] = field
		for cur, ch := range sc.FXShocks {
			if !ch.GreaterThan(decimal.NewFromInt(-1)) {
				return studyErr(field+".fx_shocks."+cur, "a currency cannot lose 100%% or more")
			}
		}
	}
	for i := range s.Flows {
		f := &s.Flows[i]
		if f.Request.Currency != "" && f.Request.Currency != s.Currency {
			return studyErr(fmt.Sprintf("flows[%d].request.currency", i), "%s; the study prices in %s", f.Request.Currency, s.Currency)
		}
	}
	return nil
}

// allScenarios returns the baseline (its ID defaulted) followed by the scenarios.
func (s *Study) allScenarios() []Scenario {
	b := s.Baseline
	if b.ID == "" {
		b.ID = BaselineID
	}
	return append([]Scenario{b}, s.Scenarios...)
}
