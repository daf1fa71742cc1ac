package pricing

import (
	"errors"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

// Need is what a buyer wants to compare offers for: GPUs × Hours of an accelerator model (or
// of any accelerator with at least MinBF16TFLOPS dense BF16 TFLOPS), optionally only in one
// bloc or some regions, priced for the buyer in Currency.
type Need struct {
	Accelerator   string          // model code; "" accepts any model
	MinBF16TFLOPS decimal.Decimal // zero accepts any
	GPUs          int
	Hours         int
	BuyerCountry  string
	BuyerRegion   string // where the buyer is registered (vouchers); "" if unknown
	BuyerType     tariff.BuyerType
	Currency      string
	Bloc          string   // CN | EU | NON_EU; "" accepts all
	Regions       []string // region codes; empty accepts all
	Start         time.Time
	AsOf          time.Time // the pricing date; zero means the day of the creation time
	PersonalData  bool

	BuyerHeadquarters string              // Request.BuyerHeadquarters
	Purpose           tariff.Purpose      // Request.Purpose
	VATRecovery       decimal.NullDecimal // Request.VATRecovery
	// TaxTerms, when set, prices every offer under these terms; "" prices each under the terms
	// it is posted on. Either way each offer's landed cost is what the buyer bears under the
	// terms applied (Quote.TaxTerms), so the ranking compares like with like.
	TaxTerms tariff.TaxTerms
}

// Breakdown splits a landed cost for a stacked bar: the price (base, discount and fees that
// are not measures), duties and levies (export duties and rebates, customs and additional
// duties, levies, measure fees), taxes (VAT, withholding, surtaxes that the buyer cannot
// recover, including a withholding tax carved out of the price) and subsidies (negative). The
// four parts sum to the landed cost.
type Breakdown struct {
	Price        decimal.Decimal
	DutiesLevies decimal.Decimal
	Taxes        decimal.Decimal
	Subsidies    decimal.Decimal
}

// Ranked is one offer in a comparison: its quote and landed figures, or why it could not be
// quoted (NoQuoteReason, NoQuoteMessage; Quote is then nil).
type Ranked struct {
	OfferID        string
	Quote          *Quote
	NoQuoteReason  string
	NoQuoteMessage string
	LandedCost     decimal.Decimal
	PerGPUHour     decimal.Decimal
	PerPFLOPHour   decimal.Decimal
	Breakdown      Breakdown
	Flags          []tariff.Flag
}

// compareParallelMin is the number of offers from which Compare spreads the work over all
// cores; below it the goroutine hand-off costs more than it saves.
const compareParallelMin = 256

// compareBlock is how many offers a worker takes at a time.
const compareBlock = 128

// Compare prices need against every offer that matches it (model or minimum BF16 TFLOPS,
// bloc, regions; services only) and returns them ranked by landed cost for the buyer (net
// cost for a business, total for a consumer), ties broken by offer id. Offers without enough
// capacity are left out; matching offers that cannot be quoted for another reason (below
// minimum hours, blocked by a gate, no FX rate…) follow the ranked ones, by offer id, with
// their reason. The result does not depend on the number of cores used.
//
// common holds what every offer is priced with, resolved once: the policy and its versions,
// the FX snapshot, quota balances, the creation time, validity and rounding. Its Offer and
// Request are ignored: each offer is priced for the request need describes.
func Compare(need Need, offers []OfferTerms, common Inputs) []Ranked {
	return compare(need, offers, common, &assessMemo{m: map[string]memoEntry{}})
}

func compare(need Need, offers []OfferTerms, common Inputs, memo *assessMemo) []Ranked {
	req := Request{
		GPUs: need.GPUs, Hours: need.Hours, BuyerCountry: need.BuyerCountry, BuyerRegion: need.BuyerRegion, BuyerType: need.BuyerType,
		Currency: need.Currency, AsOf: need.AsOf, Start: need.Start, PersonalData: need.PersonalData,
		BuyerHeadquarters: need.BuyerHeadquarters, Purpose: need.Purpose, VATRecovery: need.VATRecovery, TaxTerms: need.TaxTerms,
	}
	regions := make(map[string]bool, len(need.Regions))
	for _, r := range need.Regions {
		regions[r] = true
	}
	out := make([]Ranked, len(offers))
	keep := make([]bool, len(offers))
	work := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			o := &offers[i]
			if !matches(need, o, regions) {
				continue
			}
			in := common
			in.Offer, in.Request, in.memo = *o, req, memo
			q, err := Price(in)
			rk := Ranked{OfferID: o.ID}
			if err != nil {
				var nq *NoQuoteError
				if errors.As(err, &nq) {
					if nq.Reason == ReasonNotEnoughCapacity {
						continue
					}
					rk.NoQuoteReason, rk.NoQuoteMessage = nq.Reason, nq.Message
				} else {
					rk.NoQuoteReason, rk.NoQuoteMessage = "error", err.Error()
				}
				out[i], keep[i] = rk, true
				continue
			}
			rk.Quote = &q
			rk.LandedCost, rk.PerGPUHour, rk.PerPFLOPHour = q.LandedCost, q.PerGPUHour, q.PerPFLOPHour
			rk.Breakdown = breakdown(&q)
			rk.Flags = q.Flags
			out[i], keep[i] = rk, true
		}
	}
	n := len(offers)
	workers := runtime.GOMAXPROCS(0)
	if n < compareParallelMin || workers < 2 {
		work(0, n)
	} else {
		// Workers take blocks from a shared counter, so a core that is busy with something
		// else does not hold up the comparison with a fixed half of the offers.
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					lo := int(next.Add(compareBlock)) - compareBlock
					if lo >= n {
						return
					}
					work(lo, min(lo+compareBlock, n))
				}
			}()
		}
		wg.Wait()
	}
	// Sort indices, not the Ranked values, by integer minor units where the landed costs fit
	// in an int64 (all realistic ones), else by decimal comparison.
	idx := make([]int, 0, n)
	keys := make([]int64, n)
	exact := true
	p := places(need.Currency)
	for i := range out {
		if !keep[i] {
			continue
		}
		idx = append(idx, i)
		if out[i].NoQuoteReason != "" {
			continue
		}
		if k, ok := minorUnits(out[i].LandedCost, p); ok {
			keys[i] = k
		} else {
			exact = false
		}
	}
	sort.Slice(idx, func(i, j int) bool {
		a, b := &out[idx[i]], &out[idx[j]]
		if (a.NoQuoteReason == "") != (b.NoQuoteReason == "") {
			return a.NoQuoteReason == ""
		}
		if a.NoQuoteReason == "" {
			if exact {
				if ka, kb := keys[idx[i]], keys[idx[j]]; ka != kb {
					return ka < kb
				}
			} else if c := a.LandedCost.Cmp(b.LandedCost); c != 0 {
				return c < 0
			}
		}
		return a.OfferID < b.OfferID
	})
	res := make([]Ranked, len(idx))
	for k, i := range idx {
		res[k] = out[i]
	}
	return res
}

