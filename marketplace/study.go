package marketplace

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/pricing/whatif"
)

// A study is the quote pipeline run many times (package pricing/whatif): a basket of flows ×
// the baseline and one or more scenarios × an optional sweep, priced as of one date with
// pinned policy versions, FX rates and quota balances, and stored so that it can be read back
// by its unguessable id and re-run to identical numbers. The Service resolves a request once
// (offers read once, every policy compiled once, FX and quota read once), evaluates it on
// every core, and stores the result; a large study is queued and runs in the background, its
// progress written to the database so that any Corridor process serving the same database
// reports it.

// StudyStatus is where a study is in its life.
type StudyStatus string

// Study statuses.
const (
	StudyQueued  StudyStatus = "queued"  // stored, waiting for a worker
	StudyRunning StudyStatus = "running" // being evaluated; Progress says how far
	StudyDone    StudyStatus = "done"    // Result is set
	StudyFailed  StudyStatus = "failed"  // Failure says why; nothing else is kept
)

// BasketKind says where a study's flows come from.
type BasketKind string

// Basket kinds.
const (
	// BasketNeed prices one need (GPUs × hours for a buyer) against every active offer
	// matching a filter in the search language, like a comparison.
	BasketNeed BasketKind = "need"
	// BasketCSV prices the rows of an uploaded table (whatif.ParseBasket's format).
	BasketCSV BasketKind = "csv"
	// BasketOrders prices the market's accepted orders created in a date range again.
	BasketOrders BasketKind = "orders"
)

// Limits of a study request, besides the engine's (whatif.MaxScenarios, whatif.MaxFlows,
// whatif.MaxEvaluations, whatif.MaxSweepPoints) and the basket file's
// (whatif.MaxBasketBytes, whatif.MaxBasketRows).
const (
	// MaxStudyQueryLen bounds a need basket's filter, in bytes.
	MaxStudyQueryLen = 1000
	// MaxStudyDocumentBytes bounds one inline scenario document.
	MaxStudyDocumentBytes = 256 << 10
	// MaxStudyOrdersRange is the longest date range an orders basket may cover.
	MaxStudyOrdersRange = 5 * 366 * 24 * time.Hour
	// StudySyncEvaluations is the most evaluations (flows × scenario states) a study may
	// need to run while the caller waits; a larger one is queued and runs in the background.
	StudySyncEvaluations = 200_000
)

// StudyRequest is a study as an analyst asks for it.
type StudyRequest struct {
	// Scenarios are compared with the baseline, in this order (at most whatif.MaxScenarios).
	Scenarios []StudyScenario
	Basket    StudyBasket
	// Sweep is a sweep specification (whatif.ParseSweep), "" for none.
	Sweep string
	// AsOf is the pricing date: policy versions, FX rates and quota balances in force then.
	// Zero means today.
	AsOf time.Time
	// Currency is the study's currency, every flow priced and every aggregate summed in it;
	// "" means EUR.
	Currency string
	// BaselineVersion pins the baseline policy's version; 0 means the version in force on
	// AsOf. A re-run sets it from the stored study's pins.
	BaselineVersion int
	// Effects, when set, asks for the study's trade-effects section (study_effects.go).
	Effects *StudyEffectsRequest
}

// StudyScenario is one scenario of a study: a stored scenario of the policy library (ID, and
// optionally the Version to use), or a scenario document written inline (Document, which is
// validated like `corridor policy validate` and never run when it has problems).
type StudyScenario struct {
	ID       string // a stored scenario's id; empty with Document
	Version  int    // 0: the version in force on the study's date
	Document string // an inline corridor.scenario/v1 document (YAML or JSON); empty with ID
	Name     string // the document's file name, for its problems' positions ("" names the field)
}

