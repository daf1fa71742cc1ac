package priceindex

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// Cell is one week of one stratum of a series: the sums of the observations of Week (a
// Monday) in Stratum (an origin bloc, when a series spans several). Median is the posted
// index's median ask (zero for transactions).
type Cell struct {
	Week    time.Time
	Stratum string
	Sums    Sums
	Median  decimal.Decimal
}

// Point is one week of a series. Sample is the observations in the published cells of the
// week (Outliers were screened out besides); a Gap week has no published cell and no prices —
// shown as a gap, never as zero. Index is the chain-linked index, 100 at the first published
// week of the range.
type Point struct {
	Week         time.Time
	Sample       int
	Outliers     int
	Gap          bool
	PerGPUHour   decimal.Decimal // EUR, volume-weighted mean over the published cells
	PerPFLOPHour decimal.Decimal // EUR per dense BF16 PFLOP-hour
	Median       decimal.Decimal // posted index: the median ask (one stratum); else zero
	Index        decimal.Decimal // rounded to IndexPlaces; zero on a gap
	link         decimal.Decimal // unrounded index level, for the chain
}

// Series turns cells into one point per week from the week of from to the week of to, both
// included. A week's published cells (Sums.Published) make its point; a week without any is a
// gap. The index is chain-linked: the first published week is 100, and each later published
// week t is the last published week s times the link
//
//	L(s,t) = Σ_c Q_c,s × p_c,t ÷ Σ_c Q_c,s × p_c,s
//
// over the strata c published in both weeks (p a cell's mean per GPU-hour, Q its GPU-hours:
// a Laspeyres link with the earlier week's volumes, so a shift of volume between strata does
// not move the index). With one stratum the link is p_t ÷ p_s and the index is
// 100 × p_t ÷ p_base. When no stratum is published in both weeks, the link is the ratio of
// the weeks' overall means. A gap does not break the chain: the next published week links to
// the last one before the gap.
func Series(cells []Cell, from, to time.Time) []Point {
	first, last := WeekOf(from), WeekOf(to)
	byWeek := map[time.Time][]Cell{}
	for _, c := range cells {
		w := WeekOf(c.Week)
		if w.Before(first) || w.After(last) {
			continue
		}
		byWeek[w] = append(byWeek[w], c)
	}
	var out []Point
	var prev []Cell // the published cells of the last published week
	var level decimal.Decimal
	for w := first; !w.After(last); w = w.AddDate(0, 0, 7) {
		p := Point{Week: w}
		var pub []Cell
		var total Sums
		for _, c := range byWeek[w] {
			p.Outliers += c.Sums.Outliers
			if !c.Sums.Published() {
				continue
			}
			pub = append(pub, c)
			total.Value, total.GPUHours, total.PFLOPHours = total.Value.Add(c.Sums.Value), total.GPUHours.Add(c.Sums.GPUHours), total.PFLOPHours.Add(c.Sums.PFLOPHours)
			total.PFLOPValue = total.PFLOPValue.Add(c.Sums.PFLOPValue)
			total.Count += c.Sums.Count
		}
		if len(pub) == 0 {
			p.Gap = true
			for _, c := range byWeek[w] {
				p.Sample += c.Sums.Count
			}
			out = append(out, p)
			continue
		}
		sort.Slice(pub, func(i, j int) bool { return pub[i].Stratum < pub[j].Stratum })
		p.Sample = total.Count
		p.PerGPUHour, p.PerPFLOPHour = total.PerGPUHour(), total.PerPFLOPHour()
		if len(pub) == 1 {
			p.Median = pub[0].Median
		}
		if prev == nil {
			level = decimal.NewFromInt(100)
		} else {
			level = level.Mul(link(prev, pub)).Round(linkPlaces)
		}
		p.link = level
		p.Index = level.Round(IndexPlaces)
		prev = pub
		out = append(out, p)
	}
	return out
}

// link is L(s,t) of Series between the published cells of two weeks.
func link(s, t []Cell) decimal.Decimal {
	at := map[string]Sums{}
	for _, c := range t {
		at[c.Stratum] = c.Sums
	}
	num, den := decimal.Zero, decimal.Zero
	for _, c := range s {
		ct, ok := at[c.Stratum]
		if !ok {
			continue
		}
		// Q_c,s × p_c,t = Q_c,s × V_c,t ÷ Q_c,t ; Q_c,s × p_c,s = V_c,s
		num = num.Add(c.Sums.GPUHours.Mul(ct.Value).DivRound(ct.GPUHours, linkPlaces+4))
		den = den.Add(c.Sums.Value)
	}
	if den.IsPositive() {
		return num.DivRound(den, linkPlaces)
	}
	// No stratum in both weeks: the ratio of the overall means.
	var ss, ts Sums
	for _, c := range s {
		ss.Value, ss.GPUHours = ss.Value.Add(c.Sums.Value), ss.GPUHours.Add(c.Sums.GPUHours)
	}
	for _, c := range t {
		ts.Value, ts.GPUHours = ts.Value.Add(c.Sums.Value), ts.GPUHours.Add(c.Sums.GPUHours)
	}
	if !ss.Value.IsPositive() || !ts.GPUHours.IsPositive() {
		return decimal.NewFromInt(1)
	}
	return ts.Value.Mul(ss.GPUHours).DivRound(ts.GPUHours.Mul(ss.Value), linkPlaces)
}

// Ratio returns (a − b) ÷ b as a percentage rounded to whole percent (the offer page's "12%
// below the posted index" is −12); zero when b is not positive.
func Ratio(a, b decimal.Decimal) decimal.Decimal {
	if !b.IsPositive() {
		return decimal.Zero
	}
	return a.Sub(b).Mul(decimal.NewFromInt(100)).DivRound(b, 8).Round(0)
}
