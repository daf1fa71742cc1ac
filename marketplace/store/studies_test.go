package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing"
)

// TestStudyRecord: a study is read back as it was stored, every member of its request and
// pins included; progress updates only a queued or running study; a finished one keeps its
// result.
func TestStudyRecord(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 11, 28, 12, 0, 0, 123e6, time.UTC)
	st := marketplace.Study{ID: "st_0123456789abcdef0123456789abcdef", Status: marketplace.StudyQueued, Progress: marketplace.StudyProgress{Total: 1020000},
		Request: marketplace.StudyRequest{
			Scenarios: []marketplace.StudyScenario{{ID: "eu-compute-levy-cn-10", Version: 2}, {Document: "format: corridor.scenario/v1\n", Name: "mine.yaml"}},
			Basket: marketplace.StudyBasket{Kind: marketplace.BasketNeed, Query: "accelerator=h100-sxm gpus>=8", GPUs: 8, Hours: 720,
				Buyer: marketplace.Buyer{Country: "DE", Type: "business", Region: "cn-shanghai"}, From: day.AddDate(0, -1, 0), To: day},
			Sweep: "CNY=-20%..+20% step 5%", AsOf: day, Currency: "EUR", BaselineVersion: 3},
		Pins: marketplace.StudyPins{AsOf: day, Currency: "EUR", Baseline: pricing.PolicyRef{ID: "baseline", Version: 3, Hash: "abc"},
			Scenarios: []pricing.PolicyRef{{ID: "eu-compute-levy-cn-10", Version: 2, Hash: "def"}, {ID: "mine", Hash: "0f0f"}},
			FXDate:    day, FX: []pricing.Rate{{Currency: "CNY", PerEUR: decimal.RequireFromString("8.2626"), Date: day.AddDate(0, 0, -1), Source: "ECB", CarriedFrom: day.AddDate(0, -1, 0)}},
			QuotaUsed: map[string]decimal.Decimal{"eu-levy-cn-corridor": decimal.RequireFromString("1234.5")}, Flows: 42},
		CreatedAt: at, UpdatedAt: at}
	for name, s := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			if err := s.PutStudy(ctx, st); err != nil {
				t.Fatal(err)
			}
			got, err := s.Study(ctx, st.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Request, st.Request) || got.Status != st.Status || got.Progress != st.Progress || !got.CreatedAt.Equal(at) {
				t.Errorf("request or status differ:\n%+v\n%+v", got, st)
			}
			if got.Pins.QuotaUsed["eu-levy-cn-corridor"].String() != "1234.5" || got.Pins.FX[0].PerEUR.String() != "8.2626" ||
				!got.Pins.FX[0].CarriedFrom.Equal(day.AddDate(0, -1, 0)) || got.Pins.Baseline != st.Pins.Baseline ||
				!reflect.DeepEqual(got.Pins.Scenarios, st.Pins.Scenarios) || got.Pins.Flows != 42 || !got.Pins.AsOf.Equal(day) {
				t.Errorf("pins differ:\n%+v\n%+v", got.Pins, st.Pins)
			}

			later := at.Add(time.Second)
			if err := s.UpdateStudyProgress(ctx, st.ID, marketplace.StudyRunning, marketplace.StudyProgress{Done: 500, Total: 1020000}, later); err != nil {
				t.Fatal(err)
			}
			got, _ = s.Study(ctx, st.ID)
			if got.Status != marketplace.StudyRunning || got.Progress.Done != 500 || !got.UpdatedAt.Equal(later) {
				t.Errorf("progress: %s %+v %s", got.Status, got.Progress, got.UpdatedAt)
			}

			done := st
			done.Status, done.Progress.Done, done.Result, done.FinishedAt, done.UpdatedAt = marketplace.StudyDone, 1020000, []byte(`{"tables":{}}`), later, later
			if err := s.FinishStudy(ctx, done); err != nil {
				t.Fatal(err)
			}
			// A late progress write (the heartbeat racing the end) changes nothing.
			if err := s.UpdateStudyProgress(ctx, st.ID, marketplace.StudyRunning, marketplace.StudyProgress{Done: 7, Total: 1020000}, later); err != nil {
				t.Fatal(err)
			}
			got, _ = s.Study(ctx, st.ID)
			if got.Status != marketplace.StudyDone || got.Progress.Done != 1020000 || string(got.Result) != `{"tables":{}}` || !got.FinishedAt.Equal(later) {
				t.Errorf("finished: %s %+v %q", got.Status, got.Progress, got.Result)
			}
			if _, err := s.Study(ctx, "st_none"); marketplace.ErrorCode(err) != marketplace.CodeNotFound {
				t.Errorf("unknown study: %v", err)
			}
		})
	}
}