// StudyBasket is where a study's flows come from; Kind says which of its fields are read.
type StudyBasket struct {
	Kind BasketKind

	// Need (BasketNeed): Query filters the active GPU-hour and bare-metal offers in the
	// search language ("accelerator=h100-sxm gpus>=8"); each matching offer is one flow of
	// one need of GPUs × Hours for Buyer (its Country, Type and optional Region). The
	// declared buyer type is priced as it is (no VAT number is asked of a study).
	Query       string
	GPUs, Hours int
	Buyer       Buyer

	// CSV (BasketCSV): the file's text (at most whatif.MaxBasketBytes) and its name for
	// problem positions ("" means basket.csv).
	CSV     string
	CSVName string

	// Orders (BasketOrders): orders created in [From, To), at most MaxStudyOrdersRange apart;
	// each is priced with the offer terms and request its quote recorded, cancelled ones too
	// when they were accepted in the range.
	From, To time.Time
}

// StudyProgress counts a study's evaluations: Done of Total (Total is 0 until it started).
type StudyProgress struct {
	Done, Total int64
}

// StudyPins are what a study was priced with, recorded so that re-running its request gives
// the same numbers whatever has been activated, published or consumed since.
type StudyPins struct {
	AsOf      time.Time                  // the pricing date
	Currency  string                     // the study's currency
	Baseline  pricing.PolicyRef          // the baseline policy version
	Scenarios []pricing.PolicyRef        // per request scenario: the library version, or the inline document's id and hash (version 0)
	FXDate    time.Time                  // the FX snapshot's date
	FX        []pricing.Rate             // the rates in force on AsOf, by currency
	QuotaUsed map[string]decimal.Decimal // per quota measure id: the volume used in the period of AsOf
	Flows     int                        // flows in the basket
}

// Study is a stored study: its request, where it is, what it was priced with and, once done,
// its result (whatif.Result.WriteJSON's bytes: the tables in JSON; Tables decodes them).
type Study struct {
	ID         string // unguessable: "st_" and 32 hexadecimal digits
	Status     StudyStatus
	Progress   StudyProgress
	Request    StudyRequest
	Pins       StudyPins
	Result     []byte // done: the result as JSON
	Failure    string // failed: why, for the analyst (never internals)
	CreatedAt  time.Time
	UpdatedAt  time.Time // the latest progress written
	FinishedAt time.Time // zero until done or failed
}

// Tables decodes a done study's result into its tables (in whatif.Result.Tables order).
func (st Study) Tables() ([]whatif.Table, error) {
	if st.Status != StudyDone {
		return nil, Errorf(CodeConflict, "study %s is %s: it has no tables yet", st.ID, st.Status)
	}
	return whatif.ReadTables(bytes.NewReader(st.Result))
}

// Reasons of a study's refusals (Error.Reason). The fields its validation errors name
// (FieldError.Field), for clients that show a problem next to its input:
//
//	scenarios                      too many scenarios
//	scenarios[i].id                unknown or malformed scenario id (Reason "unknown_scenario")
//	scenarios[i].version           no such version
//	scenarios[i].document          the inline document cannot be read at all
//	scenarios[i].document:L:C      the inline document's problems, line and column
//	basket.kind                    not need, csv or orders
//	basket.query                   the need's filter (the search language's messages)
//	basket.gpus, basket.hours, basket.buyer.country, basket.buyer.type, basket.buyer.region
//	basket.csv                     the file as a whole (too large, empty, not CSV)
//	basket.csv:R:C                 one bad cell: row R (the header is row 1) and column C
//	basket.from, basket.to         the orders' date range
//	sweep                          the sweep's specification ("sweep:1:COL: …") or its target
//	as_of, currency
//	flows                          the basket resolves to no flow, or too many
const (
	ReasonUnknownScenario = "unknown_scenario"
	ReasonBadBasket       = "bad_basket"
	ReasonBadSweep        = "bad_sweep"
	ReasonBadScenarioDoc  = "bad_scenario_document"
	ReasonStudyTooLarge   = "study_too_large"
)

