package marketplace

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"corridor/pricing"
	"corridor/tariff"
)

// CancellationKind says whether and until when an order may be cancelled.
type CancellationKind string

// The kinds of cancellation terms an offer states.
const (
	// CancelFreeUntil: free of charge until NoticeHours before the reserved window starts;
	// after that the order stands.
	CancelFreeUntil CancellationKind = "free_until"
	// CancelNone: the order stands once accepted (reserved capacity, hardware).
	CancelNone CancellationKind = "non_cancellable"
)

// CancellationKinds lists every kind, for messages and documents.
var CancellationKinds = []CancellationKind{CancelFreeUntil, CancelNone}

// MaxNoticeHours bounds an offer's cancellation notice: a year.
const MaxNoticeHours = 8760

// Cancellation is an offer's stated cancellation terms, copied onto each quote when it is
// priced and onto the order when the quote is accepted, so an order is always cancelled under
// the terms its buyer saw. The zero value means "not stated": an offer without terms of its
// own has DefaultCancellation's.
type Cancellation struct {
	Kind        CancellationKind
	NoticeHours int // CancelFreeUntil only: hours before the window's start at which free cancellation ends
}

// IsZero reports whether no terms are stated.
func (c Cancellation) IsZero() bool { return c.Kind == "" }

// DefaultCancellation is the terms of an offer that states none (every offer made before
// offers had terms, and offers created without them): reserved capacity and hardware cannot be
// cancelled once ordered (the supplier set capacity aside for a term, or shipped goods);
// on-demand capacity can be cancelled free until 24 hours before it starts (a day for the
// supplier to offer it again); interruptible capacity until it starts (it may be taken back
// at any time anyway).
func DefaultCancellation(pricingModel, product string) Cancellation {
	switch {
	case product == string(tariff.ProductHardware), pricingModel == string(pricing.PricingReserved):
		return Cancellation{Kind: CancelNone}
	case pricingModel == string(pricing.PricingInterruptible):
		return Cancellation{Kind: CancelFreeUntil, NoticeHours: 0}
	}
	return Cancellation{Kind: CancelFreeUntil, NoticeHours: 24}
}

// CancellationTerms is the offer's terms: its own, or DefaultCancellation's.
func (o Offer) CancellationTerms() Cancellation {
	if !o.Cancellation.IsZero() {
		return o.Cancellation
	}
	return DefaultCancellation(o.Pricing, o.Product)
}

// Deadline is the last instant an order whose window starts at start may be cancelled; ok is
// false when it cannot be cancelled at all.
func (c Cancellation) Deadline(start time.Time) (time.Time, bool) {
	if c.Kind != CancelFreeUntil {
		return time.Time{}, false
	}
	return start.Add(-time.Duration(c.NoticeHours) * time.Hour), true
}

// CancellationInput is an offer's cancellation terms as a client writes them.
type CancellationInput struct {
	Kind        *string
	NoticeHours *int
}

// apply validates the terms; field names start with prefix ("cancellation.").
func (in CancellationInput) apply(prefix string) (Cancellation, []FieldError) {
	var errs []FieldError
	var c Cancellation
	if in.Kind == nil {
		errs = append(errs, FieldError{Field: prefix + "kind", Message: "is required: " + joinCodes(CancellationKinds)})
		return c, errs
	}
	c.Kind = CancellationKind(*in.Kind)
	switch c.Kind {
	case CancelFreeUntil:
		if in.NoticeHours == nil {
			errs = append(errs, FieldError{Field: prefix + "notice_hours", Message: "is required with free_until: hours before the start, 0 for until the start"})
		} else if *in.NoticeHours < 0 || *in.NoticeHours > MaxNoticeHours {
			errs = append(errs, FieldError{Field: prefix + "notice_hours", Message: fmt.Sprintf("must be from 0 to %d", MaxNoticeHours)})
		} else {
			c.NoticeHours = *in.NoticeHours
		}
	case CancelNone:
		if in.NoticeHours != nil {
			errs = append(errs, FieldError{Field: prefix + "notice_hours", Message: "only goes with free_until"})
		}
	default:
		errs = append(errs, FieldError{Field: prefix + "kind", Message: "must be one of " + joinCodes(CancellationKinds) + ", not " + quoteField(*in.Kind)})
	}
	return c, errs
}

