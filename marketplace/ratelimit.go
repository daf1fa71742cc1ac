package marketplace

import "time"

// RateCount is how many requests one caller made in one time bucket at one Corridor instance:
// what instances share so that a rate limit holds across all of them.
type RateCount struct {
	Caller string    // e.g. "a:203.0.113.7" (an address), "k:<API key id>"
	Bucket time.Time // start of the bucket
	Count  int
}
