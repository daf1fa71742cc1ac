package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"corridor/marketplace"
	"corridor/pricing"
)

// studyRow is a study (migration 8): its status and progress in columns that a running study
// updates and other processes read, its request and pins as an explicit, versioned record, and
// its result as the JSON the engine wrote. Request and result are stored DEFLATE-compressed
// (an uploaded basket is CSV text; a result is mostly repeated column names).
type studyRow struct {
	ID            string `gorm:"primaryKey;size:64"`
	Status        string `gorm:"size:16;not null"`
	Done          int64  `gorm:"not null;default:0"`
	Total         int64  `gorm:"not null;default:0"`
	RecordVersion int    `gorm:"not null"`
	Request       []byte `gorm:"not null"` // studyRecord, compressed
	// The pinned refs, also in the record, as columns for an operator's queries.
	BaselineVersion int    `gorm:"not null;default:0"`
	AsOf            string `gorm:"size:10;not null;default:''"`
	Result          []byte // done: the result JSON, compressed
	Failure         string `gorm:"type:text;not null;default:''"`
	CreatedUnix     int64  `gorm:"not null;index"` // Unix milliseconds
	UpdatedUnix     int64  `gorm:"not null"`
	FinishedUnix    int64  `gorm:"not null;default:0"`
}

func (studyRow) TableName() string { return "studies" }

// studyRecordVersion is the schema version of studyRecord.
const studyRecordVersion = 1

// studyRecord is a study's request and pins, each field named by an explicit JSON tag.
type studyRecord struct {
	Version int                `json:"v"`
	Request studyRequestRecord `json:"request"`
	Pins    studyPinsRecord    `json:"pins"`
}

type studyRequestRecord struct {
	Scenarios       []studyScenarioRecord `json:"scenarios"`
	Basket          studyBasketRecord     `json:"basket"`
	Sweep           string                `json:"sweep,omitempty"`
	AsOf            string                `json:"as_of"`
	Currency        string                `json:"currency"`
	BaselineVersion int                   `json:"baseline_version"`
	Effects         *studyEffectsRecord   `json:"effects,omitempty"` // study_effects.go
}

type studyScenarioRecord struct {
	ID       string `json:"id,omitempty"`
	Version  int    `json:"version,omitempty"`
	Document string `json:"document,omitempty"`
	Name     string `json:"name,omitempty"`
}

type studyBasketRecord struct {
	Kind    string      `json:"kind"`
	Query   string      `json:"query,omitempty"`
	GPUs    int         `json:"gpus,omitempty"`
	Hours   int         `json:"hours,omitempty"`
	Buyer   buyerRecord `json:"buyer"`
	CSV     string      `json:"csv,omitempty"`
	CSVName string      `json:"csv_name,omitempty"`
	From    string      `json:"from,omitempty"`
	To      string      `json:"to,omitempty"`
}

type studyPinsRecord struct {
	AsOf      string                     `json:"as_of"`
	Currency  string                     `json:"currency"`
	Baseline  policyRefRecord            `json:"baseline"`
	Scenarios []policyRefRecord          `json:"scenarios"`
	FXDate    string                     `json:"fx_date"`
	FX        []studyRateRecord          `json:"fx"`
	QuotaUsed map[string]decimal.Decimal `json:"quota_used,omitempty"`
	Flows     int                        `json:"flows"`
}