// OrderCancelled is the status of an order its buyer cancelled: its reservation and any
// tariff-quota volume it consumed are released.
const OrderCancelled = "cancelled"

// OrderCancellation records who cancelled an order, when and why.
type OrderCancellation struct {
	At     time.Time
	By     string // the buyer's id
	Reason string
}

// CancelOrder cancels orderID for buyerID under the order's cancellation terms: in one
// transaction the order becomes cancelled with who, when and why, its reservation is released
// and the tariff-quota volume it consumed is given back. This is the one place orders are
// cancelled (the API and the pages call it). Another buyer's order is CodeNotFound; an order
// past its terms' deadline, or not cancellable at all, is CodeConflict (reason
// not_cancellable, with the deadline); cancelling a cancelled order returns it again with
// changed false, releasing nothing twice, also when two servers cancel it at once.
func (s *Service) CancelOrder(ctx context.Context, buyerID, orderID, reason string) (Order, bool, error) {
	o, err := s.buyerOrder(ctx, buyerID, orderID)
	if err != nil {
		return Order{}, false, err
	}
	if o.Status == OrderCancelled {
		return o, false, nil
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Order{}, false, Invalid("a reason is required", FieldError{Field: "reason", Message: "is required: say why the order is cancelled (it is recorded with the order)"})
	case TextProblem(reason, true) != "":
		return Order{}, false, Invalid("invalid reason", FieldError{Field: "reason", Message: TextProblem(reason, true)})
	case utf8.RuneCountInString(reason) > MaxCancelReasonLen:
		return Order{}, false, Invalid("reason too long", FieldError{Field: "reason", Message: fmt.Sprintf("must be at most %d characters", MaxCancelReasonLen)})
	}
	now := s.now().Truncate(time.Second)
	if err := cancellable(o, now); err != nil {
		return Order{}, false, err
	}
	return s.store.CancelOrder(ctx, orderID, OrderCancellation{At: now, By: buyerID, Reason: reason})
}

// cancellable refuses to cancel o at now when its terms do not allow it.
func cancellable(o Order, now time.Time) error {
	deadline, ok := o.Cancellation.Deadline(o.Start)
	if !ok {
		return &Error{Code: CodeConflict, Reason: "not_cancellable",
			Message: "this order cannot be cancelled: the offer's terms make it binding once accepted (non_cancellable)"}
	}
	if now.After(deadline) {
		return &Error{Code: CodeConflict, Reason: "not_cancellable",
			Message: fmt.Sprintf("free cancellation ended at %s (%d hours before the reservation starts at %s)",
				deadline.Format(time.RFC3339), o.Cancellation.NoticeHours, o.Start.Format(time.RFC3339)),
			Extra: map[string]any{"cancellable_until": deadline.Format(time.RFC3339)}}
	}
	return nil
}

// CancellableUntil is the last instant the order may be cancelled; ok is false when it never
// could be, or is no longer confirmed.
func (o Order) CancellableUntil() (time.Time, bool) {
	if o.Status != OrderConfirmed {
		return time.Time{}, false
	}
	return o.Cancellation.Deadline(o.Start)
}

// CanCancelAt reports whether the order may be cancelled at now.
func (o Order) CanCancelAt(now time.Time) bool {
	d, ok := o.CancellableUntil()
	return ok && !now.After(d)
}

// buyerOrder reads orderID and checks that buyerID placed it: another buyer's order (and an
// order placed without an account) is CodeNotFound, so ids of others' orders tell nothing.
func (s *Service) buyerOrder(ctx context.Context, buyerID, orderID string) (Order, error) {
	notFound := &Error{Code: CodeNotFound, Message: "no such order"}
	if buyerID == "" || !validID(orderID) {
		return Order{}, notFound
	}
	o, err := s.store.Order(ctx, orderID)
	if err != nil {
		return Order{}, err
	}
	if o.BuyerID != buyerID {
		return Order{}, notFound
	}
	return o, nil
}