// studyHeartbeat is how often a running study's progress is written to the database, and
// studyStale how long a queued or running study may go without it before readers report it
// as interrupted (its process stopped).
const (
	studyHeartbeat = time.Second
	studyStale     = 2 * time.Minute
)

// studyRunner runs a process's background studies one at a time (each uses every core).
type studyRunner struct {
	wg        sync.WaitGroup
	sem       chan struct{}
	syncLimit atomic.Int64
	pending   atomic.Int64 // queued or running in this process
}

// MaxPendingStudies is how many studies one process keeps queued or running in the background
// (each holds its resolved flows in memory); beyond it a large study is refused as
// unavailable, to be asked again later.
const MaxPendingStudies = 4

func newStudyRunner() *studyRunner {
	r := &studyRunner{sem: make(chan struct{}, 1)}
	r.syncLimit.Store(StudySyncEvaluations)
	return r
}

// SetStudySyncLimit sets the most evaluations a study may need to run while the caller waits
// (StudySyncEvaluations by default); larger studies are queued.
func (s *Service) SetStudySyncLimit(n int64) { s.studies.syncLimit.Store(n) }

// RunStudy validates and resolves req (everything at once: every bad field is named, and
// nothing is stored or run for a request with any problem), stores the study and evaluates
// it. A study of at most StudySyncEvaluations evaluations runs while the caller waits and is
// returned done; a larger one is returned queued and runs in the background (read it with
// Study). Errors are *Error: CodeInvalid naming fields (see the field names above),
// CodeTooLarge for a study beyond the limits.
func (s *Service) RunStudy(ctx context.Context, req StudyRequest) (Study, error) {
	return s.runStudy(ctx, req, nil)
}

// RerunStudy runs a stored study's request again with everything it was pinned to (policy
// versions, FX rates, quota balances), as a new study: the result is byte for byte the stored
// one's when the basket's offers are unchanged.
func (s *Service) RerunStudy(ctx context.Context, id string) (Study, error) {
	old, err := s.Study(ctx, id)
	if err != nil {
		return Study{}, err
	}
	return s.runStudy(ctx, old.Request, &old.Pins)
}

func (s *Service) runStudy(ctx context.Context, req StudyRequest, pinned *StudyPins) (Study, error) {
	r, err := s.resolveStudy(ctx, req, pinned)
	if err != nil {
		return Study{}, err
	}
	now := s.now()
	st := Study{ID: NewID("st"), Status: StudyQueued, Request: r.req, Pins: r.pins, CreatedAt: now, UpdatedAt: now,
		Progress: StudyProgress{Total: r.evaluations}}
	if r.evaluations > s.studies.syncLimit.Load() {
		if s.studies.pending.Add(1) > MaxPendingStudies {
			s.studies.pending.Add(-1)
			return Study{}, &Error{Code: CodeUnavailable, Reason: "studies_busy",
				Message: fmt.Sprintf("%d large studies are queued or running on this server; ask again when one has finished", MaxPendingStudies)}
		}
		if err := s.store.PutStudy(ctx, st); err != nil {
			s.studies.pending.Add(-1)
			return Study{}, err
		}
		s.studies.wg.Add(1)
		go s.background(context.WithoutCancel(ctx), st, r)
		return st, nil
	}
	res, err := whatif.Evaluate(ctx, &r.study, whatif.Options{})
	if err != nil {
		return Study{}, studyCheckError(err)
	}
	if st.Result, err = resultJSON(res); err != nil {
		return Study{}, err
	}
	st.Status, st.Progress.Done = StudyDone, r.evaluations
	st.FinishedAt, st.UpdatedAt = s.now(), s.now()
	if err := s.store.PutStudy(ctx, st); err != nil {
		return Study{}, err
	}
	return st, nil
}

func resultJSON(res *whatif.Result) ([]byte, error) {
	var b bytes.Buffer
	if err := res.WriteJSON(&b); err != nil {
		return nil, fmt.Errorf("marketplace: write study result: %w", err)
	}
	return b.Bytes(), nil
}

