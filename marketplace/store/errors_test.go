package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"corridor/marketplace"
)

// TestErrorsKeepTheirCause: the domain errors the store returns say what the caller is told
// and keep the database error they translate, for logs and errors.Is.
func TestErrorsKeepTheirCause(t *testing.T) {
	for name, st := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			_, err := st.Quote(ctx, "q_missing")
			var e *marketplace.Error
			if !errors.As(err, &e) || e.Code != marketplace.CodeNotFound || !errors.Is(err, gorm.ErrRecordNotFound) {
				t.Errorf("missing quote: %v", err)
			}
			if e != nil && (e.Message != "not found" || !strings.Contains(err.Error(), "read quote")) {
				t.Errorf("message %q, error %q: the message is the caller's, the error names the operation", e.Message, err)
			}
			if _, err := st.PolicyVersionByNumber(ctx, "baseline", 99); !errors.Is(err, gorm.ErrRecordNotFound) || marketplace.ErrorCode(err) != marketplace.CodeNotFound {
				t.Errorf("missing policy version: %v", err)
			}
		})
	}
}
