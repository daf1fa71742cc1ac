package marketplace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

// PolicyDoc is a policy or scenario document to store, as written.
type PolicyDoc struct {
	Name string // file name, for error positions
	Data []byte
}

// loadedPolicy is a parsed policy ready to price with, plus the FX shocks of a scenario.
type loadedPolicy struct {
	*tariff.Policy
	scenarioShocks map[string]decimal.Decimal
}

// policyCache keeps parsed documents by hash. Versions are immutable, so a cached parse can
// never be stale, and several server processes may each keep their own.
type policyCache struct {
	mu     sync.Mutex
	byHash map[string]any // *tariff.Policy or *tariff.Scenario
}

func (c *policyCache) get(hash string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.byHash[hash]
	return v, ok
}

func (c *policyCache) put(hash string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byHash == nil {
		c.byHash = map[string]any{}
	}
	c.byHash[hash] = v
}

// docFormat reads the format line of a document without parsing it fully.
func docFormat(data []byte) string {
	s := string(data)
	switch {
	case strings.Contains(s, tariff.FormatScenario):
		return tariff.FormatScenario
	case strings.Contains(s, tariff.FormatPolicy):
		return tariff.FormatPolicy
	}
	return ""
}

// parseDoc parses a stored version (through the cache).
func (s *Service) parseDoc(pv PolicyVersion) (any, error) {
	if v, ok := s.policies.get(pv.Hash); ok {
		return v, nil
	}
	var v any
	var err error
	name := pv.PolicyID + ".v" + fmt.Sprint(pv.Version)
	if pv.Format == tariff.FormatScenario {
		v, err = tariff.ParseScenario(name, pv.Document)
	} else {
		var p *tariff.Policy
		p, err = tariff.ParsePolicy(name, pv.Document)
		if err == nil {
			p.Version = pv.Version
		}
		v = p
	}
	if err != nil {
		return nil, fmt.Errorf("marketplace: stored policy %s v%d no longer parses: %w", pv.PolicyID, pv.Version, err)
	}
	s.policies.put(pv.Hash, v)
	return v, nil
}

// loadPolicyVersion reads and parses one baseline-style policy version.
func (s *Service) loadPolicyVersion(ctx context.Context, id string, version int) (loadedPolicy, error) {
	base, scen, _ := strings.Cut(id, "+")
	pv, err := s.store.PolicyVersionByNumber(ctx, base, version)
	if err != nil {
		return loadedPolicy{}, err
	}
	v, err := s.parseDoc(pv)
	if err != nil {
		return loadedPolicy{}, err
	}
	p, ok := v.(*tariff.Policy)
	if !ok {
		return loadedPolicy{}, fmt.Errorf("marketplace: %s v%d is not a policy", base, version)
	}
	if scen == "" {
		return loadedPolicy{Policy: p}, nil
	}
	return s.applyScenario(ctx, p, scen, time.Now())
}

// policyAt returns the baseline policy in force at the instant at, with scenario overlaid when
// one is named, and the baseline's version number.
func (s *Service) policyAt(ctx context.Context, scenario string, at time.Time) (loadedPolicy, int, error) {
	pv, err := s.store.PolicyVersionAt(ctx, BaselinePolicyID, at)
	if ErrorCode(err) == CodeNotFound {
		return loadedPolicy{}, 0, &Error{Code: CodeUnquotable, Reason: "no_policy", Message: "no baseline policy is stored; start with --seed reference or post one to /api/v1/policies"}
	}
	if err != nil {
		return loadedPolicy{}, 0, err
	}
	v, err := s.parseDoc(pv)
	if err != nil {
		return loadedPolicy{}, 0, err
	}
	p, ok := v.(*tariff.Policy)
	if !ok {
		return loadedPolicy{}, 0, fmt.Errorf("marketplace: baseline v%d is not a policy document", pv.Version)
	}
	if scenario == "" {
		return loadedPolicy{Policy: p}, pv.Version, nil
	}
	lp, err := s.applyScenario(ctx, p, scenario, at)
	return lp, pv.Version, err
}

