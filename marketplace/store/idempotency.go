package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"corridor/marketplace"
)

// idempotencyRow is a request made with an Idempotency-Key: inserted first as a claim (Status
// 0), then completed with the response. The primary key (the lookup hash of key, caller and
// request target) makes the claim atomic across every Corridor process sharing the database.
// Neither the key nor a readable response is stored (marketplace.Idempotency).
type idempotencyRow struct {
	Key         string `gorm:"column:key_hash;primaryKey;size:64"`
	Caller      string `gorm:"size:64;not null"`
	BodyHash    string `gorm:"size:64;not null"`
	Status      int    `gorm:"not null"`
	ContentType string `gorm:"size:100;not null"`
	Response    []byte
	CreatedUnix int64 `gorm:"not null;index"`
}

func (idempotencyRow) TableName() string { return "idempotency_records" }

func (r idempotencyRow) domain() marketplace.IdempotencyRecord {
	return marketplace.IdempotencyRecord{Key: r.Key, Caller: r.Caller, BodyHash: r.BodyHash,
		Status: r.Status, ContentType: r.ContentType, Response: r.Response, CreatedAt: time.Unix(r.CreatedUnix, 0).UTC()}
}

// ClaimIdempotencyKey inserts a claim for the lookup key or returns the earlier record.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, r marketplace.IdempotencyRecord, staleAfter time.Duration) (marketplace.IdempotencyRecord, bool, error) {
	var (
		prior   marketplace.IdempotencyRecord
		claimed bool
	)
	err := s.inTx(ctx, "claim idempotency key", func(tx *gorm.DB) error {
		row := idempotencyRow{Key: r.Key, Caller: r.Caller, BodyHash: r.BodyHash, CreatedUnix: r.CreatedAt.Unix()}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			claimed = true
			return nil
		}
		var old idempotencyRow
		if err := tx.Where("key_hash = ?", r.Key).Take(&old).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return &marketplace.Error{Code: marketplace.CodeUnavailable, Message: "idempotency key released concurrently; retry"}
			}
			return err
		}
		if old.Status == 0 && r.CreatedAt.Sub(time.Unix(old.CreatedUnix, 0)) > staleAfter {
			// The process that claimed it died mid-request: take the claim over.
			upd := tx.Model(&idempotencyRow{}).Where("key_hash = ? AND status = 0 AND created_unix = ?", r.Key, old.CreatedUnix).
				Updates(map[string]any{"body_hash": r.BodyHash, "created_unix": r.CreatedAt.Unix()})
			if upd.Error != nil {
				return upd.Error
			}
			if upd.RowsAffected == 1 {
				claimed = true
				return nil
			}
		}
		prior = old.domain()
		return nil
	})
	return prior, claimed, err
}

// CompleteIdempotencyKey stores the response of a claimed key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, r marketplace.IdempotencyRecord) error {
	return s.inTx(ctx, "complete idempotency key", func(tx *gorm.DB) error {
		return tx.Model(&idempotencyRow{}).Where("key_hash = ?", r.Key).
			Updates(map[string]any{"status": r.Status, "content_type": r.ContentType, "response": r.Response}).Error
	})
}

// ReleaseIdempotencyKey deletes a pending claim.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, key, caller string) error {
	return s.inTx(ctx, "release idempotency key", func(tx *gorm.DB) error {
		return tx.Where("key_hash = ? AND caller = ? AND status = 0", key, caller).Delete(&idempotencyRow{}).Error
	})
}
