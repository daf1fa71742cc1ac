package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"corridor/marketplace"
)

// rateCountRow is one instance's request count for one caller in one time bucket (Unix
// seconds of its start). Each instance writes only its own rows, so the upsert never contends.
type rateCountRow struct {
	Instance string `gorm:"primaryKey;size:32"`
	Caller   string `gorm:"primaryKey;size:80"`
	Bucket   int64  `gorm:"primaryKey;index"`
	Requests int    `gorm:"not null"`
}

func (rateCountRow) TableName() string { return "rate_limit_counts" }

// SyncRateCounts stores instance's counts (replacing its earlier count for the same caller and
// bucket), forgets every instance's buckets that started before since, and returns the other
// instances' counts from since on, summed per caller and bucket. Rate limiters call it about
// once a second, never per request.
func (s *Store) SyncRateCounts(ctx context.Context, instance string, mine []marketplace.RateCount, since time.Time) ([]marketplace.RateCount, error) {
	var others []marketplace.RateCount
	err := s.inTx(ctx, "sync rate counts", func(tx *gorm.DB) error {
		if len(mine) > 0 {
			rows := make([]rateCountRow, len(mine))
			for i, c := range mine {
				rows[i] = rateCountRow{Instance: instance, Caller: c.Caller, Bucket: c.Bucket.Unix(), Requests: c.Count}
			}
			err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "instance"}, {Name: "caller"}, {Name: "bucket"}},
				DoUpdates: clause.AssignmentColumns([]string{"requests"}),
			}).CreateInBatches(rows, 500).Error
			if err != nil {
				return err
			}
		}
		if err := tx.Where("bucket < ?", since.Unix()).Delete(&rateCountRow{}).Error; err != nil {
			return err
		}
		var sums []struct {
			Caller string
			Bucket int64
			Total  int
		}
		if err := tx.Model(&rateCountRow{}).Select("caller, bucket, SUM(requests) AS total").
			Where("bucket >= ? AND instance <> ?", since.Unix(), instance).Group("caller, bucket").Scan(&sums).Error; err != nil {
			return err
		}
		others = make([]marketplace.RateCount, len(sums))
		for i, r := range sums {
			others[i] = marketplace.RateCount{Caller: r.Caller, Bucket: time.Unix(r.Bucket, 0).UTC(), Count: r.Total}
		}
		return nil
	})
	return others, err
}
