package web

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/shopspring/decimal"

	"corridor/marketplace"
	"corridor/pricing/whatif"
)

// studyEffectsAPI is what the study trade-effects endpoint needs of the marketplace.
type studyEffectsAPI interface {
	StudyEffects(ctx context.Context, id string, req marketplace.StudyEffectsRequest) (marketplace.StudyEffects, error)
}

// studyEffectsParams are the query parameters of GET /api/v1/studies/{id}/effects, named as
// the members of a study request's "effects" block.
var studyEffectsParams = []string{"market", "sources", "import_demand_elasticity", "substitution_elasticity", "export_supply_elasticity"}

// handleStudyEffects answers GET /api/v1/studies/{id}/effects: the trade-effects section of a
// done study for the market and elasticities of the query (the documented defaults without
// them), computed from the trade sums stored with the study's result.
func handleStudyEffects(m studyEffectsAPI) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := onlyQueryParams(c, studyEffectsParams...); err != nil {
			return err
		}
		req := marketplace.StudyEffectsRequest{Market: c.Query("market"), Sources: c.Query("sources"),
			ImportDemandElasticity: c.Query("import_demand_elasticity"), SubstitutionElasticity: c.Query("substitution_elasticity"),
			ExportSupplyElasticity: c.Query("export_supply_elasticity")}
		se, err := m.StudyEffects(c.UserContext(), strings.Clone(c.Params("id")), req)
		if err != nil {
			return queryFieldNames(err)
		}
		return c.JSON(toStudyEffectsJSON(se))
	}
}

// queryFieldNames names a validation error's fields as the query parameters ("market"), not
// as the members of a study request's effects block ("effects.market").
func queryFieldNames(err error) error {
	if e, ok := marketplace.AsError(err); ok && e.Code == marketplace.CodeInvalid {
		for i := range e.Fields {
			e.Fields[i].Field = strings.TrimPrefix(e.Fields[i].Field, "effects.")
		}
	}
	return err
}

// studyEffectsJSON is a study's trade-effects section: in GET /api/v1/studies/{id}/effects,
// and as "trade_effects" in a study whose request asked for it.
type studyEffectsJSON struct {
	StudyID   string   `json:"study_id"`
	Market    string   `json:"market"`
	Countries []string `json:"countries"`
	SourcesBy string   `json:"sources_by"`
	Currency  string   `json:"currency"`
	// Method says where the model's inputs come from, for readers of the numbers.
	Method    string                 `json:"method"`
	Scenarios []studyEffectsScenario `json:"scenarios"`
}

// studyEffectsScenario is the model run on one scenario: the study's figures behind each
// source's inputs, and the model's answer as POST /api/v1/effects gives it.
type studyEffectsScenario struct {
	Scenario string            `json:"scenario"`
	Inputs   []tradeSourceJSON `json:"inputs"`
	effectsJSON
}

type tradeSourceJSON struct {
	Source             string                 `json:"source"`
	Flows              int                    `json:"flows"`
	Unmatched          int                    `json:"unmatched"`
	SupplierValue      amount                 `json:"supplier_value"`
	BaselineLandedCost amount                 `json:"baseline_landed_cost"`
	LandedCost         amount                 `json:"landed_cost"`
	GPUHours           string                 `json:"gpu_hours"`
	HardwareFlows      int                    `json:"hardware_flows"`
	RevenueByCollector []collectorRevenueJSON `json:"revenue_by_collector"`
}

// studyEffectsMethod explains the inputs in every answer.
const studyEffectsMethod = "Per source, the market's flows priced under both the baseline and the scenario: value = the supplier's price " +
	"(the baseline's net price at the baseline's rates); wedge = landed cost / value - 1 under the baseline (before) and the scenario " +
	"(after), split among the jurisdictions that collect it; the rest of the wedge (an FX shock, freight) is nobody's revenue."

