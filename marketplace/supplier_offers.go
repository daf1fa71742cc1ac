package marketplace

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"
)

// SupplierOfferQuery asks for one supplier's own offers, withdrawn ones included, in the
// order of their ids, one page at a time.
type SupplierOfferQuery struct {
	SupplierID string
	Status     string // "", active or withdrawn
	Limit      int    // 0 = DefaultPageSize
	Cursor     string // a NextCursor
}

// SupplierOfferPage is one page of a supplier's offers.
type SupplierOfferPage struct {
	Offers     []OfferView // with GPUsAvailable over the rest of each offer's window
	NextCursor string      // empty on the last page
}

// SupplierOffers lists q's supplier's own offers — the search lists active offers only, so a
// supplier finds its withdrawn ones here — with the GPUs still free on each.
func (s *Service) SupplierOffers(ctx context.Context, q SupplierOfferQuery) (SupplierOfferPage, error) {
	limit := q.Limit
	if limit == 0 {
		limit = DefaultPageSize
	}
	var errs []FieldError
	if limit < 1 || limit > MaxPageSize {
		errs = append(errs, FieldError{Field: "limit", Message: fmt.Sprintf("must be from 1 to %d", MaxPageSize)})
	}
	if q.Status != "" && q.Status != OfferActive && q.Status != OfferWithdrawn {
		errs = append(errs, FieldError{Field: "status", Message: "must be active or withdrawn, not " + quoteField(q.Status)})
	}
	after := ""
	if q.Cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(q.Cursor)
		if err != nil || !validID(string(raw)) {
			errs = append(errs, FieldError{Field: "cursor", Message: "malformed cursor; pass next_cursor back unchanged"})
		}
		after = string(raw)
	}
	if len(errs) > 0 {
		return SupplierOfferPage{}, Invalid("invalid offer listing", errs...)
	}
	views, err := s.store.SupplierOfferViews(ctx, q.SupplierID, q.Status, after, limit+1)
	if err != nil {
		return SupplierOfferPage{}, err
	}
	var p SupplierOfferPage
	if len(views) > limit {
		views = views[:limit]
		p.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(views[limit-1].ID))
	}
	if err := s.fillAvailability(ctx, views, time.Time{}, time.Time{}); err != nil {
		return SupplierOfferPage{}, err
	}
	p.Offers = views
	return p, nil
}

// ReinstateOffer lists and makes quotable again supplierID's withdrawn offer id, as it was
// (a new version). Reinstating an active offer returns it unchanged; an offer whose window has
// ended is CodeConflict (post a new offer instead). ifMatch is the version the client last
// read (0 = no If-Match).
func (s *Service) ReinstateOffer(ctx context.Context, supplierID, id string, ifMatch int) (Offer, error) {
	o, err := s.ownOffer(ctx, supplierID, id)
	if err != nil {
		return Offer{}, err
	}
	if o.Status == OfferActive {
		return o, nil
	}
	if ifMatch != 0 && ifMatch != o.Version {
		return Offer{}, staleVersion(o.Version)
	}
	now := s.now().Truncate(time.Second)
	if !now.Before(o.AvailableUntil) {
		return Offer{}, &Error{Code: CodeConflict, Reason: "window_ended",
			Message: fmt.Sprintf("the offer's availability ended at %s; post a new offer instead", o.AvailableUntil.Format(time.RFC3339))}
	}
	if err := s.checkOfferCap(ctx, supplierID, 1, "status"); err != nil {
		return Offer{}, err
	}
	prev := o.Version
	o.Status = OfferActive
	o.Version++
	o.UpdatedAt = now
	if err := s.store.UpdateOffer(ctx, o, prev); err != nil {
		return Offer{}, err
	}
	return o, nil
}
