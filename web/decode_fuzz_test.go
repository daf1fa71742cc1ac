package web

import "testing"

// FuzzPlainJSONText: whatever plainJSONText lets through without the token walk, the walk
// (checkJSONText without the shortcut) accepts too.
func FuzzPlainJSONText(f *testing.F) {
	for _, s := range []string{
		`{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business","vat_id":"DE123456789"},"currency":"EUR"}`,
		` {"a": [1, 2, {"b": "c"}], "d": null, "e": true}`, `{"a":"\u0000"}`, `{"a":"é"}`, "{\"a\":\"x\ty\"}", `[1]`, `"s"`,
		`{"a":1} {"b":2}`, `{"a":` + `"` + string(make([]byte, 300)) + `"}`, `{"note":"` + longASCII(300) + `"}`, `{"` + longASCII(257) + `":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if plainJSONText(body) {
			if err := walkJSONText(body); err != nil {
				t.Fatalf("plainJSONText accepted %q, which the walk refuses: %v", body, err)
			}
		}
	})
}

// TestPlainJSONTextTakesTheCommonCase: a quote request takes the shortcut; text the walk must
// judge does not.
func TestPlainJSONTextTakesTheCommonCase(t *testing.T) {
	if !plainJSONText([]byte(`{"offer_id":"demo-offer-001","gpus":8,"hours":100,"buyer":{"country":"DE","type":"business"},"currency":"EUR"}`)) {
		t.Error("a quote request does not take the shortcut")
	}
	for _, s := range []string{`{"a":"\u202e"}`, `{"a":"é"}`, `{"note":"` + longASCII(300) + `"}`, `[1]`, `{"a":1}x`, "{\"a\":\"\x01\"}"} {
		if plainJSONText([]byte(s)) {
			t.Errorf("%q takes the shortcut", s)
		}
	}
}

func longASCII(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'x'
	}
	return string(b)
}
