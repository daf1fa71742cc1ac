package web

import (
	"testing"

	"corridor/marketplace"
	"corridor/seed"
	"corridor/tariff"
	"corridor/web/i18n"
)

// TestCatalogueCoversTheSeedData: every word the pages take from the catalogue for the seeded
// data exists in every language — each gate's flag message (flag.<measure id>) and flag code
// (flag.code.<code>), each place of registration the policy names (buyer_region.<code>), each
// scenario's title (scenario.<id>) and the label of each hub and AI Factory on the map
// (map.label.<code>) — so a policy or region added without its translation fails here.
func TestCatalogueCoversTheSeedData(t *testing.T) {
	var need []string
	for _, doc := range seed.PolicyDocs() {
		d, err := tariff.ParseDocument(doc.Name, doc.Data)
		if err != nil {
			t.Fatal(err)
		}
		if d.Scenario != nil {
			need = append(need, "scenario."+d.Scenario.ID)
			continue
		}
		p := d.Policy
		for _, m := range p.Measures {
			if m.Kind == tariff.KindGate {
				need = append(need, "flag."+m.ID, "flag.code."+m.Flag)
			}
			for _, r := range m.BuyerRegions {
				need = append(need, "buyer_region."+r)
			}
		}
	}
	regions, err := seed.Regions()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		if r.Kind == "hub_node" || r.Kind == "ai_factory" {
			need = append(need, "map.label."+r.Code)
		}
		need = append(need, "country."+r.Country, "bloc."+string(r.Bloc), "bloc.short."+string(r.Bloc))
	}
	for _, b := range marketplace.Blocs {
		need = append(need, "bloc."+string(b))
	}
	for _, l := range i18n.All() {
		for _, id := range need {
			if !l.Has(id) {
				t.Errorf("%s lacks %q", l.Tag, id)
			}
		}
	}
}
