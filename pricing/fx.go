package pricing

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

// SourceECB names the ECB euro foreign-exchange reference rates as a rate source.
const SourceECB = "ECB_REF"

// StaleAfter is how old a rate may be, relative to the date it is used for, before a quote
// carries a staleness warning: the ECB publishes on TARGET working days, so a Friday rate
// serves the weekend and a holiday Monday silently, while an import that stopped does not.
const StaleAfter = 5 * 24 * time.Hour

// rateDigits is the number of decimals kept by every FX division (cross rates and shocks).
// 16 decimals keep a conversion of a trillion units exact well below a cent; amounts are
// rounded only once, per line, by Round.
const rateDigits = 16

// Rate is one published reference rate: PerEUR units of Currency buy one euro, as published
// on Date (a calendar date, UTC midnight) by Source.
type Rate struct {
	Currency string
	PerEUR   decimal.Decimal
	Date     time.Time
	Source   string
	// CarriedFrom is, for a rate that repeats an earlier fixing under a later date (an
	// offline start's carry-forward row), the date of the fixing it repeats; zero for a rate
	// published on Date. A quote using such a rate carries the fx.stale warning.
	CarriedFrom time.Time
}

// RateTable holds reference rates for many publication dates. Add rates, then ask for the
// rates in force on a date with On. A RateTable is not safe for concurrent Add; concurrent On
// calls are safe once loading is done.
type RateTable struct {
	byCur map[string][]Rate // per currency, sorted by date ascending, one rate per date
}

// NewRateTable returns a table holding rates (see Add).
func NewRateTable(rates ...Rate) *RateTable {
	t := &RateTable{byCur: map[string][]Rate{}}
	t.Add(rates...)
	return t
}

// Add adds rates to the table. A rate for a currency and date already present replaces it.
// Dates are truncated to the calendar day (UTC). Rates that are not positive, or that are for
// EUR (always 1), are ignored.
func (t *RateTable) Add(rates ...Rate) {
	if t.byCur == nil {
		t.byCur = map[string][]Rate{}
	}
	touched := map[string]bool{}
	for _, r := range rates {
		if r.Currency == "EUR" || !r.PerEUR.IsPositive() {
			continue
		}
		r.Date = day(r.Date)
		t.byCur[r.Currency] = append(t.byCur[r.Currency], r)
		touched[r.Currency] = true
	}
	for cur := range touched {
		rs := t.byCur[cur]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Date.Before(rs[j].Date) })
		// Keep the last added rate of each date.
		out := rs[:0]
		for i, r := range rs {
			if i+1 < len(rs) && rs[i+1].Date.Equal(r.Date) {
				continue
			}
			out = append(out, r)
		}
		t.byCur[cur] = out
	}
}

// Len returns the number of rates in the table.
func (t *RateTable) Len() int {
	n := 0
	for _, rs := range t.byCur {
		n += len(rs)
	}
	return n
}

// Latest returns the most recent publication date in the table (zero when empty).
func (t *RateTable) Latest() time.Time {
	var latest time.Time
	for _, rs := range t.byCur {
		if d := rs[len(rs)-1].Date; d.After(latest) {
			latest = d
		}
	}
	return latest
}

// On returns the rates in force on date: for each currency, the latest rate published on or
// before date (so a Saturday uses Friday's rate). A currency is left out when its latest rate
// is more than StaleAfter older than date while the table has a newer publication without it
// (the ECB stopped quoting it: a discontinued or suspended currency, e.g. a legacy currency
// replaced by the euro). When the whole table is stale (its newest publication on or before
// date is more than StaleAfter old) every currency is kept and On returns a warning flag
// with code "fx.stale"; a quote that uses such a rate carries the same warning.
func (t *RateTable) On(date time.Time) (Snapshot, []tariff.Flag) {
	date = day(date)
	s := NewSnapshot(date, map[string]Rate{})
	var newest time.Time
	latest := make(map[string]Rate, len(t.byCur))
	for cur, rs := range t.byCur {
		// First index with Date > date.
		i := sort.Search(len(rs), func(i int) bool { return rs[i].Date.After(date) })
		if i == 0 {
			continue
		}
		r := rs[i-1]
		latest[cur] = r
		if r.Date.After(newest) {
			newest = r.Date
		}
	}
	for cur, r := range latest {
		if date.Sub(r.Date) > StaleAfter && r.Date.Before(newest) {
			continue // no longer quoted while others are
		}
		s.Rates[cur] = r
	}
	var flags []tariff.Flag
	if !newest.IsZero() && date.Sub(newest) > StaleAfter {
		flags = append(flags, staleFlag(newest, date))
	}
	return s, flags
}

