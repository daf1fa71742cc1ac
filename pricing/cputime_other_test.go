//go:build !unix

package pricing

import "time"

// processCPU is unavailable here; the benchmarks then report no CPU time.
func processCPU() time.Duration { return 0 }
