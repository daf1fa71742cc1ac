package web

import (
	"os"
	"testing"
)

// TestZZOpenAPIResponses validates every response the handler tests of this package recorded
// against the OpenAPI document: its status must be documented for the operation, its content
// type too, and its body must satisfy the documented schema. It lives in the last file so that
// it runs after the other tests; run alone, it has nothing to check.
func TestZZOpenAPIResponses(t *testing.T) {
	recorded.Lock()
	list := append([]recordedResponse(nil), recorded.list...)
	recorded.Unlock()
	if len(list) == 0 {
		t.Skip("no handler test ran before this one")
	}
	d := loadAPIDoc(t)
	failures := 0
	for _, r := range list {
		if r.status == 413 && os.Getenv("CORRIDOR_OPENAPI_STRICT") == "" && len(r.body) == 0 {
			continue
		}
		if err := d.validateResponse(r); err != nil {
			failures++
			if failures <= 20 {
				t.Errorf("%s %.80s → %d: %v\n%.300s", r.method, r.path, r.status, err, r.body)
			}
		}
	}
	t.Logf("validated %d responses against the OpenAPI document", len(list))
}
