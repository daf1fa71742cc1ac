package tariff

import (
	"time"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"
)

// Document formats.
const (
	FormatPolicy   = "corridor.policy/v1"
	FormatScenario = "corridor.scenario/v1"
)

// Policy is a parsed, validated policy document (format corridor.policy/v1), or the result of
// applying a scenario to one. It is immutable once returned: share it between goroutines freely.
type Policy struct {
	ID          string
	Title       string
	Hash        string // sha256 hex of the document bytes (of both documents after Scenario.Apply); quotes record it
	Version     int    // assigned by storage; the engine does not use it
	Description string
	Source      string          // the file name the policy was parsed from
	Areas       map[string]Area // named groups of countries with dated membership, by id
	Measures    []Measure       // in document order (scenario additions appended)
	Scenarios   []string        // ids of the scenarios applied, in order

	idx *compiled // the assessment index, built when the policy is parsed or a scenario applied
}

// Scenario is a parsed scenario document (format corridor.scenario/v1) overlaying a base policy.
type Scenario struct {
	ID          string
	Base        string
	Title       string
	Description string
	Hash        string                     // sha256 hex of the document bytes
	FXShocks    map[string]decimal.Decimal // currency → relative change vs EUR, e.g. CNY: -0.05
	Changes     []Change                   // in document order
	file        string
}

// ChangeOp is what a scenario change does to its base policy.
type ChangeOp string

// Scenario change operations.
const (
	ChangeAdd     ChangeOp = "add"
	ChangeModify  ChangeOp = "modify"
	ChangeSuspend ChangeOp = "suspend"
)

// Change is one overlay of a scenario: add a measure, modify fields of one, or suspend one.
type Change struct {
	Op      ChangeOp
	ID      string  // the measure concerned
	Measure Measure // add: the measure (checked against the base's areas when applied)
	Line    int     // position of the change in the scenario document
	Col     int
	node    *yaml.Node // modify: the fields to replace
}

// ParsePolicy decodes and validates a policy document (YAML or JSON). name is used in error
// positions. A validation failure returns Problems (all of them).
func ParsePolicy(name string, data []byte) (*Policy, error) {
	p, probs := parsePolicy(name, data)
	if len(probs) > 0 {
		return nil, probs
	}
	return p, nil
}

// ParseScenario decodes and validates a scenario document (YAML or JSON). Only what can be
// checked without the base policy is checked here; Apply checks the rest.
func ParseScenario(name string, data []byte) (*Scenario, error) {
	s, probs := parseScenario(name, data)
	if len(probs) > 0 {
		return nil, probs
	}
	return s, nil
}

// Apply overlays the scenario on base and returns a new policy (base is not changed) whose ID
// is "<base id>+<scenario id>" and whose Hash combines both documents' hashes. Added and
// modified measures are validated against the base's areas; problems are returned as Problems.
func (s *Scenario) Apply(base *Policy) (*Policy, error) {
	p, probs := s.apply(base)
	if len(probs) > 0 {
		return nil, probs
	}
	return p, nil
}

// Assess evaluates the policy for one supply on the date asOf (its calendar day in asOf's
// location). It returns charges in order of computation, flags, and a trail with one
// consideration per measure. Amounts are unrounded, in s.Currency. The slices returned are
// the caller's, except the Legal references of charges and flags, which are the measures'
// own and must not be modified. Assess may be called from many goroutines on one policy.
//
// The policy caches which of its measures apply to the supplies it has assessed (see
// memo.go; at most about 25 MiB per policy, tariff/README.md), so repeated supply shapes
// are cheap.
func Assess(p *Policy, s Supply, asOf time.Time) (Assessment, error) {
	return assess(p, s, asOf)
}
