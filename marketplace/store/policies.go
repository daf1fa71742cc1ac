package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"corridor/marketplace"
)

type policyVersionRow struct {
	PolicyID  string `gorm:"primaryKey;size:128"`
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Format    string `gorm:"size:32;not null"`
	Title     string `gorm:"not null"`
	Hash      string `gorm:"size:64;not null;index"`
	Document  string `gorm:"type:text;not null"`
	CreatedAt time.Time
}

func (policyVersionRow) TableName() string { return "policy_versions" }

// policyActivationRow records that a version came into force at an instant; the version in
// force at t is the one with the latest activation at or before t.
type policyActivationRow struct {
	ID          uint64 `gorm:"primaryKey"`
	PolicyID    string `gorm:"size:128;not null;index:policy_act,priority:1"`
	Version     int    `gorm:"not null"`
	ActivatedAt int64  `gorm:"not null;index:policy_act,priority:2"`
}

func (policyActivationRow) TableName() string { return "policy_activations" }

func (r policyVersionRow) domain(withDoc bool) marketplace.PolicyVersion {
	v := marketplace.PolicyVersion{PolicyID: r.PolicyID, Version: r.Version, Format: r.Format, Title: r.Title, Hash: r.Hash, CreatedAt: r.CreatedAt.UTC()}
	if withDoc {
		v.Document = []byte(r.Document)
	}
	return v
}

// AddPolicyVersion stores the next version of a policy unless the same document is stored.
func (s *Store) AddPolicyVersion(ctx context.Context, v marketplace.PolicyVersion) (marketplace.PolicyVersion, bool, error) {
	var out marketplace.PolicyVersion
	created := false
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		var same []policyVersionRow
		if err := tx.Where("policy_id = ? AND hash = ?", v.PolicyID, v.Hash).Limit(1).Find(&same).Error; err != nil {
			return err
		}
		if len(same) == 1 {
			out, created = same[0].domain(true), false
			return nil
		}
		var maxVer int
		if err := tx.Model(&policyVersionRow{}).Where("policy_id = ?", v.PolicyID).Select("COALESCE(MAX(version), 0)").Scan(&maxVer).Error; err != nil {
			return err
		}
		row := policyVersionRow{PolicyID: v.PolicyID, Version: maxVer + 1, Format: v.Format, Title: v.Title, Hash: v.Hash, Document: string(v.Document)}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		out, created = row.domain(true), true
		return bumpReference(tx, refPolicies)
	})
	return out, created, translate("add policy version", err)
}

// ActivatePolicyVersion makes version the one in force from at.
func (s *Store) ActivatePolicyVersion(ctx context.Context, policyID string, version int, at time.Time) error {
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&policyVersionRow{}).Where("policy_id = ? AND version = ?", policyID, version).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return &marketplace.Error{Code: marketplace.CodeNotFound, Message: "no such policy version"}
		}
		if err := tx.Create(&policyActivationRow{PolicyID: policyID, Version: version, ActivatedAt: at.Unix()}).Error; err != nil {
			return err
		}
		return bumpReference(tx, refPolicies)
	})
	return translate("activate policy version", err)
}

// PolicyVersionInForce returns the version in force at at, without its document: one read of
// the activations and one of the version's columns.
func (s *Store) PolicyVersionInForce(ctx context.Context, policyID string, at time.Time) (marketplace.PolicyVersion, error) {
	db := s.gormDB(ctx)
	var acts []policyActivationRow
	err := db.Where("policy_id = ? AND activated_at <= ?", policyID, at.Unix()).Order("activated_at DESC, id DESC").Limit(1).Find(&acts).Error
	if err == nil && len(acts) == 0 {
		err = db.Where("policy_id = ?", policyID).Order("activated_at ASC, id ASC").Limit(1).Find(&acts).Error
	}
	if err != nil {
		return marketplace.PolicyVersion{}, translate("policy in force", err)
	}
	if len(acts) == 0 {
		return marketplace.PolicyVersion{}, &marketplace.Error{Code: marketplace.CodeNotFound, Message: "policy " + policyID + " has no active version"}
	}
	var row policyVersionRow
	err = db.Select("policy_id, version, format, title, hash, created_at").Where("policy_id = ? AND version = ?", policyID, acts[0].Version).Take(&row).Error
	if err != nil {
		return marketplace.PolicyVersion{}, translate("policy in force", err)
	}
	v := row.domain(false)
	t := time.Unix(acts[0].ActivatedAt, 0).UTC()
	v.ActivatedAt = &t
	return v, nil
}

