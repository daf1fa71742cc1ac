package marketplace

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"

	"corridor/pricing"
	"corridor/pricing/whatif"
	"corridor/tariff"
)

// StudyEffectsRequest asks for the trade effects of a study's scenarios (the WITS-SMART
// partial-equilibrium model, package pricing/effects) on one importing market. Empty
// elasticities take the model's documented defaults.
type StudyEffectsRequest struct {
	// Market is the buyer jurisdiction that imports: a country code (DE, CN), EU (the member
	// states of the baseline policy's EU27 area on the study's date) or another area id.
	Market string
	// Sources groups the flows' origins: "origin" (regions; the default) or "bloc" (CN, EU).
	Sources                string
	ImportDemandElasticity string
	SubstitutionElasticity string
	ExportSupplyElasticity string
}

// DefaultEffectsMarket is the market of a study's trade effects when the request names none.
const DefaultEffectsMarket = "DE"

// Limits of a study effects request's text fields, in bytes.
const maxEffectsText = 64

// StudyEffects is the trade-effects section of a done study: one model run per scenario
// besides the baseline, in the study's currency.
type StudyEffects struct {
	StudyID  string
	Currency string
	Market   whatif.Market
	Runs     []whatif.TradeEffects
}

// checkEffects validates an effects block of a study request before anything runs (the
// market's members are resolved against the baseline policy when the effects are computed);
// fields are named "effects.market", "effects.sources", "effects.import_demand_elasticity"….
func (r *StudyEffectsRequest) checkEffects() []FieldError {
	if r == nil {
		return nil
	}
	var fs []FieldError
	for _, f := range []struct{ name, v string }{{"market", r.Market}, {"sources", r.Sources},
		{"import_demand_elasticity", r.ImportDemandElasticity}, {"substitution_elasticity", r.SubstitutionElasticity},
		{"export_supply_elasticity", r.ExportSupplyElasticity}} {
		if len(f.v) > maxEffectsText {
			fs = append(fs, FieldError{Field: "effects." + f.name, Message: "at most 64 bytes"})
		}
	}
	if len(fs) > 0 {
		return fs
	}
	m := strings.ToUpper(strings.TrimSpace(r.Market))
	if m != "" && !marketCode(m) {
		fs = append(fs, FieldError{Field: "effects.market", Message: quoteField(r.Market) + " is not a buyer country code (DE, CN), EU or an area id (EU27)"})
	}
	// The elasticities and sources by the engine's own rules and limits, on a placeholder
	// market (the real one is resolved with the study's policy).
	spec := r.spec(whatif.Market{Code: "DE", Countries: []string{"DE"}})
	if err := spec.Check(); err != nil {
		var se *whatif.StudyError
		if errors.As(err, &se) {
			fs = append(fs, FieldError{Field: se.Field, Message: se.Message})
		}
	}
	return fs
}

// marketCode reports whether m is a country code (two capital letters) or an area id (capital
// letters and digits, at least three, as the policy language spells them).
func marketCode(m string) bool {
	if len(m) < 2 {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !(c >= 'A' && c <= 'Z' || i > 0 && len(m) > 2 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (r *StudyEffectsRequest) spec(m whatif.Market) whatif.EffectsSpec {
	return whatif.EffectsSpec{Market: m, SourcesBy: strings.ToLower(strings.TrimSpace(r.Sources)),
		ImportDemandElasticity: r.ImportDemandElasticity, SubstitutionElasticity: r.SubstitutionElasticity,
		ExportSupplyElasticity: r.ExportSupplyElasticity}
}

// StudyEffects runs the trade-effects model on a done study's trade sums (stored with its
// result) for the market and elasticities of req — or, when req is empty, of the effects block
// the study's request gave (the defaults without one): the market's members are those of the
// baseline policy version the study was pinned to, on its pricing date. Errors: CodeNotFound
// for no study, CodeConflict for one not done yet, CodeInvalid naming "effects.market",
// "effects.sources" or an elasticity.
func (s *Service) StudyEffects(ctx context.Context, id string, req StudyEffectsRequest) (StudyEffects, error) {
	if fs := req.checkEffects(); len(fs) > 0 {
		return StudyEffects{}, Invalid("invalid trade-effects request", fs...)
	}
	st, err := s.Study(ctx, id)
	if err != nil {
		return StudyEffects{}, err
	}
	if st.Status != StudyDone {
		return StudyEffects{}, Errorf(CodeConflict, "study %s is %s: it has no trade effects yet", st.ID, st.Status)
	}
	if req == (StudyEffectsRequest{}) && st.Request.Effects != nil {
		req = *st.Request.Effects
	}
	return s.studyEffects(ctx, st, req)
}

// studyEffects computes the effects of a done study st.
func (s *Service) studyEffects(ctx context.Context, st Study, req StudyEffectsRequest) (StudyEffects, error) {
	code := strings.TrimSpace(req.Market)
	if code == "" {
		code = DefaultEffectsMarket
	}
	rp, err := s.PolicyOf(ctx, st.Pins.Baseline, pricing.PolicyRef{})
	if err != nil {
		return StudyEffects{}, err
	}
	market, err := whatif.MarketOf(code, rp.Policy, st.Pins.AsOf)
	if err != nil {
		return StudyEffects{}, effectsError(err)
	}
	trade, err := whatif.ReadTrade(bytes.NewReader(st.Result))
	if err != nil {
		return StudyEffects{}, err
	}
	runs, err := trade.TradeEffects(req.spec(market))
	if err != nil {
		return StudyEffects{}, effectsError(err)
	}
	return StudyEffects{StudyID: st.ID, Currency: trade.Currency, Market: market, Runs: runs}, nil
}

// effectsError turns the engine's input errors into a validation error naming the field.
func effectsError(err error) error {
	var se *whatif.StudyError
	if errors.As(err, &se) {
		e := Invalid("invalid trade-effects request", FieldError{Field: se.Field, Message: se.Message})
		e.Err = err
		return e
	}
	return err
}

// checkMarket resolves the effects block's market against the study's baseline policy on its
// date, so that a market the policy does not know is refused before the study runs.
func (r *StudyEffectsRequest) checkMarket(policy *tariff.Policy, asOf time.Time) error {
	if r == nil {
		return nil
	}
	code := strings.TrimSpace(r.Market)
	if code == "" {
		code = DefaultEffectsMarket
	}
	_, err := whatif.MarketOf(code, policy, asOf)
	return effectsError(err)
}

// EffectsOf returns the trade-effects section of a done study whose request asked for one,
// and nil for any other study.
func (s *Service) EffectsOf(ctx context.Context, st Study) (*StudyEffects, error) {
	if st.Request.Effects == nil || st.Status != StudyDone {
		return nil, nil
	}
	se, err := s.studyEffects(ctx, st, *st.Request.Effects)
	if err != nil {
		return nil, err
	}
	return &se, nil
}
