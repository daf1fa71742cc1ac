package tariff

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// divScale is the number of decimal places kept where the engine must divide (gross-up of
// withholding, pro-rata quota splits). Amounts stay far more precise than any currency.
const divScale = 28

var (
	one       = decimal.NewFromInt(1)
	tenth     = decimal.New(1, -1)
	kindLabel = map[Kind]string{KindGate: "gate", KindExportDuty: "export duty", KindExportRebate: "export rebate",
		KindCustomsDuty: "customs duty", KindAdditionalDuty: "additional duty", KindLevy: "levy", KindFee: "fee",
		KindVAT: "VAT", KindWithholding: "withholding VAT", KindSurtax: "surtax", KindSubsidy: "subsidy"}
	kindLabelZH = map[Kind]string{KindGate: "管制", KindExportDuty: "出口关税", KindExportRebate: "出口退税",
		KindCustomsDuty: "关税", KindAdditionalDuty: "附加关税", KindLevy: "征费", KindFee: "费用",
		KindVAT: "增值税", KindWithholding: "代扣代缴增值税", KindSurtax: "附加税", KindSubsidy: "补贴"}
)

// assessment is the state of one assessment while charges are computed in order.
type assessment struct {
	p         *Policy
	c         *compiled
	s         Supply // a copy: a pointer to the argument would move it to the heap
	asOf      time.Time
	business  bool
	out       Assessment
	dutySum   decimal.Decimal // import duties, levies and fees so far (value_plus_duties)
	customsV  decimal.Decimal // net price + freight + insurance, once computed
	hasCustom bool
	// trailOwned is set once out.Trail is a copy this assessment may change.
	trailOwned bool
	steps      []step // the priced measures of the match, for the rates of withheld taxes
}

func assess(p *Policy, s Supply, asOf time.Time) (Assessment, error) {
	if p == nil {
		return Assessment{}, errors.New("tariff: assess: no policy")
	}
	if s.Currency == "" {
		return Assessment{}, errors.New("tariff: assess: the supply has no currency")
	}
	for i, v := range [...]decimal.Decimal{s.Quantity, s.NetPrice, s.Freight, s.Insurance, s.EnergyKWh} {
		if v.IsNegative() {
			name := [...]string{"quantity", "net price", "freight", "insurance", "energy"}[i]
			return Assessment{}, fmt.Errorf("tariff: assess: negative %s %s", name, v)
		}
	}
	switch s.TaxTerms {
	case "", TaxTermsNetOfCNTax, TaxTermsInclusive:
	default:
		return Assessment{}, fmt.Errorf("tariff: assess: unknown tax terms %q (net_of_cn_tax, tax_inclusive)", s.TaxTerms)
	}
	switch s.Purpose {
	case "", PurposeTraining, PurposeInference, PurposeOther:
	default:
		return Assessment{}, fmt.Errorf("tariff: assess: unknown purpose %q (training, inference, other)", s.Purpose)
	}
	c := p.index()
	st := &assessment{p: p, c: c, s: s, asOf: asOf, business: s.BuyerType == BuyerBusiness}
	r, own := c.matched(p, &st.s, asOf)
	st.steps = r.steps
	// The trail is shared with every assessment of the same match (it is read-only, see
	// Assessment.Trail) and copied only when a computed note or a customs choice changes it:
	// copying a trail of ~300 entries costs ten times the rest of a memoized assessment.
	st.out.Trail, st.trailOwned = r.trail, own
	if len(r.flags) > 0 {
		st.out.Flags = append(make([]Flag, 0, len(r.flags)+r.quotas), r.flags...)
	}
	if r.blocked {
		st.out.Blocked = true
		return st.out, nil
	}
	if len(r.steps) > 0 {
		st.out.Charges = make([]Charge, 0, len(r.steps))
	}
	for _, x := range r.steps {
		if x.group != nil {
			if err := st.customs(x.group); err != nil {
				return Assessment{}, err
			}
			continue
		}
		n0 := len(st.out.Charges)
		var note string
		var err error
		st.out.Charges, note, err = st.compute(st.out.Charges, x.i)
		if err != nil {
			return Assessment{}, err
		}
		m := &p.Measures[x.i]
		st.addLines(m, st.out.Charges[n0:])
		if note != "" {
			st.ownTrail()[x.i] = Consideration{MeasureID: m.ID, Applied: true, Reason: "applied" + note}
		}
	}
	if len(st.out.Charges) == 0 {
		st.out.Charges = nil
	}
	return st.out, nil
}

