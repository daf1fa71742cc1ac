//go:build !unix

package whatif

import "time"

// processCPU is unavailable here; the benchmarks then report no CPU time.
func processCPU() time.Duration { return 0 }