// applyScenario overlays the scenario version in force at at on base.
func (s *Service) applyScenario(ctx context.Context, base *tariff.Policy, scenario string, at time.Time) (loadedPolicy, error) {
	sv, err := s.store.PolicyVersionAt(ctx, scenario, at)
	if ErrorCode(err) == CodeNotFound {
		return loadedPolicy{}, Invalid("unknown scenario", FieldError{Field: "scenario", Message: "no scenario " + scenario + "; GET /api/v1/policies lists them"})
	}
	if err != nil {
		return loadedPolicy{}, err
	}
	v, err := s.parseDoc(sv)
	if err != nil {
		return loadedPolicy{}, err
	}
	sc, ok := v.(*tariff.Scenario)
	if !ok {
		return loadedPolicy{}, Invalid("not a scenario", FieldError{Field: "scenario", Message: scenario + " is a policy, not a scenario"})
	}
	p, err := sc.Apply(base)
	if err != nil {
		return loadedPolicy{}, Invalid("scenario does not apply", FieldError{Field: "scenario", Message: err.Error()})
	}
	p.Version = base.Version
	return loadedPolicy{Policy: p, scenarioShocks: sc.FXShocks}, nil
}

// AddPolicy validates a policy or scenario document and stores it as the next version of its
// id (or returns the existing version with the same content). activate makes it the version
// in force now.
func (s *Service) AddPolicy(ctx context.Context, doc PolicyDoc, activate bool) (PolicyVersion, bool, error) {
	id, title, format, err := parsePolicyHeader(doc)
	if err != nil {
		return PolicyVersion{}, false, err
	}
	sum := sha256.Sum256(doc.Data)
	pv, created, err := s.store.AddPolicyVersion(ctx, PolicyVersion{PolicyID: id, Format: format, Title: title, Hash: hex.EncodeToString(sum[:]), Document: doc.Data})
	if err != nil {
		return pv, false, err
	}
	if activate {
		if err := s.store.ActivatePolicyVersion(ctx, id, pv.Version, s.now()); err != nil {
			return pv, created, err
		}
		pv.Active = true
	}
	return pv, created, nil
}

// parsePolicyHeader parses a document fully (so it is valid) and returns its id, title and format.
func parsePolicyHeader(doc PolicyDoc) (id, title, format string, err error) {
	format = docFormat(doc.Data)
	var probs tariff.Problems
	switch format {
	case tariff.FormatScenario:
		sc, perr := tariff.ParseScenario(doc.Name, doc.Data)
		if perr == nil {
			return sc.ID, sc.Title, format, nil
		}
		err = perr
	default:
		p, perr := tariff.ParsePolicy(doc.Name, doc.Data)
		if perr == nil {
			return p.ID, p.Title, tariff.FormatPolicy, nil
		}
		err = perr
	}
	if errors.As(err, &probs) {
		fs := make([]FieldError, 0, len(probs))
		for _, p := range probs {
			fs = append(fs, FieldError{Field: fmt.Sprintf("document:%d:%d", p.Line, p.Col), Message: p.String()})
		}
		return "", "", "", Invalid(fmt.Sprintf("the document has %d problems", len(probs)), fs...)
	}
	return "", "", "", Invalid("the document is not a valid policy", FieldError{Field: "document", Message: err.Error()})
}

// SeedPolicies stores the embedded policy and scenario documents that are not stored yet and
// activates each policy that has no version in force. Versions are never changed, so an
// analyst's activated version survives restarts.
func (s *Service) SeedPolicies(ctx context.Context, docs []PolicyDoc) (int, error) {
	added := 0
	for _, d := range docs {
		id, _, _, err := parsePolicyHeader(d)
		if err != nil {
			return added, fmt.Errorf("seed policy %s: %w", d.Name, err)
		}
		_, inForce := s.store.PolicyVersionAt(ctx, id, s.now())
		pv, created, err := s.AddPolicy(ctx, d, false)
		if err != nil {
			return added, fmt.Errorf("seed policy %s: %w", d.Name, err)
		}
		if created {
			added++
		}
		if ErrorCode(inForce) == CodeNotFound {
			// First start: in force from the epoch, so past as_of dates price with it too.
			if err := s.store.ActivatePolicyVersion(ctx, id, pv.Version, time.Unix(0, 0)); err != nil {
				return added, err
			}
		}
	}
	return added, nil
}

// Policies lists every stored version (without documents).
func (s *Service) Policies(ctx context.Context) ([]PolicyVersion, error) {
	return s.store.PolicyVersions(ctx, "")
}

// PolicyVersion reads one version with its document.
func (s *Service) PolicyVersion(ctx context.Context, id string, version int) (PolicyVersion, error) {
	return s.store.PolicyVersionByNumber(ctx, id, version)
}

// ActivatePolicy makes a stored version the one in force from now on.
func (s *Service) ActivatePolicy(ctx context.Context, id string, version int) error {
	return s.store.ActivatePolicyVersion(ctx, id, version, s.now())
}