// matches reports whether an offer fits a need, before any pricing.
func matches(need Need, o *OfferTerms, regions map[string]bool) bool {
	if o.Product == tariff.ProductHardware {
		return false
	}
	if need.Accelerator != "" && !strings.EqualFold(need.Accelerator, o.Accelerator.Model) {
		return false
	}
	if need.MinBF16TFLOPS.IsPositive() && o.BF16TFLOPS.LessThan(need.MinBF16TFLOPS) {
		return false
	}
	if need.Bloc != "" && !strings.EqualFold(need.Bloc, o.Bloc) {
		return false
	}
	if len(regions) > 0 && !regions[o.Region] {
		return false
	}
	return true
}

// breakdown buckets a quote's landed cost; recoverable lines are left out for a business, as
// in its net cost, and the share of them it does not recover (Request.VATRecovery) counts as
// taxes, so the parts sum to LandedCost.
func breakdown(q *Quote) Breakdown {
	p := places(q.Currency)
	price, duties, taxes, subsidies := newSum(p), newSum(p), newSum(p), newSum(p)
	business := q.Request.BuyerType == tariff.BuyerBusiness
	if business {
		// Recoverable lines less what was recovered (total − net cost): zero when all of it is.
		unrecovered := newSum(p)
		for i := range q.Lines {
			if l := &q.Lines[i]; (l.Payable || l.Included) && l.Recoverable {
				unrecovered.add(l.Amount)
			}
		}
		unrecovered.sub(q.Total)
		unrecovered.add(q.NetCost)
		taxes.add(unrecovered.value())
	}
	for i := range q.Lines {
		l := &q.Lines[i]
		if l.Included {
			// A tax inside the price: move it out of the price, into taxes unless recovered.
			price.sub(l.Amount)
			if !(business && l.Recoverable) {
				taxes.add(l.Amount)
			}
			continue
		}
		if !l.Payable || (business && l.Recoverable) {
			continue
		}
		switch tariff.Kind(l.Kind) {
		case tariff.KindExportDuty, tariff.KindExportRebate, tariff.KindCustomsDuty, tariff.KindAdditionalDuty, tariff.KindLevy:
			duties.add(l.Amount)
		case tariff.KindVAT, tariff.KindWithholding, tariff.KindSurtax:
			taxes.add(l.Amount)
		case tariff.KindSubsidy:
			subsidies.add(l.Amount)
		case tariff.KindFee:
			if l.MeasureID != "" {
				duties.add(l.Amount)
			} else {
				price.add(l.Amount)
			}
		default: // base, discount
			price.add(l.Amount)
		}
	}
	b := Breakdown{DutiesLevies: duties.value(), Taxes: taxes.value(), Subsidies: subsidies.value()}
	if c, ok := minorUnits(q.Subtotal, p); ok && !price.ovf && price.c == c {
		b.Price = q.Subtotal // the usual case: the price part is the net price
	} else {
		b.Price = price.value()
	}
	return b
}