// settle resolves one outcome of route rt (the verdict of each candidate) into a matching
// phase: which competitors win, which gates fire, which priced measures are computed in
// which order. trail holds the reasons of the measures the route decides (the candidates'
// entries are overwritten); settle fills in the candidates' entries and returns it as the
// result's trail.
func (c *compiled) settle(p *Policy, rt *route, verdicts []verdict, trail []Consideration, day time.Time) *matchResult {
	r := &matchResult{trail: trail}
	cands, specs := rt.cands, rt.specs
	// Scratch space on the stack for routes of up to 64 candidates. hits are the positions in
	// cands of the candidates that apply, in document order.
	var matchedBuf [64]bool
	var hitsBuf [64]int
	matched := matchedBuf[:0]
	if len(cands) > len(matchedBuf) {
		matched = make([]bool, 0, len(cands))
	}
	matched = matched[:len(cands)]
	hits := hitsBuf[:0]
	for j, i := range cands {
		if verdicts[j].code == vApplied {
			matched[j] = true
			hits = append(hits, j)
		}
		trail[i] = Consideration{MeasureID: p.Measures[i].ID, Reason: c.reason(p, i, verdicts[j])}
	}

	// Competition: among matching measures that compete, the most specific wins, then the
	// lowest priority number, then document order. Customs duties are alternatives decided by
	// amount when the charges are computed.
	var doneBuf [64]bool
	done := doneBuf[:0]
	if len(hits) > len(doneBuf) {
		done = make([]bool, 0, len(hits))
	}
	done = done[:len(hits)]
	var idxBuf [64]int
	idx := idxBuf[:0]
	for a, ja := range hits {
		first := cands[ja]
		if done[a] || p.Measures[first].Kind == KindCustomsDuty {
			continue
		}
		idx = idx[:0]
		for b := a; b < len(hits); b++ {
			if jb := hits[b]; c.ms[cands[jb]].group == c.ms[first].group {
				idx = append(idx, jb)
				done[b] = true
			}
		}
		if len(idx) < 2 {
			continue
		}
		w := idx[0]
		for _, j := range idx[1:] {
			d := specs[j].cmp(specs[w])
			if d > 0 || d == 0 && p.Measures[cands[j]].Priority < p.Measures[cands[w]].Priority {
				w = j
			}
		}
		for _, j := range idx {
			if j == w {
				continue
			}
			matched[j] = false
			win, lose := &p.Measures[cands[w]], &p.Measures[cands[j]]
			var why string
			switch {
			case specs[w].cmp(specs[j]) != 0:
				why = "more specific, " + specs[w].explain(specs[j])
			case win.Priority != lose.Priority:
				why = fmt.Sprintf("priority %d over %d", win.Priority, lose.Priority)
			default:
				why = "same specificity and priority: first in document order"
			}
			trail[cands[j]].Reason = fmt.Sprintf("superseded by %s (%s)", win.ID, why)
		}
	}

	// Gates fire first; a block stops everything else.
	for _, j := range hits {
		if m := &p.Measures[cands[j]]; matched[j] && m.Kind == KindGate {
			f := gateFlag(m)
			r.blocked = r.blocked || f.Severity == SeverityBlock
			r.flags = append(r.flags, f)
			trail[cands[j]] = Consideration{MeasureID: m.ID, Applied: true, Reason: "applied: flag " + m.Flag + " (" + string(f.Severity) + ")"}
		}
	}
	if r.blocked {
		for _, j := range hits {
			if matched[j] && p.Measures[cands[j]].Kind != KindGate {
				trail[cands[j]].Reason = "not assessed: the supply is blocked by a gate"
			}
		}
		return r
	}

	// Priced measures whose rate is not known for the day raise a warning instead of a charge.
	for _, j := range hits {
		if m := &p.Measures[cands[j]]; matched[j] && m.RateUnknown && m.Kind.priced() {
			matched[j] = false
			f := unknownRateFlag(m, day)
			r.flags = append(r.flags, f)
			trail[cands[j]] = Consideration{MeasureID: m.ID, Applied: true, Reason: "applied: no rate known on " + day.Format(dateLayout) + ": flag " + f.Code + " (warning)"}
		}
	}

	// The priced measures in order of computation: by kind, then document order; customs
	// duties by competition group (in order of their first member), each group one step.
	for _, k := range kindOrder[1:] {
		if k == KindCustomsDuty {
			first := len(r.steps)
			for _, j := range hits {
				i := cands[j]
				if !matched[j] || p.Measures[i].Kind != KindCustomsDuty {
					continue
				}
				s := first
				for s < len(r.steps) && c.ms[r.steps[s].group[0]].group != c.ms[i].group {
					s++
				}
				if s == len(r.steps) {
					r.steps = append(r.steps, step{group: []int{}})
				}
				r.steps[s].group = append(r.steps[s].group, i)
			}
			continue
		}
		for _, j := range hits {
			if matched[j] && p.Measures[cands[j]].Kind == k {
				r.steps = append(r.steps, step{i: cands[j]})
			}
		}
	}
	for _, x := range r.steps {
		if x.group == nil {
			if p.Measures[x.i].Quota != nil {
				r.quotas++ // room for its quota.low flag
			}
			// The trail an assessment returns marks it applied; a computed note replaces it.
			trail[x.i] = Consideration{MeasureID: p.Measures[x.i].ID, Applied: true, Reason: "applied"}
		}
		for _, i := range x.group {
			if p.Measures[i].Quota != nil {
				r.quotas++
			}
		}
	}
	return r
}

