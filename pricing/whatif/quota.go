package whatif

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"corridor/tariff"
)

// quotaInput is the type of pricing.Inputs.Quota: what a quote reads the quota balances from.
type quotaInput = tariff.QuotaLedger

// ledger returns the quota balances of policy's quotas: volume less the study's used volume.
func (e *evaluator) ledger(p *tariff.Policy) quotaInput {
	if p == nil {
		return nil
	}
	var b balances
	for i := range p.Measures {
		m := &p.Measures[i]
		if m.Quota == nil {
			continue
		}
		if b == nil {
			b = balances{}
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

// balances is the remaining volume of each quota, by measure id, read from the study's
// inputs (a tariff.QuotaLedger that does no I/O).
type balances map[string]decimal.Decimal

// Remaining implements tariff.QuotaLedger.
func (b balances) Remaining(measureID string, _ time.Time) (decimal.Decimal, error) {
	r, ok := b[measureID]
	if !ok {
		return decimal.Zero, fmt.Errorf("whatif: no balance for quota %s", measureID)
	}
	return r, nil
}
