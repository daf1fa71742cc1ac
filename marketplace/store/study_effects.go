package store

import "corridor/marketplace"

// studyEffectsRecord is a study request's trade-effects block as stored with the request
// (optional: a request without one stores none, and records written before it existed read
// with none).
type studyEffectsRecord struct {
	Market                 string `json:"market,omitempty"`
	Sources                string `json:"sources,omitempty"`
	ImportDemandElasticity string `json:"import_demand_elasticity,omitempty"`
	SubstitutionElasticity string `json:"substitution_elasticity,omitempty"`
	ExportSupplyElasticity string `json:"export_supply_elasticity,omitempty"`
}

func newStudyEffectsRecord(r *marketplace.StudyEffectsRequest) *studyEffectsRecord {
	if r == nil {
		return nil
	}
	return &studyEffectsRecord{Market: r.Market, Sources: r.Sources, ImportDemandElasticity: r.ImportDemandElasticity,
		SubstitutionElasticity: r.SubstitutionElasticity, ExportSupplyElasticity: r.ExportSupplyElasticity}
}

func (r *studyEffectsRecord) request() *marketplace.StudyEffectsRequest {
	if r == nil {
		return nil
	}
	return &marketplace.StudyEffectsRequest{Market: r.Market, Sources: r.Sources, ImportDemandElasticity: r.ImportDemandElasticity,
		SubstitutionElasticity: r.SubstitutionElasticity, ExportSupplyElasticity: r.ExportSupplyElasticity}
}