// background evaluates a queued study, writing its progress every studyHeartbeat, and
// records its end.
func (s *Service) background(ctx context.Context, st Study, r resolvedStudy) {
	defer s.studies.wg.Done()
	defer s.studies.pending.Add(-1)
	var progress whatif.Progress
	stop := make(chan struct{})
	beat := make(chan struct{})
	status := StudyQueued
	var mu sync.Mutex
	go func() {
		defer close(beat)
		t := time.NewTicker(studyHeartbeat)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				mu.Lock()
				cur := status
				mu.Unlock()
				p := StudyProgress{Done: progress.Done(), Total: st.Progress.Total}
				if err := s.store.UpdateStudyProgress(ctx, st.ID, cur, p, s.now()); err != nil {
					slog.Warn("study progress not recorded", "study", st.ID, "err", err)
				}
			}
		}
	}()
	s.studies.sem <- struct{}{}
	mu.Lock()
	status = StudyRunning
	mu.Unlock()
	_ = s.store.UpdateStudyProgress(ctx, st.ID, StudyRunning, StudyProgress{Total: st.Progress.Total}, s.now())
	res, err := whatif.Evaluate(ctx, &r.study, whatif.Options{Progress: &progress})
	<-s.studies.sem
	close(stop)
	<-beat
	if err == nil {
		st.Result, err = resultJSON(res)
	}
	st.FinishedAt = s.now()
	st.UpdatedAt = st.FinishedAt
	if err != nil {
		slog.Error("study failed", "study", st.ID, "err", err)
		st.Status, st.Failure = StudyFailed, "the study could not be evaluated; run it again"
		if e, ok := AsError(studyCheckError(err)); ok && e.Code != CodeInternal {
			st.Failure = e.Error()
		}
	} else {
		st.Status, st.Progress.Done = StudyDone, st.Progress.Total
	}
	if err := s.store.FinishStudy(ctx, st); err != nil {
		slog.Error("study result not recorded", "study", st.ID, "err", err)
	}
}

// WaitStudies waits until the studies this process runs in the background have finished (for
// shutdown and tests).
func (s *Service) WaitStudies() { s.studies.wg.Wait() }

// Study reads a stored study with its status, progress and (done) result; CodeNotFound when
// there is none. A queued or running study whose progress has not been written for
// studyStale is reported failed: the process running it stopped.
func (s *Service) Study(ctx context.Context, id string) (Study, error) {
	if !validID(id) {
		return Study{}, &Error{Code: CodeNotFound, Message: "no such study"}
	}
	st, err := s.store.Study(ctx, id)
	if err != nil {
		return Study{}, err
	}
	if (st.Status == StudyQueued || st.Status == StudyRunning) && s.now().Sub(st.UpdatedAt) > studyStale {
		st.Status, st.Failure = StudyFailed, "the study was interrupted (the server running it stopped); run it again"
	}
	return st, nil
}

// StudyStore keeps studies: the request, status and progress, pins, and the result.
type StudyStore interface {
	// PutStudy inserts a new study (any status).
	PutStudy(ctx context.Context, st Study) error
	// UpdateStudyProgress records a running study's status and progress at the instant at
	// (another process serving the same database reports it); a finished study is left as it
	// is.
	UpdateStudyProgress(ctx context.Context, id string, status StudyStatus, p StudyProgress, at time.Time) error
	// FinishStudy records a study's end: done with its result, or failed with its failure.
	FinishStudy(ctx context.Context, st Study) error
	// Study reads one study with its result; CodeNotFound when there is none.
	Study(ctx context.Context, id string) (Study, error)
	// OrderQuotes reads the quotes of the confirmed orders created in [from, to), ordered by
	// the order's creation then id, limit+1 at most (the extra one says there are more).
	OrderQuotes(ctx context.Context, from, to time.Time, limit int) ([]Quote, error)
}
