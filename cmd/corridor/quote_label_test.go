package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuoteLinesWordedLikeThePages: the command line words quote lines with the same function
// as the API and the pages (web/i18n.LineLabel): the accelerator's name and the pricing model
// in words, never the catalogue code or the key.
func TestQuoteLinesWordedLikeThePages(t *testing.T) {
	db := filepath.Join(t.TempDir(), "corridor.db")
	ctx := context.Background()
	if err := seedOnly(ctx, db); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	args := []string{"quote", "--db", db, "--offer", "demo-offer-001", "--gpus", "8", "--hours", "720",
		"--buyer-country", "DE", "--buyer-type", "business", "--vat-id", "DE123456789", "--currency", "EUR"}
	if err := run(ctx, args, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("quote: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "NVIDIA H100 SXM5 80GB: 8 GPUs × 720 h (on demand)") || strings.Contains(out.String(), "on_demand") {
		t.Errorf("the base line is not worded like the pages:\n%s", out.String())
	}
}