func staleFlag(rateDate, date time.Time) tariff.Flag {
	return tariff.Flag{
		Code:     "fx.stale",
		Severity: tariff.SeverityWarning,
		Message: fmt.Sprintf("the newest FX rates are from %s, %d days before %s",
			rateDate.Format(time.DateOnly), int(date.Sub(rateDate)/(24*time.Hour)), date.Format(time.DateOnly)),
		Provenance: tariff.Provenance{Source: SourceECB, AsOf: rateDate.Format(time.DateOnly), Confidence: "estimate",
			Note: "an older published rate stands in for the day's"},
	}
}

// carriedFlag is the warning of a quote converted with a rate carried forward: not a rate
// published for its date, whatever date it is filed under.
func carriedFlag(u FXUse, date time.Time) tariff.Flag {
	return tariff.Flag{
		Code:     "fx.stale",
		Severity: tariff.SeverityWarning,
		Message: fmt.Sprintf("the %s/%s rate used on %s is the fixing of %s carried forward, not a rate published for that date: import current ECB rates before relying on this quote",
			u.From, u.To, date.Format(time.DateOnly), u.CarriedFrom.Format(time.DateOnly)),
		Provenance: tariff.Provenance{Source: u.Source, AsOf: u.CarriedFrom.Format(time.DateOnly), Confidence: "illustrative",
			Note: "a rate carried forward from an earlier fixing"},
	}
}

// Snapshot is the set of rates in force on one date, as a quote records it. It is a value:
// quotes store it and re-pricing with it gives the same conversions. EUR is implicit (1).
type Snapshot struct {
	Date  time.Time       // the date the rates are in force for
	Rates map[string]Rate // per currency; each Rate keeps its own publication date and source

	cross *crossCache // computed cross rates, shared by copies; nil for a literal Snapshot
}

// crossCache memoises cross rates: a comparison prices thousands of offers with one snapshot.
type crossCache struct {
	mu sync.RWMutex
	m  map[[2]string]FXUse
}

// NewSnapshot returns a snapshot of rates in force on date, as stored with a quote; it is
// what On returns, and what a stored quote's snapshot is rebuilt with.
func NewSnapshot(date time.Time, rates map[string]Rate) Snapshot {
	return Snapshot{Date: day(date), Rates: rates, cross: &crossCache{m: map[[2]string]FXUse{}}}
}

// Rate returns the rate of cur in the snapshot; EUR is always 1 with source "identity".
func (s Snapshot) Rate(cur string) (Rate, bool) {
	if cur == "EUR" {
		return Rate{Currency: "EUR", PerEUR: decimal.NewFromInt(1), Date: s.Date, Source: "identity"}, true
	}
	r, ok := s.Rates[cur]
	return r, ok
}

// CrossRate returns how many units of to one unit of from buys, through EUR:
// to_per_EUR ÷ from_per_EUR, to 16 decimals (rateDigits). The date returned is the older of
// the two publication dates; the source is the sources of both, when they differ.
func (s Snapshot) CrossRate(from, to string) (FXUse, error) {
	if s.cross == nil {
		return s.crossRate(from, to)
	}
	key := [2]string{from, to}
	s.cross.mu.RLock()
	u, ok := s.cross.m[key]
	s.cross.mu.RUnlock()
	if ok {
		return u, nil
	}
	u, err := s.crossRate(from, to)
	if err != nil {
		return u, err
	}
	s.cross.mu.Lock()
	s.cross.m[key] = u
	s.cross.mu.Unlock()
	return u, nil
}

func (s Snapshot) crossRate(from, to string) (FXUse, error) {
	if from == to {
		r, _ := s.Rate("EUR")
		return FXUse{From: from, To: to, Rate: r.PerEUR, Date: s.Date, Source: "identity"}, nil
	}
	fr, ok := s.Rate(from)
	if !ok {
		return FXUse{}, fmt.Errorf("pricing: convert %s to %s on %s: no %s rate", from, to, s.Date.Format(time.DateOnly), from)
	}
	tr, ok := s.Rate(to)
	if !ok {
		return FXUse{}, fmt.Errorf("pricing: convert %s to %s on %s: no %s rate", from, to, s.Date.Format(time.DateOnly), to)
	}
	u := FXUse{From: from, To: to, FromPerEUR: fr.PerEUR, ToPerEUR: tr.PerEUR, CarriedFrom: earliest(fr.CarriedFrom, tr.CarriedFrom)}
	switch {
	case from == "EUR":
		u.Rate, u.Date, u.Source = tr.PerEUR, tr.Date, tr.Source
	case to == "EUR":
		u.Rate, u.Date, u.Source = trimZeros(decimal.NewFromInt(1).DivRound(fr.PerEUR, rateDigits)), fr.Date, fr.Source
	default:
		u.Rate = trimZeros(tr.PerEUR.DivRound(fr.PerEUR, rateDigits))
		u.Date, u.Source = fr.Date, fr.Source
		if tr.Date.Before(u.Date) {
			u.Date = tr.Date
		}
		if tr.Source != fr.Source {
			u.Source = fr.Source + "+" + tr.Source
		}
	}
	return u, nil
}

