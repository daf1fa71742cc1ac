package main

import (
	"fmt"
	"strings"
	"time"

	"corridor/marketplace"
)

// cliFields words a domain error for the command line, saying each thing once: a validation
// error (marketplace.CodeInvalid) is its fields, each named by the flag that sets it
// ("--gpus must be a whole number from 1 to 100000; --currency …"), without the summary
// above them; any other error is its message alone ("no offer \"nope\""), which already says
// what its field would repeat. Reason codes are for programs and stay out.
func cliFields(err error) error {
	e, ok := marketplace.AsError(err)
	if !ok {
		return err
	}
	msg := e.Message
	if e.Code == marketplace.CodeInvalid && len(e.Fields) > 0 {
		parts := make([]string, 0, len(e.Fields))
		for _, f := range e.Fields {
			name := f.Field
			if fl, ok := flagOfField[name]; ok {
				name = fl
			}
			parts = append(parts, name+" "+f.Message)
		}
		msg = strings.Join(parts, "; ")
	}
	return &cliError{msg: msg, err: err}
}

// flagOfField maps the API's field names to the flags that set them.
var flagOfField = map[string]string{"offer_id": "--offer", "gpus": "--gpus", "hours": "--hours", "units": "--units", "buyer.country": "--buyer-country",
	"buyer.type": "--buyer-type", "currency": "--currency", "as_of": "--as-of", "scenario": "--scenario", "buyer.vat_id": "--vat-id",
	"buyer.headquarters": "--buyer-headquarters", "buyer.region": "--buyer-region", "buyer.vat_recovery": "--vat-recovery",
	"purpose": "--purpose", "tax_terms": "--tax-terms", "name": "--name", "country": "--country"}

// cliError is a domain error worded for the command line, keeping the error it words.
type cliError struct {
	msg string
	err error
}

func (e *cliError) Error() string { return e.msg }
func (e *cliError) Unwrap() error { return e.err }

// parseDateFlag reads a YYYY-MM-DD flag value. A value of the right shape that names no day
// of the calendar is called impossible, with the reason ("2026-11-31 is impossible: November
// 2026 has 30 days"), rather than mis-formatted.
func parseDateFlag(flag, s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err == nil {
		return d, nil
	}
	var y, m, day int
	if n, _ := fmt.Sscanf(s, "%4d-%2d-%2d", &y, &m, &day); n == 3 && len(s) == len(time.DateOnly) && s[4] == '-' && s[7] == '-' {
		switch {
		case m < 1 || m > 12:
			return time.Time{}, fmt.Errorf("%s %s is an impossible date: there is no month %d", flag, s, m)
		case day < 1:
			return time.Time{}, fmt.Errorf("%s %s is an impossible date: there is no day %d", flag, s, day)
		default:
			last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
			return time.Time{}, fmt.Errorf("%s %s is an impossible date: %s %d has %d days", flag, s, time.Month(m), y, last)
		}
	}
	return time.Time{}, fmt.Errorf("%s must be a date YYYY-MM-DD, not %q", flag, s)
}
