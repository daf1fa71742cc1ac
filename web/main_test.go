package web

import (
	"fmt"
	"io"
	"os"
	"testing"
)

// TestMain runs the tests of the package, then validates every response they recorded (call,
// recordResponse) against the OpenAPI document: its status must be documented for the
// operation, its content type too, and its body must satisfy the documented schema. Checking
// after m.Run, whatever tests ran (all, or those -run chose), needs no test to run last.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && checkRecordedResponses(os.Stderr) != nil {
		code = 1
	}
	os.Exit(code)
}

// checkRecordedResponses validates the recorded responses, reporting up to 20 failures to w.
func checkRecordedResponses(w io.Writer) error {
	recorded.Lock()
	list := append([]recordedResponse(nil), recorded.list...)
	recorded.Unlock()
	if len(list) == 0 {
		return nil
	}
	d, err := parseAPIDoc()
	if err != nil {
		fmt.Fprintln(w, "OpenAPI responses:", err)
		return err
	}
	failures := 0
	for _, r := range list {
		if r.status == 413 && os.Getenv("CORRIDOR_OPENAPI_STRICT") == "" && len(r.body) == 0 {
			continue
		}
		if err := d.validateResponse(r); err != nil {
			failures++
			if failures <= 20 {
				fmt.Fprintf(w, "--- FAIL: OpenAPI responses: %s %.80s → %d: %v\n%.300s\n", r.method, r.path, r.status, err, r.body)
			}
		}
	}
	if failures > 0 {
		fmt.Fprintf(w, "FAIL: %d of %d recorded responses do not match the OpenAPI document\n", failures, len(list))
		return fmt.Errorf("%d responses undocumented", failures)
	}
	if testing.Verbose() {
		fmt.Fprintf(w, "validated %d responses against the OpenAPI document\n", len(list))
	}
	return nil
}