// gateFlag is the flag of a matching gate.
func gateFlag(m *Measure) Flag {
	sev := SeverityWarning
	switch m.Action {
	case ActionLicenseRequired:
		sev = SeverityLicenseRequired
	case ActionBlock:
		sev = SeverityBlock
	}
	msg := m.Message
	if msg == "" {
		msg = m.Label
	}
	if msg == "" {
		msg = "gate " + m.ID + " matched"
	}
	return Flag{Code: m.Flag, Severity: sev, Message: msg, MeasureID: m.ID, Legal: m.Legal, Provenance: provenance(m)}
}

// unknownRateFlag is the warning of a measure that applies on day but whose rate for the day
// is not known: the charge is left out, visibly, never priced at zero.
func unknownRateFlag(m *Measure, day time.Time) Flag {
	code := m.Flag
	if code == "" {
		code = "rate.unknown"
	}
	what := m.Jurisdiction + " " + kindLabel[m.Kind]
	msg := what + " applies to this supply, but no rate is known for " + day.Format(dateLayout) +
		": it is left out of the amounts; check the rate in force."
	if m.Message != "" {
		msg = m.Message + " (" + what + ", no rate known for " + day.Format(dateLayout) + ": left out of the amounts.)"
	}
	return Flag{Code: code, Severity: SeverityWarning, Message: msg, MeasureID: m.ID, Legal: m.Legal, Provenance: provenance(m)}
}

// provenance is a measure's source, as-of date, confidence and note.
func provenance(m *Measure) Provenance {
	return Provenance{Source: m.Source, AsOf: m.AsOf, Confidence: m.Confidence, Note: m.Note}
}