func toStudyEffectsJSON(se marketplace.StudyEffects) studyEffectsJSON {
	out := studyEffectsJSON{StudyID: se.StudyID, Market: se.Market.Code, Countries: se.Market.Countries, Currency: se.Currency,
		Method: studyEffectsMethod, Scenarios: []studyEffectsScenario{}}
	if out.Countries == nil {
		out.Countries = []string{}
	}
	for _, run := range se.Runs {
		out.SourcesBy = run.SourcesBy
		sc := studyEffectsScenario{Scenario: run.Scenario, Inputs: []tradeSourceJSON{}, effectsJSON: toEffectsJSON(run.Model)}
		for i, s := range run.Sources {
			in := tradeSourceJSON{Source: s.Source, Flows: s.Flows, Unmatched: s.Unmatched, SupplierValue: studySum(s.SupplierValue, se.Currency),
				BaselineLandedCost: studySum(s.BaselineLanded, se.Currency), LandedCost: studySum(s.Landed, se.Currency),
				GPUHours: s.GPUHours.String(), HardwareFlows: s.Hardware, RevenueByCollector: []collectorRevenueJSON{}}
			if i < len(run.Model.Sources) {
				for _, c := range run.Model.Sources[i].Revenue {
					in.RevenueByCollector = append(in.RevenueByCollector, collectorRevenueJSON{Collector: c.Collector,
						RevenueBefore: fixed(c.RevenueBefore, se.Currency), RevenueAfter: fixed(c.RevenueAfter, se.Currency),
						RevenueChange: fixed(c.RevenueChange, se.Currency)})
				}
			}
			sc.Inputs = append(sc.Inputs, in)
		}
		out.Scenarios = append(out.Scenarios, sc)
	}
	if out.SourcesBy == "" {
		out.SourcesBy = whatif.SourcesByOrigin
	}
	return out
}

// studySum writes a study sum (exact: minor units, or more decimals for a recovered VAT share)
// with its currency's minor units at least.
func studySum(d decimal.Decimal, cur string) amount {
	if d.Exponent() >= -minor(cur) {
		return fixed(d, cur)
	}
	return amount(d.String())
}

// StudyEffectsDocument renders a study's trade-effects section exactly as
// GET /api/v1/studies/{id}/effects answers it (for `corridor whatif --effects --format json`).
func StudyEffectsDocument(se marketplace.StudyEffects) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(toStudyEffectsJSON(se))
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// studyEffectsBlock is the "effects" member of a study request (and of its echo).
type studyEffectsBlock struct {
	Market                 string `json:"market,omitempty"`
	Sources                string `json:"sources,omitempty"`
	ImportDemandElasticity string `json:"import_demand_elasticity,omitempty"`
	SubstitutionElasticity string `json:"substitution_elasticity,omitempty"`
	ExportSupplyElasticity string `json:"export_supply_elasticity,omitempty"`
}

func (b *studyEffectsBlock) toDomain() *marketplace.StudyEffectsRequest {
	if b == nil {
		return nil
	}
	return &marketplace.StudyEffectsRequest{Market: strings.TrimSpace(b.Market), Sources: strings.TrimSpace(b.Sources),
		ImportDemandElasticity: b.ImportDemandElasticity, SubstitutionElasticity: b.SubstitutionElasticity, ExportSupplyElasticity: b.ExportSupplyElasticity}
}

func toStudyEffectsBlock(r *marketplace.StudyEffectsRequest) *studyEffectsBlock {
	if r == nil {
		return nil
	}
	return &studyEffectsBlock{Market: r.Market, Sources: r.Sources, ImportDemandElasticity: r.ImportDemandElasticity,
		SubstitutionElasticity: r.SubstitutionElasticity, ExportSupplyElasticity: r.ExportSupplyElasticity}
}

// studyEffectsOf is what a study's answer needs to add its trade-effects section.
type studyEffectsOf interface {
	EffectsOf(ctx context.Context, st marketplace.Study) (*marketplace.StudyEffects, error)
}

// tradeEffectsOf returns the trade-effects section of st when it is done and its request
// asked for one (and m can compute it), else nil.
func tradeEffectsOf(ctx context.Context, m any, st marketplace.Study) (*studyEffectsJSON, error) {
	em, ok := m.(studyEffectsOf)
	if !ok {
		return nil, nil
	}
	se, err := em.EffectsOf(ctx, st)
	if err != nil || se == nil {
		return nil, err
	}
	j := toStudyEffectsJSON(*se)
	return &j, nil
}
