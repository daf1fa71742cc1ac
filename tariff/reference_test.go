package tariff

// The assessment as it was before the compiled, memoized engine (commit 1872d6e), kept as the
// reference the engine is checked against (TestAssessMatchesReference): the engine must return
// identical charges, flags, trail and errors for every supply and date. Later language
// additions (supplier establishment, buyer headquarters, purposes, lists, fab country, export
// class, rate: unknown, tax terms, provenance) are written into it the plain way, measure by
// measure, without the engine's memo and templates.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

type refAssessment struct {
	p        *Policy
	s        *Supply
	asOf     time.Time
	out      Assessment
	dutySum  decimal.Decimal // import duties, levies and fees so far (value_plus_duties)
	customsV decimal.Decimal
	matched  []bool
}

func refAssess(p *Policy, s Supply, asOf time.Time) (Assessment, error) {
	if p == nil {
		return Assessment{}, errors.New("tariff: assess: no policy")
	}
	if s.Currency == "" {
		return Assessment{}, errors.New("tariff: assess: the supply has no currency")
	}
	for i, v := range []decimal.Decimal{s.Quantity, s.NetPrice, s.Freight, s.Insurance, s.EnergyKWh} {
		if v.IsNegative() {
			name := []string{"quantity", "net price", "freight", "insurance", "energy"}[i]
			return Assessment{}, fmt.Errorf("tariff: assess: negative %s %s", name, v)
		}
	}
	if s.TaxTerms != "" && s.TaxTerms != TaxTermsNetOfCNTax && s.TaxTerms != TaxTermsInclusive {
		return Assessment{}, fmt.Errorf("tariff: assess: unknown tax terms %q (net_of_cn_tax, tax_inclusive)", s.TaxTerms)
	}
	if s.Purpose != "" && s.Purpose != PurposeTraining && s.Purpose != PurposeInference && s.Purpose != PurposeOther {
		return Assessment{}, fmt.Errorf("tariff: assess: unknown purpose %q (training, inference, other)", s.Purpose)
	}
	day := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	dayStr := day.Format(dateLayout)
	n := len(p.Measures)
	st := &refAssessment{p: p, s: &s, asOf: asOf, customsV: s.NetPrice.Add(s.Freight).Add(s.Insurance)}
	st.out.Trail = make([]Consideration, n)
	matched := make([]bool, n)
	specs := make([]specificity, n)
	for i := range p.Measures {
		m := &p.Measures[i]
		ok, reason, sp := refMatch(p, m, &s, day, dayStr)
		st.out.Trail[i] = Consideration{MeasureID: m.ID, Reason: reason}
		matched[i], specs[i] = ok, sp
	}

	// Competition: among matching measures that compete, the most specific wins, then the
	// lowest priority number, then document order. Customs duties are alternatives decided by
	// amount below.
	groups := map[string][]int{}
	var order []string
	for i := range p.Measures {
		m := &p.Measures[i]
		if !matched[i] || m.Kind == KindCustomsDuty {
			continue
		}
		k := competitionKey(m)
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range order {
		idx := groups[k]
		if len(idx) < 2 {
			continue
		}
		w := idx[0]
		for _, i := range idx[1:] {
			c := specs[i].cmp(specs[w])
			if c > 0 || c == 0 && p.Measures[i].Priority < p.Measures[w].Priority {
				w = i
			}
		}
		for _, i := range idx {
			if i == w {
				continue
			}
			matched[i] = false
			win, lose := &p.Measures[w], &p.Measures[i]
			var why string
			switch {
			case specs[w].cmp(specs[i]) != 0:
				why = "more specific, " + specs[w].explain(specs[i])
			case win.Priority != lose.Priority:
				why = fmt.Sprintf("priority %d over %d", win.Priority, lose.Priority)
			default:
				why = "same specificity and priority: first in document order"
			}
			st.out.Trail[i].Reason = fmt.Sprintf("superseded by %s (%s)", win.ID, why)
		}
	}

	st.matched = matched
	for _, k := range kindOrder {
		if st.out.Blocked {
			break
		}
		if k == KindExportDuty {
			// After the gates: the measures of unknown rate that apply raise a warning.
			for i := range p.Measures {
				if m := &p.Measures[i]; matched[i] && m.RateUnknown && m.Kind != KindGate {
					matched[i] = false
					f := unknownRateFlag(m, day)
					st.out.Flags = append(st.out.Flags, f)
					st.out.Trail[i] = Consideration{MeasureID: m.ID, Applied: true, Reason: "applied: no rate known on " + dayStr + ": flag " + f.Code + " (warning)"}
				}
			}
		}
		if k == KindCustomsDuty {
			if err := st.customs(matched); err != nil {
				return Assessment{}, err
			}
			continue
		}
		for i := range p.Measures {
			m := &p.Measures[i]
			if !matched[i] || m.Kind != k {
				continue
			}
			if k == KindGate {
				st.gate(i)
				continue
			}
			if m.RateUnknown {
				continue // flagged after the gates
			}
			lines, note, err := st.compute(m)
			if err != nil {
				return Assessment{}, err
			}
			st.addLines(m, lines)
			st.out.Trail[i] = Consideration{MeasureID: m.ID, Applied: true, Reason: "applied" + note}
		}
	}
	if st.out.Blocked {
		for i := range p.Measures {
			if matched[i] && p.Measures[i].Kind != KindGate {
				st.out.Trail[i].Reason = "not assessed: the supply is blocked by a gate"
			}
		}
		st.out.Charges = nil
	}
	return st.out, nil
}

func (st *refAssessment) gate(i int) {
	m := &st.p.Measures[i]
	sev := SeverityWarning
	switch m.Action {
	case ActionLicenseRequired:
		sev = SeverityLicenseRequired
	case ActionBlock:
		sev = SeverityBlock
		st.out.Blocked = true
	}
	msg := m.Message
	if msg == "" {
		msg = m.Label
	}
	if msg == "" {
		msg = "gate " + m.ID + " matched"
	}
	st.out.Flags = append(st.out.Flags, Flag{Code: m.Flag, Severity: sev, Message: msg, MeasureID: m.ID, Legal: m.Legal,
		Provenance: Provenance{Source: m.Source, AsOf: m.AsOf, Confidence: m.Confidence, Note: m.Note}})
	st.out.Trail[i] = Consideration{MeasureID: m.ID, Applied: true, Reason: "applied: flag " + m.Flag + " (" + string(sev) + ")"}
}

func (st *refAssessment) customs(matched []bool) error {
	p := st.p
	groups := map[string][]int{}
	var order []string
	for i := range p.Measures {
		m := &p.Measures[i]
		if !matched[i] || m.Kind != KindCustomsDuty {
			continue
		}
		k := competitionKey(m)
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range order {
		idx := groups[k]
		lines := make([][]Charge, len(idx))
		totals := make([]decimal.Decimal, len(idx))
		notes := make([]string, len(idx))
		flags := make([][]Flag, len(idx))
		w := 0
		for j, i := range idx {
			// Flags (quota.low) of an alternative count only if it is chosen.
			n0 := len(st.out.Flags)
			var err error
			lines[j], notes[j], err = st.compute(&p.Measures[i])
			if err != nil {
				return err
			}
			flags[j] = append([]Flag(nil), st.out.Flags[n0:]...)
			st.out.Flags = st.out.Flags[:n0]
			for _, c := range lines[j] {
				totals[j] = totals[j].Add(c.Amount)
			}
			if c := totals[j].Cmp(totals[w]); c < 0 || c == 0 && p.Measures[i].Priority < p.Measures[idx[w]].Priority {
				w = j
			}
		}
		win := &p.Measures[idx[w]]
		st.addLines(win, lines[w])
		st.out.Flags = append(st.out.Flags, flags[w]...)
		note := notes[w]
		if len(idx) > 1 {
			note = fmt.Sprintf("%s (lowest of %d alternatives)", note, len(idx))
		}
		st.out.Trail[idx[w]] = Consideration{MeasureID: win.ID, Applied: true, Reason: "applied" + note}
		for j, i := range idx {
			if j == w {
				continue
			}
			why := fmt.Sprintf("alternative not chosen: %s is lower (%s vs %s)", win.ID, totals[w], totals[j])
			if totals[j].Equal(totals[w]) {
				why = fmt.Sprintf("alternative not chosen: %s gives the same amount and comes first (priority, document order)", win.ID)
			}
			st.out.Trail[i] = Consideration{MeasureID: p.Measures[i].ID, Reason: why}
		}
	}
	return nil
}

func (st *refAssessment) addLines(m *Measure, lines []Charge) {
	for _, c := range lines {
		switch c.Kind {
		case KindCustomsDuty, KindAdditionalDuty, KindLevy, KindFee:
			if m.Direction != DirectionExport {
				st.dutySum = st.dutySum.Add(c.Amount)
			}
		}
		st.out.Charges = append(st.out.Charges, c)
	}
}

func (st *refAssessment) base(m *Measure) decimal.Decimal {
	switch m.Base {
	case BaseCustomsValue:
		return st.customsV
	case BaseValuePlusDuties:
		return st.customsV.Add(st.dutySum)
	case BaseTaxAmount:
		sum, _ := st.taxAmount(m)
		return sum
	default: // net_price, gross_payment, contract_amount
		return st.s.NetPrice
	}
}

// taxAmount sums the payable VAT and VAT withheld on a gross payment of m's jurisdiction (never
// income tax withheld) and says whether all of them are inside the price.
func (st *refAssessment) taxAmount(m *Measure) (decimal.Decimal, bool) {
	sum, all, found := decimal.Zero, true, false
	for _, c := range st.out.Charges {
		vatLike := c.Kind == KindVAT || c.Kind == KindWithholding && c.Basis != string(BasePaymentNetOfVAT)
		if vatLike && c.Payable && c.Jurisdiction == m.Jurisdiction {
			sum, found = sum.Add(c.Amount), true
			all = all && c.Included
		}
	}
	return sum, found && all
}

func (st *refAssessment) compute(m *Measure) ([]Charge, string, error) {
	s := st.s
	base := st.base(m)
	if m.Kind == KindSubsidy {
		c, note, err := st.subsidy(m, base)
		return []Charge{c}, note, err
	}
	if m.Quota == nil {
		c, err := st.line(m, m.Rate, base, s.Quantity, s.EnergyKWh, "")
		return []Charge{c}, "", err
	}
	q := m.Quota
	var rem decimal.Decimal
	unlimited := s.Quota == nil
	if !unlimited {
		var err error
		if rem, err = s.Quota.Remaining(m.ID, st.asOf); err != nil {
			return nil, "", fmt.Errorf("tariff: assess %s: quota balance: %w", m.ID, err)
		}
		if rem.LessThan(q.Volume.Mul(tenth)) {
			st.out.Flags = append(st.out.Flags, Flag{Code: "quota.low", Severity: SeverityInfo, MeasureID: m.ID, Legal: m.Legal,
				Message:    fmt.Sprintf("quota of %s: %s %s left of %s (below 10%%)", m.ID, rem, q.Unit, q.Volume),
				Provenance: Provenance{Source: m.Source, AsOf: m.AsOf, Confidence: m.Confidence, Note: m.Note}})
		}
	}
	qty := s.Quantity
	switch {
	case unlimited || rem.GreaterThanOrEqual(qty):
		c, err := st.line(m, q.InQuotaRate, base, qty, s.EnergyKWh, "in_quota")
		return []Charge{c}, fmt.Sprintf(" (in quota: %s %s)", qty, q.Unit), err
	case !rem.IsPositive():
		c, err := st.line(m, m.Rate, base, qty, s.EnergyKWh, "out_of_quota")
		return []Charge{c}, " (quota exhausted: out-of-quota rate)", err
	default:
		inBase := base.Mul(rem).DivRound(qty, divScale)
		inEnergy := s.EnergyKWh.Mul(rem).DivRound(qty, divScale)
		in, err := st.line(m, q.InQuotaRate, inBase, rem, inEnergy, "in_quota")
		if err != nil {
			return nil, "", err
		}
		out, err := st.line(m, m.Rate, base.Sub(inBase), qty.Sub(rem), s.EnergyKWh.Sub(inEnergy), "out_of_quota")
		return []Charge{in, out}, fmt.Sprintf(" (split: %s %s in quota, %s out of quota)", rem, q.Unit, qty.Sub(rem)), err
	}
}

func (st *refAssessment) line(m *Measure, expr *Expr, base, qty, energy decimal.Decimal, quota string) (Charge, error) {
	s := st.s
	in := exprInput{base: base, quantity: qty, energy: energy, currency: s.Currency, rates: s.Rates}
	shown := base
	net := s.TaxTerms == TaxTermsNetOfCNTax
	withheld := m.Base == BaseGrossPayment || m.Base == BasePaymentNetOfVAT
	// The jurisdiction's rates withheld on the gross payment (VAT) and on the payment net of VAT
	// (income tax), among the priced measures that apply.
	v, inc := decimal.Zero, decimal.Zero
	for i := range st.p.Measures {
		o := &st.p.Measures[i]
		if !st.matched[i] || o.Jurisdiction != m.Jurisdiction || o.Rate == nil || o.Kind == KindGate || o.Kind == KindCustomsDuty {
			continue
		}
		if o.Base == BaseGrossPayment {
			v = v.Add(o.Rate.AdValoremSum())
		} else if o.Base == BasePaymentNetOfVAT {
			inc = inc.Add(o.Rate.AdValoremSum())
		}
	}
	income := base // under net terms: the payment net of VAT, grossed up for income tax
	if withheld && net && !inc.IsZero() {
		if !one.Sub(inc).IsPositive() {
			return Charge{}, fmt.Errorf("tariff: assess %s: income taxes withheld at 100%% or more cannot be grossed up", m.ID)
		}
		income = base.DivRound(one.Sub(inc), divScale)
	}
	switch {
	case m.Base == BaseGrossPayment:
		div := one.Add(expr.AdValoremSum())
		if !div.IsPositive() {
			return Charge{}, fmt.Errorf("tariff: assess %s: gross_payment with a rate of -100%% or less", m.ID)
		}
		if net {
			in.base, shown = income, income.Mul(div)
		} else {
			// The price is gross of the tax: tax = gross ÷ (1 + r) × r.
			in.base = base.DivRound(div, divScale)
		}
	case m.Base == BasePaymentNetOfVAT && net:
		in.base, shown = income, income
	case m.Base == BasePaymentNetOfVAT:
		if !one.Add(v).IsPositive() {
			return Charge{}, fmt.Errorf("tariff: assess %s: VAT withheld at -100%% or less", m.ID)
		}
		in.base = base.DivRound(one.Add(v), divScale)
		shown = in.base
	}
	amt, err := refExprEval(expr, in)
	if err != nil {
		return Charge{}, fmt.Errorf("tariff: assess %s: %w", m.ID, err)
	}
	if m.Kind == KindExportRebate {
		amt = amt.Neg()
	}
	c := st.charge(m, expr.Source)
	c.BaseAmount, c.Amount, c.Quota = shown, amt, quota
	if withheld {
		c.TaxTerms, c.Included = TaxTermsInclusive, !net
		if net {
			c.TaxTerms = TaxTermsNetOfCNTax
		}
	}
	if _, inside := st.taxAmount(m); m.Base == BaseTaxAmount && inside {
		c.TaxTerms, c.Included = TaxTermsInclusive, true
	}
	if quota != "" {
		c.Quantity = qty
		c.Label += map[string]string{"in_quota": " — in quota", "out_of_quota": " — out of quota"}[quota]
		c.LabelZH += map[string]string{"in_quota": "（配额内）", "out_of_quota": "（配额外）"}[quota]
	}
	return c, nil
}

func (st *refAssessment) subsidy(m *Measure, base decimal.Decimal) (Charge, string, error) {
	amt := base.Mul(m.ShareMax.Decimal)
	rate := m.ShareMax.Decimal.Shift(2).String() + "% of the contract"
	note := ""
	if m.CapAmount.Valid {
		rate += ", cap " + m.CapAmount.Decimal.String() + " " + m.CapCurrency
		capConv, err := refConvert(m.CapAmount.Decimal, m.CapCurrency, st.s.Currency, st.s.Rates)
		if err != nil {
			return Charge{}, "", fmt.Errorf("tariff: assess %s: %w", m.ID, err)
		}
		left := capConv.Sub(st.s.SubsidyUsed[m.ID])
		if left.IsNegative() {
			left = decimal.Zero
		}
		if amt.GreaterThan(left) {
			amt = left
			note = fmt.Sprintf(" (capped: %s left of the cap)", left)
		}
	}
	c := st.charge(m, rate)
	c.BaseAmount, c.Amount = base, amt.Neg()
	return c, note, nil
}

func (st *refAssessment) charge(m *Measure, rate string) Charge {
	business := st.s.BuyerType == BuyerBusiness
	c := Charge{Kind: m.Kind, MeasureID: m.ID, Jurisdiction: m.Jurisdiction, Basis: string(m.Base), Rate: rate,
		Payable: true, Legal: m.Legal, Provenance: Provenance{Source: m.Source, AsOf: m.AsOf, Confidence: m.Confidence, Note: m.Note}}
	switch m.Kind {
	case KindVAT:
		c.Payable = m.Liability != "buyer"
		c.Recoverable = business
	case KindWithholding:
		c.Recoverable = business
	}
	if m.Recoverable != nil {
		c.Recoverable = *m.Recoverable
	}
	// "{rate}" in a label is replaced by the rate, so a scenario that modifies the rate need
	// not rewrite the label.
	c.Label = strings.ReplaceAll(m.Label, "{rate}", rate)
	c.LabelZH = strings.ReplaceAll(m.LabelZH, "{rate}", rate)
	if c.Label == "" {
		c.Label = m.Jurisdiction + " " + kindLabel[m.Kind] + " " + rate
		if m.Liability == "buyer" {
			c.Label += " (reverse charge)"
		}
	}
	if c.LabelZH == "" {
		c.LabelZH = m.Jurisdiction + " " + kindLabelZH[m.Kind] + " " + rate
		if m.Liability == "buyer" {
			c.LabelZH += "（反向征收）"
		}
	}
	return c
}

func refInArea(a Area, c string, day time.Time) bool {
	for _, m := range a.Members {
		if m.Country == c && (m.ValidFrom.IsZero() || !day.Before(m.ValidFrom)) && (m.ValidTo.IsZero() || !day.After(m.ValidTo)) {
			return true
		}
	}
	return false
}

func refPlaceMatch(list []string, c string, areas map[string]Area, day time.Time) int {
	best := -1
	for _, x := range list {
		switch {
		case x == c:
			return 2
		case x == "*":
			best = max(best, 0)
		default:
			if a, ok := areas[x]; ok && refInArea(a, c, day) {
				best = max(best, 1)
			}
		}
	}
	return best
}

func refMatch(p *Policy, m *Measure, s *Supply, day time.Time, dayStr string) (bool, string, specificity) {
	var sp specificity
	if m.SuspendedBy != "" {
		return false, "suspended by scenario " + m.SuspendedBy, sp
	}
	if (!m.ValidFrom.IsZero() && day.Before(m.ValidFrom)) || (!m.ValidTo.IsZero() && day.After(m.ValidTo)) {
		return false, "not valid on " + dayStr + " (valid " + m.lists().dates + ")", sp
	}
	if len(m.Products) > 0 {
		ok := false
		for _, pr := range m.Products {
			ok = ok || pr == s.Product
		}
		if !ok {
			return false, "product " + string(s.Product) + " not in " + m.lists().products, sp
		}
	}
	if len(m.HS) > 0 {
		code, _ := NormalizeHSCode(s.HSCode)
		for _, h := range m.HS {
			if code != "" && strings.HasPrefix(code, h) && len(h) > sp.hs {
				sp.hs = len(h)
			}
		}
		if sp.hs == 0 {
			return false, "HS " + strconv.Quote(s.HSCode) + " not under " + m.lists().hs, sp
		}
	}
	if sp.origin = refPlaceMatch(m.Origin, s.Origin, p.Areas, day); sp.origin < 0 {
		return false, "origin " + s.Origin + " not in " + m.lists().origin, sp
	}
	if refPlaceMatch(m.OriginExcept, s.Origin, p.Areas, day) >= 0 {
		return false, "origin " + s.Origin + " excluded by " + m.lists().originExcept, sp
	}
	if sp.dest = refPlaceMatch(m.Destination, s.Destination, p.Areas, day); sp.dest < 0 {
		return false, "destination " + s.Destination + " not in " + m.lists().destination, sp
	}
	if refPlaceMatch(m.DestinationExcept, s.Destination, p.Areas, day) >= 0 {
		return false, "destination " + s.Destination + " excluded by " + m.lists().destinationExcept, sp
	}
	if len(m.Supplier) > 0 || len(m.SupplierExcept) > 0 {
		seat := s.SupplierCountry
		if seat == "" {
			seat = s.Origin
		}
		places := append([]string{seat}, s.SupplierEstablishments...)
		if len(m.Supplier) > 0 {
			in := false
			for _, c := range places {
				in = in || refPlaceMatch(m.Supplier, c, p.Areas, day) >= 0
			}
			if !in {
				return false, "supplier established in " + list(places) + " not in " + list(m.Supplier), sp
			}
		}
		for _, c := range places {
			if refPlaceMatch(m.SupplierExcept, c, p.Areas, day) >= 0 {
				return false, "supplier established in " + list(places) + " excluded by " + list(m.SupplierExcept), sp
			}
		}
	}
	if len(m.BuyerHeadquarters) > 0 {
		hq := s.BuyerHeadquarters
		if hq == "" {
			hq = s.Destination
		}
		if refPlaceMatch(m.BuyerHeadquarters, hq, p.Areas, day) < 0 {
			return false, "buyer headquarters " + hq + " not in " + list(m.BuyerHeadquarters), sp
		}
	}
	if len(m.Buyer) > 0 {
		ok := false
		for _, b := range m.Buyer {
			ok = ok || b == s.BuyerType
		}
		if !ok {
			return false, "buyer " + string(s.BuyerType) + " not in " + m.lists().buyer, sp
		}
	}
	if len(m.Regions) > 0 {
		ok := false
		for _, r := range m.Regions {
			ok = ok || regionMatch(r, s.Region)
		}
		if !ok {
			return false, fmt.Sprintf("region %q not in %s", s.Region, list(m.Regions)), sp
		}
	}
	if len(m.BuyerRegions) > 0 {
		ok := false
		for _, r := range m.BuyerRegions {
			ok = ok || regionMatch(r, s.BuyerRegion)
		}
		if !ok {
			return false, fmt.Sprintf("buyer region %q not in %s", s.BuyerRegion, list(m.BuyerRegions)), sp
		}
	}
	if m.PersonalData != nil && *m.PersonalData != s.PersonalData {
		if s.PersonalData {
			return false, "personal data declared; the measure is for supplies without", sp
		}
		return false, "no personal data declared", sp
	}
	if len(m.Purposes) > 0 {
		ok := false
		for _, pu := range m.Purposes {
			ok = ok || pu == s.Purpose
		}
		if !ok && s.Purpose == "" {
			return false, "no purpose declared; the measure is for " + list(purposesOf(m)), sp
		}
		if !ok {
			return false, "purpose " + string(s.Purpose) + " not in " + list(purposesOf(m)), sp
		}
	}
	if len(m.Listed) > 0 {
		ok := false
		for _, l := range m.Listed {
			for _, have := range s.Listings {
				ok = ok || l == have
			}
		}
		if !ok {
			return false, "not on any of the lists " + list(m.Listed), sp
		}
	}
	acc := s.Accelerator
	if len(m.VendorCountry) > 0 {
		ok := false
		for _, c := range m.VendorCountry {
			ok = ok || c == acc.VendorCountry
		}
		if !ok {
			return false, fmt.Sprintf("accelerator vendor country %q not in %s", acc.VendorCountry, list(m.VendorCountry)), sp
		}
	}
	if len(m.Models) > 0 {
		ok := false
		for _, c := range m.Models {
			ok = ok || strings.EqualFold(c, acc.Model)
		}
		if !ok {
			return false, fmt.Sprintf("accelerator model %q not in %s", acc.Model, list(m.Models)), sp
		}
	}
	if len(m.FabCountry) > 0 {
		ok := false
		for _, c := range m.FabCountry {
			ok = ok || c == acc.FabCountry
		}
		if !ok {
			return false, fmt.Sprintf("accelerator fab country %q not in %s", acc.FabCountry, list(m.FabCountry)), sp
		}
	}
	if len(m.ExportClass) > 0 {
		class, ok := ClassifyAccelerator(acc), false
		for _, c := range m.ExportClass {
			ok = ok || c == class
		}
		if !ok && class == "" {
			return false, "no accelerator named; the measure is for export class " + list(classesOf(m)), sp
		}
		if !ok {
			return false, "export class " + string(class) + " not in " + list(classesOf(m)), sp
		}
	}
	if m.TPPMin.Valid && acc.TPP.LessThan(m.TPPMin.Decimal) {
		return false, fmt.Sprintf("TPP %s below %s", acc.TPP, m.TPPMin.Decimal), sp
	}
	if m.TPPMax.Valid && acc.TPP.GreaterThan(m.TPPMax.Decimal) {
		return false, fmt.Sprintf("TPP %s above %s", acc.TPP, m.TPPMax.Decimal), sp
	}
	if m.DensityMin.Valid && acc.Density.LessThan(m.DensityMin.Decimal) {
		return false, fmt.Sprintf("performance density %s below %s (unknown counts as 0)", acc.Density, m.DensityMin.Decimal), sp
	}
	return true, "applied", sp
}

func refExprEval(e *Expr, in exprInput) (decimal.Decimal, error) {
	sum := decimal.Zero
	for i, t := range e.Terms {
		v, err := refTermEval(t, in)
		if err != nil {
			return decimal.Zero, err
		}
		if e.Neg[i] {
			sum = sum.Sub(v)
		} else {
			sum = sum.Add(v)
		}
	}
	if e.Min != nil {
		v, err := refTermEval(*e.Min, in)
		if err != nil {
			return decimal.Zero, err
		}
		if sum.LessThan(v) {
			sum = v
		}
	}
	if e.Max != nil {
		v, err := refTermEval(*e.Max, in)
		if err != nil {
			return decimal.Zero, err
		}
		if sum.GreaterThan(v) {
			sum = v
		}
	}
	return sum, nil
}

func refTermEval(t Term, in exprInput) (decimal.Decimal, error) {
	if t.AdValorem {
		return in.base.Mul(t.Percent), nil
	}
	q := in.quantity
	if t.Unit == UnitKWh {
		q = in.energy
	}
	amt, err := refConvert(t.Amount, t.Currency, in.currency, in.rates)
	if err != nil {
		return decimal.Zero, err
	}
	return amt.Mul(q), nil
}

func refConvert(amount decimal.Decimal, from, to string, rates Converter) (decimal.Decimal, error) {
	if from == to || amount.IsZero() {
		return amount, nil
	}
	if rates == nil {
		return decimal.Zero, fmt.Errorf("tariff: convert %s to %s: no FX rates supplied", from, to)
	}
	v, err := rates.Convert(amount, from, to)
	if err != nil {
		return decimal.Zero, fmt.Errorf("tariff: convert %s to %s: %w", from, to, err)
	}
	return v, nil
}
