package priceindex

import (
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"corridor/pricing"
)

// Currency is the currency of every amount of the index.
const Currency = "EUR"

// MinSample is the minimum number of observations (orders, or offers for the posted index) a
// weekly cell needs to be published; a cell with fewer is a gap, never a zero.
const MinSample = 3

// OutlierFactor bounds the outlier screen: an order whose price per GPU-hour is more than
// OutlierFactor times, or less than 1/OutlierFactor of, its reference is recorded as an
// outlier and left out of the cell's means.
const OutlierFactor = 3

// ReferenceWeeks is how far back the outlier screen looks for its reference: the latest
// published cell (same series, kind, class and bloc) of the ReferenceWeeks weeks before the
// order's week. With none, every order counts.
const ReferenceWeeks = 8

// IndexPlaces is the number of decimals an index number is shown with (base 100.00).
const IndexPlaces = 2

// linkPlaces is the precision a chain link is carried to before the index is rounded once.
const linkPlaces = 16

// thousand turns TFLOPS × hours into PFLOP-hours.
var thousand = decimal.NewFromInt(1000)

// WeekOf returns the Monday, 00:00 UTC, of the ISO week t falls in.
func WeekOf(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	back := (int(day.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	return day.AddDate(0, 0, -back)
}

// WeekLabel is the ISO 8601 week of a Monday: "2026-W49".
func WeekLabel(monday time.Time) string {
	y, w := monday.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// Observation is what one order (or one offer, for the posted index) adds to its cell: the
// value in EUR (for an order, its net price before any border charge; for an offer, its ask
// per GPU-hour times the GPUs it posts), the volume in GPU-hours (for an offer, its GPUs) and
// the same volume in dense BF16 PFLOP-hours (volume × the accelerator's BF16 TFLOPS ÷ 1000).
// PFLOPValue is the value again when the accelerator's throughput is known and zero when it
// is not, so that the price per PFLOP-hour divides only the value of the PFLOP-hours counted.
type Observation struct {
	Value      decimal.Decimal
	GPUHours   decimal.Decimal
	PFLOPHours decimal.Decimal
	PFLOPValue decimal.Decimal
}

// NewObservation builds an observation of value EUR over gpuHours GPU-hours of an accelerator
// with bf16TFLOPS dense BF16 TFLOPS (zero when unknown: the PFLOP-hours are then zero).
func NewObservation(value, gpuHours, bf16TFLOPS decimal.Decimal) Observation {
	o := Observation{Value: value, GPUHours: gpuHours, PFLOPHours: gpuHours.Mul(bf16TFLOPS).Div(thousand), PFLOPValue: decimal.Zero}
	if bf16TFLOPS.IsPositive() {
		o.PFLOPValue = value
	}
	return o
}

// Valid reports whether the observation can be indexed: a non-negative value over a positive
// volume.
func (o Observation) Valid() bool {
	return !o.Value.IsNegative() && o.GPUHours.IsPositive() && !o.PFLOPHours.IsNegative()
}

// Sums is a cell's running totals: exact sums, so that adding an order and removing it again
// (a cancellation) leaves the cell as it was. Count is the observations in the sums; Outliers
// the observations the screen left out (kept for the sample size a point reports).
type Sums struct {
	Value      decimal.Decimal
	GPUHours   decimal.Decimal
	PFLOPHours decimal.Decimal
	PFLOPValue decimal.Decimal // the value of the observations whose PFLOP-hours are known
	Count      int
	Outliers   int
}

// Add returns s with o added (or, when outlier, only counted as an outlier).
func (s Sums) Add(o Observation, outlier bool) Sums {
	if outlier {
		s.Outliers++
		return s
	}
	s.Value, s.GPUHours, s.PFLOPHours, s.PFLOPValue = s.Value.Add(o.Value), s.GPUHours.Add(o.GPUHours), s.PFLOPHours.Add(o.PFLOPHours), s.PFLOPValue.Add(o.PFLOPValue)
	s.Count++
	return s
}

// Sub returns s with o removed: the inverse of Add with the same outlier mark.
func (s Sums) Sub(o Observation, outlier bool) Sums {
	if outlier {
		s.Outliers--
		return s
	}
	s.Value, s.GPUHours, s.PFLOPHours, s.PFLOPValue = s.Value.Sub(o.Value), s.GPUHours.Sub(o.GPUHours), s.PFLOPHours.Sub(o.PFLOPHours), s.PFLOPValue.Sub(o.PFLOPValue)
	s.Count--
	return s
}

// Published reports whether the cell has at least MinSample observations with volume.
func (s Sums) Published() bool { return s.Count >= MinSample && s.GPUHours.IsPositive() }

// PerGPUHour is the cell's volume-weighted mean price: Σ value ÷ Σ GPU-hours, EUR to four
// decimals; zero when the cell has no volume.
func (s Sums) PerGPUHour() decimal.Decimal {
	return pricing.UnitPrice(s.Value, s.GPUHours, Currency, pricing.HalfUp)
}

// PerPFLOPHour is Σ value ÷ Σ BF16 PFLOP-hours over the observations whose accelerator's
// throughput is known, EUR to four decimals; zero when none is.
func (s Sums) PerPFLOPHour() decimal.Decimal {
	return pricing.UnitPrice(s.PFLOPValue, s.PFLOPHours, Currency, pricing.HalfUp)
}

// Outlier reports whether o fails the screen against the reference cell ref: its price per
// GPU-hour p = o.Value ÷ o.GPUHours lies outside [m ÷ OutlierFactor, m × OutlierFactor] for
// the reference mean m = ref.Value ÷ ref.GPUHours. The comparison is cross-multiplied, so it
// is exact: p × F < m  ⇔  o.Value × ref.GPUHours × F < ref.Value × o.GPUHours. An
// unpublished reference screens nothing out.
func Outlier(o Observation, ref Sums) bool {
	if !ref.Published() || !o.GPUHours.IsPositive() {
		return false
	}
	f := decimal.NewFromInt(OutlierFactor)
	lhs := o.Value.Mul(ref.GPUHours) // p × ref.GPUHours × o.GPUHours
	rhs := ref.Value.Mul(o.GPUHours) // m × ref.GPUHours × o.GPUHours
	return lhs.Mul(f).LessThan(rhs) || lhs.GreaterThan(rhs.Mul(f))
}

// Median returns the median of prices (the mean of the two middle ones for an even count,
// EUR to four decimals); zero for none.
func Median(prices []decimal.Decimal) decimal.Decimal {
	if len(prices) == 0 {
		return decimal.Zero
	}
	p := append([]decimal.Decimal(nil), prices...)
	sort.Slice(p, func(i, j int) bool { return p[i].LessThan(p[j]) })
	n := len(p)
	if n%2 == 1 {
		return pricing.UnitPrice(p[n/2], decimal.NewFromInt(1), Currency, pricing.HalfUp)
	}
	return pricing.UnitPrice(p[n/2-1].Add(p[n/2]), decimal.NewFromInt(2), Currency, pricing.HalfUp)
}
