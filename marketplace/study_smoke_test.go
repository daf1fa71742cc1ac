package marketplace_test

import (
	"context"
	"os"
	"testing"

	"corridor/marketplace"
)

func TestStudySmoke(t *testing.T) {
	clock := testClock
	svc, _ := newMarket(t, &clock)
	csv := "buyer_country,buyer_type,accelerator,origin,product,quantity,gpus\nDE,business,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8\nFR,consumer,h100-sxm,cn-ningxia-zhongwei,gpu_hours,800,8\nDE,business,h100-sxm,eu-fi-kajaani,gpu_hours,800,8\n"
	st, err := svc.RunStudy(context.Background(), marketplace.StudyRequest{
		Scenarios: []marketplace.StudyScenario{{ID: "eu-compute-levy-cn-10"}},
		Basket:    marketplace.StudyBasket{Kind: marketplace.BasketCSV, CSV: csv},
	})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/studies-smoke.json", st.Result, 0o644)
	t.Logf("%s %+v %+v", st.Status, st.Progress, st.Pins.Baseline)
}
