package tariff

import (
	"errors"
	"time"

	"github.com/shopspring/decimal"
)

// NOTE: placeholder API surface so dependent packages compile; the tariff work replaces the
// bodies (and may add fields) but keeps these names and signatures.

// Policy is a parsed, validated policy document (format corridor.policy/v1).
type Policy struct {
	ID    string
	Title string
	Hash  string // sha256 hex of the canonical document bytes; quotes record it
}

// Scenario is a parsed scenario document (format corridor.scenario/v1) overlaying a base policy.
type Scenario struct {
	ID       string
	Base     string
	Title    string
	FXShocks map[string]decimal.Decimal // currency → relative change vs EUR, e.g. CNY: -0.05
}

// ParsePolicy decodes and validates a policy document (YAML or JSON). name is used in error
// positions. A validation failure returns Problems (all of them).
func ParsePolicy(name string, data []byte) (*Policy, error) {
	return nil, errors.New("tariff: ParsePolicy not implemented")
}

// ParseScenario decodes and validates a scenario document (YAML or JSON).
func ParseScenario(name string, data []byte) (*Scenario, error) {
	return nil, errors.New("tariff: ParseScenario not implemented")
}

// Apply overlays the scenario on base and returns a new policy (base is not changed).
func (s *Scenario) Apply(base *Policy) (*Policy, error) {
	return nil, errors.New("tariff: Scenario.Apply not implemented")
}

// Assess evaluates the policy for one supply on the date asOf.
func Assess(p *Policy, s Supply, asOf time.Time) (Assessment, error) {
	return Assessment{}, errors.New("tariff: Assess not implemented")
}
