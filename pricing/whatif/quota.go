package whatif

import (
	"github.com/shopspring/decimal"

	"corridor/pricing"
	"corridor/tariff"
)

// quotaInput is the type of pricing.Inputs.Quota: the quota balances a quote reads.
type quotaInput = pricing.QuotaBalances

// ledger returns the quota balances of policy's quotas: volume less the study's used volume.
func (e *evaluator) ledger(p *tariff.Policy) quotaInput {
	if p == nil {
		return nil
	}
	var b quotaInput
	for i := range p.Measures {
		m := &p.Measures[i]
		if m.Quota == nil {
			continue
		}
		if b == nil {
			b = quotaInput{}
		}
		r := m.Quota.Volume.Sub(e.study.QuotaUsed[m.ID])
		if r.IsNegative() {
			r = decimal.Zero
		}
		b[m.ID] = r
	}
	if b == nil {
		return nil
	}
	return b
}
