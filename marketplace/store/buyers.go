package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"corridor/marketplace"
)

// buyerRow is a buyer account (migration 7).
type buyerRow struct {
	ID           string `gorm:"primaryKey;size:64"`
	Organisation string `gorm:"not null"`
	Country      string `gorm:"size:2;not null"`
	Type         string `gorm:"size:16;not null"`
	VATID        string `gorm:"column:vat_id;size:32;not null;default:''"`
	Headquarters string `gorm:"size:2;not null;default:''"`
	Region       string `gorm:"size:64;not null;default:''"`
	CreatedUnix  int64  `gorm:"not null"`
}

func (buyerRow) TableName() string { return "buyers" }

func toBuyerRow(a marketplace.BuyerAccount) buyerRow {
	return buyerRow{ID: a.ID, Organisation: a.Organisation, Country: a.Country, Type: a.Type, VATID: a.VATID,
		Headquarters: a.Headquarters, Region: a.Region, CreatedUnix: a.CreatedAt.Unix()}
}

func (r buyerRow) domain() marketplace.BuyerAccount {
	return marketplace.BuyerAccount{ID: r.ID, Organisation: r.Organisation, Country: r.Country, Type: r.Type, VATID: r.VATID,
		Headquarters: r.Headquarters, Region: r.Region, CreatedAt: time.Unix(r.CreatedUnix, 0).UTC()}
}

// buyerKeyRow is a buyer key: its id and the SHA-256 of its secret, never the secret.
type buyerKeyRow struct {
	ID          string `gorm:"primaryKey;size:64"`
	BuyerID     string `gorm:"size:64;not null;index"`
	Hash        string `gorm:"size:64;not null"`
	CreatedUnix int64  `gorm:"not null"`
	RevokedUnix int64  `gorm:"not null;default:0"` // 0 while the key is valid
}

func (buyerKeyRow) TableName() string { return "buyer_keys" }

// buyerSessionRow is a browser session: the SHA-256 of its token (the cookie's value is never
// stored), so that every instance behind a load balancer knows every session.
type buyerSessionRow struct {
	Hash        string `gorm:"primaryKey;size:64"`
	BuyerID     string `gorm:"size:64;not null;index"`
	CreatedUnix int64  `gorm:"not null"`
	ExpiresUnix int64  `gorm:"not null;index"`
}

func (buyerSessionRow) TableName() string { return "buyer_sessions" }

// CreateBuyer stores an account and its first key in one transaction.
func (s *Store) CreateBuyer(ctx context.Context, a marketplace.BuyerAccount, key marketplace.BuyerKey) error {
	return s.inTx(ctx, "create buyer", func(tx *gorm.DB) error {
		row := toBuyerRow(a)
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		k := buyerKeyRow{ID: key.ID, BuyerID: key.BuyerID, Hash: key.Hash, CreatedUnix: key.CreatedAt.Unix()}
		return tx.Create(&k).Error
	})
}

// Buyer reads one account.
func (s *Store) Buyer(ctx context.Context, id string) (marketplace.BuyerAccount, error) {
	var r buyerRow
	if err := takeOne(s.gormDB(ctx), "buyer", &r, "id = ?", id); err != nil {
		return marketplace.BuyerAccount{}, translate("read buyer", err)
	}
	return r.domain(), nil
}

// BuyersByID reads the accounts with the given ids that exist.
func (s *Store) BuyersByID(ctx context.Context, ids []string) (map[string]marketplace.BuyerAccount, error) {
	return buyersByID(s.gormDB(ctx), ids)
}

func buyersByID(db *gorm.DB, ids []string) (map[string]marketplace.BuyerAccount, error) {
	out := map[string]marketplace.BuyerAccount{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []buyerRow
	if err := db.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, translate("read buyers", err)
	}
	for _, r := range rows {
		out[r.ID] = r.domain()
	}
	return out, nil
}

// BuyerKey reads one key.
func (s *Store) BuyerKey(ctx context.Context, id string) (marketplace.BuyerKey, error) {
	var r buyerKeyRow
	if err := takeOne(s.gormDB(ctx), "key", &r, "id = ?", id); err != nil {
		return marketplace.BuyerKey{}, translate("read buyer key", err)
	}
	k := marketplace.BuyerKey{ID: r.ID, BuyerID: r.BuyerID, Hash: r.Hash, CreatedAt: time.Unix(r.CreatedUnix, 0).UTC()}
	if r.RevokedUnix != 0 {
		k.RevokedAt = time.Unix(r.RevokedUnix, 0).UTC()
	}
	return k, nil
}

// RotateBuyerKey stores key, revokes the buyer's other valid keys and ends its sessions.
func (s *Store) RotateBuyerKey(ctx context.Context, key marketplace.BuyerKey) error {
	return s.inTx(ctx, "rotate buyer key", func(tx *gorm.DB) error {
		now := key.CreatedAt.Unix()
		if err := tx.Model(&buyerKeyRow{}).Where("buyer_id = ? AND revoked_unix = 0", key.BuyerID).Update("revoked_unix", now).Error; err != nil {
			return err
		}
		if err := tx.Where("buyer_id = ?", key.BuyerID).Delete(&buyerSessionRow{}).Error; err != nil {
			return err
		}
		r := buyerKeyRow{ID: key.ID, BuyerID: key.BuyerID, Hash: key.Hash, CreatedUnix: now}
		return tx.Create(&r).Error
	})
}

// PutBuyerSession stores a session and deletes the sessions that expired before now.
func (s *Store) PutBuyerSession(ctx context.Context, sess marketplace.BuyerSession, now time.Time) error {
	return s.inTx(ctx, "start session", func(tx *gorm.DB) error {
		if err := tx.Where("expires_unix < ?", now.Unix()).Delete(&buyerSessionRow{}).Error; err != nil {
			return err
		}
		r := buyerSessionRow{Hash: sess.Hash, BuyerID: sess.BuyerID, CreatedUnix: sess.CreatedAt.Unix(), ExpiresUnix: sess.ExpiresAt.Unix()}
		return tx.Create(&r).Error
	})
}

// BuyerSession reads a session by the hash of its token.
func (s *Store) BuyerSession(ctx context.Context, hash string) (marketplace.BuyerSession, error) {
	var r buyerSessionRow
	if err := takeOne(s.gormDB(ctx), "session", &r, "hash = ?", hash); err != nil {
		return marketplace.BuyerSession{}, translate("read session", err)
	}
	return marketplace.BuyerSession{Hash: r.Hash, BuyerID: r.BuyerID, CreatedAt: time.Unix(r.CreatedUnix, 0).UTC(),
		ExpiresAt: time.Unix(r.ExpiresUnix, 0).UTC()}, nil
}

// DeleteBuyerSession deletes a session by the hash of its token.
func (s *Store) DeleteBuyerSession(ctx context.Context, hash string) error {
	return translate("end session", s.gormDB(ctx).Where("hash = ?", hash).Delete(&buyerSessionRow{}).Error)
}
