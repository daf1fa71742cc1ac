package search

import (
	"fmt"
	"strings"
)

// Sort keys (Sort.Key).
const (
	SortPrice         = "price"          // price per GPU-hour in the query currency
	SortPerPFLOPHour  = "per_pflop_hour" // price per dense-BF16 PFLOP-hour in the query currency
	SortAvailableFrom = "available_from" // first day of availability
	SortGPUs          = "gpus"           // capacity
)

var sortKeys = []string{SortPrice, SortPerPFLOPHour, SortAvailableFrom, SortGPUs}

// Sort is the order of search results: by Key, descending when Desc; ties are always broken by
// offer id ascending so that cursors are stable.
type Sort struct {
	Key  string
	Desc bool
}

// SortKeys returns the accepted sort keys, in documentation order.
func SortKeys() []string { return append([]string(nil), sortKeys...) }

// String returns the sort as written in ?sort=, e.g. "-price".
func (s Sort) String() string {
	if s.Desc {
		return "-" + s.Key
	}
	return s.Key
}

// ParseSort parses ?sort=: a key, optionally prefixed with - for descending. The empty string
// means price ascending. A failure is an *Error whose Problem names the parameter "sort".
func ParseSort(s string) (Sort, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Sort{Key: SortPrice}, nil
	}
	key, desc := strings.CutPrefix(s, "-")
	for _, k := range sortKeys {
		if key == k {
			return Sort{Key: k, Desc: desc}, nil
		}
	}
	show := s
	if len(show) > 40 {
		show = show[:40] + "…"
	}
	all := make([]string, 0, 2*len(sortKeys))
	for _, k := range sortKeys {
		all = append(all, k, "-"+k)
	}
	msg := fmt.Sprintf("unknown sort %q; use one of %s", show, strings.Join(all, ", "))
	if strings.Contains(s, ",") {
		msg = fmt.Sprintf("sort %q: only one sort key is supported; use one of %s", show, strings.Join(all, ", "))
	} else if c := closest(strings.ToLower(key), sortKeys, 2); c != "" {
		if desc {
			c = "-" + c
		}
		msg = fmt.Sprintf("unknown sort %q; did you mean %q? (one of %s)", show, c, strings.Join(all, ", "))
	}
	return Sort{}, invalid("invalid sort", Problem{Param: "sort", Message: msg})
}
