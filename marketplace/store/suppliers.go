package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"corridor/marketplace"
)

// apiKeyRow is a supplier API key: the key id (the public half of the token) and the SHA-256
// of the secret; the secret itself is never stored.
type apiKeyRow struct {
	ID         string       `gorm:"primaryKey;size:64"`
	SupplierID string       `gorm:"size:64;not null;index"`
	Supplier   *supplierRow `gorm:"foreignKey:SupplierID;references:ID"`
	Hash       string       `gorm:"size:64;not null"`
	CreatedAt  time.Time
	RevokedAt  *time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

func toAPIKeyRow(k marketplace.APIKey) apiKeyRow {
	r := apiKeyRow{ID: k.ID, SupplierID: k.SupplierID, Hash: k.Hash, CreatedAt: k.CreatedAt.UTC()}
	if !k.RevokedAt.IsZero() {
		t := k.RevokedAt.UTC()
		r.RevokedAt = &t
	}
	return r
}

// CreateSupplier stores a supplier and its first key in one transaction. The unique index on
// name_key refuses a name another supplier has, also when two instances register it at once.
func (s *Store) CreateSupplier(ctx context.Context, sp marketplace.Supplier, key marketplace.APIKey) error {
	nameKey := marketplace.SupplierNameKey(sp.Name)
	err := s.inTx(ctx, "create supplier", func(tx *gorm.DB) error {
		var taken []supplierRow
		if err := tx.Where("name_key = ?", nameKey).Limit(1).Find(&taken).Error; err != nil {
			return err
		}
		if len(taken) == 1 {
			return marketplace.DuplicateSupplierName(sp.Name, taken[0].ID)
		}
		row := toSupplierRow(sp)
		row.NameKey = &nameKey
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		k := toAPIKeyRow(key)
		return tx.Create(&k).Error
	})
	if marketplace.ErrorCode(err) == marketplace.CodeConflict {
		if de, ok := marketplace.AsError(err); ok && de.Reason == "" { // the index, not the check above: a concurrent registration
			return marketplace.DuplicateSupplierName(sp.Name, "registered a moment ago")
		}
	}
	return err
}

// Supplier reads one supplier.
func (s *Store) Supplier(ctx context.Context, id string) (marketplace.Supplier, error) {
	var r supplierRow
	if err := takeOne(s.gormDB(ctx), "supplier", &r, "id = ?", id); err != nil {
		return marketplace.Supplier{}, translate("read supplier", err)
	}
	sp, err := r.domain()
	return sp, translate("read supplier", err)
}

// Suppliers lists every supplier by name, then id.
func (s *Store) Suppliers(ctx context.Context) ([]marketplace.Supplier, error) {
	var rows []supplierRow
	if err := s.gormDB(ctx).Order("name, id").Find(&rows).Error; err != nil {
		return nil, translate("list suppliers", err)
	}
	out := make([]marketplace.Supplier, len(rows))
	for i, r := range rows {
		sp, err := r.domain()
		if err != nil {
			return nil, translate("list suppliers", err)
		}
		out[i] = sp
	}
	return out, nil
}

// UpdateSupplier stores where a supplier declares it is established.
func (s *Store) UpdateSupplier(ctx context.Context, sp marketplace.Supplier) error {
	return s.inTx(ctx, "update supplier", func(tx *gorm.DB) error {
		r := toSupplierRow(sp)
		res := tx.Model(&supplierRow{}).Where("id = ?", sp.ID).
			Select("country", "establishments", "vat_registrations", "listings").Updates(&r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return &marketplace.Error{Code: marketplace.CodeNotFound, Message: "no such supplier"}
		}
		return nil
	})
}

// APIKey reads one API key.
func (s *Store) APIKey(ctx context.Context, id string) (marketplace.APIKey, error) {
	var r apiKeyRow
	if err := takeOne(s.gormDB(ctx), "key", &r, "id = ?", id); err != nil {
		return marketplace.APIKey{}, translate("read api key", err)
	}
	k := marketplace.APIKey{ID: r.ID, SupplierID: r.SupplierID, Hash: r.Hash, CreatedAt: r.CreatedAt.UTC()}
	if r.RevokedAt != nil {
		k.RevokedAt = r.RevokedAt.UTC()
	}
	return k, nil
}

// RotateAPIKey stores key and revokes the supplier's other valid keys.
func (s *Store) RotateAPIKey(ctx context.Context, key marketplace.APIKey) error {
	return s.inTx(ctx, "rotate api key", func(tx *gorm.DB) error {
		now := key.CreatedAt.UTC()
		if err := tx.Model(&apiKeyRow{}).Where("supplier_id = ? AND revoked_at IS NULL", key.SupplierID).
			Update("revoked_at", now).Error; err != nil {
			return err
		}
		r := toAPIKeyRow(key)
		return tx.Create(&r).Error
	})
}

// RevokeAPIKey revokes one key of a supplier.
func (s *Store) RevokeAPIKey(ctx context.Context, supplierID, keyID string, at time.Time) error {
	return s.inTx(ctx, "revoke api key", func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&apiKeyRow{}).Where("id = ? AND supplier_id = ?", keyID, supplierID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return &marketplace.Error{Code: marketplace.CodeNotFound, Message: "no such key"}
		}
		return tx.Model(&apiKeyRow{}).Where("id = ? AND supplier_id = ? AND revoked_at IS NULL", keyID, supplierID).
			Update("revoked_at", at.UTC()).Error
	})
}