type studyRateRecord struct {
	Currency    string          `json:"currency"`
	PerEUR      decimal.Decimal `json:"per_eur"`
	Date        string          `json:"date"`
	Source      string          `json:"source"`
	CarriedFrom string          `json:"carried_from,omitempty"`
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func parseDateText(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}

func newStudyRecord(st marketplace.Study) studyRecord {
	r, p := st.Request, st.Pins
	rec := studyRecord{Version: studyRecordVersion}
	rec.Request = studyRequestRecord{Sweep: r.Sweep, AsOf: dateText(r.AsOf), Currency: r.Currency, BaselineVersion: r.BaselineVersion,
		Scenarios: make([]studyScenarioRecord, len(r.Scenarios)),
		Basket: studyBasketRecord{Kind: string(r.Basket.Kind), Query: r.Basket.Query, GPUs: r.Basket.GPUs, Hours: r.Basket.Hours,
			Buyer: buyerRecord{Country: r.Basket.Buyer.Country, Type: r.Basket.Buyer.Type, VATID: r.Basket.Buyer.VATID, Region: r.Basket.Buyer.Region,
				Headquarters: r.Basket.Buyer.Headquarters, VATRecovery: r.Basket.Buyer.VATRecovery},
			CSV: r.Basket.CSV, CSVName: r.Basket.CSVName, From: dateText(r.Basket.From), To: dateText(r.Basket.To)}}
	for i, sc := range r.Scenarios {
		rec.Request.Scenarios[i] = studyScenarioRecord(sc)
	}
	rec.Request.Effects = newStudyEffectsRecord(r.Effects)
	rec.Pins = studyPinsRecord{AsOf: dateText(p.AsOf), Currency: p.Currency, Baseline: toPolicyRef(p.Baseline), FXDate: dateText(p.FXDate),
		QuotaUsed: p.QuotaUsed, Flows: p.Flows, Scenarios: make([]policyRefRecord, len(p.Scenarios)), FX: make([]studyRateRecord, len(p.FX))}
	for i, ref := range p.Scenarios {
		rec.Pins.Scenarios[i] = toPolicyRef(ref)
	}
	for i, rt := range p.FX {
		rec.Pins.FX[i] = studyRateRecord{Currency: rt.Currency, PerEUR: rt.PerEUR, Date: dateText(rt.Date), Source: rt.Source, CarriedFrom: dateText(rt.CarriedFrom)}
	}
	return rec
}

func (rec studyRecord) apply(st *marketplace.Study) error {
	var err error
	dates := func(dst *time.Time, s string) {
		if err == nil {
			*dst, err = parseDateText(s)
		}
	}
	rq, p := rec.Request, rec.Pins
	req := marketplace.StudyRequest{Sweep: rq.Sweep, Currency: rq.Currency, BaselineVersion: rq.BaselineVersion,
		Basket: marketplace.StudyBasket{Kind: marketplace.BasketKind(rq.Basket.Kind), Query: rq.Basket.Query, GPUs: rq.Basket.GPUs, Hours: rq.Basket.Hours,
			Buyer: marketplace.Buyer{Country: rq.Basket.Buyer.Country, Type: rq.Basket.Buyer.Type, VATID: rq.Basket.Buyer.VATID, Region: rq.Basket.Buyer.Region,
				Headquarters: rq.Basket.Buyer.Headquarters, VATRecovery: rq.Basket.Buyer.VATRecovery},
			CSV: rq.Basket.CSV, CSVName: rq.Basket.CSVName}}
	dates(&req.AsOf, rq.AsOf)
	dates(&req.Basket.From, rq.Basket.From)
	dates(&req.Basket.To, rq.Basket.To)
	for _, sc := range rq.Scenarios {
		req.Scenarios = append(req.Scenarios, marketplace.StudyScenario(sc))
	}
	req.Effects = rq.Effects.request()
	pins := marketplace.StudyPins{Currency: p.Currency, Baseline: p.Baseline.ref(), QuotaUsed: p.QuotaUsed, Flows: p.Flows}
	dates(&pins.AsOf, p.AsOf)
	dates(&pins.FXDate, p.FXDate)
	for _, ref := range p.Scenarios {
		pins.Scenarios = append(pins.Scenarios, ref.ref())
	}
	for _, rt := range p.FX {
		r := pricing.Rate{Currency: rt.Currency, PerEUR: rt.PerEUR, Source: rt.Source}
		dates(&r.Date, rt.Date)
		dates(&r.CarriedFrom, rt.CarriedFrom)
		pins.FX = append(pins.FX, r)
	}
	st.Request, st.Pins = req, pins
	return err
}

// compress and inflate are DEFLATE with the pooled (de)compressors of the quote records.
func compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := flaters.Get().(*flate.Writer)
	defer flaters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func inflate(b []byte) ([]byte, error) {
	r := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(b), nil); err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func toStudyRow(st marketplace.Study) (studyRow, error) {
	js, err := json.Marshal(newStudyRecord(st))
	if err != nil {
		return studyRow{}, fmt.Errorf("encode study record: %w", err)
	}
	req, err := compress(js)
	if err != nil {
		return studyRow{}, fmt.Errorf("compress study record: %w", err)
	}
	row := studyRow{ID: st.ID, Status: string(st.Status), Done: st.Progress.Done, Total: st.Progress.Total, RecordVersion: studyRecordVersion,
		Request: req, BaselineVersion: st.Pins.Baseline.Version, AsOf: dateText(st.Pins.AsOf), Failure: st.Failure,
		CreatedUnix: millis(st.CreatedAt), UpdatedUnix: millis(st.UpdatedAt), FinishedUnix: millis(st.FinishedAt)}
	if st.Result != nil {
		if row.Result, err = compress(st.Result); err != nil {
			return studyRow{}, fmt.Errorf("compress study result: %w", err)
		}
	}
	return row, nil
}

func (r studyRow) domain() (marketplace.Study, error) {
	st := marketplace.Study{ID: r.ID, Status: marketplace.StudyStatus(r.Status), Progress: marketplace.StudyProgress{Done: r.Done, Total: r.Total},
		Failure: r.Failure, CreatedAt: fromMillis(r.CreatedUnix), UpdatedAt: fromMillis(r.UpdatedUnix), FinishedAt: fromMillis(r.FinishedUnix)}
	if r.RecordVersion != studyRecordVersion {
		return st, fmt.Errorf("study %s: record schema version %d, want %d", r.ID, r.RecordVersion, studyRecordVersion)
	}
	js, err := inflate(r.Request)
	if err != nil {
		return st, fmt.Errorf("study %s: decompress record: %w", r.ID, err)
	}
	var rec studyRecord
	if err := json.Unmarshal(js, &rec); err != nil {
		return st, fmt.Errorf("study %s: decode record: %w", r.ID, err)
	}
	if err := rec.apply(&st); err != nil {
		return st, fmt.Errorf("study %s: decode record: %w", r.ID, err)
	}
	if len(r.Result) > 0 {
		if st.Result, err = inflate(r.Result); err != nil {
			return st, fmt.Errorf("study %s: decompress result: %w", r.ID, err)
		}
	}
	return st, nil
}

// PutStudy inserts a new study.
func (s *Store) PutStudy(ctx context.Context, st marketplace.Study) error {
	row, err := toStudyRow(st)
	if err != nil {
		return translate("put study", err)
	}
	return translate("put study", s.gormDB(ctx).Create(&row).Error)
}

// UpdateStudyProgress records a queued or running study's status and progress; a finished
// study is left as it is.
func (s *Store) UpdateStudyProgress(ctx context.Context, id string, status marketplace.StudyStatus, p marketplace.StudyProgress, at time.Time) error {
	err := s.gormDB(ctx).Model(&studyRow{}).
		Where("id = ? AND status IN ?", id, []string{string(marketplace.StudyQueued), string(marketplace.StudyRunning)}).
		Updates(map[string]any{"status": string(status), "done": p.Done, "total": p.Total, "updated_unix": at.UnixMilli()}).Error
	return translate("update study progress", err)
}

// FinishStudy records a study's end: its status, progress, result or failure.
func (s *Store) FinishStudy(ctx context.Context, st marketplace.Study) error {
	row, err := toStudyRow(st)
	if err != nil {
		return translate("finish study", err)
	}
	err = s.gormDB(ctx).Model(&studyRow{}).Where("id = ?", st.ID).Updates(map[string]any{
		"status": row.Status, "done": row.Done, "total": row.Total, "result": row.Result, "failure": row.Failure,
		"updated_unix": row.UpdatedUnix, "finished_unix": row.FinishedUnix,
	}).Error
	return translate("finish study", err)
}

// Study reads one study with its result.
func (s *Store) Study(ctx context.Context, id string) (marketplace.Study, error) {
	var row studyRow
	if err := takeOne(s.gormDB(ctx), "study", &row, "id = ?", id); err != nil {
		return marketplace.Study{}, translate("read study", err)
	}
	st, err := row.domain()
	return st, translate("read study", err)
}

// OrderQuotes reads the quotes of the confirmed orders created in [from, to), in the order's
// creation order (then id), limit+1 at most, in one query.
func (s *Store) OrderQuotes(ctx context.Context, from, to time.Time, limit int) ([]marketplace.Quote, error) {
	var rows []quoteRow
	err := s.gormDB(ctx).Model(&quoteRow{}).Select("quotes.*").
		Joins("JOIN orders ON orders.quote_id = quotes.id").
		Where("orders.status = ? AND orders.created_unix >= ? AND orders.created_unix < ?", marketplace.OrderConfirmed, from.Unix(), to.Unix()).
		Order("orders.created_unix, orders.id").Limit(limit + 1).Find(&rows).Error
	if err != nil {
		return nil, translate("read order quotes", err)
	}
	out := make([]marketplace.Quote, len(rows))
	for i, r := range rows {
		if out[i], err = r.full(ctx, s); err != nil {
			return nil, translate("read order quotes", err)
		}
	}
	return out, nil
}

// migrateStudies creates the studies table (migration 8).
func migrateStudies(tx *gorm.DB, _ migrator) error {
	return tx.AutoMigrate(&studyRow{})
}