// PolicyVersionAt returns the version in force at at with its document.
func (s *Store) PolicyVersionAt(ctx context.Context, policyID string, at time.Time) (marketplace.PolicyVersion, error) {
	v, err := s.PolicyVersionInForce(ctx, policyID, at)
	if err != nil {
		return v, err
	}
	full, err := s.PolicyVersionByNumber(ctx, policyID, v.Version)
	full.ActivatedAt = v.ActivatedAt
	return full, err
}

// PolicyVersions lists the versions of policyID (all policies when empty), without documents,
// marking the ones in force at at.
func (s *Store) PolicyVersions(ctx context.Context, policyID string, at time.Time) ([]marketplace.PolicyVersion, error) {
	db := s.gormDB(ctx)
	q := db.Select("policy_id, version, format, title, hash, created_at").Order("policy_id, version")
	if policyID != "" {
		q = q.Where("policy_id = ?", policyID)
	}
	var rows []policyVersionRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate("list policy versions", err)
	}
	var acts []policyActivationRow
	aq := db.Order("activated_at, id")
	if policyID != "" {
		aq = aq.Where("policy_id = ?", policyID)
	}
	if err := aq.Find(&acts).Error; err != nil {
		return nil, translate("list policy activations", err)
	}
	now := at.Unix()
	latest := map[string]policyActivationRow{} // per policy: the activation in force at at
	lastOf := map[[2]any]int64{}               // per version: its latest activation
	for _, a := range acts {
		if a.ActivatedAt <= now {
			latest[a.PolicyID] = a
		}
		lastOf[[2]any{a.PolicyID, a.Version}] = a.ActivatedAt
	}
	out := make([]marketplace.PolicyVersion, len(rows))
	for i, r := range rows {
		out[i] = r.domain(false)
		if at, ok := lastOf[[2]any{r.PolicyID, r.Version}]; ok {
			t := time.Unix(at, 0).UTC()
			out[i].ActivatedAt = &t
		}
		if a, ok := latest[r.PolicyID]; ok && a.Version == r.Version {
			out[i].Active = true
		}
	}
	return out, nil
}

// PolicyVersionByNumber reads one version with its document.
func (s *Store) PolicyVersionByNumber(ctx context.Context, policyID string, version int) (marketplace.PolicyVersion, error) {
	var row policyVersionRow
	err := s.gormDB(ctx).Where("policy_id = ? AND version = ?", policyID, version).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return marketplace.PolicyVersion{}, &marketplace.Error{Code: marketplace.CodeNotFound, Message: "no such policy version", Err: err}
	}
	if err != nil {
		return marketplace.PolicyVersion{}, translate("read policy version", err)
	}
	return row.domain(true), nil
}

// PolicyActivations lists every activation of every policy, ordered by instant then by the
// order they were recorded in.
func (s *Store) PolicyActivations(ctx context.Context) ([]marketplace.PolicyActivation, error) {
	var acts []policyActivationRow
	if err := s.gormDB(ctx).Order("activated_at, id").Find(&acts).Error; err != nil {
		return nil, translate("list policy activations", err)
	}
	out := make([]marketplace.PolicyActivation, len(acts))
	for i, a := range acts {
		out[i] = marketplace.PolicyActivation{PolicyID: a.PolicyID, Version: a.Version, At: a.ActivatedAt}
	}
	return out, nil
}
