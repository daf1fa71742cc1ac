package marketplace

import (
	"context"
	"time"
)

// PolicyVersion is one stored version of a policy or scenario document. Versions are
// immutable; activation history is kept, so the version in force on any date can be found.
type PolicyVersion struct {
	PolicyID    string
	Version     int
	Format      string // corridor.policy/v1 | corridor.scenario/v1
	Title       string
	Hash        string // sha256 of Document
	Document    []byte // the document as written (YAML or JSON)
	CreatedAt   time.Time
	ActivatedAt *time.Time // the latest activation of this version, nil if never active
	Active      bool       // the version in force now
}

// PolicyStore holds tariff policy documents, their versions and activations.
type PolicyStore interface {
	// AddPolicyVersion stores doc as the next version of its policy, unless a version with the
	// same hash exists, in which case that version is returned with created=false.
	AddPolicyVersion(ctx context.Context, v PolicyVersion) (stored PolicyVersion, created bool, err error)
	// ActivatePolicyVersion makes version the one in force from at onwards.
	ActivatePolicyVersion(ctx context.Context, policyID string, version int, at time.Time) error
	// PolicyVersionInForce returns the version of policyID in force at the instant at, without
	// its document: the latest activated on or before it, or else the earliest activated one.
	PolicyVersionInForce(ctx context.Context, policyID string, at time.Time) (PolicyVersion, error)
	// PolicyVersions lists the versions of policyID (of every policy when empty), without
	// documents, marking the versions in force at now.
	PolicyVersions(ctx context.Context, policyID string, now time.Time) ([]PolicyVersion, error)
	// PolicyVersionByNumber reads one version with its document.
	PolicyVersionByNumber(ctx context.Context, policyID string, version int) (PolicyVersion, error)
	// PolicyActivations lists every activation of every policy, ordered by instant, then in
	// the order they were recorded.
	PolicyActivations(ctx context.Context) ([]PolicyActivation, error)
}

// PolicyActivation records that a version of a policy came into force at the Unix second At.
type PolicyActivation struct {
	PolicyID string
	Version  int
	At       int64
}
