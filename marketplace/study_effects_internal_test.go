package marketplace

import (
	"strings"
	"testing"
)

// TestStudyEffectsRequestCheck: an effects block is checked before a study runs, every bad
// field named under "effects.".
func TestStudyEffectsRequestCheck(t *testing.T) {
	for _, c := range []struct {
		req  StudyEffectsRequest
		want string // the fields named, comma-separated
	}{
		{StudyEffectsRequest{}, ""},
		{StudyEffectsRequest{Market: "de", Sources: "Bloc", ImportDemandElasticity: "-2", SubstitutionElasticity: "1.5", ExportSupplyElasticity: "inf"}, ""},
		{StudyEffectsRequest{Market: "EU27"}, ""},
		{StudyEffectsRequest{Market: "D"}, "effects.market"},
		{StudyEffectsRequest{Market: "D-E"}, "effects.market"},
		{StudyEffectsRequest{Sources: "country"}, "effects.sources"},
		{StudyEffectsRequest{ImportDemandElasticity: "1.5"}, "effects.import_demand_elasticity"},
		{StudyEffectsRequest{SubstitutionElasticity: "lots"}, "effects.substitution_elasticity"},
		{StudyEffectsRequest{ExportSupplyElasticity: "-1"}, "effects.export_supply_elasticity"},
		{StudyEffectsRequest{Market: strings.Repeat("A", 65)}, "effects.market"},
	} {
		var got []string
		for _, f := range c.req.checkEffects() {
			got = append(got, f.Field)
		}
		if g := strings.Join(got, ","); g != c.want {
			t.Errorf("%+v: fields %q, want %q", c.req, g, c.want)
		}
	}
	var none *StudyEffectsRequest
	if fs := none.checkEffects(); fs != nil {
		t.Errorf("no effects block: %v", fs)
	}
}