// customs resolves one group of customs duty alternatives: every eligible measure is
// computed and the lowest total applies.
func (st *assessment) customs(idx []int) error {
	p := st.p
	lines := make([][]Charge, len(idx))
	totals := make([]decimal.Decimal, len(idx))
	notes := make([]string, len(idx))
	flags := make([][]Flag, len(idx))
	w := 0
	for j, i := range idx {
		// Flags (quota.low) of an alternative count only if it is chosen.
		n0 := len(st.out.Flags)
		var err error
		lines[j], notes[j], err = st.compute(nil, i)
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
	st.out.Charges = append(st.out.Charges, lines[w]...)
	st.out.Flags = append(st.out.Flags, flags[w]...)
	note := notes[w]
	if len(idx) > 1 {
		note = fmt.Sprintf("%s (lowest of %d alternatives)", note, len(idx))
	}
	trail := st.ownTrail()
	trail[idx[w]] = Consideration{MeasureID: win.ID, Applied: true, Reason: "applied" + note}
	for j, i := range idx {
		if j == w {
			continue
		}
		why := fmt.Sprintf("alternative not chosen: %s is lower (%s vs %s)", win.ID, totals[w], totals[j])
		if totals[j].Equal(totals[w]) {
			why = fmt.Sprintf("alternative not chosen: %s gives the same amount and comes first (priority, document order)", win.ID)
		}
		trail[i] = Consideration{MeasureID: p.Measures[i].ID, Reason: why}
	}
	return nil
}

// addLines accounts for lines of m just added (import duties, levies and fees make up
// value_plus_duties).
func (st *assessment) addLines(m *Measure, lines []Charge) {
	if m.Direction == DirectionExport {
		return
	}
	for _, c := range lines {
		switch c.Kind {
		case KindCustomsDuty, KindAdditionalDuty, KindLevy, KindFee:
			st.dutySum = st.dutySum.Add(c.Amount)
		}
	}
}

// customsValue is the net price plus freight and insurance.
func (st *assessment) customsValue() decimal.Decimal {
	if !st.hasCustom {
		s := &st.s
		st.customsV, st.hasCustom = s.NetPrice.Add(s.Freight).Add(s.Insurance), true
	}
	return st.customsV
}

// base returns the amount a measure's ad valorem components apply to.
func (st *assessment) base(m *Measure) decimal.Decimal {
	switch m.Base {
	case BaseCustomsValue:
		return st.customsValue()
	case BaseValuePlusDuties:
		return st.customsValue().Add(st.dutySum)
	case BaseTaxAmount:
		sum, _ := st.taxAmount(m.Jurisdiction)
		return sum
	default: // net_price, gross_payment, contract_amount
		return st.s.NetPrice
	}
}

// taxAmount is the base of a tax levied on taxes (China's city maintenance and construction tax
// and education surcharges): the payable VAT lines and the VAT withheld on a gross payment of
// the jurisdiction computed so far. Income tax withheld (payment_net_of_vat) is never part of
// it: the surtaxes are levied on VAT and consumption tax only (城市维护建设税法 art. 2).
// included reports whether every such line is Included in the price (withheld under
// tax_inclusive terms), in which case the surtax on them is carved out of the price too.
func (st *assessment) taxAmount(jurisdiction string) (sum decimal.Decimal, included bool) {
	n, in := 0, 0
	for _, c := range st.out.Charges {
		if !c.Payable || c.Jurisdiction != jurisdiction || c.Basis == string(BasePaymentNetOfVAT) ||
			c.Kind != KindVAT && c.Kind != KindWithholding {
			continue
		}
		sum, n = sum.Add(c.Amount), n+1
		if c.Included {
			in++
		}
	}
	return sum, n > 0 && in == n
}

// compute appends the charge lines of measure i (two for a quota split) to dst and returns a
// note for the trail.
func (st *assessment) compute(dst []Charge, i int) ([]Charge, string, error) {
	s := &st.s
	m, cm := &st.p.Measures[i], st.c.ms[i]
	base := st.base(m)
	if m.Kind == KindSubsidy {
		c, note, err := st.subsidy(m, cm, base)
		return append(dst, c), note, err
	}
	if m.Quota == nil {
		c, err := st.line(m, cm, m.Rate, &cm.rate, cm.grossDiv, base, s.Quantity, s.EnergyKWh)
		return append(dst, c), "", err
	}
	q := m.Quota
	var rem decimal.Decimal
	unlimited := s.Quota == nil
	if !unlimited {
		var err error
		if rem, err = s.Quota.Remaining(m.ID, st.asOf); err != nil {
			return dst, "", fmt.Errorf("tariff: assess %s: quota balance: %w", m.ID, err)
		}
		if rem.LessThan(cm.lowQuota) {
			st.out.Flags = append(st.out.Flags, Flag{Code: "quota.low", Severity: SeverityInfo, MeasureID: m.ID, Legal: m.Legal,
				Message: fmt.Sprintf("quota of %s: %s %s left of %s (below 10%%)", m.ID, rem, q.Unit, q.Volume), Provenance: provenance(m)})
		}
	}
	qty := s.Quantity
	switch {
	case unlimited || rem.GreaterThanOrEqual(qty):
		c, err := st.line(m, cm, q.InQuotaRate, &cm.inQuota, cm.grossDivIn, base, qty, s.EnergyKWh)
		c.Quantity = qty
		return append(dst, c), fmt.Sprintf(" (in quota: %s %s)", qty, q.Unit), err
	case !rem.IsPositive():
		c, err := st.line(m, cm, m.Rate, &cm.outQuota, cm.grossDiv, base, qty, s.EnergyKWh)
		c.Quantity = qty
		return append(dst, c), " (quota exhausted: out-of-quota rate)", err
	default:
		inBase := base.Mul(rem).DivRound(qty, divScale)
		inEnergy := s.EnergyKWh.Mul(rem).DivRound(qty, divScale)
		in, err := st.line(m, cm, q.InQuotaRate, &cm.inQuota, cm.grossDivIn, inBase, rem, inEnergy)
		if err != nil {
			return dst, "", err
		}
		in.Quantity = rem
		outQty := qty.Sub(rem)
		out, err := st.line(m, cm, m.Rate, &cm.outQuota, cm.grossDiv, base.Sub(inBase), outQty, s.EnergyKWh.Sub(inEnergy))
		out.Quantity = outQty
		return append(dst, in, out), fmt.Sprintf(" (split: %s %s in quota, %s out of quota)", rem, q.Unit, qty.Sub(rem)), err
	}
}

// line evaluates expr for one line, from the measure's charge template tmpl; grossDiv is one
// plus expr's ad valorem sum (the gross_payment divisor).
func (st *assessment) line(m *Measure, cm *cmeasure, expr *Expr, tmpl *Charge, grossDiv, base, qty, energy decimal.Decimal) (Charge, error) {
	s := &st.s
	in := exprInput{base: base, quantity: qty, energy: energy, currency: s.Currency, rates: s.Rates}
	shown := base // the base the line reports
	withheld := m.Base == BaseGrossPayment || m.Base == BasePaymentNetOfVAT
	if withheld {
		var err error
		if in.base, shown, err = st.withheldBase(m, grossDiv, base); err != nil {
			return Charge{}, err
		}
	}
	amt, err := expr.eval(in)
	if err != nil {
		return Charge{}, fmt.Errorf("tariff: assess %s: %w", m.ID, err)
	}
	if m.Kind == KindExportRebate {
		amt = amt.Neg()
	}
	c := *tmpl
	c.Recoverable = cm.recoverable == 2 || cm.recoverable == 1 && st.business
	c.BaseAmount, c.Amount = shown, amt
	if withheld {
		c.TaxTerms = s.terms()
		c.Included = c.TaxTerms == TaxTermsInclusive
	} else if m.Base == BaseTaxAmount {
		if _, included := st.taxAmount(m.Jurisdiction); included {
			c.TaxTerms, c.Included = s.terms(), true
		}
	}
	return c, nil
}

// withheldBase returns the amount a tax withheld at source applies to (what its ad valorem
// rate multiplies) and the base its line reports, for price P (base), under the supply's tax
// terms. With v the ad valorem rates of the jurisdiction's taxes withheld on a gross payment
// (VAT) and c those withheld on the payment net of VAT (income tax), both as matched for this
// supply:
//
//	                     tax_inclusive (carve-out)        net_of_cn_tax (gross-up)
//	gross_payment        P ÷ (1 + r), shown P             I = P ÷ (1 − c), shown I × (1 + r)
//	payment_net_of_vat   P ÷ (1 + v), shown the same      I = P ÷ (1 − c), shown the same
//
// where r is the measure's own ad valorem rate (grossDiv is 1 + r). Under net terms the
// supplier receives P whatever is withheld, so the payment net of VAT I is grossed up for the
// income tax; under inclusive terms the taxes come out of P. With no income tax (c = 0) the
// net-terms VAT is P × r.
func (st *assessment) withheldBase(m *Measure, grossDiv, base decimal.Decimal) (rated, shown decimal.Decimal, err error) {
	if m.Base == BaseGrossPayment && !grossDiv.IsPositive() {
		return base, base, fmt.Errorf("tariff: assess %s: gross_payment with a rate of -100%% or less", m.ID)
	}
	v, c := st.withheldRates(m.Jurisdiction)
	if st.s.terms() == TaxTermsNetOfCNTax {
		income := base
		if !c.IsZero() {
			rest := one.Sub(c)
			if !rest.IsPositive() {
				return base, base, fmt.Errorf("tariff: assess %s: income taxes withheld at 100%% or more cannot be grossed up", m.ID)
			}
			income = base.DivRound(rest, divScale)
		}
		if m.Base == BaseGrossPayment {
			return income, income.Mul(grossDiv), nil
		}
		return income, income, nil
	}
	if m.Base == BaseGrossPayment {
		// The price is gross of the tax: tax = gross ÷ (1 + r) × r.
		return base.DivRound(grossDiv, divScale), base, nil
	}
	div := one.Add(v)
	if !div.IsPositive() {
		return base, base, fmt.Errorf("tariff: assess %s: VAT withheld at -100%% or less", m.ID)
	}
	net := base.DivRound(div, divScale)
	return net, net, nil
}

// withheldRates sums the ad valorem rates of the jurisdiction's taxes withheld for this
// supply: on the gross payment (v, VAT) and on the payment net of VAT (c, income tax).
func (st *assessment) withheldRates(jurisdiction string) (v, c decimal.Decimal) {
	for _, x := range st.steps {
		if x.group != nil {
			continue
		}
		m := &st.p.Measures[x.i]
		if m.Jurisdiction != jurisdiction || m.Rate == nil {
			continue
		}
		switch m.Base {
		case BaseGrossPayment:
			v = v.Add(m.Rate.AdValoremSum())
		case BasePaymentNetOfVAT:
			c = c.Add(m.Rate.AdValoremSum())
		}
	}
	return v, c
}

// subsidyRate is how a subsidy's charge line states its rate.
func subsidyRate(m *Measure) string {
	rate := m.ShareMax.Decimal.Shift(2).String() + "% of the contract"
	if m.CapAmount.Valid {
		rate += ", cap " + m.CapAmount.Decimal.String() + " " + m.CapCurrency
	}
	return rate
}

func (st *assessment) subsidy(m *Measure, cm *cmeasure, base decimal.Decimal) (Charge, string, error) {
	amt := base.Mul(m.ShareMax.Decimal)
	note := ""
	if m.CapAmount.Valid {
		capConv, err := convert(m.CapAmount.Decimal, m.CapCurrency, st.s.Currency, st.s.Rates)
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
	c := cm.subsidy
	c.Recoverable = cm.recoverable == 2 || cm.recoverable == 1 && st.business
	c.BaseAmount, c.Amount = base, amt.Neg()
	return c, note, nil
}

// chargeTemplate fills the fields of a line that depend on neither the supply nor the
// amount (Recoverable, which depends on the buyer, is set per line).
func chargeTemplate(m *Measure, rate string) Charge {
	c := Charge{Kind: m.Kind, MeasureID: m.ID, Jurisdiction: m.Jurisdiction, Basis: string(m.Base), Rate: rate,
		Payable: true, Legal: m.Legal, Provenance: provenance(m)}
	if m.Kind == KindVAT {
		c.Payable = m.Liability != "buyer"
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

// Total returns the sum of the payable charges (reverse-charged VAT excluded), unrounded:
// every amount the buyer pays on account of the measures, to the supplier or a tax office,
// including taxes withheld out of a tax_inclusive price. OnTop is what they add to the price.
func (a Assessment) Total() decimal.Decimal {
	t := decimal.Zero
	for _, c := range a.Charges {
		if c.Payable {
			t = t.Add(c.Amount)
		}
	}
	return t
}

// OnTop returns what the charges add to the net price, unrounded: the sum of the lines that
// are Payable and not Included (reverse-charged VAT is shown, not paid; taxes withheld under
// tax_inclusive terms are carved out of the price, not added to it).
func (a Assessment) OnTop() decimal.Decimal {
	t := decimal.Zero
	for _, c := range a.Charges {
		if c.Payable && !c.Included {
			t = t.Add(c.Amount)
		}
	}
	return t
}

// confidenceRank orders confidences from the surest; "" (a measure that gives none) ranks
// with sourced.
var confidenceRank = map[string]int{"": 0, "sourced": 0, "estimate": 1, "illustrative": 2}

// WeakestConfidence returns the weakest confidence of the measures behind the charges and
// flags ("sourced", "estimate" or "illustrative"; "sourced" when there are none), so that a
// quote resting on an estimate can say so at the top.
func (a Assessment) WeakestConfidence() string {
	w := "sourced"
	for _, c := range a.Charges {
		w = WeakerConfidence(w, c.Confidence)
	}
	for _, f := range a.Flags {
		w = WeakerConfidence(w, f.Confidence)
	}
	return w
}

// WeakerConfidence returns the weaker of two confidences (sourced < estimate < illustrative;
// "" counts as sourced), and "sourced" for two empty ones: what a figure resting on both is.
func WeakerConfidence(a, b string) string {
	if confidenceRank[b] > confidenceRank[a] {
		a = b
	}
	if a == "" {
		return "sourced"
	}
	return a
}

// ownTrail gives the assessment a trail of its own to change, copying the shared one once;
// the caller writes a note into it (Assessment.TrailNoted).
func (st *assessment) ownTrail() []Consideration {
	st.out.TrailNoted = true
	if !st.trailOwned {
		st.out.TrailBase = st.out.Trail
		st.out.Trail = append([]Consideration(nil), st.out.Trail...)
		st.trailOwned = true
	}
	return st.out.Trail
}
