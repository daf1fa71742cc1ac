package marketplace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/sync/singleflight"

	"corridor/pricing"
	"corridor/tariff"
)

// BaselinePolicyID is the policy every quote is priced under unless a scenario is named.
const BaselinePolicyID = "baseline"

// PolicyDoc is a policy or scenario document to store, as written.
type PolicyDoc struct {
	Name string // file name, for error positions
	Data []byte
}

// ResolvedPolicy is a compiled policy ready to price with, and the stored versions it was
// compiled from: the baseline version and, when a scenario is overlaid, the scenario version.
// It is shared read-only between requests (the compiled policies are cached by hash).
type ResolvedPolicy struct {
	Policy   *tariff.Policy
	Baseline pricing.PolicyRef
	Scenario pricing.PolicyRef          // zero without a scenario
	FXShocks map[string]decimal.Decimal // the scenario's FX shocks, applied to the snapshot
	// Quotas is the volume of each tariff quota of Policy, by measure id, per period.
	Quotas map[string]decimal.Decimal
}

// shock applies the scenario's FX shocks to the snapshot (a copy); a shocked currency without
// a rate on the date cannot be priced (no_fx_rate).
func (p ResolvedPolicy) shock(fx pricing.Snapshot) (pricing.Snapshot, error) {
	if len(p.FXShocks) == 0 {
		return fx, nil
	}
	shocked, err := fx.Shock(p.FXShocks)
	if err != nil {
		return fx, &Error{Code: CodeUnquotable, Reason: pricing.ReasonNoFXRate, Err: err,
			Message: fmt.Sprintf("scenario %s moves a currency that has no rate on %s", p.Scenario.ID, fx.Date.Format(time.DateOnly))}
	}
	return shocked, nil
}

// policyCache keeps parsed documents and compiled policies by hash. Versions are immutable, so
// a cached entry can never be stale, and several server processes may each keep their own.
type policyCache struct {
	docs     lockedMap[any]            // document hash → *tariff.Policy or *tariff.Scenario
	compiled lockedMap[ResolvedPolicy] // baseline hash + "/" + scenario hash → compiled
	// compiling lets one request compile a pair of versions while the others that need it
	// wait for that result: after an activation under load every request in flight needs the
	// new version, and each parsing the 112 KB document itself cost 64 parses at once (0.8 s
	// of CPU) when the bench harness's 64 connections started quoting.
	compiling singleflight.Group
}