// earliest returns the earlier of two dates, a zero date counting as none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// Convert converts amount from one currency into another at the snapshot's cross rate
// (CrossRate), without rounding. It implements tariff.Converter.
func (s Snapshot) Convert(amount decimal.Decimal, from, to string) (decimal.Decimal, error) {
	if from == to {
		return amount, nil
	}
	u, err := s.CrossRate(from, to)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return amount.Mul(u.Rate), nil
}

// Stale reports whether the rate of cur is more than StaleAfter older than the snapshot date.
func (s Snapshot) Stale(cur string) bool {
	r, ok := s.Rates[cur]
	return ok && s.Date.Sub(r.Date) > StaleAfter
}

// Shock returns a copy of s with currencies moved against the euro. shocks maps a currency to
// a relative change of its value in euros: CNY -0.05 ("-5%") means CNY weakens 5%, so one CNY
// buys 5% fewer euros, and CNY per EUR becomes old ÷ (1 − 0.05) (8.0000 → 8.4210526315789474).
// A CNY price then costs exactly 5% less in EUR. Changes must be above -1; EUR cannot be
// shocked (it is the base). The shocked rates keep their dates; their source gains
// " shocked -5%".
func (s Snapshot) Shock(shocks map[string]decimal.Decimal) (Snapshot, error) {
	out := NewSnapshot(s.Date, make(map[string]Rate, len(s.Rates)))
	for k, v := range s.Rates {
		out.Rates[k] = v
	}
	one := decimal.NewFromInt(1)
	for cur, ch := range shocks {
		if cur == "EUR" {
			return Snapshot{}, fmt.Errorf("pricing: fx shock for EUR: the base currency cannot move against itself")
		}
		f := one.Add(ch)
		if !f.IsPositive() {
			return Snapshot{}, fmt.Errorf("pricing: fx shock %s %s: must be above -100%%", cur, ch)
		}
		r, ok := out.Rates[cur]
		if !ok {
			return Snapshot{}, fmt.Errorf("pricing: fx shock %s: no %s rate on %s", cur, cur, s.Date.Format(time.DateOnly))
		}
		r.PerEUR = r.PerEUR.DivRound(f, rateDigits)
		r.Source = fmt.Sprintf("%s shocked %s%%", r.Source, ch.Shift(2).String())
		out.Rates[cur] = r
	}
	return out, nil
}

// FXUse records one conversion a quote used: Rate units of To per unit of From, the
// publication date and source of the rates, and the two per-EUR rates it was crossed from.
type FXUse struct {
	From       string
	To         string
	Rate       decimal.Decimal
	Date       time.Time
	Source     string
	FromPerEUR decimal.Decimal
	ToPerEUR   decimal.Decimal
	// CarriedFrom is the date of the earlier fixing a rate of the conversion repeats (the
	// earliest, if both do); zero when both were published for their dates (Rate.CarriedFrom).
	CarriedFrom time.Time
}

// trimZeros drops trailing zeros of the coefficient (0.1250000000000000 → 0.125), so that
// products with the rate stay small enough for the int64 fast paths. The value is unchanged.
func trimZeros(d decimal.Decimal) decimal.Decimal {
	if d.NumDigits() > 18 {
		return d
	}
	c, e := d.CoefficientInt64(), d.Exponent()
	if c == 0 {
		return decimal.Zero
	}
	n := 0
	for c%10 == 0 && e < 0 {
		c /= 10
		e++
		n++
	}
	if n == 0 {
		return d
	}
	return decimal.New(c, e)
}

// day truncates t to its calendar date in UTC.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Only returns a copy of s with the rates of the given currencies alone (EUR is implicit):
// what a stored quote keeps of the snapshot it was priced with, since re-pricing it converts
// between no others.
func (s Snapshot) Only(currencies ...string) Snapshot {
	out := NewSnapshot(s.Date, make(map[string]Rate, len(currencies)))
	for _, c := range currencies {
		if r, ok := s.Rates[c]; ok {
			out.Rates[c] = r
		}
	}
	return out
}