// lockedMap is a map safe for concurrent use.
type lockedMap[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

func (c *lockedMap[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *lockedMap[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]V{}
	}
	c.m[key] = v
}

func compiledKey(baselineHash, scenarioHash string) string { return baselineHash + "/" + scenarioHash }

// parsed returns the parsed document of a stored version (through the cache), reading the
// document when the version was read without it.
func (s *Service) parsed(ctx context.Context, pv PolicyVersion) (any, error) {
	if v, ok := s.policies.docs.get(pv.Hash); ok {
		return v, nil
	}
	if pv.Document == nil {
		full, err := s.store.PolicyVersionByNumber(ctx, pv.PolicyID, pv.Version)
		if err != nil {
			return nil, err
		}
		if full.Hash != pv.Hash {
			return nil, fmt.Errorf("marketplace: policy %s v%d: stored hash %s, expected %s", pv.PolicyID, pv.Version, full.Hash, pv.Hash)
		}
		pv = full
	}
	var v any
	var err error
	name := fmt.Sprintf("%s.v%d", pv.PolicyID, pv.Version)
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
	s.policies.docs.put(pv.Hash, v)
	return v, nil
}

// ResolvePolicy returns the policy to price with at the instant at: the baseline version in
// force then, with the version of scenario in force then overlaid when scenario is not empty.
// Both are compiled once per pair of versions and cached; which versions are in force comes
// from the reference data cache (refcache.go). A scenario that no longer applies to the baseline is refused as unquotable without
// showing its problems (they are the operator's, kept in the error's cause for the log).
func (s *Service) ResolvePolicy(ctx context.Context, scenario string, at time.Time) (ResolvedPolicy, error) {
	d, err := s.reference(ctx)
	if err != nil {
		return ResolvedPolicy{}, err
	}
	return s.resolvePolicy(ctx, d, scenario, at)
}

// resolvePolicy is ResolvePolicy on the reference data d: the versions in force come from
// memory, and the database is read only to parse a version not compiled yet.
func (s *Service) resolvePolicy(ctx context.Context, d *refData, scenario string, at time.Time) (ResolvedPolicy, error) {
	bv, err := d.policyInForce(BaselinePolicyID, at)
	if ErrorCode(err) == CodeNotFound {
		return ResolvedPolicy{}, &Error{Code: CodeUnquotable, Reason: "no_policy", Err: err,
			Message: "no baseline policy is stored; start with --seed reference or post one to /api/v1/policies"}
	}
	if err != nil {
		return ResolvedPolicy{}, err
	}
	var sv *PolicyVersion
	if scenario != "" {
		v, err := d.policyInForce(scenario, at)
		if ErrorCode(err) == CodeNotFound {
			e := Invalid("unknown scenario", FieldError{Field: "scenario", Message: "no scenario " + quoteField(scenario) + "; GET /api/v1/policies lists them"})
			e.Err = err
			return ResolvedPolicy{}, e
		}
		if err != nil {
			return ResolvedPolicy{}, err
		}
		sv = &v
	}
	return s.compile(ctx, bv, sv)
}

// PolicyOf returns the policy compiled from exactly the versions baseline and scenario name
// (scenario zero for none), as a stored quote records them: re-pricing uses it, whatever has
// been activated since.
func (s *Service) PolicyOf(ctx context.Context, baseline, scenario pricing.PolicyRef) (ResolvedPolicy, error) {
	if rp, ok := s.policies.compiled.get(compiledKey(baseline.Hash, scenario.Hash)); ok {
		return rp, nil
	}
	bv, err := s.store.PolicyVersionByNumber(ctx, baseline.ID, baseline.Version)
	if err != nil {
		return ResolvedPolicy{}, err
	}
	var sv *PolicyVersion
	if !scenario.IsZero() {
		v, err := s.store.PolicyVersionByNumber(ctx, scenario.ID, scenario.Version)
		if err != nil {
			return ResolvedPolicy{}, err
		}
		sv = &v
	}
	rp, err := s.compile(ctx, bv, sv)
	if err != nil {
		return rp, err
	}
	if rp.Baseline.Hash != baseline.Hash || rp.Scenario.Hash != scenario.Hash {
		return ResolvedPolicy{}, fmt.Errorf("marketplace: policy versions %+v and %+v are stored with other hashes", baseline, scenario)
	}
	return rp, nil
}

// compile parses the baseline version bv, overlays the scenario version sv (nil for none) and
// caches the result under the pair of document hashes.
func (s *Service) compile(ctx context.Context, bv PolicyVersion, sv *PolicyVersion) (ResolvedPolicy, error) {
	scenHash := ""
	if sv != nil {
		scenHash = sv.Hash
	}
	key := compiledKey(bv.Hash, scenHash)
	if rp, ok := s.policies.compiled.get(key); ok {
		return rp, nil
	}
	// The compilation is shared by the requests that wait for it, so no one request's
	// cancellation ends it (it reads at most two stored versions and parses them); a request
	// that nobody waits for any more stops waiting.
	flight := context.WithoutCancel(ctx)
	done := s.policies.compiling.DoChan(key, func() (any, error) {
		if rp, ok := s.policies.compiled.get(key); ok { // compiled by a flight that just ended
			return rp, nil
		}
		return s.compileUncached(flight, key, bv, sv)
	})
	select {
	case r := <-done:
		if r.Err != nil {
			return ResolvedPolicy{}, r.Err
		}
		return r.Val.(ResolvedPolicy), nil
	case <-ctx.Done():
		return ResolvedPolicy{}, &Error{Code: CodeUnavailable, Message: "request cancelled or timed out", Err: ctx.Err()}
	}
}

// compileUncached is compile without the cache: one flight of s.policies.compiling.
func (s *Service) compileUncached(ctx context.Context, key string, bv PolicyVersion, sv *PolicyVersion) (ResolvedPolicy, error) {
	v, err := s.parsed(ctx, bv)
	if err != nil {
		return ResolvedPolicy{}, err
	}
	base, ok := v.(*tariff.Policy)
	if !ok {
		return ResolvedPolicy{}, fmt.Errorf("marketplace: %s v%d is not a policy document", bv.PolicyID, bv.Version)
	}
	rp := ResolvedPolicy{Policy: base, Baseline: pricing.PolicyRef{ID: bv.PolicyID, Version: bv.Version, Hash: bv.Hash}}
	if sv != nil {
		v, err := s.parsed(ctx, *sv)
		if err != nil {
			return ResolvedPolicy{}, err
		}
		sc, ok := v.(*tariff.Scenario)
		if !ok {
			return ResolvedPolicy{}, Invalid("not a scenario", FieldError{Field: "scenario", Message: sv.PolicyID + " is a policy, not a scenario"})
		}
		p, err := sc.Apply(base)
		if err != nil {
			return ResolvedPolicy{}, &Error{Code: CodeUnquotable, Reason: "scenario_not_applicable", Err: err,
				Message: fmt.Sprintf("scenario %s (version %d) does not apply to baseline version %d; the operator must fix or replace it", sv.PolicyID, sv.Version, bv.Version),
				Fields:  []FieldError{{Field: "scenario", Message: "cannot be applied to the baseline policy in force"}}}
		}
		p.Version = base.Version
		rp.Policy, rp.FXShocks = p, sc.FXShocks
		rp.Scenario = pricing.PolicyRef{ID: sv.PolicyID, Version: sv.Version, Hash: sv.Hash}
	}
	for _, m := range rp.Policy.Measures {
		if m.Quota != nil {
			if rp.Quotas == nil {
				rp.Quotas = map[string]decimal.Decimal{}
			}
			rp.Quotas[m.ID] = m.Quota.Volume
		}
	}
	s.policies.compiled.put(key, rp)
	return rp, nil
}

// ValidatePolicyDocs checks policy and scenario documents the way both `corridor policy
// validate` and the policy API do, and returns every problem with its file, line and column:
// each policy on its own, then each scenario against the policy its base names (one of docs,
// else the one base returns), or for its overlay syntax alone when there is no such policy.
func ValidatePolicyDocs(docs []PolicyDoc, base func(id string) *tariff.Policy) tariff.Problems {
	var all tariff.Problems
	add := func(name string, err error) {
		var ps tariff.Problems
		if errors.As(err, &ps) {
			all = append(all, ps...)
		} else if err != nil {
			all = append(all, tariff.Problem{File: name, Message: err.Error()})
		}
	}
	// Every document on its own first (its format field says which it is), so that scenarios
	// can then be checked against the policies among them.
	parsed := make([]tariff.Document, len(docs))
	policies := map[string]*tariff.Policy{}
	for i, d := range docs {
		doc, err := tariff.ParseDocument(d.Name, d.Data)
		if err != nil {
			add(d.Name, err)
			continue
		}
		parsed[i] = doc
		if doc.Policy != nil {
			policies[doc.Policy.ID] = doc.Policy
		}
	}
	for i, d := range docs {
		sc := parsed[i].Scenario
		if sc == nil {
			continue
		}
		b := policies[sc.Base]
		if b == nil && base != nil {
			b = base(sc.Base)
		}
		if b != nil {
			all = append(all, tariff.ValidateScenarioAgainst(b, d.Name, d.Data)...)
		}
	}
	return all
}

// problemsError turns a document's problems into a validation error naming each position as
// "document:LINE:COL".
func problemsError(code Code, message string, probs tariff.Problems) *Error {
	fs := make([]FieldError, 0, len(probs))
	for _, p := range probs {
		fs = append(fs, FieldError{Field: fmt.Sprintf("document:%d:%d", p.Line, p.Col), Message: p.String()})
	}
	return &Error{Code: code, Message: fmt.Sprintf(message, len(probs)), Fields: fs, Err: probs}
}

// policyHeader is what storing a document needs to know of it.
type policyHeader struct {
	id, title, format, base string
}

// readPolicyHeader parses a document (only for its header: ValidatePolicyDocs checks it) and
// checks its id.
func readPolicyHeader(doc PolicyDoc) (policyHeader, error) {
	var h policyHeader
	d, err := tariff.ParseDocument(doc.Name, doc.Data)
	if err == nil {
		h = policyHeader{id: d.ID(), title: d.Title(), format: d.Format}
		if d.Scenario != nil {
			h.base = d.Scenario.Base
		}
	}
	var probs tariff.Problems
	switch {
	case errors.As(err, &probs):
		return h, problemsError(CodeInvalid, "the document has %d problems", probs)
	case err != nil:
		return h, &Error{Code: CodeInvalid, Message: "the document is not a valid policy", Err: err,
			Fields: []FieldError{{Field: "document", Message: err.Error()}}}
	}
	if msg := policyIDProblem(h.id); msg != "" {
		return h, Invalid("invalid policy id", FieldError{Field: "id", Message: msg})
	}
	return h, nil
}

// policyIDProblem says what is wrong with a policy or scenario id ("" when nothing): a slug of
// at most MaxPolicyIDLen characters.
func policyIDProblem(id string) string {
	switch {
	case len(id) > MaxPolicyIDLen:
		return fmt.Sprintf("is %d characters long; the limit is %d", len(id), MaxPolicyIDLen)
	case !IsSlug(id):
		return "must be lowercase letters, digits and - _ . (starting and ending with a letter or digit), not " + quoteField(id)
	}
	return ""
}

// CheckPolicyID refuses a policy or scenario id that cannot exist, naming field.
func CheckPolicyID(field, id string) error {
	if msg := policyIDProblem(id); msg != "" {
		return Invalid("invalid policy id", FieldError{Field: field, Message: msg})
	}
	return nil
}

// basePolicy returns the policy in force now with id, parsed, for validating scenarios
// against it; nil when there is none.
func (s *Service) basePolicy(ctx context.Context, id string) (*tariff.Policy, error) {
	pv, err := s.store.PolicyVersionInForce(ctx, id, s.now())
	if ErrorCode(err) == CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v, err := s.parsed(ctx, pv)
	if err != nil {
		return nil, err
	}
	p, _ := v.(*tariff.Policy)
	return p, nil
}

// checkAgainstBase runs ValidatePolicyDocs on doc with the policy in force now as the base of
// a scenario, which must exist: a scenario is only stored or activated when it applies to it.
func (s *Service) checkAgainstBase(ctx context.Context, doc PolicyDoc, h policyHeader, code Code) error {
	var base *tariff.Policy
	if h.format == tariff.FormatScenario {
		var err error
		if base, err = s.basePolicy(ctx, h.base); err != nil {
			return err
		}
		if base == nil {
			return &Error{Code: code, Message: "the scenario's base policy is not stored",
				Fields: []FieldError{{Field: "base", Message: "no policy " + quoteField(h.base) + " is in force; a scenario must apply to a stored policy"}}}
		}
	}
	if probs := ValidatePolicyDocs([]PolicyDoc{doc}, func(string) *tariff.Policy { return base }); len(probs) > 0 {
		return problemsError(code, "the document has %d problems", probs)
	}
	return nil
}

// AddPolicy validates a policy or scenario document exactly as `corridor policy validate`
// does, with a scenario checked against the version of its base policy in force now, and
// stores it as the next version of its id (or returns the existing version with the same
// content). activate makes it the version in force now.
func (s *Service) AddPolicy(ctx context.Context, doc PolicyDoc, activate bool) (PolicyVersion, bool, error) {
	h, err := readPolicyHeader(doc)
	if err != nil {
		return PolicyVersion{}, false, err
	}
	if err := s.checkAgainstBase(ctx, doc, h, CodeInvalid); err != nil {
		return PolicyVersion{}, false, err
	}
	pv, created, err := s.storePolicy(ctx, doc, h)
	if err != nil {
		return pv, false, err
	}
	if activate {
		if err := s.store.ActivatePolicyVersion(ctx, h.id, pv.Version, s.now()); err != nil {
			return pv, created, err
		}
		pv.Active = true
	}
	return pv, created, nil
}

func (s *Service) storePolicy(ctx context.Context, doc PolicyDoc, h policyHeader) (PolicyVersion, bool, error) {
	sum := sha256.Sum256(doc.Data)
	return s.store.AddPolicyVersion(ctx, PolicyVersion{PolicyID: h.id, Format: h.format, Title: h.title, Hash: hex.EncodeToString(sum[:]), Document: doc.Data})
}

// SeedPolicies stores the embedded policy and scenario documents that are not stored yet and
// activates each policy that has no version in force. The documents are checked together, as
// `corridor policy validate` checks them; versions are never changed, so an analyst's activated
// version survives restarts.
func (s *Service) SeedPolicies(ctx context.Context, docs []PolicyDoc) (int, error) {
	if probs := ValidatePolicyDocs(docs, nil); len(probs) > 0 {
		return 0, fmt.Errorf("seed policies: %w", probs)
	}
	added := 0
	for _, d := range docs {
		h, err := readPolicyHeader(d)
		if err != nil {
			return added, fmt.Errorf("seed policy %s: %w", d.Name, err)
		}
		_, inForce := s.store.PolicyVersionInForce(ctx, h.id, s.now())
		pv, created, err := s.storePolicy(ctx, d, h)
		if err != nil {
			return added, fmt.Errorf("seed policy %s: %w", d.Name, err)
		}
		if created {
			added++
		}
		if ErrorCode(inForce) == CodeNotFound {
			// First start: in force from the epoch, so past as_of dates price with it too.
			if err := s.store.ActivatePolicyVersion(ctx, h.id, pv.Version, time.Unix(0, 0)); err != nil {
				return added, err
			}
		}
	}
	return added, nil
}

// Policies lists every stored version (without documents), marking those in force now.
func (s *Service) Policies(ctx context.Context) ([]PolicyVersion, error) {
	return s.store.PolicyVersions(ctx, "", s.now())
}

// PolicyVersion reads one version with its document.
func (s *Service) PolicyVersion(ctx context.Context, id string, version int) (PolicyVersion, error) {
	if err := checkVersionRef(id, version); err != nil {
		return PolicyVersion{}, err
	}
	return s.store.PolicyVersionByNumber(ctx, id, version)
}

func checkVersionRef(id string, version int) error {
	if err := CheckPolicyID("id", id); err != nil {
		return err
	}
	if version < 1 {
		return Invalid("bad version", FieldError{Field: "n", Message: "the version must be a whole number ≥ 1"})
	}
	return nil
}

// ActivatePolicy makes a stored version the one in force from now on. A scenario version is
// checked against the version of its base policy in force now and refused (CodeConflict, with
// the problems' positions) when it does not apply to it.
func (s *Service) ActivatePolicy(ctx context.Context, id string, version int) error {
	if err := checkVersionRef(id, version); err != nil {
		return err
	}
	pv, err := s.store.PolicyVersionByNumber(ctx, id, version)
	if err != nil {
		return err
	}
	doc := PolicyDoc{Name: fmt.Sprintf("%s.v%d", pv.PolicyID, pv.Version), Data: pv.Document}
	if pv.Format == tariff.FormatScenario {
		h, err := readPolicyHeader(doc)
		if err != nil {
			return err
		}
		if err := s.checkAgainstBase(ctx, doc, h, CodeConflict); err != nil {
			return err
		}
	}
	return s.store.ActivatePolicyVersion(ctx, id, version, s.now())
}
